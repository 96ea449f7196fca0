"""Charts drawn on the server as SVG geometry: the template writes the elements, every label escaped.

A chart is computed here (positions and sizes in the SVG's own coordinates) and written by
``templates/home/_stacked_bars.html``; the browser scales it with the page, and runs no script for it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

SERIES_SHOWN = 7  # the most frequent series; the rest are one "other" series (the eighth colour)
MONTHS_SHOWN = 24
OTHER = "other"


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: int  # index of the colour class (series-0 …)
    label: str  # what a tooltip says: "2024-02 · arrest: 3"


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class LegendEntry:
    series: int
    label: str
    total: int


@dataclass(frozen=True)
class StackedBars:
    width: int
    height: int
    plot_left: float
    plot_bottom: float
    plot_right: float
    bars: tuple[Bar, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    legend: tuple[LegendEntry, ...]
    months: tuple[str, ...]
    points: int  # how many events the chart shows

    @property
    def empty(self) -> bool:
        return self.points == 0


def _month_range(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    end = (int(last[:4]), int(last[5:7]))
    months = []
    while (year, month) <= end:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _nice_step(maximum: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if maximum / step <= 5:
            return step
    return max(1, maximum // 5)


def stacked_bars(
    items: Iterable[tuple[str, Iterable[str]]], width: int = 600, height: int = 240
) -> StackedBars:
    """Bars per month stacked by series, from (month ``YYYY-MM``, series names) pairs: one pair per
    thing counted (an event counts once in each of its series, as an event of two topics does)."""
    by_month: dict[str, Counter[str]] = {}
    totals: Counter[str] = Counter()
    things: Counter[str] = Counter()  # things counted per month, each once whatever its series
    for month, names in items:
        if len(month) < 7 or not month[:4].isdigit() or not month[5:7].isdigit():
            continue
        things[month[:7]] += 1
        for name in set(names) or {OTHER}:
            by_month.setdefault(month[:7], Counter())[name] += 1
            totals[name] += 1
    left, right, top, bottom = 36.0, width - 8.0, 10.0, height - 28.0
    if not by_month:
        return StackedBars(width, height, left, bottom, right, (), (), (), (), (), 0)
    months = _month_range(min(by_month), max(by_month))[-MONTHS_SHOWN:]
    ranked = [name for name, _ in sorted(totals.items(), key=lambda item: (-item[1], item[0]))]
    shown = [name for name in ranked if name != OTHER][:SERIES_SHOWN]
    index = {name: position for position, name in enumerate(shown)}

    def series_of(name: str) -> int:
        return index.get(name, SERIES_SHOWN)

    stacks: list[list[tuple[int, str, int]]] = []
    for month in months:
        counts: Counter[int] = Counter()
        series_names: dict[int, str] = {}
        for name, count in by_month.get(month, Counter()).items():
            series = series_of(name)
            counts[series] += count
            series_names[series] = name if series < SERIES_SHOWN else OTHER
        stacks.append([(series, series_names[series], counts[series]) for series in sorted(counts)])
    peak = max((sum(count for _, _, count in stack) for stack in stacks), default=0) or 1
    step = _nice_step(peak)
    ceiling = step * -(-peak // step)
    slot = (right - left) / len(months)
    bar_width = min(48.0, max(2.0, slot * 0.7))
    bars: list[Bar] = []
    for position, (month, stack) in enumerate(zip(months, stacks, strict=True)):
        x = left + position * slot + (slot - bar_width) / 2
        base = bottom
        for series, name, count in stack:
            size = (bottom - top) * count / ceiling
            base -= size
            bars.append(
                Bar(
                    round(x, 2),
                    round(base, 2),
                    round(bar_width, 2),
                    round(size, 2),
                    series,
                    f"{month} · {name}: {count}",
                )
            )
    label_every = max(1, -(-len(months) // 8))
    x_ticks = tuple(
        Tick(round(left + i * slot + slot / 2, 2), month)
        for i, month in enumerate(months)
        if i % label_every == 0
    )
    y_ticks = tuple(
        Tick(round(bottom - (bottom - top) * value / ceiling, 2), str(value))
        for value in range(0, ceiling + 1, step)
    )
    legend = tuple(LegendEntry(series_of(name), name, totals[name]) for name in shown)
    rest = sum(count for name, count in totals.items() if series_of(name) == SERIES_SHOWN)
    if rest:
        legend += (LegendEntry(SERIES_SHOWN, OTHER, rest),)
    points = sum(things[month] for month in months)
    return StackedBars(
        width, height, left, bottom, right, tuple(bars), x_ticks, y_ticks, legend, tuple(months), points
    )


def label_counts(values: Mapping[str, int]) -> list[tuple[str, int]]:
    """Counts, the largest first (then by name)."""
    return sorted(values.items(), key=lambda item: (-item[1], item[0]))
