"""Who may do what: the role × action table, deny by default.

Two layers, both in the service layer so no front end can skip them:
- the role must hold the action (`guarded` on every public service method), and
- the record must lie in the actor's area (ServiceContext.get / narrow): a grid worker
  works in the grids assigned to them, a community admin in their communities, a
  sub-district admin everywhere.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from enum import StrEnum
from typing import Any, Protocol, TypeVar, cast

from gridvisit.core.enums import Role
from gridvisit.core.errors import PermissionDeniedError


class Action(StrEnum):
    READ = "read"  # households, residents, visits, problems, counts
    RECORD = "record"  # register and edit households and residents, visits, problems
    REVEAL = "reveal"  # show one full ID number or phone on purpose (audited)
    WEEKLY_REPORT = "weekly_report"
    EXPORT_PACKAGE = "export_package"
    EDIT_HIERARCHY = "edit_hierarchy"  # grids and building groups
    ADD_COMMUNITY = "add_community"
    MANAGE_USERS = "manage_users"
    VIEW_AUDIT = "view_audit"
    EXPORT_UNMASKED = "export_unmasked"  # ledgers and prints with full personal data
    # Households and residents of a roster, within the actor's area; hierarchy only as
    # far as the actor may build it (exchange.ledger.ImportArea).
    IMPORT_ROSTER = "import_roster"
    MERGE = "merge"
    EXPORT_RETURN = "export_return"
    MANAGE_DEVICES = "manage_devices"  # key pair, device registration
    # Restoring (which rolls back everything, the audit log too) and how many
    # automatic backups are kept. Backing up now is RECORD: anybody may.
    MANAGE_BACKUPS = "manage_backups"
    # 督办 (黄牌 / 红牌 / 加急) and approving or refusing an extension of a time limit.
    SUPERVISE = "supervise"
    # Entering a year's holiday schedule (holidays and 调休 working weekends).
    MANAGE_CALENDAR = "manage_calendar"
    # The statistics' targets (coverage >= 95 % ...) every office is measured against.
    MANAGE_TARGETS = "manage_targets"
    # Visit tiers: names, intervals and which special groups set them (sub-district).
    EDIT_TIERS = "edit_tiers"


ACTION_LABELS = {
    Action.READ: "查看住户和问题",
    Action.RECORD: "登记和修改走访数据",
    Action.REVEAL: "查看完整的身份证号和电话",
    Action.WEEKLY_REPORT: "生成每周问题清单",
    Action.EXPORT_PACKAGE: "导出数据包",
    Action.EDIT_HIERARCHY: "维护网格和楼栋党小组",
    Action.ADD_COMMUNITY: "新建或删除社区",
    Action.MANAGE_USERS: "管理用户",
    Action.VIEW_AUDIT: "查看操作日志",
    Action.EXPORT_UNMASKED: "导出不打码的个人信息",
    Action.IMPORT_ROSTER: "导入住户花名册",
    Action.MERGE: "合并网格数据包",
    Action.EXPORT_RETURN: "导出回传包",
    Action.MANAGE_DEVICES: "管理密钥和登记设备",
    Action.MANAGE_BACKUPS: "从备份恢复和设置备份保留份数",
    Action.SUPERVISE: "督办问题和审批延期申请",
    Action.MANAGE_CALENDAR: "录入节假日安排",
    Action.MANAGE_TARGETS: "设置统计指标的目标值",
    Action.EDIT_TIERS: "维护走访等级",
}

_WORKER = frozenset(
    {
        Action.READ,
        Action.RECORD,
        Action.REVEAL,
        Action.WEEKLY_REPORT,
        Action.EXPORT_PACKAGE,
        Action.IMPORT_ROSTER,
    }
)
_COMMUNITY = _WORKER | {
    Action.EDIT_HIERARCHY,
    Action.MANAGE_USERS,
    Action.VIEW_AUDIT,
    Action.EXPORT_UNMASKED,
    Action.MANAGE_BACKUPS,
    Action.SUPERVISE,
    Action.MANAGE_CALENDAR,
}
PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.GRID_WORKER: _WORKER,
    Role.COMMUNITY_ADMIN: _COMMUNITY,
    Role.SUBDISTRICT_ADMIN: frozenset(Action),
}


def node_action(kind: str) -> Action:
    """What changing a node of the hierarchy needs: a community itself (rename, delete,
    archive, moving a grid from one community to another) is the sub-district's; grids
    and building groups are within a community admin's reach."""
    return Action.ADD_COMMUNITY if kind == "community" else Action.EDIT_HIERARCHY


