"""A laptop's audit trail, anchored at the sub-district (issue 15).

Whoever holds a laptop's database key can rewrite its audit log and recompute the
whole hash chain: on the laptop alone that cannot be seen. So every grid package
carries the laptop's audit entries since its last export, with the chain's tip, under
the package's signature. The sub-district keeps every entry it receives, append-only
(`device_audit_entry`), and the newest one per device (`Device.audit_tip_*`). A later
package must extend that tip: entries the sub-district already holds must come back
unchanged, and the first new one must link to the tip. If not, history that had
already left the laptop was rewritten or cut off (or the laptop was put back to an
older backup): the package is refused and the device flagged for supervisors.

What this cannot see: changes made and hidden on the laptop before its next export.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from gridvisit.core.errors import PackageSecurityError
from gridvisit.exchange.package import Package
from gridvisit.exchange.records import chunks
from gridvisit.storage.audit import entry_digest
from gridvisit.storage.models import Device, DeviceAuditEntry

_TEXT = {
    "device": 36,
    "actor_name": 64,
    "action": 48,
    "entity": 32,
    "entity_uuid": 36,
    "prev_hash": 64,
    "hash": 64,
}
FULL_EXPORT_HINT = (
    "请在那台网格电脑上做一次完整导出(gridvisit export --full,或导出时选“全部数据”)再合并。"
)


class AuditGap(PackageSecurityError):
    """The package's entries do not reach back to what the sub-district holds (a
    package missing in between, or a first package without the whole trail)."""


class AuditRewritten(PackageSecurityError):
    """The laptop's chain no longer extends what it sent before: the device is flagged."""


def _entry(raw: Any, n: int) -> dict[str, Any]:
    where = f"第 {n} 条操作日志"
    if not isinstance(raw, dict):
        raise ValueError(f"{where}不是记录")
    out: dict[str, Any] = {}
    for name, limit in _TEXT.items():
        value = raw.get(name)
        if type(value) is not str or len(value) > limit:
            raise ValueError(f"{where}的字段“{name}”不对")
        out[name] = value
    for name in ("id", "actor_id"):
        value = raw.get(name)
        if not (type(value) is int or (name == "actor_id" and value is None)):
            raise ValueError(f"{where}的字段“{name}”不对")
        out[name] = value
    if type(raw.get("detail")) is not dict:
        raise ValueError(f"{where}的字段“detail”不对")
    out["detail"] = raw["detail"]
    text = raw.get("at")
    try:
        if not isinstance(text, str):
            raise TypeError
        at = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise ValueError(f"{where}的时间不对") from None
    if at.tzinfo is None:
        raise ValueError(f"{where}的时间缺少时区")
    out["at"] = at
    return out


def _note(package: Package) -> tuple[int, int, str]:
    note = package.manifest.audit or {}
    first, tip, tip_hash = note.get("first"), note.get("tip"), note.get("tip_hash")
    if type(first) is not int or type(tip) is not int or type(tip_hash) is not str:
        raise ValueError("清单中的操作日志信息不完整")
    if first < 1 or tip < first - 1 or len(tip_hash) > 64:
        raise ValueError("清单中的操作日志范围不对")
    return first, tip, tip_hash


