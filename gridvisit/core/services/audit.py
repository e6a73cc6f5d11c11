"""Reading the audit log (supervisors) and writing entries that are not data changes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from gridvisit.core.access import Action, guarded
from gridvisit.core.clock import local_midnight, to_local
from gridvisit.core.enums import (
    EventKind,
    HandlingLevel,
    ProblemStatus,
    Role,
    VisitMethod,
    VisitPurpose,
)
from gridvisit.core.masking import mask_name
from gridvisit.core.records import format_address
from gridvisit.core.services.context import ServiceContext
from gridvisit.storage.audit import AuditVerdict, accept_tail, verify_audit
from gridvisit.storage.models import (
    AuditEntry,
    BuildingGroup,
    Community,
    Device,
    DeviceAuditEntry,
    Grid,
    Household,
    Problem,
    ProblemCategory,
    Resident,
    User,
    Visit,
)

ACTION_LABELS = {
    "user.login": "登录",
    "user.create": "添加用户",
    "user.password": "修改密码",
    "user.deactivate": "停用用户",
    "user.reactivate": "重新启用用户",
    "user.update": "修改用户",
    "user.import": "批量添加用户",
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
    "audit.tail_accepted": "确认操作日志末尾被删改",
    "backup.wipe_leftovers": "删除未加密的残留备份",
    "visit.record": "登记走访",
    "visit.update": "更正走访",
    "visit.delete": "删除走访",
    "household.register": "登记住户",
    "household.assign_centre": "指定联系的党员中心户",
    "household.party_centre": "设置党员中心户",
    "resident.move": "居民换户",
    "problem.create": "登记问题",
    "ledger.export": "导出台账",
    "review.resolve_conflict": "处理合并冲突",
    "review.resolve_duplicate": "判定可能重复的记录",
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
# Issue 19: the statistics' targets.
ACTION_LABELS["stats.targets"] = "修改统计指标目标值"
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
    label = ENTITY_LABELS.get(entity, "")
    if entity == "problem" and verb in _EVENT_KINDS:
        return f"问题{EventKind(verb).label}"
    if verb in _VERBS:
        return f"{_VERBS[verb]}{label}"
    return f"{label}操作" if label else "其他操作"  # never a raw code


_EVENT_KINDS = {k.value for k in EventKind}

# What each detail key means, in the words of the log's readers.
DETAIL_LABELS = {
    "household": "住户", "from_household": "原住户", "to_household": "新住户",
    "method": "方式", "problems": "问题数", "from_status": "原状态", "to_status": "新状态",
    "level": "办理层级", "category": "类别", "fields": "修改", "file": "文件",
    "folder": "文件夹", "name": "名称", "old": "原名称", "new": "新名称", "address": "地址",
    "residents": "居民数", "households": "住户数", "from_group": "原楼栋党小组",
    "to_group": "新楼栋党小组", "from_grid": "原网格", "to_grid": "新网格",
    "from_community": "原社区", "to_community": "新社区", "grid": "网格", "device": "电脑",
    "centre": "党员中心户", "value": "设置", "field": "号码", "username": "用户名",
    "role": "角色", "by": "操作人", "fingerprint": "指纹", "week": "周次", "kind": "台账",
    "rows": "行数", "daily": "每日保留", "weekly": "每周保留", "encrypted": "加密",
    "inserted": "新增", "updated": "更新", "unchanged": "未变", "conflicts": "冲突",
    "duplicates": "疑似重复", "size": "大小", "visited_at": "走访时间", "notes": "走访情况",
    "purpose": "目的", "building": "楼栋", "unit": "单元", "room": "室", "phone": "电话",
    "tier_code": "走访等级", "is_party_centre": "党员中心户", "seed": "随机种子",
    "end": "截止日期", "weeks": "周数", "scope": "范围", "packages": "数据包数",
    "full": "全部数据", "scope_name": "范围", "households_added": "新增住户",
    "households_updated": "更新住户", "residents_added": "新增居民",
    "residents_updated": "更新居民",
}  # fmt: skip
FIELD_LABELS = {
    "name": "姓名", "gender": "性别", "id_number": "身份证号", "birth_date": "出生日期",
    "phone": "电话", "relation": "与户主关系", "is_head": "户主", "is_party_member": "党员",
    "notes": "备注", "special_groups": "重点人群", "building": "楼栋", "unit": "单元",
    "room": "室", "tier_code": "走访等级", "visited_at": "走访时间", "method": "方式",
    "purpose": "目的", "worker_id": "网格员", "present_resident_uuids": "在场居民",
}  # fmt: skip
_ENUM_VALUES: dict[str, type] = {
    "method": VisitMethod,
    "purpose": VisitPurpose,
    "from_status": ProblemStatus,
    "to_status": ProblemStatus,
    "level": HandlingLevel,
    "role": Role,
}
_BY = {"self": "本人", "admin": "管理员"}
# Detail keys whose value is a record's UUID or id, and the table it is in.
_UUID_REFS = {"household": "household", "from_household": "household", "to_household": "household"}
_ID_REFS = {
    "from_group": "building_group", "to_group": "building_group", "from_grid": "grid",
    "to_grid": "grid", "grid": "grid", "from_community": "community",
    "to_community": "community", "centre": "household",
}  # fmt: skip


@dataclass(frozen=True)
class AuditLine:
    id: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_uuid: str
    detail: dict[str, Any]
    # Labels of the records the entry names (by UUID, or "table:id"), worked out when read.
    names: dict[str, str] = field(default_factory=dict)

    @property
    def at_local(self) -> datetime:
        return to_local(self.at)

    @property
    def action_label(self) -> str:
        return action_label(self.action)

    @property
    def what(self) -> str:
        """In words: the record, then each detail as 标签:值; no codes, keys or UUIDs."""
        parts = []
        if self.entity:
            label = ENTITY_LABELS.get(self.entity, "记录")
            name = self.names.get(self.entity_uuid, "")
            parts.append(f"{label} {name}".strip())
        for key, value in self.detail.items():
            if key in ("household", "from_household", "to_household") and value == "":
                continue
            parts.append(f"{DETAIL_LABELS.get(key, '其他')}:{self._value(key, value)}")
        return ",".join(parts)

    def _value(self, key: str, value: Any) -> str:
        if key in _UUID_REFS:
            return self.names.get(str(value), "(已删除)")
        if key in _ID_REFS:
            return self.names.get(f"{_ID_REFS[key]}:{value}", "(已删除)")
        if key in _ENUM_VALUES:
            try:
                return str(_ENUM_VALUES[key](value).label)
            except ValueError:
                return str(value)
        if key == "category":
            return self.names.get(f"category:{value}", str(value))
        if key in ("fields", "field"):
            items = value if isinstance(value, list) else [value]
            return "、".join(FIELD_LABELS.get(str(v), "其他") for v in items)
        if key == "by":
            return _BY.get(str(value), str(value))
        if key == "kind":
            return _LEDGER_KINDS.get(str(value), str(value))
        if key == "device":
            return self.names.get(f"device:{value}", "未登记的电脑")
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(value, list):
            return "、".join(str(v) for v in value)
        return str(value)


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
            entries = list(s.scalars(q))
            names = _names(s, entries, local_ids=not flt.device)
            return [
                AuditLine(
                    e.entry_id if flt.device else e.id,
                    e.at,
                    e.actor_name,
                    e.action,
                    e.entity,
                    e.entity_uuid,
                    e.detail,
                    names,
                )
                for e in entries
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

    @guarded(Action.VIEW_AUDIT)
    def accept_tail(self) -> str | None:
        """A supervisor has seen that the newest entries were deleted or changed: record
        that (the gap stays in the log for good) so that saving can go on. Returns
        what was settled, or None when the tail was whole."""
        ctx = self.ctx
        with ctx.write() as s:
            return accept_tail(
                s,
                at=ctx.now(),
                device=ctx.db.device_id,
                actor_id=ctx.actor.user_id,
                actor_name=ctx.actor.username,
            )

    @guarded(Action.READ)
    def record(self, action: str, **detail: Any) -> None:
        """An entry for something that reads or sends data rather than changing it."""
        self.ctx.record(action, **detail)


_LEDGER_KINDS = {"households": "住户台账", "visits": "走访台账", "problems": "问题台账"}


def _names(s: Session, entries: list[Any], *, local_ids: bool = True) -> dict[str, str]:
    """A label for every record the entries name: households by grid and address,
    residents by masked name, visits by address and day, problems by category and day.
    A laptop's trail (`local_ids` off) names records by UUID only: its integer ids are
    that laptop's own and would name other records here."""
    uuids: dict[str, set[str]] = defaultdict(set)
    ids: dict[str, set[int]] = defaultdict(set)
    for e in entries:
        if e.entity and e.entity_uuid:
            uuids[e.entity].add(e.entity_uuid)
        for key, value in (e.detail or {}).items():
            if key in _UUID_REFS and isinstance(value, str) and value:
                uuids[_UUID_REFS[key]].add(value)
            elif local_ids and key in _ID_REFS and isinstance(value, int):
                ids[_ID_REFS[key]].add(value)
    out: dict[str, str] = {}

    def chunks(values: set[Any]) -> list[list[Any]]:
        items = sorted(values)
        return [items[i : i + 500] for i in range(0, len(items), 500)]

    grid_of = dict(
        s.execute(
            select(BuildingGroup.id, Grid.name).join(Grid, BuildingGroup.grid_id == Grid.id)
        ).all()
    )

    def house(gid: int, building: str, unit: str, room: str) -> str:
        return f"{grid_of.get(gid, '')} {format_address(building, unit, room)}".strip()

    house_cols = (Household.building_group_id, Household.building, Household.unit, Household.room)
    for part in chunks(uuids["household"]):
        for uid, gid, building, unit, room in s.execute(
            select(Household.uuid, *house_cols).where(Household.uuid.in_(part))
        ):
            out[uid] = house(gid, building, unit, room)
    for part in chunks(ids["household"]):
        for hid, gid, building, unit, room in s.execute(
            select(Household.id, *house_cols).where(Household.id.in_(part))
        ):
            out[f"household:{hid}"] = house(gid, building, unit, room)
    for part in chunks(uuids["resident"]):
        for uid, name in s.execute(
            select(Resident.uuid, Resident.name).where(Resident.uuid.in_(part))
        ):
            out[uid] = mask_name(name)
    for part in chunks(uuids["visit"]):
        visits = select(Visit.uuid, Visit.visited_at, *house_cols).join(
            Household, Visit.household_id == Household.id
        )
        for uid, at, gid, building, unit, room in s.execute(visits.where(Visit.uuid.in_(part))):
            out[uid] = f"{house(gid, building, unit, room)}({to_local(at):%Y-%m-%d})"
    categories = dict(s.execute(select(ProblemCategory.code, ProblemCategory.name)).all())
    for code, name in categories.items():
        out[f"category:{code}"] = name
    for part in chunks(uuids["problem"]):
        problems = select(Problem.uuid, Problem.category_code, Problem.reported_at)
        for uid, code, at in s.execute(problems.where(Problem.uuid.in_(part))):
            out[uid] = f"{categories.get(code, '')}({to_local(at):%Y-%m-%d})"
    for model, table in (
        (Grid, "grid"),
        (Community, "community"),
        (BuildingGroup, "building_group"),
    ):
        for part in chunks(uuids[table]):
            for uid, name in s.execute(select(model.uuid, model.name).where(model.uuid.in_(part))):
                out[uid] = name
        for part in chunks(ids[table]):
            for rid, name in s.execute(select(model.id, model.name).where(model.id.in_(part))):
                out[f"{table}:{rid}"] = name
    for device_id, name in s.execute(select(Device.device_id, Device.name)):
        out[f"device:{device_id}"] = name or "未命名的电脑"
    for part in chunks(uuids["app_user"]):
        users = select(User.uuid, User.display_name, User.username).where(User.uuid.in_(part))
        for uid, display, username in s.execute(users):
            out[uid] = display or username
    return out


def _codes() -> list[str]:
    known = list(ACTION_LABELS)
    for entity in ENTITY_LABELS:
        known += [f"{entity}.{verb}" for verb in _VERBS]
    known += [f"problem.{kind}" for kind in _EVENT_KINDS]
    return known
