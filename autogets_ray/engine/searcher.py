"""The one Ray Tune ``Searcher``: an :class:`Interleaver` of searches behind a :class:`TrialJournal`.

``suggest`` asks the interleaver for the next candidate. A candidate the journal already holds
is not handed to Tune: its recorded result is told to its search at once and the next one is
asked (that is all a resume is: the searches are rebuilt from their seeds and the journal is
replayed into them). A fresh candidate becomes the trial's config. ``on_trial_complete`` appends
the result to the journal (fsynced) before the search learns it. Use with ``num_samples=-1``: the
searches decide when to stop.

Failure policy (both commands): a failed trial is not retried; it is journaled as an error and
told to its search as ``None`` (each search says what a failure counts as). A trial that neither
reported nor failed (the run was stopped while it ran) is not journaled and runs again next time.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ray.tune.search import Searcher

from autogets_ray.engine.interleave import Interleaver, TaggedProposal
from autogets_ray.engine.journal import TrialJournal, fingerprint
from autogets_ray.engine.protocol import FINISHED, AskTell
from autogets_ray.errors import UserInputError


class SearchHooks:
    """What a command does when a search learns an outcome or finishes (progress, state files)."""

    def on_told(self, search_id: str, core: AskTell, result: dict[str, Any] | None, replayed: bool) -> None:
        """After ``core`` was told a result (``None``: the trial failed); ``replayed`` from the journal."""

    def on_finished(self, search_id: str, core: AskTell, reason: str | None) -> None:
        """Once per search, when it finished (``reason`` set when it was closed from outside)."""

    def on_warning(self, message: str) -> None:
        """A one-time warning about the trials (e.g. a GPU share that the model could not use)."""


class JournaledSearcher(Searcher):
    """Tune searcher over ``interleaver``; ``decode(result)`` turns a trial's report into an outcome.

    ``metric`` is the reported value Tune shows as the objective (the searches decide on their own).
    """

    def __init__(
        self,
        interleaver: Interleaver,
        journal: TrialJournal,
        decode: Callable[[dict[str, Any]], Any],
        metric: str,
        hooks: SearchHooks | None = None,
    ) -> None:
        super().__init__(metric=metric, mode="max")
        self.interleaver = interleaver
        self.journal = journal
        self.decode = decode
        self.hooks = hooks or SearchHooks()
        self.replayed = 0
        self._held: TaggedProposal | None = None  # a fresh candidate asked during replay()
        self._trials: dict[str, TaggedProposal] = {}
        self._asked_out: list[str] = []  # searches that said FINISHED, some of their trials still running
        self._warned_cpu = False
        for search_id in interleaver.cores:
            reason = journal.closed(search_id)
            if reason is not None:
                interleaver.close(search_id)
                self.hooks.on_finished(search_id, interleaver.cores[search_id], reason)
        interleaver.newly_finished()

    def set_search_properties(self, metric: str | None, mode: str | None, config: dict, **spec: Any) -> bool:
        return True  # the metric is ours; the param space holds no search domains

    # ------------------------------------------------------------------ asking
    def _next(self) -> TaggedProposal | None | object:
        """The next fresh candidate, replaying journaled ones on the way."""
        if self._held is not None:
            item, self._held = self._held, None
            return item
        while True:
            item = self.interleaver.ask()
            self._report_finished()
            if item is FINISHED or item is None:
                return item
            entry = self.journal.trial(item.search_id, item.own_id)
            if entry is None:
                return item
            config = item.proposal.to_config()
            if entry["fingerprint"] != fingerprint(config):
                raise UserInputError(
                    f"{self.journal.path}: candidate {item.candidate_id} was recorded with another "
                    f"configuration than this run proposes; it belongs to another experiment (use a new --out)"
                )
            self.replayed += 1
            self._tell(item, entry["result"], replayed=True)

    def replay(self) -> bool:
        """Replay the journal as far as it goes; True when every search is then finished."""
        item = self._next()
        if isinstance(item, TaggedProposal):
            self._held = item
        return item is FINISHED

    def suggest(self, trial_id: str) -> dict[str, Any] | str | None:
        item = self._next()
        if item is FINISHED:
            return Searcher.FINISHED
        if item is None:
            return None
        self._trials[trial_id] = item
        return item.to_config()

    # ------------------------------------------------------------------ telling
    def on_trial_complete(self, trial_id: str, result: dict | None = None, error: bool = False) -> None:
        item = self._trials.pop(trial_id, None)
        if item is None:
            return  # not one of ours
        if not error and (not result or self._metric not in result):
            return  # stopped while running: not finished, runs again on a rerun
        report = None if error else dict(result)
        self.journal.record_trial(
            item.search_id,
            item.own_id,
            item.proposal.to_config(),
            report,
            error=f"trial {trial_id} failed" if error else None,
        )
        self._tell(item, report, replayed=False)

    def _tell(self, item: TaggedProposal, result: dict[str, Any] | None, replayed: bool) -> None:
        outcome = None if result is None else self.decode(result)
        self.interleaver.tell(item.candidate_id, outcome)
        if result is not None and not replayed:
            self._check_device(result)
        self.hooks.on_told(item.search_id, self.interleaver.cores[item.search_id], result, replayed)
        self._report_finished()

    def _report_finished(self) -> None:
        """``on_finished`` once a search has said FINISHED and the last of its trials has reported."""
        self._asked_out += self.interleaver.newly_finished()
        running = {item.search_id for item in self._trials.values()}
        for search_id in [sid for sid in self._asked_out if sid not in running]:
            self._asked_out.remove(search_id)
            self.hooks.on_finished(search_id, self.interleaver.cores[search_id], None)

    def _check_device(self, result: dict[str, Any]) -> None:
        if (
            not self._warned_cpu
            and float(result.get("trial_gpu", 0.0) or 0.0) > 0
            and result.get("model_device") == "cpu"
        ):
            self._warned_cpu = True
            self.hooks.on_warning(
                "trials were granted a GPU share but their model trained on CPU "
                "(no CUDA device visible in the trial: a CPU-only build?)"
            )

    def close_open(self, reason: str) -> list[str]:
        """Close every unfinished search (journaled, so a rerun does not reopen it); their ids."""
        closed = self.interleaver.open_searches()
        for search_id in closed:
            self.journal.record_closed(search_id, reason)
            self.interleaver.close(search_id)
            self.hooks.on_finished(search_id, self.interleaver.cores[search_id], reason)
        self.interleaver.newly_finished()
        for search_id in self._asked_out:  # finished on their own; their last trials were cut
            self.hooks.on_finished(search_id, self.interleaver.cores[search_id], None)
        self._asked_out = []
        return closed

    # ------------------------------------------------------------------ Tune's checkpoints
    def save(self, checkpoint_path: str) -> None:
        """The state that matters is the journal; Tune's searcher checkpoint only points to it."""
        with open(checkpoint_path, "w") as handle:
            json.dump({"journal": str(self.journal.path)}, handle)

    def restore(self, checkpoint_path: str) -> None:
        raise RuntimeError(
            "this searcher is rebuilt from its seeds and replays its journal; "
            "it is never restored from a Tune checkpoint"
        )
