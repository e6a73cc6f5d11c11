"""Menus, the toolbar and the tree's context menus offer each role only what it may do
(issue 21, item 4), driven by one table: core.access.COMMANDS over PERMISSIONS.

Per role: every command QAction of the window is visible exactly when the role holds
the action COMMANDS names for it; the tree's menu on each kind of node holds only
allowed entries (a grid worker gets no menu at all: 新建社区 was once offered, then
refused); and each command's action is the one the service method it calls checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu
from sqlalchemy import select

from gridvisit.core.access import COMMANDS, PERMISSIONS, Action, may_run
from gridvisit.core.enums import Role
from gridvisit.core.errors import PermissionDeniedError
from gridvisit.core.records import Actor
from gridvisit.core.services import (
    AuditService,
    CalendarService,
    HierarchyService,
    HouseholdService,
    ServiceContext,
    Services,
    UserService,
    VisitService,
    WeeklyReportService,
)
from gridvisit.core.services.exchange import ExchangeService, KeyService
from gridvisit.core.services.stats import StatsService
from gridvisit.storage import Database
from gridvisit.storage.models import User
from gridvisit.ui.main_window import MainWindow

DEMO_USER = {
    Role.GRID_WORKER: "worker1",
    Role.COMMUNITY_ADMIN: "community1",
    Role.SUBDISTRICT_ADMIN: "admin",
}

# The service method each command calls: the command must need what the method checks.
CALLS: dict[str, Callable[..., Any]] = {
    "weekly_report": WeeklyReportService.build,
    "statistics_report": StatsService.report,
    "stats_targets": StatsService.targets,
    "export_package": ExchangeService.export_package,
    "merge_packages": ExchangeService.merge,
    "merge_review": ExchangeService.conflicts,
    "export_ledger": ExchangeService.export_ledger,
    "import_roster": ExchangeService.import_roster,
    "calendar": CalendarService.set_year,
    "log_visit": VisitService.record,
    "new_household": HouseholdService.register,
    "manage_users": UserService.rows,
    "audit_log": AuditService.entries,
    "export_key": KeyService.create,
    "key_guide": KeyService.create,
    "trust_subdistrict": KeyService.trust_subdistrict,
    "registered_computers": KeyService.register_device,
    "identity": KeyService.new_identity,
    "new_community": HierarchyService.add_community,
    "new_grid": HierarchyService.add_grid,
    "new_building_group": HierarchyService.add_building_group,
    "move_grid": HierarchyService.move_grid,
    "move_building_group": HierarchyService.move_building_group,
    "rename_grid": HierarchyService.rename,
    "delete_grid": HierarchyService.delete,
    "archive_grid": HierarchyService.archive,
}

# What each role is offered on each kind of node, written out by hand.
TREE_MENUS = {
    Role.GRID_WORKER: {"root": set(), "community": set(), "grid": set(), "building_group": set()},
    Role.COMMUNITY_ADMIN: {
        "root": set(),
        "community": {"new_grid"},
        "grid": {"new_building_group", "rename_grid", "delete_grid", "archive_grid"},
        "building_group": {
            "rename_building_group",
            "move_building_group",
            "delete_building_group",
            "archive_building_group",
        },
    },
    Role.SUBDISTRICT_ADMIN: {
        "root": {"new_community"},
        "community": {"new_grid", "rename_community", "delete_community", "archive_community"},
        "grid": {"new_building_group", "rename_grid", "move_grid", "delete_grid", "archive_grid"},
        "building_group": {
            "rename_building_group",
            "move_building_group",
            "delete_building_group",
            "archive_building_group",
        },
    },
}


def _services_as(db: Database, role: Role) -> Services:
    with db.read_session() as s:
        user = s.scalar(select(User).where(User.username == DEMO_USER[role]))
        assert user is not None and user.role == role.value
        actor = Actor(user.id, user.username, user.display_name, role)
    return Services(ServiceContext(db, actor))


@pytest.fixture(params=list(Role), ids=[r.value for r in Role])
def role_window(request, qtbot, zh, demo_db: Database, settings) -> tuple[Role, MainWindow]:  # type: ignore[no-untyped-def]
    role = request.param
    win = MainWindow(_services_as(demo_db, role), db_label="demo.db", settings=settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(win.is_loaded, timeout=10_000)
    return role, win


def _commands(win: MainWindow) -> dict[str, QAction]:
    return {
        a.objectName().removeprefix("action_"): a
        for a in win.findChildren(QAction)
        if a.objectName().startswith("action_")
    }


def test_every_window_command_is_shown_exactly_when_the_role_may_run_it(
    role_window: tuple[Role, MainWindow],
) -> None:
    role, win = role_window
    commands = _commands(win)
    assert len(commands) >= 25
    assert set(commands) <= set(COMMANDS)  # each declared in the one table
    shown = {name for name, a in commands.items() if a.isVisible()}
    assert shown == {name for name in commands if may_run(role, name)}
    # Each visible one is allowed by the permission table itself.
    assert all(COMMANDS[name] in PERMISSIONS[role] for name in shown)
    # The toolbar and menus hold the same QActions, so nothing hidden shows there.
    for widget_action in win.menuBar().actions():
        menu = widget_action.menu()
        if isinstance(menu, QMenu):
            for a in menu.actions():
                name = a.objectName().removeprefix("action_")
                if name in COMMANDS:
                    assert a.isVisible() == may_run(role, name), name
    expected_hidden = {
        Role.GRID_WORKER: {"manage_users", "audit_log", "calendar", "merge_review",
                           "registered_computers", "trust_subdistrict", "identity"},
        Role.COMMUNITY_ADMIN: {"merge_review", "registered_computers", "trust_subdistrict",
                               "identity"},
        Role.SUBDISTRICT_ADMIN: set(),
    }[role]  # fmt: skip
    assert set(commands) - shown == expected_hidden
    hierarchy_menu = win.findChild(QAction, "menu_hierarchy")
    assert hierarchy_menu is not None
    assert hierarchy_menu.isVisible() == (role is not Role.GRID_WORKER)


def test_the_tree_menus_offer_only_what_the_role_may_do(
    role_window: tuple[Role, MainWindow],
) -> None:
    role, win = role_window
    nodes = {}
    for node in win.tree.nodes():
        nodes.setdefault(node.kind, node)
    assert set(nodes) == {"root", "community", "grid", "building_group"}
    for kind, node in nodes.items():
        menu = QMenu(win)
        offered = win.hierarchy_actions.fill_menu(menu, node)
        names = {a.objectName().removeprefix("action_") for a in menu.actions() if a.objectName()}
        assert names == TREE_MENUS[role][kind], (role, kind)
        assert all(may_run(role, n) for n in names)
        assert offered == bool(names)
        menu.deleteLater()


def test_each_command_needs_what_its_service_method_checks() -> None:
    for command, method in CALLS.items():
        assert method.__action__ == COMMANDS[command], command  # type: ignore[attr-defined]
    assert COMMANDS["rename_community"] == Action.ADD_COMMUNITY


def test_what_a_community_admin_is_not_offered_the_service_refuses(demo_db: Database) -> None:
    """The hidden tree commands are hidden because the service would refuse them."""
    s = _services_as(demo_db, Role.COMMUNITY_ADMIN)
    community = s.hierarchy.communities()[0]
    grid = s.hierarchy.grids(community.id)[0]
    for call in (
        lambda: s.hierarchy.rename("community", community.id, "改名"),
        lambda: s.hierarchy.archive("community", community.id),
        lambda: s.hierarchy.move_grid(grid.id, community.id),
        lambda: s.hierarchy.add_community("新社区"),
    ):
        with pytest.raises(PermissionDeniedError):
            call()
