"""The ensemble algorithms of the paper's App. C.2 (Alg. 3, 4, 5), Ray-free.

Every algorithm walks classes in an order taken from the knowledge base; for each class it asks a
:class:`~autogets_ray.ensemble.choosers.Chooser` for a search ("select strategy-objective from
Lookup Table 3"), takes the ``candidates`` best trials of that search as the models M that
"Apply AutoGeTS to C" found, retrains each with its synthetic samples added to the samples already
chosen (``evaluate``), and keeps one or terminates. Decisions use validation metrics only.

Reading of the paper's rules (documented in result.json and the README):
- A model that fails a termination test is not appended: the ensemble ends at the last accepted
  model (Alg. 4/5 literally append, then stop; keeping a model that made things worse helps no one).
- "Improved" is strict (> the current model's validation value).
- R1 "maintain improvement in each C_n<i by at least 50%": for every earlier accepted class C_n,
  CBA_n(candidate) - CBA_n(before C_n's step) >= keep_fraction * (CBA_n(after C_n's step) -
  CBA_n(before C_n's step)).
"""

from __future__ import annotations

from collections.abc import Sequence

from autogets_ray.ensemble.candidates import CandidatePool, SearchRef, Step
from autogets_ray.ensemble.choosers import Chooser, KnowledgeChooser, RandomChooser, single_choosers
from autogets_ray.ensemble.knowledge import KnowledgeBase
from autogets_ray.ensemble.trace import EnsembleRun, Evaluate, Metrics
from autogets_ray.errors import UserInputError
from autogets_ray.metric_names import delta_column, metric_column
from autogets_ray.metrics import CLASS_OBJECTIVES, OVERALL_OBJECTIVES, objective_column

REQUIREMENTS = ("r1", "r2", "r3")
#: R1 and R3 judge a class by a class objective, R2 the model by an overall one.
CLASS_METRICS = CLASS_OBJECTIVES
GLOBAL_METRICS = OVERALL_OBJECTIVES


def _val(metrics: Metrics, key: str) -> float:
    """The validation value of flat key ``key`` (``cba[A]``, ``oba``) in prefixed metrics."""
    return float(metrics[metric_column(key, split="val")])


def _tried(
    run: EnsembleRun,
    pool: CandidatePool,
    evaluate: Evaluate,
    search: SearchRef,
    rank_key: str,
    candidates: int,
) -> list[tuple[Step, Metrics]]:
    """The search's best ``candidates`` trials (by recorded val ``rank_key``), each added to the current steps."""
    ranked = pool.top(search.search_id, metric_column(rank_key, split="val"), candidates)
    return [(step, evaluate([*run.steps, step])) for step in ranked]


def _best(tried: list[tuple[Step, Metrics]], key: str) -> tuple[Step, Metrics]:
    """Highest validation ``key``; ties keep the better-ranked trial."""
    return max(tried, key=lambda t: _val(t[1], key))  # max keeps the first of equals


def _check_common(candidates: int, metric: str, allowed: Sequence[str], what: str) -> None:
    if candidates < 1:
        raise UserInputError(f"candidates must be at least 1, got {candidates}")
    if metric not in allowed:
        raise UserInputError(f"{what} metric must be one of {', '.join(allowed)}, got {metric!r}")


def r1_order(kb: KnowledgeBase) -> list[str]:
    """Alg. 3 line 1: the searched classes by ascending class size (ties by name)."""
    if not any(kb.class_sizes.values()):
        raise UserInputError("R1 orders classes by size, but the results hold no split.parquet to count them")
    return sorted(kb.searched_classes(), key=lambda c: (kb.class_sizes[c], c))


