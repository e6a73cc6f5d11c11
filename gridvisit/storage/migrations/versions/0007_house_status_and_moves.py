"""house status, resident registers and moves, half-year and yearly tiers

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

Every household keeps its rows as 自住 (the default 房屋状态); every resident is 在住,
本地户籍, 常住, and 中共党员 if the party-member flag was set, else 群众. Two more visit
tiers, 半年 (182 days) and 年 (365 days), that no special group sets by default.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PARTY_MEMBER = "01"  # GB/T 4762 中共党员 (written out: a revision never changes)
NEW_TIERS = [("semiannual", "半年", 182, 4), ("annual", "年", 365, 5)]


def upgrade() -> None:
    op.create_table(
        "resident_move",
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("moved_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["app_user.id"], name=op.f("fk_resident_move_created_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["household_id"], ["household.id"], name=op.f("fk_resident_move_household_id_household")
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["resident.id"], name=op.f("fk_resident_move_resident_id_resident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resident_move")),
        sa.UniqueConstraint("uuid", name=op.f("uq_resident_move_uuid")),
    )
    with op.batch_alter_table("resident_move", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_resident_move_household_id"), ["household_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_resident_move_resident_id"), ["resident_id"], unique=False
        )

    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "house_status",
                sa.String(length=16),
                nullable=False,
                server_default="owner_occupied",
            )
        )
        batch_op.add_column(
            sa.Column("owner_name", sa.String(length=32), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("owner_phone", sa.String(length=32), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("tenant_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column(
                "rental_registration", sa.String(length=64), nullable=False, server_default=""
            )
        )

    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "registration_type", sa.String(length=16), nullable=False, server_default="local"
            )
        )
        batch_op.add_column(
            sa.Column(
                "residence_type", sa.String(length=16), nullable=False, server_default="permanent"
            )
        )
        batch_op.add_column(
            sa.Column("ethnicity", sa.String(length=2), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("political_status", sa.String(length=2), nullable=False, server_default="13")
        )
        batch_op.add_column(
            sa.Column("workplace", sa.String(length=100), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("moved_in_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("status", sa.String(length=16), nullable=False, server_default="present")
        )

    resident = sa.table(
        "resident",
        sa.column("political_status", sa.String),
        sa.column("is_party_member", sa.Boolean),
    )
    op.execute(
        resident.update()
        .where(resident.c.is_party_member.is_(True))
        .values(political_status=PARTY_MEMBER)
    )
    tier = sa.table(
        "visit_tier",
        sa.column("code", sa.String),
        sa.column("name", sa.String),
        sa.column("interval_days", sa.Integer),
        sa.column("rank", sa.Integer),
    )
    existing = {row[0] for row in op.get_bind().execute(sa.select(tier.c.code))}
    op.bulk_insert(
        tier,
        [
            dict(code=c, name=n, interval_days=d, rank=r)
            for c, n, d, r in NEW_TIERS
            if c not in existing
        ],
    )


def downgrade() -> None:
    # A household on a new tier goes back to 一般, the longest tier before this one.
    household = sa.table("household", sa.column("tier_code", sa.String))
    group = sa.table("special_group", sa.column("tier_code", sa.String))
    codes = [c for c, *_ in NEW_TIERS]
    op.execute(
        household.update().where(household.c.tier_code.in_(codes)).values(tier_code="normal")
    )
    op.execute(group.update().where(group.c.tier_code.in_(codes)).values(tier_code="normal"))
    tier = sa.table("visit_tier", sa.column("code", sa.String))
    op.execute(tier.delete().where(tier.c.code.in_(codes)))
    # ALTER TABLE … DROP COLUMN in place (SQLite 3.35+, PostgreSQL): a batch rebuild would
    # drop and re-create household and resident, which other tables refer to.
    for column in (
        "status",
        "moved_in_on",
        "workplace",
        "political_status",
        "ethnicity",
        "residence_type",
        "registration_type",
    ):
        op.drop_column("resident", column)
    for column in (
        "rental_registration",
        "tenant_count",
        "owner_phone",
        "owner_name",
        "house_status",
    ):
        op.drop_column("household", column)

    with op.batch_alter_table("resident_move", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resident_move_resident_id"))
        batch_op.drop_index(batch_op.f("ix_resident_move_household_id"))

    op.drop_table("resident_move")
