"""Checking a laptop's audit trail as the sub-district holds it (exchange/anchor.py)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridvisit.storage.audit import AuditVerdict, row_digest
from gridvisit.storage.models import Device, DeviceAuditEntry


def verify_trail(session: Session, device_id: str, batch: int = 5000) -> AuditVerdict:
    """Walk the stored trail of one device: numbered from 1 without a gap, each hash
    right and linked, the last one the remembered tip."""
    verdict = AuditVerdict()
    prev_id, prev_hash = 0, ""
    while True:
        rows = list(
            session.scalars(
                select(DeviceAuditEntry)
                .where(DeviceAuditEntry.device_id == device_id)
                .where(DeviceAuditEntry.entry_id > prev_id)
                .order_by(DeviceAuditEntry.entry_id)
                .limit(batch)
            )
        )
        if not rows:
            break
        for row in rows:
            verdict.entries += 1
            if row.entry_id != prev_id + 1 or row.prev_hash != prev_hash:
                verdict.problems.append(f"第 {row.entry_id} 条与前一条接不上")
            if row_digest(row, row.entry_id) != row.hash:
                verdict.problems.append(f"第 {row.entry_id} 条的校验值不符(被改动过)")
            prev_id, prev_hash = row.entry_id, row.hash
        session.expunge_all()
    device = session.get(Device, device_id)
    if device is not None and (device.audit_tip_id, device.audit_tip_hash) != (prev_id, prev_hash):
        verdict.problems.append("保存的记录与记下的末尾不符(末尾的记录被删除或改动)")
    if device is not None and device.flagged_at is not None:
        verdict.problems.append(f"这台电脑已被标记:{device.flag_reason}")
    return verdict
