"""``LLMService``: the one shared generator of a Ray cluster, as a named, threaded Ray actor.

Every trial of every experiment with the same :class:`GenerationConfig` gets the same actor
(``get_if_exists``), so rate limits are global, duplicate requests from concurrent trials share one
backend call and the cache has one writer. The actor is a thin shell over
:class:`~autogets_ray.llm.generator.Generator`; it uses no CPU reservation (``num_cpus=0``) so it
never blocks a trial from being scheduled.

The API key is read from the environment *of the actor's process*: on a local Ray set it before
``ray.init``; on a cluster set it on the nodes (or pass ``runtime_env={"env_vars": ...}`` yourself,
knowing Ray then stores it in its job metadata).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from autogets_ray.llm.config import GenerationConfig
from autogets_ray.llm.generator import build_generator
from autogets_ray.llm.keys import texts_fingerprint
from autogets_ray.llm.types import Example, GenerationResult

NAMESPACE = "autogets"


def actor_name(config: GenerationConfig) -> str:
    return f"autogets-llm-{config.fingerprint()}"


class LLMService:
    """Actor body: ``generate``, ``counters`` and class-text bookkeeping over one generator."""

    def __init__(self, config: GenerationConfig) -> None:
        self.config = config
        self._generator = build_generator(config)

    def generate(self, examples: Sequence[Example]) -> GenerationResult:
        return self._generator.generate(examples)

    def counters(self) -> dict[str, float]:
        return self._generator.counters()

    def uses_class_texts(self) -> bool:
        """Whether the backend learns from the class's training texts (not only the example)."""
        return bool(self._generator.backend.uses_class_texts)

    def missing_class_texts(self, fingerprints: Mapping[str, str]) -> list[str]:
        """Labels whose texts the backend needs and lacks (or holds in another version)."""
        backend = self._generator.backend
        if not backend.uses_class_texts:
            return []
        held = backend.class_fingerprints()
        return sorted(label for label, fp in fingerprints.items() if held.get(label) != fp)

    def set_class_texts(self, class_texts: Mapping[str, Sequence[str]]) -> None:
        self._generator.set_class_texts(class_texts)

    def describe(self) -> dict[str, Any]:
        return {"config": self.config.to_dict(), "backend": self._generator.backend.name}


def get_llm_service(
    config: GenerationConfig,
    class_texts: Mapping[str, Sequence[str]] | None = None,
    *,
    detached: bool = False,
    runtime_env: Mapping[str, Any] | None = None,
) -> Any:
    """The cluster's ``LLMService`` for ``config`` (created on first call; idempotent).

    ``class_texts`` (label -> real training texts) are shipped to the actor only for labels it
    does not hold yet in that version. ``detached=True`` keeps the actor after this driver exits.
    """
    import ray

    options: dict[str, Any] = {
        "name": actor_name(config),
        "namespace": NAMESPACE,
        "get_if_exists": True,
        "max_concurrency": max(32, 4 * (config.max_in_flight or 64)),
        "num_cpus": 0,
    }
    if detached:
        options["lifetime"] = "detached"
    if runtime_env:
        options["runtime_env"] = dict(runtime_env)
    handle = ray.remote(LLMService).options(**options).remote(config)
    if class_texts:
        texts = {str(label): [str(t) for t in values] for label, values in class_texts.items()}
        fingerprints = {label: texts_fingerprint(values) for label, values in texts.items()}
        missing = ray.get(handle.missing_class_texts.remote(fingerprints))
        if missing:
            ray.get(handle.set_class_texts.remote({label: texts[label] for label in missing}))
    return handle
