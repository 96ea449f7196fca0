"""ACCEPTANCE (issue 10): a brief with ``--tlp-max green`` contains nothing from AMBER or RED reports — no
name, sentence, title or count only they give — in HTML or in PDF, and says TLP:GREEN (or CLEAR)."""

from __future__ import annotations

import re
from pathlib import Path

import pypdf
import pytest
from typer.testing import CliRunner

from liaison.cli import app
from liaison.settings import Settings
from liaison.store import Store
from tests.briefing.world import (
    AMBER_MARKERS,
    GREEN_GROUP,
    GREEN_ORG,
    GREEN_PARTNER,
    GREEN_TAGS,
    PERSON,
    RED_MARKERS,
    BriefWorld,
    build_world,
)

runner = CliRunner()
WITHHELD = (*AMBER_MARKERS, *RED_MARKERS, "TLP:AMBER", "TLP:RED")


def liaison(settings: Settings, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--db", settings.database_url, *args], catch_exceptions=False)
    return result.exit_code, result.stdout + result.stderr


def pdf_text(path: Path) -> str:
    pages = pypdf.PdfReader(path).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


def html_text(path: Path) -> str:
    return " ".join(path.read_text("utf-8").split())


@pytest.fixture
def world(store: Store, settings: Settings) -> BriefWorld:
    return build_world(store, settings)


# The person is named in GREEN, AMBER and RED reports: the GREEN brief on them holds the GREEN ones only.
@pytest.mark.parametrize("subject", [[PERSON], ["--topic", "cybercrime"], [GREEN_ORG], ["--place", "France"]])
def test_green_brief_holds_nothing_from_amber_or_red_reports(
    settings: Settings, world: BriefWorld, tmp_path: Path, subject: list[str]
) -> None:
    for name, read in (("brief.html", html_text), ("brief.pdf", pdf_text)):
        output = tmp_path / name
        code, said = liaison(settings, "brief", *subject, "--tlp-max", "green", "--out", str(output))
        assert code == 0, said
        assert "TLP:GREEN" in said
        text = read(output)
        for withheld in WITHHELD:
            assert withheld not in text, (name, withheld)
        # what the GREEN reports say is there, with the GREEN banner
        assert GREEN_ORG in text
        assert GREEN_GROUP in text or subject == [PERSON]  # the person takes part in no event
        for tag in GREEN_TAGS:
            assert f"Report {tag}" in text
        assert "TLP:GREEN" in text


def test_without_the_limit_the_same_brief_shows_amber_and_red(
    settings: Settings, world: BriefWorld, tmp_path: Path
) -> None:
    """The control: the markers are in the store and the home organisation reads them."""
    output = tmp_path / "all.html"
    code, said = liaison(settings, "brief", "--topic", "cybercrime", "--out", str(output))
    assert code == 0, said
    text = html_text(output)
    for marker in (*AMBER_MARKERS, *RED_MARKERS):
        assert marker in text, marker
    assert re.search(r'class="tlp screen"[^>]*>TLP:RED<', text)


def test_a_green_brief_on_what_only_amber_or_red_reports_name_is_refused_as_unknown(
    settings: Settings, world: BriefWorld, tmp_path: Path
) -> None:
    """The person is also named in GREEN reports, so a GREEN brief on them exists (the test above); an
    organisation only AMBER reporting names does not, and says so exactly as for an unknown name."""
    output = tmp_path / "withheld.pdf"
    code, said = liaison(settings, "brief", AMBER_MARKERS[0], "--tlp-max", "green", "--out", str(output))
    assert code == 1 and not output.exists()
    unknown_code, unknown_said = liaison(
        settings, "brief", "Nobody Known", "--tlp-max", "green", "--out", str(output)
    )
    assert unknown_code == 1
    assert said.replace(AMBER_MARKERS[0], "?") == unknown_said.replace("Nobody Known", "?")
    code, said = liaison(settings, "brief", PERSON, "--out", str(tmp_path / "person.html"))
    assert code == 0 and "TLP:RED" in said


def test_a_brief_for_a_partner_and_refused_arguments(
    settings: Settings, world: BriefWorld, tmp_path: Path
) -> None:
    output = tmp_path / "partner.html"
    code, said = liaison(
        settings, "brief", "--topic", "cybercrime", "--for", GREEN_PARTNER, "--out", str(output)
    )
    assert code == 0 and f"for {GREEN_PARTNER}" in said
    text = html_text(output)
    assert GREEN_ORG in text
    for withheld in WITHHELD:
        assert withheld not in text
    assert liaison(settings, "brief", GREEN_ORG, "--out", str(tmp_path / "brief.docx"))[0] == 2
    assert liaison(settings, "brief", GREEN_ORG, "--topic", "cybercrime", "--out", str(output))[0] == 2
    assert liaison(settings, "brief", GREEN_ORG, "--tlp-max", "purple", "--out", str(output))[0] == 2
    code, said = liaison(settings, "brief", GREEN_ORG, "--for", "No Such Partner", "--out", str(output))
    assert code == 1 and "No Such Partner" in said
