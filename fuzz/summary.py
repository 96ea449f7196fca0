"""The table both long runs print at the end: inputs, crashes and time per target."""

from __future__ import annotations

Row = tuple[str, int, int, float]  # target, inputs, crashes, seconds


def print_summary(rows: list[Row]) -> int:
    """Print the table; the exit status of the run: 1 if any target crashed."""
    width = max([len("target"), *(len(row[0]) for row in rows)]) + 2
    print(f"\n{'target':<{width}} {'inputs':>10} {'crashes':>8} {'seconds':>8} {'inputs/s':>9}")
    for target, inputs, crashes, seconds in rows:
        rate = inputs / max(seconds, 1e-9)
        print(f"{target:<{width}} {inputs:>10} {crashes:>8} {seconds:>8.0f} {rate:>9.0f}")
    total, crashed, seconds = (sum(row[index] for row in rows) for index in (1, 2, 3))
    print(f"{'total':<{width}} {total:>10} {crashed:>8} {seconds:>8.0f}")
    return 1 if crashed else 0
