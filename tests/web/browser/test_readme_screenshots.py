"""The README shows a screenshot of every page, each one the screenshot script takes, at its width."""

from __future__ import annotations

import re
import struct
from pathlib import Path

from tests.web.browser.screenshots import OUTPUT
from tests.web.browser.support import LAPTOP, TABLET

ROOT = Path(__file__).resolve().parents[3]
README = (ROOT / "README.md").read_text("utf-8")
# Every page of the web interface the README must show (``screenshots.shots`` takes these).
PAGES = {
    "login",
    "dashboard",
    "report",
    "report-tablet",
    "entity",
    "event",
    "search",
    "sharing",
    "ingest",
    "brief",
}


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n" and header[12:16] == b"IHDR", path
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_every_page_has_a_screenshot_shown_in_the_readme() -> None:
    linked = re.findall(r"!\[[^\]]+\]\((docs/screenshots/[^)]+\.png)\)", README)
    assert {Path(link).stem for link in linked} == PAGES
    assert {path.stem for path in OUTPUT.glob("*.png")} == PAGES
    for link in linked:
        assert (ROOT / link).is_file(), link


def test_screenshots_are_at_laptop_and_tablet_width() -> None:
    for path in OUTPUT.glob("*.png"):
        width, height = _png_size(path)
        expected = TABLET if path.stem.endswith("-tablet") else LAPTOP
        assert width == expected["width"], path.name
        assert height >= expected["height"], path.name
