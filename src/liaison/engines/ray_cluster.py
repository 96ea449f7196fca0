"""Extraction on a Ray cluster: an actor pool whose actors each hold loaded pipelines.

The driver (the ``liaison ingest`` process) keeps reading inputs and writing the store; only extraction
moves to the cluster. Every node needs Liaison and its models installed (``pip install 'liaison[cluster]'``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from liaison.domain import Extraction, KnownName, Report
from liaison.engines.local import Failure, chunks, extract_chunk
from liaison.errors import LiaisonError
from liaison.extract import Extractor
from liaison.settings import Settings

# A local instance needs little shared memory: reports and extractions are small.
LOCAL_OBJECT_STORE_BYTES = 256 * 1024 * 1024


class PipelineActor:
    """One Ray actor: the models load once, then chunk after chunk is extracted."""

    def __init__(self, settings: Settings, known_names: tuple[KnownName, ...]) -> None:
        self._extractor = Extractor(settings, known_names)

    def extract(self, chunk: list[Report]) -> list[Extraction | Failure]:
        return extract_chunk(self._extractor, chunk)


def extract_on_ray(
    reports: Iterable[Report],
    settings: Settings,
    workers: int,
    known_names: Sequence[KnownName],
    address: str | None,
) -> Iterator[Extraction | Failure]:
    try:
        import ray
        from ray.util import ActorPool
    except ImportError as error:
        raise LiaisonError(
            "the ray engine needs Ray: pip install 'liaison[cluster]' (or ray>=2.40)"
        ) from error
    started_here = not ray.is_initialized()
    if started_here:
        _start(ray, address, workers)
    actors: list[Any] = []
    try:
        remote_actor = ray.remote(num_cpus=1)(PipelineActor)
        names = tuple(known_names)
        actors = [remote_actor.remote(settings, names) for _ in range(max(1, workers))]
        pool = ActorPool(actors)
        for results in pool.map(lambda actor, chunk: actor.extract.remote(chunk), list(chunks(reports))):
            yield from results
    finally:
        for actor in actors:
            ray.kill(actor)
        if started_here:
            ray.shutdown()


def _start(ray: Any, address: str | None, workers: int) -> None:
    options: dict[str, Any] = {
        "include_dashboard": False,
        "log_to_driver": False,
        "logging_level": logging.WARNING,
        "configure_logging": True,
    }
    try:
        if address:
            ray.init(address=address, **options)
        else:
            # A private local instance sized for the workers asked for; it ends with the command.
            ray.init(num_cpus=max(1, workers), object_store_memory=LOCAL_OBJECT_STORE_BYTES, **options)
    except Exception as error:
        where = address or "a local Ray instance"
        raise LiaisonError(f"cannot start or join {where}: {error}") from error
