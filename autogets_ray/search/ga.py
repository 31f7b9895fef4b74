"""Genetic Algorithm (paper §3.3.3, Eq. 6-7; App. B.2.3; App. C.1, Algorithm 2).

Generation 0 is ``population`` random priority chromosomes (Alg. 2 line 1). Every later generation
g: a mating pool of ``selection`` parents, ``lexicase_share`` of them by lexicase over class
recalls and the rest by clustered tournament on the fitness (line 5); consecutive pool members
(pool shuffled) pair up for weight-mapping crossover with ``crossover_rate``, and every child gets
adaptive polynomial mutation (line 6) until ``population`` children exist. The children are one
batch of concurrent trials (line 7; not the notebooks' all-pairs crossover, see
docs/design.md#genetic-algorithm); then parents + children are cut back to ``population`` by
elitism (lines 8-9). Fitness is the search objective; an errored or NaN trial has the worst
fitness. Children that decode to a subset already evaluated reuse its result without retraining.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from autogets_ray.errors import UserInputError
from autogets_ray.metric_names import metric_column
from autogets_ray.search.core import STRATEGIES, Candidate, SearchCore, SearchProblem
from autogets_ray.search.genetic import (
    AdaptivePolynomialMutation,
    ClusteredTournamentSelection,
    LexicaseSelection,
    WeightMappingCrossover,
    decode,
    elitist_survivors,
    random_chromosome,
)
from autogets_ray.search.genetic.lexicase import GROUP_WEIGHTS


@dataclass(frozen=True, eq=False)
class Individual:
    """A chromosome and the candidate it decodes to."""

    candidate: Candidate
    chromosome: np.ndarray

    @property
    def key(self) -> tuple[int, ...]:
        return self.candidate.key


@STRATEGIES.register(
    "ga",
    help="Genetic Algorithm: priority encoding, lexicase + clustered tournament, WMX, "
    "polynomial mutation (paper §3.3.3)",
)
class GeneticCore(SearchCore):
    """GA over priority-encoded subsets of the target class's training examples."""

    strategy = "ga"
    needs_results = True

    def __init__(
        self,
        problem: SearchProblem,
        seed: int = 0,
        *,
        population: int = 20,
        selection: int = 20,
        generations: int = 15,
        crossover_rate: float = 0.7,
        mutation_rate: float = 0.3,
        eta: float = 20.0,
        tournament_size: int = 2,
        lexicase_share: float = 0.5,
        group_weights: Sequence[float] = GROUP_WEIGHTS,
    ) -> None:
        super().__init__(problem, seed)
        if population < 2 or selection < 2:
            raise UserInputError(f"population and selection must be >= 2, got {population} and {selection}")
        for name, value in (("crossover_rate", crossover_rate), ("lexicase_share", lexicase_share)):
            if not 0.0 <= value <= 1.0:
                raise UserInputError(f"{name} must be in [0, 1], got {value}")
        self.population, self.selection = int(population), int(selection)
        self.generations = int(generations)
        self.crossover_rate, self.lexicase_share = float(crossover_rate), float(lexicase_share)
        self.crossover = WeightMappingCrossover()
        self.mutation = AdaptivePolynomialMutation(mutation_rate, eta, generations)
        self.tournament = ClusteredTournamentSelection(tournament_size)
        self.lexicase = LexicaseSelection(problem.class_sizes, problem.target_class, group_weights)
        #: One entry per finished generation: its number, best/mean fitness, evaluated children.
        self.generation_log: list[dict[str, Any]] = []
        self.generation = -1
        self._parents: list[Individual] = []
        self._children: list[Individual] = []
        self._digits = max(2, len(str(self.population - 1)))

    @property
    def current_population(self) -> list[Individual]:
        return list(self._parents)

    def _next_batch(self) -> list[Candidate] | None:
        if self.generation >= 0:
            self._survive()
            if self.generation >= self.generations:
                return None
        self.generation += 1
        self._children = self._initial() if self.generation == 0 else self._breed()
        return [child.candidate for child in self._children]

    # ------------------------------------------------------------ generations
    def _individual(self, index: int, chromosome: np.ndarray, parents: list[str]) -> Individual:
        selected = decode(chromosome)
        candidate = Candidate(
            candidate_id=f"ga-g{self.generation}-i{index:0{self._digits}d}",
            example_ids=self.problem.subset(selected),
            info={
                "strategy": self.strategy,
                "generation": self.generation,
                "individual": index,
                "parents": parents,
                "size": len(selected),
            },
        )
        return Individual(candidate, chromosome)

    def _initial(self) -> list[Individual]:
        n = self.problem.n_examples
        return [self._individual(i, random_chromosome(n, self.rng), []) for i in range(self.population)]

    def _breed(self) -> list[Individual]:
        """Alg. 2 lines 5-6 for the parents of generation ``self.generation``."""
        parents, rng = self._parents, self.rng
        pool = [int(i) for i in rng.permutation(self._mating_pool(parents))]
        mutation_generation = self.generation - 1  # Alg. 2's counter G while breeding
        children: list[Individual] = []
        for pair in range(math.ceil(self.population / 2)):
            a, b = parents[pool[(2 * pair) % len(pool)]], parents[pool[(2 * pair + 1) % len(pool)]]
            if rng.random() < self.crossover_rate:
                chromosomes = self.crossover(a.chromosome, b.chromosome, rng)
            else:
                chromosomes = (a.chromosome.copy(), b.chromosome.copy())
            for chromosome in chromosomes:
                if len(children) < self.population:
                    mutated = self.mutation(chromosome, mutation_generation, rng)
                    ids = [a.candidate.candidate_id, b.candidate.candidate_id]
                    children.append(self._individual(len(children), mutated, ids))
        return children

    def _mating_pool(self, parents: list[Individual]) -> list[int]:
        """Alg. 2 line 5: ``selection`` parent indices, by lexicase and clustered tournament."""
        rng = self.rng
        fitness = np.array([self.score(p.key) for p in parents])
        recalls = np.array(
            [[self._metric(p, metric_column("cr", c)) for c in self.lexicase.classes] for p in parents]
        )
        n_lexicase = int(round(self.selection * self.lexicase_share))
        pool = [self.lexicase(recalls, rng) for _ in range(n_lexicase)]
        return pool + [self.tournament(fitness, rng) for _ in range(self.selection - n_lexicase)]

    def _survivors(self, pool: list[Individual]) -> list[int]:
        """Alg. 2 lines 8-9: the indices of ``pool`` kept by elitism."""
        target_recall = metric_column("cr", self.problem.target_class)
        return elitist_survivors(
            fitness=[self.score(i.key) for i in pool],
            accuracy=[self._metric(i, "accuracy") for i in pool],
            target_recall=[self._metric(i, target_recall) for i in pool],
            keys=[i.key for i in pool],
            size=self.population,
        )

    def _survive(self) -> None:
        """P_{G+1} from P_G and the children (:meth:`_survivors`), logged."""
        pool = self._parents + self._children
        self._parents = [pool[i] for i in self._survivors(pool)]
        self._children = []
        self.generation_log.append({"generation": self.generation, **self._generation_stats()})

    def _generation_stats(self) -> dict[str, Any]:
        scores = np.array([self.score(i.key) for i in self._parents])
        valid = scores[np.isfinite(scores)]
        return {
            "best_fitness": float(valid.max()) if len(valid) else math.nan,
            "mean_fitness": float(valid.mean()) if len(valid) else math.nan,
            "valid": int(len(valid)),
        }

    def _metric(self, individual: Individual, name: str) -> float:
        outcome = self.outcome(individual.key)
        return outcome.metric(name) if outcome is not None else math.nan
