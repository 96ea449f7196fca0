"""The per-report time cap inside the extractor: deadlines, the checks in the loops, and batches."""

from __future__ import annotations

import random
from collections.abc import Sequence
from itertools import count

import pytest

from liaison.domain import Extraction, Report
from liaison.errors import InputError, ReportTimeout
from liaison.extract import Extractor
from liaison.extract import pipeline as pipeline_module
from liaison.extract.deadline import Deadline, check_deadline, current_deadline, deadline_scope
from liaison.settings import Settings


class StepClock:
    """A clock that moves only when told to: time passes exactly where a test says it does."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_deadline_expires_after_its_seconds_and_names_its_report() -> None:
    clock = StepClock()
    deadline = Deadline(5, "inbox/report.txt", clock)
    clock.now = 5
    deadline.check()  # at the cap: still in time
    clock.now = 5.5
    with pytest.raises(ReportTimeout) as raised:
        deadline.check()
    assert isinstance(raised.value, InputError)
    assert str(raised.value) == "inbox/report.txt: took longer than 5 s to process; skipped"
    assert raised.value.source == "inbox/report.txt"


def test_time_already_charged_counts_and_a_zero_cap_never_ends() -> None:
    clock = StepClock()
    assert Deadline(5, "charged", clock, charged=6).expired
    clock.now = 1e9
    assert not Deadline(0, "uncapped", clock, charged=1e9).expired


def test_the_check_applies_only_inside_a_scope() -> None:
    clock = StepClock()
    deadline = Deadline(1, "scoped", clock)
    clock.now = 2
    check_deadline()  # no report is being extracted: nothing to enforce
    with deadline_scope(deadline), pytest.raises(ReportTimeout):
        check_deadline()
    assert current_deadline() is None
    check_deadline()


NAME_SYLLABLES = ("ka", "ro", "be", "lin", "tu", "sa", "mor", "vek", "dal", "ni", "po", "zar", "qui", "len")


def many_names(count_of_names: int) -> str:
    """Made-up capitalised names in a row: grouping compares them pairwise."""
    pick = random.Random(7).choice
    names = []
    for _ in range(count_of_names):
        first = "".join(pick(NAME_SYLLABLES) for _ in range(2)).capitalize()
        last = "".join(pick(NAME_SYLLABLES) for _ in range(3)).capitalize()
        names.append(f"{first} {last}")
    return ", ".join(names) + "."


@pytest.mark.model
def test_a_report_of_names_is_stopped_inside_the_grouping_loops() -> None:
    # Every check reads the clock and each read is one tick: the cap is a number of checks, so which
    # report overruns does not depend on the machine's speed.
    ticks = count()
    extractor = Extractor(Settings(max_report_seconds=2000), clock=lambda: float(next(ticks)))
    short = Report(text="The minister met the delegation in the capital on Monday.", origin="short.txt")
    assert isinstance(extractor.extract(short), Extraction)
    with pytest.raises(ReportTimeout, match=r"^names\.txt: took longer than 2000 s") as raised:
        extractor.extract(Report(text=many_names(600), language="en", origin="names.txt"))
    assert any(entry.path.name == "grouping.py" for entry in raised.traceback)


def expire_for(marker: str, stage: object) -> object:
    """Wrap a pipeline stage so that, on a report containing ``marker``, its deadline is spent."""

    def spent(text: str, *arguments: object, **keywords: object) -> object:
        deadline = current_deadline()
        if marker in text and deadline is not None:
            deadline.started -= 1e6  # as if the stage had taken eleven days
        return stage(text, *arguments, **keywords)  # type: ignore[operator]

    return spent


def reports_with_slow_middle() -> list[Report]:
    return [
        Report(text="Officials in the port city reported calm on Tuesday.", origin="first.txt"),
        Report(text="A convoy crossed the bridge near the border. SLOWMARK", origin="slow.txt"),
        Report(text="The council adopted the budget after a long debate.", origin="last.txt"),
    ]


@pytest.mark.model
def test_one_report_over_the_cap_does_not_sink_its_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        pipeline_module, "extract_roles", expire_for("SLOWMARK", pipeline_module.extract_roles)
    )
    extractor = Extractor(Settings(max_report_seconds=60))
    outcomes = list(extractor.extract_outcomes(reports_with_slow_middle()))
    assert [type(o) for o in outcomes] == [Extraction, ReportTimeout, Extraction]
    assert str(outcomes[1]) == "slow.txt: took longer than 60 s to process; skipped"
    first, last = outcomes[0], outcomes[2]
    assert isinstance(first, Extraction) and first.report.origin == "first.txt"
    assert isinstance(last, Extraction) and last.report.origin == "last.txt"
    with pytest.raises(ReportTimeout):
        list(extractor.extract_many(reports_with_slow_middle()))


@pytest.mark.model
def test_a_batch_whose_shared_parse_overruns_is_redone_report_by_report(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = StepClock()
    parsed: list[int] = []
    original = Extractor._parse

    def slow_when_batched(self: Extractor, reports: Sequence[Report], languages: Sequence[str]) -> object:
        parsed.append(len(reports))
        docs = original(self, reports, languages)
        if len(reports) > 1:
            clock.now += 100  # the batch took longer than the cap as a whole
            check_deadline()
        return docs

    monkeypatch.setattr(Extractor, "_parse", slow_when_batched)
    extractor = Extractor(Settings(max_report_seconds=60), clock=clock)
    reports = [
        Report(text=r.text.replace(" SLOWMARK", ""), origin=r.origin) for r in reports_with_slow_middle()
    ]
    outcomes = list(extractor.extract_outcomes(reports))
    assert all(isinstance(o, Extraction) for o in outcomes)
    assert parsed == [3, 1, 1, 1]


@pytest.mark.model
def test_without_a_cap_nothing_is_timed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        pipeline_module, "extract_roles", expire_for("SLOWMARK", pipeline_module.extract_roles)
    )
    extractor = Extractor(Settings(max_report_seconds=0))
    assert all(isinstance(o, Extraction) for o in extractor.extract_outcomes(reports_with_slow_middle()))


def test_parse_minibatches_hold_at_most_one_chunk_of_characters() -> None:
    pieces = [(0, 0, "a" * 40), (1, 0, "b" * 50), (2, 0, "c" * 30), (3, 0, "d" * 250), (3, 250, "e" * 10)]
    groups = list(pipeline_module.batches_of_characters(pieces, 100))
    assert [[piece[0] for piece in group] for group in groups] == [[0, 1], [2], [3], [3]]
    assert [sum(len(piece[2]) for piece in group) for group in groups] == [90, 30, 250, 10]
