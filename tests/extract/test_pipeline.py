"""The extraction pipeline on real text, with the real spaCy models."""

from __future__ import annotations

import pytest

from liaison.domain import EntityType, Report
from liaison.extract import Extractor
from liaison.extraction_format import extraction_to_dict
from tests.extraction_checks import assert_valid_extraction

pytestmark = pytest.mark.model


def names(extraction_dict: dict, entity_type: str) -> set[str]:
    return {e["name"] for e in extraction_dict["entities"] if e["type"] == entity_type}


def test_seed_report_extraction_is_valid_and_slices_exactly(extractor: Extractor, seed_text: str) -> None:
    extraction = extractor.extract(Report(text=seed_text))
    data = extraction_to_dict(extraction)
    assert_valid_extraction(data, seed_text)
    assert data["report"]["language"] == "en"
    assert len(data["entities"]) >= 15
    # sentences never cross a paragraph (line) boundary
    for sentence in data["sentences"]:
        assert "\n" not in seed_text[sentence["start"] : sentence["end"]]


def test_possessives_and_articles_are_trimmed(extractor: Extractor) -> None:
    text = "The decision of Donald Trump’s administration was welcomed by the United Nations."
    data = extraction_to_dict(extractor.extract(Report(text=text)))
    assert_valid_extraction(data, text)
    surfaces = {m["text"] for e in data["entities"] for m in e["mentions"]}
    assert "Donald Trump" in surfaces
    assert not any(s.endswith("’s") or s.lower().startswith("the ") for s in surfaces)


def test_french_report_uses_the_french_pipeline(extractor: Extractor) -> None:
    text = (
        "Le ministre de l'Intérieur Gérald Darmanin s'est rendu à Madrid pour rencontrer son homologue "
        "espagnol Fernando Grande-Marlaska. Les deux ministres ont évoqué la lutte contre le terrorisme."
    )
    extraction = extractor.extract(Report(text=text))
    data = extraction_to_dict(extraction)
    assert_valid_extraction(data, text)
    assert data["report"]["language"] == "fr"
    assert {"Gérald Darmanin", "Fernando Grande-Marlaska"} <= names(data, "person")
    assert all(s["language"] == "fr" for s in data["sentences"])


def test_quoted_paragraph_in_another_language_goes_through_its_pipeline(extractor: Extractor) -> None:
    english = (
        "Spanish and French police chiefs met in Madrid on Monday to discuss cross-border crime, "
        "and they agreed to share intelligence on trafficking networks."
    )
    french = (
        "La police espagnole et la police française renforcent leur coopération contre les réseaux "
        "de trafic de drogue dans les Pyrénées, a déclaré Gérald Darmanin."
    )
    text = f"{english}\n{french}\nThe statement was published by the Spanish interior ministry."
    extraction = extractor.extract(Report(text=text))
    data = extraction_to_dict(extraction)
    assert_valid_extraction(data, text)
    assert data["report"]["language"] == "en"
    french_start = text.index(french)
    languages = {
        s["language"]
        for s in data["sentences"]
        if s["start"] >= french_start and s["end"] <= french_start + len(french)
    }
    assert languages == {"fr"}
    assert "Gérald Darmanin" in names(data, "person")


def test_unsupported_language_is_recorded_without_entities(extractor: Extractor) -> None:
    text = "La policía española detuvo ayer a veinte personas en una operación contra el tráfico de drogas."
    extraction = extractor.extract(Report(text=text))
    assert extraction.report.language == "es"
    assert extraction.entities == ()


def test_mentions_of_one_name_are_one_entity(extractor: Extractor) -> None:
    text = "Europol coordinated the raids. Officers from Europol and the FBI seized servers. Europol said so."
    extraction = extractor.extract(Report(text=text))
    europol = [e for e in extraction.entities if e.name == "Europol"]
    assert len(europol) == 1 and len(europol[0].mentions) == 3
    assert europol[0].type is EntityType.ORGANIZATION


def test_raw_entities_are_the_model_output(extractor: Extractor) -> None:
    text = "Joe Biden visited Paris."
    raw = extractor.raw_entities(text, "en")
    assert {(r.label, text[r.start : r.end]) for r in raw} == {("PERSON", "Joe Biden"), ("GPE", "Paris")}


def test_long_reports_are_parsed_in_chunks_with_exact_offsets(
    extractor: Extractor, monkeypatch: pytest.MonkeyPatch
) -> None:
    from liaison.extract import pipeline

    monkeypatch.setattr(pipeline, "PARSE_CHUNK_CHARACTERS", 400)
    paragraph = (
        "Europol and the FBI dismantled a botnet on Monday, officials in The Hague said. "
        "Interpol welcomed the operation.\n"
    )
    text = paragraph * 12
    pieces = pipeline.split_for_parsing(text, 400)
    assert len(pieces) > 3 and "".join(chunk for _, chunk in pieces) == text
    extraction = extractor.extract(Report(text=text, language="en"))
    data = extraction_to_dict(extraction)
    assert_valid_extraction(data, text)
    europol = next(e for e in data["entities"] if e["name"] == "Europol")
    assert len(europol["mentions"]) == 12
    assert len(data["sentences"]) == 24
