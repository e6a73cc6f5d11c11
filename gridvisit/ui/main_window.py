"""The window a grid worker keeps open all day: the hierarchy tree on the left, and
pages for households, problems and this week's due visits.

Data loads off the GUI thread (TaskRunner); after a change only the affected row
and the affected tree counts are refreshed."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QByteArray, QModelIndex, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QKeySequence, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QTabWidget,
    QTreeView,
)

from gridvisit.core.access import Action
from gridvisit.core.clock import IsoWeek, today_local
from gridvisit.core.enums import EventKind
from gridvisit.core.errors import ConflictError, GridVisitError
from gridvisit.core.records import ResidentRec, Scope
from gridvisit.core.services import Services
from gridvisit.core.services.workspace import Counts, Reference, TreeNode
from gridvisit.ui.dialogs.common import fit_to_screen
from gridvisit.ui.dialogs.edit_dialogs import (
    ChoiceDialog,
    HouseholdDialog,
    NameDialog,
    ResidentDialog,
)
from gridvisit.ui.dialogs.problem_action import ProblemActionDialog
from gridvisit.ui.dialogs.visit_dialog import VisitDialog
from gridvisit.ui.pages.due import DuePage
from gridvisit.ui.pages.households import HouseholdsPage
from gridvisit.ui.pages.problems import ProblemsPage
from gridvisit.ui.tasks import TaskRunner

log = logging.getLogger(__name__)

NODE_ROLE = Qt.ItemDataRole.UserRole + 1
PAGES = ("households", "problems", "due")


class MainWindow(QMainWindow):
    loaded = Signal()  # tree and the current page's data are on screen

    def __init__(
        self, services: Services, *, db_label: str = "", settings: QSettings | None = None
    ) -> None:
        super().__init__()
        self.services = services
        self.settings = settings or QSettings()
        self.tasks = TaskRunner(self)
        self.reference: Reference = services.workspace.reference()
        self._node: TreeNode | None = None
        self._items: dict[str, QStandardItem] = {}
        self._nodes: dict[str, TreeNode] = {}
        self._pending: set[str] = set()
        self._stale: set[str] = set(PAGES)
        # Set by the backups dialog: the app restores this backup once the window closed.
        self.pending_restore: tuple[Any, bytes | None] | None = None
        self.setWindowTitle(self.tr("gridvisit — household visits"))
        fit_to_screen(self, 1400, 860)

        # -- tree --------------------------------------------------------------------
        self.tree_model = QStandardItemModel(self)
        self.tree_model.setHorizontalHeaderLabels(
            [
                self.tr("Community / grid / building group"),
                self.tr("Household count"),
                self.tr("Overdue"),
                self.tr("Problems"),
            ]
        )
        self.tree = QTreeView(self)
        self.tree.setModel(self.tree_model)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setUniformRowHeights(True)
        self.tree.header().setStretchLastSection(False)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2, 3):
            self.tree.header().setSectionResizeMode(col, QHeaderView.ResizeMode.Fixed)
            self.tree.header().resizeSection(col, 38)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._tree_menu)
        self.tree.selectionModel().currentChanged.connect(self._node_changed)

        # -- pages -------------------------------------------------------------------
        self.households = HouseholdsPage(self)
        self.households._now = services.ctx.now
        self.households.set_group_names(self.reference.special_groups)
        self.problems = ProblemsPage(self)
        self.problems._now = services.ctx.now
        self.problems.set_reference(self.reference)
        self.due = DuePage(self)
        self.due.set_reference(self.reference)
        self.pages = QTabWidget(self)
        self.pages.addTab(self.households, self.tr("Households"))
        self.pages.addTab(self.problems, self.tr("Problems"))
        self.pages.addTab(self.due, self.tr("Due this week"))
        self.pages.currentChanged.connect(self._page_changed)

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
        self._connect_pages()
        self._restore_settings()
        self.reload_tree()

    # -- actions & menus ------------------------------------------------------------
    def _action(self, text: str, slot: Callable[[], Any], shortcut: str | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _build_actions(self) -> None:
        self.act_visit = self._action(self.tr("&Log a visit"), self._log_visit_current)
        self.act_new_household = self._action(self.tr("&New household"), self._add_household)
        self.act_refresh = self._action(self.tr("&Refresh"), self.reload_all, "F5")
        self.act_weekly = self._action(
            self.tr("&Weekly problem list…"), self._weekly_report, "Ctrl+Shift+P"
        )
        from gridvisit.ui.dialogs.exchange import ExchangeActions

        self.exchange = ExchangeActions(self, self.services)
        self.act_export = self._action(self.tr("&Export package…"), self.exchange.export_package)
        self.act_merge = self._action(self.tr("&Merge packages…"), self.exchange.merge_packages)
        self.act_review = self._action(self.tr("Merge &review…"), self.exchange.review)
        self.act_ledger = self._action(
            self.tr("Export &ledger (Excel)…"), self.exchange.export_ledger
        )
        self.act_roster = self._action(
            self.tr("&Import household roster (Excel)…"), self.exchange.import_roster
        )
        from gridvisit.ui.dialogs.security import SecurityActions

        self.security = SecurityActions(self, self.services)
        sec = self.security
        self.act_password = self._action(self.tr("Change &password…"), sec.change_password)
        self.act_audit = self._action(self.tr("&Audit log…"), sec.audit_log)
        self.act_export_key = self._action(
            self.tr("Export this computer's public &key…"), sec.export_public_key
        )
        self.act_trust = self._action(
            self.tr("Import the sub-district's public key…"), sec.trust_subdistrict
        )
        self.act_register = self._action(self.tr("Registered computers…"), sec.devices)
        self.act_identity = self._action(self.tr("This computer's identity…"), sec.identity)
        self.act_key_guide = self._action(self.tr("Key exchange &guide…"), self._key_guide)
        # Only what the role may do is offered; the services refuse the rest anyway.
        for act, action in (
            (self.act_audit, Action.VIEW_AUDIT),
            (self.act_register, Action.MANAGE_DEVICES),
            (self.act_trust, Action.MANAGE_DEVICES),
            (self.act_identity, Action.MANAGE_DEVICES),
            (self.act_roster, Action.IMPORT_ROSTER),
            (self.act_review, Action.MERGE),
            (self.act_export, Action.EXPORT_PACKAGE),
        ):
            act.setVisible(sec.allowed(action))
        self.act_backups = self._action(self.tr("&Backups…"), self._backups)
        self.act_backups.setVisible(self.services.backups.available)
        self.act_quit = self._action(self.tr("&Quit"), self.close, "Ctrl+Q")
        self.act_about = self._action(self.tr("&About"), self._about)
        self.act_guide = self._action(self.tr("User &guide"), self.show_user_guide, "F1")
        page_actions = []
        for i, name in enumerate(
            (self.tr("&Households"), self.tr("&Problems"), self.tr("&Due this week"))
        ):
            page_actions.append(
                self._action(name, lambda i=i: self.pages.setCurrentIndex(i), f"Ctrl+{i + 1}")
            )
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        file_menu.addAction(self.act_weekly)
        file_menu.addSeparator()
        for a in (self.act_export, self.act_merge, self.act_review):
            file_menu.addAction(a)
        file_menu.addSeparator()
        file_menu.addAction(self.act_ledger)
        file_menu.addAction(self.act_roster)
        file_menu.addSeparator()
        file_menu.addAction(self.act_refresh)
        file_menu.addAction(self.act_backups)
        file_menu.addSeparator()
        file_menu.addAction(self.act_quit)
        edit_menu = self.menuBar().addMenu(self.tr("&Edit"))
        edit_menu.addAction(self.act_visit)
        edit_menu.addAction(self.act_new_household)
        edit_menu.addSeparator()
        self.hierarchy_menu = edit_menu.addMenu(self.tr("&Hierarchy"))
        self.hierarchy_menu.aboutToShow.connect(
            lambda: self._fill_node_menu(self.hierarchy_menu, self._node)
        )
        view_menu = self.menuBar().addMenu(self.tr("&View"))
        for a in page_actions:
            view_menu.addAction(a)
        account = self.menuBar().addMenu(self.tr("&Account"))
        for a in (self.act_password, self.act_audit):
            account.addAction(a)
        account.addSeparator()
        for a in (
            self.act_key_guide,
            self.act_export_key,
            self.act_trust,
            self.act_register,
            self.act_identity,
        ):
            account.addAction(a)
        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        help_menu.addAction(self.act_guide)
        help_menu.addAction(self.act_about)
        toolbar = self.addToolBar(self.tr("Main"))
        toolbar.setObjectName("main_toolbar")
        toolbar.setMovable(False)
        for a in (self.act_visit, self.act_new_household, self.act_weekly, self.act_refresh):
            toolbar.addAction(a)

    def _weekly_report(self) -> None:
        # Imported here: QtPdf and ReportLab load when the list is first opened, so
        # start-up does not pay for them.
        from gridvisit.ui.dialogs.weekly_report import WeeklyReportDialog

        names: dict[str, str] = {}
        index = self.tree.currentIndex().siblingAtColumn(0)
        while index.isValid():
            node = self._nodes.get(index.data(NODE_ROLE))
            if node is not None:
                names[node.kind] = node.name
            index = index.parent()
        WeeklyReportDialog.open_for(self.services, names.get("community"), names.get("grid"), self)

    def _connect_pages(self) -> None:
        h = self.households
        h.household_selected.connect(self._show_household)
        h.log_visit_requested.connect(self.log_visit)
        h.open_visit_requested.connect(self.open_visit)
        h.add_household_requested.connect(self._add_household)
        h.edit_household_requested.connect(self._edit_household)
        h.move_household_requested.connect(self._move_household)
        h.delete_household_requested.connect(self._delete_household)
        h.add_resident_requested.connect(self._add_resident)
        h.edit_resident_requested.connect(self._edit_resident)
        h.remove_resident_requested.connect(self._remove_resident)
        h.reveal_requested.connect(self.security.reveal)
        self.problems.filter_changed.connect(lambda: self._load_page("problems"))
        self.problems.problem_selected.connect(self._show_problem)
        self.problems.action_requested.connect(self.problem_action)
        self.due.log_visit_requested.connect(self.log_visit)

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
        }

    def save_settings(self) -> None:
        self.settings.setValue("main/geometry", self.saveGeometry())
        for key, splitter in self._splitters().items():
            self.settings.setValue(f"main/{key}", splitter.saveState())
        if self._node is not None:
            self.settings.setValue("main/node", self._node.key)
        self.settings.setValue("main/page", PAGES[self.pages.currentIndex()])
        self.settings.sync()

    def closeEvent(self, event: Any) -> None:
        self.save_settings()
        self.tasks.wait(5000)
        super().closeEvent(event)

    # -- loading ----------------------------------------------------------------------
    def _mark(self, what: str, pending: bool) -> None:
        if pending:
            self._pending.add(what)
        else:
            self._pending.discard(what)
            if not self._pending:
                self.status_text.setText(self.tr("Ready"))
                self.loaded.emit()

    def is_loaded(self) -> bool:
        return not self._pending

    def reload_all(self) -> None:
        self.reference = self.services.workspace.reference()
        self._stale = set(PAGES)
        self.reload_tree()

    def reload_tree(self) -> None:
        self._mark("tree", True)
        self.status_text.setText(self.tr("Loading the hierarchy…"))
        self.tasks.run("tree", self.services.workspace.tree, self._tree_loaded, self._load_failed)

    def _tree_loaded(self, root: TreeNode) -> None:
        keep = self._node.key if self._node else self.settings.value("main/node", "")
        self.tree_model.removeRows(0, self.tree_model.rowCount())
        self._items.clear()
        self._nodes.clear()
        self._add_node(self.tree_model.invisibleRootItem(), root)
        self.tree.expandToDepth(1)
        target = self._items.get(str(keep)) or self._first_group_item() or self._items["root"]
        self.tree.setCurrentIndex(target.index())
        self.tree.scrollTo(target.index())
        if self._node is not None and self._node.key == target.data(NODE_ROLE):
            self._node = self._nodes[self._node.key]
        self._mark("tree", False)

    def _add_node(self, parent: QStandardItem, node: TreeNode) -> None:
        name = QStandardItem(node.name)
        name.setData(node.key, NODE_ROLE)
        cells = [name, QStandardItem(), QStandardItem(), QStandardItem()]
        for c in cells[1:]:
            c.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        parent.appendRow(cells)
        self._items[node.key] = name
        self._nodes[node.key] = node
        self._paint_counts(node)
        for child in node.children:
            self._add_node(name, child)

    def _paint_counts(self, node: TreeNode) -> None:
        item = self._items[node.key]
        parent = item.parent() or self.tree_model.invisibleRootItem()
        row = item.row()
        c = node.counts
        values = (c.households, c.overdue_visits, c.open_problems)
        for col, value in enumerate(values, start=1):
            cell = parent.child(row, col)
            cell.setText(str(value))
            alert = col == 2 and value > 0
            cell.setForeground(QBrush(QColor("#c62828")) if alert else QBrush())
        tip = self.tr("{h} households, {o} overdue visits, {p} open problems").format(
            h=c.households, o=c.overdue_visits, p=c.open_problems
        )
        item.setToolTip(tip)

    def _first_group_item(self) -> QStandardItem | None:
        for key, item in self._items.items():
            if key.startswith("building_group:"):
                return item
        return None

    def _node_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        key = current.siblingAtColumn(0).data(NODE_ROLE) if current.isValid() else None
        node = self._nodes.get(key) if key else None
        if node is None:
            return
        self._node = node
        self.problems.set_scope_name(node.name)
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
        node = self._node
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
        else:
            self.tasks.run(
                "due", lambda: self.services.visits.due(scope), self._due_loaded, self._load_failed
            )

    def _households_loaded(self, rows: list, keep: int | None) -> None:
        self.households.set_rows(rows, select_id=keep)
        self._mark("households", False)

    def _problems_loaded(self, rows: list, keep: int | None) -> None:
        self.problems.set_rows(rows, select_id=keep)
        self._mark("problems", False)

    def _due_loaded(self, rows: list) -> None:
        # "锦绣花园网格 1-3号楼党小组": group names repeat from compound to compound.
        groups = {
            child.id: f"{n.name} {child.name}"
            for n in self._nodes.values()
            if n.kind == "grid"
            for child in n.children
            if child.kind == "building_group"
        }
        self.due.set_groups(groups)
        self.due.set_rows(rows)
        self._mark("due", False)

    def _load_failed(self, message: str) -> None:
        self._pending.clear()
        self.status_text.setText(message)
        if not self.isVisible():  # closed meanwhile (damage found behind it): nobody to tell
            return
        QMessageBox.warning(self, self.tr("Could not load data"), message)

    # -- households -----------------------------------------------------------------
    def _show_household(self, household_id: int | None) -> None:
        if household_id is None:
            self.households.show_detail(None)
            return
        try:
            self.households.show_detail(self.services.workspace.household_detail(household_id))
        except GridVisitError as exc:
            self.households.show_detail(None)
            self.status_text.setText(str(exc))

    def _log_visit_current(self) -> None:
        if self.pages.currentWidget() is self.due:
            hid = self.due.current_household()
        else:
            hid = self.households.current_id()
        if hid is None:
            QMessageBox.information(
                self, self.tr("Log a visit"), self.tr("Select a household first.")
            )
            return
        self.log_visit(hid)

    def log_visit(self, household_id: int) -> None:
        try:
            detail = self.services.workspace.household_detail(household_id)
        except GridVisitError as exc:
            QMessageBox.warning(self, self.tr("Log a visit"), str(exc))
            return
        saved = VisitDialog.ask(
            self,
            self.services,
            self.reference,
            household_id,
            detail.address,
            list(detail.residents),
        )
        if saved is None:
            return
        self.household_changed(household_id)
        self._stale.update({"problems", "due"})
        if self.pages.currentWidget() is not self.households:
            self._load_page(PAGES[self.pages.currentIndex()])
        problems = len(saved.problem_ids)
        self.status_text.setText(
            self.tr("Visit to {a} saved with {n} problem(s).").format(a=detail.address, n=problems)
        )

    def open_visit(self, household_id: int, visit_id: int) -> None:
        """Read a visit in full, correct it or delete it."""
        try:
            detail = self.services.workspace.household_detail(household_id)
            dialog = VisitDialog(
                self.services,
                self.reference,
                household_id,
                detail.address,
                list(detail.residents),
                self,
                visit_id=visit_id,
            )
        except GridVisitError as exc:
            QMessageBox.warning(self, self.tr("Visit"), str(exc))
            return
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return
            deleted = dialog.deleted
        finally:
            dialog.deleteLater()
        self.household_changed(household_id)
        self._stale.update({"due"})
        self.status_text.setText(
            (
                self.tr("Visit to {a} deleted.") if deleted else self.tr("Visit to {a} corrected.")
            ).format(a=detail.address)
        )

    def household_changed(self, household_id: int) -> None:
        """Refresh one household's row, its details and its building group's counts."""
        ws = self.services.workspace
        row = ws.household_row(household_id)
        if row is not None:
            self.households.replace_row(row)
            self._refresh_group_counts(row.building_group_id)
        if self.households.current_id() == household_id:
            self._show_household(household_id)

    def _refresh_group_counts(self, group_id: int) -> None:
        key = f"building_group:{group_id}"
        node = self._nodes.get(key)
        if node is None:
            return
        fresh = self.services.workspace.group_counts(group_id)
        delta = Counts(
            fresh.households - node.counts.households,
            fresh.overdue_visits - node.counts.overdue_visits,
            fresh.open_problems - node.counts.open_problems,
        )
        item: QStandardItem | None = self._items[key]
        while item is not None:
            n = self._nodes[item.data(NODE_ROLE)]
            n.counts.add(delta)
            self._paint_counts(n)
            item = item.parent()  # up to and including the "全部" root row

    def _current_group_id(self) -> int | None:
        node = self._node
        return node.id if node is not None and node.kind == "building_group" else None

    def _add_household(self) -> None:
        group = self._current_group_id()
        if group is None:
            QMessageBox.information(
                self,
                self.tr("New household"),
                self.tr("Choose a building group in the tree on the left first."),
            )
            return
        hs = self.services.households

        def save(v: dict[str, Any]) -> int:
            rec = hs.register(
                group, v["building"], v["unit"], v["room"], phone=v["phone"], notes=v["notes"]
            )
            if v["tier_code"]:
                hs.update(rec.id, tier_code=v["tier_code"])
            if v["is_party_centre"]:
                hs.set_party_centre(rec.id, True)
            return rec.id

        new_id = HouseholdDialog(
            self.reference, save, title=self.tr("New household"), parent=self
        ).run()
        if new_id is not None:
            self._refresh_group_counts(group)
            self._stale.update(PAGES)
            new_row = self.services.workspace.household_row(new_id)
            rows = self.households.model.all_rows()
            self.households.set_rows([*rows, new_row] if new_row else rows, select_id=new_id)

    def _edit_household(self, household_id: int) -> None:
        hs = self.services.households
        rec = hs.get(household_id)
        values = {
            "building": rec.building,
            "unit": rec.unit,
            "room": rec.room,
            "phone": rec.phone,
            "notes": rec.notes,
            "is_party_centre": rec.is_party_centre,
            "tier_code": rec.tier_code if rec.tier_manual else None,
        }

        def save(v: dict[str, Any]) -> bool:
            hs.update(
                household_id,
                building=v["building"],
                unit=v["unit"],
                room=v["room"],
                phone=v["phone"],
                notes=v["notes"],
                tier_code=v["tier_code"],
            )
            hs.set_party_centre(household_id, v["is_party_centre"])
            return True

        if HouseholdDialog(
            self.reference, save, title=self.tr("Edit household"), values=values, parent=self
        ).run():
            self.household_changed(household_id)
            self.status_text.setText(
                self.tr("Saved household {a}.").format(a=hs.get(household_id).address)
            )

    def _move_household(self, household_id: int) -> None:
        choices = self._group_choices()
        rec = self.services.households.get(household_id)

        def save(target: int) -> int:
            self.services.households.move(household_id, target)
            return target

        moved = ChoiceDialog(
            self.tr("Move household"), self.tr("To building group"), choices, save, parent=self
        ).run()
        if moved is not None and moved != rec.building_group_id:
            self._refresh_group_counts(rec.building_group_id)
            self._refresh_group_counts(moved)
            self.households.model.remove_key(household_id)
            self._stale.update({"problems", "due"})

    def _delete_household(self, household_id: int) -> None:
        rec = self.services.households.get(household_id)
        answer = QMessageBox.question(
            self,
            self.tr("Delete household"),
            self.tr("Delete {a} and its residents? This cannot be undone.").format(a=rec.address),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self.services.households.delete(household_id)
        except ConflictError as exc:
            again = QMessageBox.question(
                self,
                self.tr("Delete household"),
                f"{exc.message}\n\n" + self.tr("Archive it instead? Its history is kept."),
            )
            if again != QMessageBox.StandardButton.Yes:
                return
            self.services.households.archive(household_id)
        self.households.model.remove_key(household_id)
        self._refresh_group_counts(rec.building_group_id)
        self._stale.update({"problems", "due"})

    def _add_resident(self, household_id: int) -> None:
        hs = self.services.households
        done = ResidentDialog(
            self.reference,
            lambda r: hs.add_resident(household_id, r),
            title=self.tr("Add resident"),
            parent=self,
        ).run()
        if done is not None:
            self._warn_about(hs.last_warnings)
            self.household_changed(household_id)
            self.status_text.setText(self.tr("Saved resident {n}.").format(n=done.name))

    def _edit_resident(self, household_id: int, resident: ResidentRec) -> None:
        hs = self.services.households
        done = ResidentDialog(
            self.reference,
            lambda r: hs.update_resident(resident.id, r),
            title=self.tr("Edit resident"),
            resident=resident,
            reveal=lambda: (hs.reveal(resident.id, "id_number"), hs.reveal(resident.id, "phone")),
            parent=self,
        ).run()
        if done is not None:
            self._warn_about(hs.last_warnings)
            self.household_changed(household_id)
            self.status_text.setText(self.tr("Saved resident {n}.").format(n=done.name))

    def _remove_resident(self, household_id: int, resident: ResidentRec) -> None:
        answer = QMessageBox.question(
            self,
            self.tr("Resident moved out"),
            self.tr("Mark {n} as moved out? Visits that mention them are kept.").format(
                n=resident.name
            ),
        )
        if answer == QMessageBox.StandardButton.Yes:
            self._guard(lambda: self.services.households.remove_resident(resident.id))
            self.household_changed(household_id)

    def _warn_about(self, warnings: list[str]) -> None:
        if warnings:
            QMessageBox.information(self, self.tr("Please check"), "\n".join(warnings))

    # -- problems ---------------------------------------------------------------------
    def _show_problem(self, problem_id: int | None) -> None:
        if problem_id is None:
            self.problems.show_problem(None, [])
            return
        ws = self.services.workspace
        self.problems.show_problem(
            ws.problem_line(problem_id), ws.problem_events(problem_id), ws.problem_place(problem_id)
        )

    def problem_action(self, problem_id: int, kind: EventKind) -> None:
        ws = self.services.workspace
        line = ws.problem_line(problem_id)
        summary = f"{line.category}:{line.description}"
        done = ProblemActionDialog.ask(self, self.services, problem_id, kind, summary)
        if done is None:
            return
        fresh = ws.problem_line(problem_id)
        self.problems.replace_row(fresh)
        self._show_problem(problem_id)
        if fresh.building_group_id is not None:
            self._refresh_group_counts(fresh.building_group_id)
        if fresh.household_id is not None:
            row = ws.household_row(fresh.household_id)
            if row is not None:
                self.households.replace_row(row)
        self.status_text.setText(self.tr("Problem is now “{s}”.").format(s=fresh.status.label))

    # -- hierarchy --------------------------------------------------------------------
    def _tree_menu(self, pos: Any) -> None:
        index = self.tree.indexAt(pos)
        key = index.siblingAtColumn(0).data(NODE_ROLE) if index.isValid() else "root"
        menu = QMenu(self)
        self._fill_node_menu(menu, self._nodes.get(key))
        menu.exec(self.tree.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def _fill_node_menu(self, menu: QMenu, node: TreeNode | None) -> None:
        menu.clear()
        node = node or self._nodes.get("root")
        if node is None:
            return
        h = self.services.hierarchy
        if node.kind == "root":
            menu.addAction(
                self.tr("New community…"),
                lambda: self._name_dialog(
                    self.tr("New community"), self.tr("Community name"), h.add_community
                ),
            )
        if node.kind == "community":
            menu.addAction(
                self.tr("New grid…"),
                lambda: self._name_dialog(
                    self.tr("New grid"),
                    self.tr("Grid name"),
                    lambda name: h.add_grid(node.id, name),
                ),
            )
        if node.kind == "grid":
            menu.addAction(
                self.tr("New building group…"),
                lambda: self._name_dialog(
                    self.tr("New building group"),
                    self.tr("Building group name"),
                    lambda name: h.add_building_group(node.id, name),
                ),
            )
        if node.kind != "root":
            menu.addAction(
                self.tr("Rename…"),
                lambda: self._name_dialog(
                    self.tr("Rename"),
                    self.tr("New name"),
                    lambda name: h.rename(node.kind, node.id, name),
                    value=node.name,
                ),
            )
        if node.kind in ("grid", "building_group"):
            menu.addAction(self.tr("Move to…"), lambda: self._move_node(node))
        if node.kind != "root":
            menu.addSeparator()
            menu.addAction(self.tr("Delete…"), lambda: self._delete_node(node))
            menu.addAction(self.tr("Archive…"), lambda: self._archive_node(node))

    def _name_dialog(
        self, title: str, label: str, save: Callable[[str], Any], value: str = ""
    ) -> None:
        if NameDialog(title, label, save, value=value, parent=self).run() is not None:
            self.reload_tree()

    def _group_choices(self) -> list[tuple[str, int]]:
        out = []
        root = self._nodes.get("root")
        for c in root.children if root else []:
            for g in c.children:
                for b in g.children:
                    out.append((f"{c.name} / {g.name} / {b.name}", b.id))
        return out

    def _move_node(self, node: TreeNode) -> None:
        h = self.services.hierarchy
        root = self._nodes["root"]
        if node.kind == "grid":
            choices = [(c.name, c.id) for c in root.children]
            save: Callable[[Any], Any] = lambda target: h.move_grid(node.id, target)  # noqa: E731
            label = self.tr("To community")
        else:
            choices = [(f"{c.name} / {g.name}", g.id) for c in root.children for g in c.children]
            save = lambda target: h.move_building_group(node.id, target)  # noqa: E731
            label = self.tr("To grid")
        if (
            ChoiceDialog(
                self.tr("Move {n}").format(n=node.name), label, choices, save, parent=self
            ).run()
            is not None
        ):
            self.reload_tree()

    def _delete_node(self, node: TreeNode) -> None:
        self._remove_node(
            self.tr("Delete"),
            self.tr("Delete “{n}”? This cannot be undone.").format(n=node.name),
            lambda: self.services.hierarchy.delete(node.kind, node.id),
        )

    def _archive_node(self, node: TreeNode) -> None:
        self._remove_node(
            self.tr("Archive"),
            self.tr("Archive “{n}”? It disappears from the lists; its history is kept.").format(
                n=node.name
            ),
            lambda: self.services.hierarchy.archive(node.kind, node.id),
        )

    def _remove_node(self, title: str, question: str, action: Callable[[], Any]) -> None:
        answer = QMessageBox.question(self, title, question)
        if answer == QMessageBox.StandardButton.Yes and self._guard(action):
            self._node = None
            self.reload_tree()

    def _guard(self, fn: Callable[[], Any]) -> bool:
        try:
            fn()
        except GridVisitError as exc:
            QMessageBox.warning(self, self.tr("Not possible"), str(exc))
            return False
        return True

    def _backups(self) -> None:
        from gridvisit.ui.dialogs.backups import BackupDialog

        dialog = BackupDialog(self.services, self)
        dialog.restore_requested.connect(self.request_restore)
        try:
            dialog.exec()
        finally:
            dialog.deleteLater()

    def request_restore(self, backup: Any, key: bytes | None) -> None:
        """Close; the app restores `backup` with the database closed, then asks for a login."""
        self.pending_restore = (backup, key)
        self.close()

    def _key_guide(self) -> None:
        from gridvisit.ui.dialogs.key_setup import KeySetupDialog

        dialog = KeySetupDialog(self.services, self.security, self)
        dialog.exec()
        dialog.deleteLater()

    def show_user_guide(self) -> None:
        from gridvisit.ui.dialogs.guide import GuideDialog

        GuideDialog.open_for(self)

    def _about(self) -> None:
        from gridvisit import __version__

        QMessageBox.about(
            self,
            self.tr("About gridvisit"),
            self.tr(
                "gridvisit {v}\nOffline household visits and problem lists for community grid "
                "workers."
            ).format(v=__version__),
        )

    def scope(self) -> Scope:
        return self._node.scope if self._node else Scope()
