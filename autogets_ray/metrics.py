"""Classification metrics as the AutoGeTS paper uses them, all from one confusion matrix.

Notation: for class c with confusion matrix C (rows true, columns predicted), N samples,
TP_c = C[c,c], FN_c = sum_j C[c,j] - TP_c, FP_c = sum_i C[i,c] - TP_c, TN_c = N - TP_c - FN_c - FP_c,
support n_c = TP_c + FN_c.

- CR (class recall)                 = TP_c / (TP_c + FN_c)
- specificity                       = TN_c / (TN_c + FP_c)
- CBA (one-vs-rest balanced acc.)   = (CR_c + specificity_c) / 2
- precision                         = TP_c / (TP_c + FP_c)   (0 when nothing is predicted as c)
- class F1                          = 2 P R / (P + R)         (0 when P + R = 0)
- accuracy                          = sum_c TP_c / N
- OBA (paper Table 1)               = (micro TPR + micro TNR) / 2
                                      = (accuracy + sum_c TN_c / sum_c (TN_c + FP_c)) / 2
  i.e. the mean of per-class recall weighted by n_c and per-class specificity weighted by N - n_c.
  Checked against Table 1: its per-class rows give 0.9225 this way (printed 0.923), while the plain
  support-weighted mean of CBA gives 0.918. Note that micro TNR = 1 - (1 - accuracy) / (K - 1), so
  OBA is a monotone function of accuracy for a fixed number of classes K.
- weighted CBA                      = sum_c n_c CBA_c / N     (reported as ``weighted_cba``)
- OF1                               = sum_c n_c F1_c / N       (support-weighted F1)
- macro recall                      = mean_c CR_c              (sklearn's "balanced accuracy")

Classes with zero support are left out of the support weights (weight 0) and their recall is 0.

Ranking metric (needs decision scores S, shape (N, K), higher = more likely that class):

- AUC (one-vs-rest ROC-AUC)         = P(S[i,c] > S[j,c]) + P(S[i,c] = S[j,c]) / 2 over positives i
                                      (y_i = c) and negatives j (y_j != c); computed from average
                                      ranks r of S[:,c] (Mann-Whitney U):
                                      AUC_c = (sum_{i pos} r_i - n_c (n_c + 1) / 2) / (n_c (N - n_c)),
                                      NaN when class c has no positives or no negatives.
  Why: on small validation classes (6-20 positives) CR and CBA move in steps of 1/n_c, so many
  candidate subsets tie on them; AUC of the class's scores against all other rows is nearly
  continuous (it moves whenever any positive's score passes any negative's) and separates them.

Standard errors (:func:`objective_standard_error`) are analytic, binomial or Hanley & McNeil (1982).

The search objectives live in a registry (:data:`OBJECTIVE_REGISTRY`, one :func:`register_objective`
each: its value, whether it is per class, its standard error); :data:`OBJECTIVES` and every lookup
by name come from it. Column names (``val_cba[<class>]``) come from :mod:`autogets_ray.metric_names`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np

from autogets_ray.errors import UserInputError
from autogets_ray.metric_names import SPLITS, metric_column, parse_metric_column
from autogets_ray.registry import Registry


def confusion_matrix(y_true: Sequence[int], y_pred: Sequence[int], n_classes: int) -> np.ndarray:
    """Counts ``C[i, j]`` of true class i predicted as j; labels are codes in ``[0, n_classes)``."""
    y_true = np.asarray(y_true, dtype=np.int64)
    y_pred = np.asarray(y_pred, dtype=np.int64)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true has {y_true.shape} labels but y_pred has {y_pred.shape}")
    for name, y in (("y_true", y_true), ("y_pred", y_pred)):
        if y.size and (y.min() < 0 or y.max() >= n_classes):
            raise ValueError(f"{name} holds codes outside [0, {n_classes})")
    flat = np.bincount(y_true * n_classes + y_pred, minlength=n_classes * n_classes)
    return flat.reshape(n_classes, n_classes)


def _safe_div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    return np.divide(num, den, out=np.zeros_like(num), where=den > 0)


@dataclass(frozen=True)
class ClassMetrics:
    """Per-class one-vs-rest metrics, arrays indexed by class code."""

    support: np.ndarray
    recall: np.ndarray
    specificity: np.ndarray
    balanced_accuracy: np.ndarray
    precision: np.ndarray
    f1: np.ndarray


def class_metrics(cm: np.ndarray) -> ClassMetrics:
    cm = np.asarray(cm, dtype=float)
    total = cm.sum()
    tp = np.diag(cm)
    support = cm.sum(axis=1)
    predicted = cm.sum(axis=0)
    fn = support - tp
    fp = predicted - tp
    tn = total - tp - fn - fp
    recall = _safe_div(tp, tp + fn)
    specificity = _safe_div(tn, tn + fp)
    precision = _safe_div(tp, tp + fp)
    f1 = _safe_div(2 * precision * recall, precision + recall)
    return ClassMetrics(
        support=support.astype(np.int64),
        recall=recall,
        specificity=specificity,
        balanced_accuracy=(recall + specificity) / 2,
        precision=precision,
        f1=f1,
    )


@dataclass(frozen=True)
class Evaluation:
    """Everything one prediction run yields: class metrics plus the overall figures."""

    classes: tuple[str, ...]
    confusion: np.ndarray
    per_class: ClassMetrics
    accuracy: float
    oba: float
    of1: float
    macro_recall: float
    weighted_cba: float
    #: one-vs-rest ROC-AUC per class code (NaN where undefined); None without decision scores
    auc: np.ndarray | None = None

    @property
    def has_scores(self) -> bool:
        """True when the evaluation was given decision scores (so score-based objectives are defined)."""
        return self.auc is not None

    def class_index(self, name: str) -> int:
        try:
            return self.classes.index(name)
        except ValueError:
            raise ValueError(f"unknown class {name!r}; classes are: {', '.join(self.classes)}") from None

    def objective(self, objective: str, target_class: str | None = None) -> float:
        """Value of one of :data:`OBJECTIVES`; those in :data:`CLASS_OBJECTIVES` need the target class."""
        spec = get_objective(objective)
        return spec.value(self, spec.class_code(self, target_class))

    def flat(self) -> dict[str, float]:
        """A flat dict: ``accuracy, oba, of1, macro_recall, weighted_cba`` and ``cr/cba/f1[<class>]``.

        ``auc[<class>]`` keys are added only when the evaluation has decision scores.
        """
        out: dict[str, float] = {
            "accuracy": self.accuracy,
            "oba": self.oba,
            "of1": self.of1,
            "macro_recall": self.macro_recall,
            "weighted_cba": self.weighted_cba,
        }
        pc = self.per_class
        per_class = {"cr": pc.recall, "cba": pc.balanced_accuracy, "f1": pc.f1}
        if self.auc is not None:
            per_class["auc"] = self.auc
        for i, name in enumerate(self.classes):
            for metric, values in per_class.items():
                out[metric_column(metric, name)] = float(values[i])
        return out


def one_vs_rest_auc(y_true: Sequence[int], scores: np.ndarray) -> np.ndarray:
    """Per-class ROC-AUC of ``scores[:, c]`` for ``y_true == c`` against the rest (module docstring).

    Rank form of the Mann-Whitney U with average ranks for ties, equal to
    ``sklearn.metrics.roc_auc_score``; NaN for a class without positives or without negatives.
    ``-inf`` scores (a class the model never saw) are allowed and tie with each other.
    """
    y_true = np.asarray(y_true, dtype=np.int64)
    scores = np.asarray(scores, dtype=float)
    if scores.ndim != 2 or scores.shape[0] != y_true.shape[0]:
        raise ValueError(
            f"scores must have shape (n_rows, n_classes) = ({y_true.shape[0]}, K), got {scores.shape}"
        )
    if np.isnan(scores).any():
        raise ValueError("scores contain NaN")
    n = y_true.shape[0]
    from scipy.stats import rankdata  # here: scipy.stats costs ~1 s to import, and `--help` needs none

    auc = np.full(scores.shape[1], np.nan)
    for c in range(scores.shape[1]):
        positive = y_true == c
        n_pos = int(positive.sum())
        n_neg = n - n_pos
        if n_pos == 0 or n_neg == 0:
            continue
        ranks = rankdata(scores[:, c], method="average")
        auc[c] = (ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)
    return auc


def evaluate(
    y_true: Sequence[int], y_pred: Sequence[int], classes: Sequence[str], scores: np.ndarray | None = None
) -> Evaluation:
    """Compute every metric of the module docstring for integer-coded labels.

    ``scores`` (shape (n_rows, len(classes)), columns = class codes, higher = more likely) adds the
    per-class one-vs-rest AUC (:func:`one_vs_rest_auc`); without it ``auc`` is None.
    """
    cm = confusion_matrix(y_true, y_pred, len(classes))
    auc = None
    if scores is not None:
        scores = np.asarray(scores, dtype=float)
        if scores.ndim != 2 or scores.shape[1] != len(classes):
            raise ValueError(
                f"scores must have shape (n_rows, {len(classes)}) for {len(classes)} classes, "
                f"got {scores.shape}"
            )
        auc = one_vs_rest_auc(y_true, scores)
    pc = class_metrics(cm)
    total = cm.sum()
    weights = pc.support / total if total else np.zeros(len(classes))
    present = pc.support > 0
    negatives = total - pc.support  # TN_c + FP_c for every class
    fp = cm.sum(axis=0) - np.diag(cm)
    micro_tnr = float(1.0 - fp.sum() / negatives.sum()) if negatives.sum() else 0.0
    accuracy = float(np.trace(cm) / total) if total else 0.0
    return Evaluation(
        classes=tuple(classes),
        confusion=cm,
        per_class=pc,
        accuracy=accuracy,
        oba=(accuracy + micro_tnr) / 2,
        of1=float(np.sum(weights * pc.f1)),
        macro_recall=float(pc.recall[present].mean()) if present.any() else 0.0,
        weighted_cba=float(np.sum(weights * pc.balanced_accuracy)),
        auc=auc,
    )


def objective_standard_error(
    evaluation: Evaluation, objective: str, target_class: str | None = None
) -> float:
    """Analytic standard error of ``evaluation.objective(objective, target_class)`` on its own rows.

    With TP, TN, n_pos, n_neg of the target class, N rows, K classes and smoothed proportions
    p~ = (successes + 0.5) / (trials + 1) (so a perfect or zero rate does not get SE 0):

    - cr:  sqrt(p~ (1 - p~) / n_pos),  p~ from TP of n_pos
    - cba: 0.5 sqrt(se_tpr^2 + se_tnr^2), each binomial as for cr (TP of n_pos, TN of n_neg)
    - auc: Hanley & McNeil (1982) with A the AUC, Q1 = A / (2 - A), Q2 = 2 A^2 / (1 + A):
           sqrt((A (1 - A) + (n_pos - 1)(Q1 - A^2) + (n_neg - 1)(Q2 - A^2)) / (n_pos n_neg))
           (not smoothed: A = 1 gives 0)
    - oba: K / (2 (K - 1)) sqrt(acc~ (1 - acc~) / N), since OBA = K/(2(K-1)) acc + const
           (module docstring), acc~ = (correct + 0.5) / (N + 1)
    - of1: sqrt(f (1 - f) / N), an approximation that treats OF1 as a proportion of N rows

    NaN when the objective is NaN or the SE is undefined (no rows, no positives or negatives, K < 2).
    """
    spec = get_objective(objective)
    code = spec.class_code(evaluation, target_class)
    value = spec.value(evaluation, code)
    if np.isnan(value):
        return float("nan")
    return spec.standard_error(evaluation, code, value)


def val_test_metrics(val: Evaluation, test: Evaluation) -> dict[str, float]:
    """Both evaluations' :meth:`Evaluation.flat` metrics as one row: ``val_<key>`` and ``test_<key>``."""
    return {
        metric_column(key, split=split): value
        for split, evaluation in zip(SPLITS, (val, test))
        for key, value in evaluation.flat().items()
    }


