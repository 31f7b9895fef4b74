"""The outer loop of MOODS (paper Alg. 1) as a plain, seeded, pickle-safe ask/tell object.

``propose()`` returns the candidate steps of one round, all drawn from the current accepted state
S_{k-1}; whoever evaluates them (a loop in this process, or Ray Tune trials) hands the results to
``observe()``, which accepts the best candidate that improves both objectives or rejects the round.
K = ``steps_per_round`` = 1 is the paper; K > 1 evaluates K independent draws concurrently.

Defaults that deviate from the paper (both options; ``steps_per_round=1, acceptance="f1-both"`` is
Alg. 1 as printed): K = 2, and the acceptance rule ``f1-pareto-loss``. Why: validation sets of the
paper's small datasets hold 3-10 minority rows, so the validation F1 pair is a coarse function of
the confusion counts; under the strict rule a run stalls after 2-4 accepted steps (or never moves
again once validation is perfect, where Alg. 1 as printed does not terminate) and the final S keeps
~15% of the majority rows. K = 2 gives every round two draws, run as concurrent trials on Ray
(benchmarks/RESULTS.md measures what that costs); the Pareto rule keeps the paper's two objectives first and lets a step that leaves both exactly
unchanged grow S only when it lowers the validation loss (Def. 1's BCE on D^V).

Our reading of Alg. 1:

- line 1: S_0 = all minority training rows + M_0 = ceil(|S_m|/2) uniformly drawn majority rows;
  the first "round" evaluates S_0 itself to get F1^(0), F1_m^(0).
- line 4-5: S_Mk = M_k majority rows drawn without replacement from the unused pool with
  probability p(s) (normalised over the pool).
- line 6-7: the evaluator adds SVM-SMOTE rows Ŝ_mk generated from S_{k-1} ∪ S_Mk.
- line 16-18 accept: S_Mk leaves the pool, M_k += 1.
- line 20-22 reject: p is updated by the rejection rule (see :data:`REJECTION_RULES`), M_k -= 1
  (never below 1) and k is not advanced: ``max_accepted`` counts accepted steps (MaxIter), so a
  run also stops after ``max_candidates`` evaluations, ``patience`` rejected rounds in a row or
  an empty pool.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from autogets_ray.errors import UserInputError
from autogets_ray.moods.metrics import BinaryF1, RowLosses, balanced_loss_change, improves_both
from autogets_ray.registry import Registry


@dataclass(frozen=True)
class MoodsSettings:
    """Outer-loop settings (Alg. 1); ``synthetic=False`` + ``acceptance="val-loss"`` is MUBO.

    The paper's Alg. 1 is ``steps_per_round=1, acceptance="f1-both"``; the defaults (K = 2,
    ``f1-pareto-loss``) are documented deviations (module docstring). ``max_candidates`` counts
    trials, ``patience`` rounds.
    """

    steps_per_round: int = 2
    max_accepted: int = 40
    max_candidates: int = 60
    patience: int = 20
    synthetic: bool = True
    acceptance: str = "f1-pareto-loss"
    rejection: str = "halve-drawn-majority"
    warm_start: bool = False
    majority_growth: str = "paper"

    def __post_init__(self) -> None:
        for name in ("steps_per_round", "max_accepted", "max_candidates", "patience"):
            if getattr(self, name) < 1:
                raise UserInputError(f"MOODS {name} must be >= 1, got {getattr(self, name)}")
        ACCEPTANCE_RULES.get(self.acceptance)
        REJECTION_RULES.get(self.rejection)
        MAJORITY_GROWTH.get(self.majority_growth)


@dataclass(frozen=True)
class Step:
    """One step S_k = S_{k-1} ∪ S_Mk ∪ Ŝ_mk to evaluate; ``add_majority`` are training-row indices."""

    candidate_id: int
    round: int
    state_version: int
    add_majority: np.ndarray
    seed: int
    synthesize: bool
    warm_start: bool = False  # fit from the accepted state's weights (mlp.py, "Warm start")


@dataclass
class StepResult:
    """What evaluating a candidate yields: validation scores decide, test is only reported.

    ``val_rows`` (per-row validation losses) feed the ``loss-se`` rule; ``weights`` are the fitted
    model's, what the next round's warm-started fits begin from once this step is accepted."""

    candidate_id: int
    val: BinaryF1
    val_loss: float
    test: BinaryF1
    synthetic_new: np.ndarray
    z_train: np.ndarray
    seconds: float = 0.0
    device: str = "cpu"
    val_rows: RowLosses | None = None
    weights: list[np.ndarray] | None = None


@dataclass
class MoodsState:
    """An accepted training set S_k: real majority rows (indices) + accumulated synthetic rows."""

    version: int
    majority_idx: np.ndarray
    synthetic: np.ndarray
    val: BinaryF1 | None = None
    val_loss: float = math.inf
    test: BinaryF1 | None = None
    z_train: np.ndarray | None = None
    val_rows: RowLosses | None = None
    weights: list[np.ndarray] | None = None

    @property
    def evaluated(self) -> bool:
        return self.val is not None


ACCEPTANCE_RULES: Registry[bool] = Registry("acceptance rule")


@ACCEPTANCE_RULES.register("f1-both", help="MOODS: validation F1 and minority F1 both strictly improve")
def accept_f1_both(result: StepResult, state: MoodsState) -> bool:
    """Alg. 1 line 16."""
    return improves_both(result.val, state.val)


@ACCEPTANCE_RULES.register(
    "f1-both-or-equal", help="neither validation F1 nor minority F1 gets worse (ties accepted)"
)
def accept_f1_not_worse(result: StepResult, state: MoodsState) -> bool:
    """A weak reading of line 16: a step that leaves both F1s unchanged also grows S."""
    return result.val.f1 >= state.val.f1 and result.val.f1_minority >= state.val.f1_minority


@ACCEPTANCE_RULES.register(
    "f1-pareto-loss",
    help="neither F1 worse and one strictly better (Pareto); exact ties "
    "accepted when the validation loss decreases",
)
def accept_f1_pareto_loss(result: StepResult, state: MoodsState) -> bool:
    """Line 16 as Pareto dominance of (F1, F1_m), with the validation BCE breaking exact ties.

    The paper's outer loop seeks "a single Pareto optimal point" (Sec. 1, Fig. 3): a step that
    dominates S_{k-1} in (F1, F1_m) is accepted; one that leaves both unchanged (the usual case on
    a few minority validation rows, where the pair only moves with the confusion counts) is
    accepted only if it lowers Def. 1's loss on D^V, a finer measure of the same fit.
    """
    new, old = result.val, state.val
    if new.f1 < old.f1 or new.f1_minority < old.f1_minority:
        return False
    if new.f1 > old.f1 or new.f1_minority > old.f1_minority:
        return True
    return result.val_loss < state.val_loss


#: How many standard errors the ``loss-se`` rule asks a step's loss improvement to exceed.
LOSS_SE_MARGIN = 1.0


@ACCEPTANCE_RULES.register(
    "loss-se",
    help="the class-balanced validation loss falls by more than its standard error "
    "(paired over validation rows) and neither validation F1 gets worse",
)
def accept_loss_beyond_noise(result: StepResult, state: MoodsState) -> bool:
    """Accept on evidence that survives the noise of a few validation rows (docs/design.md, MOODS).

    The paper's objectives (F1, F1_m) are constraints here: neither may fall. The decision itself
    rests on Def. 1's loss, continuous where the F1s move only when a row changes side, averaged
    per class so the few minority rows weigh as much as the many majority ones, and compared row
    by row with the accepted state's: the step must lower it by more than ``LOSS_SE_MARGIN``
    standard errors of that paired difference. A change inside the noise is rejected.
    """
    new, old = result.val, state.val
    if new.f1 < old.f1 or new.f1_minority < old.f1_minority:
        return False
    if result.val_rows is None or state.val_rows is None:
        raise ValueError("the loss-se rule needs per-row validation losses of the step and the state")
    change, se = balanced_loss_change(result.val_rows, state.val_rows)
    return change < -LOSS_SE_MARGIN * se


@ACCEPTANCE_RULES.register("val-loss", help="MUBO: the validation loss strictly decreases")
def accept_val_loss(result: StepResult, state: MoodsState) -> bool:
    return result.val_loss < state.val_loss


REJECTION_RULES: Registry[None] = Registry("rejection rule")


@REJECTION_RULES.register(
    "halve-drawn-majority", help="halve p(s) of the majority rows S_Mk drawn by the rejected step"
)
def halve_drawn_majority(p: np.ndarray, candidate: Step) -> None:
    """Alg. 1 line 21 read as "halve p(s) for s in S_Mk".

    As printed, line 21 halves p on Ŝ_mk, the synthetic minority rows, but p is a distribution over
    the unused majority pool S_M^Tr (line 2) and synthetic rows are regenerated every step, so
    that reading does nothing. The rows of the rejected step that do carry p are the drawn
    majority rows S_Mk; halving theirs makes later draws prefer rows not yet tried.
    """
    p[candidate.add_majority] *= 0.5


@REJECTION_RULES.register("uniform", help="literal reading: p is never changed (draws stay uniform)")
def keep_uniform(p: np.ndarray, candidate: Step) -> None:
    return None


#: How M_k, the majority rows a step draws, changes: ``(m_k, accepted) -> next m_k`` (>= 1).
MAJORITY_GROWTH: Registry[int] = Registry("majority growth")


@MAJORITY_GROWTH.register("paper", help="M_k + 1 after an accepted step, M_k - 1 after a rejected round")
def grow_by_one(m_k: int, accepted: bool) -> int:
    """Alg. 1 lines 18 and 22."""
    return m_k + 1 if accepted else max(1, m_k - 1)


@MAJORITY_GROWTH.register(
    "doubling", help="M_k doubles after an accepted step and halves after a rejected round"
)
def grow_by_doubling(m_k: int, accepted: bool) -> int:
    """Beyond the paper: S reaches the whole majority pool in log-many accepted steps.

    Under lines 18/22 S_0 holds ceil(|S_m|/2) majority rows and grows by about as many per
    accepted step, so after the 5-15 steps a run accepts S still lacks much of the majority;
    doubling lets the search try large additions while a rejection halves back to small ones.
    """
    return 2 * m_k if accepted else max(1, m_k // 2)


def candidate_order(result: StepResult) -> tuple[float, float, float]:
    """How the best of several improving candidates is chosen (K > 1): F1, then F1_m, then loss."""
    return (result.val.f1, result.val.f1_minority, -result.val_loss)


@dataclass
class HistoryRow:
    round: int
    candidate_id: int
    state_version: int
    added_majority: int
    added_synthetic: int
    val_f1: float
    val_f1_minority: float
    val_loss: float
    test_f1: float
    accepted: bool
    seconds: float
    device: str = "cpu"


class MoodsCore:
    """Ask/tell state of one MOODS run over the training labels ``y_train`` (1 = minority)."""

    def __init__(self, y_train: np.ndarray, n_features: int, settings: MoodsSettings, seed: int) -> None:
        y = np.asarray(y_train).astype(np.int64)
        if set(np.unique(y)) != {0, 1}:
            raise UserInputError("MOODS needs both classes in the training labels (1 = minority)")
        self.settings = settings
        self.rng = np.random.default_rng(seed)
        self.n_features = n_features
        self.minority_idx = np.flatnonzero(y == 1)
        majority = np.flatnonzero(y == 0)
        m0 = min(math.ceil(len(self.minority_idx) / 2), len(majority))  # Alg. 1 line 1
        start = np.sort(self.rng.choice(majority, size=m0, replace=False))
        self.in_pool = np.zeros(len(y), dtype=bool)
        self.in_pool[majority] = True
        self.in_pool[start] = False
        self.p = np.where(self.in_pool, 1.0, 0.0)  # line 2, normalised when drawing (line 4)
        self.m_k = m0
        self.state = MoodsState(version=0, majority_idx=start, synthetic=np.empty((0, n_features)))
        self.round = 0
        self.next_id = 0
        self.accepted = 0
        self.rejected_streak = 0
        self.evaluations = 0
        self.pending: dict[int, Step] = {}
        self.history: list[HistoryRow] = []
        self.stop_reason = ""

    # -- ask ---------------------------------------------------------------------------------
    @property
    def finished(self) -> bool:
        s = self.settings
        reasons = [
            (self.accepted >= s.max_accepted, "max_accepted"),
            (self.evaluations >= s.max_candidates, "max_candidates"),
            (self.rejected_streak >= s.patience, "patience"),
            (self.state.evaluated and not self.in_pool.any(), "pool exhausted"),
            (self._saturated(), "validation perfect"),
        ]
        for hit, reason in reasons:
            if hit:
                self.stop_reason = reason
                return True
        return False

    def _saturated(self) -> bool:
        """Under the strict rule nothing improves on F1 = F1_m = 1; Alg. 1 as printed loops forever."""
        val = self.state.val
        return (
            self.settings.acceptance == "f1-both"
            and val is not None
            and val.f1 >= 1.0
            and val.f1_minority >= 1.0
        )

    def propose(self) -> list[Step]:
        """The candidates of the next round (empty when finished or a round is still open)."""
        if self.pending or self.finished:
            return []
        if not self.state.evaluated:  # the start S_0 itself
            batch = [self._candidate(np.empty(0, dtype=np.int64), synthesize=False)]
        else:
            budget = self.settings.max_candidates - self.evaluations
            k = max(1, min(self.settings.steps_per_round, budget))
            batch = [self._candidate(self._draw(), synthesize=self.settings.synthetic) for _ in range(k)]
        for cand in batch:
            self.pending[cand.candidate_id] = cand
        return batch

    def _draw(self) -> np.ndarray:
        """Alg. 1 lines 4-5: M_k pool rows without replacement, probability p normalised."""
        pool = np.flatnonzero(self.in_pool)
        size = min(self.m_k, len(pool))
        weights = self.p[pool] / self.p[pool].sum()
        return np.sort(self.rng.choice(pool, size=size, replace=False, p=weights))

    def _candidate(self, add: np.ndarray, synthesize: bool) -> Step:
        cand = Step(
            candidate_id=self.next_id,
            round=self.round,
            state_version=self.state.version,
            add_majority=add.astype(np.int64),
            seed=int(self.rng.integers(2**31 - 1)),
            synthesize=synthesize,
            warm_start=self.settings.warm_start and self.state.evaluated,
        )
        self.next_id += 1
        return cand

    # -- tell --------------------------------------------------------------------------------
    def observe(self, results: list[StepResult]) -> bool:
        """Close the round with the results of every pending candidate; True if a step was accepted."""
        by_id = {r.candidate_id: r for r in results}
        if set(by_id) != set(self.pending):
            raise ValueError(
                f"results for candidates {sorted(by_id)} do not match the open round {sorted(self.pending)}"
            )
        candidates = [self.pending[i] for i in sorted(self.pending)]
        self.pending = {}
        self.evaluations += len(candidates)
        self.round += 1
        if not self.state.evaluated:
            self._set_start(candidates[0], by_id[candidates[0].candidate_id])
            return False
        rule = ACCEPTANCE_RULES.get(self.settings.acceptance)
        improving = [by_id[c.candidate_id] for c in candidates if rule(by_id[c.candidate_id], self.state)]
        best = max(improving, key=candidate_order) if improving else None
        for cand in candidates:
            self._record(
                cand,
                by_id[cand.candidate_id],
                accepted=best is not None and cand.candidate_id == best.candidate_id,
            )
        if best is None:
            self._reject(candidates)
            return False
        self._accept(next(c for c in candidates if c.candidate_id == best.candidate_id), best)
        return True

    def _set_start(self, cand: Step, result: StepResult) -> None:
        """F1^(0), F1_m^(0) of S_0 (Alg. 1 line 1)."""
        self.state.val, self.state.val_loss, self.state.test = result.val, result.val_loss, result.test
        self.state.z_train, self.state.val_rows, self.state.weights = (
            result.z_train,
            result.val_rows,
            result.weights,
        )
        self._record(cand, result, accepted=True)

    def _accept(self, cand: Step, result: StepResult) -> None:
        """Alg. 1 lines 17-18: keep S_k, remove S_Mk from the pool, grow M_k (+1 in the paper)."""
        self.in_pool[cand.add_majority] = False
        self.p[cand.add_majority] = 0.0
        self.state = MoodsState(
            version=self.state.version + 1,
            majority_idx=np.sort(np.concatenate([self.state.majority_idx, cand.add_majority])),
            synthetic=np.concatenate(
                [self.state.synthetic, result.synthetic_new.reshape(-1, self.n_features)]
            ),
            val=result.val,
            val_loss=result.val_loss,
            test=result.test,
            z_train=result.z_train,
            val_rows=result.val_rows,
            weights=result.weights,
        )
        self.m_k = MAJORITY_GROWTH.get(self.settings.majority_growth)(self.m_k, True)
        self.accepted += 1
        self.rejected_streak = 0

    def _reject(self, candidates: list[Step]) -> None:
        """Alg. 1 lines 20-22: revert, update p by the rejection rule, shrink M_k (-1), k unchanged."""
        rule = REJECTION_RULES.get(self.settings.rejection)
        for cand in candidates:
            rule(self.p, cand)
        self.m_k = MAJORITY_GROWTH.get(self.settings.majority_growth)(self.m_k, False)
        self.rejected_streak += 1

    def _record(self, cand: Step, result: StepResult, accepted: bool) -> None:
        self.history.append(
            HistoryRow(
                round=self.round - 1,
                candidate_id=cand.candidate_id,
                state_version=cand.state_version,
                added_majority=len(cand.add_majority),
                added_synthetic=len(result.synthetic_new),
                val_f1=result.val.f1,
                val_f1_minority=result.val.f1_minority,
                val_loss=result.val_loss,
                test_f1=result.test.f1,
                accepted=accepted,
                seconds=result.seconds,
                device=result.device,
            )
        )


def assemble_training_set(
    X_train: np.ndarray, minority_idx: np.ndarray, state: MoodsState, add_majority: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """S = D_m^Tr ∪ S_M ∪ S_m^Sy (paper Sec. 2) as arrays, label 1 = minority."""
    majority = (
        state.majority_idx if add_majority is None else np.concatenate([state.majority_idx, add_majority])
    )
    X = np.concatenate([X_train[minority_idx], X_train[majority], state.synthetic])
    y = np.concatenate([np.ones(len(minority_idx)), np.zeros(len(majority)), np.ones(len(state.synthetic))])
    return X, y.astype(np.int64)


@dataclass
class MoodsOutcome:
    """The end of a run: the final accepted state and every evaluated candidate."""

    state: MoodsState
    history: list[HistoryRow] = field(default_factory=list)
    stop_reason: str = ""
    n_minority_real: int = 0

    def ratio_minority(self) -> float:
        n_min = self.n_minority_real + len(self.state.synthetic)
        return n_min / (n_min + len(self.state.majority_idx))


def outcome_of(core: MoodsCore) -> MoodsOutcome:
    core.finished  # sets stop_reason
    return MoodsOutcome(
        state=core.state,
        history=list(core.history),
        stop_reason=core.stop_reason,
        n_minority_real=len(core.minority_idx),
    )
