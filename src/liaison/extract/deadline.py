"""A per-report time cap for extraction (``LIAISON_MAX_REPORT_SECONDS``).

Why cooperative checks: the costs that grow with hostile input are in Liaison's own Python loops
(candidates against candidates, mentions against mentions, sentences, event and time candidates); a
check there stops a report within one loop step of its deadline, in any engine, with no process or
signal machinery (``signal.alarm`` works only in a main thread, and the API ingests in worker threads).
spaCy's parser and tagger are linear in the text (transition-based), which is itself bounded by
``LIAISON_MAX_REPORT_BYTES``; what a check cannot interrupt (a C loop) is the process-pool engine's
hard backstop's job (``liaison.engines.local``).

The deadline of the report being extracted lives in a context variable, so a loop deep in a stage calls
``check_deadline()`` without every signature in between carrying it. Outside ``deadline_scope`` the check
does nothing (evaluation, tests, one-off use).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from liaison.errors import ReportTimeout

Clock = Callable[[], float]


@dataclass
class Deadline:
    """``seconds`` of ``clock`` from creation for the report named ``label``, ``charged`` of them already
    spent (its share of a batch's parse); ``seconds`` 0 never ends."""

    seconds: float
    label: str
    clock: Clock = time.monotonic
    charged: float = 0.0

    def __post_init__(self) -> None:
        self.started = self.clock() - self.charged
        for observer in _observers:
            observer(self)

    @property
    def elapsed(self) -> float:
        return self.clock() - self.started

    @property
    def expired(self) -> bool:
        return self.seconds > 0 and self.elapsed > self.seconds

    def check(self) -> None:
        if self.expired:
            raise ReportTimeout(self.label, self.seconds)


# Told of every deadline as it starts: a process-pool worker tells its parent, which kills it if a step
# runs past its deadline without checking (liaison.engines.local).
_observers: list[Callable[[Deadline], None]] = []


def observe_deadlines(observer: Callable[[Deadline], None]) -> None:
    _observers.append(observer)


_current: ContextVar[Deadline | None] = ContextVar("liaison_report_deadline", default=None)


def current_deadline() -> Deadline | None:
    """The deadline of the report being extracted, if any."""
    return _current.get()


def check_deadline() -> None:
    """Raise ``ReportTimeout`` if the report being extracted is over its time cap."""
    deadline = _current.get()
    if deadline is not None:
        deadline.check()


@contextmanager
def deadline_scope(deadline: Deadline | None) -> Iterator[Deadline | None]:
    """Make ``deadline`` the one ``check_deadline`` enforces while the block runs."""
    token = _current.set(deadline)
    try:
        yield deadline
    finally:
        _current.reset(token)
