"""Typing rules that decide what is not an entity, or which kind: products with model designators,
product labels, currency codes, events named by acronyms, airlines, flight numbers, short names.

Most tests feed hand-made candidates (what the statistical model would propose) to the grouping, so
that each rule is checked on its own; the last ones run the real pipeline. All sentences are invented.
"""

from __future__ import annotations

import pytest

from liaison.domain import Entity, EntityType, Report
from liaison.extract import Extractor
from liaison.extract.acronyms import find_acronyms
from liaison.extract.aliases import split_sentences
from liaison.extract.candidates import GAZETTEER_VOTE, MODEL_VOTE, PRODUCT_LABEL_VOTE, Candidate
from liaison.extract.gazetteer import load_gazetteer
from liaison.extract.grouping import group_candidates
from liaison.extract.layers import _organisation_cue, _place_cue, _vote_event_or_group
from liaison.extract.markers import find_markers
from liaison.extract.products import is_currency_code_by_amount, is_designator, product_end
from liaison.extract.titles import is_event_name


def candidate(
    text: str,
    surface: str,
    entity_type: EntityType | None,
    *,
    nth: int = 0,
    label: str = "",
    canonical: str | None = None,
    weight: float = MODEL_VOTE,
) -> Candidate:
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    made = Candidate(start, start + len(surface), label=label, canonical=canonical)
    if entity_type is None:
        made.product = PRODUCT_LABEL_VOTE
    else:
        made.vote(entity_type, weight)
    return made


def group(text: str, candidates: list[Candidate]) -> tuple[Entity, ...]:
    return group_candidates(
        text,
        candidates,
        split_sentences(text, "en"),
        find_markers(text),
        find_acronyms(text),
        load_gazetteer(),
    )


def mentions(entities: tuple[Entity, ...]) -> set[tuple[str, EntityType]]:
    return {(m.text, e.type) for e in entities for m in e.mentions}


# -- designators -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "word", ["A321", "E190", "737-800", "787s", "Su-57", "AK-12", "KC-46", "T-90M", "900"]
)
def test_model_designators(word: str) -> None:
    assert is_designator(word)


@pytest.mark.parametrize("word", ["2019", "12", "3M", "COVID-19", "Embraer", "E"])
def test_not_model_designators(word: str) -> None:
    assert not is_designator(word)


def test_maker_followed_by_a_designator_ends_where_the_model_name_ends() -> None:
    text = "The carrier ordered twelve Embraer E195 Lineage jets in March."
    start = text.index("Embraer")
    end = product_end(text, start, start + len("Embraer"))
    assert end is not None and text[start:end] == "Embraer E195 Lineage"


@pytest.mark.parametrize(
    ("text", "surface"),
    [
        ("Rescuers reached Flight 212 within hours.", "Flight"),  # a flight, not a product
        ("Analysts tied the intrusion to APT 41 last year.", "APT"),  # an acronym and a bare number: a group
        ("Unit 8200 veterans founded the company.", "Unit"),  # a unit of an army
        ("Velora 2024 results beat forecasts.", "Velora"),  # a year
        ("Velora 400 jobs will go, the union said.", "Velora"),  # a quantity
    ],
)
def test_numbers_after_names_that_are_no_models(text: str, surface: str) -> None:
    start = text.index(surface)
    assert product_end(text, start, start + len(surface)) is None


def test_a_maker_in_a_product_name_is_no_organisation_mention() -> None:
    text = "Skyline Air ordered twelve Embraer E190 jets, and Embraer said deliveries start in May."
    entities = group(
        text,
        [
            candidate(text, "Skyline Air", EntityType.ORGANIZATION, label="ORG"),
            candidate(text, "Embraer", EntityType.ORGANIZATION, label="ORG"),
            candidate(text, "Embraer", EntityType.ORGANIZATION, nth=1, label="ORG"),
        ],
    )
    embraer = [e for e in entities if e.name == "Embraer"]
    assert len(embraer) == 1 and embraer[0].type == EntityType.ORGANIZATION
    # only the second "Embraer" is a mention of the company; the first is part of "Embraer E190"
    assert [m.start for m in embraer[0].mentions] == [text.index("Embraer", text.index("E190"))]
    assert ("Skyline Air", EntityType.ORGANIZATION) in mentions(entities)


