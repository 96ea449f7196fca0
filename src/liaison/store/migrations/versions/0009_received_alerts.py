"""Alerts on partners' STIX objects: an alert refers to a stored report or to a received STIX object.

A received object has no row in ``reports``: its alert keeps the object's STIX ID, name, marking and sender,
and what matched names STIX IDs (longer than the 36 characters of a Liaison ID).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

ID = sa.String(36)


def upgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.alter_column("report_id", existing_type=ID, nullable=True)
        batch.add_column(sa.Column("stix_id", sa.Text(), nullable=True))
        batch.add_column(sa.Column("stix_title", sa.Text(), nullable=True))
        batch.add_column(sa.Column("stix_tlp", sa.String(16), nullable=True))
        batch.add_column(sa.Column("received_from", sa.Text(), nullable=True))
    with op.batch_alter_table("alert_matches") as batch:
        batch.alter_column("target_id", existing_type=ID, type_=sa.Text())
        batch.alter_column("report_id", existing_type=ID, type_=sa.Text(), existing_nullable=False)


def downgrade() -> None:
    op.execute("DELETE FROM alerts WHERE report_id IS NULL")
    with op.batch_alter_table("alert_matches") as batch:
        batch.alter_column("report_id", existing_type=sa.Text(), type_=ID, existing_nullable=False)
        batch.alter_column("target_id", existing_type=sa.Text(), type_=ID)
    with op.batch_alter_table("alerts") as batch:
        batch.drop_column("received_from")
        batch.drop_column("stix_tlp")
        batch.drop_column("stix_title")
        batch.drop_column("stix_id")
        batch.alter_column("report_id", existing_type=ID, nullable=False)
