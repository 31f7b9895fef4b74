"""MOODS as an imbalanced-learn sampler: ``MOODSSampler().fit_resample(X, y)``, no Ray needed.

Follows imbalanced-learn's conventions (``over_sampling/_smote``): the public ``fit_resample``
(inherited) validates X and y, the private ``_fit_resample`` does the work, and ``random_state`` is
resolved at fit time. Inside, a stratified ``validation_size`` part of the given rows is held out as
D^V (Alg. 1 needs validation disjoint from training), features are standardised on the rest, and
Alg. 1 runs on the rest; the returned set is the final S (real minority + chosen majority +
synthetic minority, back in the input's feature scale). The held-out rows are not returned, as in
the paper, where S is drawn from D^Tr only. With ``validation_folds = k >= 2`` nothing is held out:
candidates are scored out of fold over every given row (:mod:`.step`), and S is drawn from all.

More than two classes: one-vs-rest, as imbalanced-learn's over-samplers treat every class but the
majority. The largest class is the majority (the first in sorted order on a tie); each other class
c gets its own Alg. 1 run, c against all other rows, on the same train / validation split. The
result keeps every real training row of the non-majority classes, the majority rows that any run
chose, and each run's synthetic rows of its class. With two classes this is Alg. 1 itself.

Sparse input (SciPy or pandas sparse) is densified for the MLP and the result comes back in the
input's format; the feature dtype is kept (float32 stays float32; integer features come back as
float64, since synthetic rows are interpolations). Every non-majority class needs at least
``MIN_MINORITY_ROWS`` rows, the rule ``autogets moods`` applies to data files.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from imblearn.base import BaseSampler
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, Options, StrOptions

from autogets_ray.data.tabular import MIN_MINORITY_ROWS
from autogets_ray.errors import UserInputError
from autogets_ray.moods.core import ACCEPTANCE_RULES, MAJORITY_GROWTH, REJECTION_RULES, MoodsOutcome
from autogets_ray.moods.options import MoodsOptions, default
from autogets_ray.moods.split import TabularSplit, stratified_folds


def _default(name: str):
    return default(name, MoodsOptions)


#: The integer options (sklearn's checks accept numpy integers; the options model wants int).
_COUNTS = (
    "steps_per_round",
    "max_accepted",
    "max_candidates",
    "patience",
    "max_updates",
    "max_epochs",
    "warm_max_updates",
)


def _label(value: object) -> str:
    """A class label as a user wrote it (``'rare'``, ``1``), not as numpy prints it."""
    return repr(value.item() if isinstance(value, np.generic) else value)


class MOODSSampler(BaseSampler):
    """Multi-objective bilevel resampling (paper Alg. 1) with SVM-SMOTE synthetic minority rows.

    Defaults are :class:`~autogets_ray.moods.options.MoodsOptions`'s (K = 2, ``f1-pareto-loss``),
    the same as ``autogets moods``; here the K candidates of a round are trained one after the
    other, so ``steps_per_round=1`` halves the cost per round (``acceptance="f1-both"`` with it is
    the paper's Alg. 1).

    Attributes set by ``fit_resample``: ``outcomes_`` (class -> final state and per-candidate
    history of its run), ``outcome_`` and ``minority_class_`` (the rarest class's),
    ``majority_class_``, ``sampling_strategy_``.
    """

    _sampling_type = "bypass"
    _parameter_constraints: dict = {
        "sampling_strategy": [StrOptions({"auto"})],
        "validation_size": [Interval(Real, 0, 1, closed="neither")],
        "validation_folds": [Options(Integral, {0}), Interval(Integral, 2, None, closed="left")],
        "steps_per_round": [Interval(Integral, 1, None, closed="left")],
        "max_accepted": [Interval(Integral, 1, None, closed="left")],
        "max_candidates": [Interval(Integral, 1, None, closed="left")],
        "patience": [Interval(Integral, 1, None, closed="left")],
        "max_updates": [Interval(Integral, 1, None, closed="left")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "warm_start": ["boolean"],
        "warm_max_updates": [Interval(Integral, 1, None, closed="left")],
        "acceptance": [StrOptions(set(ACCEPTANCE_RULES.names()))],
        "rejection": [StrOptions(set(REJECTION_RULES.names()))],
        "majority_growth": [StrOptions(set(MAJORITY_GROWTH.names()))],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        *,
        sampling_strategy: str = "auto",
        validation_size: float = 0.2,
        validation_folds: int = _default("validation_folds"),
        steps_per_round: int = _default("steps_per_round"),
        max_accepted: int = _default("max_accepted"),
        max_candidates: int = _default("max_candidates"),
        patience: int = _default("patience"),
        max_updates: int = _default("max_updates"),
        max_epochs: int = _default("max_epochs"),
        warm_start: bool = _default("warm_start"),
        warm_max_updates: int = _default("warm_max_updates"),
        acceptance: str = _default("acceptance"),
        rejection: str = _default("rejection"),
        majority_growth: str = _default("majority_growth"),
        random_state=None,
    ) -> None:
        super().__init__(sampling_strategy=sampling_strategy)
        self.validation_size = validation_size
        self.validation_folds = validation_folds
        self.steps_per_round = steps_per_round
        self.max_accepted = max_accepted
        self.max_candidates = max_candidates
        self.patience = patience
        self.max_updates = max_updates
        self.max_epochs = max_epochs
        self.warm_start = warm_start
        self.warm_max_updates = warm_max_updates
        self.acceptance = acceptance
        self.rejection = rejection
        self.majority_growth = majority_growth
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True  # densified for the MLP, returned in the input's format
        tags.input_tags.allow_nan = False
        return tags

    def _fit_resample(self, X, y):
        from autogets_ray.moods.local import run_moods_local

        sparse_format = X.format if sp.issparse(X) else None
        dense = X.toarray() if sparse_format else np.asarray(X)
        dtype = dense.dtype if np.issubdtype(dense.dtype, np.floating) else np.dtype(np.float64)
        classes, counts = np.unique(y, return_counts=True)
        majority = classes[int(np.argmax(counts))]
        minorities = [c for c in classes if c != majority]
        small = {c: int(n) for c, n in zip(classes, counts) if c != majority and n < MIN_MINORITY_ROWS}
        if small:
            raise UserInputError(
                f"MOODSSampler needs at least {MIN_MINORITY_ROWS} rows of every class but the majority "
                f"({_label(majority)}, {int(counts.max())} rows); too few: "
                + ", ".join(f"{_label(c)} has {n}" for c, n in small.items())
                + "; collect more rows or merge rare classes"
            )
        rng = check_random_state(self.random_state)
        seed = int(rng.randint(np.iinfo(np.int32).max))
        folds = int(self.validation_folds)
        if folds:
            train, val = np.arange(len(y)), np.arange(0)
        else:
            train, val = train_test_split(
                np.arange(len(y)), test_size=self.validation_size, stratify=y, random_state=seed
            )
        Xf = dense.astype(np.float64)
        scaler = StandardScaler().fit(Xf[train])
        X_train = scaler.transform(Xf[train])
        X_val = scaler.transform(Xf[val]) if len(val) else np.empty((0, Xf.shape[1]))
        options = MoodsOptions.build(
            **{name: int(getattr(self, name)) for name in _COUNTS},
            warm_start=bool(self.warm_start),
            acceptance=self.acceptance,
            rejection=self.rejection,
            majority_growth=self.majority_growth,
        )
        keep = y[train] != majority
        synthetic_X, synthetic_y = [], []
        self.outcomes_: dict[object, MoodsOutcome] = {}
        for minority in minorities:  # one-vs-rest (module docstring), in sorted class order
            run_seed = int(rng.randint(np.iinfo(np.int32).max))
            labels_train = (y[train] == minority).astype(np.int64)
            labels_val = (y[val] == minority).astype(np.int64)
            split = TabularSplit(
                X_train,
                labels_train,
                X_val,
                labels_val,
                X_val,
                labels_val,
                seed=run_seed,
                folds=stratified_folds(labels_train, folds, run_seed) if folds else None,
            )
            outcome = run_moods_local(split, options.settings(), options.mlp(), seed=run_seed)
            self.outcomes_[minority] = outcome
            keep[outcome.state.majority_idx] = True
            synthetic_X.append(outcome.state.synthetic)
            synthetic_y.append(np.full(len(outcome.state.synthetic), minority, dtype=y.dtype))
        self.majority_class_ = majority
        size = dict(zip(classes, counts))
        self.minority_class_ = min(minorities, key=lambda c: size[c])  # the first on a tie
        self.outcome_ = self.outcomes_[self.minority_class_]
        X_res = scaler.inverse_transform(np.concatenate([X_train[keep], *synthetic_X])).astype(dtype)
        y_res = np.concatenate([y[train][keep], *synthetic_y])
        if sparse_format:
            X_res = sp.csr_matrix(X_res).asformat(sparse_format)
        return X_res, y_res
