"""A MOODS run as a search of the engine: Alg. 1's rounds behind the ask/tell protocol (Ray-free).

``ask`` hands out the steps of the open round one at a time, answers ``None`` while the round's
results are outstanding (the batch barrier) and :data:`FINISHED` once the run stops; ``tell``
collects the results and, when the round is complete, lets :class:`MoodsCore` accept or reject.
A failed trial counts as a step that improves nothing (F1 = -1), except for the start S_0, whose
failure leaves nothing to search from and stops the run with an error.

Training-set states live in files under the run's ``work_dir`` (``state_<version>.npz``, written
here when a round is proposed; ``candidate_<id>.npz``, written by the trial), so trial configs stay
small; on a multi-node cluster ``work_dir`` must be shared storage, as Tune's storage path must.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from autogets_ray.engine.protocol import FINISHED, _Finished
from autogets_ray.moods.core import MoodsCore, MoodsState, Step, StepResult
from autogets_ray.moods.metrics import BinaryF1, RowLosses

#: The value a MOODS trial reports that Tune shows as its objective.
METRIC = "val_f1"
STATE_FILE = "search_state.json"


def state_file(work_dir: str | Path, version: int) -> Path:
    return Path(work_dir) / f"state_{version}.npz"


def candidate_file(work_dir: str | Path, candidate_id: int) -> Path:
    return Path(work_dir) / f"candidate_{candidate_id}.npz"


def weight_arrays(weights: list[np.ndarray] | None) -> dict[str, np.ndarray]:
    """A model's weights as ``npz`` entries ``weight_0``, ``weight_1``, ... (none when None)."""
    return {f"weight_{i}": w for i, w in enumerate(weights or [])}


def weights_from(data: Any) -> list[np.ndarray] | None:
    """The weights :func:`weight_arrays` stored in an ``npz`` file (None when it holds none)."""
    count = sum(key.startswith("weight_") for key in data.files)
    return [data[f"weight_{i}"] for i in range(count)] or None


def weights_file(work_dir: str | Path, version: int) -> Path:
    return Path(work_dir) / f"weights_{version}.npz"


def _write_once(path: Path, **arrays: np.ndarray) -> None:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, **arrays)
        tmp.replace(path)


def save_state(state: MoodsState, work_dir: str | Path) -> Path:
    """What a trial needs of the state it extends: its rows and, once fitted, its model's weights
    (a file of their own: the start S_0's rows are saved before its fit, its weights after)."""
    path = state_file(work_dir, state.version)
    _write_once(path, majority_idx=state.majority_idx, synthetic=state.synthetic, version=state.version)
    if state.weights is not None:
        _write_once(weights_file(work_dir, state.version), **weight_arrays(state.weights))
    return path


def load_state(path: str | Path, with_weights: bool = False) -> MoodsState:
    """A saved state; ``with_weights`` also reads its model's weights (for a warm start)."""
    path = Path(path)
    with np.load(path) as data:
        state = MoodsState(
            version=int(data["version"]), majority_idx=data["majority_idx"], synthetic=data["synthetic"]
        )
    if with_weights:
        with np.load(weights_file(path.parent, state.version)) as data:
            state.weights = weights_from(data)
    return state


def save_candidate(result: StepResult, work_dir: str | Path) -> Path:
    """A trial's arrays next to its report (written whole or not at all)."""
    out = candidate_file(work_dir, result.candidate_id)
    tmp = out.with_suffix(".tmp.npz")
    rows = result.val_rows
    np.savez(
        tmp,
        synthetic_new=result.synthetic_new,
        z_train=result.z_train,
        val_rows_minority=rows.minority if rows is not None else np.empty(0),
        val_rows_majority=rows.majority if rows is not None else np.empty(0),
        **weight_arrays(result.weights),
    )
    tmp.replace(out)
    return out


@dataclass(frozen=True)
class StepProposal:
    """A :class:`Step` as the engine sees it: a string id and a plain-valued trial config."""

    step: Step

    @property
    def candidate_id(self) -> str:
        return str(self.step.candidate_id)

    def to_config(self) -> dict[str, Any]:
        s = self.step
        return {
            "candidate_id": s.candidate_id,
            "round": s.round,
            "state_version": s.state_version,
            "add_majority": s.add_majority.tolist(),
            "seed": s.seed,
            "synthesize": s.synthesize,
            "warm_start": s.warm_start,
        }


