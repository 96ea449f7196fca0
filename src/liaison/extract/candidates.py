"""Entity candidates: spans that the typing layers propose, vote on, and finally group into entities.

A candidate carries weighted votes for Liaison types rather than one label, so that evidence of
different strength — a model label, a gazetteer entry, a title such as "Director" or "Mme" in front of
a name — can be weighed per document instead of the last layer silently overwriting the others.
Pure Python: no spaCy types, so the grouping that follows is testable on plain text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from liaison.domain import EntityType

# How much each kind of evidence counts when a name's type is decided.
MODEL_VOTE = 1.0
GAZETTEER_VOTE = 3.0
AMBIGUOUS_GAZETTEER_VOTE = 0.5
DEMONYM_VOTE = 3.0
TITLE_VOTE = 4.0
ACRONYM_VOTE = 4.0
NAME_LINK_VOTE = 5.0
# Evidence that a span names a product, which Liaison does not extract: the model's PRODUCT or
# WORK_OF_ART label on one mention, or a maker's name with a model designator ("Airbus A380").
PRODUCT_LABEL_VOTE = MODEL_VOTE
DESIGNATOR_VOTE = 4.0


@dataclass
class Candidate:
    """A span of the report text that may name an entity (offsets into the report text)."""

    start: int
    end: int
    votes: dict[EntityType, float] = field(default_factory=dict)
    label: str = ""  # the statistical model's label, kept for diagnosis
    language: str = ""
    canonical: str | None = None  # a gazetteer place or country behind the span ("Maroc" -> Morocco)
    country: str | None = None  # for nationalities: the country name
    acronym_of: tuple[int, int] | None = None  # span of the expansion this acronym was defined with
    product: float = 0.0  # evidence that the span names a product rather than an entity (see products.py)

    def vote(self, entity_type: EntityType, weight: float) -> None:
        self.votes[entity_type] = self.votes.get(entity_type, 0.0) + weight

    @property
    def best_type(self) -> EntityType | None:
        if not self.votes:
            return None
        return max(self.votes.items(), key=lambda item: (item[1], -_TYPE_ORDER[item[0]]))[0]

    def overlaps(self, start: int, end: int) -> bool:
        return self.start < end and start < self.end


# Tie-break between equal votes: the more specific reading first.
_TYPE_ORDER = {
    EntityType.PERSON: 0,
    EntityType.COUNTRY: 1,
    EntityType.ORGANIZATION: 2,
    EntityType.LOCATION: 3,
    EntityType.NAMED_EVENT: 4,
    EntityType.NATIONALITY: 5,
}
