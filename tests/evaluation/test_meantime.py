"""The MEANTIME reader on real corpus files: named mentions only, typed through their entity instances."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from liaison.errors import InputError
from liaison.evaluation import GoldSpan, read_meantime, read_meantime_directory
from liaison.evaluation.meantime import entity_label

MEANTIME = Path(__file__).resolve().parents[3] / "shared" / "data" / "meantime-en-dev"
AIRBUS_JOB_CUTS = MEANTIME / "corpus_airbus" / "61389_Airbus_announces_job_cuts_of_10,000.xml"


def test_one_article() -> None:
    document = read_meantime(AIRBUS_JOB_CUTS)
    assert document.name == "61389_Airbus_announces_job_cuts_of_10,000"
    assert document.dct == "2007-02-28"
    lines = document.text.split("\n")
    assert lines[:2] == ["Airbus announces job cuts of 10,000", "February 28 , 2007"]
    assert len(lines) == 13  # sentences 0..12, one per line
    spans = [(s.label, document.text[s.start : s.end]) for s in document.spans]
    assert spans == [
        ("ORG", "Airbus"),  # the title
        ("ORG", "150px Airbus"),  # as annotated: the image-size token is part of the mention
        ("LOC", "Europe"),
        ("ORG", "EADS"),
        ("PER", "Louis Gallois"),
        ("ORG", "Airbus"),  # "the Airbus chief executive": a name used as a pre-modifier (PRE.NAM)
        ("LOC", "France"),
        ("LOC", "Germany"),
        ("LOC", "UK"),
        ("LOC", "Spain"),
    ]
    # only sentences 0-5 are annotated
    assert document.annotated_end == document.sentences[5][1]
    window = document.text[: document.annotated_end]
    assert window.endswith("subcontractors and temporary workers .")
    assert window.count("Airbus") == 3


def test_the_whole_development_half() -> None:
    documents = read_meantime_directory(MEANTIME)
    assert len(documents) == 60
    assert sum(d.dct is not None for d in documents) == 58
    labels = Counter(span.label for d in documents for span in d.spans)
    assert labels == {"ORG": 323, "MISC": 191, "LOC": 112, "PER": 57}
    for document in documents:
        assert document.annotated_end is not None
        for span in document.spans:
            text = document.text[span.start : span.end]
            assert text and text == text.strip() and "\n" not in text
            assert span.end <= document.annotated_end


def test_an_unlinked_named_mention_takes_the_type_of_the_entity_with_those_words() -> None:
    document = read_meantime(MEANTIME / "corpus_airbus" / "82548_First_Airbus_A380_delivered.xml")
    singapore = {s for s in document.spans if document.text[s.start : s.end] == "Singapore Airlines"}
    assert singapore and {s.label for s in singapore} == {"ORG"}


def test_entity_types_map_to_conll_labels() -> None:
    assert [entity_label(t) for t in ("PER", "PERSON", "ORGANIZATION", "LOC", "location")] == [
        "PER", "PER", "ORG", "LOC", "LOC",
    ]  # fmt: skip
    assert {entity_label(t) for t in ("PRO", "PRODUCT", "FIN", "FINANCIAL", "MIX", "MIXED", None)} == {"MISC"}


def test_a_small_hand_made_file(tmp_path: Path) -> None:
    path = tmp_path / "small.xml"
    path.write_text(
        """<Document doc_name="small">
<token t_id="1" sentence="0">Boeing</token><token t_id="2" sentence="0">wins</token>
<token t_id="3" sentence="1">Ryanair</token><token t_id="4" sentence="1">chief</token>
<token t_id="5" sentence="1">Michael</token><token t_id="6" sentence="1">O'Leary</token>
<token t_id="7" sentence="1">Boeing</token><token t_id="8" sentence="2">Xyz</token>
<Markables>
<ENTITY_MENTION m_id="1" syntactic_type="NAM"><token_anchor t_id="1"/></ENTITY_MENTION>
<ENTITY_MENTION m_id="2" syntactic_type="PRE.NAM"><token_anchor t_id="3"/></ENTITY_MENTION>
<ENTITY_MENTION m_id="3" syntactic_type="NAM"><token_anchor t_id="5"/><token_anchor t_id="6"/>
</ENTITY_MENTION>
<ENTITY_MENTION m_id="4" syntactic_type="NAM" ent_type="PERSON"><token_anchor t_id="4"/></ENTITY_MENTION>
<ENTITY_MENTION m_id="5" syntactic_type="NAM"><token_anchor t_id="7"/></ENTITY_MENTION>
<ENTITY_MENTION m_id="6" syntactic_type="NAM"><token_anchor t_id="8"/></ENTITY_MENTION>
<TIMEX3 m_id="20" functionInDocument="CREATION_TIME" type="DATE" value="2005-06-13"/>
<ENTITY m_id="10" ent_type="ORG"/><ENTITY m_id="11" ent_type="PER"/>
</Markables>
<Relations>
<REFERS_TO r_id="1"><source m_id="1"/><source m_id="2"/><target m_id="10"/></REFERS_TO>
<REFERS_TO r_id="2"><source m_id="3"/><target m_id="11"/></REFERS_TO>
</Relations></Document>""",
        encoding="utf-8",
    )
    document = read_meantime(path)
    assert document.text == "Boeing wins\nRyanair chief Michael O'Leary Boeing\nXyz"
    assert document.spans == [
        GoldSpan(0, 6, "ORG"),  # linked to an ORG entity
        GoldSpan(12, 19, "ORG"),  # "Ryanair" as a pre-modifier (PRE.NAM) is a named mention too
        GoldSpan(20, 25, "PER"),  # unlinked, its own ent_type
        GoldSpan(26, 41, "PER"),  # linked to a PER entity
        GoldSpan(42, 48, "ORG"),  # unlinked, like the linked mention with the same words
        GoldSpan(49, 52, "MISC"),  # unlinked, nothing known
    ]
    assert document.dct == "2005-06-13"
    assert document.annotated_end == len(document.text)


def test_broken_files_are_input_errors(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xml"
    broken.write_text("<Document><token t_id='1' sentence='0'>A</token>", encoding="utf-8")
    with pytest.raises(InputError, match="not well-formed XML"):
        read_meantime(broken)
    dangling = tmp_path / "dangling.xml"
    dangling.write_text(
        "<Document><token t_id='1' sentence='0'>A</token><Markables>"
        "<ENTITY_MENTION m_id='7' syntactic_type='NAM'><token_anchor t_id='9'/></ENTITY_MENTION>"
        "</Markables></Document>",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"m_id=7 anchors unknown tokens \['9'\]"):
        read_meantime(dangling)
    with pytest.raises(InputError, match="not a directory"):
        read_meantime_directory(tmp_path / "nowhere")
