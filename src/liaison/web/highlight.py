"""A report's text as HTML with what was read in it marked: entity mentions, time expressions, triggers.

Report text is untrusted, so the HTML is built piece by piece from character offsets: every piece of text
and every attribute value goes through ``markupsafe.escape``, and only the elements and attribute names
written here are ever produced. Nothing from the report is inserted raw.

Spans may overlap (a time expression inside an event trigger, two mentions sharing words). They are laid
out deterministically: ordered by start, the longer first, then by kind (mention, trigger, time); a span
that lies inside an open one is nested in it, and a span that crosses the end of an open one is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from markupsafe import Markup, escape

# When two spans cover the same characters, the first kind here is the outer element.
KIND_ORDER = ("mention", "trigger", "timex")
_ATTRIBUTE_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
_CLASS_WORD = re.compile(r"[^a-z0-9_-]+")


@dataclass(frozen=True)
class Highlight:
    """One span of the text to mark: characters [start, end), a kind of ``KIND_ORDER``, the CSS classes
    of its element and its attributes (names as written here, values escaped on output)."""

    start: int
    end: int
    kind: str
    classes: tuple[str, ...]
    attributes: Mapping[str, str] = field(default_factory=dict)
    focusable: bool = False  # reachable with the keyboard (tabindex), as a mention with a popover is


def class_word(value: str) -> str:
    """A value made safe and readable as part of a CSS class name (``named_event``, ``person``)."""
    return _CLASS_WORD.sub("-", value.strip().lower()).strip("-") or "other"


def mention_highlight(start: int, end: int, entity_id: str, name: str, entity_type: str) -> Highlight:
    """An entity mention: its canonical entity is named in the title and in data attributes for the
    popover (``static/js/mentions.js``)."""
    return Highlight(
        start,
        end,
        "mention",
        ("mention", f"mention-{class_word(entity_type)}"),
        {
            "data-entity-id": entity_id,
            "data-entity-name": name,
            "data-entity-type": entity_type,
            "title": f"{name} ({entity_type.replace('_', ' ')})",
        },
        focusable=True,
    )


def timex_highlight(start: int, end: int, value: str | None, time_type: str | None) -> Highlight:
    """A time expression, with its normalised value when it has one."""
    title = f"{time_type or 'time'}: {value}" if value else (time_type or "time expression")
    attributes = {"title": title}
    if value:
        attributes["data-value"] = value
    return Highlight(start, end, "timex", ("timex",), attributes)


def trigger_highlight(start: int, end: int, event_id: str, event_type: str, plover: str | None) -> Highlight:
    """The words that say an event happened; the event's page is named for the reader's script."""
    title = f"event: {event_type}" + (f" ({plover})" if plover else "")
    return Highlight(
        start,
        end,
        "trigger",
        ("trigger", f"trigger-{class_word(plover or event_type)}"),
        {"data-event-id": event_id, "data-event-type": event_type, "title": title},
    )


def _element(highlight: Highlight) -> str:
    return "mark" if highlight.kind == "mention" else "span"


def _opening_tag(highlight: Highlight) -> Markup:
    parts = [Markup('<{} class="{}"').format(_element(highlight), " ".join(highlight.classes))]
    for name, value in highlight.attributes.items():
        if not _ATTRIBUTE_NAME.match(name) or name.startswith("on"):
            # attribute names are ours, never the report's: anything else is a programming error
            raise ValueError(f"not an attribute name this module writes: {name!r}")
        parts.append(Markup(' {}="{}"').format(name, value))
    if highlight.focusable:
        parts.append(Markup(' tabindex="0"'))
    parts.append(Markup(">"))
    return Markup("").join(parts)


def _kind_rank(kind: str) -> int:
    return KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)


def laid_out(text_length: int, highlights: Iterable[Highlight]) -> list[Highlight]:
    """The spans that will be drawn, in drawing order: empty or out-of-range spans and exact repeats
    removed, crossing spans dropped (see the module's docstring)."""
    candidates = sorted(
        (h for h in highlights if 0 <= h.start < h.end <= text_length),
        key=lambda h: (h.start, -h.end, _kind_rank(h.kind), h.classes, sorted(h.attributes.items())),
    )
    kept: list[Highlight] = []
    open_ends: list[int] = []
    seen: set[tuple[int, int, str]] = set()
    for highlight in candidates:
        identity = (highlight.start, highlight.end, highlight.kind)
        if identity in seen:
            continue
        while open_ends and open_ends[-1] <= highlight.start:
            open_ends.pop()
        if open_ends and highlight.end > open_ends[-1]:
            continue  # crosses the end of the span it starts in
        seen.add(identity)
        kept.append(highlight)
        open_ends.append(highlight.end)
    return kept


def highlighted_text(text: str, highlights: Sequence[Highlight]) -> Markup:
    """The text as escaped HTML with the spans marked; line breaks are kept for ``white-space``."""
    pieces: list[Markup] = []
    position = 0
    open_spans: list[Highlight] = []

    def close_until(limit: int) -> None:
        nonlocal position
        while open_spans and open_spans[-1].end <= limit:
            closing = open_spans.pop()
            pieces.append(escape(text[position : closing.end]))
            pieces.append(Markup("</{}>").format(_element(closing)))
            position = closing.end

    for highlight in laid_out(len(text), highlights):
        close_until(highlight.start)
        pieces.append(escape(text[position : highlight.start]))
        pieces.append(_opening_tag(highlight))
        position = highlight.start
        open_spans.append(highlight)
    close_until(len(text))
    pieces.append(escape(text[position:]))
    return Markup("").join(pieces)
