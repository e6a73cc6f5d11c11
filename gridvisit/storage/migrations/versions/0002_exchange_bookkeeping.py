"""exchange bookkeeping

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 22:02:01.526896
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "merge_conflict",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("payload_hash", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merge_conflict")),
        sa.UniqueConstraint(
            "entity", "uuid", "version", "payload_hash", name="uq_merge_conflict_copy"
        ),
    )
    with op.batch_alter_table("merge_conflict", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_merge_conflict_uuid"), ["uuid"], unique=False)

    op.create_table(
        "merge_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("package_sha256", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("device", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("merged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merge_log")),
    )
    with op.batch_alter_table("merge_log", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_merge_log_package_sha256"), ["package_sha256"], unique=False
        )

    op.create_table(
        "possible_duplicate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("uuid_a", sa.String(length=36), nullable=False),
        sa.Column("uuid_b", sa.String(length=36), nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_possible_duplicate")),
        sa.UniqueConstraint("kind", "uuid_a", "uuid_b", name="uq_possible_duplicate_pair"),
    )
    op.create_table(
        "record_version",
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("payload_hash", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("entity", "uuid", "version", name=op.f("pk_record_version")),
    )
    op.create_table(
        "uuid_alias",
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("alias", sa.String(length=36), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("entity", "alias", name=op.f("pk_uuid_alias")),
    )


def downgrade() -> None:
    op.drop_table("uuid_alias")
    op.drop_table("record_version")
    op.drop_table("possible_duplicate")
    with op.batch_alter_table("merge_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_merge_log_package_sha256"))

    op.drop_table("merge_log")
    with op.batch_alter_table("merge_conflict", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_merge_conflict_uuid"))

    op.drop_table("merge_conflict")
