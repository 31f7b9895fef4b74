"""The options of MOODS, typed and validated in one place.

:class:`MoodsOptions` holds the settings of one MOODS run (the outer loop of Alg. 1 and the MLP's
caps); :class:`MoodsExperimentOptions` adds what ``autogets moods`` runs (methods, seeded runs,
engine, resources). Their defaults are the only ones: the command line's options and
:class:`~autogets_ray.moods.sampler.MOODSSampler` read them (:func:`default`), and the
:class:`~autogets_ray.moods.core.MoodsSettings` and :class:`~autogets_ray.moods.mlp.MLPConfig` of a
run are built from them. A wrong value is a :class:`~autogets_ray.errors.UserInputError` naming the
option, raised before any work.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field, field_validator

from autogets_ray.moods.core import ACCEPTANCE_RULES, MAJORITY_GROWTH, REJECTION_RULES, MoodsSettings
from autogets_ray.moods.mlp import DEVICES, MLPConfig
from autogets_ray.resources import ResourcesConfig
from autogets_ray.typed import Bool, Float, Int, Options, Str, one_of, one_or_many

#: How the MOODS and MUBO searches run: one Ray Tune trial per candidate step, or a loop in-process.
ENGINES = ("ray", "local")


def methods() -> tuple[str, ...]:
    """Every method ``autogets moods`` can run: MOODS and its baselines."""
    from autogets_ray.moods.baselines import BASELINES

    return ("moods", *BASELINES.names())


def _rule(registry: Any, name: str) -> str:
    return one_of(name, registry.names(), registry.kind)


class MoodsOptions(Options):
    """One MOODS run: the outer loop (Alg. 1) and the MLP's fit caps (the inner loop)."""

    steps_per_round: Int = Field(
        2, ge=1, description="K candidate steps per round, an integer >= 1; 1 is the paper's"
    )
    max_accepted: Int = Field(40, ge=1, description="accepted steps (MaxIter), an integer >= 1")
    max_candidates: Int = Field(60, ge=1, description="candidate steps (trials) per run, an integer >= 1")
    patience: Int = Field(20, ge=1, description="rejected rounds in a row before stopping, an integer >= 1")
    acceptance: Str = Field("f1-pareto-loss", description="an acceptance rule")
    rejection: Str = Field("halve-drawn-majority", description="a rejection rule")
    majority_growth: Str = Field("paper", description="a majority growth (how M_k changes)")
    max_updates: Int = Field(4000, ge=1, description="MLP optimiser steps per fit, an integer >= 1")
    max_epochs: Int = Field(400, ge=1, description="MLP epochs per fit, an integer >= 1")
    warm_start: Bool = Field(
        False, description="true or false: fit each step from the accepted state's weights"
    )
    warm_max_updates: Int = Field(
        1000, ge=1, description="MLP optimiser steps per warm-started fit, an integer >= 1"
    )
    validation_folds: Int = Field(
        0,
        ge=0,
        description="0 (a held-out validation part, the paper's) or k >= 2 (k-fold over train+val)",
    )

    @field_validator("validation_folds")
    @classmethod
    def _folds(cls, k: int) -> int:
        if k == 1:
            raise ValueError("1 fold validates on nothing; use 0 (a held-out part) or k >= 2")
        return k

    @field_validator("acceptance")
    @classmethod
    def _acceptance(cls, name: str) -> str:
        return _rule(ACCEPTANCE_RULES, name)

    @field_validator("rejection")
    @classmethod
    def _rejection(cls, name: str) -> str:
        return _rule(REJECTION_RULES, name)

    @field_validator("majority_growth")
    @classmethod
    def _majority_growth(cls, name: str) -> str:
        return _rule(MAJORITY_GROWTH, name)

    def settings(self) -> MoodsSettings:
        """The outer-loop settings of a run."""
        return MoodsSettings(
            steps_per_round=self.steps_per_round,
            max_accepted=self.max_accepted,
            max_candidates=self.max_candidates,
            patience=self.patience,
            acceptance=self.acceptance,
            rejection=self.rejection,
            warm_start=self.warm_start,
            majority_growth=self.majority_growth,
        )

    def mlp(self, threads: int = 1, device: str = "cpu") -> MLPConfig:
        """The MLP of a run, with the fit caps of these options."""
        return MLPConfig(
            max_updates=self.max_updates,
            max_epochs=self.max_epochs,
            warm_max_updates=self.warm_max_updates,
            threads=threads,
            device=device,
        )


class MoodsExperimentOptions(MoodsOptions):
    """``autogets moods``: which methods, how many seeded runs, where the searches run."""

    methods: Annotated[tuple[Str, ...], BeforeValidator(one_or_many)] = Field(
        default_factory=methods, min_length=1, description="a list of methods"
    )
    runs: Int = Field(5, ge=1, description="seeded runs, an integer >= 1")
    seed: Int = Field(0, ge=0, lt=2**32, description="the first run's seed, an integer in [0, 2**32)")
    engine: Str = Field("ray", description=f"one of {', '.join(ENGINES)}")
    cpus_per_trial: Float = Field(1.0, gt=0, description="Ray CPUs per candidate step, a number > 0")
    gpus_per_trial: Float = Field(0.0, ge=0, description="share of a GPU per candidate step, a number >= 0")
    device: Str = Field("cpu", description=f"one of {', '.join(DEVICES)}")
    plot: Bool = Field(True, description="true or false")

    @field_validator("methods")
    @classmethod
    def _methods(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        known = methods()
        unknown = [m for m in names if m not in known]
        if unknown:
            raise ValueError(f"unknown method(s) {', '.join(unknown)}; choose from {', '.join(known)}")
        return names

    @field_validator("engine")
    @classmethod
    def _engine(cls, name: str) -> str:
        return one_of(name, ENGINES, "engine")

    @field_validator("device")
    @classmethod
    def _device(cls, name: str) -> str:
        return one_of(name, DEVICES, "device")

    def resources(self) -> ResourcesConfig:
        return ResourcesConfig(cpu=self.cpus_per_trial, gpu=self.gpus_per_trial)

    def spec(self) -> Any:
        """The :class:`~autogets_ray.moods.experiment.ExperimentSpec` these options describe."""
        from autogets_ray.moods.experiment import ExperimentSpec

        return ExperimentSpec(
            methods=self.methods,
            runs=self.runs,
            seed=self.seed,
            engine=self.engine,
            plot=self.plot,
            validation_folds=self.validation_folds,
            settings=self.settings(),
            mlp=self.mlp(threads=max(1, int(self.cpus_per_trial)), device=self.device),
            resources=self.resources(),
        )


def option_name(key: str) -> str:
    """A field's command-line option: ``steps_per_round`` -> ``--steps-per-round``."""
    return "--" + key.replace("_", "-")


def default(name: str, model: type[BaseModel] = MoodsExperimentOptions) -> Any:
    """The default of option ``name`` (what the command line and the sampler show and use)."""
    field = model.model_fields[name]
    return field.default_factory() if field.default_factory is not None else field.default  # type: ignore[call-arg]
