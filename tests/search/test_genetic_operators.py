"""GA operators with exact, hand-computed expected outputs (docs/design.md#genetic-algorithm)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from autogets_ray.search.genetic import (
    AdaptivePolynomialMutation,
    ClusteredTournamentSelection,
    LexicaseSelection,
    WeightMappingCrossover,
    case_order,
    decode,
    decoded_size,
    elitist_survivors,
    fitness_clusters,
    lexicase_select,
    polynomial_delta,
    random_chromosome,
    size_groups,
)


class ScriptedRng:
    """Stands in for ``np.random.Generator``: returns queued values, so outputs are exact."""

    def __init__(self, *, random=(), integers=(), choice=()):
        self._random, self._integers, self._choice = list(random), list(integers), list(choice)

    def random(self, size=None):
        if size is None:
            return self._random.pop(0)
        values, self._random = self._random[:size], self._random[size:]
        return np.array(values, dtype=float)

    def integers(self, low, high=None, size=None):
        if size is None:
            return self._integers.pop(0)
        values, self._integers = self._integers[:size], self._integers[size:]
        return np.array(values)

    def choice(self, a, p=None):
        options = np.arange(a) if isinstance(a, int) else np.asarray(a)
        return options[self._choice.pop(0)]


# ----------------------------------------------------------------- encoding
def test_decode_keeps_round_mean_lowest_priorities():
    assert decoded_size([3, 1, 4, 1, 5]) == 3  # mean 2.8
    assert decode(np.array([3, 1, 4, 1, 5])).tolist() == [0, 1, 3]


def test_decode_rounds_half_to_even_and_breaks_ties_by_index():
    assert decoded_size([1, 2, 3, 4]) == 2  # mean 2.5
    assert decoded_size([2, 3, 4, 5]) == 4  # mean 3.5
    assert decode(np.array([2, 2, 2, 2])).tolist() == [0, 1]
    assert decode(np.array([1])).tolist() == [0]


def test_random_chromosome_priorities_are_in_1_to_n_and_seeded():
    first = random_chromosome(50, np.random.default_rng(3))
    assert first.shape == (50,) and first.min() >= 1 and first.max() <= 50
    assert np.array_equal(first, random_chromosome(50, np.random.default_rng(3)))
    assert 1 <= len(decode(first)) <= 50
    with pytest.raises(ValueError):
        random_chromosome(0, np.random.default_rng(0))


# ----------------------------------------------------------------- crossover
def test_weight_mapping_crossover_on_permutations():
    child1, child2 = WeightMappingCrossover.at_cut([1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1], 3)
    assert child1.tolist() == [1, 2, 3, 6, 5, 4]
    assert child2.tolist() == [6, 5, 4, 1, 2, 3]


def test_weight_mapping_crossover_maps_tail_values_by_rank():
    # tails [5, 1, 3] and [1, 5, 2]: child1 takes 1,3,5 in the order small, large, middle of [1, 5, 2]
    rng = ScriptedRng(integers=[2])
    child1, child2 = WeightMappingCrossover()(np.array([2, 2, 5, 1, 3]), np.array([4, 1, 1, 5, 2]), rng)
    assert child1.tolist() == [2, 2, 1, 5, 3]
    assert child2.tolist() == [4, 1, 5, 1, 2]
    assert sorted(child1) == [1, 2, 2, 3, 5]  # each child keeps its parent's priorities


def test_crossover_of_one_gene_and_bad_cuts():
    child1, child2 = WeightMappingCrossover()(np.array([1]), np.array([1]), np.random.default_rng(0))
    assert child1.tolist() == child2.tolist() == [1]
    with pytest.raises(ValueError):
        WeightMappingCrossover.at_cut([1, 2, 3], [3, 2, 1], 3)
    with pytest.raises(ValueError):
        WeightMappingCrossover()(np.array([1, 2]), np.array([1, 2, 3]), np.random.default_rng(0))


# ----------------------------------------------------------------- mutation
def test_polynomial_delta_formula():
    assert polynomial_delta(0.25, 20.0) == pytest.approx(0.5 ** (1 / 21) - 1)
    assert polynomial_delta(0.25, 20.0) == pytest.approx(-0.0324682, abs=1e-7)
    assert polynomial_delta(0.75, 20.0) == pytest.approx(1 - 0.5 ** (1 / 21))
    assert polynomial_delta([0.0, 0.5, 1.0], 20.0).tolist() == [-1.0, 0.0, 1.0]
    assert polynomial_delta([0.1, 0.8], 0.0).tolist() == pytest.approx([-0.8, 0.6])  # eta 0: 2u - 1


def test_mutation_rate_falls_linearly_to_zero():
    mutation = AdaptivePolynomialMutation(0.3, 20.0, generations=15)
    assert [mutation.rate(g) for g in (0, 5, 15, 20)] == pytest.approx([0.3, 0.2, 0.0, 0.0])


def test_mutation_moves_genes_by_delta_times_n_minus_1_clipped():
    # n = 5: genes 0, 2, 4 mutate (draws below the rate 0.3); eta 0 makes delta = 2u - 1
    rng = ScriptedRng(random=[0.1, 0.5, 0.2, 0.9, 0.29] + [0.0, 1.0, 0.75])
    out = AdaptivePolynomialMutation(0.3, eta=0.0, generations=15)(np.array([1, 4, 3, 5, 2]), 0, rng)
    assert out.tolist() == [1, 4, 5, 5, 4]  # 1-4 -> 1 (clip), 3+4 -> 5 (clip), 2+2 -> 4


def test_mutation_rounds_small_moves_and_never_mutates_at_the_last_generation():
    rng = ScriptedRng(random=[0.0, 0.0] + [0.9] * 99 + [0.25, 0.6])
    out = AdaptivePolynomialMutation(0.3, eta=20.0)(np.array([30, 30] + [1] * 99), 0, rng)
    # delta(0.25) * 100 = -3.25 -> 27; delta(0.6) * 100 = +1.06 -> 31
    assert out[:2].tolist() == [27, 31]
    still = AdaptivePolynomialMutation(0.3, eta=20.0, generations=15)(
        np.arange(1, 11), 15, np.random.default_rng(0)
    )
    assert still.tolist() == list(range(1, 11))


@pytest.mark.parametrize("params", [{"initial_rate": 1.5}, {"eta": -1.0}, {"generations": 0}])
def test_bad_mutation_parameters(params):
    with pytest.raises(ValueError):
        AdaptivePolynomialMutation(**params)


# ----------------------------------------------------------------- lexicase
TABLE = np.array(
    [
        [1.0, 0.2, 0.5],
        [1.0, 0.9, 0.1],
        [0.8, 0.9, 0.9],
        [1.0, 0.9, 0.3],
    ]
)


@pytest.mark.parametrize("order, expected", [([0, 1, 2], 3), ([2, 0, 1], 2), ([0, 2], 0), ([1, 2], 2)])
def test_lexicase_keeps_the_exact_best_case_by_case(order, expected):
    assert lexicase_select(TABLE, order, ScriptedRng()) == expected


def test_lexicase_picks_randomly_among_the_survivors_and_nan_is_worst():
    assert lexicase_select(TABLE, [1, 0], ScriptedRng(choice=[1])) == 3  # survivors [1, 3]
    table = np.array([[np.nan, 0.0], [0.1, 0.0]])
    assert lexicase_select(table, [0, 1], ScriptedRng()) == 1


def test_size_groups_rank_classes_by_size_closeness_target_first():
    sizes = {"A": 40, "B": 90, "C": 30, "D": 12, "E": 200}
    assert size_groups(sizes, "A") == [["A", "C"], ["B"], ["D"], ["E"]]
    assert size_groups({"A": 5, "B": 5, "C": 50}, "C") == [["C"], ["A"], ["B"]]
    with pytest.raises(ValueError):
        size_groups(sizes, "Z")


def test_case_order_draws_groups_by_weight_then_a_class():
    groups = [["A", "C"], ["B"], ["D"], ["E"]]
    # groups drawn: 0 (then its class 1 -> C), 2 (D), 0 (A), 1 (B), 0 of the rest (E)
    rng = ScriptedRng(choice=[0, 2, 0, 0, 0], integers=[1, 0, 0, 0, 0])
    assert case_order(groups, (0.4, 0.3, 0.2, 0.1), rng) == ["C", "D", "A", "B", "E"]
    only_first = case_order(groups, (1.0, 0.0, 0.0, 0.0), np.random.default_rng(5))
    assert set(only_first[:2]) == {"A", "C"} and sorted(only_first) == ["A", "B", "C", "D", "E"]


def test_case_order_puts_the_target_first_most_often():
    selection = LexicaseSelection({"A": 40, "B": 90, "C": 30, "D": 12, "E": 200}, "A")
    rng = np.random.default_rng(0)
    firsts = [case_order(selection.groups, selection.weights, rng)[0] for _ in range(2000)]
    assert 0.17 < firsts.count("A") / 2000 < 0.23  # 0.4 (group) * 1/2 (class in group)
    assert firsts.count("E") / 2000 < 0.13


def test_lexicase_selection_uses_class_columns_in_name_order():
    selection = LexicaseSelection({"B": 3, "A": 3}, "A")
    assert selection.classes == ["A", "B"]
    values = np.array([[0.5, 0.9], [0.6, 0.1]])  # individual 1 is best on A, 0 on B
    picks = {selection(values, np.random.default_rng(s)) for s in range(30)}
    assert picks == {0, 1}
    with pytest.raises(ValueError):
        LexicaseSelection({"A": 3}, "A", weights=(0.0, 0.0))


# ----------------------------------------------------------------- tournament
def test_fitness_clusters_group_identical_fitness_best_first():
    clusters = fitness_clusters([0.5, 0.9, 0.5, math.nan, 0.9, 0.1])
    assert [c.tolist() for c in clusters] == [[1, 4], [0, 2], [5], [3]]


def test_clustered_tournament_returns_a_member_of_the_best_drawn_cluster():
    fitness = [0.5, 0.9, 0.5, math.nan, 0.9, 0.1]
    # clusters drawn: 2 ([5]) and 1 ([0, 2]) -> cluster 1 wins; member 1 of it -> individual 2
    assert ClusteredTournamentSelection(2)(fitness, ScriptedRng(integers=[2, 1], choice=[1])) == 2
    assert ClusteredTournamentSelection(2)(fitness, ScriptedRng(integers=[3, 3], choice=[0])) == 3


def test_clustered_tournament_pressure_does_not_depend_on_copies():
    fitness = [1.0] + [0.0] * 9  # two clusters: the lone best wins 3/4 of binary tournaments
    rng = np.random.default_rng(1)
    wins = sum(ClusteredTournamentSelection(2)(fitness, rng) == 0 for _ in range(4000)) / 4000
    assert 0.72 < wins < 0.78
    with pytest.raises(ValueError):
        ClusteredTournamentSelection(0)


# ----------------------------------------------------------------- elitism
def test_elitism_keeps_best_accuracy_and_best_target_recall_then_fitness():
    fitness = [0.5, 0.9, math.nan, 0.7, 0.9]
    accuracy = [0.8, 0.1, 0.95, 0.2, 0.3]
    recall = [0.1, 0.2, 0.3, 0.9, 0.2]
    keys = ["a", "b", "c", "d", "b"]
    assert elitist_survivors(fitness, accuracy, recall, keys, 3) == [2, 3, 1]
    # individual 4 repeats subset "b": kept only after every distinct subset
    assert elitist_survivors(fitness, accuracy, recall, keys, 5) == [2, 3, 1, 0, 4]


def test_elitism_without_valid_metrics_ranks_by_fitness():
    nan = math.nan
    assert elitist_survivors([0.1, 0.3, 0.2], [nan] * 3, [nan] * 3, [1, 2, 3], 2) == [1, 2]
    with pytest.raises(ValueError):
        elitist_survivors([0.1], [0.1, 0.2], [0.1], [1], 1)
