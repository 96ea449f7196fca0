"""How deep JSON text nests, measured before it is parsed.

Python's ``json`` recurses once per level of arrays and objects and fails with ``RecursionError`` somewhere
near a thousand levels, wherever the stack happens to be; every later step that walks the parsed value
recurses too. So each reader of untrusted JSON (records, STIX bundles, MISP events, API bodies) refuses text
nested deeper than its own limit before parsing it, with this one count.
"""

from __future__ import annotations

import re

# A JSON string, escapes included: brackets inside strings are text, not nesting.
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def nested_deeper_than(data: str | bytes, limit: int) -> bool:
    """Whether arrays and objects in ``data`` nest deeper than ``limit``, counted as if it were valid JSON.

    A string never closed leaves its brackets counted, and bytes in another encoding than UTF-8 are scanned
    as they are: both only err towards refusing.
    """
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    depth = 0
    for byte in _STRING.sub(b"", raw).translate(None, _NOT_BRACKETS):
        depth += 1 if byte in b"[{" else -1
        if depth > limit:
            return True
    return False
