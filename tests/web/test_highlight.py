"""The highlighted report text: escaped everywhere, spans nested or dropped deterministically."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest
from markupsafe import Markup

from liaison.web.highlight import (
    Highlight,
    highlighted_text,
    laid_out,
    mention_highlight,
    timex_highlight,
    trigger_highlight,
)

HOSTILE = "Hi <script>alert(1)</script> and <img src=x onerror=alert(1)> & \"quotes\" 'too'."


class _Elements(HTMLParser):
    """Every start tag with its attributes, and the text between tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.depth = 0
        self.max_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self.depth += 1
        self.max_depth = max(self.max_depth, self.depth)

    def handle_endtag(self, tag: str) -> None:
        self.depth -= 1

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(markup: str) -> _Elements:
    parser = _Elements()
    parser.feed(markup)
    parser.close()
    return parser


def test_plain_text_is_escaped_and_reads_the_same() -> None:
    result = highlighted_text(HOSTILE, [])
    assert isinstance(result, Markup)
    assert "<script" not in result and "<img" not in result
    assert html.unescape(result) == HOSTILE
    assert _parse(result).tags == []


def test_hostile_text_inside_and_around_marks_stays_text() -> None:
    start = HOSTILE.index("<script>")
    end = HOSTILE.index("</script>") + len("</script>")
    img = HOSTILE.index("<img")
    spans = [
        mention_highlight(start, end, "e1", 'Evil "name" <b>', "person"),
        timex_highlight(img, img + 10, '2024"><script>', "date"),
        trigger_highlight(0, 2, "ev1", "arrest", "COERCE"),
    ]
    result = highlighted_text(HOSTILE, spans)
    parsed = _parse(result)
    assert [tag for tag, _ in parsed.tags] == ["span", "mark", "span"]
    assert "".join(parsed.text) == HOSTILE
    assert "<script" not in result and "<img" not in result and "<b>" not in result
    mark = parsed.tags[1][1]
    assert mark["data-entity-name"] == 'Evil "name" <b>'
    assert mark["tabindex"] == "0"
    assert mark["class"] == "mention mention-person"
    assert parsed.tags[2][1]["data-value"] == '2024"><script>'
    assert not any(name.startswith("on") for _, attrs in parsed.tags for name in attrs)


def test_hostile_text_between_and_after_marks_stays_text() -> None:
    text = f"A {HOSTILE} B {HOSTILE} C {HOSTILE}"
    spans = [
        mention_highlight(text.index(word), text.index(word) + 1, word, word, "person") for word in "ABC"
    ]
    result = highlighted_text(text, spans)
    parsed = _parse(result)
    assert [tag for tag, _ in parsed.tags] == ["mark", "mark", "mark"]
    assert "".join(parsed.text) == text
    assert "<script" not in result and "<img" not in result


def test_mention_carries_its_canonical_entity() -> None:
    text = "Europol arrested them."
    result = highlighted_text(
        text, [mention_highlight(0, 7, "id-1", "European Police Office", "organization")]
    )
    assert result.startswith('<mark class="mention mention-organization" data-entity-id="id-1"')
    assert 'title="European Police Office (organization)"' in result
    assert result.endswith("Europol</mark> arrested them.")


def test_nested_spans_nest_and_crossing_spans_are_dropped() -> None:
    text = "arrested on Tuesday in Paris"
    trigger = trigger_highlight(0, 19, "ev", "arrest", "COERCE")  # "arrested on Tuesday"
    timex = timex_highlight(12, 19, "2024-02-20", "date")  # inside the trigger
    crossing = mention_highlight(16, 28, "p", "Paris", "location")  # starts inside, ends outside
    paris = mention_highlight(23, 28, "p", "Paris", "location")
    result = highlighted_text(text, [paris, crossing, timex, trigger])
    assert result == (
        '<span class="trigger trigger-coerce" data-event-id="ev" data-event-type="arrest" '
        'title="event: arrest (COERCE)">arrested on '
        '<span class="timex" title="date: 2024-02-20" data-value="2024-02-20">Tuesday</span></span> in '
        '<mark class="mention mention-location" data-entity-id="p" data-entity-name="Paris" '
        'data-entity-type="location" title="Paris (location)" tabindex="0">Paris</mark>'
    )


def test_layout_is_the_same_whatever_the_input_order() -> None:
    text = "Mike Burgess met the director on Monday."
    spans = [
        mention_highlight(0, 12, "a", "Mike Burgess", "person"),
        mention_highlight(5, 12, "b", "Burgess", "person"),
        mention_highlight(0, 12, "c", "Other", "person"),  # the same characters again: the first kept
        timex_highlight(33, 39, "2024-02-19", "date"),
        trigger_highlight(13, 16, "m", "meet", "CONSULT"),
        trigger_highlight(10, 20, "x", "cross", None),  # crosses the first mention
    ]
    forward = highlighted_text(text, spans)
    assert highlighted_text(text, list(reversed(spans))) == forward
    kept = laid_out(len(text), spans)
    assert [(h.start, h.end, h.kind) for h in kept] == [
        (0, 12, "mention"),
        (5, 12, "mention"),
        (13, 16, "trigger"),
        (33, 39, "timex"),
    ]
    assert html.unescape(re.sub("<[^>]+>", "", forward)) == text
    assert _parse(forward).max_depth == 2


def test_same_extent_nests_by_kind() -> None:
    text = "Tuesday"
    result = highlighted_text(
        text,
        [timex_highlight(0, 7, "2024-02-20", "date"), mention_highlight(0, 7, "t", "Tuesday", "named_event")],
    )
    tags = _parse(result).tags
    assert [(tag, attrs["class"]) for tag, attrs in tags] == [
        ("mark", "mention mention-named_event"),
        ("span", "timex"),
    ]


@pytest.mark.parametrize("start,end", [(-1, 3), (3, 3), (5, 2), (0, 999)])
def test_spans_outside_the_text_are_ignored(start: int, end: int) -> None:
    text = "short text"
    assert highlighted_text(text, [mention_highlight(start, end, "e", "E", "person")]) == text


def test_only_known_attribute_names_are_written() -> None:
    bad = Highlight(0, 1, "mention", ("mention",), {"onclick": "alert(1)"})
    with pytest.raises(ValueError, match="attribute name"):
        highlighted_text("x", [bad])
    odd = Highlight(0, 1, "mention", ("mention",), {'title" onmouseover="x': "y"})
    with pytest.raises(ValueError, match="attribute name"):
        highlighted_text("x", [odd])


def test_classes_cannot_break_out_of_the_attribute() -> None:
    result = highlighted_text("abc", [mention_highlight(0, 3, "e", "E", 'person" onclick="x')])
    attributes = _parse(result).tags[0][1]
    assert attributes["class"] == "mention mention-person-onclick-x"
    assert attributes["data-entity-type"] == 'person" onclick="x'
    assert "onclick" not in attributes
