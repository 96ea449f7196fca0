"""The soak (``bench/soak.py``) for 30 seconds: a real ``liaison serve`` under readers and a writer.

The long run (10 minutes) is a documented command whose figures are in docs/reliability.md; this one
checks on every ``make test`` that the same load gives no error and no memory growth, with limits
generous enough for a busy two-core machine (30 seconds is too short to judge a slope).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench" / "soak.py"


def _soak() -> ModuleType:
    spec = importlib.util.spec_from_file_location("liaison_bench_soak", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


soak = _soak()


def _series(values: list[float]) -> list[tuple[float, float]]:
    return [(float(second), value) for second, value in enumerate(values)]


def test_a_steady_series_passes_the_memory_verdict() -> None:
    warm_up = [300.0 + second for second in range(20)]  # the first 20% is not judged
    steady = [320.0 + (second % 3) * 0.5 for second in range(80)]
    verdict = soak.memory_verdict(_series(warm_up + steady), 30, 15, 60)
    assert verdict.ok, verdict.problems
    assert verdict.growth_mb == pytest.approx(0, abs=1) and verdict.baseline_mb == pytest.approx(320.5)


def test_growth_fails_the_memory_verdict() -> None:
    leaking = [300.0 + 0.6 * second for second in range(100)]  # 60 MB over the run
    verdict = soak.memory_verdict(_series(leaking), 30, 15, 100_000)
    assert not verdict.ok
    assert verdict.growth_mb == pytest.approx(0.6 * (90 - 30), abs=1)
    assert any("MB (more than 30 MB)" in problem for problem in verdict.problems)
    small = [100.0 + 0.3 * second for second in range(100)]  # 18 MB: under 30 MB, but 18%
    assert [p for p in soak.memory_verdict(_series(small), 30, 15, 100_000).problems if "%" in p]


def test_a_slow_rise_fails_on_its_slope() -> None:
    # 10 MB over 10 minutes: under the growth limits, but 60 MB an hour.
    creeping = [(float(second), 400.0 + second / 60) for second in range(600)]
    verdict = soak.memory_verdict(creeping, 30, 15, 30)
    assert verdict.slope_mb_per_hour == pytest.approx(60, rel=0.01)
    assert verdict.problems and "MB/hour" in verdict.problems[0]
    assert soak.memory_verdict(creeping, 30, 15, 90).ok


def test_too_few_samples_is_no_verdict() -> None:
    assert not soak.memory_verdict(_series([100.0] * 5), 30, 15, 60).ok


def test_generated_reports_are_distinct_and_withheld_ones_share_no_name() -> None:
    rng = soak.random.Random(3)
    texts = [soak.report_text(serial, rng)[1] for serial in range(50)]
    assert len(set(texts)) == 50
    shared = set(soak._SHARED_WORDS[0]) | set(soak._SHARED_WORDS[1])
    withheld_text = soak.report_text(1, rng, withheld=True)[1].lower()
    assert not {word for word in shared if len(word) > 2 and word.lower() in withheld_text.split()}


def test_thirty_seconds_of_readers_and_a_writer_give_no_error_and_no_growth() -> None:
    limits = soak.Limits(max_growth_mb=60, max_growth_percent=20, max_slope_mb_per_hour=float("inf"))
    result = soak.run_soak(seconds=30, readers=2, write_interval=3, seed_reports=2, limits=limits)
    report = "\n".join(soak.summary_table(result) + result.recorder.messages[:10] + result.tracebacks)
    assert result.errors == 0, report
    assert result.verdict.ok, result.verdict.problems
    groups = set(result.recorder.latencies)
    assert {"rest list", "taxii objects", "ingest"} <= groups, report
    assert result.reports_written >= 3 and result.recorder.requests > 100, report
