"""Extraction in this process or in a pool of processes that each load the models once."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from liaison.domain import Extraction, KnownName, Report
from liaison.extract import Extractor
from liaison.settings import Settings

# Reports handed to a worker at a time: large enough for nlp.pipe batching, small enough to balance.
WORKER_CHUNK = 8


@dataclass(frozen=True)
class Failure:
    """An input that could not be processed, and why (the message names the input)."""

    source: str
    message: str
    report_id: str | None = None


def chunks(items: Iterable[Report], size: int = WORKER_CHUNK) -> Iterator[list[Report]]:
    chunk: list[Report] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def extract_chunk(extractor: Extractor, chunk: list[Report]) -> list[Extraction | Failure]:
    try:
        return list(extractor.extract_many(chunk))
    except Exception:  # noqa: BLE001 - one bad report must not sink its neighbours: retry one by one
        results: list[Extraction | Failure] = []
        for report in chunk:
            try:
                results.append(extractor.extract(report))
            except Exception as error:  # noqa: BLE001 - reported per input, batch goes on
                results.append(Failure(report.origin or report.id, f"extraction failed: {error}", report.id))
        return results


def extract_in_process(
    reports: Iterable[Report], settings: Settings, known_names: Sequence[KnownName]
) -> Iterator[Extraction | Failure]:
    extractor = Extractor(settings, known_names)
    for chunk in chunks(reports):
        yield from extract_chunk(extractor, chunk)


def extract_in_pool(
    reports: Iterable[Report], settings: Settings, workers: int, known_names: Sequence[KnownName]
) -> Iterator[Extraction | Failure]:
    # spawn: workers load their own models and never inherit the parent's database connections.
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=_init_worker, initargs=(settings, tuple(known_names))) as pool:
        for results in pool.imap(_extract_in_worker, chunks(reports)):
            yield from results


_worker_extractor: Extractor | None = None


def _init_worker(settings: Settings, known_names: tuple[KnownName, ...]) -> None:
    global _worker_extractor
    _worker_extractor = Extractor(settings, known_names)


def _extract_in_worker(chunk: list[Report]) -> list[Extraction | Failure]:
    assert _worker_extractor is not None, "worker used before initialisation"
    return extract_chunk(_worker_extractor, chunk)
