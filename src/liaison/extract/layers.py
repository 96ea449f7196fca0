"""Typing layers that run after the statistical NER: places from the gazetteer, and name cues.

Each layer adds votes or candidates to ``doc._.liaison_mentions``; the decision is taken per document by
``grouping.group_candidates`` once every layer has spoken.
"""

from __future__ import annotations

import functools

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from liaison.domain import EntityType
from liaison.extract.candidates import (
    AMBIGUOUS_GAZETTEER_VOTE,
    DEMONYM_VOTE,
    GAZETTEER_VOTE,
    TITLE_VOTE,
    Candidate,
)
from liaison.extract.gazetteer import Gazetteer, Place, load_gazetteer
from liaison.extract.titles import (
    EVENT_NOUNS_AFTER,
    EVENT_NOUNS_BEFORE,
    EVENT_WORDS_IN_NAME,
    GROUP_NOUNS_AFTER,
    NEWS_COUNTRY_CODES,
    ORGANIZATION_DESCRIPTORS,
    ORGANIZATION_HEADS,
    ORGANIZATION_NOUNS_AFTER,
    ORGANIZATION_SUFFIXES,
    ORGANIZATION_VERBS_AFTER,
    PLACE_CUES_BEFORE,
    TITLES_AFTER,
    TITLES_BEFORE,
)

REFLEXIVES = ("himself", "herself", "lui-même", "elle-même")
POSSESSIVE_DETERMINERS = frozenset({"its", "their", "his", "her", "our", "my", "your"})
ARTICLES = frozenset({"the", "le", "la", "l'", "l’", "les", "its", "his", "her", "their", "son", "sa"})

MAX_PLACE_TOKENS = 6


_MODEL_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})


@functools.cache
def _first_words(gazetteer: Gazetteer) -> frozenset[str]:
    words = set()
    for surface, _ in gazetteer.names():
        first = surface.split()[0].lower() if surface.split() else ""
        words.add(first)
        # the tokenizers split "Côte d'Ivoire" and "Etats-Unis" differently from the names' spaces
        words.add(first.split("-")[0])
        words.add(first.split("'")[0] + "'" if "'" in first else first)
        words.update(a for a in ARTICLES)
    return frozenset(words)


def _place_type(place: Place) -> EntityType:
    return EntityType.COUNTRY if place.kind == "country" else EntityType.LOCATION


def _is_code_in_prose(span: Span) -> bool:
    """An all-capital short form ("US", "UAE") inside a sentence that is not itself all capitals."""
    text = span.text.replace(".", "")
    if not (text.isupper() and len(text) <= 5):
        return False
    sentence = span.sent.text if span.doc.has_annotation("SENT_START") else span.doc.text
    lower = sum(1 for ch in sentence if ch.islower())
    return lower > len(sentence) // 4


@Language.factory("liaison_places")
def make_places(nlp: Language, name: str) -> PlaceLayer:
    return PlaceLayer()


