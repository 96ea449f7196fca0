"""STIX sharing: objects received from partners, every version kept, and the log of bundles received.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stix_objects",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("modified", sa.String(40), primary_key=True),
        sa.Column("version_key", sa.String(40), nullable=False),
        sa.Column("type", sa.String(250), nullable=False),
        sa.Column("spec_version", sa.String(8), nullable=False),
        sa.Column("json", sa.Text, nullable=False),
        sa.Column("received_from", sa.Text, nullable=False),
        sa.Column("bundle_id", sa.Text, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("current", sa.Boolean, nullable=False),
    )
    op.create_index("ix_stix_objects_current", "stix_objects", ["current", "type"])
    op.create_table(
        "stix_imports",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("bundle_id", sa.Text, nullable=False),
        sa.Column("received_from", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stored", sa.Integer, nullable=False),
        sa.Column("unchanged", sa.Integer, nullable=False),
        sa.Column("replaced", sa.Integer, nullable=False),
        sa.Column("older", sa.Integer, nullable=False),
    )
    op.create_index("ix_stix_imports_bundle", "stix_imports", ["bundle_id"])


def downgrade() -> None:
    op.drop_index("ix_stix_imports_bundle", "stix_imports")
    op.drop_table("stix_imports")
    op.drop_index("ix_stix_objects_current", "stix_objects")
    op.drop_table("stix_objects")