# --- the objectives registry ---------------------------------------------------------------------------
#: ``value(evaluation, class_code)``: an objective's value; the class code is None for an overall objective.
ObjectiveValue = Callable[[Evaluation, int | None], float]
#: ``standard_error(evaluation, class_code, value)``, called only for a value that is not NaN.
ObjectiveError = Callable[[Evaluation, int | None, float], float]


@dataclass(frozen=True)
class Objective:
    """One search objective (maximised): how to read it off an :class:`Evaluation` and its standard error.

    Calling it, ``objective(evaluation, target_class)``, is :meth:`Evaluation.objective`.
    """

    name: str
    #: computed for one target class (``cba[<class>]``) rather than over all rows (``oba``)
    per_class: bool
    value: ObjectiveValue
    standard_error: ObjectiveError
    #: only defined for an evaluation with decision scores; absent from tables of runs without them
    needs_scores: bool = False

    def class_code(self, evaluation: Evaluation, target_class: str | None) -> int | None:
        """The code of the target class a class objective is read for; None for an overall one."""
        if not self.per_class:
            return None
        if self.needs_scores and not evaluation.has_scores:
            raise ValueError(f"objective {self.name!r} needs decision scores; this evaluation has none")
        if target_class is None:
            raise ValueError(f"objective {self.name!r} needs a target class")
        return evaluation.class_index(target_class)

    def __call__(self, evaluation: Evaluation, target_class: str | None = None) -> float:
        return self.value(evaluation, self.class_code(evaluation, target_class))


