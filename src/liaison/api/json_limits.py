"""How deep a JSON body may nest, checked before it is parsed.

Python's ``json`` recurses once per level and fails with ``RecursionError`` somewhere near a thousand
levels — wherever the stack happens to be — and every later step that walks the parsed value (serialising
it again, validating it) recurses as well. No body Liaison reads legitimately nests more than a handful of
levels (a report, a TAXII envelope of STIX objects), so anything deeper than ``MAX_JSON_DEPTH`` is refused
up front with a message that says so, the same whatever the depth.
"""

from __future__ import annotations

import re

MAX_JSON_DEPTH = 100
TOO_DEEP = f"the JSON body is nested too deeply (over {MAX_JSON_DEPTH} levels)"

# A JSON string, escapes included: brackets inside strings are text, not nesting.
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def too_deep(body: bytes) -> bool:
    """Whether arrays and objects in ``body`` nest deeper than ``MAX_JSON_DEPTH`` (counted as if it were
    valid JSON; a string never closed leaves its brackets counted, which only errs towards refusing)."""
    brackets = _STRING.sub(b"", body).translate(None, _NOT_BRACKETS)
    depth = 0
    for byte in brackets:
        depth += 1 if byte in b"[{" else -1
        if depth > MAX_JSON_DEPTH:
            return True
    return False
