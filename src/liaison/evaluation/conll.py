"""Read named-entity gold standards in CoNLL-2003 format.

One token per line, the NER tag in the last column (``TOKEN POS CHUNK NER`` or just ``TOKEN NER``),
a blank line between sentences and a ``-DOCSTART-`` line before each document. Both IOB1 (``I-`` opens a
span, ``B-`` only separates two adjacent spans of the same type) and IOB2/BIO (every span opens with
``B-``) are read: an ``I-X`` tag continues the span before it only if that span is also of type ``X``.

Each document's text is rebuilt from its tokens: tokens joined by one space, sentences by ``"\\n"``.
Gold spans are character offsets into that text, so ``text[span.start:span.end]`` is the entity's tokens.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from liaison.errors import InputError

LABELS = ("PER", "ORG", "LOC", "MISC")
_DOCSTART = "-DOCSTART-"


@dataclass(frozen=True, order=True)
class GoldSpan:
    """An entity span: character offsets into ``Document.text`` and a CoNLL label (PER/ORG/LOC/MISC)."""

    start: int
    end: int
    label: str


@dataclass(frozen=True)
class Document:
    """A document of an evaluation corpus: rebuilt text and the gold entity spans in it.

    ``dct`` is the document creation time (``YYYY-MM-DD``) when the corpus gives one. ``annotated_end``,
    when set, is the character offset where the annotated part of the text ends: predictions starting
    at or after it are not scored (MEANTIME annotates only the first sentences of each article).
    """

    text: str
    spans: list[GoldSpan]
    dct: str | None = None
    name: str = ""
    annotated_end: int | None = None
    sentences: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class _Token:
    text: str
    tag: str  # "O", or "B-X"/"I-X" with X in LABELS
    line: int


def read_conll(path: str | Path) -> list[Document]:
    """Read a CoNLL-2003 file into documents; raise ``InputError`` naming ``path:line`` on bad lines."""
    path = Path(path)
    try:
        content = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise InputError(str(path), f"not UTF-8 text ({error.reason} at byte {error.start})") from error
    except OSError as error:
        raise InputError(str(path), f"cannot read the file: {error.strerror or error}") from error
    return parse_conll(content, source=str(path))


def parse_conll(content: str, source: str = "<string>") -> list[Document]:
    """Parse CoNLL-2003 text; ``source`` names the input in error messages."""
    documents: list[list[list[_Token]]] = [[]]
    sentence: list[_Token] = []

    def end_sentence() -> None:
        nonlocal sentence
        if sentence:
            documents[-1].append(sentence)
            sentence = []

    for number, raw in enumerate(content.splitlines(), start=1):
        columns = raw.split()
        if not columns:
            end_sentence()
            continue
        if columns[0] == _DOCSTART:
            end_sentence()
            if documents[-1]:
                documents.append([])
            continue
        if len(columns) < 2:
            raise InputError(
                f"{source}:{number}",
                f"expected `TOKEN NER` or `TOKEN POS CHUNK NER` separated by spaces, got {raw.strip()!r}",
            )
        sentence.append(_Token(columns[0], _check_tag(columns[-1], f"{source}:{number}"), number))
    end_sentence()
    stem = Path(source).name
    built = enumerate((sentences for sentences in documents if sentences), start=1)
    return [_build(sentences, f"{stem}#{index}") for index, sentences in built]


def _check_tag(tag: str, where: str) -> str:
    if tag == "O":
        return tag
    prefix, _, label = tag.partition("-")
    if prefix not in ("B", "I") or label not in LABELS:
        raise InputError(
            where, f"unknown NER tag {tag!r}; expected O, B-X or I-X with X one of {', '.join(LABELS)}"
        )
    return tag


def _build(sentences: list[list[_Token]], name: str) -> Document:
    parts: list[str] = []
    spans: list[GoldSpan] = []
    sentence_offsets: list[tuple[int, int]] = []
    offset = 0
    for sentence_index, sentence in enumerate(sentences):
        if sentence_index:
            parts.append("\n")
            offset += 1
        sentence_start = offset
        open_label: str | None = None
        open_start = 0
        previous_end = offset
        for token_index, token in enumerate(sentence):
            if token_index:
                parts.append(" ")
                offset += 1
            start, end = offset, offset + len(token.text)
            parts.append(token.text)
            offset = end
            prefix, _, label = token.tag.partition("-")
            continues = prefix == "I" and label == open_label
            if open_label is not None and not continues:
                spans.append(GoldSpan(open_start, previous_end, open_label))
                open_label = None
            if label and not continues:
                open_label, open_start = label, start
            previous_end = end
        if open_label is not None:
            spans.append(GoldSpan(open_start, previous_end, open_label))
        sentence_offsets.append((sentence_start, offset))
    return Document(text="".join(parts), spans=spans, name=name, sentences=sentence_offsets)
