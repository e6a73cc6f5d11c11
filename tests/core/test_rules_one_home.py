"""The domain rules have one meaning wherever they are used (docs/architecture.md,
"Where each rule lives"): the weekly list, the problems page and the tree agree."""

from __future__ import annotations

from datetime import timedelta

from gridvisit.core.clock import IsoWeek, local_date
from gridvisit.core.records import ProblemInput, Scope
from gridvisit.core.services import Services
from tests.conftest import Clock


def _public_problem(services: Services, urgency: str = "urgent") -> int:
    h = services.hierarchy
    grid = h.add_grid(h.add_community("甲社区").id, "甲一网格")
    return services.problems.report(
        grid.id, ProblemInput("elevator", "电梯停运", urgency, location="1号楼门口")
    ).id


def test_the_weekly_list_and_the_problems_page_agree_when_a_limit_runs_out(
    services: Services, clock: Clock
) -> None:
    """A same-day problem is late from the next local midnight on (the limit "当天办结"
    ends with the day). A list of the current week made at that instant marks it late
    as the problems page does; it said not late ('>' where the rule says '>=')."""
    pid = _public_problem(services)
    due = services.problems.get(pid).due_at
    clock.now = due
    assert [p.id for p in services.problems.overdue()] == [pid]
    week = IsoWeek.containing(local_date(clock.now))
    assert week.start < clock.now < week.end  # the current week: the list is as of now
    report = services.weekly.build(week, Scope(), "甲社区")
    [line] = [*report.new, *report.carried_over]
    assert line.overdue_days == 1
    assert report.summary.overdue == 1


def test_a_finished_week_is_as_of_sunday_night(services: Services, clock: Clock) -> None:
    """The list of a finished week shows it as of Sunday 24:00: a problem due by that
    Sunday is not late on it, and is late a moment later on the problems page."""
    h = services.hierarchy
    grid = h.add_grid(h.add_community("甲社区").id, "甲一网格")
    week = IsoWeek.containing(local_date(clock.now))
    clock.now = week.end - timedelta(hours=5)  # Sunday 19:00: due by Sunday
    pid = services.problems.report(
        grid.id, ProblemInput("elevator", "电梯停运", "urgent", location="1号楼")
    ).id
    assert services.problems.get(pid).due_at == week.end
    clock.now = week.end + timedelta(hours=1)
    assert [p.id for p in services.problems.overdue()] == [pid]
    report = services.weekly.build(week, Scope(), "甲社区")
    assert [line.overdue_days for line in report.new] == [0]
    assert report.summary.overdue == 0
