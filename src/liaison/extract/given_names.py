"""Common given names (data/given_names.txt, built by scripts/build-given-names)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PATH = Path(__file__).resolve().parent / "data" / "given_names.txt"


@cache
def given_names() -> frozenset[str]:
    """Case-folded given names common in at least one country."""
    lines = _PATH.read_text("utf-8").splitlines()
    return frozenset(line.strip().casefold() for line in lines if line.strip() and not line.startswith("#"))


def is_common_given_name(word: str) -> bool:
    return word.casefold() in given_names()
