"""The problems page on its own: working-day limits, the Monday-to-Friday warning
past the known schedule, 督办 marks and supervisors' buttons (issue 22)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from gridvisit.core.enums import EventKind, HandlingLevel, ProblemStatus
from gridvisit.core.rules import due_at_for_day
from gridvisit.core.services.workspace import ProblemLine
from gridvisit.core.workdays import WorkCalendar
from gridvisit.ui.pages.problems import ProblemsPage


def _line(pid: int, due: date, **kw: object) -> ProblemLine:
    return ProblemLine(
        pid, datetime(2030, 12, 20, 2, tzinfo=UTC), "环境卫生", "垃圾未清运", "较急",
        HandlingLevel.GRID, ProblemStatus.IN_PROGRESS, due_at_for_day(due), "", "物业", "",
        None, None, 1, "1栋101室", "甲一网格", calendar=WorkCalendar(), **kw,  # type: ignore[arg-type]
    )  # fmt: skip


def test_limits_past_the_schedule_are_marked_and_explained(qtbot, zh) -> None:  # type: ignore[no-untyped-def]
    page = ProblemsPage()
    qtbot.addWidget(page)
    page.set_clock(lambda: datetime(2030, 12, 30, 2, tzinfo=UTC))  # Monday, Beijing 10:00
    page.set_can_supervise(False)
    red = _line(1, date(2031, 1, 3), marks=(EventKind.SUPERVISE_RED,), extension_pending=True)
    late = _line(2, date(2030, 12, 27))
    page.set_rows([red, late])
    headers = [page.model.headerData(c, _horizontal()) for c in range(page.model.columnCount())]
    deadline, supervision = headers.index("办理时限"), headers.index("督办")

    def cell(row: int, col: int) -> str:
        return str(page.model.data(page.model.index(page.model.position_of(row), col)))

    # 2031 is in no schedule: Tue 31, Wed 1, Thu 2, Fri 3 counted Monday to Friday.
    assert cell(1, deadline) == "2031-01-03(剩 4 个工作日)*"
    assert cell(1, supervision) == "红牌督办、延期待审批"
    assert cell(2, deadline) == "2030-12-27(超期 1 个工作日)*"  # 2030 is unknown too
    assert "按周一至周五估算" in page.count_label.text()
    # Not a supervisor: the supervisors' buttons are hidden, the handler's are not.
    assert page.buttons[EventKind.SUPERVISE_RED].isHidden()
    assert page.buttons[EventKind.EXTENSION_APPROVED].isHidden()
    assert not page.buttons[EventKind.EXTENSION_REQUESTED].isHidden()


def _horizontal():  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    return Qt.Orientation.Horizontal
