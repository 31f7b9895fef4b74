"""The trials' display on constructed events: a terminal (redrawn in place) and a file (periodic)."""

from __future__ import annotations

import io
import math
import re

from autogets_ray.progress import Progress
from autogets_ray.progress_display import SearchRow, TrialBoard

ESC = "\x1b"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def board(live: bool, verbose: bool = False, **kwargs) -> tuple[TrialBoard, io.StringIO, Clock]:
    stream, clock = io.StringIO(), Clock()
    display = TrialBoard(stream, live=live, verbose=verbose, clock=clock, width=120, height=40, **kwargs)
    display.add("A-sw-cba", 0.6667, budget_s=3600.0, max_candidates=24)
    display.add("B-ga-cba", 0.8034, budget_s=3600.0, max_candidates=24)
    return display, stream, clock


def screen(text: str) -> list[str]:
    """What a terminal shows after ``text``: the board writes whole lines and moves up with
    ``ESC[nF`` (to the start of the line n up) followed by ``ESC[J`` (clear below)."""
    lines: list[str] = []
    for i, chunk in enumerate(re.split(r"\x1b\[(\d+)F\x1b\[J", text)):
        if i % 2:
            del lines[len(lines) - int(chunk) :]
        else:
            assert ESC not in chunk
            lines += chunk.splitlines()
    return lines


def test_the_trial_cap_is_the_budget_shown_when_it_ends_the_search_first():
    row = SearchRow("s", 0.5, budget_s=3600.0, max_candidates=24, trials=5, spent_s=0.1)
    assert row.budget() == "trials 5/24"


def test_the_retrain_seconds_are_shown_when_they_run_out_first():
    row = SearchRow("s", 0.5, budget_s=60.0, max_candidates=24, trials=5, spent_s=40.0)
    assert row.budget() == "trials 5, retrain 40/60 s"
    assert SearchRow("s", 0.5, budget_s=60.0, trials=3, spent_s=12.0).budget() == "trials 3, retrain 12/60 s"
    assert SearchRow("s", 0.5, max_candidates=10, trials=3).budget() == "trials 3/10"


def test_a_file_gets_no_line_per_trial_but_a_summary_per_interval_and_a_line_per_finished_search():
    display, stream, clock = board(live=False, interval_s=15.0)
    for i in range(1, 25):
        clock.now = i * 1.0
        display.trial("A-sw-cba", trials=i, best=0.75, spent_s=0.1 * i, line=f"A #{i}")
    lines = stream.getvalue().splitlines()
    assert lines == ["[autogets] trials 15/48 done, 0/2 searches done, 1 above M0 so far (15 s)"]
    display.finished("A-sw-cba", reason="max_candidates", trials=24, best=0.75, spent_s=2.4)
    assert stream.getvalue().splitlines()[-1] == (
        "[autogets] A-sw-cba: finished (max_candidates): trials 24/24, best 0.7500 vs M0 0.6667; "
        "1/2 searches done"
    )
    assert ESC not in stream.getvalue()


def test_verbose_keeps_the_line_of_every_trial():
    display, stream, clock = board(live=False, verbose=True)
    display.trial("A-sw-cba", trials=1, best=0.7, spent_s=0.1, line="A-sw-cba #1: sw-p0.1-w0")
    display.trial("A-sw-cba", trials=2, best=0.7, spent_s=0.2, line="A-sw-cba #2: sw-p0.1-w1", replayed=True)
    assert stream.getvalue().splitlines() == ["[autogets] A-sw-cba #1: sw-p0.1-w0"]


def test_a_finished_search_is_said_after_its_last_trial():
    display, stream, clock = board(live=False, verbose=True)
    display.trial("B-ga-cba", trials=24, best=0.81, spent_s=1.0, line="B-ga-cba #24: last")
    display.finished("B-ga-cba", reason="max_candidates", trials=24, best=0.81, spent_s=1.0)
    lines = stream.getvalue().splitlines()
    assert lines[0].endswith("#24: last") and "B-ga-cba: finished" in lines[1]