OBJECTIVE_REGISTRY: Registry[float] = Registry("objective")
_REGISTERED: list[str] = []  # registration order: the order tables and figures list objectives in


def register_objective(
    name: str, *, per_class: bool, standard_error: ObjectiveError, help: str, needs_scores: bool = False
) -> Callable[[ObjectiveValue], ObjectiveValue]:
    """Decorator: ``value(evaluation, class_code)`` becomes the objective ``name`` (one registration)."""

    def decorate(value: ObjectiveValue) -> ObjectiveValue:
        objective = Objective(name, per_class, value, standard_error, needs_scores)
        OBJECTIVE_REGISTRY.register(name, help=help)(objective)
        if name not in _REGISTERED:  # registered again after an unregister: keeps its first place
            _REGISTERED.append(name)
        return value

    return decorate


def objective_names() -> tuple[str, ...]:
    """Every registered objective, in registration order."""
    return tuple(name for name in _REGISTERED if name in OBJECTIVE_REGISTRY)


def get_objective(name: str) -> Objective:
    """The registered :class:`Objective` ``name``; ValueError listing the choices (registration order)
    for an unknown one."""
    if name not in OBJECTIVE_REGISTRY:
        raise UserInputError(f"unknown objective {name!r}; choose one of {', '.join(objective_names())}")
    return cast(Objective, OBJECTIVE_REGISTRY.get(name))


