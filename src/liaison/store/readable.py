"""Store reads through an organisation's collection (the REST API's read paths). Filled in next."""

from __future__ import annotations

from sqlalchemy import Engine


class ReadableStore:
    """Mixed into ``Store``, which provides the engine."""

    engine: Engine
