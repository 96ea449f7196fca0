"""Read the MEANTIME news corpus (NewsReader XML) as named-entity gold standards.

A MEANTIME file is a list of ``<token t_id=".." sentence="..">`` elements followed by ``<Markables>``
anchored to token ids and ``<Relations>`` between markables. This reader keeps:

- **Text.** Rebuilt from the tokens in file order: one space between tokens of a sentence, ``"\\n"``
  between sentences (the original spacing is not in the corpus, so ``Airbus 's`` and ``( EADS )`` keep
  their spaces). Sentence 0 is the title, sentence 1 the dateline.
- **Gold spans.** ``ENTITY_MENTION`` markables with ``syntactic_type`` ``NAM`` or ``PRE.NAM`` (named
  mentions, including names used as pre-modifiers such as "Airbus" in "Airbus A380"; not nominal or
  pronominal ones), from the first to the last anchored token. The type comes from
  the ``ENTITY`` instance the mention points to through a ``REFERS_TO`` relation (``PER``/``PERSON`` ->
  PER, ``ORG``/``ORGANIZATION`` -> ORG, ``LOC``/``LOCATION`` -> LOC, anything else -- products,
  financial, mixed -- -> MISC). A mention with no such link (13 of the 600 in the development half)
  takes the type of a linked named mention with the same words in the same document, else of an
  ``ENTITY`` whose ``TAG_DESCRIPTOR`` is those words, else its own ``ent_type`` attribute, else MISC.
- **Annotated window.** Only the first sentences of each article are annotated (title, dateline and
  four body sentences, once five). ``Document.annotated_end`` is the end of the last sentence that an
  annotated markable touches (at least sentence 5); predictions after it are not scored.
- **Document creation time.** The ``value`` of the TIMEX3 with ``functionInDocument="CREATION_TIME"``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # the corpus is a local, trusted file set (no network input)
from collections import defaultdict
from pathlib import Path

from liaison.errors import InputError
from liaison.evaluation.conll import Document, GoldSpan

# Named mentions: full names (NAM) and names used as pre-modifiers ("Airbus" in "Airbus A380", PRE.NAM).
NAMED_TYPES = frozenset({"NAM", "PRE.NAM"})

ENTITY_TYPE_LABELS: dict[str, str] = {
    "PER": "PER",
    "PERSON": "PER",
    "ORG": "ORG",
    "ORGANIZATION": "ORG",
    "LOC": "LOC",
    "LOCATION": "LOC",
}
MINIMUM_ANNOTATED_SENTENCE = 5


def entity_label(entity_type: str | None) -> str:
    """The CoNLL label of a MEANTIME entity type: PER, ORG, LOC, or MISC for every other type."""
    return ENTITY_TYPE_LABELS.get((entity_type or "").strip().upper(), "MISC")


def read_meantime_directory(directory: str | Path) -> list[Document]:
    """Read every ``*.xml`` file under ``directory`` (recursively, in path order)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError(str(directory), "not a directory; point at the MEANTIME corpus folder")
    files = sorted(directory.rglob("*.xml"))
    if not files:
        raise InputError(str(directory), "no MEANTIME .xml files found in it")
    return [read_meantime(file) for file in files]


def parse_xml(path: Path) -> ET.Element:
    """The root of an annotated corpus file; unreadable or malformed files are ``InputError``s."""
    try:
        return ET.parse(path).getroot()  # noqa: S314 -- local corpus files, see the import
    except ET.ParseError as error:
        raise InputError(f"{path}:{error.position[0]}", f"not well-formed XML: {error}") from error
    except OSError as error:
        raise InputError(str(path), f"cannot read the file: {error.strerror or error}") from error


