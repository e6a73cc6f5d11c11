"""The tree's menus (right click, and Edit → Hierarchy): new community, grid or
building group; rename, move, delete or archive a node. A change to the hierarchy
sends a notice that reloads the tree, and with it the current page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QMenu, QMessageBox

from gridvisit.core.services.workspace import TreeNode
from gridvisit.ui.actions import ActionGroup
from gridvisit.ui.changes import Changes
from gridvisit.ui.dialogs.edit_dialogs import ChoiceDialog, NameDialog


class HierarchyActions(ActionGroup):
    def __init__(self, window: Any) -> None:
        super().__init__(window)
        window.tree.menu_requested.connect(self.show_menu)

    def show_menu(self, node: TreeNode, global_pos: QPoint) -> None:
        menu = QMenu(self.window)
        if self.fill_menu(menu, node):  # a role that may do nothing here gets no menu
            menu.exec(global_pos)
        menu.deleteLater()

    def fill_menu(self, menu: QMenu, node: TreeNode | None) -> bool:
        """What the role may do to `node` (the root when None), each entry only if
        core.access.COMMANDS allows it; False (and one disabled line) when nothing."""
        menu.clear()
        node = node or self.window.tree.node("root")
        if node is not None:
            self._fill(menu, node)
        if menu.isEmpty():
            menu.addAction(self.tr("Nothing to change here for your role")).setEnabled(False)
            return False
        return True

    def _fill(self, menu: QMenu, node: TreeNode) -> None:
        h = self.services.hierarchy
        kind = node.kind
        if kind == "root":
            self.offer(
                menu,
                "new_community",
                self.tr("New community…"),
                lambda: self.name_dialog(
                    self.tr("New community"), self.tr("Community name"), h.add_community
                ),
            )
        if kind == "community":
            self.offer(
                menu,
                "new_grid",
                self.tr("New grid…"),
                lambda: self.name_dialog(
                    self.tr("New grid"),
                    self.tr("Grid name"),
                    lambda name: h.add_grid(_id(node), name),
                ),
            )
        if kind == "grid":
            self.offer(
                menu,
                "new_building_group",
                self.tr("New building group…"),
                lambda: self.name_dialog(
                    self.tr("New building group"),
                    self.tr("Building group name"),
                    lambda name: h.add_building_group(_id(node), name),
                ),
            )
        if kind == "root":
            return
        self.offer(menu, f"rename_{kind}", self.tr("Rename…"), lambda: self.rename(node))
        if kind in ("grid", "building_group"):
            self.offer(menu, f"move_{kind}", self.tr("Move to…"), lambda: self.move_node(node))
        if self.may(f"delete_{kind}") or self.may(f"archive_{kind}"):
            menu.addSeparator()
        self.offer(menu, f"delete_{kind}", self.tr("Delete…"), lambda: self.delete_node(node))
        self.offer(menu, f"archive_{kind}", self.tr("Archive…"), lambda: self.archive_node(node))

    def offers_anything(self) -> bool:
        """Whether the role may change the hierarchy at all (the Edit → Hierarchy menu)."""
        return any(
            self.may(c) for c in ("new_community", "new_grid", "new_building_group", "rename_grid")
        )

    def name_dialog(
        self, title: str, label: str, save: Callable[[str], Any], value: str = ""
    ) -> None:
        """Ask for a name and `save` it (new node or rename)."""
        if self.still_checking():
            return
        if NameDialog(title, label, save, value=value, parent=self.window).run() is not None:
            self.notify(Changes(hierarchy=True))

    def rename(self, node: TreeNode) -> None:
        """Saved with the version read when the form opened (a node renamed meanwhile
        elsewhere is refused, not overwritten)."""
        if self.still_checking():
            return
        h = self.services.hierarchy
        version = h.node(node.kind, _id(node)).version
        self.name_dialog(
            self.tr("Rename"),
            self.tr("New name"),
            lambda name: h.rename(node.kind, _id(node), name, version=version),
            value=node.name,
        )

    def move_node(self, node: TreeNode) -> None:
        if self.still_checking():
            return
        h = self.services.hierarchy
        communities = self.window.tree.communities()
        if node.kind == "grid":
            choices = [(c.name, c.id) for c in communities]
            save: Callable[[Any], Any] = lambda target: h.move_grid(_id(node), target)  # noqa: E731
            label = self.tr("To community")
        else:
            choices = [(f"{c.name} / {g.name}", g.id) for c in communities for g in c.children]
            save = lambda target: h.move_building_group(_id(node), target)  # noqa: E731
            label = self.tr("To grid")
        if (
            ChoiceDialog(
                self.tr("Move {n}").format(n=node.name), label, choices, save, parent=self.window
            ).run()
            is not None
        ):
            self.notify(Changes(hierarchy=True))

    def delete_node(self, node: TreeNode) -> None:
        if self.still_checking():
            return
        self._remove_node(
            self.tr("Delete"),
            self.tr("Delete “{n}”? This cannot be undone.").format(n=node.name),
            lambda: self.services.hierarchy.delete(node.kind, _id(node)),
        )

    def archive_node(self, node: TreeNode) -> None:
        if self.still_checking():
            return
        self._remove_node(
            self.tr("Archive"),
            self.tr("Archive “{n}”? It disappears from the lists; its history is kept.").format(
                n=node.name
            ),
            lambda: self.services.hierarchy.archive(node.kind, _id(node)),
        )

    def _remove_node(self, title: str, question: str, action: Callable[[], Any]) -> None:
        answer = QMessageBox.question(self.window, title, question)
        if answer == QMessageBox.StandardButton.Yes and self.guard(action):
            self.window.tree.forget_current()
            self.notify(Changes(hierarchy=True))


def _id(node: TreeNode) -> int:
    """Every node but the root has an id; the menus offer these only below it."""
    assert node.id is not None
    return node.id
