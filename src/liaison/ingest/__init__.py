"""The ingest stage: turn files and records into ``Report`` values.

Each source kind has its own module; ``read_paths`` walks files and directories and yields, in order,
either a ``Report`` or the ``InputError`` that explains why an input could not be read, so that one bad
file never stops a batch.
"""

from liaison.ingest.files import SUPPORTED_SUFFIXES, ReadResult, ReportMetadata, read_paths

__all__ = ["SUPPORTED_SUFFIXES", "ReadResult", "ReportMetadata", "read_paths"]