def test_a_terminal_shows_one_block_redrawn_in_place():
    display, stream, clock = board(live=True)
    for i in range(1, 6):
        clock.now += 1.0
        display.trial("A-sw-cba", trials=i, best=0.75, spent_s=0.1 * i)
    clock.now += 1.0
    display.finished("B-ga-cba", reason="max_candidates", trials=24, best=0.8100, spent_s=3.0)
    display.close()
    shown = screen(stream.getvalue())
    assert len(shown) == 4 and shown[3] == ""  # the summary, a row per search, however many redraws
    assert shown[0] == "[autogets] trials 29/48 done, 1/2 searches done, 2 above M0 so far (6 s)"
    assert shown[1].split() == "A-sw-cba trials 5/24 best 0.7500 vs M0 0.6667 running".split()
    assert shown[2].split() == "B-ga-cba trials 24/24 best 0.8100 vs M0 0.8034 done (max_candidates)".split()
    assert stream.getvalue().count(f"{ESC}[3F") == 5  # each redraw moved up over the last block


def test_a_terminal_redraws_at_most_every_redraw_interval_but_always_for_a_finished_search():
    display, stream, clock = board(live=True, redraw_s=1.0)
    for i in range(1, 11):
        clock.now = 0.1 * i
        display.trial("A-sw-cba", trials=i, best=0.7, spent_s=0.1)
    assert stream.getvalue().count("[autogets] trials") == 1  # the first, then throttled
    display.finished("A-sw-cba", reason="space", trials=10, best=0.7, spent_s=0.1)
    assert stream.getvalue().count("[autogets] trials") == 2
    assert "done (space)" in screen(stream.getvalue())[1]


def test_lines_printed_meanwhile_go_above_the_block():
    stream, clock = io.StringIO(), Clock()
    progress = Progress(stream=stream, live=True, clock=clock)
    with progress.trial_board() as display:
        display.add("A-sw-cba", 0.5, max_candidates=3)
        display.trial("A-sw-cba", trials=1, best=0.6, spent_s=0.1)
        progress.info("warning: something")
        clock.now = 5.0
        display.trial("A-sw-cba", trials=2, best=0.6, spent_s=0.2)
    progress.info("after")
    shown = screen(stream.getvalue())
    assert shown[0] == "[autogets] warning: something"
    assert shown[1].startswith("[autogets] trials 2/3 done")
    assert "trials 2/3" in shown[2]
    assert shown[3:] == ["", "[autogets] after"]
    assert progress.board is None


def test_a_long_row_is_cut_to_the_terminal_width():
    stream = io.StringIO()
    display = TrialBoard(stream, live=True, clock=Clock(), width=40, height=40)
    display.add("Some-very-long-class-name-random-cba", 0.5, max_candidates=24)
    display.trial("Some-very-long-class-name-random-cba", trials=1, best=0.6, spent_s=0.1)
    assert all(len(line) < 40 for line in screen(stream.getvalue()))


def test_a_short_terminal_shows_the_open_searches_and_counts_the_rest():
    stream = io.StringIO()
    display = TrialBoard(stream, live=True, clock=Clock(), width=120, height=6, redraw_s=0.0)
    for i in range(8):
        display.add(f"S{i}", 0.5, max_candidates=2)
    for i in range(6):
        display.finished(f"S{i}", reason="max_candidates", trials=2, best=0.5, spent_s=0.1)
    shown = screen(stream.getvalue())
    assert len(shown) == 4  # summary, 2 rows, the rest counted
    assert shown[1].split()[0] == "S6" and shown[2].split()[0] == "S7"
    assert shown[3] == "  ... 6 more (6 of them done)"


def test_quiet_prints_nothing():
    stream = io.StringIO()
    progress = Progress(enabled=False, stream=stream, live=True)
    with progress.trial_board() as display:
        display.add("A", 0.5)
        display.trial("A", trials=1, best=math.nan, spent_s=0.1, line="A #1")
        display.finished("A", reason="budget", trials=1, best=math.nan, spent_s=0.1)
    assert stream.getvalue() == ""


def test_the_trial_total_counts_a_search_that_finished_early_by_its_own_trials():
    display, stream, clock = board(live=False)
    display.finished("A-sw-cba", reason="space", trials=9, best=0.7, spent_s=1.0)
    assert display.summary().startswith("trials 9/33 done, 1/2 searches done")


class Unpicklable(io.StringIO):
    def __reduce__(self):
        raise TypeError("cannot pickle this stream")


def test_a_progress_with_a_board_pickles_without_its_stream():
    """Tune pickles the searcher's hooks and its callbacks, which hold the progress and its board."""
    import pickle

    progress = Progress(stream=None, live=False)
    with progress.trial_board() as display:
        display.stream = Unpicklable()
        display.add("A", 0.5, max_candidates=2)
        copy = pickle.loads(pickle.dumps((progress, display)))
    assert copy[0].board is None and copy[1].stream is None and copy[1].rows["A"].max_candidates == 2