def read_meantime(path: str | Path) -> Document:
    """Read one MEANTIME XML file into a ``Document`` with the gold spans of its named mentions."""
    path = Path(path)
    root = parse_xml(path)
    source = str(path)

    token_offsets: dict[str, tuple[int, int]] = {}
    token_sentence: dict[str, int] = {}
    sentence_ends: dict[int, int] = {}
    parts: list[str] = []
    offset = 0
    previous_sentence: int | None = None
    for token in root.iter("token"):
        t_id, sentence_attribute = token.get("t_id"), token.get("sentence")
        if t_id is None or sentence_attribute is None or not sentence_attribute.lstrip("-").isdigit():
            raise InputError(source, f"token without a t_id or a numeric sentence: {ET.tostring(token)!r}")
        sentence = int(sentence_attribute)
        text = (token.text or "").strip() or "_"
        if previous_sentence is not None:
            separator = " " if sentence == previous_sentence else "\n"
            parts.append(separator)
            offset += 1
        token_offsets[t_id] = (offset, offset + len(text))
        token_sentence[t_id] = sentence
        parts.append(text)
        offset += len(text)
        sentence_ends[sentence] = offset
        previous_sentence = sentence
    if not token_offsets:
        raise InputError(source, "no <token> elements: is this a MEANTIME file?")
    text = "".join(parts)

    markables = root.find("Markables")
    markable_elements = list(markables) if markables is not None else []
    entity_types = {
        element.get("m_id"): element.get("ent_type")
        for element in markable_elements
        if element.tag == "ENTITY" and element.get("m_id")
    }
    links: dict[str, str] = {}
    for relation in root.iter("REFERS_TO"):
        target = relation.find("target")
        target_id = target.get("m_id") if target is not None else None
        if target_id in entity_types:
            for source_element in relation.findall("source"):
                links.setdefault(source_element.get("m_id") or "", target_id or "")

    def anchors(element: ET.Element) -> list[str]:
        ids = [anchor.get("t_id") or "" for anchor in element.findall("token_anchor")]
        missing = [t_id for t_id in ids if t_id not in token_offsets]
        if missing:
            raise InputError(source, f"markable m_id={element.get('m_id')} anchors unknown tokens {missing}")
        return ids

    last_annotated = MINIMUM_ANNOTATED_SENTENCE
    named: list[tuple[str, list[str], ET.Element]] = []
    for element in markable_elements:
        annotated = element.get("syntactic_type") is not None or element.tag in ("TIMEX3", "VALUE")
        annotated = annotated or (element.tag == "EVENT_MENTION" and element.get("pred") is not None)
        if not annotated:
            continue
        ids = anchors(element)
        if ids:
            last_annotated = max(last_annotated, *(token_sentence[t_id] for t_id in ids))
        if element.tag == "ENTITY_MENTION" and element.get("syntactic_type") in NAMED_TYPES and ids:
            named.append((element.get("m_id") or "", ids, element))

    def words(ids: list[str]) -> str:
        return " ".join(text[slice(*token_offsets[t_id])] for t_id in ids)

    linked_by_words: dict[str, set[str]] = defaultdict(set)
    for m_id, ids, _ in named:
        if m_id in links:
            linked_by_words[words(ids)].add(entity_label(entity_types[links[m_id]]))

    described: dict[str, set[str]] = defaultdict(set)
    for element in markable_elements:
        if element.tag == "ENTITY" and element.get("TAG_DESCRIPTOR"):
            described[" ".join((element.get("TAG_DESCRIPTOR") or "").casefold().split())].add(
                entity_label(element.get("ent_type"))
            )

    spans: set[GoldSpan] = set()
    for m_id, ids, element in named:
        same_words = linked_by_words.get(words(ids), set())
        same_description = described.get(" ".join(words(ids).casefold().split()), set())
        if m_id in links:
            label = entity_label(entity_types[links[m_id]])
        elif len(same_words) == 1:
            (label,) = same_words
        elif len(same_description) == 1:
            (label,) = same_description
        else:
            label = entity_label(element.get("ent_type"))
        positions = [token_offsets[t_id] for t_id in ids]
        spans.add(GoldSpan(min(p[0] for p in positions), max(p[1] for p in positions), label))

    dct = next(
        (
            element.get("value")
            for element in markable_elements
            if element.tag == "TIMEX3" and element.get("functionInDocument") == "CREATION_TIME"
        ),
        None,
    )
    sentence_starts: dict[int, int] = {}
    for t_id, (start, _) in token_offsets.items():
        sentence_starts.setdefault(token_sentence[t_id], start)
    sentences = [(sentence_starts[s], sentence_ends[s]) for s in sorted(sentence_ends)]
    annotated_end = max((end for s, end in sentence_ends.items() if s <= last_annotated), default=len(text))
    return Document(
        text=text,
        spans=sorted(spans),
        dct=dct or None,
        name=root.get("doc_name") or path.stem,
        annotated_end=annotated_end,
        sentences=sentences,
    )