def r1(
    kb: KnowledgeBase,
    pool: CandidatePool,
    m0: Metrics,
    evaluate: Evaluate,
    *,
    threshold: float = 0.8,
    keep_fraction: float = 0.5,
    metric: str = "cba",
    candidates: int = 3,
    chooser: Chooser | None = None,
) -> EnsembleRun:
    """Alg. 3 (R1): lift every class whose validation ``metric`` is below ``threshold``.

    A class is taken (line 2) when its value under the *current* model is below the threshold, so a
    class an earlier step already lifted is skipped. Terminates when no candidate improves the
    class (line 14) or none keeps the earlier classes' gains at ``keep_fraction`` (line 10).
    """
    _check_common(candidates, metric, CLASS_METRICS, "R1")
    if not 0.0 < threshold <= 1.0:
        raise UserInputError(f"threshold must be in (0, 1], got {threshold}")
    if not 0.0 <= keep_fraction <= 1.0:
        raise UserInputError(f"keep_fraction must be in [0, 1], got {keep_fraction}")
    chooser = chooser or KnowledgeChooser(kb, pool)
    run = EnsembleRun(chooser.name, kb.classes, dict(m0))
    gains: list[tuple[str, float, float]] = []  # (class, value before its step, value after)
    for name in kb.classes:
        value = _val(run.final, objective_column(metric, name))
        if name not in kb.searched_classes() and value < threshold:
            run.notes.append(
                f"{name}: val {metric} {value:.4f} < threshold {threshold}, but it was not searched"
            )
    for target in r1_order(kb):
        key = objective_column(metric, target)
        current = _val(run.final, key)
        if current >= threshold:
            run.notes.append(f"{target}: val {metric} {current:.4f} >= threshold {threshold}, skipped")
            continue
        search = chooser(target, metric)
        if search is None:
            run.notes.append(f"{target}: no search for {chooser.name}, skipped")
            continue
        tried = _tried(run, pool, evaluate, search, key, candidates)
        improved = [t for t in tried if _val(t[1], key) > current]
        if not improved:
            step, metrics = _best(tried, key)
            run.reject(step, metrics, tried, "no_improvement", f"no candidate improved {target} {metric}")
            return run

        def keeps(metrics: Metrics) -> bool:
            return all(
                _val(metrics, objective_column(metric, c)) - before >= keep_fraction * (after - before)
                for c, before, after in gains
            )

        kept = [t for t in improved if keeps(t[1])]
        if not kept:
            step, metrics = _best(improved, key)
            run.reject(
                step,
                metrics,
                tried,
                "gains_not_kept",
                f"improving {target} lost more than {1 - keep_fraction:.0%} of an earlier class's gain",
            )
            return run
        step, metrics = _best(kept, key)
        run.accept(step, metrics, tried)
        gains.append((target, current, _val(metrics, key)))
    run.terminate("order_exhausted", "every class below the threshold was processed")
    return run


def r2_order(kb: KnowledgeBase) -> list[str]:
    """Alg. 4 line 2: classes in descending validation ΔOBA of Fig. 6b (ties by name)."""
    column = delta_column("oba", "val")
    effect = kb.oba_effect.astype({column: float})
    ranked = sorted(zip(effect["target_class"], effect[column]), key=lambda t: (-t[1], t[0]))
    return [c for c, _ in ranked]


def r2(
    kb: KnowledgeBase,
    pool: CandidatePool,
    m0: Metrics,
    evaluate: Evaluate,
    *,
    metric: str = "oba",
    candidates: int = 3,
    chooser: Chooser | None = None,
) -> EnsembleRun:
    """Alg. 4 (R2): improve the overall ``metric``; stop when a class's step does not improve it (line 7)."""
    _check_common(candidates, metric, GLOBAL_METRICS, "R2")
    chooser = chooser or KnowledgeChooser(kb, pool)
    run = EnsembleRun(chooser.name, kb.classes, dict(m0))
    return _apply_in_order(
        run,
        r2_order(kb),
        chooser,
        pool,
        evaluate,
        metric,
        metric,
        candidates,
        f"overall {metric}",
        "every class was applied",
    )


