"""Extraction in this process or in a pool of processes that each load the models once.

Time cap (``Settings.max_report_seconds``): the extractor holds every report to it by checks in its own
loops (``liaison.extract.deadline``), in any engine. What never reaches a check (a C loop in a model or a
regular expression) cannot be stopped from inside the process; in a pool, workers tell the parent each
deadline as it starts, and a worker still on one ``HARD_LIMIT_GRACE_SECONDS`` past it is killed with its
pool: the report it was on fails with the same ``ReportTimeout`` message, and every unfinished chunk runs
again in a fresh pool. In this process (one worker) only the checks apply.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import queue
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.pool import AsyncResult, Pool
from typing import Any

from liaison.domain import Extraction, KnownName, Report
from liaison.errors import ReportTimeout
from liaison.extract import Extractor
from liaison.extract.deadline import Deadline, observe_deadlines
from liaison.extract.pipeline import label_of
from liaison.settings import Settings

# Reports handed to a worker at a time: large enough for nlp.pipe batching, small enough to balance.
WORKER_CHUNK = 8
# How long past a deadline a worker may still be on it before it is killed: the checks' own granularity
# (one spaCy component over one 100,000-character piece) must fit in it on a loaded machine.
HARD_LIMIT_GRACE_SECONDS = 30.0
# How often the parent looks at its workers' deadlines while it waits for a result.
WATCH_SECONDS = 0.2


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


def _result(report: Report, outcome: Extraction | ReportTimeout) -> Extraction | Failure:
    if isinstance(outcome, ReportTimeout):
        return Failure(outcome.source, str(outcome), report.id)
    return outcome


def extract_chunk(extractor: Extractor, chunk: list[Report]) -> list[Extraction | Failure]:
    try:
        outcomes = list(extractor.extract_outcomes(chunk))
    except Exception:  # noqa: BLE001 - one bad report must not sink its neighbours: retry one by one
        results: list[Extraction | Failure] = []
        for report in chunk:
            try:
                results.extend(_result(report, o) for o in extractor.extract_outcomes([report]))
            except Exception as error:  # noqa: BLE001 - reported per input, batch goes on
                results.append(Failure(label_of(report), f"extraction failed: {error}", report.id))
        return results
    return [_result(report, outcome) for report, outcome in zip(chunk, outcomes, strict=True)]


def extract_in_process(
    reports: Iterable[Report], settings: Settings, known_names: Sequence[KnownName]
) -> Iterator[Extraction | Failure]:
    extractor = Extractor(settings, known_names)
    for chunk in chunks(reports):
        yield from extract_chunk(extractor, chunk)


def extract_in_pool(
    reports: Iterable[Report],
    settings: Settings,
    workers: int,
    known_names: Sequence[KnownName],
    grace_seconds: float = HARD_LIMIT_GRACE_SECONDS,
    worker_setup: Callable[[], None] | None = None,
) -> Iterator[Extraction | Failure]:
    """Extract in ``workers`` processes, in input order. ``worker_setup`` runs in each worker after the
    extractor is made (tests use it to make a report hang where no check can see it)."""
    tasks = [_Task(chunk) for chunk in chunks(reports)]
    supervisor = _Supervisor(settings, workers, tuple(known_names), grace_seconds, worker_setup)
    try:
        supervisor.start(tasks)
        for task in tasks:
            supervisor.wait_for(task)
            yield from task.results()
    finally:
        supervisor.close()


@dataclass(eq=False)
class _Task:
    """A chunk for one worker; after a worker was killed on it, split into one task per report."""

    reports: list[Report]
    done: list[Extraction | Failure] | None = None
    parts: list[_Task] = field(default_factory=list)
    pending: AsyncResult[list[Extraction | Failure]] | None = None

    def unfinished(self) -> list[_Task]:
        if self.parts:
            return [leaf for part in self.parts for leaf in part.unfinished()]
        return [] if self.done is not None else [self]

    def results(self) -> list[Extraction | Failure]:
        if self.parts:
            return [result for part in self.parts for result in part.results()]
        assert self.done is not None, "results of an unfinished task"
        return self.done


@dataclass(frozen=True)
class _Step:
    """What a worker said it is on: a task, the report (or batch) label, and when its deadline ends."""

    task: int
    label: str | None
    ends_at: float | None


class _Supervisor:
    """A spawn pool whose workers report their deadlines, replaced whenever one overruns its own."""

    def __init__(
        self,
        settings: Settings,
        workers: int,
        known_names: tuple[KnownName, ...],
        grace_seconds: float,
        worker_setup: Callable[[], None] | None,
    ) -> None:
        # spawn: workers load their own models and never inherit the parent's database connections.
        self._context = multiprocessing.get_context("spawn")
        self._settings = settings
        self._workers = workers
        self._known_names = known_names
        self._grace = grace_seconds
        self._setup = worker_setup
        self._tasks: list[_Task] = []
        self._by_number: dict[int, _Task] = {}
        self._numbers = itertools.count()
        self._steps: dict[int, _Step] = {}
        self._pool: Pool | None = None
        self._progress: Any = None

    def start(self, tasks: list[_Task]) -> None:
        self._tasks = tasks
        self._open()

    def _open(self) -> None:
        self._progress = self._context.Queue()
        self._steps = {}
        self._pool = self._context.Pool(
            self._workers,
            initializer=_init_worker,
            initargs=(self._settings, self._known_names, self._progress, self._setup),
        )
        for task in self._tasks:
            for leaf in task.unfinished():
                number = next(self._numbers)
                self._by_number[number] = leaf
                leaf.pending = self._pool.apply_async(_extract_in_worker, (number, leaf.reports))

    def wait_for(self, task: _Task) -> None:
        while True:
            waiting = task.unfinished()
            for leaf in waiting:
                if leaf.pending is not None and leaf.pending.ready():
                    leaf.done = leaf.pending.get()
            waiting = task.unfinished()
            if not waiting:
                return
            assert waiting[0].pending is not None
            waiting[0].pending.wait(WATCH_SECONDS)
            self._watch()

    def _watch(self) -> None:
        while True:
            try:
                pid, number, label, ends_at = self._progress.get_nowait()
            except queue.Empty:
                break
            self._steps[pid] = _Step(number, label, ends_at)
        now = time.monotonic()  # CLOCK_MONOTONIC is system-wide: the workers' deadlines compare with it
        for step in self._steps.values():
            if step.ends_at is not None and now > step.ends_at + self._grace:
                self._replace_pool(step)
                return

    def _replace_pool(self, stuck: _Step) -> None:
        """Kill every worker, fail the report the stuck one was on, and start the unfinished over."""
        self.close()
        for task in self._tasks:
            for leaf in task.unfinished():
                if leaf.pending is not None and leaf.pending.ready() and leaf.pending.successful():
                    leaf.done = leaf.pending.get()
        task = self._by_number[stuck.task]
        if task.done is None:
            task.parts = [_Task([report]) for report in task.reports]
            for part in task.parts:
                report = part.reports[0]
                if label_of(report) == stuck.label:
                    timeout = ReportTimeout(stuck.label, self._settings.max_report_seconds)
                    part.done = [Failure(stuck.label, str(timeout), report.id)]
        self._open()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None
        if self._progress is not None:
            # A killed worker may have died writing to it: never reuse it, never wait on it.
            self._progress.close()
            self._progress.cancel_join_thread()
            self._progress = None


_worker_extractor: Extractor | None = None
_worker_progress: Any = None
_worker_task = -1


def _init_worker(
    settings: Settings,
    known_names: tuple[KnownName, ...],
    progress: Any,
    setup: Callable[[], None] | None,
) -> None:
    global _worker_extractor, _worker_progress
    _worker_extractor = Extractor(settings, known_names)
    _worker_progress = progress
    observe_deadlines(_tell_deadline)
    if setup is not None:
        setup()


def _tell_deadline(deadline: Deadline) -> None:
    ends_at = deadline.started + deadline.seconds if deadline.seconds > 0 else None
    _worker_progress.put((os.getpid(), _worker_task, deadline.label, ends_at))


def _extract_in_worker(number: int, chunk: list[Report]) -> list[Extraction | Failure]:
    global _worker_task
    assert _worker_extractor is not None, "worker used before initialisation"
    _worker_task = number
    try:
        return extract_chunk(_worker_extractor, chunk)
    finally:
        _worker_progress.put((os.getpid(), number, None, None))
