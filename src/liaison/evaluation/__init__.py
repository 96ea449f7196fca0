"""Evaluation harnesses: gold-standard readers (CoNLL-2003, MEANTIME) and NER scoring.

This package sits beside the stages and drives ``liaison.extract`` through its public ``Extractor`` only;
spaCy is never imported here.
"""

from liaison.evaluation.conll import Document, GoldSpan, parse_conll, read_conll
from liaison.evaluation.meantime import read_meantime, read_meantime_directory
from liaison.evaluation.ner import (
    ClassScore,
    EvaluationResult,
    Scores,
    SystemResult,
    evaluate,
    evaluate_conll,
    evaluate_meantime,
    format_table,
    score_spans,
)

__all__ = [
    "ClassScore",
    "Document",
    "EvaluationResult",
    "GoldSpan",
    "Scores",
    "SystemResult",
    "evaluate",
    "evaluate_conll",
    "evaluate_meantime",
    "format_table",
    "parse_conll",
    "read_conll",
    "read_meantime",
    "read_meantime_directory",
    "score_spans",
]