def step_from_config(config: dict[str, Any]) -> Step:
    return Step(
        candidate_id=int(config["candidate_id"]),
        round=int(config["round"]),
        state_version=int(config["state_version"]),
        add_majority=np.asarray(config["add_majority"], dtype=np.int64),
        seed=int(config["seed"]),
        synthesize=bool(config["synthesize"]),
        warm_start=bool(config.get("warm_start", False)),
    )


def failed_result(candidate_id: int, n_features: int) -> StepResult:
    """A trial that errored counts as a step that improves nothing."""
    worst = BinaryF1(-1.0, -1.0, -1.0)
    return StepResult(candidate_id, worst, float("inf"), worst, np.empty((0, n_features)), np.empty(0))


def result_from_report(result: dict[str, Any]) -> StepResult:
    """A trial's report (and the arrays it saved next to it) as the core's :class:`StepResult`."""
    with np.load(result["candidate_file"]) as data:
        synthetic, z_train = data["synthetic_new"], data["z_train"]
        rows = None
        if "val_rows_minority" in data.files and len(data["val_rows_minority"]):
            rows = RowLosses(data["val_rows_minority"], data["val_rows_majority"])
        weights = weights_from(data)
    return StepResult(
        candidate_id=int(result["candidate_id"]),
        val=BinaryF1(result["val_f1"], result["val_f1_minority"], result["val_f1_majority"]),
        val_loss=float(result["val_loss"]),
        test=BinaryF1(result["test_f1"], result["test_f1_minority"], result["test_f1_majority"]),
        synthetic_new=synthetic,
        z_train=z_train,
        seconds=float(result.get("seconds", 0.0)),
        device=str(result.get("model_device", "cpu")),
        val_rows=rows,
        weights=weights,
    )


class MoodsSearch:
    """Ask/tell over one :class:`MoodsCore` whose states are kept under ``work_dir``."""

    def __init__(self, core: MoodsCore, work_dir: str | Path, run_id: str = "moods") -> None:
        self.core = core
        self.work_dir = str(work_dir)
        self.run_id = run_id
        self._queue: list[Step] = []
        self._results: dict[int, StepResult] = {}
        self._issued = 0
        self._done = False
        #: the results of the round the last ``tell`` closed (None when it closed none)
        self.closed_round: list[StepResult] | None = None

    @property
    def n_issued(self) -> int:
        return self._issued

    @property
    def finished(self) -> bool:
        return self._done

    @property
    def has_queued(self) -> bool:
        """A proposed round still has steps to hand out."""
        return bool(self._queue)

    def ask(self) -> StepProposal | None | _Finished:
        if self._done:
            return FINISHED
        if not self._queue:
            if self.core.pending:
                return None  # the round's results are outstanding
            batch = self.core.propose()
            if not batch:
                self._done = True
                return FINISHED
            save_state(self.core.state, self.work_dir)
            self._queue = list(batch)
        self._issued += 1
        return StepProposal(self._queue.pop(0))

    def tell(self, candidate_id: str, outcome: StepResult | None) -> None:
        step_id = int(candidate_id)
        if step_id not in self.core.pending:
            raise ValueError(f"MOODS run {self.run_id}: step {candidate_id} is not outstanding")
        if outcome is None:
            if not self.core.state.evaluated:
                raise RuntimeError(
                    f"MOODS run {self.run_id}: the trial that trains the start S_0 failed (its "
                    "error is in the experiment's trial directory), so there is nothing to "
                    "search from; fix that error and run again"
                )
            outcome = failed_result(step_id, self.core.n_features)
        self._results[step_id] = outcome
        self.closed_round = None
        if set(self._results) == set(self.core.pending):
            results = [self._results[i] for i in sorted(self._results)]
            self._results = {}
            self.core.observe(results)
            self.closed_round = results

    def state_summary(self) -> dict[str, Any]:
        core = self.core
        core.finished  # sets stop_reason
        return {
            "finish_reason": core.stop_reason,
            "evaluations": core.evaluations,
            "accepted": core.accepted,
            "rounds": core.round,
            "candidates_issued": self._issued,
        }

    def write_state(self, reason: str | None = None) -> None:
        path = Path(self.work_dir) / STATE_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        summary = self.state_summary()
        if reason:
            summary["finish_reason"] = reason
        path.write_text(json.dumps(summary, indent=2))


def needs_rounds_first(search: MoodsSearch) -> tuple[bool, int]:
    """MOODS priority: a run whose round still has steps waiting first (rounds stay compact), then
    the run with the fewest steps handed out (fair share)."""
    return (not search.has_queued, search.n_issued)
