"""A day's work in the window (issue 24): nothing off-screen at 1366x768, no typed work
lost, the keyboard path without surprises."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QEvent, QRect, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QDialog,
    QMessageBox,
    QWidget,
)
from sqlalchemy import select

from gridvisit.core.enums import EventKind
from gridvisit.core.records import ProblemInput
from gridvisit.core.services import Services
from gridvisit.storage.models import Grid, Household, Problem, ProblemEvent, Visit
from gridvisit.ui.dialogs import common
from gridvisit.ui.dialogs.problem_action import ProblemActionDialog
from gridvisit.ui.dialogs.visit_dialog import VisitDialog
from gridvisit.ui.main_window import MainWindow

# A 1366x768 screen less a 40-pixel taskbar: what a window may use on that laptop.
LAPTOP = QRect(0, 0, 1366, 728)


@pytest.fixture
def laptop_screen(monkeypatch: pytest.MonkeyPatch) -> QRect:
    monkeypatch.setattr(common, "available_area", lambda _widget: QRect(LAPTOP))
    return LAPTOP


def _first_household(services: Services) -> int:
    with services.ctx.read() as s:
        hid = s.scalars(select(Household.id).order_by(Household.id)).first()
    assert hid is not None
    return hid


def _visit_dialog(qtbot, services: Services, household_id: int | None = None) -> VisitDialog:  # type: ignore[no-untyped-def]
    hid = household_id or _first_household(services)
    residents = services.households.residents(hid)
    dialog = VisitDialog(services, services.workspace.reference(), hid, "1栋1单元101室", residents)
    return _shown(qtbot, dialog)


def _shown(qtbot, dialog):  # type: ignore[no-untyped-def]
    """Shown and active, so that keys typed at it reach it."""
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)
    return dialog


def _inside(area: QRect, widget: QWidget) -> bool:
    top_left = widget.mapToGlobal(widget.rect().topLeft())
    return area.contains(QRect(top_left, widget.size()))


def _all_dialogs(services: Services, window: MainWindow) -> Iterator[tuple[str, QWidget]]:
    from gridvisit.ui.dialogs.backups import BackupDialog
    from gridvisit.ui.dialogs.edit_dialogs import (
        ChoiceDialog,
        HouseholdDialog,
        NameDialog,
        ResidentDialog,
    )
    from gridvisit.ui.dialogs.exchange import ReviewDialog
    from gridvisit.ui.dialogs.security import (
        AuditDialog,
        ChangePasswordDialog,
        FirstAdminDialog,
        LoginDialog,
    )
    from gridvisit.ui.dialogs.weekly_report import WeeklyReportDialog

    reference = services.workspace.reference()
    hid = _first_household(services)

    def nothing(*_a: object) -> None:
        return None

    yield "main window", window
    yield (
        "visit",
        VisitDialog(services, reference, hid, "1栋", services.households.residents(hid)),
    )
    for kind in (
        EventKind.ACCEPTED,
        EventKind.PROGRESS,
        EventKind.ESCALATED,
        EventKind.RESOLVED,
        EventKind.RETURN_VISIT,
        EventKind.REOPENED,
    ):
        yield f"problem {kind.value}", ProblemActionDialog(services, 1, kind, "电梯停运" * 20)
    yield "household", HouseholdDialog(reference, nothing, title="住户")
    yield "resident", ResidentDialog(reference, nothing, title="居民")
    yield "choice", ChoiceDialog("移动", "移到", [("甲", 1)], nothing)
    yield "name", NameDialog("改名", "名称", nothing)
    yield "weekly list", WeeklyReportDialog(services)
    yield "audit log", AuditDialog(services)
    yield "merge review", ReviewDialog(services)
    yield "backups", BackupDialog(services)
    yield "login", LoginDialog("demo.db", nothing)  # type: ignore[arg-type]
    yield "first admin", FirstAdminDialog(nothing)  # type: ignore[arg-type]
    yield "change password", ChangePasswordDialog(services)


def test_every_dialog_fits_a_1366x768_screen(
    qtbot,
    laptop_screen: QRect,
    window: MainWindow,
    services: Services,  # type: ignore[no-untyped-def]
) -> None:
    from gridvisit.ui.dialogs.common import fit_to_screen

    fit_to_screen(window, 1400, 860)  # as at start-up, without a remembered geometry
    for name, dialog in _all_dialogs(services, window):
        if dialog is not window:
            qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        # Offscreen windows have no frame: leave room for a window manager's title bar.
        framed = dialog.frameGeometry().adjusted(0, 0, 0, 32)
        assert laptop_screen.contains(framed), (name, framed)
        hint = dialog.minimumSizeHint()
        assert hint.width() <= LAPTOP.width() and hint.height() <= LAPTOP.height(), (name, hint)
        for button in dialog.findChildren(QAbstractButton):
            if button.isVisible():
                assert _inside(laptop_screen, button), (name, button.text())
        if dialog is not window:
            dialog.close()
    qtbot.waitUntil(window.is_loaded, timeout=10_000)


# -- problem workflow dialogs --------------------------------------------------------


def _tab_chain(qtbot, dialog: QDialog, steps: int) -> list[QWidget]:  # type: ignore[no-untyped-def]
    chain = [QApplication.focusWidget()]
    for _ in range(steps):
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        chain.append(QApplication.focusWidget())
    return chain


def _type(text: str) -> None:
    """Type `text` into whatever has the focus, as key presses (QTest.keyClicks takes
    ASCII only)."""
    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, char)
            QApplication.sendEvent(QApplication.focusWidget(), event)


def _open_action(qtbot, services: Services, kind: EventKind) -> ProblemActionDialog:  # type: ignore[no-untyped-def]
    # A fresh problem 待受理: the demo, like a working office, may have none waiting.
    with services.ctx.read() as s:
        grid = s.scalars(select(Grid.id).order_by(Grid.id)).first()
    assert grid is not None
    problem = ProblemInput("elevator", "电梯停运", location="1栋门口")
    pid = services.problems.report(grid, problem).id
    return _shown(qtbot, ProblemActionDialog(services, pid, kind, "电梯停运"))


@pytest.mark.parametrize(
    ("kind", "fields"),
    [
        (EventKind.ACCEPTED, ["unit", "person", "note"]),
        (EventKind.RETURN_VISIT, ["satisfaction", "note"]),
        (EventKind.RESOLVED, ["note"]),
        (EventKind.PROGRESS, ["note"]),
        (EventKind.ESCALATED, ["note"]),
        (EventKind.REOPENED, ["note"]),
    ],
)
def test_problem_dialog_tab_order_holds_only_its_fields(
    qtbot, zh, services: Services, kind: EventKind, fields: list[str]
) -> None:  # type: ignore[no-untyped-def]
    dialog = _open_action(qtbot, services, kind)
    expected = [getattr(dialog, f) for f in fields]
    chain = _tab_chain(qtbot, dialog, len(fields) + 1)
    assert chain[: len(fields)] == expected
    buttons = [w for w in chain[len(fields) :]]
    assert all(isinstance(b, QAbstractButton) for b in buttons), buttons
    assert {b.text() for b in buttons} == {"确定", "取消"}
    # Nothing unused lurks in the dialog: a 满意 box only where it is asked for.
    combos = dialog.findChildren(QComboBox)
    assert len(combos) == (1 if kind is EventKind.RETURN_VISIT else 0)


def test_accept_keeps_every_typed_word(qtbot, zh, services: Services) -> None:  # type: ignore[no-untyped-def]
    dialog = _open_action(qtbot, services, EventKind.ACCEPTED)
    pid = dialog.problem_id
    _type("物业服务中心")
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    _type("李经理")
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    _type("明天上午来修")
    QTest.keyClick(
        QApplication.focusWidget(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier
    )
    assert dialog.result_problem is not None
    with services.ctx.read() as s:
        note = s.scalars(
            select(ProblemEvent.note)
            .where(ProblemEvent.problem_id == pid, ProblemEvent.kind == "accepted")
            .order_by(ProblemEvent.id.desc())
        ).first()
    assert note is not None and "明天上午来修" in note
    assert dialog.result_problem.assigned_unit == "物业服务中心"


# -- the visit dialog ------------------------------------------------------------------


def _answer_next_box(choice: str, seen: list[str]) -> None:
    """Click the button labelled `choice` on the next message box."""

    def poll() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, poll)
            return
        seen.append(box.text())
        for button in box.buttons():
            if button.text() == choice:
                button.click()
                return
        raise AssertionError(f"no button {choice!r} in {[b.text() for b in box.buttons()]}")

    QTimer.singleShot(0, poll)


def _count(services: Services, model: type) -> int:
    from sqlalchemy import func

    with services.ctx.read() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_visit_dialog_opens_on_the_notes_and_alt_a_adds_a_problem(
    qtbot, zh, services: Services
) -> None:  # type: ignore[no-untyped-def]
    dialog = _visit_dialog(qtbot, services)
    assert QApplication.focusWidget() is dialog.notes
    QTest.keyClick(dialog.notes, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)
    assert len(dialog.problem_rows) == 1
    assert QApplication.focusWidget() is dialog.problem_rows[0].category
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)
    assert len(dialog.problem_rows) == 2
    QDialog.reject(dialog)  # close without the question about the typed problems


def test_esc_with_nothing_typed_closes_at_once(qtbot, zh, services: Services) -> None:  # type: ignore[no-untyped-def]
    dialog = _visit_dialog(qtbot, services)
    QTest.keyClick(dialog.notes, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_esc_asks_before_discarding_and_keeps_a_draft(qtbot, zh, services: Services) -> None:  # type: ignore[no-untyped-def]
    hid = _first_household(services)
    visits = _count(services, Visit)
    dialog = _visit_dialog(qtbot, services, hid)
    _type("老人腿脚不便")
    row = dialog.add_problem()
    row.category.setCurrentIndex(row.category.findData("elevator"))
    row.description.setText("电梯坏了")
    asked: list[str] = []

    _answer_next_box("继续填写", asked)
    QTest.keyClick(dialog.notes, Qt.Key.Key_Escape)
    assert asked and dialog.isVisible() and dialog.notes.toPlainText() == "老人腿脚不便"

    _answer_next_box("存为草稿", asked)
    QTest.keyClick(dialog.notes, Qt.Key.Key_Escape)
    assert len(asked) == 2 and not dialog.isVisible()
    assert _count(services, Visit) == visits

    again = _visit_dialog(qtbot, services, hid)
    assert again.notes.toPlainText() == "老人腿脚不便"
    assert [r.description.text() for r in again.problem_rows] == ["电梯坏了"]
    assert again.problem_rows[0].category.currentData() == "elevator"
    assert again.draft_banner.isVisible()
    again.save()
    assert again.saved is not None
    # Saved: the draft is gone.
    assert services.visits.draft(hid) is None


def test_cancel_can_discard(qtbot, zh, services: Services) -> None:  # type: ignore[no-untyped-def]
    hid = _first_household(services)
    dialog = _visit_dialog(qtbot, services, hid)
    dialog.notes.setPlainText("不要了")
    asked: list[str] = []
    _answer_next_box("放弃", asked)
    dialog.reject()
    assert asked and not dialog.isVisible()
    assert services.visits.draft(hid) is None


def test_a_fixed_field_loses_its_error(qtbot, zh, services: Services) -> None:  # type: ignore[no-untyped-def]
    dialog = _visit_dialog(qtbot, services)
    row = dialog.add_problem()
    dialog.save()
    assert row.description_error.isVisible() and row.category_error.isVisible()
    row.description.setText("楼道灯坏了")
    assert not row.description_error.isVisible()
    assert row.description.styleSheet() == ""
    assert row.category_error.isVisible()  # still wrong
    row.category.setCurrentIndex(1)
    assert not row.category_error.isVisible()
    QDialog.reject(dialog)


def test_draft_lives_in_the_database_not_a_file(services: Services, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from gridvisit.storage.models import Setting

    hid = _first_household(services)
    services.visits.save_draft(hid, {"notes": "身份证 110105194912310021"})
    with services.ctx.read() as s:
        keys = [k for k in s.scalars(select(Setting.key)) if k.startswith("draft.visit")]
    assert keys == [f"draft.visit.{services.ctx.actor.user_id}.{hid}"]
    assert not any(p.suffix in {".json", ".txt"} for p in tmp_path.rglob("*"))


# -- the households and due pages ------------------------------------------------------


def _root(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.tree.select_key("root")
    qtbot.waitUntil(window.is_loaded, timeout=10_000)


def test_keyboard_path_search_enter_ctrl_n_notes_ctrl_enter(
    qtbot, window: MainWindow, services: Services
) -> None:  # type: ignore[no-untyped-def]
    _root(qtbot, window)
    page = window.households
    target = page.model.row_at(5)
    visits = _count(services, Visit)
    window.activateWindow()
    QTest.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(page.search.hasFocus)
    _type(target.address)
    qtbot.waitUntil(lambda: page.model.is_filter_finished())
    QTest.keyClick(page.search, Qt.Key.Key_Return)
    assert page.table.hasFocus()
    seen: dict[str, object] = {}

    def write(dialog: QWidget) -> None:
        assert isinstance(dialog, VisitDialog)
        qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)
        seen["on_notes"] = QApplication.focusWidget() is dialog.notes
        _type("门口交谈,一切正常")
        QTest.keyClick(
            QApplication.focusWidget(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier
        )

    from tests.ui.conftest import on_next_modal

    state = on_next_modal(write)
    QTest.keyClick(page.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: _count(services, Visit) == visits + 1, timeout=5000)
    assert not state["left_open"]
    assert seen["on_notes"] is True
    assert page.current_id() is not None
    with services.ctx.read() as s:
        note = s.scalars(select(Visit.notes).order_by(Visit.id.desc())).first()
    assert note == "门口交谈,一切正常"


def test_down_from_search_goes_to_results_and_tab_leaves_the_table(
    qtbot, window: MainWindow
) -> None:  # type: ignore[no-untyped-def]
    page = window.households
    window.activateWindow()
    page.focus_search()
    qtbot.waitUntil(page.search.hasFocus)
    first = page.current_id()
    QTest.keyClick(page.search, Qt.Key.Key_Down)
    assert page.table.hasFocus()
    assert page.current_id() != first
    QTest.keyClick(page.table, Qt.Key.Key_Tab)
    assert not page.table.hasFocus()


def test_search_finds_the_grid_and_the_table_names_it(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    _root(qtbot, window)
    page = window.households
    grids = {r.grid for r in page.model.all_rows()}
    assert len(grids) > 1 and "" not in grids
    name = sorted(grids)[0]
    word = name[:2]  # e.g. "锦绣" for 锦绣花园网格
    page.search.setText(word)
    qtbot.waitUntil(page.model.is_filter_finished)
    shown = page.model.rows()
    assert shown and all(word in r.grid or word in r.haystack for r in shown)
    assert {r.id for r in page.model.all_rows() if r.grid == name} <= {r.id for r in shown}
    assert page.model.headerData(1, Qt.Orientation.Horizontal) == "网格"


def test_full_numbers_without_a_resident_says_so(
    qtbot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    said: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "information", staticmethod(lambda _p, _t, text: said.append(text))
    )
    page = window.households
    page.resident_table.clearSelection()
    page.resident_table.setCurrentIndex(page.residents.index(-1, -1))
    page.reveal_button.click()
    assert said and "选中" in said[0]


def test_due_page_names_the_head_and_phone(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    _root(qtbot, window)
    window.pages.setCurrentIndex(2)
    qtbot.waitUntil(window.is_loaded, timeout=10_000)
    model = window.due.model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert "户主" in headers and "电话" in headers and "超期/剩余" in headers
    rows = model.rows()
    assert rows and sum(1 for r in rows if r.head) >= len(rows) * 0.9
    phone = model.index(0, headers.index("电话")).data()
    assert not phone or "****" in phone


def test_problems_page_names_the_grid_of_each_problem(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    """Four 1栋1单元101室 from four compounds read the same: the grid tells them apart."""
    _root(qtbot, window)
    window.pages.setCurrentIndex(1)
    qtbot.waitUntil(window.is_loaded, timeout=10_000)
    # Every status: the few open problems of a small demo may all be in one grid.
    statuses = window.problems.status
    statuses.setCurrentIndex(statuses.count() - 1)  # 全部状态, the last choice
    qtbot.waitUntil(window.is_loaded, timeout=10_000)
    model = window.problems.model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert "网格" in headers
    rows = model.rows()
    grids = {model.index(i, headers.index("网格")).data() for i in range(len(rows))}
    assert len(grids) > 1 and "" not in grids and None not in grids


def test_same_id_number_in_a_second_household_warns(
    qtbot, window: MainWindow, services: Services
) -> None:  # type: ignore[no-untyped-def]
    from gridvisit.core.records import ResidentInput
    from gridvisit.storage.models import Resident

    with services.ctx.read() as s:
        _rid, hid, number = s.execute(
            select(Resident.id, Resident.household_id, Resident.id_number).where(
                Resident.id_number != ""
            )
        ).first()
        other = s.scalars(select(Household.id).where(Household.id != hid)).first()
    hs = services.households
    hs.add_resident(other, ResidentInput(name="王五", id_number=number, relation="租户"))
    assert hs.last_warnings, "no warning for an ID number already in another household"
    text = hs.last_warnings[-1]
    address = hs.get(hid).address
    assert address in text and number not in text and "迁出" in text


# -- the audit log and the clock -------------------------------------------------------

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-")


def test_audit_log_reads_in_chinese_with_names(qtbot, zh, services: Services) -> None:  # type: ignore[no-untyped-def]
    from gridvisit.core.records import ProblemInput, ResidentInput, VisitInput
    from gridvisit.core.services.audit import AuditFilter

    hid = _first_household(services)
    when = services.ctx.now()
    services.visits.record(
        VisitInput(
            hid, when, "in_person", "routine", "谈话", (),
            (ProblemInput("elevator", "电梯坏了", "normal", "grid"),),
        )
    )  # fmt: skip
    with services.ctx.read() as s:
        pid = s.scalars(select(Problem.id).order_by(Problem.id.desc())).first()
    services.problems.accept(pid, "物业", "李经理", "明天修")
    services.households.add_resident(hid, ResidentInput(name="赵六", relation="租户"))
    lines = services.audit_log.entries(AuditFilter())
    mine = {line.action: line for line in lines[:6]}
    assert {"visit.record", "problem.accepted", "resident.add"} <= set(mine)
    address = services.households.get(hid).address
    for line in lines[:6]:
        assert not re.search(r"[A-Za-z]", line.action_label), line.action_label
        assert "=" not in line.what and not _UUID.search(line.what), line.what
        assert not re.search(r"\b(household|method|from_status|to_status|level)\b", line.what)
    assert address in mine["visit.record"].what and "入户" in mine["visit.record"].what
    assert "待受理" in mine["problem.accepted"].what and "办理中" in mine["problem.accepted"].what
    assert "赵*" in mine["resident.add"].what and address in mine["resident.add"].what

    from gridvisit.ui.dialogs.security import AuditDialog

    dialog = AuditDialog(services)
    qtbot.addWidget(dialog)
    texts = [dialog.model.index(r, 3).data() for r in range(dialog.model.rowCount())]
    assert "登记走访" in texts and "问题受理派单" in texts


def test_dates_default_to_beijing_today_on_a_utc_laptop(qtbot, zh, services: Services) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from gridvisit.ui.dialogs.security import AuditDialog

    # 20:30 UTC on the 18th is 04:30 on the 19th in Beijing.
    services.ctx.clock = lambda: datetime(2026, 11, 18, 20, 30, tzinfo=UTC)
    dialog = AuditDialog(services)
    qtbot.addWidget(dialog)
    assert dialog.date_to.date().toPython() == datetime(2026, 11, 19).date()


def test_backups_are_named_in_beijing_time(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    import time
    from datetime import datetime, timedelta

    from gridvisit.core.clock import LOCAL_TZ
    from gridvisit.storage import open_database
    from gridvisit.storage.backups import Reason, create_backup

    db = open_database(tmp_path / "grid.db", create=True)
    db.dispose()
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:
        made = create_backup(tmp_path / "grid.db", None, Reason.MANUAL)
    finally:
        monkeypatch.undo()
        time.tzset()
    beijing = datetime.now(LOCAL_TZ).replace(tzinfo=None)
    assert abs(made.taken_at - beijing) < timedelta(minutes=2)
    assert made.path.name.startswith(f"grid-{made.taken_at:%Y%m%d-%H%M}")


def test_file_dialogs_are_chinese_and_open_in_documents(qtbot, zh, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QLabel

    from gridvisit.ui import files

    folder = files.start_folder("never-used-before")
    assert folder == files.documents_folder()
    dialog = files.file_dialog(None, "合并数据包", folder, "数据包 (*.gvpkg)")
    qtbot.addWidget(dialog)
    dialog.show()
    look_in = dialog.findChild(QLabel, "lookInLabel")
    types = dialog.findChild(QLabel, "fileTypeLabel")
    assert look_in is not None and look_in.text() == "查找范围(&L)："
    assert types is not None and types.text() == "文件类型(&T)："
    assert isinstance(dialog.iconProvider(), files.NameOnlyIconProvider)
    dialog.close()


# -- correcting and deleting a visit ---------------------------------------------------


def test_a_visit_opens_from_the_history_and_can_be_corrected_and_deleted(
    qtbot, window: MainWindow, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from gridvisit.storage.models import AuditEntry

    page = window.households
    hid = page.current_id()
    assert hid is not None and page.visits.rowCount() > 0
    first = page.visits.row_at(0)
    with services.ctx.read() as s:
        before = s.get(Visit, first.id)
        version = before.version
    seen: dict[str, object] = {}

    def correct(dialog: QWidget) -> None:
        assert isinstance(dialog, VisitDialog)
        seen["notes"] = dialog.notes.toPlainText()
        dialog.notes.setPlainText("更正:老人住院了")
        dialog.save()

    from tests.ui.conftest import on_next_modal

    on_next_modal(correct)
    page.visit_table.doubleClicked.emit(page.visits.index(0, 0))
    assert seen["notes"] == first.notes  # the full note, not a tooltip
    with services.ctx.read() as s:
        after = s.get(Visit, first.id)
        assert after.notes == "更正:老人住院了" and after.version == version + 1
        action, detail = s.execute(
            select(AuditEntry.action, AuditEntry.detail).order_by(AuditEntry.id.desc())
        ).first()
    assert action == "visit.update" and detail == {"fields": ["notes"]}
    assert page.visits.row_at(0).notes == "更正:老人住院了"

    count = page.visits.rowCount()
    monkeypatch.setattr(QMessageBox, "question", lambda *_a: QMessageBox.StandardButton.Yes)
    on_next_modal(lambda dialog: dialog.delete_button.click())
    page.visit_table.doubleClicked.emit(page.visits.index(0, 0))
    assert page.visits.rowCount() == count - 1
    with services.ctx.read() as s:
        gone = s.get(Visit, first.id)
        assert gone.archived and gone.version == version + 2
    assert "删除" in window.status_text.text()


# -- set-up ----------------------------------------------------------------------------


def test_f1_opens_the_chinese_user_guide(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    from gridvisit.ui.dialogs.guide import GuideDialog

    window.activateWindow()
    QTest.keyClick(window, Qt.Key.Key_F1)
    guide = next(w for w in QApplication.topLevelWidgets() if isinstance(w, GuideDialog))
    qtbot.addWidget(guide)
    assert guide.isVisible() and "入户走访" in guide.browser.toPlainText()
    assert guide.windowTitle() == "使用说明"


def test_package_is_named_after_its_grids_and_computer(services: Services, tmp_path) -> None:  # type: ignore[no-untyped-def]
    services.keys.create(tmp_path / "a.pub", "和平/社区 网格电脑:A")
    name = services.exchange.default_package_name()
    with services.ctx.read() as s:
        from gridvisit.storage.models import Grid

        first = s.scalars(select(Grid.name).order_by(Grid.id)).first()
    assert name.startswith(first) and name.endswith(".gvpkg")
    assert "_和平_社区_网格电脑_A_" in name
    assert not any(c in name for c in '/\\:*?"<>| ')


def test_key_guide_walks_a_laptop_through_the_steps(
    qtbot, zh, services: Services, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from gridvisit.exchange import keys
    from gridvisit.storage import open_database
    from gridvisit.ui.dialogs.key_setup import KeySetupDialog

    sub = open_database(tmp_path / "sub.db", create=True)
    keys.write_public_file(sub, tmp_path / "sub.pub", "同安街道")
    sub.dispose()
    calls: list[str] = []

    class Steps:
        def export_public_key(self) -> None:
            calls.append("export")

        def trust_subdistrict(self) -> None:
            calls.append("trust")
            services.keys.trust_subdistrict(tmp_path / "sub.pub")

        def devices(self) -> None:
            calls.append("register")

    dialog = KeySetupDialog(services, Steps())
    qtbot.addWidget(dialog)
    # A new database opened by a sub-district admin is taken for the sub-district's;
    # the clerk of a laptop says otherwise.
    assert dialog.subdistrict
    assert dialog.import_button.text() == "2. 登记网格电脑…"
    dialog.side.setCurrentIndex(dialog.side.findData(False))
    assert "尚未完成" in dialog.other.text()
    assert dialog.import_button.text() == "2. 导入街道公钥…"
    dialog.export_button.click()
    dialog.import_button.click()
    assert calls == ["export", "trust"]
    assert "已完成" in dialog.other.text() and "同安街道" in dialog.other.text()
    # Trusting the sub-district's key marks a laptop: the guide opens on its side.
    again = KeySetupDialog(services, Steps())
    qtbot.addWidget(again)
    assert not again.subdistrict


def test_key_guide_leaves_trust_to_an_administrator(
    qtbot, zh, services: Services, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from gridvisit.core.access import Action
    from gridvisit.ui.dialogs.key_setup import KeySetupDialog

    monkeypatch.setattr(services.ctx, "can", lambda action: action is not Action.MANAGE_DEVICES)
    dialog = KeySetupDialog(services, object())
    qtbot.addWidget(dialog)
    assert dialog.export_button.isEnabled()
    assert not dialog.import_button.isEnabled()
    assert "管理员" in dialog.other.text()


def test_one_app_name_at_login_and_in_the_window(qtbot, zh, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    from gridvisit.ui.dialogs.security import LoginDialog

    login = LoginDialog("demo.db", lambda *_a: None)  # type: ignore[arg-type,return-value]
    qtbot.addWidget(login)
    name = window.windowTitle().split(" — ")[0]
    assert name == "网格走访" and name in login.windowTitle()
    assert "gridvisit" not in login.windowTitle()
