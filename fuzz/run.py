"""The long fuzz run: every target of ``fuzz.targets`` for a time budget, counting inputs and crashes.

    PYTHONPATH=src:. python fuzz/run.py --minutes 60            # all targets, the time shared out
    PYTHONPATH=src:. python fuzz/run.py --examples 100000 --target dates

Each target runs in rounds of ``--round`` examples with a fresh random seed until its share of the time
(or its ``--examples``) is used. A crash is shrunk by Hypothesis, printed with its minimal input, and
counted; the run continues. The table at the end gives inputs tried and crashes per target; the exit
status is 1 if any target crashed.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from hypothesis import HealthCheck, Phase, given, seed, settings

from fuzz.summary import print_summary
from fuzz.targets import TARGETS_BY_KEY, Target


def run_round(target: Target, examples: int, counter: list[int]) -> str | None:
    """One Hypothesis run of ``examples`` inputs; the failure's text if the property broke."""

    def counted(case: object) -> None:
        counter[0] += 1
        target.check(case)

    test = settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=False,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )(seed(random.getrandbits(64))(given(target.strategy)(counted)))
    try:
        test()
    except Exception:  # noqa: BLE001 - any failure of the property is reported, then the run goes on
        return traceback.format_exc(limit=-8)[-4000:]
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--minutes", type=float, default=None, help="total time budget, shared by the targets"
    )
    parser.add_argument("--examples", type=int, default=None, help="inputs per target (default: by time)")
    parser.add_argument("--target", action="append", choices=sorted(TARGETS_BY_KEY), help="repeatable")
    parser.add_argument("--round", type=int, default=2000, help="inputs per Hypothesis run")
    args = parser.parse_args(argv)
    if args.minutes is None and args.examples is None:
        args.minutes = 10.0
    keys = args.target or sorted(TARGETS_BY_KEY)
    budget = None if args.minutes is None else args.minutes * 60 / len(keys)
    rows = []
    for key in keys:
        target = TARGETS_BY_KEY[key]
        counter, crashes, started = [0], 0, time.monotonic()
        while True:
            elapsed = time.monotonic() - started
            if budget is not None and elapsed >= budget:
                break
            if args.examples is not None and counter[0] >= args.examples:
                break
            size = args.round if args.examples is None else min(args.round, args.examples - counter[0])
            failure = run_round(target, size, counter)
            if failure:
                crashes += 1
                print(f"\n=== crash in {key} ===\n{failure}", flush=True)
        seconds = time.monotonic() - started
        rows.append((key, counter[0], crashes, seconds))
        print(f"{key}: {counter[0]} inputs, {crashes} crash(es), {seconds:.0f} s", flush=True)
    return print_summary(rows)


if __name__ == "__main__":
    sys.exit(main())
