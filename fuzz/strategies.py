"""Hypothesis strategies for hostile input: odd text, JSON and XML/HTML trees, encodings, deep nesting."""

from __future__ import annotations

import codecs
import json
from typing import Any

from hypothesis import strategies as st

# Strings that have broken parsers before: control characters, BOMs, lone surrogates, bidi overrides,
# markup fragments, huge and special numbers, and long runs that invite regex backtracking.
HOSTILE_STRINGS = [
    "",
    "\x00",
    "\ufeff",
    "\ud800",
    "\udfff",
    "\u202e",
    "\u2028",
    "\r\n\r",
    "\x1b[31m",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "Ω" * 50,
    "<![CDATA[",
    "]]>",
    "<!ENTITY x 'y'>",
    "&#0;",
    "&#xD800;",
    "&amp;",
    "&unknown;",
    "<script>alert(1)</script>",
    "---\ntitle: x\n---\n",
    "9" * 400,
    "1e999999",
    "-1e-999999",
    "NaN",
    "Infinity",
    "2024-02-30",
    "0000-00-00",
    "9999-12-31T23:59:60Z",
    "1970-01-01T00:00:00.000000000001Z",
    "tlp:red",
    "TLP:AMBER+STRICT",
    "a" * 5000 + "!",
    "- " * 2000,
    "., " * 2000,
    "1/" * 1000,
    "Mr. " * 500,
    "January " * 300,
]

HOSTILE = st.sampled_from(HOSTILE_STRINGS)
ANY_CHARACTER = st.characters(exclude_categories=())  # includes lone surrogates (category Cs)
TEXT = st.one_of(
    st.text(ANY_CHARACTER, max_size=60),
    st.text(max_size=200),
    HOSTILE,
    st.lists(st.one_of(HOSTILE, st.text(max_size=10)), max_size=6).map("".join),
)

