"""Liaison's exceptions. Every message names the input and says what to do about it.

::

    LiaisonError
    ├── InputError            an input (file, record, URL) cannot be read as a report
    │   ├── UnsupportedInput  a file kind Liaison does not read
    │   ├── MalformedRecord   one JSON/JSONL record is invalid (carries the line number)
    │   ├── InvalidBundle     a partner's STIX bundle is rejected (carries every reason)
    │   └── ReportTimeout     a report took longer than LIAISON_MAX_REPORT_SECONDS to extract
    ├── ExtractionError       the NLP pipeline could not run (e.g. a model is not installed)
    └── StoreError            the store cannot be opened, migrated or queried
        └── NotFound          no report or entity matches the identifier given
"""

from __future__ import annotations


class LiaisonError(Exception):
    """Base class for every error Liaison reports to a user."""


class InputError(LiaisonError):
    """An input cannot be read as a report; ``source`` names it (``path`` or ``path:line``)."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem


class UnsupportedInput(InputError):
    pass


class MalformedRecord(InputError):
    """One record of a JSON Lines file (``path:line``) or of a JSON list (``path[index]``) is invalid."""

    def __init__(self, path: str, line: int, problem: str, in_list: bool = False) -> None:
        super().__init__(f"{path}[{line}]" if in_list else f"{path}:{line}", problem)
        self.path = path
        self.line = line


class ExtractionError(LiaisonError):
    pass


class StoreError(LiaisonError):
    pass


class NotFound(StoreError):
    pass


class InvalidBundle(InputError):
    """A STIX bundle was rejected as a whole; ``messages`` are every reason found, nothing was stored."""

    def __init__(self, source: str, messages: list[str]) -> None:
        more = f" (and {len(messages) - 1} more problem(s))" if len(messages) > 1 else ""
        super().__init__(source, f"bundle rejected, nothing stored: {messages[0]}{more}")
        self.messages = tuple(messages)


class ReportTimeout(InputError):
    """A report took longer than the per-report cap (``LIAISON_MAX_REPORT_SECONDS``) and was skipped."""

    def __init__(self, source: str, seconds: float) -> None:
        super().__init__(source, f"took longer than {seconds:g} s to process; skipped")
        self.seconds = seconds
