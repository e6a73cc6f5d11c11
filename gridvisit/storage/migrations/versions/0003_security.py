"""security: passwords, hash-chained audit log, registered devices

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _digest(row: dict[str, Any], new_id: int, prev_hash: str) -> str:
    # A frozen copy of storage.audit.entry_digest as it was at this revision.
    at = row["at"] if isinstance(row["at"], datetime) else datetime.fromisoformat(str(row["at"]))
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    detail = row["detail"]
    if not isinstance(detail, dict):
        detail = json.loads(detail or "{}")
    body = [
        new_id,
        at.isoformat(timespec="microseconds"),
        row["device"],
        row["actor_id"],
        row["actor_name"],
        row["action"],
        row["entity"],
        row["entity_uuid"],
        detail,
        prev_hash,
    ]
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def upgrade() -> None:
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("password_hash", sa.String(length=128), nullable=False, server_default="")
        )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("prev_hash", sa.String(length=64), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("hash", sa.String(length=64), nullable=False, server_default="")
        )
    op.create_table(
        "device",
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("sign_public", sa.String(length=64), nullable=False),
        sa.Column("box_public", sa.String(length=64), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("registered_by", sa.String(length=64), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("device_id", name=op.f("pk_device")),
    )
    # Chain the entries written before this revision, oldest first, renumbered 1..n so
    # a gap later means a deletion.
    conn = op.get_bind()
    audit = sa.table(
        "audit_entry",
        *(
            sa.column(c)
            for c in (
                "id at device actor_id actor_name action entity entity_uuid detail prev_hash hash"
            ).split()
        ),
    )
    rows = conn.execute(sa.select(audit).order_by(audit.c.id)).all()
    prev = ""
    for n, row in enumerate(rows, start=1):
        if row.id != n:
            conn.execute(sa.update(audit).where(audit.c.id == row.id).values(id=n))
        digest = _digest(dict(row._mapping), n, prev)
        conn.execute(sa.update(audit).where(audit.c.id == n).values(prev_hash=prev, hash=digest))
        prev = digest
    if rows:
        setting = sa.table("setting", sa.column("key"), sa.column("value"))
        conn.execute(sa.delete(setting).where(setting.c.key == "audit.tip"))
        conn.execute(sa.insert(setting).values(key="audit.tip", value=f"{len(rows)}:{prev}"))
    if conn.dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_entry_no_{verb.lower()} BEFORE {verb} ON audit_entry "
                "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END"
            )
    elif conn.dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_entry_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'audit log is append-only'; END $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry "
            "FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()"
        )


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_delete")
    elif conn.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_entry")
        op.execute("DROP FUNCTION IF EXISTS audit_entry_append_only()")
    op.drop_table("device")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_column("password_hash")
