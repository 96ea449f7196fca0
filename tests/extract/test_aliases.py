from __future__ import annotations

from liaison.domain import EntityType, KnownName, Report
from liaison.extract import Extractor
from liaison.extract.aliases import match_known_names, split_sentences
from liaison.settings import Settings

KNOWN = [
    KnownName("Europol", EntityType.ORGANIZATION, "Europol"),
    KnownName("DGSN", EntityType.ORGANIZATION, "DGSN"),
    KnownName("Direction générale de la sûreté nationale", EntityType.ORGANIZATION, "DGSN"),
    KnownName("Marruecos", EntityType.COUNTRY, "Morocco"),
    KnownName("Morocco", EntityType.COUNTRY, "Morocco"),
    KnownName("EU", EntityType.ORGANIZATION, "European Union"),
    KnownName("Ana", EntityType.PERSON, "Ana Pérez"),  # too short to match without a model
]
SPANISH = (
    "La Policía Nacional y la DGSN de Marruecos desmantelaron una red con apoyo de Europol. "
    "Según Europol, la Direction générale de la sûreté nationale coordinó la operación. Ana habló."
)


def test_known_names_are_found_whole_word_longest_first() -> None:
    sentences = split_sentences(SPANISH, "es")
    assert [SPANISH[s.start : s.end][:9] for s in sentences] == ["La Policía"[:9], "Según Eur", "Ana habló"]
    entities = {e.name: e for e in match_known_names(SPANISH, KNOWN, sentences, "es")}
    assert set(entities) == {"DGSN", "Morocco", "Europol"}
    assert entities["DGSN"].aliases == ("Direction générale de la sûreté nationale",)
    assert [m.sentence for m in entities["Europol"].mentions] == [0, 1]
    for entity in entities.values():
        for mention in entity.mentions:
            assert SPANISH[mention.start : mention.end] == mention.text


def test_a_report_in_a_language_without_pipeline_gets_known_entities() -> None:
    extractor = Extractor(Settings(), KNOWN)
    extraction = extractor.extract(Report(text=SPANISH))
    assert extraction.report.language == "es"
    assert {e.name for e in extraction.entities} == {"DGSN", "Morocco", "Europol"}
    assert len(extraction.sentences) == 3
