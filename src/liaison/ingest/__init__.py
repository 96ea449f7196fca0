"""The ingest stage: turn files, records, feeds and web pages into ``Report`` values.

Each source kind has its own module; ``read_paths`` walks files and directories and yields, in order,
either a ``Report`` or the ``InputError`` that explains why an input could not be read, so that one bad
file never stops a batch. ``Fetcher`` fetches URLs within a ``FetchPolicy``; ``parse_feed`` reads RSS and
Atom, ``page_report`` a fetched page, ``read_url_list`` a file of URLs.
"""

from liaison.ingest.feeds import FeedEntry, ParsedFeed, entry_report, parse_feed
from liaison.ingest.files import SUPPORTED_SUFFIXES, ReadResult, ReportMetadata, read_paths
from liaison.ingest.http import Fetched, Fetcher, FetchPolicy, is_public_address
from liaison.ingest.web import page_report, read_url_list

__all__ = [
    "SUPPORTED_SUFFIXES",
    "FeedEntry",
    "FetchPolicy",
    "Fetched",
    "Fetcher",
    "ParsedFeed",
    "ReadResult",
    "ReportMetadata",
    "entry_report",
    "is_public_address",
    "page_report",
    "parse_feed",
    "read_paths",
    "read_url_list",
]
