"""Every module-level regular expression of ingest and extract finishes on adversarial input.

Each search runs in a worker process with a generous timeout: a hang detector for catastrophic
backtracking, not a speed assertion.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from concurrent.futures import ProcessPoolExecutor

import pytest

import liaison.extract
import liaison.ingest

ADVERSARIAL = [
    "a" * 5000 + "!",
    "A" * 5000 + "!",
    "1" * 5000 + "x",
    "- " * 3000 + "!",
    ". " * 3000,
    "1/" * 2000 + "x",
    "Mr. " * 1000 + "!",
    "<meta " * 1000 + "x",
    "-" * 3000 + "\n",
    " \t" * 3000 + "x",
]


def _patterns() -> list[tuple[str, re.Pattern[str] | re.Pattern[bytes]]]:
    found = []
    for package in (liaison.ingest, liaison.extract):
        for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
            module = importlib.import_module(info.name)
            for name, value in vars(module).items():
                if isinstance(value, re.Pattern):
                    found.append((f"{info.name}.{name}", value))
    return found


def _search_all(pattern: re.Pattern[str] | re.Pattern[bytes]) -> int:
    matched = 0
    for text in ADVERSARIAL:
        subject = text.encode() if isinstance(pattern.pattern, bytes) else text
        matched += sum(1 for _ in pattern.finditer(subject))  # type: ignore[arg-type]
    return matched


PATTERNS = _patterns()


def test_the_patterns_are_found() -> None:
    assert len(PATTERNS) >= 10


@pytest.fixture(scope="module")
def pool() -> ProcessPoolExecutor:
    with ProcessPoolExecutor(max_workers=2) as executor:
        yield executor  # type: ignore[misc]


@pytest.mark.parametrize(("name", "pattern"), PATTERNS, ids=[name for name, _ in PATTERNS])
def test_pattern_finishes_on_adversarial_input(
    pool: ProcessPoolExecutor, name: str, pattern: re.Pattern[str]
) -> None:
    future = pool.submit(_search_all, pattern)
    future.result(timeout=20)  # raises TimeoutError if the pattern backtracks catastrophically