def anchor(s: Session, device: Device, package: Package, now: datetime) -> int:
    """Check the package's audit entries against what this database holds for the
    device and store the new ones; returns how many were new. Raises AuditGap or
    AuditRewritten (the caller flags the device) and changes nothing then."""
    who = f"电脑“{device.name or device.device_id[:8]}”"
    held, held_hash = device.audit_tip_id, device.audit_tip_hash
    if package.manifest.audit is None:
        if held:
            raise AuditGap(
                f"{who}以前的数据包都带有它的操作日志,这个数据包却没有(旧版程序导出,或被改造过),"
                "不予接收。",
                hint="请在那台电脑上用当前版本的 gridvisit 重新导出。本次未写入任何数据。",
            )
        return 0  # a package from before audit trails travelled, and none is held yet
    try:
        first, tip, tip_hash = _note(package)
        entries = [_entry(raw, n) for n, raw in enumerate(package.audit, 1)]
    except ValueError as exc:
        raise AuditRewritten(
            f"数据包“{package.name}”中{who}的操作日志格式不对({exc})。",
            hint="本次未写入任何数据。请核实那台电脑,必要时吊销它。",
        ) from None
    _check_chain(who, entries, first, tip, tip_hash)
    if not held and first != 1:
        raise AuditGap(
            f"{who}的第一个数据包须带上它全部的操作日志(这个数据包从第 {first} 条开始)。",
            hint=FULL_EXPORT_HINT,
        )
    if first > held + 1:
        raise AuditGap(
            f"{who}的操作日志缺了第 {held + 1} 至 {first - 1} 条:它之前导出的数据包可能还没有合并。",
            hint="请先合并那台电脑之前导出的数据包;如已丢失," + FULL_EXPORT_HINT,
        )
    # Entries held already must come back unchanged; the first new one links to the tip.
    overlap = [e for e in entries if e["id"] <= held]
    stored = _stored_hashes(s, device.device_id, [e["id"] for e in overlap])
    for e in overlap:
        if stored.get(e["id"]) != e["hash"]:
            raise _rewritten(who, f"第 {e['id']} 条与街道已保存的不同")
    if (
        not entries
        and 0 < tip <= held
        and _stored_hashes(s, device.device_id, [tip]).get(tip) != tip_hash
    ):
        raise _rewritten(who, f"末尾的第 {tip} 条与街道已保存的不同")
    new = [e for e in entries if e["id"] > held]
    if new and new[0]["prev_hash"] != held_hash:
        raise _rewritten(who, f"第 {new[0]['id']} 条接不上街道已保存的第 {held} 条")
    for batch in chunks(new, 2000):
        s.execute(
            insert(DeviceAuditEntry),
            [
                {
                    **{k: e[k] for k in ("actor_id", "at", "detail", *_TEXT)},
                    "device_id": device.device_id,
                    "entry_id": e["id"],
                    "received_at": now,
                    "package_sha256": package.sha256,
                }
                for e in batch
            ],
        )
    if new:
        device.audit_tip_id, device.audit_tip_hash = new[-1]["id"], new[-1]["hash"]
    return len(new)


def _check_chain(
    who: str, entries: list[dict[str, Any]], first: int, tip: int, tip_hash: str
) -> None:
    """The entries as sent: numbered first..tip without a gap, each hash right and
    linked to the one before (a package carries a piece of one chain)."""
    if [e["id"] for e in entries] != list(range(first, tip + 1)):
        raise AuditRewritten(
            f"{who}数据包中的操作日志编号不连续(应为第 {first} 至 {tip} 条)。",
            hint="本次未写入任何数据。请核实那台电脑,必要时吊销它。",
        )
    prev = None
    for e in entries:
        fields = {k: e[k] for k in ("id", "at", "actor_id", "detail", *_TEXT) if k != "hash"}
        if entry_digest(**fields) != e["hash"]:
            raise _rewritten(who, f"第 {e['id']} 条的校验值不符")
        if prev is not None and e["prev_hash"] != prev:
            raise _rewritten(who, f"第 {e['id']} 条与前一条接不上")
        prev = e["hash"]
    if entries and entries[-1]["hash"] != tip_hash:
        raise _rewritten(who, "末尾与清单中记的不符")


def _rewritten(who: str, what: str) -> AuditRewritten:
    return AuditRewritten(
        f"{who}的操作日志被改写或截断:{what}。已经交到街道的历史不能再改,这个数据包不予接收,"
        "并已标记这台电脑,请主管核实。",
        hint="街道保存的原始记录可用 gridvisit audit list --device 查看。"
        "若那台电脑是从旧备份恢复的,请在它上面运行 keys new-identity 后重新登记。",
    )


def _stored_hashes(s: Session, device_id: str, ids: list[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for batch in chunks(ids):
        out.update(
            s.execute(
                select(DeviceAuditEntry.entry_id, DeviceAuditEntry.hash).where(
                    DeviceAuditEntry.device_id == device_id, DeviceAuditEntry.entry_id.in_(batch)
                )
            ).all()
        )
    return out
