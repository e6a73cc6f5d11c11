"""The hierarchy tree on the left of the main window: 全部 → community → grid →
building group, with each node's household, overdue-visit and open-problem counts.

It loads itself off the GUI thread, keeps the node the user chose across reloads,
and reacts to change notices: a changed building group repaints its counts up to
the root; a changed hierarchy reloads the tree."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPoint, QSettings, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeView, QWidget

from gridvisit.core.services import Services
from gridvisit.core.services.workspace import Counts, TreeNode
from gridvisit.ui.changes import Changes
from gridvisit.ui.tasks import TaskRunner

NODE_ROLE = Qt.ItemDataRole.UserRole + 1


class HierarchyTree(QTreeView):
    node_selected = Signal(object)  # TreeNode the user (or a reload) made current
    loading = Signal()
    loaded = Signal()
    failed = Signal(str)
    menu_requested = Signal(object, QPoint)  # TreeNode (the root off any row), global position

    def __init__(
        self,
        services: Services,
        tasks: TaskRunner,
        settings: QSettings,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("hierarchy_tree")
        self.services = services
        self.tasks = tasks
        self.settings = settings
        self._node: TreeNode | None = None
        self._items: dict[str, QStandardItem] = {}
        self._nodes: dict[str, TreeNode] = {}
        self.tree_model = QStandardItemModel(self)
        self.tree_model.setHorizontalHeaderLabels(
            [
                self.tr("Community / grid / building group"),
                self.tr("Household count"),
                self.tr("Overdue"),
                self.tr("Problems"),
            ]
        )
        self.setModel(self.tree_model)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setUniformRowHeights(True)
        self.header().setStretchLastSection(False)
        self.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2, 3):
            self.header().setSectionResizeMode(col, QHeaderView.ResizeMode.Fixed)
            self.header().resizeSection(col, 38)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._context_menu)
        self.selectionModel().currentChanged.connect(self._current_changed)

    # -- what the tree shows ------------------------------------------------------------
    def current_node(self) -> TreeNode | None:
        return self._node

    def node(self, key: str) -> TreeNode | None:
        return self._nodes.get(key)

    def nodes(self) -> list[TreeNode]:
        return list(self._nodes.values())

    def node_keys(self) -> list[str]:
        """Every node's key ("root", "community:3", "grid:7", "building_group:12"), in tree order."""
        return list(self._items)

    def index_of(self, key: str) -> QModelIndex:
        """The name cell of node `key`; its siblings hold the counts (columns 1–3)."""
        item = self._items.get(key)
        return item.index() if item is not None else QModelIndex()

    def select_key(self, key: str) -> None:
        self.setCurrentIndex(self._items[key].index())

    def forget_current(self) -> None:
        """The next reload does not look for the current node (it was deleted)."""
        self._node = None

    def names_up_from_current(self) -> dict[str, str]:
        """{"community": …, "grid": …} for the current node and the nodes above it."""
        names: dict[str, str] = {}
        index = self.currentIndex().siblingAtColumn(0)
        while index.isValid():
            node = self._nodes.get(index.data(NODE_ROLE))
            if node is not None:
                names[node.kind] = node.name
            index = index.parent()
        return names

    def communities(self) -> list[TreeNode]:
        root = self._nodes.get("root")
        return list(root.children) if root else []

    def group_choices(self) -> list[tuple[str, int]]:
        """("community / grid / group", group id) for every building group."""
        return [
            (f"{c.name} / {g.name} / {b.name}", b.id)
            for c in self.communities()
            for g in c.children
            for b in g.children
            if b.id is not None
        ]

    def group_names(self) -> dict[int, str]:
        """Building group id → "grid group": group names repeat from compound to compound."""
        return {
            child.id: f"{n.name} {child.name}"
            for n in self._nodes.values()
            if n.kind == "grid"
            for child in n.children
            if child.kind == "building_group" and child.id is not None
        }

    # -- loading ------------------------------------------------------------------------
    def reload(self) -> None:
        self.loading.emit()
        self.tasks.run("tree", self.services.workspace.tree, self._loaded, self.failed.emit)

    def apply(self, changes: Changes) -> None:
        """React to a change notice."""
        if changes.hierarchy:
            self.reload()
            return
        for group_id in sorted(changes.groups):
            self.refresh_group_counts(group_id)

    def _loaded(self, root: TreeNode) -> None:
        keep = self._node.key if self._node else self.settings.value("main/node", "")
        self.tree_model.removeRows(0, self.tree_model.rowCount())
        self._items.clear()
        self._nodes.clear()
        self._add_node(self.tree_model.invisibleRootItem(), root)
        self._fit_count_columns(root)
        self.expandToDepth(1)
        target = self._items.get(str(keep)) or self._first_group_item() or self._items["root"]
        self.setCurrentIndex(target.index())
        self.scrollTo(target.index())
        if self._node is not None and self._node.key == target.data(NODE_ROLE):
            self._node = self._nodes[self._node.key]
        self.loaded.emit()

    def _fit_count_columns(self, root: TreeNode) -> None:
        """The totals at 全部 are the widest numbers: 30,000 households must not read
        "30…" (38 px fits three digits, enough below a community)."""
        metrics = self.fontMetrics()
        c = root.counts
        for col, value in enumerate((c.households, c.overdue_visits, c.open_problems), start=1):
            self.header().resizeSection(col, max(38, metrics.horizontalAdvance(str(value)) + 14))

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

    def refresh_group_counts(self, group_id: int) -> None:
        """Ask for one building group's counts and add the difference up to the root."""
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

    def _first_group_item(self) -> QStandardItem | None:
        for key, item in self._items.items():
            if key.startswith("building_group:"):
                return item
        return None

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        key = current.siblingAtColumn(0).data(NODE_ROLE) if current.isValid() else None
        node = self._nodes.get(key) if key else None
        if node is None:
            return
        self._node = node
        self.node_selected.emit(node)

    def _context_menu(self, pos: Any) -> None:
        index = self.indexAt(pos)
        key = index.siblingAtColumn(0).data(NODE_ROLE) if index.isValid() else "root"
        node = self._nodes.get(key)
        if node is not None:
            self.menu_requested.emit(node, self.viewport().mapToGlobal(pos))
