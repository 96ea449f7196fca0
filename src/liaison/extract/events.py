"""Event triggers and their arguments, read from the dependency parse (a spaCy component).

For each trigger (a verb such as "met", "arrested", "a signé", or a noun such as "meeting", "visite",
"exercises") the component records character spans: who acts (the subject's subtree, climbing through
"to meet" clauses to the subject of the governing verb), who is acted upon (the object), who else takes
part ("with", "between", "avec", "entre"), where ("in", "at", "to", "à", "en", "dans"), and how certain
the event is (hoped, planned, denied). ``event_building`` turns these spans into events over the report's
entities and times. Only character offsets leave this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.language import Language
from spacy.tokens import Doc, Token

from liaison.extract.event_lexicon import (
    HOPE_WORDS,
    NEGATION_WORDS,
    NOUN_TRIGGERS,
    OBJECT_TRIGGERS,
    PLAN_WORDS,
    VERB_TRIGGERS,
    EventCode,
)

Span = tuple[int, int]

SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "nsubj:pass", "csubj", "expl:subj"})
OBJECT_DEPS = frozenset({"dobj", "obj", "iobj", "obl:arg", "dative"})
WITH_WORDS = frozenset({"with", "between", "among", "alongside", "avec", "entre", "auprès"})
PLACE_WORDS = frozenset({"in", "at", "to", "inside", "à", "au", "aux", "en", "dans", "vers"})
AGENT_WORDS = frozenset({"by", "par"})
# "to" and "vers" give a place only for a journey ("travelled to Washington"), not "threats to security".
MOTION_WORDS = frozenset({"to", "vers"})
# Clauses whose subject is the governing verb's subject: "X travelled to Washington to meet Y".
CONTROLLED_DEPS = frozenset({"xcomp", "advcl", "conj", "acl", "relcl"})


@dataclass
class EventCandidate:
    """An event read in a doc: character spans relative to the doc's text."""

    code: EventCode
    trigger: Span
    sentence: Span
    scope: Span
    actors: list[Span] = field(default_factory=list)
    recipients: list[Span] = field(default_factory=list)
    others: list[Span] = field(default_factory=list)
    places: list[Span] = field(default_factory=list)
    status: str = "occurred"
    nominal: bool = False
    language: str = ""

    def shifted(self, offset: int) -> EventCandidate:
        def move(span: Span) -> Span:
            return (span[0] + offset, span[1] + offset)

        return EventCandidate(
            self.code,
            move(self.trigger),
            move(self.sentence),
            move(self.scope),
            [move(s) for s in self.actors],
            [move(s) for s in self.recipients],
            [move(s) for s in self.others],
            [move(s) for s in self.places],
            self.status,
            self.nominal,
            self.language,
        )


if not Doc.has_extension("liaison_events"):
    Doc.set_extension("liaison_events", default=None)


# Clauses hanging off an argument that are not part of it: "sovereignty, which was ratified by X".
_CLAUSE_DEPS = frozenset({"relcl", "acl", "advcl", "parataxis", "acl:relcl", "ccomp"})


def _subtree_span(token: Token) -> Span:
    """The argument's span: its subtree without the clauses that hang off it."""
    left, right = token.left_edge.i, token.right_edge.i
    for descendant in token.subtree:
        if descendant is not token and descendant.dep_ in _CLAUSE_DEPS:
            if descendant.i > token.i:
                right = min(right, descendant.left_edge.i - 1)
            else:
                left = max(left, descendant.right_edge.i + 1)
    right = max(right, token.i)
    left = min(left, token.i)
    doc = token.doc
    while right > left and doc[right].is_punct:
        right -= 1
    return (doc[left].idx, doc[right].idx + len(doc[right].text))


def _code_for(token: Token, language: str) -> tuple[EventCode, bool] | None:
    lemma = token.lemma_.lower()
    if token.pos_ in ("VERB", "AUX") or (token.dep_ in ("ROOT",) and token.pos_ != "NOUN"):
        for child in token.children:
            # "held talks", "took down servers", "brought together X and Y"
            if child.dep_ in OBJECT_DEPS or child.dep_ in ("prt", "advmod", "compound:prt"):
                key = (lemma, child.lemma_.lower())
                if key in OBJECT_TRIGGERS.get(language, {}):
                    return OBJECT_TRIGGERS[language][key], False
        code = VERB_TRIGGERS.get(language, {}).get(lemma)
        if code is not None and token.pos_ == "VERB":
            return code, False
    if token.pos_ in ("NOUN", "PROPN"):
        code = NOUN_TRIGGERS.get(language, {}).get(lemma) or NOUN_TRIGGERS.get(language, {}).get(token.lower_)
        if code is not None:
            return code, True
    return None


def _governing_subject(token: Token) -> Token | None:
    """The subject of a verb, of the verb it depends on for "to meet"-style clauses, or the owner
    of the noun it completes ("the decision of Trump's administration to recognise ...")."""
    current: Token | None = token
    for _ in range(4):
        assert current is not None
        for child in current.children:
            if child.dep_ in SUBJECT_DEPS:
                return child
        if current.dep_ in ("acl", "xcomp") and current.head.pos_ == "NOUN":
            for child in current.head.children:
                if child.dep_ in ("poss", "nmod:poss"):
                    return child
                if child.dep_ == "prep" and child.lower_ in ("of", "de", "du"):
                    objects = [c for c in child.children if c.dep_ == "pobj"]
                    if objects:
                        return objects[0]
        if current.dep_ not in CONTROLLED_DEPS or current.head is current:
            return None
        current = current.head
    return None


