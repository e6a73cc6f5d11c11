"""The real main window, driven as a user would: tree, search, visit dialog,
problem workflow, due visits, remembered layout."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QMenu
from sqlalchemy import func, select

from gridvisit.core.enums import EventKind, ProblemStatus, Satisfaction
from gridvisit.core.search import initials
from gridvisit.core.services import Services
from gridvisit.storage.models import Problem, Visit
from gridvisit.ui.dialogs.problem_action import ProblemActionDialog
from gridvisit.ui.dialogs.visit_dialog import VisitDialog
from gridvisit.ui.main_window import NODE_ROLE, MainWindow
from tests.ui.conftest import on_next_modal


def _select_node(qtbot, window: MainWindow, key: str) -> None:  # type: ignore[no-untyped-def]
    window.tree.select_key(key)
    qtbot.waitUntil(window.is_loaded, timeout=10_000)


def _a_group(window: MainWindow) -> str:
    return next(k for k in window.tree.node_keys() if k.startswith("building_group:"))


def _menu_command(window: MainWindow, node, text: str) -> None:  # type: ignore[no-untyped-def]
    """Run the command `text` of `node`'s menu in the tree (right click)."""
    menu = QMenu(window)
    window.hierarchy_actions.fill_menu(menu, node)
    next(a for a in menu.actions() if a.text() == text).trigger()
    menu.deleteLater()


def _count(services: Services, model: type) -> int:
    with services.ctx.read() as s:
        return int(s.scalar(select(func.count()).select_from(model)))


def test_window_is_chinese_and_shows_the_first_group(window: MainWindow) -> None:
    assert window.windowTitle() == "网格走访 — 入户走访管理"
    assert window.pages.tabText(0) == "住户"
    assert window.current_node is not None and window.current_node.kind == "building_group"
    rows = window.households.model.rowCount()
    assert rows == window.current_node.counts.households > 0
    assert window.households.detail_title.text().endswith("室")


def test_tree_counts_add_up(window: MainWindow) -> None:
    root = window.tree.node("root")
    assert root.counts.households == 240
    for community in root.children:
        assert community.counts.households == sum(g.counts.households for g in community.children)


