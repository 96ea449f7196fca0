"""Partner instances this one pulls from, and the cursor of each. Filled in next."""

from __future__ import annotations

from sqlalchemy import Engine


class PartnerStore:
    """Mixed into ``Store``, which provides the engine."""

    engine: Engine
