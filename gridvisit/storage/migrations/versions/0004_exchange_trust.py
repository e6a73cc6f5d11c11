"""exchange trust: device areas, revocation, audit trails anchored at the sub-district

Laptops registered before this revision get no area: the sub-district refuses their
packages until an administrator binds them to their grids (keys set-area), because
guessing an area from data the laptop itself sent would trust exactly what the area
is meant to check.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The device table first: its batch rebuild on SQLite must not happen under the
    # tables that refer to it.
    with op.batch_alter_table("device", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("revoked_by", sa.String(length=64), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("audit_tip_id", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("audit_tip_hash", sa.String(length=64), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("flag_reason", sa.Text(), nullable=False, server_default=""))

    op.create_table(
        "device_audit_entry",
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("entry_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("device", sa.String(length=36), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=48), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_uuid", sa.String(length=36), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("package_sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["device.device_id"],
            name=op.f("fk_device_audit_entry_device_id_device"),
        ),
        sa.PrimaryKeyConstraint("device_id", "entry_id", name=op.f("pk_device_audit_entry")),
    )
    with op.batch_alter_table("device_audit_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_device_audit_entry_at"), ["at"], unique=False)

    op.create_table(
        "device_community",
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_device_community_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["device.device_id"],
            name=op.f("fk_device_community_device_id_device"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("device_id", "community_id", name=op.f("pk_device_community")),
    )
    op.create_table(
        "device_grid",
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("grid_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["device.device_id"],
            name=op.f("fk_device_grid_device_id_device"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["grid_id"], ["grid.id"], name=op.f("fk_device_grid_grid_id_grid"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("device_id", "grid_id", name=op.f("pk_device_grid")),
    )
    # A laptop's trail at the sub-district is append-only, like the local audit log.
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER device_audit_entry_no_{verb.lower()} BEFORE {verb} "
                "ON device_audit_entry "
                "BEGIN SELECT RAISE(ABORT, 'device audit trail is append-only'); END"
            )
    elif conn.dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION device_audit_entry_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'device audit trail is append-only'; END $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER device_audit_entry_append_only BEFORE UPDATE OR DELETE "
            "ON device_audit_entry FOR EACH ROW EXECUTE FUNCTION device_audit_entry_append_only()"
        )


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS device_audit_entry_no_update")
        op.execute("DROP TRIGGER IF EXISTS device_audit_entry_no_delete")
    elif conn.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS device_audit_entry_append_only ON device_audit_entry")
        op.execute("DROP FUNCTION IF EXISTS device_audit_entry_append_only()")
    op.drop_table("device_grid")
    op.drop_table("device_community")
    with op.batch_alter_table("device_audit_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_device_audit_entry_at"))
    op.drop_table("device_audit_entry")
    with op.batch_alter_table("device", schema=None) as batch_op:
        batch_op.drop_column("flag_reason")
        batch_op.drop_column("flagged_at")
        batch_op.drop_column("audit_tip_hash")
        batch_op.drop_column("audit_tip_id")
        batch_op.drop_column("revoked_by")
