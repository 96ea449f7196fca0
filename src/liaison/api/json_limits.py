"""How deep a JSON body may nest, checked before it is parsed (``liaison.json_nesting``).

No body Liaison reads legitimately nests more than a handful of levels (a report, a TAXII envelope of STIX
objects), so anything deeper than ``MAX_JSON_DEPTH`` is refused up front with a message that says so, the
same whatever the depth.
"""

from __future__ import annotations

from liaison.json_nesting import nested_deeper_than

MAX_JSON_DEPTH = 100
TOO_DEEP = f"the JSON body is nested too deeply (over {MAX_JSON_DEPTH} levels)"


def too_deep(body: bytes) -> bool:
    """Whether arrays and objects in ``body`` nest deeper than ``MAX_JSON_DEPTH``."""
    return nested_deeper_than(body, MAX_JSON_DEPTH)
