"""Issue 20 in the window: 迁入/迁出… records a move; the resident leaves the member list
and the row's count and shows greyed in the 迁入迁出 tab; 设置 → 走访等级 opens."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction

from gridvisit.core.services import Services
from gridvisit.ui.dialogs.edit_dialogs import MoveDialog
from gridvisit.ui.dialogs.tiers import TierDialog
from gridvisit.ui.main_window import MainWindow
from tests.ui.conftest import on_next_modal


def test_moving_a_resident_out_from_the_detail_panel(
    qtbot,
    window: MainWindow,  # type: ignore[no-untyped-def]
    services: Services,
) -> None:
    page = window.households
    index = next(i for i, r in enumerate(page.model.rows()) if r.members >= 2)
    page.table.selectRow(index)
    row = page.model.row_at(index)
    qtbot.waitUntil(lambda: page.residents.rowCount() == row.members, timeout=5000)
    page.resident_table.selectRow(page.residents.rowCount() - 1)
    leaving = page.residents.row_at(page.residents.rowCount() - 1)

    def fill(dialog: MoveDialog) -> None:
        assert dialog.kind.currentText() == "迁出"
        dialog.note.setText("到外地工作")
        dialog.save()

    state = on_next_modal(fill)
    page.remove_resident_button.click()
    assert not state["left_open"]
    qtbot.waitUntil(lambda: page.residents.rowCount() == row.members - 1, timeout=5000)
    assert leaving.name not in [r.name for r in page.residents.rows()]
    fresh = page.model.rows()[page.model.position_of(row.id)]
    assert fresh.members == row.members - 1
    history = page.history.rows()
    assert [(h.what, h.name, h.note) for h in history if not h.key.startswith("r")] == [
        ("迁出", leaving.name, "到外地工作")
    ]
    greyed = page.history.index(0, 1).data(Qt.ItemDataRole.ForegroundRole)
    assert greyed is not None  # the one who left is shown greyed
    assert page.tabs.tabText(3) == "迁入迁出(1)"


def test_visit_tiers_open_from_the_settings_menu(
    qtbot,
    window: MainWindow,  # type: ignore[no-untyped-def]
) -> None:
    seen: dict[str, object] = {}

    def look(dialog: TierDialog) -> None:
        seen["tiers"] = [box.text() for box in dialog.names.values()]
        dialog.reject()

    on_next_modal(look)
    window.findChild(QAction, "action_visit_tiers").trigger()
    assert seen["tiers"] == ["重点", "关注", "一般", "半年", "年"]