def _apply_in_order(
    run: EnsembleRun,
    order: list[str],
    chooser: Chooser,
    pool: CandidatePool,
    evaluate: Evaluate,
    metric: str,
    key: str,
    candidates: int,
    what: str,
    done: str,
) -> EnsembleRun:
    """Alg. 4 / Alg. 5 main loop: apply each class's chosen search in ``order``, keeping the candidate
    with the best validation ``key``; stop at the first step that does not improve it."""
    for target in order:
        search = chooser(target, metric)
        if search is None:
            run.notes.append(f"{target}: no search for {chooser.name}, skipped")
            continue
        tried = _tried(run, pool, evaluate, search, key, candidates)
        step, metrics = _best(tried, key)
        if _val(metrics, key) <= _val(run.final, key):
            run.reject(step, metrics, tried, "not_improved", f"{target}'s step did not improve {what}")
            return run
        run.accept(step, metrics, tried)
    run.terminate("order_exhausted", done)
    return run


def r3_order(kb: KnowledgeBase, important: str) -> list[str]:
    """Alg. 5 lines 1-2: the important class and its related classes (positive ΔCBA of it in Fig. 6a),
    in descending ΔCBA of the important class (ties by name)."""
    kb.check_class(important)
    column = kb.interaction[important].astype(float)
    chosen = [(c, float(v)) for c, v in column.items() if c == important or v > 0]
    return [c for c, _ in sorted(chosen, key=lambda t: (-t[1], t[0]))]


def r3(
    kb: KnowledgeBase,
    pool: CandidatePool,
    m0: Metrics,
    evaluate: Evaluate,
    *,
    important: str,
    metric: str = "cba",
    candidates: int = 3,
    chooser: Chooser | None = None,
) -> EnsembleRun:
    """Alg. 5 (R3): improve ``important``'s ``metric`` through it and its related classes.

    Each class uses its best local-metric search (line 4); among its candidates the one with the
    highest ``important`` metric is recorded (line 5); stop when it does not improve (line 7).
    """
    _check_common(candidates, metric, CLASS_METRICS, "R3")
    order = r3_order(kb, important)
    chooser = chooser or KnowledgeChooser(kb, pool)
    run = EnsembleRun(chooser.name, kb.classes, dict(m0))
    key = objective_column(metric, important)
    if important not in kb.searched_classes():
        run.notes.append(f"{important} itself was not searched: only its related classes are applied")
    return _apply_in_order(
        run,
        order,
        chooser,
        pool,
        evaluate,
        metric,
        key,
        candidates,
        f"{important} {metric}",
        "the important class and every related class were applied",
    )


def requirement_keys(requirement: str, kb: KnowledgeBase, metric: str, important: str | None) -> list[str]:
    """The flat metric names a requirement is judged on (result.json's final-vs-M0 table)."""
    overall = list(OVERALL_OBJECTIVES)
    if requirement == "r1":
        return [objective_column(metric, c) for c in kb.classes] + overall
    if requirement == "r2":
        return overall
    return [objective_column(metric, important or ""), *overall]


def run_requirement(
    requirement: str,
    kb: KnowledgeBase,
    pool: CandidatePool,
    m0: Metrics,
    evaluate: Evaluate,
    *,
    compare: bool = True,
    random_runs: int = 3,
    seed: int = 0,
    **params: object,
) -> list[EnsembleRun]:
    """The ensemble for ``requirement`` and, with ``compare``, Fig. 7's baselines: the same algorithm
    with every single strategy-objective, and with ``random_runs`` seeded random combinations
    (seeds ``seed``, ``seed + 1``, ...)."""
    algorithms = {"r1": r1, "r2": r2, "r3": r3}
    if requirement not in algorithms:
        raise UserInputError(f"unknown requirement {requirement!r}; choose from {', '.join(REQUIREMENTS)}")
    if random_runs < 0:
        raise UserInputError(f"random_runs must be >= 0, got {random_runs}")
    algorithm = algorithms[requirement]
    runs = [algorithm(kb, pool, m0, evaluate, **params)]
    if compare:
        choosers: list[Chooser] = [
            *single_choosers(pool),
            *(RandomChooser(pool, seed + i) for i in range(random_runs)),
        ]
        runs += [algorithm(kb, pool, m0, evaluate, chooser=chooser, **params) for chooser in choosers]
    return runs