NUMBERS = st.one_of(
    st.integers(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
)
JSON_LEAVES = st.one_of(st.none(), st.booleans(), NUMBERS, TEXT)


def json_trees(keys: st.SearchStrategy[str] = TEXT, max_leaves: int = 25) -> st.SearchStrategy[Any]:
    return st.recursive(
        JSON_LEAVES,
        lambda children: st.one_of(
            st.lists(children, max_size=5), st.dictionaries(keys, children, max_size=5)
        ),
        max_leaves=max_leaves,
    )


def deep_json(max_depth: int = 500) -> st.SearchStrategy[str]:
    """Brackets nested ``depth`` levels, balanced or not: the stack-exhaustion attack on JSON parsers.

    500 levels is far past every limit Liaison sets (64 for JSON records and MISP, 100 for STIX), so the
    refusals are exercised, and below the interpreter's recursion limit: CPython 3.11 can be left in a
    broken state (later "AST constructor recursion depth mismatch" errors) after a RecursionError
    raised inside its C JSON decoder, which took the test run down with it at 3,000 levels.
    """
    return st.builds(
        lambda depth, opener, inner, closed: (
            opener * depth + inner + ({"[": "]", '{"a":': "}"}[opener] * depth if closed else "")
        ),
        st.integers(min_value=1, max_value=max_depth),
        st.sampled_from(["[", '{"a":']),
        st.sampled_from(["1", '"x"', "[]", "{}", ""]),
        st.booleans(),
    )


def dumps(value: Any) -> str:
    """JSON text of a tree; lone surrogates survive as escapes, like a hostile producer would send them."""
    return json.dumps(value, allow_nan=True)


ENCODINGS = [
    "utf-8",
    "utf-8-sig",
    "utf-16",
    "utf-16-le",
    "utf-16-be",
    "utf-32",
    "latin-1",
    "cp1252",
    "koi8-r",
]
BOMS = [b"", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE]


@st.composite
def encoded(draw: st.DrawFn, text: st.SearchStrategy[str]) -> bytes:
    """Text in an arbitrary encoding, with or without a (possibly wrong) BOM, sometimes with a NUL byte."""
    value = draw(text)
    codec, errors = (
        draw(st.sampled_from(ENCODINGS)),
        draw(st.sampled_from(["surrogatepass", "replace", "ignore"])),
    )
    try:
        data = value.encode(codec, errors=errors)
    except UnicodeEncodeError:  # "surrogatepass" exists for the UTF codecs only
        data = value.encode(codec, errors="replace")
    data = draw(st.sampled_from(BOMS)) + data
    if draw(st.booleans()):
        cut = draw(st.integers(min_value=0, max_value=len(data)))
        data = (
            data[:cut] + draw(st.sampled_from([b"\x00", b"\xff\xfe", b"\xc3", b"\xed\xa0\x80"])) + data[cut:]
        )
    return data


RAW_BYTES = st.binary(max_size=400)


def _escape(text: str, escape: bool) -> str:
    if not escape:
        return text
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@st.composite
def markup(draw: st.DrawFn, names: list[str], depth: int = 4) -> str:
    """An element tree of ``names`` with hostile text and attributes, sometimes unescaped or unclosed."""
    name = draw(st.sampled_from(names))
    attribute_names = st.sampled_from(["type", "href", "charset", "content", "xml:lang", "rel", "x"])
    attributes = "".join(
        f' {draw(attribute_names)}="{_escape(draw(TEXT), True)}"'
        for _ in range(draw(st.integers(min_value=0, max_value=2)))
    )
    parts = []
    for _ in range(draw(st.integers(min_value=0, max_value=3 if depth else 0))):
        if depth and draw(st.booleans()):
            parts.append(draw(markup(names, depth - 1)))
        elif draw(st.integers(min_value=0, max_value=5)) == 0:
            parts.append(f"<![CDATA[{draw(TEXT).replace(']]>', '')}]]>")
        else:
            parts.append(_escape(draw(TEXT), draw(st.integers(min_value=0, max_value=5)) > 0))
    closing = f"</{name}>" if draw(st.integers(min_value=0, max_value=6)) else ""
    return f"<{name}{attributes}>{''.join(parts)}{closing}"


FEED_NAMES = [
    "rss",
    "channel",
    "item",
    "title",
    "description",
    "link",
    "pubDate",
    "guid",
    "feed",
    "entry",
    "content",
    "summary",
    "updated",
    "published",
    "id",
    "author",
    "dc:date",
    "content:encoded",
    "rdf:RDF",
]
HTML_NAMES = [
    "html",
    "head",
    "title",
    "meta",
    "body",
    "script",
    "style",
    "p",
    "div",
    "article",
    "br",
    "h1",
    "noscript",
    "template",
    "svg",
    "iframe",
    "main",
    "time",
    "a",
    "x-unknown",
]


@st.composite
def feed_documents(draw: st.DrawFn) -> bytes:
    prolog = draw(
        st.sampled_from(
            [
                "",
                '<?xml version="1.0"?>',
                '<?xml version="1.0" encoding="utf-8"?>',
                '<?xml version="1.0" encoding="iso-8859-1"?>',
                '<?xml version="1.0" encoding="utf-16"?>',
                '<?xml version="1.0" encoding="no-such-codec"?>',
                "<!DOCTYPE rss>",
                '<!DOCTYPE rss [<!ENTITY a "b">]>',
                "<!-- <!DOCTYPE x [ --><rss/>",
            ]
        )
    )
    root = draw(st.sampled_from(["rss", "feed", "rdf:RDF", "channel"]))
    body = "".join(draw(st.lists(markup(FEED_NAMES), max_size=4)))
    namespaces = ' xmlns="http://www.w3.org/2005/Atom"' if root == "feed" else ' version="2.0"'
    document = f"{prolog}<{root}{namespaces}>{body}</{root}>"
    return document.encode(draw(st.sampled_from(["utf-8", "utf-16", "latin-1"])), errors="replace")


@st.composite
def html_documents(draw: st.DrawFn) -> bytes:
    doctype = draw(
        st.sampled_from(["", "<!DOCTYPE html>", '<meta charset="koi8-r">', '<meta charset="nope">'])
    )
    body = "".join(draw(st.lists(markup(HTML_NAMES), max_size=4)))
    return draw(encoded(st.just(doctype + body)))
