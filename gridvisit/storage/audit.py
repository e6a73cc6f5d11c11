"""The audit log: append-only and hash-chained.

Each entry carries the SHA-256 of its own content and of the entry before it, and the
newest id and hash are also kept in the `audit.tip` setting. Editing an entry breaks
its hash; deleting one breaks the chain; deleting the newest ones leaves the tip
pointing past the end. Triggers refuse UPDATE and DELETE on the table, so only a
deliberate edit outside the app (the sqlite3 tool, with the triggers dropped) gets
that far, and `verify_audit` then names the entry. Someone who can rewrite the whole
file can also recompute the chain: on an encrypted database they would need the key.

Before the first entry of a transaction is appended, the tip is compared with the
last row: appending after a deleted tail would overwrite the tip and hide the
deletion. On a mismatch nothing is appended (AuditTailError) until an administrator
settles it with `accept_tail`, whose entry records the gap for good.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from gridvisit.core.errors import AuditTailError
from gridvisit.storage.models import AuditEntry, Setting

TIP_KEY = "audit.tip"
_TIP_CACHE = "audit_tip"
ACCEPTED = "audit.tail_accepted"


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


def row_digest(row: Any, entry_id: int) -> str:
    """`entry_digest` of a stored entry: this database's own rows, or a laptop's trail
    as the sub-district keeps it (whose own id column is not the entry's)."""
    return entry_digest(
        id=entry_id,
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


@dataclass(frozen=True)
class Tail:
    """The last row and the tip setting, read in one statement (one snapshot, also
    while another server connection appends)."""

    last_id: int
    last_hash: str
    tip: str | None  # "id:hash", None when never set

    @property
    def tip_id(self) -> int:
        text = (self.tip or "").partition(":")[0]
        return int(text) if text.isdigit() and len(text) < 19 else -1

    @property
    def problem(self) -> str | None:
        """What is wrong with the tail, in Chinese, or None when it is whole."""
        if self.tip is None:
            return None if self.last_id == 0 else "缺少末尾的校验值(audit.tip)"
        if self.tip == f"{self.last_id}:{self.last_hash}":
            return None
        if self.tip_id > self.last_id:
            return f"最后的{_range(self.last_id + 1, self.tip_id)}审计记录被删除"
        return "末尾的审计记录与校验值不符(被改动过)"


def _range(first: int, last: int) -> str:
    return f"第 {first} 条" if first == last else f"第 {first} 至 {last} 条"


def read_tail(session: Session) -> Tail:
    last_id = select(func.max(AuditEntry.id)).scalar_subquery()
    last_hash = select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1).scalar_subquery()
    tip = select(Setting.value).where(Setting.key == TIP_KEY).scalar_subquery()
    row = session.execute(select(last_id, last_hash, tip)).one()
    return Tail(row[0] or 0, row[1] or "", row[2])


def tail_refused(problem: str) -> AuditTailError:
    return AuditTailError(
        f"操作日志的末尾被删改过({problem})。为保留证据,程序暂停保存任何改动。",
        hint="已保存的数据没有受影响,可以照常查看。请管理员运行 gridvisit audit verify "
        "--db 数据库文件 查看详情,核实后运行 gridvisit audit accept-tail --db 数据库文件 "
        "确认;确认后即可继续保存(这次删改会一直留在操作日志里)。",
    )


# pg_advisory_xact_lock key of audit appends ("gvaudit" in ASCII).
AUDIT_LOCK = 0x67766175646974


def _tip(session: Session) -> tuple[int, str]:
    cached: tuple[int, str] | None = session.info.get(_TIP_CACHE)
    if cached is not None:
        return cached
    if session.get_bind().dialect.name == "postgresql":
        # SQLite's writer lock keeps the tip still; on a server, two sessions could
        # read the same tip and both append "the next" entry. Held to commit.
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK})
    tail = read_tail(session)
    problem = tail.problem
    if problem is not None:
        raise tail_refused(problem)
    return tail.last_id, tail.last_hash


