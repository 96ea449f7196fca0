"""spaCy components that Liaison adds around the statistical models.

Each component is a ``Doc -> Doc`` callable made by a registered factory, so that later layers (gazetteers,
label consistency, roles, events) are added to the pipeline by name. Results live on ``Doc._``.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span

from liaison.domain import EntityType

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

_LEADING_WORDS = frozenset({"the", "le", "la", "les", "l'", "l’", "a", "an", "un", "une"})
_POSSESSIVES = frozenset({"'s", "’s", "'", "’"})


@dataclass(frozen=True)
class TypedSpan:
    """A mention found in a doc: character span relative to the doc, Liaison type, model label."""

    start: int
    end: int
    type: EntityType
    label: str


if not Doc.has_extension("liaison_mentions"):
    Doc.set_extension("liaison_mentions", default=None)


def trim_span(span: Span) -> Span | None:
    """Drop leading articles, trailing possessives and punctuation from a name span."""
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


def _entity_type(span: Span) -> EntityType | None:
    return _LABEL_TYPES.get(span.label_)


@Language.factory("liaison_paragraph_boundaries")
def make_paragraph_boundaries(nlp: Language, name: str) -> ParagraphBoundaries:
    return ParagraphBoundaries()


class ParagraphBoundaries:
    """Start a sentence after every line break: news paragraphs are lines and never share a sentence.

    Runs before the parser, which keeps boundaries that are already set.
    """

    def __call__(self, doc: Doc) -> Doc:
        for token in doc[1:]:
            previous = doc[token.i - 1]
            if "\n" in previous.text or "\n" in previous.whitespace_:
                token.is_sent_start = True
        return doc


@Language.factory("liaison_entity_typing")
def make_entity_typing(nlp: Language, name: str) -> EntityTyping:
    return EntityTyping()


class EntityTyping:
    """Map model entities to Liaison types and clean their spans; the result is ``doc._.liaison_mentions``."""

    def __call__(self, doc: Doc) -> Doc:
        mentions: list[TypedSpan] = []
        for ent in doc.ents:
            entity_type = _entity_type(ent)
            if entity_type is None:
                continue
            span = trim_span(ent)
            if span is None or not any(ch.isalpha() for ch in span.text):
                continue
            mentions.append(TypedSpan(span.start_char, span.end_char, entity_type, ent.label_))
        doc._.liaison_mentions = mentions
        return doc