class PlaceLayer:
    """Find gazetteer places and demonyms, and vote for them on the candidates they overlap.

    A gazetteer match outweighs a one-off model label ("Marrakesh" or "Sahel" read as a person), except
    when the name is also a common given name or word (``Gazetteer.is_ambiguous``), where it only
    adds a small vote.
    """

    def __init__(self, gazetteer: Gazetteer | None = None) -> None:
        self._gazetteer = gazetteer
        self._first_words: frozenset[str] | None = None

    @property
    def gazetteer(self) -> Gazetteer:
        if self._gazetteer is None:
            self._gazetteer = load_gazetteer()
        return self._gazetteer

    @property
    def first_words(self) -> frozenset[str]:
        """Lower-cased first words of every place name (with and without accents)."""
        if self._first_words is None:
            self._first_words = _first_words(self.gazetteer)
        return self._first_words

    def __call__(self, doc: Doc) -> Doc:
        mentions: list[Candidate] = doc._.liaison_mentions or []
        i = 0
        while i < len(doc):
            token = doc[i]
            matched = self._match_place(doc, i) if token.text[:1].isupper() else None
            if matched is not None:
                span, place = matched
                self._apply_place(doc, mentions, span, place)
                i = span.end
                continue
            self._apply_demonym(doc, mentions, token)
            i += 1
        doc._.liaison_mentions = mentions
        return doc

    def _match_place(self, doc: Doc, i: int) -> tuple[Span, Place] | None:
        if doc[i].lower_ not in self.first_words:
            return None  # no place name starts with this word: skip the lookups
        limit = min(len(doc), i + MAX_PLACE_TOKENS)
        starts_with_article = doc[i].lower_ in ARTICLES
        for j in range(limit, i, -1):
            span = doc[i:j]
            if starts_with_article and (j - i < 2 or self.gazetteer.lookup(doc[i + 1 : j].text)):
                continue  # "La Belgique": the article is not part of the name; in "La Haye" it is
            last = doc[j - 1]
            if "\n" in span.text or (j - i > 1 and not last.is_alpha):
                continue
            if j - i == 1 and not last.text[:1].isupper():
                continue
            place = self.gazetteer.lookup(span.text)
            if place is not None:
                return span, place
        return None

    def _apply_place(self, doc: Doc, mentions: list[Candidate], span: Span, place: Place) -> None:
        compact = span.text.replace(".", "")
        if compact.isupper() and len(compact) <= 4:
            before = doc[span.start - 1].text if span.start > 0 else ""
            if compact not in NEWS_COUNTRY_CODES or before[-1:].isdigit():
                return
        ambiguous = self.gazetteer.is_ambiguous(span.text) and not _is_code_in_prose(span)
        weight = AMBIGUOUS_GAZETTEER_VOTE if ambiguous else GAZETTEER_VOTE
        place_type = _place_type(place)
        start, end = span.start_char, span.end_char
        overlapping = [c for c in mentions if c.overlaps(start, end)]
        if not overlapping:
            if ambiguous:
                return  # a bare "Jordan" or "Washington" with no other evidence is left alone
            candidate = Candidate(start, end, label="GAZETTEER", canonical=place.name)
            candidate.vote(place_type, weight)
            mentions.append(candidate)
            return
        for candidate in overlapping:
            if candidate.label in _MODEL_PLACE_LABELS:
                # The model read a place too: the gazetteer only says which kind, ambiguity is settled.
                weight = GAZETTEER_VOTE
                moved = candidate.votes.pop(EntityType.LOCATION, 0.0)
                candidate.vote(place_type, moved)
            inside = start <= candidate.start and candidate.end <= end
            article_start = candidate.start + 4
            if (
                candidate.end == end
                and article_start == start
                and doc.text[candidate.start : start]
                in (
                    "the ",
                    "The ",
                )
            ):
                # "the United States": the model's span with its article names the same place
                candidate.canonical = place.name
                candidate.vote(place_type, weight)
            elif inside:
                # The model's span is part of the place name ("Sahara" of "Western Sahara").
                candidate.start, candidate.end = start, end
                candidate.canonical = place.name
                candidate.vote(place_type, weight)
            elif candidate.start == start and candidate.end == end:
                candidate.canonical = place.name
                candidate.vote(place_type, weight)
            # A place inside a longer name ("Morocco World News") is part of that name: no vote.

    def _apply_demonym(self, doc: Doc, mentions: list[Candidate], token: Token) -> None:
        text: str = token.text
        if len(text) < 3 or not text[0].isalpha():
            return
        if not text[0].isupper() and doc.lang_ != "fr":
            return  # English demonyms are capitalised; French ones are not
        country = self.gazetteer.demonym(text)
        if country is None:
            return
        start: int = token.idx
        end = start + len(text)
        overlapping = [c for c in mentions if c.overlaps(start, end)]
        if not overlapping:
            candidate = Candidate(start, end, label="DEMONYM", country=country.name)
            candidate.vote(EntityType.NATIONALITY, DEMONYM_VOTE)
            mentions.append(candidate)
            return
        for candidate in overlapping:
            if candidate.start == start and candidate.end == end:
                candidate.country = country.name
                candidate.vote(EntityType.NATIONALITY, DEMONYM_VOTE)


@Language.factory("liaison_name_cues")
def make_name_cues(nlp: Language, name: str) -> NameCues:
    return NameCues()


class NameCues:
    """Vote *person* for names with a title in front ("Director Wray", "Mme Verlinden"), a title in
    apposition after ("Burgess, director-general of ...") or a reflexive ("Lerner himself")."""

    def __call__(self, doc: Doc) -> Doc:
        mentions: list[Candidate] = doc._.liaison_mentions or []
        text = doc.text
        by_start = {c.start: c for c in mentions}
        for i, token in enumerate(doc):
            if not _is_title_token(token.text) or i + 1 >= len(doc):
                continue
            j = i + 1
            if doc[j].text == ".":
                j += 1
            if j >= len(doc) or not _capitalised_name_token(doc[j].text):
                continue
            if doc[j].text.lower() in ORGANIZATION_HEADS or _is_title_token(doc[j].text):
                continue  # "Director General ...": the next title word decides
            candidate = by_start.get(doc[j].idx)
            if candidate is None:
                end = j
                while end < len(doc) and end - j < 3 and _capitalised_name_token(doc[end].text):
                    end += 1
                span = doc[j:end]
                if any(c.overlaps(span.start_char, span.end_char) for c in mentions):
                    continue
                candidate = Candidate(span.start_char, span.end_char, label="TITLE")
                mentions.append(candidate)
                by_start[candidate.start] = candidate
            candidate.vote(EntityType.PERSON, TITLE_VOTE)
        for candidate in mentions:
            if _followed_by_person_cue(text, candidate.end):
                candidate.vote(EntityType.PERSON, TITLE_VOTE)
            _vote_event_or_group(text, candidate)
        doc._.liaison_mentions = mentions
        return doc