def is_class_objective(name: str) -> bool:
    """True for an objective computed for one target class; False for an overall or unknown name."""
    return name in OBJECTIVE_REGISTRY and get_objective(name).per_class


def objective_column(objective: str, target_class: str | None = None, split: str | None = None) -> str:
    """The column of an objective: ``("cba", "A", "val")`` -> ``val_cba[A]``; an overall objective
    ignores the class: ``("oba", "A", "val")`` -> ``val_oba``. A class objective needs the class."""
    if not get_objective(objective).per_class:
        return metric_column(objective, split=split)
    if target_class is None:
        raise ValueError(f"objective {objective!r} needs a target class")
    return metric_column(objective, target_class, split)


def objectives_in(columns: Iterable[str]) -> tuple[str, ...]:
    """The objectives a table carries: every one that needs no decision scores, and those that do
    when ``columns`` (flat keys or split columns) hold one of theirs (results without scores lack them)."""
    present = {parse_metric_column(str(c)).metric for c in columns}
    return tuple(
        name for name in objective_names() if not get_objective(name).needs_scores or name in present
    )


def _binomial_se(successes: float, trials: float) -> float:
    """sqrt(p (1 - p) / n) with p = (successes + 0.5) / (n + 1); NaN when n = 0."""
    if trials <= 0:
        return float("nan")
    p = (successes + 0.5) / (trials + 1)
    return float(np.sqrt(p * (1 - p) / trials))


def _class_counts(evaluation: Evaluation, code: int | None) -> tuple[float, float, float, float]:
    """TP, TN, positives and negatives of the class ``code`` (one-vs-rest)."""
    cm = np.asarray(evaluation.confusion, dtype=float)
    i = int(cast(int, code))  # class objectives always get a code
    total = float(cm.sum())
    n_pos = float(cm[i].sum())
    tp = float(cm[i, i])
    tn = total - n_pos - (float(cm[:, i].sum()) - tp)
    return tp, tn, n_pos, total - n_pos


def _cr_se(evaluation: Evaluation, code: int | None, value: float) -> float:
    tp, _, n_pos, _ = _class_counts(evaluation, code)
    return _binomial_se(tp, n_pos)


def _cba_se(evaluation: Evaluation, code: int | None, value: float) -> float:
    tp, tn, n_pos, n_neg = _class_counts(evaluation, code)
    return float(0.5 * np.sqrt(_binomial_se(tp, n_pos) ** 2 + _binomial_se(tn, n_neg) ** 2))


def _oba_se(evaluation: Evaluation, code: int | None, value: float) -> float:
    k = len(evaluation.classes)
    if k < 2:
        return float("nan")
    cm = np.asarray(evaluation.confusion, dtype=float)
    return k / (2 * (k - 1)) * _binomial_se(float(np.trace(cm)), float(cm.sum()))


def _of1_se(evaluation: Evaluation, code: int | None, value: float) -> float:
    total = float(np.asarray(evaluation.confusion, dtype=float).sum())
    if total <= 0:
        return float("nan")
    return float(np.sqrt(value * (1 - value) / total))


