"""The Ray-free ask/tell interface every search strategy implements (paper §3.3; docs/design.md#code-shape).

A *core* proposes candidates (subsets of the target class's training examples) with :meth:`ask`
and learns their validation scores through :meth:`tell`. It is seeded, deterministic (same seed and
same outcomes give the same candidates), pickle-safe, and enforces the paper's fixed-time budget:
the sum of the retraining seconds of one search (docs/design.md#budget).
"""

from __future__ import annotations

import inspect
import math
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, NamedTuple

import numpy as np

from autogets_ray.engine.protocol import FINISHED, _Finished
from autogets_ray.errors import UserInputError
from autogets_ray.registry import Registry

#: How many consecutive proposal batches may consist of already-seen subsets only before a core
#: concludes its space is spent (guards the random baseline on tiny classes).
MAX_EMPTY_BATCHES = 1000


@dataclass(frozen=True)
class Candidate:
    """One subset to try: the training ``row_id`` s of the target-class examples handed to the LLM."""

    candidate_id: str
    example_ids: tuple[int, ...]
    info: dict[str, Any] = field(default_factory=dict, hash=False)

    @property
    def key(self) -> tuple[int, ...]:
        """The subset's identity (sorted row ids): equal keys mean the same synthetic data."""
        return tuple(sorted(self.example_ids))

    def to_config(self) -> dict[str, Any]:
        """A JSON-friendly dict (what a Ray Tune trial receives as its config)."""
        return {
            "candidate_id": self.candidate_id,
            "example_ids": [int(i) for i in self.example_ids],
            "info": dict(self.info),
        }


@dataclass(frozen=True)
class TrialOutcome:
    """What one retrain yields on **validation**: the objective (maximised) and all metrics."""

    objective: float
    retrain_seconds: float = 0.0
    metrics: dict[str, float] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        seconds = float(self.retrain_seconds)
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError(f"retrain_seconds must be a finite number >= 0, got {self.retrain_seconds!r}")

    @property
    def valid(self) -> bool:
        """False for NaN/inf objectives, which count as the worst possible result."""
        return math.isfinite(self.objective)

    def metric(self, name: str) -> float:
        """``metrics[name]`` or NaN when the trial did not report it."""
        value = self.metrics.get(name, math.nan)
        return float(value) if value is not None else math.nan


class TrajectoryPoint(NamedTuple):
    """One told trial: the best-so-far objective against cumulative retrain seconds."""

    candidate_id: str
    outcome: TrialOutcome | None
    spent_seconds: float
    best_objective: float


@dataclass
class SearchProblem:
    """Everything a core needs about one search (class x strategy x objective), built once."""

    #: the class whose training examples are searched
    target_class: str
    #: (n,) training ``row_id`` s of the target class's examples
    example_ids: np.ndarray
    #: (n, k) PCA coordinates of those examples (encoder fitted on the training split)
    coords: np.ndarray
    #: (N, k) PCA coordinates of every training example (the FullSize area)
    all_coords: np.ndarray
    #: training examples per class (lexicase case groups)
    class_sizes: dict[str, int]
    #: the paper's fixed-time budget: the sum of the retrain seconds of this search (may be inf)
    budget_seconds: float = 3600.0
    #: optional cap on the number of trials
    max_candidates: int | None = None
    #: this many errored trials in a row end the search (a broken trial should not spin forever)
    max_consecutive_errors: int = 20

    def __post_init__(self) -> None:
        self.example_ids = np.asarray(self.example_ids, dtype=np.int64).reshape(-1)
        self.coords = np.asarray(self.coords, dtype=float)
        self.all_coords = np.asarray(self.all_coords, dtype=float)
        n = len(self.example_ids)
        if n == 0:
            raise UserInputError(f"class {self.target_class!r} has no training examples to search over")
        if len(np.unique(self.example_ids)) != n:
            raise ValueError("example_ids must be unique row ids")
        if self.coords.ndim != 2 or self.coords.shape[0] != n or self.coords.shape[1] < 2:
            raise ValueError(f"coords must have shape (n_examples={n}, k>=2), got {self.coords.shape}")
        if self.all_coords.ndim != 2 or self.all_coords.shape[1] != self.coords.shape[1]:
            raise ValueError(
                f"all_coords must have shape (N, {self.coords.shape[1]}), got {self.all_coords.shape}"
            )
        self.class_sizes = {str(k): int(v) for k, v in self.class_sizes.items()}
        if self.target_class not in self.class_sizes:
            raise ValueError(
                f"class_sizes has no entry for the target class {self.target_class!r}: "
                f"{', '.join(self.class_sizes)}"
            )
        if not self.budget_seconds > 0:
            raise ValueError(f"budget_seconds must be > 0 (may be inf), got {self.budget_seconds}")
        if self.max_candidates is not None and self.max_candidates < 1:
            raise ValueError(f"max_candidates must be None or >= 1, got {self.max_candidates}")
        if self.max_consecutive_errors < 1:
            raise ValueError(f"max_consecutive_errors must be >= 1, got {self.max_consecutive_errors}")

    @classmethod
    def from_training(
        cls,
        row_ids: Sequence[int],
        labels: Sequence[str],
        coords: np.ndarray,
        target_class: str,
        **options: Any,
    ) -> SearchProblem:
        """Build from the whole training split: its row ids, labels and (N, k) PCA coordinates."""
        labels = np.asarray(labels, dtype=object).astype(str)
        coords = np.asarray(coords, dtype=float)
        if len(labels) != len(row_ids) or len(coords) != len(row_ids):
            raise ValueError(
                f"row_ids ({len(row_ids)}), labels ({len(labels)}) and coords ({len(coords)}) "
                "must describe the same training rows"
            )
        names, counts = np.unique(labels, return_counts=True)
        is_target = labels == str(target_class)
        return cls(
            target_class=str(target_class),
            example_ids=np.asarray(row_ids)[is_target],
            coords=coords[is_target],
            all_coords=coords,
            class_sizes=dict(zip(names.tolist(), counts.tolist())),
            **options,
        )

    @property
    def n_examples(self) -> int:
        return len(self.example_ids)

    def subset(self, indices: Sequence[int] | np.ndarray) -> tuple[int, ...]:
        """Row ids (sorted) of the examples at positions ``indices`` of :attr:`example_ids`."""
        return tuple(sorted(int(i) for i in self.example_ids[np.asarray(indices, dtype=np.int64)]))


