"""What the report's figures show: Fig. 5's classes and tie sizes, one colour per strategy in every
figure, Table 2's columns. Figures are inspected through their matplotlib artists."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgb

from autogets_ray.experiment.evaluation import FoldMetrics, ScoredCandidate
from autogets_ray.experiment.pareto import pareto_tables, plot_pareto_fronts
from autogets_ray.experiment.results import plot_trajectories, trajectory
from autogets_ray.metrics import evaluate
from autogets_ray.reporting import figures
from autogets_ray.reporting.comparison_report import plot_split_intervals
from autogets_ray.reporting.ensemble_plot import fig7_ensemble
from autogets_ray.reporting.inputs import ResultsDir
from autogets_ray.reporting.paper_tables import M0_CBA, M0_OBJECTIVE, table2_improvements
from autogets_ray.reporting.plotting import (
    BASELINE_STYLES,
    STRATEGY_ORDER,
    STRATEGY_PALETTE,
    pyplot,
    strategy_color,
    strategy_colors,
    strategy_order,
)
from autogets_ray.reporting.report import Context, fig5, table2
from autogets_ray.reporting.trajectories import fig_trajectories
from autogets_ray.search.core import STRATEGIES
from tests.reporting.results_fixture import write_ensembles, write_search_dir

#: Seven classes by training size, as in the demo tickets (the quickstart searches the two smallest).
SEVEN = {
    "Hardware": (90, 20, 25),
    "Access": (70, 18, 20),
    "Network": (50, 12, 15),
    "Email": (40, 10, 12),
    "Printing": (30, 8, 10),
    "Purchase": (20, 6, 8),
    "Security": (10, 4, 5),
}


@pytest.fixture(scope="module")
def seven(tmp_path_factory) -> ResultsDir:
    """Seven classes, each searched (what Fig. 5 picks from is a parameter of pick_size_classes)."""
    path = write_search_dir(tmp_path_factory.mktemp("seven") / "run", sizes=SEVEN, objectives=["cba"])
    return ResultsDir.open(path)


@pytest.fixture
def capture(monkeypatch) -> Iterator[Callable[..., Any]]:
    """Run a figure function and return its matplotlib Figure (save_figure closes it otherwise)."""
    plt = pyplot()
    plt.close("all")
    monkeypatch.setattr(plt, "close", lambda *args, **kwargs: None)

    def run(function: Callable[..., Path], *args: Any, **kwargs: Any) -> Any:
        before = set(plt.get_fignums())
        path = function(*args, **kwargs)
        assert Path(path).read_bytes()[:4] == b"\x89PNG"
        (new,) = set(plt.get_fignums()) - before
        return plt.figure(new)

    yield run
    monkeypatch.undo()
    plt.close("all")


# --- Fig. 5: which classes, labelled how ---------------------------------------------------------


@pytest.mark.parametrize(
    ("searched", "expected"),
    [
        (["Network"], [("Network", "the only", 50, 3)]),
        (["Security", "Purchase"], [("Purchase", "the larger", 20, 6), ("Security", "the smaller", 10, 7)]),
        (
            ["Printing", "Access", "Email"],
            [
                ("Access", "the largest", 70, 2),
                ("Email", "a mid-sized", 40, 4),
                ("Printing", "the smallest", 30, 5),
            ],
        ),
        (
            list(SEVEN),
            [
                ("Hardware", "the largest", 90, 1),
                ("Email", "a mid-sized", 40, 4),
                ("Security", "the smallest", 10, 7),
            ],
        ),
    ],
)
def test_fig5_picks_searched_classes_by_training_count(seven, searched, expected):
    picks = figures.pick_size_classes(seven, searched)
    assert [(p.name, p.role, p.train, p.rank) for p in picks] == expected
    assert all(p.searched == len(searched) and p.classes == 7 for p in picks)


def test_fig5_labels_and_caption_say_what_is_drawn(seven):
    (only,) = figures.pick_size_classes(seven, ["Network"])
    assert only.label == "the only searched class: 50 training examples, 3rd largest of 7"
    two = figures.pick_size_classes(seven, ["Security", "Purchase"])
    assert two[0].label == "the larger of 2 searched classes: 20 training examples, 6th largest of 7"
    assert "large," not in two[0].label and "small," not in two[1].label
    assert figures.fig5_caption([only]).startswith(
        "Validation CR vs CBA of every trial targeting the only searched class (Network)"
    )
    caption = figures.fig5_caption(two)
    assert "the larger (Purchase) and the smaller (Security) of the 2 searched classes" in caption
    assert "mid-sized" not in caption
    three = figures.fig5_caption(figures.pick_size_classes(seven, list(SEVEN)))
    assert (
        "the largest (Hardware), a mid-sized (Email) and the smallest (Security) of the 7 searched" in three
    )


@pytest.mark.parametrize("targets", [["Network"], ["Security", "Purchase"], list(SEVEN)])
def test_fig5_draws_one_panel_per_pick_and_the_report_caption_matches(tmp_path, capture, targets):
    results = ResultsDir.open(
        write_search_dir(tmp_path / "run", sizes=SEVEN, targets=targets, objectives=["cba"])
    )
    fig = capture(figures.fig5_pareto, results, tmp_path / "fig5.png")
    panels = [ax for ax in fig.axes if ax.get_visible()]
    picks = figures.fig5_classes(results)
    assert len(panels) == len(picks) == min(3, len(targets))
    for ax, pick in zip(panels, picks):
        assert ax.get_title().startswith(f"class {pick.name} (") and pick.label in ax.get_title()
    ctx = Context(results, tmp_path / "figures", tmp_path)
    (block,) = fig5(ctx)
    assert block.caption == figures.fig5_caption(picks)


# --- Fig. 5: ties become pies sized by their count -----------------------------------------------


def _tied_trials() -> pd.DataFrame:
    """Class T: 5 SW and 3 GA trials at (0.5, 0.6), 1 SW trial at (0.4, 0.7); objective CBA."""
    rows = [("sw", 0.5, 0.6)] * 5 + [("ga", 0.5, 0.6)] * 3 + [("sw", 0.4, 0.7)]
    return pd.DataFrame(
        {
            "strategy": [r[0] for r in rows],
            "objective": "cba",
            "target_class": "T",
            "val_cr[T]": [r[1] for r in rows],
            "val_cba[T]": [r[2] for r in rows],
        }
    )


def test_tied_points_count_identical_metric_pairs():
    points = figures.fig5_points(_tied_trials(), "T")
    got = {(s, x, y): (c, t) for s, x, y, c, t in points[["strategy", "x", "y", "count", "total"]].values}
    assert got == {("ga", 0.5, 0.6): (3, 8), ("sw", 0.5, 0.6): (5, 8), ("sw", 0.4, 0.7): (1, 1)}


def test_count_areas_grow_linearly_from_one_trial_to_the_most():
    np.testing.assert_allclose(figures.count_area([1, 8], most=8), [figures.AREA_ONE, figures.AREA_MAX])
    middle = figures.count_area([4.5], most=8)[0]
    assert middle == pytest.approx((figures.AREA_ONE + figures.AREA_MAX) / 2)
    assert figures.count_area([1], most=1)[0] == figures.AREA_ONE
    assert figures.size_legend_counts(93) == [1, 20, 50, 93] and figures.size_legend_counts(1) == [1]


def test_fig5_markers_are_sized_by_count_and_shared_points_are_pies_by_strategy():
    from matplotlib.collections import PathCollection
    from matplotlib.patches import Wedge

    plt = pyplot()
    fig, ax = plt.subplots()
    points = figures.fig5_points(_tied_trials(), "T")
    figures._draw_fig5_panel(ax, points, most=8, mark_objectives=False)
    wedges = [p for p in ax.patches if isinstance(p, Wedge)]
    radius = float(np.sqrt(figures.count_area([8], 8)[0])) / 2 / 72  # the 8-trial pie, in inches
    assert [round(w.r, 9) for w in wedges] == [round(radius, 9)] * 2
    shares = {w.get_gid(): (w.theta2 - w.theta1) / 360 for w in wedges}
    assert shares == pytest.approx({"strategy=sw": 5 / 8, "strategy=ga": 3 / 8})
    for wedge in wedges:
        assert to_rgb(wedge.get_facecolor()) == to_rgb(strategy_color(wedge.get_gid().split("=")[1]))
    (single,) = [c for c in ax.collections if isinstance(c, PathCollection)]  # 1 SW trial alone
    assert single.get_gid() == "strategy=sw"
    np.testing.assert_allclose(single.get_sizes(), figures.count_area([1], 8))
    x0, x1 = ax.get_xlim()
    assert x0 <= 0.4 and x1 >= 0.5  # the markers' points count for the axis range
    plt.close(fig)


# --- one colour per strategy ---------------------------------------------------------------------


def test_strategy_colours_follow_a_fixed_order_and_are_stable():
    assert [strategy_color(s) for s in STRATEGY_ORDER] == list(STRATEGY_PALETTE[: len(STRATEGY_ORDER)])
    assert strategy_color("ga") == "tab:green" and strategy_color("sw") == "tab:blue"
    assert set(STRATEGIES.names()) <= set(STRATEGY_ORDER)  # a new strategy gets a colour on purpose
    assert list(strategy_colors(["random", "ga", "zzz", "sw"])) == ["sw", "ga", "random", "zzz"]
    unknown = strategy_color("not-a-strategy")
    assert (
        unknown == strategy_color("not-a-strategy") and unknown in STRATEGY_PALETTE[len(strategy_order()) :]
    )
    baseline_colors = {style["color"] for style in BASELINE_STYLES.values()}
    assert not baseline_colors & set(STRATEGY_PALETTE)


def test_a_registered_plugin_strategy_takes_the_next_free_colour():
    name = "zz-plugin"
    STRATEGIES.register(name)(lambda *args, **kwargs: None)
    try:
        assert strategy_order()[len(STRATEGY_ORDER)] == name
        assert strategy_color(name) == STRATEGY_PALETTE[len(STRATEGY_ORDER)]
    finally:
        STRATEGIES.unregister(name)


def _strategy_artists(fig: Any) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for ax in fig.axes:
        for artist in ax.get_children():
            gid = artist.get_gid()
            if isinstance(gid, str) and gid.startswith("strategy="):
                found.setdefault(gid.split("=", 1)[1], []).append(artist)
    return found


def _colours(artist: Any) -> set[tuple[float, ...]]:
    colours = set()
    for getter in ("get_color", "get_facecolor", "get_edgecolor"):
        if hasattr(artist, getter):
            values = np.atleast_2d(np.asarray(to_rgba_array(getattr(artist, getter)())))
            colours |= {tuple(np.round(v[:3], 4)) for v in values if v[3] > 0}
    return colours


def to_rgba_array(value: Any) -> np.ndarray:
    from matplotlib.colors import to_rgba_array as convert

    return convert(value)


def _assert_strategy_colours(fig: Any, strategies: set[str]) -> None:
    found = _strategy_artists(fig)
    assert set(found) == strategies, f"strategy artists {sorted(found)} != {sorted(strategies)}"
    for strategy, artists in found.items():
        expected = tuple(np.round(to_rgb(strategy_color(strategy)), 4))
        for artist in artists:
            assert expected in _colours(artist), (strategy, artist)


@pytest.fixture(scope="module")
def four_strategies(tmp_path_factory) -> ResultsDir:
    path = write_search_dir(
        tmp_path_factory.mktemp("four") / "run", strategies=["random", "ga", "hsw", "sw"], objectives=["cba"]
    )
    return ResultsDir.open(path)


def test_every_figure_draws_a_strategy_in_its_one_colour(four_strategies, capture, tmp_path):
    results = four_strategies
    everyone = {"sw", "hsw", "ga", "random"}
    _assert_strategy_colours(capture(figures.fig5_pareto, results, tmp_path / "f5.png"), everyone)
    _assert_strategy_colours(capture(fig_trajectories, results, "cba", tmp_path / "f28.png"), everyone)
    # trajectories.png, written by the search itself
    traj = trajectory(results.trials)
    _assert_strategy_colours(capture(plot_trajectories, traj, tmp_path / "trajectories.png"), everyone)


def test_pareto_ensemble_and_split_figures_use_the_same_colours(capture, tmp_path):
    trials = pd.DataFrame(
        {
            "search_id": "b-hsw-pareto",
            "strategy": "hsw",
            "target_class": "b",
            "objective": "cr",
            "candidate_id": ["c0", "c1", "c2"],
            "example_ids": ["[0]", "[1]", "[2]"],
            "proposal_index": [0, 1, 2],
            "subset_size": 2,
            **{f"{p}_cr[b]": [0.5, 0.6, 0.4] for p in ("val", "test")},
            **{f"{p}_oba": [0.8, 0.7, 0.6] for p in ("val", "test")},
        }
    )
    evaluation = evaluate([0, 0, 1, 1], [0, 0, 1, 0], ["a", "b"])
    m0 = ScoredCandidate(FoldMetrics.of(evaluation), evaluation, 0.0, 1, 0)
    front, per_search = pareto_tables(trials, ["cr", "oba"], m0)
    _assert_strategy_colours(
        capture(plot_pareto_fronts, trials, front, per_search, tmp_path / "p.png"), {"hsw"}
    )

    write_ensembles(tmp_path)  # methods single:sw-cba and single:ga-oba
    steps = pd.read_csv(tmp_path / "ensemble" / "r1" / "steps.csv")
    _assert_strategy_colours(capture(fig7_ensemble, "r1", steps, tmp_path / "e.png"), {"sw", "ga"})

    table = pd.DataFrame(
        {
            "target_class": "b",
            "objective": "cba",
            "method": ["sw", "sw+decision", "random", "all-examples", "class-weight"],
            "kind": ["search", "decision", "search", "baseline", "baseline"],
            **{f"delta_cba_test_{k}": [0.01, 0.0, -0.01, 0.02, 0.005] for k in ("mean", "low", "high")},
        }
    )
    table.to_csv(tmp_path / "split_summary.csv", index=False)
    fig = capture(plot_split_intervals, tmp_path / "split_summary.csv", tmp_path / "s.png")
    _assert_strategy_colours(fig, {"sw", "random"})
    baseline_colours = {c for ax in fig.axes for a in ax.collections for c in _colours(a)}
    for name in ("all-examples", "class-weight"):
        assert tuple(np.round(to_rgb(BASELINE_STYLES[name]["color"]), 4)) in baseline_colours


# --- Table 2: "M0 objective" only when it is not CBA ---------------------------------------------


def test_table2_drops_the_m0_objective_column_when_every_objective_is_cba(tmp_path):
    only_cba = ResultsDir.open(write_search_dir(tmp_path / "cba", objectives=["cba"]))
    table = table2_improvements(only_cba)
    assert M0_CBA in table.columns and M0_OBJECTIVE not in table.columns
    (block,) = table2(Context(only_cba, tmp_path / "f", tmp_path))
    assert "M0's CBA on validation (the objective of every search)" in block.caption

    mixed = ResultsDir.open(write_search_dir(tmp_path / "mixed", objectives=["cba", "oba"]))
    table = table2_improvements(mixed)
    assert {M0_CBA, M0_OBJECTIVE} <= set(table.columns)
    oba = table[table["objective"] == "oba"]
    assert (oba[M0_OBJECTIVE] == mixed.m0["val"]["oba"]).all()  # differs from M0's CBA: kept
    (block,) = table2(Context(mixed, tmp_path / "f", tmp_path))
    assert "M0's value of the objective and its CBA" in block.caption
