"""Integrity checks of a store: the database's own, and the invariants Liaison's writes guarantee.

Foreign keys are declared for most references, but SQLite only enforces them when a connection asks, and
some references (a role's person, an event participant, an entity's canonical entity) are plain columns.
Each check is one query counting the rows that break it; a healthy store counts zero everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, func, inspect, select, text

from liaison.store import database
from liaison.store.schema import metadata


@dataclass(frozen=True)
class IntegrityCheck:
    name: str
    ok: bool
    problem: str | None = None  # what does not hold, with a few examples


_EXAMPLES = 5

# (what is checked, table, key column shown, condition a broken row meets)
_ORPHAN_CHECKS: tuple[tuple[str, str, str, str], ...] = (
    ("mentions point at a stored report", "mentions", "id", "report_id NOT IN (SELECT id FROM reports)"),
    ("mentions point at a stored entity", "mentions", "id", "entity_id NOT IN (SELECT id FROM entities)"),
    (
        "entity aliases point at a stored entity",
        "entity_aliases",
        "id",
        "entity_id NOT IN (SELECT id FROM entities)",
    ),
    (
        "entities' canonical entities exist",
        "entities",
        "id",
        "canonical_id NOT IN (SELECT id FROM entities)"
        " OR (merged_into IS NOT NULL AND merged_into NOT IN (SELECT id FROM entities))",
    ),
    (
        "entity links join stored entities",
        "entity_links",
        "id",
        "kept_id NOT IN (SELECT id FROM entities) OR other_id NOT IN (SELECT id FROM entities)",
    ),
    (
        "roles point at a stored report and entities",
        "roles",
        "id",
        "report_id NOT IN (SELECT id FROM reports) OR person_id NOT IN (SELECT id FROM entities)"
        " OR (organization_id IS NOT NULL AND organization_id NOT IN (SELECT id FROM entities))"
        " OR (country_id IS NOT NULL AND country_id NOT IN (SELECT id FROM entities))",
    ),
    (
        "event mentions point at a stored report and event",
        "event_mentions",
        "id",
        "report_id NOT IN (SELECT id FROM reports) OR event_id NOT IN (SELECT id FROM events)",
    ),
    (
        "event participants point at a stored event mention and entity",
        "event_participants",
        "mention_id",
        "mention_id NOT IN (SELECT id FROM event_mentions) OR entity_id NOT IN (SELECT id FROM entities)",
    ),
    (
        "sentences point at a stored report",
        "sentences",
        "report_id",
        "report_id NOT IN (SELECT id FROM reports)",
    ),
    ("claims point at a stored report", "claims", "id", "report_id NOT IN (SELECT id FROM reports)"),
    (
        "fingerprints point at a stored report",
        "report_fingerprints",
        "report_id",
        "report_id NOT IN (SELECT id FROM reports)",
    ),
    (
        "report recipients point at a stored report",
        "report_recipients",
        "report_id",
        "report_id NOT IN (SELECT id FROM reports)",
    ),
    (
        "report topics point at a stored report",
        "report_topics",
        "report_id",
        "report_id NOT IN (SELECT id FROM reports)",
    ),
)

# SQLite keeps the full-text index in a separate table written in the report's transaction.
_SQLITE_SEARCH_CHECKS: tuple[tuple[str, str, str, str], ...] = (
    (
        "every report is in the search index",
        "reports",
        "id",
        "id NOT IN (SELECT report_id FROM report_search)",
    ),
    (
        "the search index holds only stored reports, once each",
        "report_search",
        "report_id",
        "report_id NOT IN (SELECT id FROM reports)"
        " OR report_id IN (SELECT report_id FROM report_search GROUP BY report_id HAVING count(*) > 1)",
    ),
)


class IntegrityStore:
    """Mixed into ``Store``, which provides the engine."""

    engine: Engine

    def integrity_checks(self) -> list[IntegrityCheck]:
        """Every check, in order; the audit chain is checked by ``verify_audit`` on the store."""
        checks: list[IntegrityCheck] = []
        if self.engine.dialect.name == "sqlite":
            checks.extend(self._sqlite_checks())
        revision = self._revision_check()
        checks.append(revision)
        if not revision.ok:  # an older schema may lack the tables the other checks read
            return checks
        orphan_checks = _ORPHAN_CHECKS
        if self.engine.dialect.name == "sqlite":
            orphan_checks += _SQLITE_SEARCH_CHECKS
        with self.engine.connect() as connection:
            for name, table, key, condition in orphan_checks:
                broken = (
                    connection.execute(
                        text(f"SELECT {key} FROM {table} WHERE {condition} ORDER BY {key} LIMIT {_EXAMPLES}")
                    )
                    .scalars()
                    .all()
                )
                if broken:
                    total = connection.execute(
                        text(f"SELECT count(*) FROM {table} WHERE {condition}")
                    ).scalar_one()
                    shown = ", ".join(str(value) for value in broken)
                    checks.append(IntegrityCheck(name, False, f"{total} row(s) of {table} break it: {shown}"))
                else:
                    checks.append(IntegrityCheck(name, True))
        return checks

    def is_empty(self) -> bool:
        """True when no table of the schema holds a row (a store never written to, or not created yet)."""
        present = set(inspect(self.engine).get_table_names())
        with self.engine.connect() as connection:
            return not any(
                connection.execute(select(func.count()).select_from(table)).scalar_one()
                for table in metadata.sorted_tables
                if table.name in present
            )

    def _sqlite_checks(self) -> list[IntegrityCheck]:
        with self.engine.connect() as connection:
            integrity = [row[0] for row in connection.exec_driver_sql("PRAGMA integrity_check")]
            foreign = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
        checks = [
            IntegrityCheck(
                "SQLite integrity_check",
                integrity == ["ok"],
                None if integrity == ["ok"] else "; ".join(integrity[:_EXAMPLES]),
            )
        ]
        problem = None
        if foreign:
            problem = f"{len(foreign)} row(s) point at nothing: " + ", ".join(
                f"{table} rowid {rowid} -> {parent}" for table, rowid, parent, _ in foreign[:_EXAMPLES]
            )
        checks.append(IntegrityCheck("SQLite foreign_key_check", not foreign, problem))
        return checks

    def _revision_check(self) -> IntegrityCheck:
        current, head = database.current_revision(self.engine), database.head_revision()
        if current == head:
            return IntegrityCheck("the schema is at the latest revision", True)
        return IntegrityCheck(
            "the schema is at the latest revision", False, f"revision {current or '(none)'}, latest {head}"
        )
