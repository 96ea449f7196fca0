"""Bounded fuzzing of every parser (the long run is ``fuzz/run.py``): a result or a ``LiaisonError``."""

from __future__ import annotations

from typing import Any

import pytest
from fuzz.targets import TARGETS, Target
from hypothesis import HealthCheck, given, settings

BOUNDED = settings(
    max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck), derandomize=True
)
SLOW = settings(BOUNDED, max_examples=6)


@pytest.mark.parametrize("target", [t for t in TARGETS if not t.slow], ids=lambda t: t.name.split(" ")[0])
def test_parser_returns_a_result_or_a_liaison_error(target: Target) -> None:
    @BOUNDED
    @given(target.strategy)
    def run(case: Any) -> None:
        target.check(case)

    run()


@pytest.mark.parametrize("target", [t for t in TARGETS if t.slow], ids=lambda t: t.name.split(" ")[0])
def test_slow_target_returns_a_result_or_a_liaison_error(target: Target) -> None:
    @SLOW
    @given(target.strategy)
    def run(case: Any) -> None:
        target.check(case)

    run()
