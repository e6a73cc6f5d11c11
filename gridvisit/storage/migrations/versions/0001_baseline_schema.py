"""baseline schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 17:51:21.032812
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "app_user",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["app_user.id"], name=op.f("fk_app_user_created_by_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("username", name=op.f("uq_app_user_username")),
        sa.UniqueConstraint("uuid", name=op.f("uq_app_user_uuid")),
    )
    op.create_table(
        "problem_category",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("parent_code", sa.String(length=32), nullable=True),
        sa.Column("sort", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_code"],
            ["problem_category.code"],
            name=op.f("fk_problem_category_parent_code_problem_category"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_problem_category")),
    )
    op.create_table(
        "setting",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_setting")),
    )
    op.create_table(
        "urgency_level",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("limit_days", sa.Integer(), nullable=False),
        sa.Column("sort", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_urgency_level")),
    )
    op.create_table(
        "visit_tier",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("interval_days", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_visit_tier")),
    )
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("device", sa.String(length=36), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=48), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_uuid", sa.String(length=36), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["app_user.id"], name=op.f("fk_audit_entry_actor_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entry_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_entry_entity_uuid"), ["entity_uuid"], unique=False
        )

    op.create_table(
        "community",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["app_user.id"], name=op.f("fk_community_created_by_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community")),
        sa.UniqueConstraint("name", name=op.f("uq_community_name")),
        sa.UniqueConstraint("uuid", name=op.f("uq_community_uuid")),
    )
    op.create_table(
        "special_group",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("tier_code", sa.String(length=32), nullable=False),
        sa.Column("sort", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tier_code"], ["visit_tier.code"], name=op.f("fk_special_group_tier_code_visit_tier")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_special_group")),
    )
    op.create_table(
        "grid",
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("leader_name", sa.String(length=32), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"], ["community.id"], name=op.f("fk_grid_community_id_community")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["app_user.id"], name=op.f("fk_grid_created_by_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grid")),
        sa.UniqueConstraint("community_id", "name", name="uq_grid_community_name"),
        sa.UniqueConstraint("uuid", name=op.f("uq_grid_uuid")),
    )
    with op.batch_alter_table("grid", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grid_community_id"), ["community_id"], unique=False)

    op.create_table(
        "user_community",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_user_community_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_user_community_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "community_id", name=op.f("pk_user_community")),
    )
    op.create_table(
        "building_group",
        sa.Column("grid_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("buildings", sa.String(length=200), nullable=False),
        sa.Column("leader_name", sa.String(length=32), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["app_user.id"],
            name=op.f("fk_building_group_created_by_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["grid_id"], ["grid.id"], name=op.f("fk_building_group_grid_id_grid")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_building_group")),
        sa.UniqueConstraint("grid_id", "name", name="uq_building_group_grid_name"),
        sa.UniqueConstraint("uuid", name=op.f("uq_building_group_uuid")),
    )
    with op.batch_alter_table("building_group", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_building_group_grid_id"), ["grid_id"], unique=False)

    op.create_table(
        "user_grid",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("grid_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["grid_id"], ["grid.id"], name=op.f("fk_user_grid_grid_id_grid"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_user_grid_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "grid_id", name=op.f("pk_user_grid")),
    )
    op.create_table(
        "household",
        sa.Column("building_group_id", sa.Integer(), nullable=False),
        sa.Column("building", sa.String(length=16), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("room", sa.String(length=16), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("tier_code", sa.String(length=32), nullable=False),
        sa.Column("tier_manual", sa.Boolean(), nullable=False),
        sa.Column("is_party_centre", sa.Boolean(), nullable=False),
        sa.Column("centre_household_id", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["building_group_id"],
            ["building_group.id"],
            name=op.f("fk_household_building_group_id_building_group"),
        ),
        sa.ForeignKeyConstraint(
            ["centre_household_id"],
            ["household.id"],
            name=op.f("fk_household_centre_household_id_household"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["app_user.id"], name=op.f("fk_household_created_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["tier_code"], ["visit_tier.code"], name=op.f("fk_household_tier_code_visit_tier")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household")),
        sa.UniqueConstraint("uuid", name=op.f("uq_household_uuid")),
    )
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_household_centre_household_id"), ["centre_household_id"], unique=False
        )
        batch_op.create_index(
            "ix_household_group_address",
            ["building_group_id", "building", "unit", "room"],
            unique=False,
        )

    op.create_table(
        "resident",
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("gender", sa.String(length=1), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("relation", sa.String(length=16), nullable=False),
        sa.Column("is_head", sa.Boolean(), nullable=False),
        sa.Column("is_party_member", sa.Boolean(), nullable=False),
        sa.Column("special_groups", sa.JSON(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["app_user.id"], name=op.f("fk_resident_created_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["household_id"], ["household.id"], name=op.f("fk_resident_household_id_household")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resident")),
        sa.UniqueConstraint("uuid", name=op.f("uq_resident_uuid")),
    )
    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_resident_household_id"), ["household_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_resident_id_number"), ["id_number"], unique=False)

    op.create_table(
        "visit",
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("visited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("present_resident_uuids", sa.JSON(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["app_user.id"], name=op.f("fk_visit_created_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["household_id"], ["household.id"], name=op.f("fk_visit_household_id_household")
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"], ["app_user.id"], name=op.f("fk_visit_worker_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit")),
        sa.UniqueConstraint("uuid", name=op.f("uq_visit_uuid")),
    )
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.create_index(
            "ix_visit_household_time", ["household_id", "visited_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_visit_visited_at"), ["visited_at"], unique=False)

    op.create_table(
        "problem",
        sa.Column("grid_id", sa.Integer(), nullable=False),
        sa.Column("building_group_id", sa.Integer(), nullable=True),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.Column("resident_id", sa.Integer(), nullable=True),
        sa.Column("location", sa.String(length=100), nullable=False),
        sa.Column("category_code", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("urgency_code", sa.String(length=32), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("assigned_unit", sa.String(length=64), nullable=False),
        sa.Column("assigned_person", sa.String(length=32), nullable=False),
        sa.Column("resolution", sa.Text(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("satisfaction", sa.String(length=16), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["building_group_id"],
            ["building_group.id"],
            name=op.f("fk_problem_building_group_id_building_group"),
        ),
        sa.ForeignKeyConstraint(
            ["category_code"],
            ["problem_category.code"],
            name=op.f("fk_problem_category_code_problem_category"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["app_user.id"], name=op.f("fk_problem_created_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(["grid_id"], ["grid.id"], name=op.f("fk_problem_grid_id_grid")),
        sa.ForeignKeyConstraint(
            ["household_id"], ["household.id"], name=op.f("fk_problem_household_id_household")
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["resident.id"], name=op.f("fk_problem_resident_id_resident")
        ),
        sa.ForeignKeyConstraint(
            ["urgency_code"],
            ["urgency_level.code"],
            name=op.f("fk_problem_urgency_code_urgency_level"),
        ),
        sa.ForeignKeyConstraint(["visit_id"], ["visit.id"], name=op.f("fk_problem_visit_id_visit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_problem")),
        sa.UniqueConstraint("uuid", name=op.f("uq_problem_uuid")),
    )
    with op.batch_alter_table("problem", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_problem_building_group_id"), ["building_group_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_problem_grid_id"), ["grid_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_problem_household_id"), ["household_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_problem_reported_at"), ["reported_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_problem_resolved_at"), ["resolved_at"], unique=False)
        batch_op.create_index("ix_problem_status_due", ["status", "due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_problem_visit_id"), ["visit_id"], unique=False)

    op.create_table(
        "problem_event",
        sa.Column("problem_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("from_status", sa.String(length=16), nullable=False),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("from_level", sa.String(length=16), nullable=False),
        sa.Column("to_level", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("assigned_unit", sa.String(length=64), nullable=False),
        sa.Column("assigned_person", sa.String(length=32), nullable=False),
        sa.Column("satisfaction", sa.String(length=16), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["app_user.id"], name=op.f("fk_problem_event_actor_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["app_user.id"], name=op.f("fk_problem_event_created_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["problem_id"], ["problem.id"], name=op.f("fk_problem_event_problem_id_problem")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_problem_event")),
        sa.UniqueConstraint("uuid", name=op.f("uq_problem_event_uuid")),
    )
    with op.batch_alter_table("problem_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_problem_event_problem_id"), ["problem_id"], unique=False
        )

    _seed_reference_lists()


# Seed values are copied here rather than imported so this revision never changes
# when the app's defaults do. Users may edit the lists afterwards.
_TIERS = [
    ("key", "重点", 7, 1),
    ("watch", "关注", 30, 2),
    ("normal", "一般", 90, 3),
]
_SPECIAL_GROUPS = [
    ("living_alone_elderly", "独居老人", "key"),
    ("empty_nest_elderly", "空巢老人", "watch"),
    ("advanced_age", "高龄老人", "watch"),
    ("disabled_care", "失能", "key"),
    ("disability", "残疾人", "watch"),
    ("serious_illness", "重病", "key"),
    ("subsistence", "低保", "watch"),
    ("hardship", "困难户", "watch"),
    ("children_in_distress", "困境儿童", "key"),
    ("veteran", "退役军人", "normal"),
]
_URGENCY = [
    ("urgent", "紧急", 0),
    ("pressing", "较急", 3),
    ("normal", "一般", 15),
]
_CATEGORIES = [
    ("property", "物业管理", None),
    ("elevator", "电梯", "property"),
    ("leak", "漏水", "property"),
    ("garage", "车库", "property"),
    ("parking", "停车", "property"),
    ("sanitation", "环境卫生", None),
    ("facilities", "公共设施", None),
    ("road", "路面", "facilities"),
    ("streetlight", "路灯", "facilities"),
    ("drainage", "排水", "facilities"),
    ("bike_shed", "非机动车库", "facilities"),
    ("safety", "安全隐患", None),
    ("falling_objects", "高空抛物", "safety"),
    ("gas", "燃气", "safety"),
    ("fire", "消防", "safety"),
    ("ebike", "电动车", "safety"),
    ("dispute", "矛盾纠纷", None),
    ("relief", "民生救助", None),
    ("elderly_disabled", "养老助残", None),
    ("policy", "政策咨询", None),
    ("public_order", "社会治安", None),
    ("other", "其他", None),
]


def _seed_reference_lists() -> None:
    tier = sa.table(
        "visit_tier",
        sa.column("code"),
        sa.column("name"),
        sa.column("interval_days"),
        sa.column("rank"),
    )
    op.bulk_insert(tier, [dict(code=c, name=n, interval_days=d, rank=r) for c, n, d, r in _TIERS])
    group = sa.table(
        "special_group",
        sa.column("code"),
        sa.column("name"),
        sa.column("tier_code"),
        sa.column("sort"),
    )
    op.bulk_insert(
        group,
        [dict(code=c, name=n, tier_code=t, sort=i) for i, (c, n, t) in enumerate(_SPECIAL_GROUPS)],
    )
    urgency = sa.table(
        "urgency_level",
        sa.column("code"),
        sa.column("name"),
        sa.column("limit_days"),
        sa.column("sort"),
    )
    op.bulk_insert(
        urgency,
        [dict(code=c, name=n, limit_days=d, sort=i) for i, (c, n, d) in enumerate(_URGENCY)],
    )
    category = sa.table(
        "problem_category",
        sa.column("code"),
        sa.column("name"),
        sa.column("parent_code"),
        sa.column("sort"),
        sa.column("active"),
    )
    op.bulk_insert(
        category,
        [
            dict(code=c, name=n, parent_code=p, sort=i, active=True)
            for i, (c, n, p) in enumerate(_CATEGORIES)
        ],
    )


def downgrade() -> None:

    with op.batch_alter_table("problem_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_problem_event_problem_id"))

    op.drop_table("problem_event")
    with op.batch_alter_table("problem", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_problem_visit_id"))
        batch_op.drop_index("ix_problem_status_due")
        batch_op.drop_index(batch_op.f("ix_problem_resolved_at"))
        batch_op.drop_index(batch_op.f("ix_problem_reported_at"))
        batch_op.drop_index(batch_op.f("ix_problem_household_id"))
        batch_op.drop_index(batch_op.f("ix_problem_grid_id"))
        batch_op.drop_index(batch_op.f("ix_problem_building_group_id"))

    op.drop_table("problem")
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visit_visited_at"))
        batch_op.drop_index("ix_visit_household_time")

    op.drop_table("visit")
    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resident_id_number"))
        batch_op.drop_index(batch_op.f("ix_resident_household_id"))

    op.drop_table("resident")
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.drop_index("ix_household_group_address")
        batch_op.drop_index(batch_op.f("ix_household_centre_household_id"))

    op.drop_table("household")
    op.drop_table("user_grid")
    with op.batch_alter_table("building_group", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_building_group_grid_id"))

    op.drop_table("building_group")
    op.drop_table("user_community")
    with op.batch_alter_table("grid", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grid_community_id"))

    op.drop_table("grid")
    op.drop_table("special_group")
    op.drop_table("community")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entry_entity_uuid"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_at"))

    op.drop_table("audit_entry")
    op.drop_table("visit_tier")
    op.drop_table("urgency_level")
    op.drop_table("setting")
    op.drop_table("problem_category")
    op.drop_table("app_user")
