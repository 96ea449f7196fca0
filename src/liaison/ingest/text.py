"""Plain-text and Markdown reports, with optional front matter for metadata.

A file may start with a block of ``key: value`` lines between two ``---`` lines (title, source, url,
published, language, tlp). Without it, a short first line with no final full stop is taken as the title.
The stored text is the body, so offsets are offsets into what the analyst reads.
"""

from __future__ import annotations

import re
from datetime import date

from liaison.domain import TLP, Marking, Report
from liaison.errors import InputError

FRONT_MATTER_KEYS = frozenset({"title", "source", "url", "published", "language", "tlp", "id"})
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<block>.*?)\n---[ \t]*\n", re.DOTALL)
MAX_TITLE_LENGTH = 200


def parse_date(value: str, source: str) -> date:
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError as error:
        raise InputError(source, f"invalid date {value!r}; use YYYY-MM-DD") from error


def parse_marking(value: str, source: str) -> Marking:
    try:
        return Marking(TLP.parse(value))
    except ValueError as error:
        raise InputError(source, str(error)) from error


def parse_text(content: str, source: str) -> Report:
    """Read a text or Markdown report. Raises ``InputError`` when there is no text."""
    content = content.replace("\r\n", "\n").replace("\r", "\n")
    fields: dict[str, str] = {}
    match = _FRONT_MATTER.match(content)
    if match:
        for number, line in enumerate(match.group("block").splitlines(), start=2):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            key, sep, value = line.partition(":")
            key = key.strip().lower()
            if not sep or key not in FRONT_MATTER_KEYS:
                raise InputError(
                    f"{source}:{number}",
                    f"front matter line {line!r} is not one of {', '.join(sorted(FRONT_MATTER_KEYS))}",
                )
            fields[key] = value.strip().strip("\"'")
        content = content[match.end() :]
    body = content.strip("\n")
    if not body.strip():
        raise InputError(source, "has no report text")
    title = fields.get("title") or _first_line_title(body)
    return Report(
        text=body,
        title=title,
        source=fields.get("source") or None,
        url=fields.get("url") or None,
        published=parse_date(fields["published"], source) if fields.get("published") else None,
        language=fields.get("language") or None,
        marking=parse_marking(fields["tlp"], source) if fields.get("tlp") else Marking(),
        external_id=fields.get("id") or None,
        origin=source,
    )


def _first_line_title(body: str) -> str | None:
    first, _, rest = body.partition("\n")
    first = first.strip().lstrip("#").strip()
    if rest.strip() and first and len(first) <= MAX_TITLE_LENGTH and not first.endswith("."):
        return first
    return None
