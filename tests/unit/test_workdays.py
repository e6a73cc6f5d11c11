"""Working days with the State Council's schedule (core/workdays.py) and the time
limits counted in them (core/rules.py problem_limit, problem_workdays_left)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from gridvisit.core.clock import LOCAL_TZ, local_midnight
from gridvisit.core.enums import EventKind, HandlingLevel, ProblemStatus
from gridvisit.core.errors import WorkflowError
from gridvisit.core.rules import (
    Timeliness,
    allowed_actions,
    due_at_as_of,
    due_at_for_day,
    extension_dates,
    extension_fields,
    limit_day,
    original_due_at,
    pending_extension,
    problem_limit,
    problem_workdays_left,
    resolution_timeliness,
    supervision_marks,
    transition,
    workdays_text,
)
from gridvisit.core.workdays import WorkCalendar, YearSchedule, builtin_years, parse_days

CAL = WorkCalendar()
IP = ProblemStatus.IN_PROGRESS


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=LOCAL_TZ)


def test_the_package_knows_2026_and_its_tiaoxiu_days() -> None:
    assert 2026 in builtin_years() and 2004 in builtin_years()
    # 2026-02-14 is a Saturday worked before the Spring Festival (调休).
    assert date(2026, 2, 14).weekday() == 5 and CAL.is_workday(date(2026, 2, 14))
    # 2026-02-16 is a Monday of the Spring Festival holiday.
    assert date(2026, 2, 16).weekday() == 0 and not CAL.is_workday(date(2026, 2, 16))
    assert not CAL.is_workday(date(2026, 2, 15))  # an ordinary Sunday, in the holiday
    assert CAL.is_workday(date(2026, 11, 18)) and not CAL.is_workday(date(2026, 11, 21))


def test_a_tiaoxiu_saturday_counts_and_a_holiday_does_not() -> None:
    # Reported Thursday 2026-02-12, 3 working days: Fri 13, Sat 14 (调休), then the
    # holiday until Mon 23, so Tue 24 is the third.
    limit = problem_limit(at(date(2026, 2, 12)), 3)
    assert limit_day(limit.due_at) == date(2026, 2, 24) and not limit.estimated
    # 0 = the day of reporting, even on a holiday.
    assert limit_day(problem_limit(at(date(2026, 2, 17)), 0).due_at) == date(2026, 2, 17)


def test_national_day_holiday() -> None:
    # Reported Wednesday 2026-09-30, 1 working day: 10-01..10-07 off, so Thursday 10-08.
    assert limit_day(problem_limit(at(date(2026, 9, 30)), 1).due_at) == date(2026, 10, 8)


def test_the_year_boundary_with_an_entered_year() -> None:
    # 2030-12-30 (Mon) + 3 working days into 2031, years no schedule knows: 31 Tue, then
    # Monday to Friday, so New Year's Day (Wed) counts too, and Thu 2 is the third; the
    # limit says it was estimated.
    guess = problem_limit(at(date(2030, 12, 30)), 3)
    assert limit_day(guess.due_at) == date(2031, 1, 2) and guess.unknown_years == (2030, 2031)
    # 2026-12-30 (Wed) into 2027, entered here (the package may know it one day too):
    reported = at(date(2026, 12, 30))
    # With 2027 entered: 1 January off, Sunday 3 January worked (an invented 调休).
    entered = WorkCalendar(
        {2027: YearSchedule(2027, frozenset({date(2027, 1, 1)}), frozenset({date(2027, 1, 3)}))}
    )
    limit = problem_limit(reported, 3, entered)
    assert limit_day(limit.due_at) == date(2027, 1, 4) and not limit.estimated
    limit = problem_limit(reported, 2, entered)  # 31 December, then Sunday 3 January
    assert limit_day(limit.due_at) == date(2027, 1, 3)
    assert entered.known_years()[-1] == 2027


def test_past_the_known_years_falls_back_to_monday_to_friday_with_a_warning() -> None:
    reported = at(date(2031, 5, 1))  # a Thursday; 2031 is in no schedule
    limit = problem_limit(reported, 2)
    assert limit_day(limit.due_at) == date(2031, 5, 5) and limit.unknown_years == (2031,)
    left = problem_workdays_left(IP, limit.due_at, reported)
    assert left is not None and left.estimated
    assert workdays_text(left) == "剩 2 个工作日(按周一至周五估算)"


def test_days_left_and_days_late_in_working_days() -> None:
    due = due_at_for_day(date(2026, 11, 24))  # Tuesday

    def text(now: datetime) -> str:
        return workdays_text(problem_workdays_left(IP, due, now))

    assert text(at(date(2026, 11, 20))) == "剩 2 个工作日"  # Friday: Monday, Tuesday
    assert text(at(date(2026, 11, 24))) == "今日到期"
    assert text(at(date(2026, 11, 25))) == "超期 1 个工作日"
    assert text(at(date(2026, 11, 30))) == "超期 4 个工作日"  # Wed, Thu, Fri, Mon
    assert problem_workdays_left(ProblemStatus.RESOLVED, due, at(date(2026, 11, 30))) is None
    # Late on a weekend after a Friday limit still says late.
    friday = due_at_for_day(date(2026, 11, 20))
    assert text_for(friday, at(date(2026, 11, 21))) == "超期 1 个工作日"


def text_for(due: datetime, now: datetime) -> str:
    return workdays_text(problem_workdays_left(IP, due, now))


def test_parse_days_with_ranges_and_wrong_years() -> None:
    days = parse_days(["2027-02-06..2027-02-08, 2027-10-01"], 2027)
    assert days == {date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8), date(2027, 10, 1)}
    with pytest.raises(ValueError, match="不在 2027 年"):
        parse_days(["2026-12-31"], 2027)
    with pytest.raises(ValueError, match="无法识别"):
        parse_days(["2027/01/01"], 2027)


class Ev:
    def __init__(self, kind: EventKind, day: date, unit: str = "", person: str = "") -> None:
        self.kind, self.at = kind.value, at(day)
        self.actor_id: int | None = 1
        self.assigned_unit, self.assigned_person = unit, person


def test_extension_history_and_timeliness() -> None:
    first = due_at_for_day(date(2026, 11, 24))
    moved = due_at_for_day(date(2026, 12, 4))
    request = Ev(EventKind.EXTENSION_REQUESTED, date(2026, 11, 20), *extension_fields(moved))
    assert extension_dates(request) == (moved, None)
    assert pending_extension([request]) is request
    approval = Ev(EventKind.EXTENSION_APPROVED, date(2026, 11, 23), *extension_fields(moved, first))
    events = [request, approval]
    assert pending_extension(events) is None
    assert original_due_at(moved, events) == first
    # A list of the week before the approval shows the original limit.
    assert due_at_as_of(moved, events, at(date(2026, 11, 22))) == first
    assert due_at_as_of(moved, events, at(date(2026, 11, 25))) == moved
    assert resolution_timeliness(at(date(2026, 11, 23)), moved, first) is Timeliness.ON_TIME
    assert resolution_timeliness(at(date(2026, 12, 1)), moved, first) is Timeliness.EXTENDED
    assert resolution_timeliness(at(date(2026, 12, 5)), moved, first) is Timeliness.LATE
    assert resolution_timeliness(at(date(2026, 11, 23)), first, first) is Timeliness.ON_TIME


def test_extension_decisions_need_a_request() -> None:
    g = HandlingLevel.GRID
    for decision in (EventKind.EXTENSION_APPROVED, EventKind.EXTENSION_REFUSED):
        assert decision not in allowed_actions(IP, g)
        with pytest.raises(WorkflowError, match="没有等待审批"):
            transition(IP, g, decision)
        assert decision in allowed_actions(IP, g, extension_pending=True)
        assert transition(IP, g, decision, extension_pending=True).to_status is IP
    assert EventKind.EXTENSION_REQUESTED not in allowed_actions(IP, g, extension_pending=True)
    with pytest.raises(WorkflowError, match="等待审批"):
        transition(IP, g, EventKind.EXTENSION_REQUESTED, extension_pending=True)


def test_supervision_marks_red_over_yellow() -> None:
    kinds = [EventKind.SUPERVISE_YELLOW.value, EventKind.EXPEDITE.value]
    assert supervision_marks(kinds) == (EventKind.SUPERVISE_YELLOW, EventKind.EXPEDITE)
    kinds.append(EventKind.SUPERVISE_RED.value)
    assert supervision_marks(kinds) == (EventKind.SUPERVISE_RED, EventKind.EXPEDITE)


def test_due_at_is_a_local_midnight() -> None:
    due = due_at_for_day(date(2026, 11, 24))
    assert due == local_midnight(date(2026, 11, 25)) and limit_day(due + timedelta(0)) == date(
        2026, 11, 24
    )
