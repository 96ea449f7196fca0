"""Roles: a person, a title, and the organisation and/or country the title is held in.

Read from the patterns news uses to introduce officials, in English and French:

- apposition after the name: "Christopher Wray, director of the Federal Bureau of Investigation (FBI)",
  "Ken McCallum, directeur général du MI5 britannique";
- title in front: "CIA Director William Burns", "MI5 Director General Ken McCallum";
- title phrase before the name: "la ministre de l'Intérieur, Annelies Verlinden".

Titles are normalised to a small English vocabulary ("directrice générale" -> "Director General");
the evidence keeps the text as written. Pure Python over the report's entities: no spaCy types.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from liaison.domain import Entity, EntityType, Evidence, Role, Sentence, entity_id_for, normalise_name
from liaison.extract.deadline import check_deadline
from liaison.extract.titles import COMPOUND_TITLE_PATTERN

# Title head words and the normalised title they give.
_HEADS = {
    "director": "Director",
    "directeur": "Director",
    "directrice": "Director",
    "director-general": "Director General",
    "directeur-général": "Director General",
    "head": "Head",
    "chief": "Chief",
    "chef": "Head",
    "patron": "Head",
    "patronne": "Head",
    "minister": "Minister",
    "ministre": "Minister",
    "secretary": "Secretary",
    "secrétaire": "Secretary",
    "secretary-general": "Secretary General",
    "president": "President",
    "président": "President",
    "présidente": "President",
    "commissioner": "Commissioner",
    "commissaire": "Commissioner",
    "commander": "Commander",
    "commandant": "Commander",
    "spokesman": "Spokesperson",
    "spokeswoman": "Spokesperson",
    "spokesperson": "Spokesperson",
    "porte-parole": "Spokesperson",
    "prosecutor": "Prosecutor",
    "procureur": "Prosecutor",
    "procureure": "Prosecutor",
    "ambassador": "Ambassador",
    "ambassadeur": "Ambassador",
    "ambassadrice": "Ambassador",
    "chairman": "Chair",
    "chairwoman": "Chair",
    "chair": "Chair",
    "coordinator": "Coordinator",
    "coordinateur": "Coordinator",
    "coordinatrice": "Coordinator",
    "governor": "Governor",
    "gouverneur": "Governor",
    "mayor": "Mayor",
    "maire": "Mayor",
    "general": "General",
    "général": "General",
    "admiral": "Admiral",
    "amiral": "Admiral",
    "attorney": "Attorney",
}
_BEFORE_HEAD = {
    "deputy": "Deputy",
    "acting": "Acting",
    "former": "Former",
    "interim": "Interim",
    "vice": "Vice",
    "assistant": "Assistant",
    "executive": "Executive",
    "adjoint": "Deputy",
}
_AFTER_HEAD = {
    "general": "General",
    "général": "General",
    "générale": "General",
    "adjoint": "Deputy",
    "adjointe": "Deputy",
}
_ARTICLE = r"(?:the|le|la|l['’]|its|his|her|their|son|sa)\s+"
_LINK = re.compile(r"^\s*(?:of|at|for|de\s+la|de\s+l['’]|de|du|des|d['’])\s+(?:the\s+)?", re.IGNORECASE)
_WORD = re.compile(r"[\w’'\-]+")
_DELIMITER = re.compile(r"[,;)\n]|\s(?:who|qui|said|says|a déclaré)\s|\.(?:\s|$)")


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    entity: Entity


@dataclass(frozen=True)
class _Title:
    title: str
    start: int
    end: int


def _read_title(text: str, start: int) -> _Title | None:
    """A title starting at ``start`` (after optional article), or None."""
    article = re.match(_ARTICLE, text[start:], re.IGNORECASE)
    position = start + (article.end() if article else 0)
    compound = COMPOUND_TITLE_PATTERN.match(text, position)
    if compound:
        return _Title(_compound_title(compound.group()), position, compound.end())
    words = list(_WORD.finditer(text, position, min(len(text), position + 80)))
    parts: list[str] = []
    end = position
    index = 0
    while index < len(words) and words[index].start() == _next_word_start(text, end, position, index):
        word = words[index].group().lower()
        if not parts and word in _BEFORE_HEAD:
            parts.append(_BEFORE_HEAD[word])
        elif word in _HEADS and (not parts or parts[-1] in _BEFORE_HEAD.values()):
            parts.append(_HEADS[word])
        elif parts and parts[-1] not in _BEFORE_HEAD.values() and word in _AFTER_HEAD:
            parts.append(_AFTER_HEAD[word])
        else:
            break
        end = words[index].end()
        index += 1
    if not parts or parts[-1] in _BEFORE_HEAD.values():
        return None
    return _Title(" ".join(parts), position, end)


def _next_word_start(text: str, end: int, position: int, index: int) -> int:
    if index == 0:
        return position
    gap = re.match(r"[\s-]+", text[end:])
    return end + (gap.end() if gap else 0)


def _compound_title(raw: str) -> str:
    lowered = raw.lower().replace("’", "'")
    if lowered.startswith("ministre de l'intérieur") or lowered in ("interior minister",):
        return "Minister of the Interior"
    if lowered.startswith("ministre des affaires étrangères") or lowered == "foreign minister":
        return "Minister of Foreign Affairs"
    if lowered in ("ministre de la justice", "justice minister"):
        return "Minister of Justice"
    if lowered in ("ministre des armées", "ministre de la défense", "defence minister"):
        return "Minister of Defence"
    if lowered.startswith("procureur"):
        return "Prosecutor General"
    return " ".join(w if w in ("of", "the") else w[:1].upper() + w[1:] for w in raw.split())


class _Index:
    def __init__(self, entities: Sequence[Entity]) -> None:
        spans = [_Span(m.start, m.end, e) for e in entities for m in e.mentions]
        self.spans = sorted(spans, key=lambda s: s.start)
        self.starts = [s.start for s in self.spans]
        self.entities = entities

    def within(self, start: int, end: int) -> list[_Span]:
        i = bisect.bisect_left(self.starts, start)
        found = []
        while i < len(self.spans) and self.spans[i].start < end:
            if self.spans[i].end <= end:
                found.append(self.spans[i])
            i += 1
        return found

    def ending_at(self, end: int) -> _Span | None:
        for span in self.spans:
            if span.end == end:
                return span
        return None


def extract_roles(
    text: str, report_id: str, entities: Sequence[Entity], sentences: Sequence[Sentence]
) -> tuple[Role, ...]:
    """Every role stated in the report, once per (person, title, organisation, country)."""
    index = _Index(entities)
    sentence_starts = [s.start for s in sentences]
    roles: dict[tuple[str, str, str | None, str | None], Role] = {}
    for entity in entities:
        if entity.type != EntityType.PERSON:
            continue
        for mention in entity.mentions:
            check_deadline()
            for found in (
                _apposition_after(text, mention.end, index),
                _title_in_front(text, mention.start, index),
                _title_phrase_before(text, mention.start, index),
            ):
                if found is None:
                    continue
                title, organization, country, start, end = found
                start, end = min(start, mention.start), max(end, mention.end)
                sentence = max(bisect.bisect_right(sentence_starts, start) - 1, 0)
                evidence = Evidence(report_id, start, end, text[start:end], sentence)
                key = (entity.id, title, organization, country)
                roles.setdefault(key, Role(entity.id, title, organization, country, evidence))
    return tuple(role for role in roles.values() if not _less_specific(role, roles.values()))


def _less_specific(role: Role, roles: Iterable[Role]) -> bool:
    """ "Director Wray" adds nothing to "Christopher Wray, director of the FBI" in the same report."""
    if role.organization and role.country:
        return False
    return any(
        other is not role
        and other.person == role.person
        and other.title == role.title
        and (other.organization or other.country)
        and (role.organization in (None, other.organization))
        and (role.country in (None, other.country))
        for other in roles
    )


_Found = tuple[str, str | None, str | None, int, int]


def _apposition_after(text: str, name_end: int, index: _Index) -> _Found | None:
    if not text.startswith(", ", name_end):
        return None
    title = _read_title(text, name_end + 2)
    if title is None:
        return None
    phrase_end = _phrase_end(text, title.end)
    organization, country = _holders(text, title, phrase_end, index)
    return title.title, organization, country, title.start, phrase_end


def _phrase_end(text: str, start: int) -> int:
    """Where the "of ..." part of a title phrase ends; a parenthesised acronym right after is kept."""
    match = _DELIMITER.search(text, start)
    end = match.start() if match else len(text)
    if text.startswith(" (", end) or text.startswith("(", end):
        close = text.find(")", end)
        if close != -1 and close - end < 20:
            return close + 1
    if end < len(text) and text[end] == ")":
        return end + 1
    return end


def _holders(text: str, title: _Title, phrase_end: int, index: _Index) -> tuple[str | None, str | None]:
    """The organisation and country named in the "of ..." part of a title phrase."""
    if not _LINK.match(text[title.end : phrase_end]) and not text[title.end : phrase_end].strip():
        return None, None
    organization = country = None
    for span in index.within(title.end, phrase_end):
        if span.entity.type == EntityType.ORGANIZATION:
            organization = span.entity.id
        elif span.entity.type == EntityType.COUNTRY and country is None:
            country = span.entity.id
        elif span.entity.type == EntityType.NATIONALITY and country is None:
            named = span.entity.attributes.get("country")
            country = entity_id_for(EntityType.COUNTRY, named) if named else None
    if country is None:
        country = _country_named_in(text[title.end : phrase_end], index)
    return organization, country


def _country_named_in(phrase: str, index: _Index) -> str | None:
    """A country of the report whose name or alias is written inside the phrase (even when the
    phrase is itself one organisation's name, as in "... Land Surveillance of Morocco (DGSN)")."""
    padded = f" {normalise_name(phrase)} "
    for entity in index.entities:
        if entity.type != EntityType.COUNTRY:
            continue
        for name in (entity.name, *entity.aliases):
            key = normalise_name(name)
            if key and len(key) > 2 and f" {key} " in padded:
                return entity.id
    return None


def _title_in_front(text: str, name_start: int, index: _Index) -> _Found | None:
    """ "CIA Director William Burns": an organisation or country, a title, then the name."""
    window_start = max(0, name_start - 80)
    before = text[window_start:name_start]
    for match in re.finditer(r"\S+(?:\s+\S+){0,3}\s+$", before):
        candidate_start = window_start + match.start()
        for offset in range(candidate_start, name_start):
            if offset > candidate_start and not text[offset - 1].isspace():
                continue
            title = _read_title(text, offset)
            if title is None or title.start != offset or text[title.end : name_start].strip():
                continue
            holder = index.ending_at(_skip_back_space(text, offset))
            organization = country = None
            if holder is not None:
                if holder.entity.type == EntityType.ORGANIZATION:
                    organization = holder.entity.id
                elif holder.entity.type == EntityType.COUNTRY:
                    country = holder.entity.id
                elif holder.entity.type == EntityType.NATIONALITY:
                    named = holder.entity.attributes.get("country")
                    country = entity_id_for(EntityType.COUNTRY, named) if named else None
            start = holder.start if holder is not None else title.start
            return title.title, organization, country, start, name_start
    return None


def _skip_back_space(text: str, position: int) -> int:
    while position > 0 and text[position - 1] in " \t":
        position -= 1
    return position


def _title_phrase_before(text: str, name_start: int, index: _Index) -> _Found | None:
    """ "la ministre de l'Intérieur, Annelies Verlinden": a title phrase, a comma, then the name."""
    if text[max(0, name_start - 2) : name_start] != ", ":
        return None
    line_start = text.rfind("\n", 0, name_start) + 1
    clause_start = max(text.rfind(", ", line_start, name_start - 2) + 2, line_start)
    clause_start = max(clause_start, text.rfind(". ", line_start, name_start - 2) + 2)
    for match in re.finditer(
        r"(?:^|\s)((?:le|la|l['’]|the)\s+)", text[clause_start : name_start - 2], re.IGNORECASE
    ):
        offset = clause_start + match.start(1)
        title = _read_title(text, offset)
        if title is None:
            continue
        organization, country = _holders(text, title, name_start - 2, index)
        return title.title, organization, country, offset, name_start
    return None
