"""Cross-report resolution: canonical entities, reversible merges with reasons, roles.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ID = sa.String(36)


def upgrade() -> None:
    with op.batch_alter_table("entities") as batch:
        batch.add_column(sa.Column("canonical_id", ID, nullable=True))
        batch.add_column(sa.Column("merged_into", ID, nullable=True))
        batch.add_column(sa.Column("attributes", sa.Text, nullable=False, server_default="{}"))
        batch.add_column(sa.Column("type_confidence", sa.Float, nullable=False, server_default="1.0"))
    op.execute("UPDATE entities SET canonical_id = id")
    with op.batch_alter_table("entities") as batch:
        batch.alter_column("canonical_id", existing_type=ID, nullable=False)
        batch.create_index("ix_entities_canonical", ["canonical_id"])
    with op.batch_alter_table("entity_aliases") as batch:
        batch.add_column(sa.Column("source", sa.String(16), nullable=False, server_default="mention"))
    op.create_table(
        "entity_links",
        sa.Column("id", ID, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),  # auto | manual | split
        sa.Column("kept_id", ID, sa.ForeignKey("entities.id", ondelete="CASCADE"), nullable=False),
        sa.Column("other_id", ID, sa.ForeignKey("entities.id", ondelete="CASCADE"), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("report_id", ID, sa.ForeignKey("reports.id", ondelete="SET NULL")),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_entity_links_kept", "entity_links", ["kept_id"])
    op.create_index("ix_entity_links_other", "entity_links", ["other_id"])
    op.create_table(
        "roles",
        sa.Column("id", ID, primary_key=True),
        sa.Column("report_id", ID, sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
        sa.Column("person_id", ID, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("organization_id", ID),
        sa.Column("country_id", ID),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("sentence", sa.Integer, nullable=False),
    )
    op.create_index("ix_roles_person", "roles", ["person_id"])
    op.create_index("ix_roles_report", "roles", ["report_id"])


def downgrade() -> None:
    op.drop_table("roles")
    op.drop_table("entity_links")
    with op.batch_alter_table("entity_aliases") as batch:
        batch.drop_column("source")
    with op.batch_alter_table("entities") as batch:
        batch.drop_index("ix_entities_canonical")
        batch.drop_column("type_confidence")
        batch.drop_column("attributes")
        batch.drop_column("merged_into")
        batch.drop_column("canonical_id")
