"""MOODS as an imbalanced-learn sampler: ``MOODSSampler().fit_resample(X, y)``, no Ray needed.

Follows imbalanced-learn's conventions (``over_sampling/_smote``): the public ``fit_resample``
(inherited) validates X and y, the private ``_fit_resample`` does the work, and ``random_state`` is
resolved at fit time. Inside, a stratified ``validation_size`` part of the given rows is held out as
D^V (Alg. 1 needs validation disjoint from training), features are standardised on the rest, and
Alg. 1 runs on the rest; the returned set is the final S (real minority + chosen majority +
synthetic minority, back in the input's feature scale). The held-out rows are not returned, as in
the paper, where S is drawn from D^Tr only.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from imblearn.base import BaseSampler
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions

from autogets_ray.errors import UserInputError
from autogets_ray.moods.core import ACCEPTANCE_RULES, REJECTION_RULES, assemble_training_set
from autogets_ray.moods.options import MoodsOptions, default
from autogets_ray.moods.split import TabularSplit


def _default(name: str):
    return default(name, MoodsOptions)


#: The integer options (sklearn's checks accept numpy integers; the options model wants int).
_COUNTS = ("steps_per_round", "max_accepted", "max_candidates", "patience", "max_updates", "max_epochs")


class MOODSSampler(BaseSampler):
    """Multi-objective bilevel resampling (paper Alg. 1) with SVM-SMOTE synthetic minority rows.

    Defaults are :class:`~autogets_ray.moods.options.MoodsOptions`'s (K = 2, ``f1-pareto-loss``),
    the same as ``autogets moods``; here the K candidates of a round are trained one after the
    other, so ``steps_per_round=1`` halves the cost per round (``acceptance="f1-both"`` with it is
    the paper's Alg. 1).

    Attributes set by ``fit_resample``: ``outcome_`` (final state and per-candidate history),
    ``minority_class_``, ``sampling_strategy_``.
    """

    _sampling_type = "bypass"
    _parameter_constraints: dict = {
        "sampling_strategy": [StrOptions({"auto"})],
        "validation_size": [Interval(Real, 0, 1, closed="neither")],
        "steps_per_round": [Interval(Integral, 1, None, closed="left")],
        "max_accepted": [Interval(Integral, 1, None, closed="left")],
        "max_candidates": [Interval(Integral, 1, None, closed="left")],
        "patience": [Interval(Integral, 1, None, closed="left")],
        "max_updates": [Interval(Integral, 1, None, closed="left")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "acceptance": [StrOptions(set(ACCEPTANCE_RULES.names()))],
        "rejection": [StrOptions(set(REJECTION_RULES.names()))],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        *,
        sampling_strategy: str = "auto",
        validation_size: float = 0.2,
        steps_per_round: int = _default("steps_per_round"),
        max_accepted: int = _default("max_accepted"),
        max_candidates: int = _default("max_candidates"),
        patience: int = _default("patience"),
        max_updates: int = _default("max_updates"),
        max_epochs: int = _default("max_epochs"),
        acceptance: str = _default("acceptance"),
        rejection: str = _default("rejection"),
        random_state=None,
    ) -> None:
        super().__init__(sampling_strategy=sampling_strategy)
        self.validation_size = validation_size
        self.steps_per_round = steps_per_round
        self.max_accepted = max_accepted
        self.max_candidates = max_candidates
        self.patience = patience
        self.max_updates = max_updates
        self.max_epochs = max_epochs
        self.acceptance = acceptance
        self.rejection = rejection
        self.random_state = random_state

    def _fit_resample(self, X: np.ndarray, y: np.ndarray):
        from autogets_ray.moods.local import run_moods_local

        classes, counts = np.unique(y, return_counts=True)
        if len(classes) != 2:
            raise UserInputError(
                f"MOODSSampler needs exactly two classes, got {len(classes)}: {classes[:10]}"
            )
        minority = classes[int(np.argmin(counts))]
        self.minority_class_ = minority
        labels = (y == minority).astype(np.int64)
        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        X = np.asarray(X, dtype=np.float64)
        train, val = train_test_split(
            np.arange(len(y)), test_size=self.validation_size, stratify=labels, random_state=seed
        )
        scaler = StandardScaler().fit(X[train])
        split = TabularSplit(
            scaler.transform(X[train]),
            labels[train],
            scaler.transform(X[val]),
            labels[val],
            scaler.transform(X[val]),
            labels[val],
            seed=seed,
        )
        options = MoodsOptions.build(
            **{name: int(getattr(self, name)) for name in _COUNTS},
            acceptance=self.acceptance,
            rejection=self.rejection,
        )
        self.outcome_ = run_moods_local(split, options.settings(), options.mlp(), seed=seed)
        X_s, y_s = assemble_training_set(
            split.X_train, np.flatnonzero(split.y_train == 1), self.outcome_.state
        )
        majority = classes[classes != minority][0]
        return scaler.inverse_transform(X_s), np.where(y_s == 1, minority, majority)
