"""The audit log: append-only and hash-chained.

Each entry carries the SHA-256 of its own content and of the entry before it, and the
newest id and hash are also kept in the `audit.tip` setting. Editing an entry breaks
its hash; deleting one breaks the chain; deleting the newest ones leaves the tip
pointing past the end. Triggers refuse UPDATE and DELETE on the table, so only a
deliberate edit outside the app (the sqlite3 tool, with the triggers dropped) gets
that far, and `verify_audit` then names the entry. Someone who can rewrite the whole
file can also recompute the chain: on an encrypted database they would need the key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from gridvisit.storage.models import AuditEntry, Setting

TIP_KEY = "audit.tip"
_TIP_CACHE = "audit_tip"


def entry_digest(
    *,
    id: int,
    at: datetime,
    device: str,
    actor_id: int | None,
    actor_name: str,
    action: str,
    entity: str,
    entity_uuid: str,
    detail: dict[str, Any],
    prev_hash: str,
) -> str:
    stamp = at.astimezone(UTC).isoformat(timespec="microseconds")
    body = [id, stamp, device, actor_id, actor_name, action, entity, entity_uuid, detail, prev_hash]
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# pg_advisory_xact_lock key of audit appends ("gvaudit" in ASCII).
AUDIT_LOCK = 0x67766175646974


def _tip(session: Session) -> tuple[int, str]:
    cached = session.info.get(_TIP_CACHE)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    if session.get_bind().dialect.name == "postgresql":
        # SQLite's writer lock keeps the tip still; on a server, two sessions could
        # read the same tip and both append "the next" entry. Held to commit.
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK})
    row = session.execute(
        select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    return (row[0], row[1]) if row else (0, "")


def append_audit(
    session: Session,
    *,
    at: datetime,
    device: str,
    actor_id: int | None,
    actor_name: str,
    action: str,
    entity: str = "",
    entity_uuid: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add the next entry of the chain in this (write) transaction. The writer holds
    the database's write lock, so the tip cannot move underneath it."""
    last_id, last_hash = _tip(session)
    fields = dict(
        id=last_id + 1,
        at=at.astimezone(UTC),
        device=device,
        actor_id=actor_id,
        actor_name=actor_name,
        action=action,
        entity=entity,
        entity_uuid=entity_uuid,
        detail=detail or {},
        prev_hash=last_hash,
    )
    entry = AuditEntry(**fields, hash=entry_digest(**fields))  # type: ignore[arg-type]
    session.add(entry)
    session.info[_TIP_CACHE] = (entry.id, entry.hash)
    session.merge(Setting(key=TIP_KEY, value=f"{entry.id}:{entry.hash}"))
    return entry


@dataclass
class AuditVerdict:
    entries: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _rows(session: Session, batch: int = 5000) -> Iterator[AuditEntry]:
    after = 0
    while True:
        chunk = list(
            session.scalars(
                select(AuditEntry).where(AuditEntry.id > after).order_by(AuditEntry.id).limit(batch)
            )
        )
        if not chunk:
            return
        yield from chunk
        after = chunk[-1].id
        session.expunge_all()


def verify_audit(session: Session) -> AuditVerdict:
    """Walk the whole chain and say which entries were edited or removed."""
    verdict = AuditVerdict()
    prev_id, prev_hash = 0, ""
    for row in _rows(session):
        verdict.entries += 1
        if row.id != prev_id + 1 or row.prev_hash != prev_hash:
            if row.id > prev_id + 1:
                gone = (
                    f"第 {prev_id + 1} 条"
                    if row.id == prev_id + 2
                    else f"第 {prev_id + 1} 至 {row.id - 1} 条"
                )
                verdict.problems.append(f"{gone}审计记录被删除(第 {row.id} 条前面的记录不见了)")
            else:
                verdict.problems.append(f"第 {row.id} 条审计记录与前一条接不上(前一条被改动)")
        digest = entry_digest(
            id=row.id,
            at=row.at,
            device=row.device,
            actor_id=row.actor_id,
            actor_name=row.actor_name,
            action=row.action,
            entity=row.entity,
            entity_uuid=row.entity_uuid,
            detail=row.detail,
            prev_hash=row.prev_hash,
        )
        if digest != row.hash:
            verdict.problems.append(
                f"第 {row.id} 条审计记录被改动({row.at:%Y-%m-%d %H:%M} {row.actor_name} {row.action})"
            )
        prev_id, prev_hash = row.id, row.hash
    tip = session.get(Setting, TIP_KEY)
    if tip is not None:
        tip_id_text, _, tip_hash = tip.value.partition(":")
        tip_id = int(tip_id_text) if tip_id_text.isdigit() else -1
        if tip_id > prev_id:
            gone = (
                f"第 {tip_id} 条" if tip_id == prev_id + 1 else f"第 {prev_id + 1} 至 {tip_id} 条"
            )
            verdict.problems.append(f"最后的{gone}审计记录被删除")
        elif tip_id != prev_id or tip_hash != prev_hash:
            verdict.problems.append("审计记录的末尾与记录的校验值不符(末尾的记录被改动)")
    elif verdict.entries:
        verdict.problems.append("缺少审计记录的校验值(audit.tip),无法确认末尾是否完整")
    return verdict
