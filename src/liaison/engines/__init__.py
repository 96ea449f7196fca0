"""Where extraction runs: in this process, in a pool of local processes, or on a Ray cluster.

Every engine takes reports in input order and yields, in the same order, each report's ``Extraction`` or
the ``Failure`` that explains why it could not be extracted. Engines only extract: the caller stays the
single writer to the store, so the rows stored do not depend on the engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from liaison.domain import Extraction, KnownName, Report
from liaison.engines.local import WORKER_CHUNK, Failure, extract_in_pool, extract_in_process
from liaison.errors import LiaisonError
from liaison.settings import Settings

ENGINES = ("local", "ray")


def extract_reports(
    reports: Iterable[Report],
    settings: Settings,
    workers: int = 1,
    known_names: Sequence[KnownName] = (),
    engine: str = "local",
    address: str | None = None,
) -> Iterator[Extraction | Failure]:
    """Extract reports in input order with ``workers`` workers of the chosen engine.

    ``known_names`` are the store's entity names, found in reports whose language has no pipeline.
    ``address`` names a running Ray cluster (``ray`` engine only); without it a local instance starts.
    """
    if engine == "ray":
        from liaison.engines.ray_cluster import extract_on_ray  # Ray is an optional extra

        return extract_on_ray(reports, settings, workers, known_names, address)
    if engine != "local":
        raise LiaisonError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    if address is not None:
        raise LiaisonError("--address names a Ray cluster; use it with --engine ray")
    if workers <= 1:
        return extract_in_process(reports, settings, known_names)
    return extract_in_pool(reports, settings, workers, known_names)


__all__ = ["ENGINES", "WORKER_CHUNK", "Failure", "extract_reports"]