def test_search_as_you_type(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    page = window.households
    _select_node(qtbot, window, "root")
    total = page.model.rowCount()
    target = page.model.row_at(37)
    query = initials(target.head)[0]  # e.g. "zs" for 张三
    QTest.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(page.search.hasFocus)
    QTest.keyClicks(page.search, query)
    shown = page.model.rows()
    assert 0 < len(shown) < total
    assert target.id in {r.id for r in shown}
    # Typed one key at a time (the filter narrows as it goes) and still exactly right.
    assert {r.id for r in shown} == {r.id for r in page.model.all_rows() if query in r.haystack}
    page.search.setText(target.room)
    assert all(target.room in r.haystack for r in page.model.rows())
    QTest.keyClick(page.search, Qt.Key.Key_Escape)
    assert page.search.text() == ""
    assert page.model.rowCount() == total


def test_log_visit_with_two_problems_updates_row_and_counts(
    qtbot,
    window: MainWindow,  # type: ignore[no-untyped-def]
    services: Services,
) -> None:
    page = window.households
    key = _a_group(window)
    _select_node(qtbot, window, key)
    row = page.model.row_at(0)
    page.table.selectRow(0)
    group_before = window.tree.node(key).counts.open_problems
    root_before = window.tree.node("root").counts.open_problems
    resets: list[int] = []
    page.model.modelReset.connect(lambda: resets.append(1))

    def fill(dialog: VisitDialog) -> None:
        assert dialog.method.currentText() == "入户"
        dialog.notes.setPlainText("老人身体尚可,叮嘱注意用电安全")
        for category, text in (("elevator", "电梯经常停运"), ("leak", "卫生间渗水")):
            problem = dialog.add_problem()
            problem.category.setCurrentIndex(problem.category.findData(category))
            problem.description.setText(text)
        QTest.qWait(50)  # let the dialog become the active window
        QTest.keyClick(dialog.notes, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    state = on_next_modal(fill)
    window.log_visit(row.id)
    assert not state["left_open"], "Ctrl+Enter did not save the visit"
    fresh = page.model.rows()[page.model.position_of(row.id)]
    assert fresh.open_problems == row.open_problems + 2
    assert fresh.last_visit is not None and fresh.last_visit > (
        row.last_visit or fresh.last_visit.min.replace(tzinfo=fresh.last_visit.tzinfo)
    )
    assert not fresh.overdue
    assert window.tree.node(key).counts.open_problems == group_before + 2
    assert window.tree.node("root").counts.open_problems == root_before + 2
    assert window.tree.index_of(key).siblingAtColumn(3).data() == str(group_before + 2)
    assert resets == []  # the table was not reloaded
    assert page.visits.rowCount() >= 1 and page.problems.rowCount() >= 2


def test_invalid_visit_shows_reason_and_saves_nothing(
    qtbot,
    window: MainWindow,  # type: ignore[no-untyped-def]
    services: Services,
) -> None:
    visits, problems = _count(services, Visit), _count(services, Problem)
    row = window.households.model.row_at(0)
    seen: dict[str, str] = {}

    def fill(dialog: VisitDialog) -> None:
        problem = dialog.add_problem()  # no category, no description
        dialog.save()
        seen["description"] = problem.description_error.text()
        seen["category"] = problem.category_error.text()
        seen["visible"] = str(problem.description_error.isVisible())
        seen["open"] = str(dialog.isVisible())
        QDialog.reject(dialog)  # skip the question: the test checks the errors only

    on_next_modal(fill)
    window.log_visit(row.id)
    assert seen == {
        "description": "问题描述不能为空",
        "category": "请选择问题类别",
        "visible": "True",
        "open": "True",
    }
    assert (_count(services, Visit), _count(services, Problem)) == (visits, problems)


def test_problem_through_the_whole_workflow(
    qtbot,
    window: MainWindow,  # type: ignore[no-untyped-def]
    services: Services,
) -> None:
    key = _a_group(window)
    _select_node(qtbot, window, key)
    row = window.households.model.row_at(1)

    def new_problem(dialog: VisitDialog) -> None:
        problem = dialog.add_problem()
        problem.category.setCurrentIndex(problem.category.findData("streetlight"))
        problem.description.setText("楼下路灯不亮")
        dialog.save()

    state = on_next_modal(new_problem)
    window.log_visit(row.id)
    assert not state["left_open"]
    window.pages.setCurrentIndex(1)
    qtbot.waitUntil(window.is_loaded, timeout=10_000)
    page = window.problems
    pid = max(p.id for p in page.model.rows())
    page.table.selectRow(page.model.position_of(pid))
    assert page.buttons[EventKind.ACCEPTED].isEnabled()
    assert not page.buttons[EventKind.RESOLVED].isEnabled()

    steps = [
        (
            EventKind.ACCEPTED,
            lambda d: (d.unit.setText("物业服务中心"), d.person.setText("王经理")),
        ),
        (EventKind.PROGRESS, lambda d: d.note.setPlainText("已报修")),
        (EventKind.ESCALATED, lambda d: d.note.setPlainText("物业无法解决")),
        (EventKind.ACCEPTED, lambda d: d.unit.setText("社区居委会")),
        (EventKind.RESOLVED, lambda d: d.note.setPlainText("已更换灯具")),
        (
            EventKind.RETURN_VISIT,
            lambda d: d.satisfaction.setCurrentIndex(
                d.satisfaction.findData(Satisfaction.SATISFIED)
            ),
        ),
    ]
    for kind, fill in steps:

        def act(dialog: ProblemActionDialog, fill=fill) -> None:
            fill(dialog)
            dialog.save()

        assert page.buttons[kind].isEnabled(), kind
        on_next_modal(act)
        page.buttons[kind].click()
        assert not isinstance(QApplication.activeModalWidget(), ProblemActionDialog)
    line = page.model.rows()[page.model.position_of(pid)]
    assert line.status is ProblemStatus.CLOSED
    assert page.events.rowCount() == 7  # created + six steps
    assert page.buttons[EventKind.REOPENED].isEnabled()
    assert not page.buttons[EventKind.ACCEPTED].isEnabled()
    assert services.problems.get(pid).satisfaction == "satisfied"


def test_empty_description_in_action_is_refused(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.pages.setCurrentIndex(1)
    qtbot.waitUntil(window.is_loaded, timeout=10_000)
    page = window.problems
    open_rows = [p for p in page.model.rows() if p.status is ProblemStatus.IN_PROGRESS]
    if not open_rows:
        return
    page.table.selectRow(page.model.position_of(open_rows[0].id))
    seen = {}

    def act(dialog: ProblemActionDialog) -> None:
        dialog.save()  # resolution left empty
        seen["error"] = dialog.errors.label("resolution").text()
        dialog.reject()

    on_next_modal(act)
    page.buttons[EventKind.RESOLVED].click()
    assert seen["error"] == "办理结果不能为空"


def test_due_page_lists_most_overdue_first_and_logs_a_visit(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    _select_node(qtbot, window, "root")
    window.pages.setCurrentIndex(2)
    qtbot.waitUntil(window.is_loaded, timeout=10_000)
    rows = window.due.model.rows()
    assert rows, "the demo data has households due this week"
    assert [r.days_overdue for r in rows] == sorted((r.days_overdue for r in rows), reverse=True)
    first = rows[0]

    def save(dialog: VisitDialog) -> None:
        dialog.save()

    on_next_modal(save)
    window.due.visit_button.click()
    qtbot.waitUntil(window.is_loaded, timeout=10_000)
    assert first.household_id not in {r.household_id for r in window.due.model.rows()}


def test_layout_and_last_node_are_remembered(
    qtbot,
    zh,
    services: Services,  # type: ignore[no-untyped-def]
    settings: QSettings,
) -> None:
    first = MainWindow(services, settings=settings)
    qtbot.addWidget(first)
    first.show()
    qtbot.waitUntil(first.is_loaded, timeout=10_000)
    keys = [k for k in first.tree.node_keys() if k.startswith("building_group:")]
    target = keys[-1]
    _select_node(qtbot, first, target)
    first.pages.setCurrentIndex(2)
    first.resize(900, 560)  # fits the offscreen virtual screen
    size = (first.width(), first.height())
    first.splitter.setSizes([250, 640])
    geometry = first.saveGeometry()
    splitter_state = first.splitter.saveState()
    first.close()
    assert settings.value("main/splitter") == splitter_state
    assert settings.value("main/geometry") == geometry

    second = MainWindow(services, settings=settings)
    qtbot.addWidget(second)
    second.show()
    qtbot.waitUntil(second.is_loaded, timeout=10_000)
    assert second.current_node.key == target
    assert second.tree.currentIndex().siblingAtColumn(0).data(NODE_ROLE) == target
    assert second.pages.currentIndex() == 2
    # Offscreen's virtual screen is 800 px wide and clamps restored widths; height fits.
    assert second.height() == size[1]


def test_models_pass_qtmodeltester(qtmodeltester, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    qtmodeltester.check(window.tree_model)
    qtmodeltester.check(window.households.model)
    qtmodeltester.check(window.households.residents)
    qtmodeltester.check(window.households.visits)
    window.pages.setCurrentIndex(1)
    qtmodeltester.check(window.problems.model)
    window.households.search.setText("1")  # a filtered model too
    qtmodeltester.check(window.households.model)


def test_edit_hierarchy_and_households(
    qtbot,
    window: MainWindow,
    services: Services,  # type: ignore[no-untyped-def]
    monkeypatch,
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from gridvisit.ui.dialogs.edit_dialogs import HouseholdDialog, NameDialog

    def name_it(text: str):  # type: ignore[no-untyped-def]
        def fill(dialog: NameDialog) -> None:
            dialog.name.setText(text)
            dialog.save()

        return fill

    # community -> grid -> building group through the tree's menu
    on_next_modal(name_it("测试社区"))
    _menu_command(window, window.tree.node("root"), "新建社区……")
    qtbot.waitUntil(lambda: any(n.name == "测试社区" for n in window.tree.nodes()))
    community = next(n for n in window.tree.nodes() if n.name == "测试社区")
    on_next_modal(name_it("测试网格"))
    _menu_command(window, community, "新建网格……")
    qtbot.waitUntil(lambda: any(n.name == "测试网格" for n in window.tree.nodes()))
    grid = next(n for n in window.tree.nodes() if n.name == "测试网格")
    on_next_modal(name_it("1号楼党小组"))
    _menu_command(window, grid, "新建楼栋党小组……")

    def new_group() -> str | None:
        grid_node = window.tree.node(f"grid:{grid.id}")
        return (
            next((c.key for c in grid_node.children if c.name == "1号楼党小组"), None)
            if grid_node
            else None
        )

    qtbot.waitUntil(lambda: new_group() is not None)
    group_key = new_group()
    _select_node(qtbot, window, group_key)
    assert window.households.model.rowCount() == 0
    assert "还没有住户" in window.households.empty.text()  # empty state explains what to do

    def new_household(dialog: HouseholdDialog) -> None:
        dialog.building.setText("1")
        dialog.unit.setText("2")
        dialog.room.setText("301")
        dialog.phone.setText("12345")  # invalid first
        dialog.save()
        assert dialog.isVisible()
        dialog.phone.setText("13812345678")
        dialog.save()

    on_next_modal(new_household)
    window.findChild(QAction, "action_new_household").trigger()
    assert [r.address for r in window.households.model.rows()] == ["1栋2单元301室"]
    assert window.tree.node(group_key).counts.households == 1
    assert window.tree.node(f"community:{community.id}").counts.households == 1

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: shown.append(text))
    _menu_command(window, window.tree.node(group_key), "删除……")
    assert shown and "不能删除" in shown[0]  # refused with the reason
    assert group_key in window.tree.node_keys()


def test_supervision_and_extension_from_the_problems_page(
    qtbot,
    window: MainWindow,  # type: ignore[no-untyped-def]
    services: Services,
) -> None:
    """督办 and 延期申请 through the page's buttons and the action dialog (issue 22)."""
    from datetime import timedelta

    from gridvisit.core.rules import limit_day
    from gridvisit.ui.dialogs.common import qdate

    _select_node(qtbot, window, "root")
    window.pages.setCurrentIndex(1)
    qtbot.waitUntil(window.is_loaded, timeout=10_000)
    page = window.problems
    line = next(p for p in page.model.rows() if p.status is ProblemStatus.IN_PROGRESS)
    page.table.selectRow(page.model.position_of(line.id))
    assert page.buttons[EventKind.SUPERVISE_RED].isVisible()  # an administrator
    assert not page.buttons[EventKind.EXTENSION_APPROVED].isEnabled()  # nothing to decide

    def red(dialog: ProblemActionDialog) -> None:
        dialog.note.setPlainText("限期办结")
        dialog.save()

    on_next_modal(red)
    page.buttons[EventKind.SUPERVISE_RED].click()
    fresh = page.row(line.id)
    assert fresh is not None and fresh.marks == (EventKind.SUPERVISE_RED,)
    column = next(
        c
        for c in range(page.model.columnCount())
        if page.model.headerData(c, Qt.Orientation.Horizontal) == "督办"
    )
    at = page.model.index(page.model.position_of(line.id), column)
    assert page.model.data(at) == "红牌督办"
    asked = limit_day(fresh.due_at) + timedelta(days=20)

    def extend(dialog: ProblemActionDialog) -> None:
        assert dialog.new_day is not None
        dialog.new_day.setDate(qdate(asked))
        dialog.note.setPlainText("需要采购配件")
        dialog.save()

    on_next_modal(extend)
    page.buttons[EventKind.EXTENSION_REQUESTED].click()
    fresh = page.row(line.id)
    assert fresh is not None and fresh.extension_pending
    assert page.model.data(at) == "红牌督办、延期待审批"
    assert page.buttons[EventKind.EXTENSION_APPROVED].isEnabled()
    assert not page.buttons[EventKind.EXTENSION_REQUESTED].isEnabled()
    assert services.problems.get(line.id).pending_extension is not None
    details = [page.events.data(page.events.index(r, 5)) for r in range(page.events.rowCount())]
    assert any(d.startswith(f"时限 {asked:%Y-%m-%d}") for d in details)
    deadline = page.model.data(page.model.index(page.model.position_of(line.id), column + 1))
    assert "个工作日" in deadline or "今日到期" in deadline


def test_an_administrator_enters_a_years_holidays(
    qtbot,
    window: MainWindow,  # type: ignore[no-untyped-def]
    services: Services,
) -> None:
    from gridvisit.core.workdays import WorkCalendar
    from gridvisit.ui.dialogs.workdays import CalendarDialog

    action = window.findChild(QAction, "action_calendar")
    assert action is not None and action.isVisible()  # the window's user is an admin
    seen: dict[str, str] = {}

    def fill(dialog: CalendarDialog) -> None:
        seen["warning"] = dialog.warning.text()
        dialog.year.setValue(2027)
        dialog.holidays.setPlainText("2027-01-01\n2027-02-0x")
        dialog.save()  # refused inline: the second date
        seen["error"] = dialog.errors.label("holidays").text()
        dialog.holidays.setPlainText("2027-01-01, 2027-02-06..2027-02-12")
        dialog.workdays.setPlainText("2027-02-14")
        dialog.save()

    on_next_modal(fill)
    action.trigger()
    assert "无法识别" in seen["error"]
    if not WorkCalendar().knows(2027):  # the package knew 2004-2026 when this was written
        assert "2027 年" in seen["warning"]
    schedule = services.calendar.calendar().schedule(2027)
    assert schedule is not None and len(schedule.holidays) == 8
    assert services.calendar.calendar().is_workday(date(2027, 2, 14))  # a Sunday worked
    assert services.calendar.status().entered == (2027,)
