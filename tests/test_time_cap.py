"""A report over ``LIAISON_MAX_REPORT_SECONDS`` is skipped as a failed input; its batch is stored."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from liaison import services
from liaison.cli import app
from liaison.domain import Extraction, Report
from liaison.engines.local import Failure, extract_in_pool
from liaison.extract import pipeline as pipeline_module
from liaison.extract.deadline import Deadline
from liaison.extract.pipeline import label_of
from liaison.settings import Settings
from liaison.store import Store
from tests.extract.test_deadline import expire_for, reports_with_slow_middle

pytestmark = pytest.mark.model

runner = CliRunner()


@pytest.fixture
def slow_marked_reports(monkeypatch: pytest.MonkeyPatch) -> list[Report]:
    """Three reports; reading the middle one's roles spends its whole time cap."""
    monkeypatch.setattr(
        pipeline_module, "extract_roles", expire_for("SLOWMARK", pipeline_module.extract_roles)
    )
    return reports_with_slow_middle()


def db_check(settings: Settings) -> tuple[int, str]:
    result = runner.invoke(app, ["--db", settings.resolved_database_url, "db", "check"])
    return result.exit_code, result.output


def test_the_reports_in_time_are_stored_and_the_slow_one_is_a_named_failure(
    settings: Settings, slow_marked_reports: list[Report]
) -> None:
    with Store.open(settings) as store:
        summary = services.ingest_reports(list(slow_marked_reports), settings, store, workers=1)
        stored = store.existing_report_ids(report.id for report in slow_marked_reports)
    assert summary.stored == 2
    assert [(f.source, f.message) for f in summary.failures] == [
        ("slow.txt", f"slow.txt: took longer than {settings.max_report_seconds:g} s to process; skipped")
    ]
    first, slow, last = slow_marked_reports
    assert summary.outcomes == {first.id: "stored", slow.id: "failed", last.id: "stored"}
    assert stored == {first.id, last.id}
    code, output = db_check(settings)
    assert code == 0 and "FAILED" not in output, output


def test_liaison_ingest_exits_1_naming_the_slow_file(
    sqlite_settings: Settings, slow_marked_reports: list[Report], tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for report in slow_marked_reports:
        (inbox / str(report.origin)).write_text(report.text + "\n", encoding="utf-8")
    database = sqlite_settings.resolved_database_url
    result = runner.invoke(app, ["--db", database, "ingest", "--workers", "1", str(inbox)])
    assert result.exit_code == 1, result.output
    assert "stored 2 report(s), 0 unchanged, 1 failed" in result.output
    slow = inbox / "slow.txt"
    assert f"{slow}: took longer than {sqlite_settings.max_report_seconds:g} s to process; skipped" in (
        " ".join(result.output.split())
    )
    code, output = db_check(sqlite_settings)
    assert code == 0 and "FAILED" not in output, output
    # The two stored are not extracted again; only the slow one is tried (and skipped) again.
    again = runner.invoke(app, ["--db", database, "ingest", "--workers", "1", "--json", str(inbox)])
    assert again.exit_code == 1 and '"unchanged": 2' in again.output


def test_the_cap_is_read_from_the_environment() -> None:
    assert Settings.from_environment({"LIAISON_MAX_REPORT_SECONDS": "2.5"}).max_report_seconds == 2.5
    assert Settings.from_environment({"LIAISON_MAX_REPORT_SECONDS": "0"}).max_report_seconds == 0
    assert Settings.from_environment({}).max_report_seconds == Settings().max_report_seconds > 0


HANG_MARKER = "HANGMARK"


def hang_where_no_check_sees(*_: object) -> None:
    """Runs in each pool worker: a report with the marker stops in a call that never checks its
    deadline (as a C loop would), after starting a deadline that ends almost at once."""
    original = pipeline_module.Extractor._build

    def build(self: pipeline_module.Extractor, report: Report, docs: object) -> Extraction:
        if HANG_MARKER in report.text:
            Deadline(0.01, label_of(report))
            time.sleep(120)  # without the backstop: extracted after two minutes, and the test fails
        return original(self, report, docs)  # type: ignore[arg-type]

    pipeline_module.Extractor._build = build  # type: ignore[method-assign]


@pytest.mark.slow
def test_a_pool_worker_stuck_past_its_deadline_is_replaced_and_its_report_failed() -> None:
    reports = [
        Report(text="Officials in the port city reported calm on Tuesday.", language="en", origin="a.txt"),
        Report(
            text=f"A convoy crossed the bridge near the border. {HANG_MARKER}", language="en", origin="b.txt"
        ),
        Report(text="The council adopted the budget after a long debate.", language="en", origin="c.txt"),
    ]
    settings = Settings(max_report_seconds=600)
    results = list(
        extract_in_pool(reports, settings, 2, (), grace_seconds=1.0, worker_setup=hang_where_no_check_sees)
    )
    assert [type(r) for r in results] == [Extraction, Failure, Extraction]
    failure = results[1]
    assert isinstance(failure, Failure)
    assert failure == Failure("b.txt", "b.txt: took longer than 600 s to process; skipped", reports[1].id)
