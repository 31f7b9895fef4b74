"""Starting or joining Ray, the same way for every command."""

from __future__ import annotations

import atexit
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from autogets_ray.progress import Progress

#: The logger that says "Token authentication is enabled for this Ray cluster ..." at every local
#: start (a notice, not an error: token authentication stays on).
TOKEN_NOTICE_LOGGER = "ray._private.authentication.authentication_token_setup"


def ensure_ray(
    num_cpus: int | None = None, progress: Progress | None = None, notices: bool | None = None
) -> None:
    """Join ``$RAY_ADDRESS`` when set (a cluster: ``ray submit``, ``ray job submit``), else start a
    fresh local Ray (``address="local"``: never a stale cluster that ``ray start`` left behind).

    ``progress`` gets a step line before Ray starts. Ray's start-up notices (token authentication)
    are shown only with ``notices`` (default: when debug logging is on, ``autogets -v``); warnings
    about errors still show."""
    import ray

    if ray.is_initialized():
        return
    if notices is None:
        notices = logging.getLogger().isEnabledFor(logging.DEBUG)
    # Tune's new console output prints a box per run even at verbose=0; our progress lines replace it.
    os.environ.setdefault("RAY_AIR_NEW_OUTPUT", "0")
    address = os.environ.get("RAY_ADDRESS")
    if address:  # a cluster's own resources and settings, not ours
        with _step(progress, f"joining the Ray cluster at {address}"), _quiet_notices(not notices):
            ray.init(address=address, log_to_driver=False, configure_logging=False)
        _drop_colour_reset()
        return
    # Trials do all the work; Ray's default worker niceness (15) starves them next to any busy
    # process on a shared machine. RAY_worker_niceness in the environment still wins.
    os.environ.setdefault("RAY_worker_niceness", "0")
    with _step(progress, f"starting Ray (local, {_local_cpus(num_cpus)} CPUs)"), _quiet_notices(not notices):
        ray.init(
            address="local",
            num_cpus=num_cpus,
            include_dashboard=False,
            log_to_driver=False,
            configure_logging=False,
        )
    _drop_colour_reset()


def _local_cpus(num_cpus: int | None) -> int:
    """The CPUs a local Ray gets: ``num_cpus``, else what Ray itself detects (cgroup limits included)."""
    if num_cpus is not None:
        return num_cpus
    try:
        from ray._private.utils import get_num_cpus

        return int(get_num_cpus())
    except (ImportError, AttributeError):  # a Ray without it: the scheduler's view is close enough
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@contextmanager
def _step(progress: Progress | None, message: str) -> Iterator[None]:
    if progress is None:
        yield
        return
    with progress.step(message):
        yield


@contextmanager
def _quiet_notices(quiet: bool) -> Iterator[None]:
    """Raise the token-notice logger to ERROR while Ray starts (its level restored afterwards)."""
    logger = logging.getLogger(TOKEN_NOTICE_LOGGER)
    level = logger.level
    if quiet:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _drop_colour_reset() -> None:
    """Ray imports colorama and calls ``colorama.init()`` (its CLI logger), whose exit hook writes
    ``ESC[0m`` to a terminal's stdout after the last line; unregister that hook."""
    initialise = sys.modules.get("colorama.initialise")
    reset_all = getattr(initialise, "reset_all", None)
    if reset_all is not None:
        atexit.unregister(reset_all)


def joined_cluster() -> bool:
    """True when this process joins a running cluster (``$RAY_ADDRESS``): its autoscaler may add nodes."""
    return bool(os.environ.get("RAY_ADDRESS"))


def granted_trial_resources() -> dict[str, float]:
    """Inside a Tune trial: the CPUs and GPU share Ray granted it, as report columns."""
    from ray import tune

    granted = tune.get_context().get_trial_resources().required_resources
    return {"trial_cpu": float(granted.get("CPU", 0.0)), "trial_gpu": float(granted.get("GPU", 0.0))}
