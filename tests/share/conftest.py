"""The sample bundle: a hand-written Liaison STIX 2.1 export (three reports, TLP GREEN, AMBER and RED)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

SAMPLE_BUNDLE = Path(__file__).parent / "data" / "sample-bundle.json"
_SAMPLE: dict[str, Any] = json.loads(SAMPLE_BUNDLE.read_text(encoding="utf-8"))


@pytest.fixture
def sample_bundle() -> dict[str, Any]:
    """A fresh copy, so that a test may change it without affecting the others."""
    return copy.deepcopy(_SAMPLE)


def object_named(bundle: dict[str, Any], name: str) -> dict[str, Any]:
    [found] = [obj for obj in bundle["objects"] if obj.get("name") == name]
    return found