def _vote_event_or_group(text: str, candidate: Candidate) -> None:
    """Named events by their nouns ("African Lion exercises", "Operation Cronos", "Abraham Accords"),
    and group adjectives by the polity noun after them ("the Hashemite kingdom")."""
    name_words = text[candidate.start : candidate.end].lower().split()
    after = text[candidate.end : candidate.end + 40].lower().split()
    before = text[max(0, candidate.start - 20) : candidate.start].lower().split()
    following = [w for w in after[:2] if w.isalpha()]
    next_noun = (
        following[0]
        if following and following[0] not in ("military", "militaire")
        else (following[1] if len(following) > 1 else "")
    )
    if (
        (name_words and (name_words[-1] in EVENT_WORDS_IN_NAME or name_words[0] in EVENT_NOUNS_BEFORE))
        or next_noun in EVENT_NOUNS_AFTER
        or (before and before[-1] in EVENT_NOUNS_BEFORE)
    ):
        candidate.vote(EntityType.NAMED_EVENT, TITLE_VOTE)
    elif len(name_words) == 1 and next_noun in GROUP_NOUNS_AFTER:
        candidate.vote(EntityType.NATIONALITY, TITLE_VOTE)
    elif _organisation_cue(name_words, after, before) or _speaks_as_organisation(candidate, after):
        candidate.vote(EntityType.ORGANIZATION, TITLE_VOTE)
    elif _place_cue(before) and not candidate.canonical:
        candidate.vote(EntityType.LOCATION, TITLE_VOTE)


_MODEL_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})


def _speaks_as_organisation(candidate: Candidate, after: list[str]) -> bool:
    """A name only the model reads as a place, unknown to the gazetteer, that sues, says or announces
    ("Cisco sues Apple", "Cisco states that"): an organisation, since such places rarely speak."""
    if candidate.label not in _MODEL_PLACE_LABELS or candidate.canonical or candidate.country:
        return False
    if set(candidate.votes) - {EntityType.LOCATION, EntityType.COUNTRY}:
        return False
    following = [w.strip(",.") for w in after[:2]]
    if following and following[0] in ("has", "have", "had", "also"):
        following = following[1:]
    return bool(following) and following[0] in ORGANIZATION_VERBS_AFTER


def _place_cue(before: list[str]) -> bool:
    """A place word or preposition right before the name: "near Tan-Tan", "off the coast of Galicia"."""
    words = [w.strip(",.") for w in before]
    return any(tuple(words[-len(cue) :]) == cue for cue in PLACE_CUES_BEFORE if len(words) >= len(cue))


def _organisation_cue(name_words: list[str], after: list[str], before: list[str]) -> bool:
    """Company and agency cues: a suffix ("Airlines", "Inc."), a descriptor in front ("airline Aer
    Lingus"), or a noun after ("Ryanair CEO", "Boeing's board") unless a possessive comes first ("its
    Cupertino headquarters": the name is where the owner's noun is)."""
    if len(name_words) > 1 and name_words[-1].strip(",") in ORGANIZATION_SUFFIXES:
        return True
    if len(name_words) > 1 and name_words[0] in ORGANIZATION_HEADS:
        return True  # "Guardia Civil", "Polizia di Stato", "Office of Foreign Assets Control"
    if before and before[-1].strip(",") in ORGANIZATION_DESCRIPTORS:
        return True
    if before and (before[-1] in POSSESSIVE_DETERMINERS or before[-1].endswith(("'s", "’s"))):
        return False  # "its Cupertino headquarters": a place that qualifies someone's noun
    following = [w.strip(",.") for w in after[:2]]
    if following and following[0] in ("'s", "’s"):
        following = following[1:]
    elif following and following[0].endswith(("'s", "’s")):
        return False
    return bool(following) and following[0] in ORGANIZATION_NOUNS_AFTER


def _is_title_token(text: str) -> bool:
    return text.lower().rstrip(".") in TITLES_BEFORE


def _capitalised_name_token(text: str) -> bool:
    return text[:1].isupper() and any(ch.isalpha() for ch in text) and not text.isupper()


def _followed_by_person_cue(text: str, end: int) -> bool:
    following = text[end : end + 40]
    if following.startswith(tuple(" " + word for word in REFLEXIVES)):
        return True
    if not following.startswith(", "):
        return False
    words = following[2:].split()
    if words and words[0].lower() in ARTICLES:
        words = words[1:]
    if not words or words[0].lower().strip(",") not in TITLES_AFTER:
        return False
    # "the gendarmerie, General Christian Rodriguez": a title followed by a name introduces that name
    return not (len(words) > 1 and words[1][:1].isupper() and words[1].lower() not in TITLES_AFTER)
