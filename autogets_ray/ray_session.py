"""Starting or joining Ray, the same way for every command."""

from __future__ import annotations

import os


def ensure_ray(num_cpus: int | None = None) -> None:
    """Join ``$RAY_ADDRESS`` when set (a cluster: ``ray submit``, ``ray job submit``), else start a
    fresh local Ray (``address="local"``: never a stale cluster that ``ray start`` left behind)."""
    import ray

    if ray.is_initialized():
        return
    # Tune's new console output prints a box per run even at verbose=0; our progress lines replace it.
    os.environ.setdefault("RAY_AIR_NEW_OUTPUT", "0")
    address = os.environ.get("RAY_ADDRESS")
    if address:  # a cluster's own resources and settings, not ours
        ray.init(address=address, log_to_driver=False, configure_logging=False)
        return
    # Trials do all the work; Ray's default worker niceness (15) starves them next to any busy
    # process on a shared machine. RAY_worker_niceness in the environment still wins.
    os.environ.setdefault("RAY_worker_niceness", "0")
    ray.init(
        address="local",
        num_cpus=num_cpus,
        include_dashboard=False,
        log_to_driver=False,
        configure_logging=False,
    )


def joined_cluster() -> bool:
    """True when this process joins a running cluster (``$RAY_ADDRESS``): its autoscaler may add nodes."""
    return bool(os.environ.get("RAY_ADDRESS"))


def granted_trial_resources() -> dict[str, float]:
    """Inside a Tune trial: the CPUs and GPU share Ray granted it, as report columns."""
    from ray import tune

    granted = tune.get_context().get_trial_resources().required_resources
    return {"trial_cpu": float(granted.get("CPU", 0.0)), "trial_gpu": float(granted.get("GPU", 0.0))}
