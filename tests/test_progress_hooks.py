"""The experiment's search hooks feed the trials' display: rows, verbose lines, the binding budget."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from types import SimpleNamespace

from autogets_ray.experiment.search_hooks import STATE_FILE, AutoGetsHooks
from autogets_ray.progress import Progress


@dataclass
class FakeCore:
    """What the hooks read of a search core."""

    budget_seconds: float = 3600.0
    max_candidates: int | None = 24
    history: list = field(default_factory=list)
    spent_seconds: float = 0.0
    best: tuple | None = None
    finish_reason: str = "max_candidates"

    @property
    def problem(self) -> SimpleNamespace:
        return SimpleNamespace(budget_seconds=self.budget_seconds, max_candidates=self.max_candidates)

    @property
    def n_issued(self) -> int:
        return len(self.history)

    def tell(self, value: float, seconds: float) -> dict:
        self.history.append(value)
        self.spent_seconds += seconds
        if self.best is None or value > self.best[1].objective:
            self.best = (
                SimpleNamespace(candidate_id=f"c{len(self.history)}"),
                SimpleNamespace(objective=value),
            )
        return {
            "objective": value,
            "candidate_id": f"c{len(self.history)}",
            "subset_size": 3,
            "n_synthetic": 15,
        }


def run(tmp_path, verbose: bool) -> list[str]:
    stream = io.StringIO()
    progress = Progress(stream=stream, live=False, verbose=verbose)
    cores = {"A-sw-cba": FakeCore(), "B-hsw-cba": FakeCore(budget_seconds=1.0, max_candidates=None)}
    with progress.trial_board() as board:
        hooks = AutoGetsHooks({"A-sw-cba": 0.5, "B-hsw-cba": 0.8}, tmp_path, progress, board)
        hooks.watch(cores)
        for _ in range(3):
            for search_id, core in cores.items():
                hooks.on_told(search_id, core, core.tell(0.6, 0.25), replayed=False)
        for search_id, core in cores.items():
            hooks.on_finished(search_id, core, None)
    return stream.getvalue().splitlines()


def test_without_verbose_only_the_finished_searches_are_said(tmp_path):
    lines = run(tmp_path, verbose=False)
    assert lines == [
        "[autogets] A-sw-cba: finished (max_candidates): trials 3/24, best 0.6000 vs M0 0.5000; 1/2 searches done",
        "[autogets] B-hsw-cba: finished (max_candidates): trials 3, retrain 0.8/1.0 s, best 0.6000 vs M0 0.8000; "
        "2/2 searches done",
    ]
    assert (tmp_path / "A-sw-cba" / STATE_FILE).exists()


def test_verbose_keeps_a_line_per_trial_with_the_budget_that_binds(tmp_path):
    lines = run(tmp_path, verbose=True)
    trial_lines = [line for line in lines if " #" in line]
    assert len(trial_lines) == 6
    assert trial_lines[0] == (
        "[autogets] A-sw-cba #1: c1 (3 examples, 15 synthetic) val 0.6000 | best 0.6000 vs M0 0.5000 | "
        "trials 1/24 | 1 trials in all"
    )
    assert trial_lines[-1].endswith("| trials 3, retrain 0.8/1.0 s | 6 trials in all")
    assert lines.index(trial_lines[-1]) < next(
        i for i, line in enumerate(lines) if "2/2 searches done" in line
    )


def test_replayed_trials_fill_the_rows_without_lines(tmp_path):
    stream = io.StringIO()
    progress = Progress(stream=stream, live=False, verbose=True)
    core = FakeCore()
    with progress.trial_board() as board:
        hooks = AutoGetsHooks({"A-sw-cba": 0.5}, tmp_path, progress, board)
        hooks.watch({"A-sw-cba": core})
        hooks.on_told("A-sw-cba", core, core.tell(0.7, 0.1), replayed=True)
        assert board.rows["A-sw-cba"].trials == 1 and board.rows["A-sw-cba"].best == 0.7
    assert stream.getvalue() == ""
