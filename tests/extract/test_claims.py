"""Claims: figures with qualifier, unit, period and actor, the numbers that are not claims, and conflicts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from liaison.domain import Claim, Entity, EntityType, Evidence, Mention, entity_id_for
from liaison.extract.aliases import split_sentences
from liaison.extract.claims import ClaimGroup, claim_range, compare_claims, extract_claims

SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "000_82b7a8f3ec19bd5b.txt"
NBSP, NNBSP = "\u00a0", "\u202f"


def entity(text: str, name: str, kind: EntityType = EntityType.ORGANIZATION, surface: str = "") -> Entity:
    """An entity with a mention at every occurrence of ``surface`` (default: the name) in ``text``."""
    found = [m.start() for m in re.finditer(re.escape(surface or name), text)]
    assert found, f"{surface or name!r} is not in the text"
    mentions = tuple(Mention(s, s + len(surface or name), surface or name, 0) for s in found)
    return Entity(kind, name, mentions)


def claims(text: str, language: str = "en", entities: tuple[Entity, ...] = ()) -> tuple[Claim, ...]:
    found = extract_claims(text, "report-1", entities, split_sentences(text, language), language)
    for claim in found:
        evidence = claim.evidence
        assert text[evidence.start : evidence.end] == evidence.text
        assert evidence.report_id == "report-1"
    return found


def one(text: str, language: str = "en", entities: tuple[Entity, ...] = ()) -> Claim:
    found = claims(text, language, entities)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("text", "value", "qualifier", "unit", "period", "evidence"),
    [
        ("Police said 43 suspects were detained.", 43, None, "arrests", None, "43 suspects were detained"),
        ("Officers seized about $45 million in cash.", 45e6, "about", "USD", None, "about $45 million"),
        ("The gang hit 2,000 victims worldwide.", 2000, None, "victims", None, "2,000 victims"),
        ("Police made two arrests on Monday.", 2, None, "arrests", None, "two arrests"),
        ("The fund lost €1.2m last year.", 1.2e6, None, "EUR", "last year", "€1.2m last year"),
        ("More than 20,000 people were approached online.", 20000, "more than", "people", None,
         "More than 20,000 people"),
        ("Almost 600 migrants were rescued at sea.", 600, "about", "migrants", None, "Almost 600 migrants"),
        ("At least 12 servers were seized.", 12, "at least", "servers", None, "At least 12 servers"),
        ("Rewards of up to $15 million were offered.", 15e6, "up to", "USD", None, "up to $15 million"),
        ("Over 100 countries took part.", 100, "more than", "countries", None, "Over 100 countries"),
        ("Nearly 300 officers were deployed.", 300, "about", "officers", None, "Nearly 300 officers"),
        ("Ransomware cost them $2.5bn.", 2.5e9, None, "USD", None, "$2.5bn"),
        ("Attacks rose by 40% in 2023.", 40, None, "%", "2023", "40% in 2023"),
        ("Thirty-four servers were taken down.", 34, None, "servers", None, "Thirty-four servers"),
        ("It sent more than 10,000 malicious emails.", 10000, "more than", "emails", None,
         "more than 10,000 malicious emails"),
        ("Police seized more than eight tonnes of cocaine.", 8, "more than", "tonnes of cocaine", None,
         "more than eight tonnes of cocaine"),
        ("About 40 million people were exposed between 2021 and 2022.", 40e6, "about", "people", "2021-2022",
         "About 40 million people"),
        ("In 2021, the agency blocked 500 cyber-attacks.", 500, None, "cyber attacks", "2021",
         "500 cyber-attacks"),
    ],
)  # fmt: skip
def test_english_figures(
    text: str, value: float, qualifier: str | None, unit: str, period: str | None, evidence: str
) -> None:
    claim = one(text)
    assert (claim.value, claim.qualifier, claim.unit, claim.period) == (value, qualifier, unit, period)
    assert claim.evidence.text == evidence


@pytest.mark.parametrize(
    ("text", "value", "qualifier", "unit", "period", "evidence"),
    [
        ("Au total, plus de 800 personnes ont été arrêtées.", 800, "more than", "arrests", None,
         "plus de 800 personnes ont été arrêtées"),
        ("Une trentaine de serveurs ont été saisis.", 30, "about", "servers", None,
         "Une trentaine de serveurs"),
        ("L'opération a été menée par une dizaine de pays.", 10, "about", "countries", None,
         "une dizaine de pays"),
        ("Plus de 1,2 million d'euros ont été saisis.", 1.2e6, "more than", "EUR", None,
         "Plus de 1,2 million d'euros"),
        (f"Ils ont saisi 2{NBSP}000 téléphones.", 2000, None, "phones", None, f"2{NBSP}000 téléphones"),
        (f"Ils ont saisi 2{NNBSP}000 téléphones.", 2000, None, "phones", None, f"2{NNBSP}000 téléphones"),
        ("Les enquêteurs ont saisi 2 000 téléphones.", 2000, None, "phones", None, "2 000 téléphones"),
        ("Près de 600 migrants ont été secourus.", 600, "about", "migrants", None, "Près de 600 migrants"),
        ("Au moins 12 serveurs ont été saisis.", 12, "at least", "servers", None, "Au moins 12 serveurs"),
        ("Environ 200 perquisitions ont été menées.", 200, "about", "searches", None,
         "Environ 200 perquisitions"),
        ("Les polices ont saisi quelque 12 000 appareils.", 12000, "about", "devices", None,
         "quelque 12 000 appareils"),
        ("Une prime de jusqu'à 15 millions de dollars est offerte.", 15e6, "up to", "USD", None,
         "jusqu'à 15 millions de dollars"),
        ("La police a procédé à deux arrestations.", 2, None, "arrests", None, "deux arrestations"),
        ("Il évoque plus d'un millier de clés de déchiffrement.", 1000, "more than", "decryption keys", None,
         "plus d'un millier de clés de déchiffrement"),
        ("Plus d'une centaine de suspects ont été arrêtés.", 100, "more than", "arrests", None,
         "Plus d'une centaine de suspects ont été arrêtés"),
        ("Le préjudice dépasserait 2 milliards de dollars.", 2e9, "more than", "USD", None,
         "dépasserait 2 milliards de dollars"),
        ("Les délégués de soixante-dix pays étaient présents.", 70, None, "countries", None,
         "soixante-dix pays"),
        ("Le service a bloqué 5 000 cyberattaques en 2021.", 5000, None, "cyber attacks", "2021",
         "5 000 cyberattaques en 2021"),
    ],
)  # fmt: skip
def test_french_figures(
    text: str, value: float, qualifier: str | None, unit: str, period: str | None, evidence: str
) -> None:
    claim = one(text, "fr")
    assert (claim.value, claim.qualifier, claim.unit, claim.period) == (value, qualifier, unit, period)
    assert claim.evidence.text == evidence


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The meeting was held on 25 April 2021 at 10:30.", "en"),
        ("Mardi 17 octobre, le 1er mars et le 21 février 2024.", "fr"),
        ("He was aged 45 when he joined in 1998.", "en"),
        ("The Airbus A380 and the Boeing 787 were grounded.", "en"),
        ("Call +33 1 23 45 67 89 for details.", "en"),
        ("See page 12 and article 5 of the treaty.", "en"),
        ("It is one of the first operations of its kind.", "en"),
        ("The 92nd General Assembly met; the so-called Five Eyes partnership met too.", "en"),
        ("APT31 and Covid-19 were discussed.", "en"),
        ("Le suspect encourt jusqu'à douze ans de prison.", "fr"),
        ("They face up to 12 years in prison after a five-year inquiry.", "en"),
        ("The two countries will work harder; les deux pays aussi.", "en"),
        ("Police seize control of the network.", "en"),
        ("The five used the event to press companies.", "en"),
        ("Hundreds of firearms and tens of millions of messages; des dizaines d'interpellations.", "en"),
        ("Published at 06 h 00 and updated at 07.30 GMT.", "en"),
    ],
)
def test_numbers_that_are_not_claims(text: str, language: str) -> None:
    assert claims(text, language) == ()


def test_a_number_inside_an_entity_name_is_not_a_claim() -> None:
    text = "The 764 network recruited teenagers."
    assert one(text).unit == "network"  # read as a figure without the entity...
    assert claims(text, entities=(entity(text, "764 network"),)) == ()  # ...and not inside its name


def test_subject_is_the_nearest_organisation_before_the_figure() -> None:
    text = "AFP Commissioner Reece Kershaw said 224 people had been arrested."
    afp, kershaw = entity(text, "AFP"), entity(text, "Reece Kershaw", EntityType.PERSON)
    claim = one(text, entities=(kershaw, afp))
    assert claim.subject == afp.id
    assert (claim.value, claim.unit, claim.evidence.text) == (224, "arrests", "224 people had been arrested")


def test_subject_falls_back_to_a_person_or_country_in_the_clause() -> None:
    text = "Mr McCallum said that more than 20,000 people had been approached."
    mccallum = entity(text, "Ken McCallum", EntityType.PERSON, "McCallum")
    assert one(text, entities=(mccallum,)).subject == mccallum.id
    text = "Morocco dismantled 12 terrorist cells."
    morocco = entity(text, "Morocco", EntityType.COUNTRY)
    claim = one(text, entities=(morocco,))
    assert (claim.subject, claim.unit) == (entity_id_for(EntityType.COUNTRY, "Morocco"), "terrorist cells")
    # A country in an earlier clause is where it happened, not who counted: no subject.
    text = "In France, 48 people were arrested."
    assert one(text, entities=(entity(text, "France", EntityType.COUNTRY),)).subject == ""


def test_subject_falls_back_to_the_next_organisation_then_to_nothing() -> None:
    text = "Worldwide, over 800 suspects were detained in raids coordinated with Europol."
    europol = entity(text, "Europol")
    assert one(text, entities=(europol,)).subject == europol.id
    assert one(text).subject == ""
    text = "The Ukrainian police said 2 suspects were identified."
    ukrainian = entity(text, "Ukrainian", EntityType.NATIONALITY)
    assert one(text, entities=(ukrainian,)).subject == ""


def test_subject_in_french_and_the_dateline_is_no_actor() -> None:
    text = "PARIS, 21 février 2024 (Agence Méridienne) — Deux personnes ont été interpellées en Pologne."
    agency = entity(text, "Agence Méridienne")
    claim = one(text, "fr", (agency,))
    assert (claim.value, claim.unit, claim.subject) == (2, "arrests", "")
    text = "La DGSSI a neutralisé plus de 500 cyberattaques en 2021."
    dgssi = entity(text, "DGSSI")
    claim = one(text, "fr", (dgssi,))
    assert (claim.subject, claim.value, claim.qualifier, claim.unit, claim.period) == (
        dgssi.id, 500, "more than", "cyber attacks", "2021",
    )  # fmt: skip


def test_evidence_offsets_and_sentence_index() -> None:
    text = "Europol led the action. It said 16 countries took part and 800 suspects were arrested."
    found = claims(text)
    assert [(c.value, c.unit) for c in found] == [(16, "countries"), (800, "arrests")]
    assert {c.evidence.sentence for c in found} == {1}
    assert found[1].evidence.text == "800 suspects were arrested"
    assert text[found[0].evidence.start : found[0].evidence.end] == "16 countries"


def test_number_words_follow_the_sentence_language() -> None:
    text = "Police seize six servers.\nLa police a saisi six serveurs et seize ordinateurs."
    sentences = split_sentences(text, "en")
    sentences = (sentences[0], *(s.__class__(s.index, s.start, s.end, "fr") for s in sentences[1:]))
    found = extract_claims(text, "r", (), sentences, "en")
    assert [(c.value, c.unit) for c in found] == [(6, "servers"), (6, "servers"), (16, "computers")]


TOKENS = [*"0123456789 ,.$€%-'’\n", "\u00a0", "more than ", "plus d'", "une ", "trentaine ", "two ", "deux ",
          "million ", "bn ", "de ", "people ", "pays ", "in 2021", "A", "Europol ", "arrested ", "aged ",
          "the "]  # fmt: skip


@given(st.lists(st.sampled_from(TOKENS), max_size=40).map("".join), st.sampled_from(["en", "fr", "de"]))
def test_any_text_gives_well_formed_claims(text: str, language: str) -> None:
    europol = (entity(text, "Europol"),) if "Europol" in text else ()
    for claim in claims(text, language, europol):
        assert 0 <= claim.evidence.start < claim.evidence.end <= len(text)
        assert claim.value >= 0 and claim.unit
        assert claim.subject in ("", *(e.id for e in europol))


def test_the_seed_report_dgssi_figure() -> None:
    text = SEED.read_text(encoding="utf-8")
    dgssi = entity(text, "DGSSI")
    found = extract_claims(text, "seed", (dgssi,), split_sentences(text, "en"), "en")
    [claim] = [c for c in found if c.value == 500]
    assert claim.qualifier == "more than"
    assert "cyber attack" in claim.unit
    assert claim.period == "2021"
    assert claim.subject == dgssi.id
    assert text[claim.evidence.start : claim.evidence.end] == claim.evidence.text
    assert claim.evidence.text.startswith("more than 500 cyber attacks")


def make(value: float, qualifier: str | None = None, unit: str = "arrests", period: str | None = None,
         subject: str = "", report: str = "r") -> Claim:  # fmt: skip
    return Claim(subject, value, qualifier, unit, period, Evidence(report, 0, 1, "x", 0))


@pytest.mark.parametrize(
    ("qualifier", "value", "expected"),
    [
        ("more than", 500, (500, float("inf"))),
        ("at least", 500, (500, float("inf"))),
        ("up to", 15, (0, 15)),
        ("less than", 15, (0, 15)),
        (None, 577, (577, 577)),
        ("about", 600, (550, 650)),  # as precise as its rounding
        ("about", 577, (577 * 0.95, 577 * 1.05)),  # 5% at least
        ("about", 30, (25, 35)),
        ("about", 45e6, (45e6 * 0.95, 45e6 * 1.05)),
    ],
)
def test_claim_range(qualifier: str | None, value: float, expected: tuple[float, float]) -> None:
    assert claim_range(make(value, qualifier)) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("first", "second", "conflicting"),
    [
        (("more than", 500), (None, 577), False),
        ((None, 400), (None, 577), True),
        (("about", 600), (None, 577), False),
        (("about", 45e6), (None, 48e6), True),
        (("about", 30), (None, 34), False),  # "une trentaine" for 34
        ((None, 8), (None, 9), True),
        (("more than", 200), (None, 224), False),
        (("up to", 15), (None, 12), False),
        (("up to", 15), (None, 16), True),
    ],
)
def test_compare_claims_conflict_or_compatible(
    first: tuple[str | None, float], second: tuple[str | None, float], conflicting: bool
) -> None:
    a, b = make(first[1], first[0], report="a"), make(second[1], second[0], report="b")
    [group] = compare_claims({"a": [a], "b": [b]})
    assert group.conflicting is conflicting
    assert set(group.claims) == {a, b}


def test_compare_claims_keeps_different_figures_apart() -> None:
    australia, world = make(224, subject="afp"), make(800, "more than", subject="europol")
    groups = compare_claims({
        "a": [australia, world, make(16, unit="countries")],
        "b": [make(220, "more than", subject="afp"), make(800), make(18, unit="countries")],
        "c": [make(5, unit="servers")],
    })  # fmt: skip
    summary = sorted((g.unit, g.subject, sorted(c.value for c in g.claims), g.conflicting) for g in groups)
    assert summary == [
        ("arrests", "afp", [220, 224], False),
        ("arrests", "europol", [800, 800], False),
        ("countries", "", [16, 18], True),
    ]


def test_compare_claims_respects_periods_and_stories() -> None:
    in_2021, in_2022 = make(500, period="2021"), make(400, period="2022")
    assert compare_claims({"a": [in_2021], "b": [in_2022]}) == []
    assert compare_claims({"a": [in_2021], "b": [make(400)]})[0].period == "2021"
    stories = {"a": "emotet", "b": "lockbit"}
    assert compare_claims({"a": [make(8)], "b": [make(9)]}, stories) == []
    assert compare_claims({"a": [make(8)], "b": [make(9)]}, {"a": "s", "b": "s"})[0].conflicting


def test_compare_claims_needs_two_reports() -> None:
    assert compare_claims({"a": [make(8), make(9)]}) == []
    group = compare_claims({"a": [make(8, subject="x")], "b": [make(8)]})[0]
    assert group == ClaimGroup("x", "arrests", None, group.claims, False)
