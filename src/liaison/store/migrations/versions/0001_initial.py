"""Reports, sentences, entities, aliases, mentions, and full-text search over reports.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ID = sa.String(36)


def upgrade() -> None:
    op.create_table(
        "reports",
        sa.Column("id", ID, primary_key=True),
        sa.Column("content_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("external_id", sa.Text),
        sa.Column("title", sa.Text),
        sa.Column("source", sa.Text),
        sa.Column("url", sa.Text),
        sa.Column("published", sa.Date),
        sa.Column("published_inferred", sa.Boolean, nullable=False),
        sa.Column("language", sa.String(16)),
        sa.Column("tlp", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("origin", sa.Text),
        sa.Column("pipeline_version", sa.Text, nullable=False),
        sa.Column("extraction", sa.Text, nullable=False),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_reports_published", "reports", ["published"])
    op.create_index("ix_reports_ingested_at", "reports", ["ingested_at"])
    op.create_table(
        "sentences",
        sa.Column("report_id", ID, sa.ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("idx", sa.Integer, primary_key=True),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
    )
    op.create_table(
        "entities",
        sa.Column("id", ID, primary_key=True),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("canonical_key", sa.Text, nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_entities_type", "entities", ["type"])
    op.create_table(
        "entity_aliases",
        sa.Column("id", ID, primary_key=True),
        sa.Column("entity_id", ID, sa.ForeignKey("entities.id", ondelete="CASCADE"), nullable=False),
        sa.Column("alias", sa.Text, nullable=False),
        sa.Column("normalized", sa.Text, nullable=False),
        sa.Column("language", sa.String(16)),
        sa.Column("first_report_id", ID, sa.ForeignKey("reports.id", ondelete="SET NULL")),
        sa.UniqueConstraint("entity_id", "alias", name="uq_entity_aliases_entity_alias"),
    )
    op.create_index("ix_entity_aliases_normalized", "entity_aliases", ["normalized"])
    op.create_table(
        "mentions",
        sa.Column("id", ID, primary_key=True),
        sa.Column("report_id", ID, sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
        sa.Column("entity_id", ID, sa.ForeignKey("entities.id", ondelete="CASCADE"), nullable=False),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("sentence", sa.Integer, nullable=False),
        sa.Column("label", sa.String(32), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
    )
    op.create_index("ix_mentions_report", "mentions", ["report_id"])
    op.create_index("ix_mentions_entity", "mentions", ["entity_id"])

    if op.get_bind().dialect.name == "postgresql":
        # 'simple' keeps English and French words alike searchable without one language's stemmer.
        op.execute(
            "ALTER TABLE reports ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
            "(setweight(to_tsvector('simple', coalesce(title, '')), 'A') || "
            "setweight(to_tsvector('simple', text), 'B')) STORED"
        )
        op.execute("CREATE INDEX ix_reports_search ON reports USING gin (search_vector)")
    else:
        # A standalone FTS5 index that the store writes in the same transaction as the report.
        op.execute(
            "CREATE VIRTUAL TABLE report_search USING fts5("
            "report_id UNINDEXED, title, text, tokenize = 'unicode61 remove_diacritics 2')"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_reports_search")
    else:
        op.execute("DROP TABLE IF EXISTS report_search")
    for table in ("mentions", "entity_aliases", "entities", "sentences", "reports"):
        op.drop_table(table)
