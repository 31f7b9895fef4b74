"""imbalanced-learn's own estimator checks on MOODSSampler: every sampler check applies and passes."""

from __future__ import annotations

from imblearn.utils.estimator_checks import parametrize_with_checks
from sklearn.base import clone

from autogets_ray.moods.sampler import MOODSSampler

# A small budget: the checks are about the sampler's contract (input types, dtypes, one-vs-rest,
# fitted attributes), not about how well MOODS resamples.
QUICK = MOODSSampler(max_candidates=2, max_updates=20, max_epochs=5, warm_max_updates=10, random_state=0)


@parametrize_with_checks([QUICK, clone(QUICK).set_params(validation_folds=3)])
def test_imblearn_estimator_checks(estimator, check):
    check(estimator)
