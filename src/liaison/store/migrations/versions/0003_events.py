"""Events (canonical, with every report's mention of them), claims and report topics.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

ID = sa.String(36)


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", ID, primary_key=True),
        sa.Column("type", sa.Text, nullable=False),
        sa.Column("plover", sa.String(16), nullable=False),
        sa.Column("plover_mode", sa.String(32)),
        sa.Column("cameo", sa.String(8)),
        sa.Column("date_value", sa.String(32)),
        sa.Column("date_precision", sa.String(16)),
        sa.Column("location_id", ID),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_events_plover", "events", ["plover"])
    op.create_index("ix_events_date", "events", ["date_value"])
    op.create_table(
        "event_mentions",
        sa.Column("id", ID, primary_key=True),
        sa.Column("event_id", ID, sa.ForeignKey("events.id", ondelete="CASCADE"), nullable=False),
        sa.Column("report_id", ID, sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
        sa.Column("type", sa.Text, nullable=False),
        sa.Column("plover", sa.String(16), nullable=False),
        sa.Column("plover_mode", sa.String(32)),
        sa.Column("cameo", sa.String(8)),
        sa.Column("date_value", sa.String(32)),
        sa.Column("date_precision", sa.String(16)),
        sa.Column("date_text", sa.Text),
        sa.Column("location_id", ID),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("topics", sa.Text, nullable=False),
        sa.Column("evidence", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
    )
    op.create_index("ix_event_mentions_event", "event_mentions", ["event_id"])
    op.create_index("ix_event_mentions_report", "event_mentions", ["report_id"])
    op.create_table(
        "event_participants",
        sa.Column("mention_id", ID, sa.ForeignKey("event_mentions.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("entity_id", ID, primary_key=True),
        sa.Column("role", sa.String(16), nullable=False),
    )
    op.create_index("ix_event_participants_entity", "event_participants", ["entity_id"])
    op.create_table(
        "claims",
        sa.Column("id", ID, primary_key=True),
        sa.Column("report_id", ID, sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("qualifier", sa.String(16)),
        sa.Column("unit", sa.Text, nullable=False),
        sa.Column("period", sa.Text),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("sentence", sa.Integer, nullable=False),
    )
    op.create_index("ix_claims_report", "claims", ["report_id"])
    op.create_index("ix_claims_subject", "claims", ["subject"])
    op.create_table(
        "report_topics",
        sa.Column("report_id", ID, sa.ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("topic", sa.String(64), primary_key=True),
    )
    op.create_index("ix_report_topics_topic", "report_topics", ["topic"])


def downgrade() -> None:
    for table in ("report_topics", "claims", "event_participants", "event_mentions", "events"):
        op.drop_table(table)