def _status(token: Token, nominal: bool) -> str:
    """hoped, planned, negated or occurred, from the trigger, its modifiers and its governors."""
    chain = [token, *token.ancestors]
    words = {t.lower_ for t in chain}
    modifiers = {c.lower_ for t in chain[:3] for c in t.children}
    if words & HOPE_WORDS or any(t.lemma_.lower() in ("hope", "espérer", "souhaiter") for t in chain):
        return "hoped"
    if modifiers & NEGATION_WORDS or any(c.dep_ == "neg" for c in token.children):
        return "negated"
    if modifiers & PLAN_WORDS or any("Fut" in t.morph.get("Tense", []) for t in chain[:2]):
        return "planned"
    if nominal and {c.lower_ for c in token.children} & PLAN_WORDS:
        return "planned"
    return "occurred"


@Language.factory("liaison_events")
def make_events(nlp: Language, name: str) -> EventTriggers:
    return EventTriggers()


class EventTriggers:
    """Find event triggers and the spans of their arguments; results in ``doc._.liaison_events``."""

    def __call__(self, doc: Doc) -> Doc:
        language = doc.lang_
        events: list[EventCandidate] = []
        for token in doc:
            found = _code_for(token, language)
            if found is None:
                continue
            code, nominal = found
            sentence = token.sent
            scope_token = token.head if nominal and token.dep_ in ("nsubj", "nsubjpass") else token
            candidate = EventCandidate(
                code=code,
                trigger=(token.idx, token.idx + len(token.text)),
                sentence=(sentence.start_char, sentence.end_char),
                scope=_subtree_span(token if nominal else scope_token),
                status=_status(token, nominal),
                nominal=nominal,
                language=language,
            )
            self._read_arguments(token, candidate, nominal)
            events.append(candidate)
        doc._.liaison_events = events
        return doc

    def _read_arguments(self, token: Token, candidate: EventCandidate, nominal: bool) -> None:
        heads = [token]
        if not nominal:
            subject = _governing_subject(token)
            if subject is not None:
                candidate.actors.append(_subtree_span(subject))
                # "Europol, le FBI et la police ... ont dévoilé": the parser may hang the first of a
                # list of subjects elsewhere; a name right before the subject, a comma apart, is one of them
                for child in token.children:
                    between = token.doc[child.right_edge.i + 1 : subject.left_edge.i]
                    if (
                        child.i < subject.i
                        and child.pos_ not in ("DET", "PRON", "ADP", "CCONJ", "SCONJ", "PUNCT")
                        and child.text[:1].isupper()
                        and child.left_edge == child == child.right_edge  # a bare name, not a clause
                        and child.dep_ not in SUBJECT_DEPS
                        and 0 < len(between) <= 2
                        and all(t.is_punct or t.pos_ == "DET" for t in between)
                    ):
                        candidate.actors.append(_subtree_span(child))
        else:
            # "the meeting held in Madrid between A and B", "the exercises in which A and B took part":
            # the noun's own clauses carry the arguments
            clauses = [c for c in token.children if c.dep_ in ("acl", "relcl", "acl:relcl")]
            heads.extend(clauses)
            for clause in clauses:
                subject = next((c for c in clause.children if c.dep_ in SUBJECT_DEPS), None)
                if subject is not None and subject.lower_ not in ("which", "that", "qui", "que"):
                    candidate.actors.append(_subtree_span(subject))
            for child in token.children:
                if child.dep_ in ("poss", "compound", "nmod:poss") and child.pos_ == "PROPN":
                    candidate.actors.append(_subtree_span(child))
            # "Europol reported three arrests, in Poland and Ukraine": a place right after the noun
            # that the parser hung on the verb still places the event
            if token.dep_ in OBJECT_DEPS:
                for sibling in token.head.children:
                    if (
                        0 < sibling.i - token.right_edge.i <= 2
                        and sibling.lower_ in PLACE_WORDS - MOTION_WORDS
                    ):
                        candidate.places.append(_subtree_span(sibling))
        for head in heads:
            for child in head.children:
                lowered = child.lower_
                if child.dep_ in OBJECT_DEPS:
                    candidate.recipients.append(_subtree_span(child))
                elif child.dep_ == "agent" or lowered in AGENT_WORDS:
                    candidate.actors.append(_subtree_span(child))
                elif lowered in WITH_WORDS:
                    candidate.others.append(_subtree_span(child))
                elif lowered in PLACE_WORDS and (
                    lowered not in MOTION_WORDS or candidate.code.mode == "visit"
                ):
                    candidate.places.append(_subtree_span(child))
                elif child.dep_ in ("obl", "obl:mod", "nmod") and child.pos_ == "PROPN":
                    # French "à Madrid" / "avec M. X" hang the case marker below the noun
                    marker = next((c.lower_ for c in child.children if c.dep_ == "case"), "")
                    if marker in WITH_WORDS:
                        candidate.others.append(_subtree_span(child))
                    elif marker in PLACE_WORDS:
                        candidate.places.append(_subtree_span(child))
                    elif marker in AGENT_WORDS:
                        candidate.actors.append(_subtree_span(child))
