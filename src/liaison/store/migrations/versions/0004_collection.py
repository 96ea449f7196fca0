"""Collection at scale: near-duplicate fingerprints and links, feeds and the entries already fetched.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ID = sa.String(36)


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("near_duplicate_of", ID))
        batch.add_column(sa.Column("near_duplicate_similarity", sa.Float))
        batch.create_index("ix_reports_near_duplicate_of", ["near_duplicate_of"])
    op.create_table(
        "report_fingerprints",
        sa.Column("report_id", ID, sa.ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("signature", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "report_fingerprint_bands",
        sa.Column("band", sa.Integer, primary_key=True),
        sa.Column("bucket", sa.String(16), primary_key=True),
        sa.Column("report_id", ID, sa.ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
    )
    op.create_index("ix_report_fingerprint_bands_report", "report_fingerprint_bands", ["report_id"])
    op.create_table(
        "feeds",
        sa.Column("id", ID, primary_key=True),
        sa.Column("url", sa.Text, nullable=False, unique=True),
        sa.Column("name", sa.Text),
        sa.Column("tlp", sa.String(16), nullable=False),
        sa.Column("etag", sa.Text),
        sa.Column("last_modified", sa.Text),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("polled_at", sa.DateTime(timezone=True)),
        sa.Column("status", sa.Text),
        sa.Column("error", sa.Text),
    )
    op.create_table(
        "feed_entries",
        sa.Column("feed_id", ID, sa.ForeignKey("feeds.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("entry_key", sa.Text, primary_key=True),
        sa.Column("url", sa.Text),
        sa.Column("report_id", ID),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("feed_entries")
    op.drop_table("feeds")
    op.drop_index("ix_report_fingerprint_bands_report", "report_fingerprint_bands")
    op.drop_table("report_fingerprint_bands")
    op.drop_table("report_fingerprints")
    with op.batch_alter_table("reports") as batch:
        batch.drop_index("ix_reports_near_duplicate_of")
        batch.drop_column("near_duplicate_similarity")
        batch.drop_column("near_duplicate_of")
