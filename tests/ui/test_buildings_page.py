"""The 楼栋图 page (issue 20) through the window: a building group's rooms as cells,
arrow keys between rooms, Enter and a click open the household dialog, a message
above the building groups, the colour switch, and a change that reloads it."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest

from gridvisit.core.services import Services
from gridvisit.core.services.buildings import VisitState
from gridvisit.ui.dialogs.edit_dialogs import HouseholdDialog
from gridvisit.ui.main_window import MainWindow
from gridvisit.ui.pages.buildings import HOUSE_COLOURS, VISIT_COLOURS
from tests.ui.conftest import on_next_modal


def _show(qtbot, window: MainWindow, key: str):  # type: ignore[no-untyped-def]
    window.tree.select_key(key)
    qtbot.waitUntil(window.is_loaded, timeout=10_000)
    window.findChild(QAction, "action_page_buildings").trigger()
    qtbot.waitUntil(window.is_loaded, timeout=10_000)
    return window.buildings


def _a_group(window: MainWindow) -> str:
    return next(k for k in window.tree.node_keys() if k.startswith("building_group:"))


def _a_late_group(window: MainWindow) -> str:
    """A building group with a household past its visit date (the demo's working
    grids have few, so not every group has one)."""
    return next(
        k
        for k in window.tree.node_keys()
        if k.startswith("building_group:") and window.tree.node(k).counts.overdue_visits
    )


def test_every_household_of_the_group_is_a_cell(
    qtbot, window: MainWindow, services: Services
) -> None:  # type: ignore[no-untyped-def]
    key = _a_group(window)
    page = _show(qtbot, window, key)
    view = page.chart_view
    group_id = int(key.split(":")[1])
    rows = services.workspace.household_rows(window.tree.node(key).scope)
    shown = {r.household_id for b in view.boxes for r in b.cell.items}
    assert shown == {r.id for r in rows}
    assert page.stack.currentWidget() is page.scroller
    assert page.title.text() == window.tree.node(key).name
    chart = services.buildings.chart(group_id)
    assert f"{len(chart.rooms)}" in page.summary.text()
    # Coloured by house status (四色) at first.
    room = view.current_room()
    assert room is not None and room.house_status
    assert page.by_house.isChecked()
    assert view.colour(room) == HOUSE_COLOURS[room.house_status]
    assert "自住" in page.legend.text() and "出租" in page.legend.text()
    tip = view.describe(view.boxes[view.current].cell)
    assert room.address in tip and room.head in tip


def test_arrow_keys_move_between_rooms_and_enter_opens_the_household(
    qtbot, window: MainWindow
) -> None:  # type: ignore[no-untyped-def]
    page = _show(qtbot, window, _a_group(window))
    view = page.chart_view
    view.setFocus()
    start = view.current
    here = view.boxes[start].rect
    QTest.keyClick(view, Qt.Key.Key_Right)
    right = view.boxes[view.current].rect
    assert right.left() > here.left() and right.top() == here.top()
    QTest.keyClick(view, Qt.Key.Key_Left)
    assert view.current == start
    QTest.keyClick(view, Qt.Key.Key_Down)
    below = view.boxes[view.current].rect
    assert below.top() > here.top() and below.left() == here.left()
    QTest.keyClick(view, Qt.Key.Key_Up)
    assert view.current == start
    # Move to a room with a household and open it with Enter.
    room = view.current_room()
    assert room is not None
    seen: dict[str, str] = {}

    def check(dialog: HouseholdDialog) -> None:
        seen["room"] = dialog.room.text()
        seen["building"] = dialog.building.text()

    state = on_next_modal(check)
    QTest.keyClick(view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "room" in seen, timeout=5000)
    assert (seen["building"], seen["room"]) == (room.building, room.room)
    assert state["left_open"]  # the handler looked and left it: rejected, nothing saved


def test_a_click_opens_the_household(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    page = _show(qtbot, window, _a_group(window))
    view = page.chart_view
    index = max(i for i, b in enumerate(view.boxes) if b.cell.items)
    target = view.boxes[index]
    seen: list[str] = []
    on_next_modal(lambda d: seen.append(d.room.text()))
    QTest.mouseClick(view, Qt.MouseButton.LeftButton, pos=target.rect.center())
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    assert seen == [target.cell.items[0].room]
    assert view.current == index


def test_above_a_building_group_the_page_asks_for_one(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    page = _show(qtbot, window, "root")
    assert page.stack.currentWidget() is page.message
    assert "楼栋党小组" in page.message.text()
    assert not page.print_chart.isEnabled()
    assert page.chart_view.boxes == []


def test_colour_switch(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    page = _show(qtbot, window, _a_late_group(window))
    view = page.chart_view
    page.by_visit.setChecked(True)
    overdue = next(
        b for b in view.boxes if b.cell.items and b.cell.items[0].state is VisitState.OVERDUE
    )
    assert view.colour(overdue.cell.items[0]) == VISIT_COLOURS[VisitState.OVERDUE]
    assert "超期" in page.legend.text() or "overdue" in page.legend.text()
    assert QPoint(0, 0) != overdue.rect.center()


def test_a_visit_recorded_elsewhere_recolours_the_room(
    qtbot, window: MainWindow, services: Services
) -> None:  # type: ignore[no-untyped-def]
    from gridvisit.core.records import VisitInput
    from gridvisit.ui.changes import Changes

    page = _show(qtbot, window, _a_late_group(window))
    view = page.chart_view
    late = next(r for b in view.boxes for r in b.cell.items if r.state is VisitState.OVERDUE)
    services.visits.record(VisitInput(late.household_id, services.ctx.now()))
    window.hub.notify(Changes(households=frozenset({late.household_id}), visits=True))
    qtbot.waitUntil(window.is_loaded, timeout=10_000)
    assert page.select_household(late.household_id)
    fresh = view.current_room()
    assert fresh is not None and fresh.state is VisitState.VISITED and not fresh.overdue


def test_the_prints_open_in_a_preview(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    from gridvisit.ui.dialogs.print_preview import PdfPreviewDialog

    page = _show(qtbot, window, _a_group(window))
    seen: list[tuple[str, int, bool, str]] = []

    def look(dialog: PdfPreviewDialog) -> None:
        qtbot.waitUntil(dialog.is_ready, timeout=20_000)
        seen.append(
            (
                dialog.windowTitle(),
                dialog.document.pageCount(),
                dialog.full_names.isVisibleTo(dialog),
                dialog.file_name,
            )
        )

    for button in (page.print_chart, page.print_sweep, page.print_card):
        state = on_next_modal(look)
        button.click()
        assert state["left_open"]  # looked at, then closed
    titles = [s[0] for s in seen]
    assert titles == ["楼栋图", "走访清单", "一户一档"]
    assert all(pages >= 1 for _t, pages, _f, _n in seen)
    assert [f for _t, _p, f, _n in seen] == [False, True, True]  # no names on the chart
    assert seen[0][3].endswith("楼栋图.pdf") and seen[2][3].startswith("一户一档_")