def test_a_name_ending_with_a_designator_is_a_product() -> None:
    text = "Each jet has two Vortex Turbofan 700 engines."
    assert group(text, [candidate(text, "Vortex Turbofan 700", EntityType.ORGANIZATION, label="ORG")]) == ()


def test_a_product_the_model_labels_right_after_a_maker_takes_the_maker_in() -> None:
    text = "The air force will retire its Halvard Stormwing trainers."
    entities = group(
        text,
        [
            candidate(text, "Halvard", EntityType.ORGANIZATION, label="ORG"),
            candidate(text, "Stormwing", None, label="PRODUCT"),
        ],
    )
    assert entities == ()


def test_a_given_name_the_model_labels_a_product_joins_the_company_name() -> None:
    # the model split a two-part company name ("Lockheed Martin"): one company, not maker and product
    text = "The contract went to Halvard Martin last week."
    entities = group(
        text,
        [
            candidate(text, "Halvard", EntityType.ORGANIZATION, label="ORG"),
            candidate(text, "Martin", None, label="PRODUCT"),
        ],
    )
    assert mentions(entities) == {("Halvard Martin", EntityType.ORGANIZATION)}


# -- the model's product labels, document-wide ------------------------------------------------------


def test_a_name_the_model_mostly_calls_a_product_is_no_entity() -> None:
    text = "Nimbus crashed twice. Users of Nimbus complained. A Nimbus patch is due."
    entities = group(
        text,
        [
            candidate(text, "Nimbus", EntityType.ORGANIZATION, label="ORG"),
            candidate(text, "Nimbus", None, nth=1, label="PRODUCT"),
            candidate(text, "Nimbus", None, nth=2, label="PRODUCT"),
        ],
    )
    assert entities == ()


def test_a_product_label_stops_the_person_to_organisation_rule() -> None:
    text = "Quasar was updated on Monday. The new Quasar release fixes bugs."
    entities = group(
        text,
        [
            candidate(text, "Quasar", EntityType.PERSON, label="PERSON"),
            candidate(text, "Quasar", None, nth=1, label="WORK_OF_ART"),
        ],
    )
    assert entities == ()


def test_a_name_the_model_calls_an_organisation_more_often_stays_one() -> None:
    text = "Nimbus hired staff. Nimbus opened an office. Nimbus shipped a patch."
    entities = group(
        text,
        [
            candidate(text, "Nimbus", EntityType.ORGANIZATION, label="ORG"),
            candidate(text, "Nimbus", EntityType.ORGANIZATION, nth=1, label="ORG"),
            candidate(text, "Nimbus", None, nth=2, label="PRODUCT"),
        ],
    )
    assert [e.type for e in entities] == [EntityType.ORGANIZATION]


# -- names the model alone calls people ----------------------------------------------------------------


def test_a_lone_word_only_the_model_calls_a_person_is_left_out() -> None:
    text = "Users praised Zephyrine for its speed."
    assert group(text, [candidate(text, "Zephyrine", EntityType.PERSON, label="PERSON")]) == ()


def test_several_words_only_the_model_calls_a_person_are_an_organisation() -> None:
    text = "Officers of the Guardia Urbana arrested two men."
    entities = group(text, [candidate(text, "Guardia Urbana", EntityType.PERSON, label="PERSON")])
    assert mentions(entities) == {("Guardia Urbana", EntityType.ORGANIZATION)}


def test_a_plural_name_after_the_article_is_a_group() -> None:
    text = "Fans of the Kestrels queued all night."
    entities = group(text, [candidate(text, "Kestrels", EntityType.PERSON, label="PERSON")])
    assert mentions(entities) == {("Kestrels", EntityType.ORGANIZATION)}


# -- named events, acronyms ----------------------------------------------------------------------------


def test_event_names_end_with_an_event_noun() -> None:
    assert is_event_name("Northern Robotics Conference".split())
    assert is_event_name("Farnborough Air Show".split())
    assert not is_event_name("Department of War".split())
    assert not is_event_name(["Conference"])


def test_an_acronym_defined_by_an_event_name_is_an_event() -> None:
    text = "The Northern Robotics Conference (NRC) opened in Oslo. The NRC closes on Friday."
    entities = group(
        text, [candidate(text, "Northern Robotics Conference", EntityType.ORGANIZATION, label="ORG")]
    )
    nrc = [e for e in entities if e.name == "NRC"]
    assert len(nrc) == 1 and nrc[0].type == EntityType.NAMED_EVENT
    assert {m.text for m in nrc[0].mentions} == {"NRC", "Northern Robotics Conference"}


