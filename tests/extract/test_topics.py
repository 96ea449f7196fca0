"""Topics: English and French cues with exact offsets, spans, report ranking, the taxonomy and its docs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from liaison.extract.topics import TopicHit, find_topics, report_topics, taxonomy, topics_in_span

ROOT = Path(__file__).resolve().parents[2]
SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "000_82b7a8f3ec19bd5b.txt"
REQUIRED = {
    "terrorism", "violent_extremism", "organised_crime", "cybercrime", "cross_border_crime",
    "drug_trafficking", "human_trafficking_and_migrant_smuggling", "arms_trafficking", "money_laundering",
    "cbrn", "espionage", "military_cooperation", "intelligence_sharing", "law_enforcement_cooperation",
    "diplomacy", "sovereignty", "border_security", "election_interference", "critical_infrastructure",
}  # fmt: skip
HUMAN = "human_trafficking_and_migrant_smuggling"


def cues(text: str, language: str) -> list[tuple[str, str]]:
    hits = find_topics(text, language)
    for hit in hits:
        assert text[hit.start : hit.end] == hit.text
    return [(hit.topic, hit.text) for hit in hits]


@pytest.mark.parametrize(
    ("text", "topic", "cue"),
    [
        ("The fight against terrorism continues.", "terrorism", "terrorism"),
        ("Jihadist groups are active in the Sahel.", "terrorism", "Jihadist"),
        ("He runs the counter-terrorism unit.", "terrorism", "counter-terrorism"),
        ("Police foiled a terror plot.", "terrorism", "terror plot"),
        ("Groups linked to organised crime grew.", "organised_crime", "organised crime"),
        ("Criminal organizations laundered cash.", "organised_crime", "Criminal organizations"),
        ("The criminal networks operate in the Sahara.", "organised_crime", "criminal networks"),
        ("Cybercrime is a major concern.", "cybercrime", "Cybercrime"),
        ("It neutralised 500 cyber attacks.", "cybercrime", "cyber attacks"),
        ("Hospitals were hit by cyber-attacks.", "cybercrime", "cyber-attacks"),
        ("The LockBit ransomware gang was disrupted.", "cybercrime", "ransomware"),
        ("Police took over the botnet.", "cybercrime", "botnet"),
        ("Other forms of cross-border criminality were discussed.", "cross_border_crime",
         "cross-border criminality"),
        ("Transnational organised crime is rising.", "cross_border_crime", "Transnational organised crime"),
        ("A drug trafficking network was dismantled.", "drug_trafficking", "drug trafficking"),
        ("Eight tonnes of cocaine were seized.", "drug_trafficking", "cocaine"),
        ("Delegates discussed human trafficking.", HUMAN, "human trafficking"),
        ("A people smuggling ring was broken up.", HUMAN, "people smuggling"),
        ("He was charged with arms trafficking.", "arms_trafficking", "arms trafficking"),
        ("The bank faced money laundering charges.", "money_laundering", "money laundering"),
        ("Drills covered chemical, biological, radiological and nuclear incidents.", "cbrn",
         "chemical, biological, radiological and nuclear"),
        ("Beijing rejected claims of state-sponsored espionage.", "espionage", "state-sponsored espionage"),
        ("The group known as APT31 targeted MPs.", "espionage", "APT31"),
        ("The African Lion military exercises took place.", "military_cooperation", "military exercises"),
        ("The two agencies share intelligence on threats.", "intelligence_sharing", "share intelligence"),
        ("EC3 coordinated the exchange of information.", "intelligence_sharing", "exchange of information"),
        ("Eurojust supports judicial cooperation.", "law_enforcement_cooperation", "judicial cooperation"),
        ("It established diplomatic relations with Israel.", "diplomacy", "diplomatic relations"),
        ("It recognised Moroccan sovereignty over the territory.", "sovereignty", "sovereignty"),
        ("Border guards stopped the convoy.", "border_security", "Border guards"),
        ("The coastguard rescued 40 people.", "border_security", "coastguard"),
        ("Hackers accessed the electoral registers.", "election_interference", "electoral registers"),
        ("Critical infrastructure operators were warned.", "critical_infrastructure",
         "Critical infrastructure"),
    ],
)  # fmt: skip
def test_english_cues(text: str, topic: str, cue: str) -> None:
    assert (topic, cue) in cues(text, "en")


@pytest.mark.parametrize(
    ("text", "topic", "cue"),
    [
        ("La lutte contre le terrorisme reste prioritaire.", "terrorism", "terrorisme"),
        ("Une menace terroriste persiste.", "terrorism", "terroriste"),
        ("Les groupes djihadistes progressent.", "terrorism", "djihadistes"),
        ("Les groupes armés jihadistes progressent.", "violent_extremism", "groupes armés"),
        ("Il s'agit d'un coup dur contre le crime organisé.", "organised_crime", "crime organisé"),
        ("Des réseaux criminels opèrent au Sahel.", "organised_crime", "réseaux criminels"),
        ("Les organisations criminelles utilisaient ANOM.", "organised_crime", "organisations criminelles"),
        ("La cybercriminalité explose.", "cybercrime", "cybercriminalité"),
        ("Une cyberattaque a visé l'hôpital.", "cybercrime", "cyberattaque"),
        ("Le rançongiciel LockBit a frappé.", "cybercrime", "rançongiciel"),
        ("La société conteste tout piratage.", "cybercrime", "piratage"),
        ("La criminalité transfrontalière inquiète.", "cross_border_crime", "criminalité transfrontalière"),
        ("Les messages portaient sur le trafic de cocaïne.", "drug_trafficking", "trafic de cocaïne"),
        ("Le trafic de drogue finance les groupes.", "drug_trafficking", "trafic de drogue"),
        ("Ils ont débattu de la traite des êtres humains.", HUMAN, "traite des êtres humains"),
        ("Un trafic d’armes a été démantelé.", "arms_trafficking", "trafic d’armes"),
        ("Un trafic d'armes a été démantelé.", "arms_trafficking", "trafic d'armes"),
        ("Il est poursuivi pour blanchiment d'argent.", "money_laundering", "blanchiment d'argent"),
        ("Un exercice NRBC a eu lieu.", "cbrn", "NRBC"),
        ("Les chefs du renseignement dénoncent l'espionnage.", "espionage", "espionnage"),
        ("L'exercice militaire Flintlock a débuté.", "military_cooperation", "exercice militaire"),
        ("Au programme : échange de renseignements entre états-majors.", "intelligence_sharing",
         "échange de renseignements"),
        ("Le partage du renseignement s'intensifie.", "intelligence_sharing", "partage du renseignement"),
        ("L'agence de coopération policière.", "law_enforcement_cooperation", "coopération policière"),
        ("Une équipe commune d’enquête a été constituée.", "law_enforcement_cooperation",
         "équipe commune d’enquête"),
        ("Le pays a établi des relations diplomatiques.", "diplomacy", "relations diplomatiques"),
        ("La souveraineté marocaine sur le Sahara.", "sovereignty", "souveraineté"),
        ("La surveillance des frontières est renforcée.", "border_security", "surveillance des frontières"),
        ("Les ingérences étrangères se multiplient.", "foreign_interference", "ingérences étrangères"),
        ("Des câbles sous-marins ont été sectionnés.", "critical_infrastructure", "câbles sous-marins"),
    ],
)  # fmt: skip
def test_french_cues(text: str, topic: str, cue: str) -> None:
    assert (topic, cue) in cues(text, "fr")


@pytest.mark.parametrize(
    ("text", "language", "topic"),
    [
        ("The reign of terror ended.", "en", "terrorism"),
        ("Drug prices rose at the pharmacy.", "en", "drug_trafficking"),
        ("La drogue circule dans le quartier.", "fr", "drug_trafficking"),
        ("Radio interference disturbed the broadcast.", "en", "foreign_interference"),
        ("Europolitics and Interpolation are not agencies.", "en", "law_enforcement_cooperation"),
        ("Le terrorisme est un mot français.", "en", "terrorism"),  # French cues are not read in English
    ],
)
def test_words_that_are_not_cues(text: str, language: str, topic: str) -> None:
    assert topic not in {t for t, _ in cues(text, language)}


def test_cues_span_line_breaks_and_take_the_longest_form() -> None:
    text = "Groups linked to organised\ncrime and transnational organised crime networks."
    hits = find_topics(text, "en")
    assert [(h.topic, h.text) for h in hits] == [
        ("organised_crime", "organised\ncrime"),
        ("cross_border_crime", "transnational organised crime"),
        ("organised_crime", "organised crime"),
    ]
    assert [text[h.start : h.end] for h in hits] == [h.text for h in hits]


def test_language_neutral_cues_and_unknown_languages() -> None:
    assert ("cybercrime", "ransomware") in cues("Le ransomware a chiffré les serveurs.", "fr")
    # A language without cues of its own is read with every language's cues.
    assert {t for t, _ in cues("Terrorisme und terrorism.", "de")} == {"terrorism"}
    assert len(find_topics("Terrorisme und terrorism.", "de")) == 2


def test_topics_in_span() -> None:
    text = "Cybercrime rose. Terrorism and jihadist threats grew, and cyber attacks too."
    hits = find_topics(text, "en")
    second = text.index("Terrorism")
    assert topics_in_span(hits, second, len(text)) == ("cybercrime", "terrorism")
    assert topics_in_span(hits, 0, second) == ("cybercrime",)
    assert topics_in_span(hits, 0, 5) == ()  # a cue must lie wholly inside the span


def test_report_topics_ordered_by_hits_then_name() -> None:
    names = ("espionage", "cybercrime", "terrorism", "cybercrime", "terrorism")
    hits = [TopicHit(name, 0, 1, "x") for name in names]
    assert report_topics(hits) == ("cybercrime", "terrorism", "espionage")
    assert report_topics(hits, min_hits=2) == ("cybercrime", "terrorism")
    assert report_topics([]) == ()


def test_the_seed_report_topics() -> None:
    text = SEED.read_text(encoding="utf-8")
    topics = report_topics(find_topics(text, "en"))
    assert {"terrorism", "organised_crime", "cybercrime", "cross_border_crime"} <= set(topics)
    assert topics[:2] == ("organised_crime", "terrorism") or topics[:2] == ("terrorism", "organised_crime")


def test_the_taxonomy_covers_the_required_topics_and_is_documented() -> None:
    topics = {topic.id: topic for topic in taxonomy()}
    assert set(topics) >= REQUIRED
    docs = (ROOT / "docs" / "topics.md").read_text(encoding="utf-8")
    for topic in topics.values():
        assert topic.definition and "en" in topic.cues and "fr" in topic.cues, topic.id
        assert f"### `{topic.id}`" in docs
        assert topic.definition in docs
        for cue in (c for kind in topic.cues.values() for c in kind):
            assert f"`{cue}`" in docs, (topic.id, cue)


def test_a_malformed_taxonomy_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "topics.tsv"
    path.write_text("terrorism\tdefinition\tTerror.\nterrorism\ten\tterror(ism\n", encoding="utf-8")
    with pytest.raises(re.error):
        taxonomy(path)
    path.write_text("terrorism\ten terrorism\n", encoding="utf-8")
    with pytest.raises(ValueError, match="expected topic"):
        taxonomy(path)
    path.write_text("terrorism\ten\tterrorism\n", encoding="utf-8")
    with pytest.raises(ValueError, match="definition"):
        taxonomy(path)