def _add(session: Session, id: int, prev_hash: str, **fields: Any) -> AuditEntry:
    fields.update(id=id, prev_hash=prev_hash)
    fields["at"] = fields["at"].astimezone(UTC)
    fields["detail"] = fields.get("detail") or {}
    entry = AuditEntry(**fields, hash=entry_digest(**fields))
    session.add(entry)
    session.info[_TIP_CACHE] = (entry.id, entry.hash)
    session.merge(Setting(key=TIP_KEY, value=f"{entry.id}:{entry.hash}"))
    return entry


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
    the database's write lock, so the tip cannot move underneath it. Refused, with
    nothing added, when the tail was deleted or changed (AuditTailError)."""
    last_id, last_hash = _tip(session)
    return _add(
        session,
        last_id + 1,
        last_hash,
        at=at,
        device=device,
        actor_id=actor_id,
        actor_name=actor_name,
        action=action,
        entity=entity,
        entity_uuid=entity_uuid,
        detail=detail,
    )


def accept_tail(
    session: Session, *, at: datetime, device: str, actor_id: int | None, actor_name: str
) -> str | None:
    """An administrator has seen a broken tail: append an entry that records what was
    wrong (the missing ids, the tip that was expected), chained to the real last row,
    so appending can go on and `verify_audit` keeps reporting the gap as settled.
    Returns what was settled, or None if the tail was whole."""
    tail = read_tail(session)
    problem = tail.problem
    if problem is None:
        return None
    detail: dict[str, Any] = {"problem": problem, "expected_tip": tail.tip or ""}
    if tail.tip_id > tail.last_id:
        detail.update(missing_from=tail.last_id + 1, missing_to=tail.tip_id)
    _add(
        session,
        max(tail.last_id, tail.tip_id) + 1,  # ids of deleted entries are never reused
        tail.last_hash,
        at=at,
        device=device,
        actor_id=actor_id,
        actor_name=actor_name,
        action=ACCEPTED,
        entity="",
        entity_uuid="",
        detail=detail,
    )
    return problem


@dataclass
class AuditVerdict:
    entries: int = 0
    problems: list[str] = field(default_factory=list)
    # Damage an administrator has already seen and settled (accept_tail): reported,
    # but no longer a finding.
    settled: list[str] = field(default_factory=list)

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
        if row.action == ACCEPTED and row.prev_hash == prev_hash and _settles(row, prev_id):
            who = f"已由 {row.actor_name} 于 {row.at:%Y-%m-%d %H:%M} 确认"
            gone = (
                f"{_range(prev_id + 1, row.id - 1)}审计记录被删除"
                if row.id > prev_id + 1
                else str(row.detail.get("problem", "末尾的审计记录与校验值不符"))
            )
            verdict.settled.append(f"{gone}({who})")
        elif row.id != prev_id + 1 or row.prev_hash != prev_hash:
            if row.id > prev_id + 1:
                gone = (
                    f"第 {prev_id + 1} 条"
                    if row.id == prev_id + 2
                    else f"第 {prev_id + 1} 至 {row.id - 1} 条"
                )
                verdict.problems.append(f"{gone}审计记录被删除(第 {row.id} 条前面的记录不见了)")
            else:
                verdict.problems.append(f"第 {row.id} 条审计记录与前一条接不上(前一条被改动)")
        if row_digest(row, row.id) != row.hash:
            verdict.problems.append(
                f"第 {row.id} 条审计记录被改动({row.at:%Y-%m-%d %H:%M} {row.actor_name} {row.action})"
            )
        prev_id, prev_hash = row.id, row.hash
    tip = session.get(Setting, TIP_KEY)
    if tip is not None:
        tip_id_text, _, tip_hash = tip.value.partition(":")
        tip_id = int(tip_id_text) if tip_id_text.isdigit() and len(tip_id_text) < 19 else -1
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


def _settles(row: AuditEntry, prev_id: int) -> bool:
    """An acceptance entry that names exactly the gap before it (or, with no gap, a
    changed tail)."""
    detail = row.detail if isinstance(row.detail, dict) else {}
    if row.id == prev_id + 1:
        return "missing_from" not in detail
    return detail.get("missing_from") == prev_id + 1 and detail.get("missing_to") == row.id - 1