def test_an_acronym_of_a_term_is_no_organisation() -> None:
    text = "The vendor published a Threat Scoring Model (TSM) for its clients."
    assert group(text, []) == ()


def test_an_acronym_of_an_agency_is_an_organisation() -> None:
    text = "The Regional Cyber Agency (RCA) published a warning."
    entities = group(text, [])
    assert [(e.name, e.type) for e in entities] == [("RCA", EntityType.ORGANIZATION)]


# -- currencies, units ---------------------------------------------------------------------------------


def test_currency_codes_next_to_an_amount() -> None:
    text = "The licence costs 49 EUR a year, or $ 60 (USD) in Canada; the BND said nothing."
    assert is_currency_code_by_amount(text, text.index("EUR"), text.index("EUR") + 3)
    assert is_currency_code_by_amount(text, text.index("USD"), text.index("USD") + 3)
    assert not is_currency_code_by_amount(text, text.index("BND"), text.index("BND") + 3)


def test_currency_codes_signs_and_units_are_no_entities() -> None:
    text = "The phone has 64GB of storage and costs 49 EUR, far below the US$ 900 of its rival."
    entities = group(
        text,
        [
            candidate(text, "GB", EntityType.PERSON, label="PERSON"),
            candidate(text, "EUR", EntityType.ORGANIZATION, label="ORG"),
            candidate(text, "US", EntityType.COUNTRY, label="GPE", canonical="United States"),
        ],
    )
    assert entities == ()


# -- airlines, flights, short names ----------------------------------------------------------------------


def test_air_before_a_place_is_an_airline() -> None:
    text = "Passengers of Air Chile were rebooked."
    entities = group(
        text,
        [candidate(text, "Chile", EntityType.COUNTRY, label="GPE", canonical="Chile", weight=GAZETTEER_VOTE)],
    )
    assert mentions(entities) == {("Air Chile", EntityType.ORGANIZATION)}


def test_a_flight_number_is_cut_off_the_airline() -> None:
    text = "Divers recovered the recorders of Lumina Airways Flight 212 on Monday."
    entities = group(
        text, [candidate(text, "Lumina Airways Flight 212", EntityType.ORGANIZATION, label="ORG")]
    )
    assert mentions(entities) == {("Lumina Airways", EntityType.ORGANIZATION)}


def test_a_word_alone_that_starts_one_organisation_name_is_its_short_name() -> None:
    text = "Corvina cut prices. Corvina Airways flies to Lisbon; Corvina Airways staff agreed."
    entities = group(
        text,
        [
            candidate(text, "Corvina", EntityType.LOCATION, label="GPE"),
            candidate(text, "Corvina Airways", EntityType.ORGANIZATION, label="ORG"),
        ],
    )
    assert mentions(entities) >= {
        ("Corvina", EntityType.ORGANIZATION),
        ("Corvina Airways", EntityType.ORGANIZATION),
    }
    # the longer name is copied first: its second occurrence is not cut to "Corvina"
    corvina = next(e for e in entities if e.type == EntityType.ORGANIZATION)
    assert sum(m.text == "Corvina Airways" for m in corvina.mentions) == 2


def test_a_surname_that_the_gazetteer_alone_calls_a_town_is_the_person() -> None:
    text = "Hannah Lyon presented the figures. Lyon said the plan was on track."
    second = text.index("Lyon", text.index("figures"))
    town = Candidate(second, second + 4, label="GAZETTEER", canonical="Lyon")
    town.vote(EntityType.LOCATION, GAZETTEER_VOTE)
    entities = group(text, [candidate(text, "Hannah Lyon", EntityType.PERSON, label="PERSON"), town])
    assert mentions(entities) == {("Hannah Lyon", EntityType.PERSON), ("Lyon", EntityType.PERSON)}


def test_a_town_the_model_reads_as_a_place_stays_one() -> None:
    text = "Hannah Lyon presented the figures. The team then flew to Lyon."
    second = text.index("Lyon", text.index("figures"))
    town = Candidate(second, second + 4, label="GPE", canonical="Lyon")
    town.vote(EntityType.LOCATION, MODEL_VOTE + GAZETTEER_VOTE)
    entities = group(text, [candidate(text, "Hannah Lyon", EntityType.PERSON, label="PERSON"), town])
    assert ("Lyon", EntityType.LOCATION) in mentions(entities)


