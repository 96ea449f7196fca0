"""The extraction stage: the NLP pipeline. spaCy types never leave this package."""

from liaison.extract.pipeline import Extractor, RawEntity

__all__ = ["Extractor", "RawEntity"]
