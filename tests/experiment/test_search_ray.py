"""Real Ray Tune searches on demo-tickets (local Ray, ngram LLM backend, linear model)."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest
import ray

from autogets_ray.experiment.config import load_config
from autogets_ray.experiment.runner import run_experiment
from autogets_ray.progress import Progress
from autogets_ray.search import STRATEGIES, Candidate, SearchCore, SearchProblem, create_core
from tests.conftest import start_local_ray

TRIAL_COLUMNS = {
    "strategy",
    "target_class",
    "objective",
    "subset_size",
    "retrain_seconds",
    "val_cba",
    "val_oba",
    "test_cba",
    "test_oba",
}
SUMMARY_COLUMNS = {"strategy", "target_class", "objective", "m0_val", "best_val", "best_test_delta"}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", autouse=True)
def local_ray(tmp_path_factory):
    import os

    os.environ["AUTOGETS_CACHE_DIR"] = str(tmp_path_factory.mktemp("llm-cache"))
    # One logical GPU so fractional GPU requests can be scheduled on this CPU-only machine.
    start_local_ray(num_cpus=2, num_gpus=1)
    yield
    ray.shutdown()


def quick(*overrides: str):
    return load_config(overrides=["target_classes=[Security]", "max_candidates=6", *overrides])


def test_every_strategy_runs_and_writes_the_result_tables(tmp_path):
    result = run_experiment(
        quick("strategies=[sw, hsw, ga, random]"), tmp_path, progress=Progress(enabled=False)
    )
    trials = pd.read_parquet(tmp_path / "trials.parquet")
    assert trials.columns.size > 20
    # the acceptance interface: val_/test_ cba and oba exist as plain columns for the target class
    trials = trials.rename(columns={"val_cba[Security]": "val_cba", "test_cba[Security]": "test_cba"})
    assert TRIAL_COLUMNS <= set(trials.columns)
    assert set(trials["strategy"]) == {"sw", "hsw", "ga", "random"}
    assert trials.groupby("strategy").size().max() <= 6
    assert (trials["n_synthetic"] > 0).all() and (trials["llm_failures"] == 0).all()
    summary = pd.read_csv(tmp_path / "summary.csv")
    assert SUMMARY_COLUMNS <= set(summary.columns) and len(summary) == 4
    m0 = json.loads((tmp_path / "m0.json").read_text())
    assert summary["m0_val"].iloc[0] == pytest.approx(m0["val"]["cba[Security]"])
    assert (summary["best_val"] >= trials["val_cba"].min()).all()
    assert all(math.isfinite(v) for v in summary["best_test_delta"])
    for name in ("trajectory.parquet", "trajectories.png", "best_samples.parquet", "split.parquet"):
        assert (tmp_path / name).exists()
    samples = pd.read_parquet(tmp_path / "best_samples.parquet")
    assert set(samples["search_id"]) == set(summary["search_id"]) and samples["text"].str.len().min() > 0
    state = json.loads((tmp_path / "searches" / "Security-sw-cba" / "search_state.json").read_text())
    assert state["finish_reason"] == "max_candidates" and state["candidates_issued"] == 6
    assert result.summary.shape[0] == 4


def test_same_seed_proposes_the_same_candidates(tmp_path):
    """SW's proposals do not depend on results: the Tune run must evaluate exactly the core's."""
    run_experiment(quick("strategies=[sw]"), tmp_path, progress=Progress(enabled=False))
    trials = pd.read_parquet(tmp_path / "trials.parquet")
    ctx_train = pd.read_parquet(tmp_path / "split.parquet").query("part == 'train'")
    from autogets_ray.experiment.context import build_context
    from autogets_ray.data.splits import Split

    context = build_context(Split.load(tmp_path), "linear")
    rows = context.class_rows("Security")
    problem = SearchProblem(
        "Security",
        context.train_row_ids[rows],
        context.coords_train[rows],
        context.coords_train,
        context.class_sizes(),
        max_candidates=6,
    )
    from autogets_ray.experiment.runner import plan_searches

    seed = plan_searches(quick("strategies=[sw]"), ["Security"])[0].seed
    core = create_core("sw", problem, seed=seed)
    expected = [core.ask().candidate_id for _ in range(6)]
    assert sorted(trials["candidate_id"]) == sorted(expected)
    assert len(ctx_train) == len(context.train_row_ids)


class _FlakyCore(SearchCore):
    """Every third candidate names a row that is not in the training split: that trial errors."""

    strategy = "test-flaky"
    needs_results = False

    def _next_batch(self):
        if getattr(self, "_done", False):
            return None
        self._done = True
        ids = self.problem.example_ids
        return [
            Candidate(f"flaky-{i}", (10**9 + i,) if i % 3 == 2 else tuple(int(x) for x in ids[i : i + 3]))
            for i in range(6)
        ]


def test_an_errored_trial_does_not_stop_the_search(tmp_path):
    STRATEGIES.register("test-flaky")(_FlakyCore)
    try:
        run_experiment(
            quick("strategies=[test-flaky]", "max_candidates=null"),
            tmp_path,
            progress=Progress(enabled=False),
        )
    finally:
        STRATEGIES.unregister("test-flaky")  # other tests list the registered strategies
    trials = pd.read_parquet(tmp_path / "trials.parquet")
    assert sorted(trials["candidate_id"]) == ["flaky-0", "flaky-1", "flaky-3", "flaky-4"]
    from autogets_ray.experiment.runner import EXPERIMENT_NAME

    errors = list((tmp_path / "ray" / EXPERIMENT_NAME).glob("*/error.txt"))
    assert len(errors) == 2 and "not a training example" in errors[0].read_text()


def test_fractional_gpu_resources_are_honoured(tmp_path):
    config = quick("strategies=[random]", "resources.cpu=0.5", "resources.gpu=0.5", "max_concurrent_trials=4")
    run_experiment(config, tmp_path, progress=Progress(enabled=False))
    trials = pd.read_parquet(tmp_path / "trials.parquet")
    assert len(trials) == 6
    assert set(trials["gpu_ids"]) == {"0"}  # each trial was granted (a share of) logical GPU 0
    assert set(trials["trial_gpu"]) == {0.5} and set(trials["trial_cpu"]) == {0.5}


def test_catboost_gets_the_trial_share_of_the_gpu():
    from autogets_ray.experiment.runner import _model_overrides

    config = load_config(overrides=["model.name=catboost", "resources.cpu=2", "resources.gpu=0.25"])
    assert dict(_model_overrides(config)) == {"thread_count": 2, "gpu_share": 0.25}
    cpu = load_config(overrides=["model.name=catboost"])
    assert dict(_model_overrides(cpu)) == {"thread_count": 1, "device": "cpu"}


def test_a_trial_whose_llm_endpoint_is_down_errors_with_the_one_message(tmp_path):
    import socket

    with socket.socket() as sock:  # a port nobody listens on once closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    dead = f"http://127.0.0.1:{port}/v1"
    llm = ("llm.backend=openai", "llm.model=x", f"llm.base_url={dead}", "llm.api_key_env=''")
    with pytest.raises(
        ValueError, match=f"finished no trial; the first trial error: .*cannot reach the LLM endpoint {dead}"
    ):
        run_experiment(
            quick("strategies=[random]", "max_candidates=1", "baselines=[m0]", *llm),
            tmp_path / "search",
            progress=Progress(enabled=False),
        )
    # with the all-examples baseline the experiment stops there, before any search starts
    with pytest.raises(
        ValueError, match=f"baseline all-examples of class .*cannot reach the LLM endpoint {dead}"
    ):
        run_experiment(
            quick("strategies=[random]", "max_candidates=1", *llm),
            tmp_path / "baselines",
            progress=Progress(enabled=False),
        )
    assert not (tmp_path / "baselines" / "trials.parquet").exists()


def test_the_datamodel_strategy_runs_and_writes_its_example_effects(tmp_path):
    from autogets_ray.reporting.example_effects import effects_tables

    config = quick("strategies=[datamodel]", "max_candidates=14", "strategy_params.datamodel.initial=8")
    run_experiment(config, tmp_path, progress=Progress(enabled=False))
    trials = pd.read_parquet(tmp_path / "trials.parquet")
    assert len(trials) == 14 and set(trials["strategy"]) == {"datamodel"}
    effects = pd.read_parquet(tmp_path / "searches" / "Security-datamodel-cba" / "example_effects.parquet")
    assert list(effects.columns[:3]) == ["example_id", "effect", "effect_sd"]
    split = pd.read_parquet(tmp_path / "split.parquet")
    security = split[(split["part"] == "train") & (split["label"] == "Security")]
    assert sorted(effects["example_id"]) == sorted(security["row_id"])
    assert effects["effect"].notna().all() and (effects["effect_sd"] > 0).all()
    predictions = pd.read_parquet(tmp_path / "searches" / "Security-datamodel-cba" / "predictions.parquet")
    assert len(predictions) == 14 - 8 and predictions["observed"].notna().all()
    table = effects_tables(tmp_path)["Security-datamodel-cba"]
    assert set(table["kind"]) == {"helps", "hurts"} and table["text"].str.len().min() > 0


def test_a_pareto_search_writes_its_front_and_a_rerun_replays_it(tmp_path):
    from autogets_ray.search.genetic.pareto import dominates

    config = quick(
        "strategies=[ga]",
        "mode=pareto",
        "objectives=[cr, oba]",
        "max_candidates=8",
        "baselines=[]",
        "strategy_params.ga.population=4",
        "strategy_params.ga.selection=4",
    )
    result = run_experiment(config, tmp_path, progress=Progress(enabled=False))
    trials = pd.read_parquet(tmp_path / "trials.parquet")
    assert len(trials) == 8 and set(trials["search_id"]) == {"Security-ga-pareto"}
    front = pd.read_csv(tmp_path / "pareto_front.csv")
    assert {"val_cr", "val_oba", "test_cr", "test_oba", "recommended"} <= set(front.columns)
    every = trials[["val_cr[Security]", "val_oba"]].to_numpy()
    for point in front[["val_cr", "val_oba"]].to_numpy():
        assert not any(dominates(other, point) for other in every)
    assert len(front) >= 1 and front["recommended"].sum() <= 1
    picked = front.loc[front["recommended"], "candidate_id"].tolist()
    assert result.summary["best_candidate"].fillna("").tolist() == (picked or [""])
    per_search = pd.read_csv(tmp_path / "pareto_summary.csv")
    assert per_search["hypervolume_val"].iloc[0] >= 0 and (tmp_path / "pareto_front.png").exists()
    from autogets_ray.reporting.report import write_report

    page = write_report(tmp_path, fmt="md").read_text()
    assert "## Fig. 5: Pareto fronts" in page and "hypervolume over M0's point" in page

    again = run_experiment(config, tmp_path, progress=Progress(enabled=False))  # replays the journal
    assert (again.trials["session"] == 1).all()
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "pareto_front.csv"), front)