def test_a_possessive_before_a_name_stops_the_organisation_cue_of_the_noun_after() -> None:
    assert _organisation_cue(["denver"], ["headquarters", "were"], ["company", "its"]) is False
    assert _organisation_cue(["velora"], ["headquarters", "were"], ["at"]) is True


def test_the_first_of_two_surnames_alone_is_the_person() -> None:
    text = "Prosecutor Lucia Ferreira Gomes opened the case. Ferreira told reporters it was closed."
    entities = group(
        text,
        [
            candidate(text, "Lucia Ferreira Gomes", EntityType.PERSON, label="PERSON"),
            candidate(text, "Ferreira", EntityType.PERSON, nth=1, label="PERSON"),
        ],
    )
    assert mentions(entities) == {
        ("Lucia Ferreira Gomes", EntityType.PERSON),
        ("Ferreira", EntityType.PERSON),
    }


def test_a_name_that_starts_with_an_organisation_head_is_an_organisation() -> None:
    assert _organisation_cue(["guardia", "civil"], ["seized"], ["the"]) is True
    assert _organisation_cue(["polizia", "di", "stato"], ["said"], ["the"]) is True
    assert _organisation_cue(["guardia"], ["seized"], ["the"]) is False  # one word: a given name too


def _cued(text: str, surface: str, label: str, entity_type: EntityType) -> Candidate:
    made = candidate(text, surface, entity_type, label=label)
    _vote_event_or_group(text, made)
    return made


def test_an_unknown_place_that_sues_or_speaks_is_an_organisation() -> None:
    text = "Velmora sues Corvid over a trademark. Velmora said it owned the brand."
    made = _cued(text, "Velmora", "GPE", EntityType.LOCATION)
    assert made.best_type == EntityType.ORGANIZATION
    text = "Velmora has said it owned the brand."
    assert _cued(text, "Velmora", "GPE", EntityType.LOCATION).best_type == EntityType.ORGANIZATION


def test_a_known_place_or_a_person_that_speaks_keeps_its_type() -> None:
    text = "Velmora said it would close the border."
    known = candidate(text, "Velmora", EntityType.LOCATION, label="GPE", canonical="Velmora")
    _vote_event_or_group(text, known)
    assert known.best_type == EntityType.LOCATION
    assert _cued(text, "Velmora", "PERSON", EntityType.PERSON).best_type == EntityType.PERSON


def test_a_place_word_before_a_name_makes_it_a_place() -> None:
    assert _place_cue(["a", "jump", "near"]) is True
    assert _place_cue(["off", "the", "coast", "of"]) is True
    assert _place_cue(["a", "firm", "based", "in"]) is True
    assert _place_cue(["a", "report", "by"]) is False
    text = "The boat sank off the coast of Miravel on Sunday."
    assert _cued(text, "Miravel", "PERSON", EntityType.PERSON).best_type == EntityType.LOCATION
    text = "A jump near Tarsit, in the south of the kingdom."
    assert _cued(text, "Tarsit", "ORG", EntityType.ORGANIZATION).best_type == EntityType.LOCATION


# -- the real pipeline ---------------------------------------------------------------------------------


@pytest.mark.model
def test_pipeline_reads_aircraft_models_and_conferences(extractor: Extractor) -> None:
    text = (
        "Skyline Air will take delivery of six Airbus A321 jets in May, the airline said on Monday. "
        "Its chief executive presented the order at the Nordic Aviation Conference (NAC) in Oslo, "
        "where the NAC drew 3,000 visitors."
    )
    found = mentions(extractor.extract(Report(text=text, language="en")).entities)
    assert not any(surface == "Airbus" for surface, _ in found)
    assert ("NAC", EntityType.NAMED_EVENT) in found
    assert ("Oslo", EntityType.LOCATION) in found


@pytest.mark.model
def test_pipeline_leaves_currency_codes_out(extractor: Extractor) -> None:
    text = "The ransom demand was 50,000 USD, paid in bitcoin to a wallet in Estonia."
    found = mentions(extractor.extract(Report(text=text, language="en")).entities)
    assert not any(surface == "USD" for surface, _ in found)
