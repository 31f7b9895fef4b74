"""Ray Tune ``Searcher`` over the MOODS core: one trial per candidate step (paper Alg. 1).

An ask/tell adapter keyed by ``trial_id``: a round's K candidates are queued and handed out one
``suggest`` at a time, ``None`` is returned while the round's trials run, and ``FINISHED`` once the
core stops. Training-set states live in files under ``work_dir`` (``state_<version>.npz``, written
here; ``candidate_<id>.npz``, written by the trial) so configs stay small; on a multi-node cluster
``work_dir`` must be on shared storage, as Tune's ``storage_path`` must.
"""
from __future__ import annotations

import logging
import pickle
from pathlib import Path
from typing import Any

import numpy as np
from ray.tune.search import Searcher

from autogets_ray.moods.core import Candidate, CandidateResult, MoodsCore, MoodsState, outcome_of
from autogets_ray.moods.metrics import BinaryF1
from autogets_ray.progress import Progress

logger = logging.getLogger(__name__)

METRIC = "val_f1"
OUTCOME_FILE = "outcome.pkl"


def state_file(work_dir: str | Path, version: int) -> Path:
    return Path(work_dir) / f"state_{version}.npz"


def candidate_file(work_dir: str | Path, candidate_id: int) -> Path:
    return Path(work_dir) / f"candidate_{candidate_id}.npz"


def save_state(state: MoodsState, work_dir: str | Path) -> Path:
    path = state_file(work_dir, state.version)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, majority_idx=state.majority_idx, synthetic=state.synthetic, version=state.version)
        tmp.replace(path)
    return path


def load_state(path: str | Path) -> MoodsState:
    with np.load(path) as data:
        return MoodsState(version=int(data["version"]), majority_idx=data["majority_idx"],
                          synthetic=data["synthetic"])


def config_of(candidate: Candidate, work_dir: str | Path) -> dict[str, Any]:
    """A trial's config: plain values only (Tune logs and checkpoints it)."""
    return {"candidate_id": candidate.candidate_id, "round": candidate.round,
            "state_version": candidate.state_version, "add_majority": candidate.add_majority.tolist(),
            "seed": candidate.seed, "synthesize": candidate.synthesize, "work_dir": str(work_dir)}


def candidate_from_config(config: dict[str, Any]) -> Candidate:
    return Candidate(candidate_id=int(config["candidate_id"]), round=int(config["round"]),
                     state_version=int(config["state_version"]),
                     add_majority=np.asarray(config["add_majority"], dtype=np.int64),
                     seed=int(config["seed"]), synthesize=bool(config["synthesize"]))


def failed_result(candidate_id: int, n_features: int) -> CandidateResult:
    """A trial that errored counts as a candidate that improves nothing."""
    worst = BinaryF1(-1.0, -1.0, -1.0)
    return CandidateResult(candidate_id, worst, float("inf"), worst, np.empty((0, n_features)), np.empty(0))


def result_from_report(result: dict[str, Any]) -> CandidateResult:
    with np.load(result["candidate_file"]) as data:
        synthetic, z_train = data["synthetic_new"], data["z_train"]
    return CandidateResult(
        candidate_id=int(result["candidate_id"]),
        val=BinaryF1(result["val_f1"], result["val_f1_minority"], result["val_f1_majority"]),
        val_loss=float(result["val_loss"]),
        test=BinaryF1(result["test_f1"], result["test_f1_minority"], result["test_f1_majority"]),
        synthetic_new=synthetic, z_train=z_train, seconds=float(result.get("seconds", 0.0)),
    )


class MoodsSearcher(Searcher):
    """Proposes MOODS steps from the current accepted state; K per round (``steps_per_round``)."""

    def __init__(self, core: MoodsCore, work_dir: str | Path, progress: Progress | None = None) -> None:
        super().__init__(metric=METRIC, mode="max")
        self.core = core
        self.work_dir = str(work_dir)
        self.progress = progress or Progress(enabled=False)
        self._queue: list[Candidate] = []
        self._trial_to_candidate: dict[str, int] = {}
        self._results: dict[int, CandidateResult] = {}

    def set_search_properties(self, metric: str | None, mode: str | None, config: dict, **spec: Any) -> bool:
        return True  # metric and mode are fixed; param_space holds no search domains

    def suggest(self, trial_id: str) -> dict[str, Any] | str | None:
        if not self._queue and not self.core.pending:
            batch = self.core.propose()
            if not batch:
                self._write_outcome()
                return Searcher.FINISHED
            save_state(self.core.state, self.work_dir)
            self._queue = list(batch)
        if not self._queue:
            return None  # the round's trials are still running
        candidate = self._queue.pop(0)
        self._trial_to_candidate[trial_id] = candidate.candidate_id
        return config_of(candidate, self.work_dir)

    def on_trial_complete(self, trial_id: str, result: dict[str, Any] | None = None, error: bool = False) -> None:
        candidate_id = self._trial_to_candidate.pop(trial_id, None)
        if candidate_id is None:
            return
        if error or not result or "candidate_file" not in result:
            logger.warning("MOODS trial %s (candidate %s) failed; counted as rejected", trial_id, candidate_id)
            self._results[candidate_id] = failed_result(candidate_id, self.core.n_features)
        else:
            self._results[candidate_id] = result_from_report(result)
        if set(self._results) == set(self.core.pending):
            results = list(self._results.values())
            self._results = {}
            self.core.observe(results)
            self._report_round(results)

    def _report_round(self, results: list[CandidateResult]) -> None:
        core = self.core
        best = max(results, key=lambda r: (r.val.f1, r.val.f1_minority))
        verdict = "accepted" if any(h.accepted for h in core.history[-len(results):]) else "rejected"
        verdict = "start S_0" if core.round == 1 else verdict
        s = core.settings
        self.progress.info(
            f"round {core.round - 1}: {len(results)} step(s), best val F1 {best.val.f1:.3f} / minority "
            f"{best.val.f1_minority:.3f} -> {verdict}; state F1 {core.state.val.f1:.3f} / "
            f"{core.state.val.f1_minority:.3f}, |S| = {len(core.minority_idx) + len(core.state.majority_idx) + len(core.state.synthetic)}, "
            f"accepted {core.accepted}/{s.max_accepted}, evaluations {core.evaluations}/{s.max_candidates}")

    def _write_outcome(self) -> None:
        path = Path(self.work_dir) / OUTCOME_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as handle:
            pickle.dump(outcome_of(self.core), handle)

    def save(self, checkpoint_path: str) -> None:
        with open(checkpoint_path, "wb") as handle:
            pickle.dump(self.__dict__, handle)

    def restore(self, checkpoint_path: str) -> None:
        with open(checkpoint_path, "rb") as handle:
            self.__dict__.update(pickle.load(handle))


def load_outcome(work_dir: str | Path):
    path = Path(work_dir) / OUTCOME_FILE
    if not path.exists():
        raise ValueError(f"{path} does not exist: the MOODS search in {work_dir} has not finished")
    with open(path, "rb") as handle:
        return pickle.load(handle)
