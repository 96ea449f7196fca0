"""The CoNLL-2003 reader: text rebuilt from tokens, gold spans as character offsets, clear errors."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from liaison.errors import InputError
from liaison.evaluation import Document, GoldSpan, parse_conll, read_conll

SECURITY_NEWS = Path(__file__).resolve().parent.parent / "data" / "ner" / "security-news.conll"


def surfaces(document: Document) -> list[tuple[str, str]]:
    return [(span.label, document.text[span.start : span.end]) for span in document.spans]


IOB2 = """\
-DOCSTART- O

Director O
Jane B-PER
Smith I-PER
met O
Bob B-PER
in O
New B-LOC
York I-LOC
. O

Europol B-ORG
agreed O
. O
"""

# The same annotation in IOB1: I- opens a span, B- only splits two adjacent spans of the same type.
IOB1 = """\
-DOCSTART- -X- -X- O

Director NNP B-NP O
Jane NNP I-NP I-PER
Smith NNP I-NP I-PER
met VBD B-VP O
Bob NNP B-NP I-PER
in IN B-PP O
New NNP B-NP I-LOC
York NNP I-NP I-LOC
. . O O

Europol NNP B-NP I-ORG
agreed VBD B-VP O
. . O O
"""


def test_iob2_text_and_spans() -> None:
    (document,) = parse_conll(IOB2)
    assert document.text == "Director Jane Smith met Bob in New York .\nEuropol agreed ."
    assert document.spans == [GoldSpan(9, 19, "PER"), GoldSpan(24, 27, "PER"), GoldSpan(31, 39, "LOC"),
                              GoldSpan(42, 49, "ORG")]  # fmt: skip
    assert surfaces(document) == [
        ("PER", "Jane Smith"),
        ("PER", "Bob"),
        ("LOC", "New York"),
        ("ORG", "Europol"),
    ]
    assert document.sentences == [(0, 41), (42, 58)]


def test_iob1_and_four_columns_read_like_iob2() -> None:
    assert parse_conll(IOB1) == parse_conll(IOB2)


def test_iob1_b_tag_separates_adjacent_spans_of_the_same_type() -> None:
    (document,) = parse_conll("Ken I-PER\nMcCallum I-PER\nJohn B-PER\nDoe I-PER\nMI5 I-ORG\nLondon I-LOC\n")
    assert surfaces(document) == [
        ("PER", "Ken McCallum"),
        ("PER", "John Doe"),
        ("ORG", "MI5"),
        ("LOC", "London"),
    ]


def test_an_i_tag_of_another_type_opens_a_new_span_in_iob2_too() -> None:
    (document,) = parse_conll("Paris B-LOC\nMatch I-MISC\nreported O\nNATO I-ORG\n")
    assert surfaces(document) == [("LOC", "Paris"), ("MISC", "Match"), ("ORG", "NATO")]


def test_docstart_splits_documents_and_offsets_restart() -> None:
    content = "-DOCSTART- O\n\nRabat B-LOC\n\n-DOCSTART- O\n\nOn O\nMonday O\n,\tO\nMadrid B-LOC\n\n\n"
    first, second = parse_conll(content, source="two.conll")
    assert (first.text, first.spans) == ("Rabat", [GoldSpan(0, 5, "LOC")])
    assert (second.text, second.spans) == ("On Monday , Madrid", [GoldSpan(12, 18, "LOC")])
    assert (first.name, second.name) == ("two.conll#1", "two.conll#2")


def test_a_file_without_docstart_is_one_document() -> None:
    documents = parse_conll("A O\n\nB B-ORG\n")
    assert [d.text for d in documents] == ["A\nB"]


def test_a_line_without_a_tag_is_an_error_naming_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.conll"
    path.write_text("-DOCSTART- O\n\nInterpol B-ORG\nsaid\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_conll(path)
    assert caught.value.source == f"{path}:4"
    assert "TOKEN NER" in caught.value.problem


def test_an_unknown_tag_is_an_error_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.conll"
    path.write_text("Interpol B-ORG\nLyon B-GPE\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.conll:2: unknown NER tag 'B-GPE'"):
        read_conll(path)


def test_unreadable_files_are_input_errors(tmp_path: Path) -> None:
    latin1 = tmp_path / "latin1.conll"
    latin1.write_bytes("Bogotá B-LOC\n".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        read_conll(latin1)
    with pytest.raises(InputError, match="cannot read"):
        read_conll(tmp_path / "missing.conll")


def test_the_security_news_file() -> None:
    documents = read_conll(SECURITY_NEWS)
    assert len(documents) == 6
    assert sum(len(d.sentences) for d in documents) == 66
    assert sum(len(d.text.split()) for d in documents) == 1583
    labels = Counter(span.label for d in documents for span in d.spans)
    assert labels == {"LOC": 85, "ORG": 65, "MISC": 41, "PER": 25}
    found = {pair for d in documents for pair in surfaces(d)}
    assert {
        ("LOC", "The Hague"),
        ("LOC", "Côte d'Ivoire"),
        ("LOC", "Strait of Gibraltar"),
        ("ORG", "General Directorate for National Security"),
        ("ORG", "DGSN"),
        ("ORG", "National Anti-Terrorist Prosecutor 's Office"),
        ("PER", "Donald Trump"),
        ("PER", "Jean-Luc Mercier"),
        ("MISC", "African Lion"),
        ("MISC", "Moroccan"),
    } <= found
    for document in documents:
        for label, text in surfaces(document):
            assert text == text.strip() and text and "\n" not in text, (label, text)
            assert not text.endswith(" 's"), text
