"""Reading the audit log (supervisors) and writing entries that are not data changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select

from gridvisit.core.access import Action, guarded
from gridvisit.core.clock import local_midnight, to_local
from gridvisit.core.services.context import ServiceContext
from gridvisit.storage.audit import AuditVerdict, verify_audit
from gridvisit.storage.models import AuditEntry, Device, DeviceAuditEntry

ACTION_LABELS = {
    "user.login": "登录",
    "user.create": "添加用户",
    "user.password": "修改密码",
    "user.deactivate": "停用用户",
    "user.first_admin": "设置首位管理员",
    "resident.reveal": "查看完整号码",
    "ledger.export_unmasked": "导出不打码台账",
    "report.full_names": "打印完整姓名",
    "package.export": "导出数据包",
    "package.merge": "合并数据包",
    "package.export_return": "导出回传包",
    "keys.create": "生成密钥",
    "keys.trust_subdistrict": "导入街道公钥",
    "keys.register_device": "登记电脑",
    "roster.import": "导入花名册",
    "demo.generate": "生成演示数据",
    "backup.create": "手动备份",
    "backup.restore": "从备份恢复",
    "backup.policy": "修改备份保留份数",
}
# Issue 15: trust of the exchange.
ACTION_LABELS.update(
    {
        "package.refused": "拒收数据包",
        "device.audit_flagged": "标记操作日志异常的电脑",
        "keys.new_key": "更换本机密钥",
        "keys.new_identity": "生成本机新身份",
        "keys.confirm_device": "确认本机身份",
        "keys.revoke_device": "吊销电脑",
        "keys.device_area": "修改电脑负责范围",
    }
)
ENTITY_LABELS = {
    "community": "社区",
    "grid": "网格",
    "building_group": "楼栋党小组",
    "household": "住户",
    "resident": "居民",
    "visit": "走访",
    "problem": "问题",
    "app_user": "用户",
}
_VERBS = {
    "add": "新增",
    "register": "登记",
    "update": "修改",
    "move": "移动",
    "delete": "删除",
    "archive": "归档",
    "rename": "改名",
    "remove": "移除",
}


def action_label(action: str) -> str:
    if action in ACTION_LABELS:
        return ACTION_LABELS[action]
    entity, _, verb = action.partition(".")
    label = ENTITY_LABELS.get(entity, entity)
    return f"{_VERBS.get(verb, verb)}{label}" if verb else label


@dataclass(frozen=True)
class AuditLine:
    id: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_uuid: str
    detail: dict[str, Any]

    @property
    def at_local(self) -> datetime:
        return to_local(self.at)

    @property
    def action_label(self) -> str:
        return action_label(self.action)

    @property
    def what(self) -> str:
        parts = [ENTITY_LABELS.get(self.entity, self.entity)] if self.entity else []
        parts += [f"{k}={v}" for k, v in self.detail.items()]
        return " ".join(parts)


@dataclass(frozen=True)
class AuditFilter:
    date_from: date | None = None
    date_to: date | None = None
    actor: str = ""
    text: str = ""
    device: str = ""  # a registered laptop's id: its trail as its packages brought it


class AuditService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    @guarded(Action.VIEW_AUDIT)
    def entries(self, flt: AuditFilter | None = None, *, limit: int = 5000) -> list[AuditLine]:
        flt = flt or AuditFilter()
        model: Any = DeviceAuditEntry if flt.device else AuditEntry
        number = model.entry_id if flt.device else model.id
        q = select(model).order_by(number.desc()).limit(limit)
        if flt.device:
            q = q.where(model.device_id == flt.device)
        if flt.date_from:
            q = q.where(model.at >= local_midnight(flt.date_from))
        if flt.date_to:
            q = q.where(model.at < local_midnight(flt.date_to + timedelta(days=1)))
        if flt.actor:
            q = q.where(model.actor_name == flt.actor)
        if flt.text:
            like = f"%{flt.text}%"
            codes = [code for code in _codes() if flt.text in action_label(code)]
            q = q.where(
                or_(
                    model.action.like(like),
                    model.action.in_(codes),
                    model.entity_uuid.like(like),
                )
            )
        with self.ctx.read() as s:
            return [
                AuditLine(
                    e.entry_id if flt.device else e.id,
                    e.at,
                    e.actor_name,
                    e.action,
                    e.entity,
                    e.entity_uuid,
                    e.detail,
                )
                for e in s.scalars(q)
            ]

    @guarded(Action.VIEW_AUDIT)
    def actors(self, device: str = "") -> list[str]:
        with self.ctx.read() as s:
            if device:
                q = select(DeviceAuditEntry.actor_name).where(DeviceAuditEntry.device_id == device)
                return sorted(s.scalars(q.distinct()))
            return sorted(s.scalars(select(AuditEntry.actor_name).distinct()))

    @guarded(Action.VIEW_AUDIT)
    def devices(self) -> list[tuple[str, str]]:
        """Laptops whose trail this database holds: (device id, "name (id)")."""
        with self.ctx.read() as s:
            return [
                (d, f"{n or '未命名'}({d[:8]})")
                for d, n in s.execute(
                    select(Device.device_id, Device.name).order_by(Device.name, Device.device_id)
                )
            ]

    @guarded(Action.VIEW_AUDIT)
    def verify(self, device: str = "") -> AuditVerdict:
        """This database's chain, or a laptop's trail as the sub-district holds it."""
        with self.ctx.read() as s:
            if device:
                from gridvisit.storage.trail import verify_trail

                return verify_trail(s, device)
            return verify_audit(s)

    @guarded(Action.READ)
    def record(self, action: str, **detail: Any) -> None:
        """An entry for something that reads or sends data rather than changing it."""
        self.ctx.record(action, **detail)


def _codes() -> list[str]:
    known = list(ACTION_LABELS)
    for entity in ENTITY_LABELS:
        known += [f"{entity}.{verb}" for verb in _VERBS]
    return known
