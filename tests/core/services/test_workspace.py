"""core/services/workspace.py: the tree with its counts, the household rows, the
problem lines and their filters, as the window shows them."""

from __future__ import annotations

from datetime import timedelta

from gridvisit.core.clock import local_date
from gridvisit.core.enums import ProblemStatus, Satisfaction
from gridvisit.core.records import ProblemInput, Scope, VisitInput
from gridvisit.core.services import Services
from gridvisit.core.services.workspace import Counts, ProblemFilter
from tests.conftest import Clock
from tests.core.services.conftest import Area


def _problems(services: Services, area: Area, clock: Clock) -> dict[str, int]:
    """Four problems raised on a visit to 101, one in each status."""
    visit = services.visits.record(
        VisitInput(
            area.elder.id,
            clock.now,
            problems=tuple(
                ProblemInput("elevator", f"问题{n}", "urgent") for n in ("待", "办", "结", "销")
            ),
        )
    )
    pending, doing, resolved, closed = visit.problem_ids
    p = services.problems
    for pid in (doing, resolved, closed):
        p.accept(pid, "物业公司")
    for pid in (resolved, closed):
        p.resolve(pid, "已修好")
    p.return_visit(closed, Satisfaction.SATISFIED)
    return {"pending": pending, "doing": doing, "resolved": resolved, "closed": closed}


def test_the_tree_counts_households_overdue_visits_and_unclosed_problems(
    services: Services, area: Area, clock: Clock
) -> None:
    _problems(services, area, clock)
    today = local_date(clock.now)
    tree = services.workspace.tree(today)
    [community] = tree.children
    [grid] = community.children
    groups = {g.name: g for g in grid.children}
    # 未销号: 待受理, 办理中 and 已办结 count; 已回访销号 does not.
    assert groups["1号楼"].counts.open_problems == 3
    assert (groups["1号楼"].counts.households, groups["2号楼"].counts.households) == (2, 1)
    # Registered today and never visited: due today, not overdue yet.
    assert tree.counts.overdue_visits == 0
    later = services.workspace.tree(today + timedelta(days=1))
    # 101 was visited today; 102 and 201 never: overdue from tomorrow.
    assert later.counts.overdue_visits == 2
    assert (later.counts.households, later.counts.open_problems) == (3, 3)
    tomorrow = today + timedelta(days=1)
    assert services.workspace.group_counts(area.group.id, tomorrow) == Counts(2, 1, 3)


def test_household_rows_follow_the_scope_and_the_rules(
    services: Services, area: Area, clock: Clock
) -> None:
    _problems(services, area, clock)
    today = local_date(clock.now) + timedelta(days=10)
    rows = {r.id: r for r in services.workspace.household_rows(Scope(grid_id=area.grid.id), today)}
    assert set(rows) == {area.elder.id, area.family.id, area.elsewhere.id}
    elder = rows[area.elder.id]
    assert (elder.tier_code, elder.open_problems) == ("key", 3)
    # 重点: 7 days after today's visit; ten days on, three days late.
    assert elder.next_due == local_date(clock.now) + timedelta(days=7)
    assert elder.overdue_days == 3 and rows[area.family.id].overdue_days == 10
    assert rows[area.family.id].head == "李四" and rows[area.family.id].address == "1栋1单元102室"
    group = services.workspace.household_rows(Scope(building_group_id=area.other_group.id), today)
    assert [r.id for r in group] == [area.elsewhere.id]


def test_problem_lines_filter_by_status_and_overdue(
    services: Services, area: Area, clock: Clock
) -> None:
    ids = _problems(services, area, clock)
    ws, scope = services.workspace, Scope(grid_id=area.grid.id)
    every = ws.problem_lines(scope, ProblemFilter())
    assert {line.id for line in every} == set(ids.values())
    resolved = ws.problem_lines(scope, ProblemFilter(statuses=(ProblemStatus.RESOLVED,)))
    assert [line.id for line in resolved] == [ids["resolved"]]
    # 紧急 is due by the end of the day: from the next midnight the two 未办结 are late.
    due = every[0].due_at
    assert (
        ws.problem_lines(scope, ProblemFilter(overdue_only=True), due - timedelta(seconds=1)) == []
    )
    late = ws.problem_lines(scope, ProblemFilter(overdue_only=True), due)
    assert {line.id for line in late} == {ids["pending"], ids["doing"]}
    assert all(line.is_overdue(due) for line in late)
    assert not any(
        line.is_overdue(due) for line in every if line.id not in {ids["pending"], ids["doing"]}
    )
    assert ws.problem_line(ids["closed"]).status is ProblemStatus.CLOSED
