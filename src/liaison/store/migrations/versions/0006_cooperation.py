"""Cooperation: organisations, users, API tokens, sharing agreements, RED recipients, TAXII collections
and what each holds, partner instances, and the hash-chained audit log.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

ID = sa.String(36)

TABLES = (
    "audit_head",
    "audit_log",
    "partners",
    "taxii_statuses",
    "collection_members",
    "collection_objects",
    "collections",
    "report_recipients",
    "agreements",
    "api_tokens",
    "users",
    "organizations",
)


def upgrade() -> None:
    op.create_table(
        "organizations",
        sa.Column("id", ID, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("name_key", sa.Text, nullable=False, unique=True),
        sa.Column("home", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "users",
        sa.Column("id", ID, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("name_key", sa.Text, nullable=False, unique=True),
        sa.Column("organization_id", ID, sa.ForeignKey("organizations.id"), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", ID, primary_key=True),
        sa.Column("user_id", ID, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False, unique=True),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("label", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.Column("last_used_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "agreements",
        sa.Column("organization_id", ID, sa.ForeignKey("organizations.id"), primary_key=True),
        sa.Column("tlp_max", sa.String(16), nullable=False),
        sa.Column("topics", sa.Text, nullable=False),
        sa.Column("can_write", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "report_recipients",
        sa.Column("report_id", ID, sa.ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("organization", sa.Text, primary_key=True),
    )
    op.create_table(
        "collections",
        sa.Column("id", ID, primary_key=True),
        sa.Column("organization_id", ID, sa.ForeignKey("organizations.id"), nullable=False, unique=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "collection_objects",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("collection_id", ID, sa.ForeignKey("collections.id", ondelete="CASCADE"), nullable=False),
        sa.Column("stix_id", sa.Text, nullable=False),
        sa.Column("version", sa.String(40), nullable=False),
        sa.Column("version_key", sa.String(40), nullable=False),
        sa.Column("type", sa.String(250), nullable=False),
        sa.Column("spec_version", sa.String(8), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("current", sa.Boolean, nullable=False),
        sa.Column("json", sa.Text, nullable=False),
        sa.UniqueConstraint("collection_id", "stix_id", "version", name="uq_collection_objects_version"),
    )
    op.create_index("ix_collection_objects_added", "collection_objects", ["collection_id", "date_added"])
    op.create_index("ix_collection_objects_id", "collection_objects", ["collection_id", "stix_id"])
    op.create_index("ix_collection_objects_seq", "collection_objects", ["collection_id", "seq"])
    op.create_table(
        "collection_members",
        sa.Column("collection_id", ID, sa.ForeignKey("collections.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("local_id", ID, primary_key=True),
    )
    op.create_index("ix_collection_members_local", "collection_members", ["kind", "local_id"])
    op.create_table(
        "taxii_statuses",
        sa.Column("id", ID, primary_key=True),
        sa.Column("collection_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("request_timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_table(
        "partners",
        sa.Column("id", ID, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("name_key", sa.Text, nullable=False, unique=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("token", sa.Text, nullable=False),
        sa.Column("collection_id", sa.Text),
        sa.Column("cursor", sa.Text),
        sa.Column("last_pull_at", sa.DateTime(timezone=True)),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("previous_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    for table in TABLES:  # dependants first; their indexes go with them
        op.drop_table(table)