def _auc_se(evaluation: Evaluation, code: int | None, value: float) -> float:
    _, _, n_pos, n_neg = _class_counts(evaluation, code)
    if n_pos <= 0 or n_neg <= 0:
        return float("nan")
    a = value
    q1 = a / (2 - a)
    q2 = 2 * a * a / (1 + a)
    variance = (a * (1 - a) + (n_pos - 1) * (q1 - a * a) + (n_neg - 1) * (q2 - a * a)) / (n_pos * n_neg)
    return float(np.sqrt(max(variance, 0.0)))


# The paper's four objectives (§3.2) in its order, then the class AUC; all maximised.
@register_objective("cr", per_class=True, standard_error=_cr_se, help="class recall TP / (TP + FN)")
def _cr(evaluation: Evaluation, code: int | None) -> float:
    return float(evaluation.per_class.recall[cast(int, code)])


@register_objective(
    "cba",
    per_class=True,
    standard_error=_cba_se,
    help="class balanced accuracy (recall + specificity) / 2, one-vs-rest",
)
def _cba(evaluation: Evaluation, code: int | None) -> float:
    return float(evaluation.per_class.balanced_accuracy[cast(int, code)])


@register_objective(
    "oba",
    per_class=False,
    standard_error=_oba_se,
    help="overall balanced accuracy (micro TPR + micro TNR) / 2",
)
def _oba(evaluation: Evaluation, code: int | None) -> float:
    return evaluation.oba


@register_objective("of1", per_class=False, standard_error=_of1_se, help="support-weighted class F1")
def _of1(evaluation: Evaluation, code: int | None) -> float:
    return evaluation.of1


@register_objective(
    "auc",
    per_class=True,
    standard_error=_auc_se,
    needs_scores=True,
    help="one-vs-rest ROC-AUC of the class's decision scores",
)
def _auc(evaluation: Evaluation, code: int | None) -> float:
    return float(cast(np.ndarray, evaluation.auc)[cast(int, code)])


#: The search objectives, all maximised: the paper's four (§3.2) plus the class AUC.
OBJECTIVES = objective_names()
#: Objectives that are computed for one target class (need ``target_class``).
CLASS_OBJECTIVES = tuple(name for name in OBJECTIVES if get_objective(name).per_class)
#: Objectives over all rows (the target class does not enter).
OVERALL_OBJECTIVES = tuple(name for name in OBJECTIVES if not get_objective(name).per_class)


def hypervolume_2d(points: np.ndarray | Sequence[Sequence[float]], reference: Sequence[float]) -> float:
    """Area dominated by ``points`` (both coordinates maximised) and bounded by ``reference``.

    The paper's HV indicator (App. B, Zitzler & Thiele 1999) for pairs such as (class recall,
    accuracy). Points not strictly better than the reference in both coordinates add nothing.
    """
    pts = np.asarray(points, dtype=float).reshape(-1, 2)
    rx, ry = float(reference[0]), float(reference[1])
    pts = pts[(pts[:, 0] > rx) & (pts[:, 1] > ry)]
    if len(pts) == 0:
        return 0.0
    pts = pts[np.argsort(-pts[:, 0], kind="stable")]  # sweep from the largest x down
    area, best_y = 0.0, ry
    for x, y in pts:
        if y > best_y:
            area += (x - rx) * (y - best_y)
            best_y = y
    return float(area)


def hypervolume(points: np.ndarray | Sequence[Sequence[float]], reference: Sequence[float]) -> float:
    """Volume dominated by ``points`` (every coordinate maximised) and bounded by ``reference``,
    for two objectives (:func:`hypervolume_2d`) or three (slices along the third coordinate, each
    slice a 2-D area; exact). Points not strictly better than the reference everywhere add nothing;
    non-finite points are ignored."""
    ref = np.asarray(reference, dtype=float).reshape(-1)
    pts = np.asarray(points, dtype=float).reshape(-1, len(ref))
    pts = pts[np.isfinite(pts).all(axis=1) & (pts > ref).all(axis=1)]
    if len(ref) == 2:
        return hypervolume_2d(pts, ref)
    if len(ref) != 3:
        raise ValueError(f"hypervolume needs 2 or 3 objectives, got {len(ref)}")
    levels = np.unique(pts[:, 2])[::-1]  # slice tops, highest first
    volume = 0.0
    for top, bottom in zip(levels, [*levels[1:], ref[2]]):
        volume += hypervolume_2d(pts[pts[:, 2] >= top][:, :2], ref[:2]) * (top - bottom)
    return float(volume)
