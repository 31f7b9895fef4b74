"""Ray Tune ``Searcher`` over MOODS cores: one trial per candidate step (paper Alg. 1).

An ask/tell adapter keyed by ``trial_id``: each run's round of K candidates is queued and handed
out one ``suggest`` at a time, ``None`` is returned while every run waits for its round, and
``FINISHED`` once every core has stopped. Several runs (the seeded runs of MOODS and MUBO of an
experiment) share one Tuner. Training-set states live in files under each run's ``work_dir``
(``state_<version>.npz``, written here; ``candidate_<id>.npz``, written by the trial) so configs
stay small; on a multi-node cluster the storage path must be shared storage, as Tune's must.
"""
from __future__ import annotations

import logging
import pickle
from collections.abc import Mapping
from dataclasses import dataclass, field
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
        device=str(result.get("model_device", "cpu")),
    )


@dataclass
class RunSlot:
    """The Tune-side bookkeeping of one MOODS (or MUBO) run: its core and its open round."""

    core: MoodsCore
    work_dir: str
    tags: dict[str, Any]
    queue: list[Candidate] = field(default_factory=list)
    results: dict[int, CandidateResult] = field(default_factory=dict)
    handed_out: int = 0
    done: bool = False


class MoodsSearcher(Searcher):
    """Proposes MOODS steps for one or several runs (run id -> core) on one Tuner.

    Each run proposes its rounds from its own accepted state, exactly as it would alone (K steps per
    round, Alg. 1). Free trial slots go first to a run whose proposed round still has steps waiting
    (rounds stay compact), then to the run with the fewest steps handed out (fair share): while one
    run waits for the last step of its round, the others fill the cluster. ``tags`` (run id ->
    fields) go into every trial config, so the trial knows its split and model seed.
    """

    def __init__(self, cores: Mapping[str, MoodsCore], work_root: str | Path,
                 tags: Mapping[str, dict[str, Any]] | None = None, progress: Progress | None = None) -> None:
        super().__init__(metric=METRIC, mode="max")
        if not cores:
            raise ValueError("a MOODS searcher needs at least one run")
        self.runs = {rid: RunSlot(core, str(Path(work_root) / rid), {"run_id": rid, **(tags or {}).get(rid, {})})
                     for rid, core in cores.items()}
        self.progress = progress or Progress(enabled=False)
        self._trial_to_candidate: dict[str, tuple[str, int]] = {}
        self._warned_cpu = False

    def set_search_properties(self, metric: str | None, mode: str | None, config: dict, **spec: Any) -> bool:
        return True  # metric and mode are fixed; param_space holds no search domains

    def suggest(self, trial_id: str) -> dict[str, Any] | str | None:
        order = list(self.runs)
        for rid in sorted(order, key=lambda r: (not self.runs[r].queue, self.runs[r].handed_out, order.index(r))):
            slot = self.runs[rid]
            if slot.done:
                continue
            if not slot.queue and not slot.core.pending:
                batch = slot.core.propose()
                if not batch:
                    self._finish(slot)
                    continue
                save_state(slot.core.state, slot.work_dir)
                slot.queue = list(batch)
            if slot.queue:
                candidate = slot.queue.pop(0)
                slot.handed_out += 1
                self._trial_to_candidate[trial_id] = (rid, candidate.candidate_id)
                return {**config_of(candidate, slot.work_dir), **slot.tags}
        return Searcher.FINISHED if all(slot.done for slot in self.runs.values()) else None

    def on_trial_complete(self, trial_id: str, result: dict[str, Any] | None = None, error: bool = False) -> None:
        rid, candidate_id = self._trial_to_candidate.pop(trial_id, (None, None))
        if rid is None:
            return
        slot = self.runs[rid]
        if error or not result or "candidate_file" not in result:
            if not slot.core.state.evaluated:
                raise RuntimeError(f"MOODS run {rid}: the trial that trains the start S_0 failed (trial "
                                   f"{trial_id}; its error is in the experiment's trial directory), so there is "
                                   "nothing to search from; fix that error and run again")
            logger.warning("MOODS trial %s (%s candidate %s) failed; counted as rejected", trial_id, rid, candidate_id)
            slot.results[candidate_id] = failed_result(candidate_id, slot.core.n_features)
        else:
            slot.results[candidate_id] = result_from_report(result)
            if result.get("trial_gpu", 0.0) > 0 and result.get("model_device") == "cpu" and not self._warned_cpu:
                self._warned_cpu = True
                self.progress.info("warning: trials were granted a GPU share but torch sees no GPU in "
                                   "them; the MLP trains on CPU (a CPU-only torch build?)")
        if set(slot.results) == set(slot.core.pending):
            results = list(slot.results.values())
            slot.results = {}
            slot.core.observe(results)
            self._report_round(rid, results)
            if slot.core.finished:  # written now, not when Tune next asks: a crash keeps it
                self._finish(slot)

    def _finish(self, slot: RunSlot) -> None:
        if slot.done:
            return
        slot.done = True
        path = Path(slot.work_dir) / OUTCOME_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as handle:
            pickle.dump(outcome_of(slot.core), handle)
        self.progress.info(f"{slot.tags['run_id']}: finished ({slot.core.stop_reason}) after "
                           f"{slot.core.evaluations} step(s), {slot.core.accepted} accepted")

    def _report_round(self, rid: str, results: list[CandidateResult]) -> None:
        core = self.runs[rid].core
        best = max(results, key=lambda r: (r.val.f1, r.val.f1_minority))
        verdict = "accepted" if any(h.accepted for h in core.history[-len(results):]) else "rejected"
        verdict = "start S_0" if core.round == 1 else verdict
        s = core.settings
        size = len(core.minority_idx) + len(core.state.majority_idx) + len(core.state.synthetic)
        self.progress.info(
            f"{rid} round {core.round - 1}: {len(results)} step(s), best val F1 {best.val.f1:.3f} / minority "
            f"{best.val.f1_minority:.3f} -> {verdict}; state F1 {core.state.val.f1:.3f} / "
            f"{core.state.val.f1_minority:.3f}, |S| = {size}, "
            f"accepted {core.accepted}/{s.max_accepted}, evaluations {core.evaluations}/{s.max_candidates}")

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