# Every command the window offers (its QAction's object name, `action_<name>`, and the
# tree's menu entries) and the action it needs. The menus, the toolbar and the context
# menus show a command only to a role that holds its action, so nobody is offered what
# the service would then refuse (tests/ui/test_role_menus.py checks each against the
# service method it calls).
COMMANDS: dict[str, Action] = {
    # File
    "weekly_report": Action.WEEKLY_REPORT,
    "statistics_report": Action.READ,  # setting the targets in it is MANAGE_TARGETS
    "export_package": Action.EXPORT_PACKAGE,
    # Return packages on a laptop (RECORD); grid packages are refused without MERGE.
    "merge_packages": Action.RECORD,
    "merge_review": Action.MERGE,
    "export_ledger": Action.READ,
    "import_roster": Action.IMPORT_ROSTER,
    "refresh": Action.READ,
    "backups": Action.READ,  # the list and a backup now; restoring is MANAGE_BACKUPS
    "calendar": Action.MANAGE_CALENDAR,
    "quit": Action.READ,
    # Edit
    "log_visit": Action.RECORD,
    "new_household": Action.RECORD,
    # View
    "page_households": Action.READ,
    "page_problems": Action.READ,
    "page_due": Action.READ,
    "page_buildings": Action.READ,
    "page_stats": Action.READ,
    # Settings (read-only for all but sub-district admins, who hold EDIT_TIERS and
    # MANAGE_TARGETS)
    "visit_tiers": Action.READ,
    "stats_targets": Action.READ,  # saving them is MANAGE_TARGETS
    # Account
    "change_password": Action.READ,
    "manage_users": Action.MANAGE_USERS,
    "audit_log": Action.VIEW_AUDIT,
    "key_guide": Action.EXPORT_PACKAGE,
    "export_key": Action.EXPORT_PACKAGE,
    "trust_subdistrict": Action.MANAGE_DEVICES,
    "registered_computers": Action.MANAGE_DEVICES,
    "identity": Action.MANAGE_DEVICES,
    # Help
    "user_guide": Action.READ,
    "about": Action.READ,
    # The tree's menu (right click, Edit → Hierarchy)
    "new_community": Action.ADD_COMMUNITY,
    "new_grid": Action.EDIT_HIERARCHY,
    "new_building_group": Action.EDIT_HIERARCHY,
    "move_grid": node_action("community"),  # it changes which community holds the grid
    "move_building_group": node_action("grid"),
    **{f"{op}_{kind}": node_action(kind) for op in ("rename", "delete", "archive")
       for kind in ("community", "grid", "building_group")},
}  # fmt: skip


def may_run(role: Role | str, command: str) -> bool:
    """Whether `role` is offered `command` (a KeyError for a command not in COMMANDS:
    every command is declared)."""
    return allowed(role, COMMANDS[command])


def allowed(role: Role | str, action: Action) -> bool:
    try:
        return action in PERMISSIONS.get(Role(role), frozenset())
    except ValueError:  # an unknown role holds nothing
        return False


def denied(role: Role | str, action: Action) -> PermissionDeniedError:
    try:
        who = Role(role).label
    except ValueError:
        who = str(role)
    return PermissionDeniedError(
        f"{who}没有“{ACTION_LABELS[action]}”的权限。",
        hint="如确需办理,请联系社区或街道管理员。",
    )


def out_of_area() -> PermissionDeniedError:
    return PermissionDeniedError(
        "这条记录不在您负责的网格或社区内,不能查看或修改。",
        hint="如需调整负责范围,请联系社区或街道管理员。",
    )


# What a check says of an ID number found outside the actor's area (a resident form, a
# roster import): never where, nor whose.
OUTSIDE_ID = "该身份证号已在您管辖范围以外登记,请联系社区或街道核实"


class _Checks(Protocol):
    def require(self, action: Action) -> None: ...


class _Service(Protocol):
    """What `guarded` needs of a service: its context, which checks the role."""

    @property
    def ctx(self) -> _Checks: ...


F = TypeVar("F", bound=Callable[..., object])


def guarded(action: Action) -> Callable[[F], F]:
    """Mark a service method with the action it performs; the role is checked first.
    A test walks every public service method and fails on one without a mark.
    Callers see the method's own signature (F)."""

    def mark(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(self: _Service, *args: Any, **kwargs: Any) -> object:
            self.ctx.require(action)
            return fn(self, *args, **kwargs)

        wrapper.__dict__["__action__"] = action
        # The wrapper forwards every argument and the result unchanged: it is an F.
        return cast(F, wrapper)

    return mark