class SearchCore(ABC):
    """Ask/tell base: bookkeeping, budget, de-duplication and the trajectory.

    Subclasses implement :meth:`_next_batch`. A batch is a list of candidates that can run
    concurrently; with ``needs_results`` the next batch is only built once every candidate of the
    previous one has been told (HSW levels, GA generations). Candidates whose subset was already
    proposed in this search are not issued again: strategies read their score with :meth:`score`.
    """

    strategy: ClassVar[str] = ""
    needs_results: ClassVar[bool] = True

    def __init__(self, problem: SearchProblem, seed: int = 0) -> None:
        if not isinstance(problem, SearchProblem):
            raise ValueError(f"problem must be a SearchProblem, got {type(problem).__name__}")
        self.problem = problem
        self.seed = int(seed)
        self.rng = np.random.default_rng(self.seed)
        self._queue: deque[Candidate] = deque()
        self._pending: dict[str, Candidate] = {}
        self._order: dict[str, int] = {}  # candidate id -> position in the proposal order
        self._seen: set[tuple[int, ...]] = set()
        self._ids: set[str] = set()
        self._outcomes: dict[tuple[int, ...], TrialOutcome | None] = {}
        self._history: list[TrajectoryPoint] = []
        self._best: tuple[Candidate, TrialOutcome] | None = None
        self._spent = 0.0
        self._n_issued = 0
        self._n_timed = 0
        self._consecutive_errors = 0
        self.finish_reason: str | None = None

    # ----------------------------------------------------------------- public API
    def ask(self) -> Candidate | None | _Finished:
        """The next candidate; ``None`` while waiting for results; :data:`FINISHED` when done.

        Strategies without a batch barrier (SW, random) answer until the budget is spent, so the
        driver caps how many trials run at once (e.g. Tune's ``max_concurrent_trials``).
        """
        if self.finish_reason is not None:
            return FINISHED
        reason = self._stop_reason()
        if reason is not None:
            return self._finish(reason)
        if not self._queue:
            if self._pending and self.needs_results:
                return None
            if not self._refill():
                return self._finish("space")
        if self._pending and self._projected_seconds() >= self.problem.budget_seconds:
            return None  # outstanding trials will probably spend the rest of the budget
        candidate = self._queue.popleft()
        self._pending[candidate.candidate_id] = candidate
        self._order[candidate.candidate_id] = self._n_issued
        self._n_issued += 1
        return candidate

    def tell(self, candidate_id: str, outcome: TrialOutcome | None) -> None:
        """Record a finished trial; ``None`` means it errored (the worst result, no retry)."""
        if outcome is not None and not isinstance(outcome, TrialOutcome):
            raise ValueError(f"outcome must be a TrialOutcome or None, got {type(outcome).__name__}")
        candidate = self._pending.pop(candidate_id, None)
        if candidate is None:
            raise ValueError(f"candidate {candidate_id!r} is not outstanding: tell each asked candidate once")
        self._outcomes[candidate.key] = outcome
        if outcome is None:
            self._consecutive_errors += 1
        else:
            self._consecutive_errors = 0
            self._spent += float(outcome.retrain_seconds)
            self._n_timed += 1
            if outcome.valid and (self._best is None or self._ranks_above(candidate, outcome, *self._best)):
                self._best = (candidate, outcome)
        best = self._best[1].objective if self._best is not None else math.nan
        self._history.append(TrajectoryPoint(candidate_id, outcome, self._spent, best))

    def _ranks_above(
        self, candidate: Candidate, outcome: TrialOutcome, best: Candidate, best_outcome: TrialOutcome
    ) -> bool:
        """Higher objective; on a tie, proposed earlier (the order results arrive never matters)."""
        if outcome.objective != best_outcome.objective:
            return outcome.objective > best_outcome.objective
        return self._order[candidate.candidate_id] < self._order[best.candidate_id]

    @property
    def best(self) -> tuple[Candidate, TrialOutcome] | None:
        """The told candidate with the highest finite objective (the earliest proposed wins ties)."""
        return self._best

    @property
    def spent_seconds(self) -> float:
        return self._spent

    @property
    def projected_seconds(self) -> float:
        """Spent retrain seconds plus the outstanding trials at this search's mean retrain time."""
        return self._projected_seconds()

    @property
    def history(self) -> list[TrajectoryPoint]:
        """The trajectory: one point per told trial, in the order they were told."""
        return list(self._history)

    @property
    def pending(self) -> tuple[str, ...]:
        return tuple(self._pending)

    @property
    def n_issued(self) -> int:
        return self._n_issued

    @property
    def finished(self) -> bool:
        return self.finish_reason is not None

    def outcome(self, key: tuple[int, ...]) -> TrialOutcome | None:
        """The told outcome of a subset (``None`` when it errored or was never evaluated)."""
        return self._outcomes.get(tuple(key))

    def score(self, key: tuple[int, ...]) -> float:
        """Objective of a subset for ranking: ``-inf`` for errored, NaN or unevaluated ones."""
        found = self._outcomes.get(tuple(key))
        return found.objective if found is not None and found.valid else -math.inf

    # ----------------------------------------------------------------- for subclasses
    @abstractmethod
    def _next_batch(self) -> list[Candidate] | None:
        """The next batch of proposals, or ``None`` when the strategy's space is spent."""

    # ----------------------------------------------------------------- internals
    def _stop_reason(self) -> str | None:
        p = self.problem
        if self._spent >= p.budget_seconds:
            return "budget"
        if p.max_candidates is not None and self._n_issued >= p.max_candidates:
            return "max_candidates"
        if self._consecutive_errors >= p.max_consecutive_errors:
            return "errors"
        return None

    def _finish(self, reason: str) -> _Finished:
        self.finish_reason = reason
        self._queue.clear()
        return FINISHED

    def _projected_seconds(self) -> float:
        """Spent seconds plus the outstanding trials at the mean retrain time seen so far."""
        if self._n_timed == 0:
            return self._spent
        return self._spent + len(self._pending) * self._spent / self._n_timed

    def _refill(self) -> bool:
        """Queue the strategy's next batch minus subsets already seen; False when none is left."""
        for _ in range(MAX_EMPTY_BATCHES):
            batch = self._next_batch()
            if batch is None:
                return False
            fresh = []
            for candidate in batch:
                if candidate.candidate_id in self._ids:
                    raise RuntimeError(f"{self.strategy}: candidate id {candidate.candidate_id!r} reused")
                self._ids.add(candidate.candidate_id)
                if candidate.key not in self._seen:
                    self._seen.add(candidate.key)
                    fresh.append(candidate)
            if fresh:
                self._queue.extend(fresh)
                return True
        return False


STRATEGIES: Registry[SearchCore] = Registry("search strategy")


def strategy_parameters(strategy: str) -> list[str]:
    """The keyword parameters the strategy's factory accepts (for validating configs early)."""
    factory = STRATEGIES.get(strategy)
    return [n for n in inspect.signature(factory).parameters if n not in ("problem", "seed")]


def create_core(strategy: str, problem: SearchProblem, seed: int = 0, **params: Any) -> SearchCore:
    """``STRATEGIES`` factory call that turns a misspelt parameter into a helpful ValueError."""
    accepted = strategy_parameters(strategy)
    unknown = sorted(set(params) - set(accepted))
    if unknown:
        raise UserInputError(
            f"unknown parameter(s) {', '.join(unknown)} for strategy {strategy!r}; "
            f"it accepts: {', '.join(accepted)}"
        )
    return STRATEGIES.create(strategy, problem, seed, **params)
