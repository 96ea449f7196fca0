"""spaCy components that Liaison adds around the statistical models.

Each component is a ``Doc -> Doc`` callable made by a registered factory, so that later layers (gazetteers,
label consistency, roles, events) are added to the pipeline by name. Results live on ``Doc._``.
"""

from __future__ import annotations

import re
from typing import cast

from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc, Span
from thinc.types import Ints2d

from liaison.domain import EntityType
from liaison.extract.candidates import MODEL_VOTE, PRODUCT_LABEL_VOTE, Candidate

# Model label -> Liaison type. GPE is split into country/location by the typing component.
_LABEL_TYPES: dict[str, EntityType] = {
    # OntoNotes labels (English models)
    "PERSON": EntityType.PERSON,
    "ORG": EntityType.ORGANIZATION,
    "GPE": EntityType.LOCATION,
    "LOC": EntityType.LOCATION,
    "FAC": EntityType.LOCATION,
    "EVENT": EntityType.NAMED_EVENT,
    "NORP": EntityType.NATIONALITY,
    # WikiNER labels (French models); MISC is too mixed to type without further evidence.
    "PER": EntityType.PERSON,
}
# Labels of names that are not entities for Liaison: kept as evidence against reading them as one.
_PRODUCT_LABELS = frozenset({"PRODUCT", "WORK_OF_ART"})

_LEADING_WORDS = frozenset({"the", "le", "la", "les", "l'", "l’", "a", "an", "un", "une"})
_POSSESSIVES = frozenset({"'s", "’s", "'", "’"})
_ELISION = re.compile(r"(?:[ldjnsmtcLDJNSMTC]|[Qq]u|[Jj]usqu|[Ll]orsqu|[Pp]uisqu)['’](?=\w)")


if not Doc.has_extension("liaison_mentions"):
    Doc.set_extension("liaison_mentions", default=None)


def trim_span(span: Span) -> Span | None:
    """Drop leading articles, trailing possessives and punctuation from a name span.

    Names are kept without their article ("the Pentagon" is a mention of "Pentagon"), as CoNLL-2003
    marks them; OntoNotes and MEANTIME include it, which costs Liaison a little on those schemes.
    """
    start, end = span.start, span.end
    doc = span.doc
    while start < end and (doc[start].lower_ in _LEADING_WORDS or _is_edge_noise(doc[start].text)):
        start += 1
    while start < end and (doc[end - 1].text in _POSSESSIVES or _is_edge_noise(doc[end - 1].text)):
        end -= 1
    if start >= end:
        return None
    return doc[start:end]


def _is_edge_noise(text: str) -> bool:
    return not any(ch.isalnum() for ch in text)


@Language.factory("liaison_sentence_boundaries")
def make_sentence_boundaries(nlp: Language, name: str) -> SentenceBoundaries:
    return SentenceBoundaries()


# Abbreviations after which a full stop does not end a sentence (the tokenizers sometimes split them off).
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof gen lt col maj capt cpt sgt adm cmdr gov sen rep st mt no nos vol jr sr inc
    ltd co corp dept fig jan feb mar apr jun jul aug sep sept oct nov dec approx est vs etc
    m mm mme mmes mlle mlles gén lieut cdt cne av bd art p pp""".split()
)
_FINAL_PUNCTUATION = frozenset({".", "!", "?", "…", "?!", "!?", "..."})
_CLOSING = frozenset({'"', "”", "»", "’", "'", ")", "]"})


class SentenceBoundaries:
    """Decide sentence boundaries by rule before the parser, which keeps them.

    The small models' parsers split long news sentences in the middle (a French sentence that names
    five officials is cut after its verb), which breaks evidence. News prose is well punctuated, so a
    sentence ends at a final punctuation mark followed by a capital, digit or quote — unless the mark
    closes an abbreviation or an initial — and at every line break (paragraphs never share a sentence).
    """

    def __call__(self, doc: Doc) -> Doc:
        # One array write, not ``token.is_sent_start = ...`` per token: spaCy's setter first scans the
        # whole doc for a parse (``Doc.has_annotation("DEP")``), which made this quadratic in the tokens
        # of a parse chunk: 92 s for 260,000 characters of names, against 0.2 s this way. Values are
        # spaCy's: 1 starts a sentence, -1 does not (as uint64, the type ``from_array`` reads).
        starts = doc.to_array(SENT_START).astype("int64")
        for token in doc[1:]:
            starts[token.i] = 1 if self._starts_sentence(doc, token.i) else -1
        doc.from_array([SENT_START], cast(Ints2d, starts.astype("uint64").reshape(-1, 1)))
        return doc

    @staticmethod
    def _starts_sentence(doc: Doc, i: int) -> bool:
        previous = doc[i - 1]
        if "\n" in previous.text or "\n" in previous.whitespace_:
            return True
        token = doc[i]
        if token.is_space:
            return False
        end = i - 1
        while end > 0 and doc[end].text in _CLOSING and doc[end - 1].text in _FINAL_PUNCTUATION | _CLOSING:
            end -= 1
        if doc[end].text not in _FINAL_PUNCTUATION or not previous.whitespace_:
            return False
        if doc[end].text == "." and end > 0:
            before = doc[end - 1].text
            if before.lower().rstrip(".") in _ABBREVIATIONS or (len(before) == 1 and before.isupper()):
                return False
        first = token.text[0]
        return first.isupper() or first.isdigit() or first in "\"“«'‘([-—–¿¡"


@Language.factory("liaison_entity_typing")
def make_entity_typing(nlp: Language, name: str) -> EntityTyping:
    return EntityTyping()


class EntityTyping:
    """Turn the model's entities into candidates, one model vote each, with clean spans.

    The result is ``doc._.liaison_mentions``; later components add votes and candidates to it. A name
    the model calls a product or a work of art gets no vote but product evidence (``Candidate.product``):
    it stays in the pool, so that grouping can weigh it against the other readings of the same name.
    """

    def __call__(self, doc: Doc) -> Doc:
        mentions: list[Candidate] = []
        for ent in doc.ents:
            entity_type = _LABEL_TYPES.get(ent.label_)
            span = trim_span(ent)
            if span is None or not _looks_like_a_name(span.text):
                continue
            start = span.start_char
            elided = _ELISION.match(span.text)
            if elided:  # French "d’Emotet", "l’ASIO": the article is glued to the name by the tokenizer
                start += elided.end()
            candidate = Candidate(start, span.end_char, label=ent.label_)
            if entity_type is not None:
                candidate.vote(entity_type, MODEL_VOTE)
            elif ent.label_ in _PRODUCT_LABELS:
                candidate.product = PRODUCT_LABEL_VOTE
            elif ent.label_ != "MISC":
                continue  # dates, numbers, money: not entities (times come later)
            mentions.append(candidate)
        doc._.liaison_mentions = mentions
        return doc


def _looks_like_a_name(text: str) -> bool:
    """At least two letters, and not an elided article or pronoun left over by the tokenizer ("C’")."""
    letters = sum(1 for ch in text if ch.isalpha())
    return letters >= 2 and not text.endswith(("’", "'"))
