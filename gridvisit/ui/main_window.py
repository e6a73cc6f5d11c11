"""The window a grid worker keeps open all day: the hierarchy tree on the left, and
pages for households, problems, this week's due visits and the statistics.

This module is assembly: it builds the tree (gridvisit/ui/tree.py), the pages, the
action groups (gridvisit/ui/actions/), the menus, the toolbar and the status bar,
and wires them. Data loads off the GUI thread (TaskRunner). After a write an action
group sends one `Changes` notice through `hub`; the tree and the pages refresh what
it names, each changed row asked for once (docs/architecture.md, "How a write flows
from a dialog to the database and back to the screen")."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QTabWidget,
)

from gridvisit.core.access import Action, may_run
from gridvisit.core.clock import IsoWeek, today_local
from gridvisit.core.errors import GridVisitError
from gridvisit.core.records import Scope
from gridvisit.core.services import Services
from gridvisit.core.services.stats import Breakdown, StatsReport
from gridvisit.core.services.workspace import ProblemLine, Reference, TreeNode
from gridvisit.ui.actions.backups import BackupActions
from gridvisit.ui.actions.buildings import BuildingActions
from gridvisit.ui.actions.exchange import ExchangeActions
from gridvisit.ui.actions.help import HelpActions
from gridvisit.ui.actions.hierarchy import HierarchyActions
from gridvisit.ui.actions.households import HouseholdActions
from gridvisit.ui.actions.security import SecurityActions
from gridvisit.ui.actions.settings import SettingsActions
from gridvisit.ui.actions.stats import StatsActions
from gridvisit.ui.actions.users import UserActions
from gridvisit.ui.actions.visits import VisitActions
from gridvisit.ui.actions.workdays import CalendarActions
from gridvisit.ui.changes import ChangeHub, Changes
from gridvisit.ui.dialogs.common import fit_to_screen
from gridvisit.ui.host import WindowHost
from gridvisit.ui.pages.buildings import BuildingsPage
from gridvisit.ui.pages.due import DuePage
from gridvisit.ui.pages.households import HouseholdsPage
from gridvisit.ui.pages.problems import ProblemsPage
from gridvisit.ui.pages.stats import StatsPage
from gridvisit.ui.remote import RemoteChanges
from gridvisit.ui.tasks import TaskRunner
from gridvisit.ui.tree import NODE_ROLE, HierarchyTree

log = logging.getLogger(__name__)

PAGES = ("households", "problems", "due", "buildings", "stats")

__all__ = ["NODE_ROLE", "PAGES", "MainWindow"]


class MainWindow(WindowHost):
    loaded = Signal()  # tree and the current page's data are on screen

    def __init__(
        self, services: Services, *, db_label: str = "", settings: QSettings | None = None
    ) -> None:
        super().__init__()
        self.services = services
        self.settings = settings or QSettings()
        self.tasks = TaskRunner(self)
        self.hub = ChangeHub(self)
        self.reference: Reference = services.workspace.reference()
        self._pending: set[str] = set()
        self._stale: set[str] = set(PAGES)
        # A household or problem to select once its page has loaded (a drill-down).
        self._select_next: dict[str, int] = {}
        # Bumped by each load of the stats page: a trend still running for the period
        # or node shown before is dropped when it arrives.
        self._trend_serial = 0
        # Set by the backups dialog: the app restores this backup once the window closed.
        self.pending_restore: tuple[Any, bytes | None] | None = None
        self.setWindowTitle(self.tr("gridvisit — household visits"))
        fit_to_screen(self, 1400, 860)

        self.tree = HierarchyTree(services, self.tasks, self.settings, self)
        self.tree_model = self.tree.tree_model

        self.households = HouseholdsPage(self)
        self.households.set_clock(services.ctx.now)
        self.households.set_group_names(self.reference.special_groups)
        self.problems = ProblemsPage(self)
        self.problems.set_clock(services.ctx.now)
        self.problems.set_can_supervise(services.ctx.can(Action.SUPERVISE))
        self.problems.set_reference(self.reference)
        self.due = DuePage(self)
        self.due.set_reference(self.reference)
        self.stats = StatsPage(self)
        self.stats.set_clock(services.ctx.now)
        self.pages = QTabWidget(self)
        self.pages.addTab(self.households, self.tr("Households"))
        self.pages.addTab(self.problems, self.tr("Problems"))
        self.pages.addTab(self.due, self.tr("Due this week"))
        self.buildings = BuildingsPage(self)
        self.pages.addTab(self.buildings, self.tr("Buildings"))
        self.pages.addTab(self.stats, self.tr("Statistics"))

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.tree)
        self.splitter.addWidget(self.pages)
        self.splitter.setStretchFactor(1, 1)
        # Narrow enough that the household table keeps its columns on a 1366-px screen.
        self.splitter.setSizes([290, 1110])
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)

        self.busy = QProgressBar(self)
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(140)
        self.busy.hide()
        self.tasks.busy_changed.connect(self.busy.setVisible)
        self.status_text = QLabel(self)
        self.statusBar().addWidget(self.status_text, 1)
        self.statusBar().addPermanentWidget(self.busy)
        user = services.ctx.actor.display_name or services.ctx.actor.username
        self.statusBar().addPermanentWidget(
            QLabel(
                self.tr("User: {user}").format(user=user)
                + (f"  |  {db_label}" if db_label else ""),
                self,
            )
        )
        self._build_actions()
        self._build_menus()
        self._connect()
        self._restore_settings()
        # On a server: other instances' writes refresh this window (none on SQLite).
        self.remote = RemoteChanges(self)
        self.reload_tree()

    # -- public surface -------------------------------------------------------------
    @property
    def current_node(self) -> TreeNode | None:
        """The tree node the pages show."""
        return self.tree.current_node()

    def scope(self) -> Scope:
        node = self.tree.current_node()
        return node.scope if node else Scope()

    def is_loaded(self) -> bool:
        return not self._pending

    def open_household(self, household_id: int) -> None:
        """Show `household_id` on the households page (of the current node)."""
        self._open_on_page("households", household_id)

    def open_problem(self, problem_id: int) -> None:
        """Show `problem_id` on the problems page, every status listed."""
        if self.problems.show_every_status():
            self._stale.add("problems")
        self._open_on_page("problems", problem_id)

    def _open_on_page(self, name: str, item_id: int) -> None:
        if name == "households":
            self.households.search.clear()
        self._select_next[name] = item_id
        if PAGES[self.pages.currentIndex()] == name:
            self._stale.add(name)
            self._load_page(name)
        else:
            self.pages.setCurrentIndex(PAGES.index(name))  # loads it if stale
        if name not in self._stale and name not in self._pending:
            self._select_next.pop(name, None)
            if name == "households":
                self.households.select_household(item_id)
            else:
                self.problems.select_problem(item_id)

    def log_visit(self, household_id: int) -> None:
        self.visit_actions.log_visit(household_id)

    def reload_all(self) -> None:
        """Reference data, tree and pages, from the database (F5, after a merge)."""
        self.hub.notify(Changes.everything())

    def reload_tree(self) -> None:
        self.tree.reload()

    def request_restore(self, backup: Any, key: bytes | None) -> None:
        """Close; the app restores `backup` with the database closed, then asks for a login."""
        self.pending_restore = (backup, key)
        self.close()

    # -- assembly ---------------------------------------------------------------------
    def _build_actions(self) -> None:
        self.visit_actions = VisitActions(self)
        self.household_actions = HouseholdActions(self)
        self.hierarchy_actions = HierarchyActions(self)
        self.exchange = ExchangeActions(self)
        self.security = SecurityActions(self)
        self.user_actions = UserActions(self)
        self.backup_actions = BackupActions(self)
        self.calendar_actions = CalendarActions(self)
        self.building_actions = BuildingActions(self)
        self.help_actions = HelpActions(self)
        self.stats_actions = StatsActions(self)
        self.settings_actions = SettingsActions(self)
        # The window's own commands, and short names for the groups' QActions.
        self.act_visit = self.visit_actions.act_visit
        self.act_weekly = self.visit_actions.act_weekly
        self.act_statistics = self.visit_actions.act_statistics
        self.act_new_household = self.household_actions.act_new_household
        self.act_refresh = self._action("refresh", self.tr("&Refresh"), "F5")
        self.act_refresh.triggered.connect(lambda _checked=False: self.reload_all())
        self.act_quit = self._action("quit", self.tr("&Quit"), "Ctrl+Q")
        self.act_quit.triggered.connect(lambda _checked=False: self.close())
        ex, sec = self.exchange, self.security
        self.act_export, self.act_merge, self.act_review = (
            ex.act_export,
            ex.act_merge,
            ex.act_review,
        )
        self.act_ledger, self.act_roster = ex.act_ledger, ex.act_roster
        self.act_password, self.act_audit = sec.act_password, sec.act_audit
        self.act_users = self.user_actions.act_users
        self.act_export_key, self.act_trust = sec.act_export_key, sec.act_trust
        self.act_register, self.act_identity = sec.act_register, sec.act_identity
        self.act_key_guide = sec.act_key_guide
        self.act_backups = self.backup_actions.act_backups
        self.act_calendar = self.calendar_actions.act_calendar
        self.act_about, self.act_guide = self.help_actions.act_about, self.help_actions.act_guide

    def _action(self, name: str, text: str, shortcut: str | None = None) -> QAction:
        action = QAction(text, self)
        action.setObjectName(f"action_{name}")
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.setVisible(may_run(self.services.ctx.actor.role, name))
        return action

    def _build_menus(self) -> None:
        page_actions = []
        for i, (name, text) in enumerate(
            zip(
                PAGES,
                (
                    self.tr("&Households"),
                    self.tr("&Problems"),
                    self.tr("&Due this week"),
                    self.tr("&Buildings"),
                    self.tr("&Statistics"),
                ),
                strict=True,
            )
        ):
            act = self._action(f"page_{name}", text, f"Ctrl+{i + 1}")
            act.triggered.connect(lambda _checked=False, i=i: self.pages.setCurrentIndex(i))
            page_actions.append(act)
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        for a in (self.act_export, self.act_merge, self.act_review):
            file_menu.addAction(a)
        file_menu.addSeparator()
        file_menu.addAction(self.act_ledger)
        file_menu.addAction(self.act_roster)
        file_menu.addSeparator()
        file_menu.addAction(self.act_refresh)
        file_menu.addAction(self.act_backups)
        file_menu.addAction(self.act_calendar)
        file_menu.addSeparator()
        file_menu.addAction(self.act_quit)
        edit_menu = self.menuBar().addMenu(self.tr("&Edit"))
        edit_menu.addAction(self.act_visit)
        edit_menu.addAction(self.act_new_household)
        edit_menu.addSeparator()
        self.hierarchy_menu = edit_menu.addMenu(self.tr("&Hierarchy"))
        self.hierarchy_menu.menuAction().setObjectName("menu_hierarchy")
        self.hierarchy_menu.menuAction().setVisible(self.hierarchy_actions.offers_anything())
        self.hierarchy_menu.aboutToShow.connect(
            lambda: self.hierarchy_actions.fill_menu(self.hierarchy_menu, self.current_node)
        )
        view_menu = self.menuBar().addMenu(self.tr("&View"))
        for a in page_actions:
            view_menu.addAction(a)
        reports_menu = self.menuBar().addMenu(self.tr("&Reports"))
        reports_menu.addAction(self.act_weekly)
        reports_menu.addAction(self.act_statistics)
        settings_menu = self.menuBar().addMenu(self.tr("&Settings"))
        settings_menu.addAction(self.settings_actions.act_tiers)
        settings_menu.addAction(self.settings_actions.act_targets)
        account = self.menuBar().addMenu(self.tr("&Account"))
        for entry in self.security.menu_actions(self.act_users):
            if entry is None:
                account.addSeparator()
            else:
                account.addAction(entry)
        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        help_menu.addAction(self.act_guide)
        help_menu.addAction(self.act_about)
        toolbar = self.addToolBar(self.tr("Main"))
        toolbar.setObjectName("main_toolbar")
        toolbar.setMovable(False)
        for a in (self.act_visit, self.act_new_household, self.act_weekly, self.act_refresh):
            toolbar.addAction(a)

    def _connect(self) -> None:
        # The pages first, then the tree: both only read, the order is not visible.
        self.hub.changed.connect(self._apply_to_pages)
        self.hub.changed.connect(self.tree.apply)
        self.tree.loading.connect(self._tree_loading)
        self.tree.loaded.connect(lambda: self._mark("tree", False))
        self.tree.failed.connect(self._load_failed)
        self.tree.node_selected.connect(self._node_changed)
        self.pages.currentChanged.connect(self._page_changed)
        self.households.household_selected.connect(self._show_household)
        self.problems.filter_changed.connect(lambda: self._load_page("problems"))
        self.problems.problem_selected.connect(self._show_problem)
        self.stats.period_changed.connect(self._stats_period_changed)
        self.stats.trend_kind_changed.connect(self._load_trend)

    # -- settings -------------------------------------------------------------------
    def _restore_settings(self) -> None:
        geometry = self.settings.value("main/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        for key, splitter in self._splitters().items():
            state = self.settings.value(f"main/{key}")
            if isinstance(state, QByteArray):
                splitter.restoreState(state)
        page = self.settings.value("main/page", "households")
        if page in PAGES:
            self.pages.blockSignals(True)
            self.pages.setCurrentIndex(PAGES.index(page))
            self.pages.blockSignals(False)

    def _splitters(self) -> dict[str, QSplitter]:
        return {
            "splitter": self.splitter,
            "households_splitter": self.households.splitter,
            "problems_splitter": self.problems.splitter,
            "stats_splitter": self.stats.splitter,
        }

    def save_settings(self) -> None:
        self.settings.setValue("main/geometry", self.saveGeometry())
        for key, splitter in self._splitters().items():
            self.settings.setValue(f"main/{key}", splitter.saveState())
        node = self.current_node
        if node is not None:
            self.settings.setValue("main/node", node.key)
        self.settings.setValue("main/page", PAGES[self.pages.currentIndex()])
        self.settings.sync()

    def closeEvent(self, event: Any) -> None:
        self.remote.stop()
        self.save_settings()
        self.tasks.wait(5000)
        super().closeEvent(event)

    # -- change notices -------------------------------------------------------------
    def _apply_to_pages(self, changes: Changes) -> None:
        """Refresh what `changes` names on the pages; mark the rest stale; load the
        current page if it went stale. The tree reacts to the same notice itself."""
        ws = self.services.workspace
        if changes.reference:
            self.reference = ws.reference()
        if changes.hierarchy:
            # The tree reloads and selects a node again: every page loads then.
            self._stale = set(PAGES)
            return
        page = self.households
        for hid in sorted(changes.removed_households):
            page.model.remove_key(hid)
        for hid in sorted(changes.households):
            row = ws.household_row(hid)
            if row is not None:
                page.replace_row(row)
            if page.current_id() == hid:
                self._show_household(hid)
        if changes.added_households:
            fresh = [ws.household_row(hid) for hid in sorted(changes.added_households)]
            rows = page.model.all_rows()
            page.set_rows(
                [*rows, *(r for r in fresh if r is not None)],
                select_id=min(changes.added_households),
            )
        for pid in sorted(changes.problems):
            line = ws.problem_line(pid)
            self.problems.replace_row(line)
            if self.problems.current_id() == pid:
                self._show_problem(pid, line)
        self._stale |= changes.stale_pages()
        current = PAGES[self.pages.currentIndex()]
        if current in self._stale:
            self._load_page(current)

    # -- loading ----------------------------------------------------------------------
    def _mark(self, what: str, pending: bool) -> None:
        if pending:
            self._pending.add(what)
        else:
            self._pending.discard(what)
            if not self._pending:
                self.status_text.setText(self.tr("Ready"))
                self.loaded.emit()

    def _tree_loading(self) -> None:
        self._mark("tree", True)
        self.status_text.setText(self.tr("Loading the hierarchy…"))

    def _node_changed(self, node: TreeNode) -> None:
        self.problems.set_scope_name(node.name)
        self.stats.set_scope_name(node.name)
        week = IsoWeek.containing(today_local(self.services.ctx.now()))
        self.due.set_scope_name(
            node.name,
            self.tr("Week {w} ({a} – {b})").format(
                w=week.week, a=week.monday.strftime("%m-%d"), b=week.sunday.strftime("%m-%d")
            ),
        )
        self._stale = set(PAGES)
        self._load_page(PAGES[self.pages.currentIndex()])

    def _page_changed(self, index: int) -> None:
        name = PAGES[index]
        if name in self._stale:
            self._load_page(name)

    def _load_page(self, name: str) -> None:
        node = self.current_node
        if node is None:
            return
        self._stale.discard(name)
        self._mark(name, True)
        scope = node.scope
        ws = self.services.workspace
        if name == "households":
            self.households.set_loading(True)
            self.households.model.set_rows([])
            if node.counts.households > 2000:
                self.status_text.setText(
                    self.tr("Loading {n} households…").format(n=node.counts.households)
                )
            keep = self.households.current_id()
            self.tasks.run(
                "households",
                lambda: ws.household_rows(scope),
                lambda rows: self._households_loaded(rows, keep),
                self._load_failed,
            )
        elif name == "problems":
            flt = self.problems.current_filter()
            keep = self.problems.current_id()
            self.tasks.run(
                "problems",
                lambda: ws.problem_lines(scope, flt),
                lambda rows: self._problems_loaded(rows, keep),
                self._load_failed,
            )
        elif name == "buildings":
            if node.kind != "building_group":
                self.buildings.set_message(
                    self.tr("Choose a building group (楼栋党小组) in the tree on the left.")
                )
                self._mark(name, False)
                return
            group = node.id or 0
            self.tasks.run(
                "buildings",
                lambda: self.services.buildings.chart(group),
                self._buildings_loaded,
                self._load_failed,
            )
        elif name == "due":
            self.tasks.run(
                "due", lambda: self.services.visits.due(scope), self._due_loaded, self._load_failed
            )
        else:
            self.stats.set_loading()
            period = self.stats.period()
            # Grids are ranked above a grid, building groups within one.
            by = (
                Breakdown.GRID
                if scope.grid_id is None and scope.building_group_id is None
                else None
            )
            stats = self.services.stats
            self.tasks.run(
                "stats",
                lambda: stats.report(period, scope, node.name, by=by),
                self._stats_loaded,
                self._load_failed,
            )
            # The trend waits for the tiles: run beside them it would hold them up
            # (two cores, one GIL) for a figure the user looks at second.
            self._trend_serial += 1
            self._mark("stats_trend", True)
            self.stats.set_trend_loading()

    def _stats_period_changed(self) -> None:
        self._stale.add("stats")
        if PAGES[self.pages.currentIndex()] == "stats":
            self._load_page("stats")

    def _load_trend(self) -> None:
        """The trend of the stats page: 12 weeks or months up to the period's end, once
        the tiles are on screen (it costs more than the rest: one pass over a year of
        visits)."""
        node = self.current_node
        if node is None:
            return
        self._mark("stats_trend", True)
        self.stats.set_trend_loading()
        scope, kind = node.scope, self.stats.trend_period_kind()
        until = self.stats.period().as_of(self.services.ctx.now())
        stats, serial = self.services.stats, self._trend_serial
        self.tasks.run(
            "stats_trend",
            lambda: stats.trend(scope, kind, 12, until),
            lambda points: self._trend_loaded(points, serial),
            self._load_failed,
        )

    def _stats_loaded(self, report: StatsReport) -> None:
        self.stats.set_report(report)
        self._load_trend()
        self._mark("stats", False)

    def _trend_loaded(self, points: list, serial: int) -> None:
        if serial != self._trend_serial:
            return  # for what the page showed before; its own trend follows its tiles
        self.stats.set_trend(points)
        self._mark("stats_trend", False)

    def _households_loaded(self, rows: list, keep: int | None) -> None:
        chosen = self._select_next.pop("households", None)
        self.households.set_rows(rows, select_id=chosen if chosen is not None else keep)
        self._mark("households", False)

    def _problems_loaded(self, rows: list, keep: int | None) -> None:
        chosen = self._select_next.pop("problems", None)
        self.problems.set_rows(rows, select_id=chosen if chosen is not None else keep)
        self._mark("problems", False)

    def _due_loaded(self, rows: list) -> None:
        self.due.set_groups(self.tree.group_names())
        self.due.set_rows(rows)
        self._mark("due", False)

    def _buildings_loaded(self, chart: Any) -> None:
        self.buildings.set_chart(chart)
        self._mark("buildings", False)

    def _load_failed(self, message: str) -> None:
        self._pending.clear()
        self.status_text.setText(message)
        if not self.isVisible():  # closed meanwhile (damage found behind it): nobody to tell
            return
        QMessageBox.warning(self, self.tr("Could not load data"), message)

    # -- detail panels ----------------------------------------------------------------
    def _show_household(self, household_id: int | None) -> None:
        if household_id is None:
            self.households.show_detail(None)
            return
        try:
            self.households.show_detail(self.services.workspace.household_detail(household_id))
        except GridVisitError as exc:
            self.households.show_detail(None)
            self.status_text.setText(str(exc))

    def _show_problem(self, problem_id: int | None, line: ProblemLine | None = None) -> None:
        if problem_id is None:
            self.problems.show_problem(None, [])
            return
        ws = self.services.workspace
        self.problems.show_problem(
            line or self.problems.row(problem_id) or ws.problem_line(problem_id),
            ws.problem_events(problem_id),
            ws.problem_place(problem_id),
        )
