"""督办 and 延期申请 through the services: roles, areas, the workflow, the history, and
working-day limits with an entered year (issue 22)."""

from __future__ import annotations

from datetime import date

import pytest

from gridvisit.core.enums import EventKind, Role
from gridvisit.core.errors import PermissionDeniedError, ValidationError, WorkflowError
from gridvisit.core.records import Actor, ProblemInput, VisitInput
from gridvisit.core.rules import Timeliness, due_at_for_day, limit_day
from gridvisit.core.services import ServiceContext, Services
from tests.conftest import Clock
from tests.core.services.conftest import Area


def _as(services: Services, clock: Clock, username: str, role: Role, **area: list[int]) -> Services:
    user = services.users.create(username, username, role, **area)
    return Services(
        ServiceContext(services.ctx.db, Actor(user.id, username, "", role), clock=clock)
    )


@pytest.fixture
def problem(services: Services, area: Area, clock: Clock) -> int:
    """A 一般 problem (15 working days), reported Wednesday 2026-11-18 and dispatched."""
    visit = services.visits.record(
        VisitInput(
            area.family.id, clock.now, problems=(ProblemInput("leak", "卫生间渗水", "normal"),)
        )
    )
    pid = visit.problem_ids[0]
    services.problems.accept(pid, "物业服务中心", "王经理")
    return pid


def test_new_problems_get_working_day_limits(services: Services, problem: int) -> None:
    # 15 working days after Wednesday 2026-11-18: Thursday 2026-12-09.
    assert limit_day(services.problems.get(problem).due_at) == date(2026, 12, 9)


def test_an_entered_year_changes_new_limits_only(
    services: Services, area: Area, clock: Clock
) -> None:
    services.calendar.set_year(
        2026, frozenset({date(2026, 11, 19)}), frozenset({date(2026, 11, 22)})
    )
    visit = services.visits.record(
        VisitInput(area.family.id, clock.now, problems=(ProblemInput("leak", "漏水", "pressing"),))
    )
    # Thursday off, Sunday worked: Fri 20, Sun 22, Mon 23.
    assert limit_day(services.problems.get(visit.problem_ids[0]).due_at) == date(2026, 11, 23)
    clock.now = clock.now.replace(year=2099)  # past any schedule the package may know
    status = services.calendar.status()
    assert status.entered == (2026,) and status.missing == (2099, 2100)
    assert "2099 年、2100 年" in status.warning and "周一至周五" in status.warning
    with pytest.raises(ValidationError, match="调休上班日应是周六或周日"):
        services.calendar.set_year(
            2027, frozenset({date(2027, 1, 1)}), frozenset({date(2027, 1, 4)})
        )


def test_supervision_marks_are_events_and_keep_the_status(services: Services, problem: int) -> None:
    p = services.problems.supervise(problem, EventKind.SUPERVISE_YELLOW, "请加快办理")
    p = services.problems.supervise(problem, EventKind.EXPEDITE, "居民多次反映")
    p = services.problems.supervise(problem, EventKind.SUPERVISE_RED, "超期风险,限三日内办结")
    assert p.marks == (EventKind.SUPERVISE_RED, EventKind.EXPEDITE)
    assert p.status.label == "办理中"
    assert [e.kind.label for e in p.events][-3:] == ["黄牌督办", "加急", "红牌督办"]
    with pytest.raises(ValidationError, match="督办只能是"):
        services.problems.supervise(problem, EventKind.PROGRESS, "x")
    with pytest.raises(ValidationError, match="督办意见"):
        services.problems.supervise(problem, EventKind.SUPERVISE_RED, " ")


def test_extension_request_approval_and_history(
    services: Services, area: Area, problem: int, clock: Clock
) -> None:
    worker = _as(services, clock, "w", Role.GRID_WORKER, grid_ids=[area.grid.id])
    first = services.problems.get(problem).due_at
    with pytest.raises(ValidationError, match="应晚于现在的时限"):
        worker.problems.request_extension(problem, date(2026, 12, 9), "需要采购配件")
    p = worker.problems.request_extension(problem, date(2026, 12, 18), "需要采购配件")
    assert p.pending_extension is not None and p.due_at == first  # not moved yet
    assert EventKind.EXTENSION_APPROVED not in worker.problems.actions(problem)
    assert EventKind.EXTENSION_APPROVED in services.problems.actions(problem)
    with pytest.raises(WorkflowError, match="等待审批"):
        worker.problems.request_extension(problem, date(2026, 12, 20), "再延")
    # A grid worker may not approve, not even their own request.
    with pytest.raises(PermissionDeniedError, match="督办问题和审批延期申请"):
        worker.problems.decide_extension(problem, True)
    p = services.problems.decide_extension(problem, True, "同意")
    assert p.due_at == due_at_for_day(date(2026, 12, 18))
    assert p.original_due_at == first and p.pending_extension is None
    assert [e.kind for e in p.events][-2:] == [
        EventKind.EXTENSION_REQUESTED,
        EventKind.EXTENSION_APPROVED,
    ]
    # Resolved after the first limit, before the moved one: 延期后按期.
    clock.now = due_at_for_day(date(2026, 12, 14))
    p = worker.problems.resolve(problem, "已更换水管")
    assert p.timeliness is Timeliness.EXTENDED


def test_a_refused_extension_leaves_the_limit(
    services: Services, area: Area, problem: int, clock: Clock
) -> None:
    first = services.problems.get(problem).due_at
    services.problems.request_extension(problem, date(2026, 12, 18), "等待业委会表决")
    with pytest.raises(WorkflowError, match="自己提出"):
        services.problems.decide_extension(problem, True)
    cadmin = _as(services, clock, "c", Role.COMMUNITY_ADMIN, community_ids=[area.community.id])
    with pytest.raises(ValidationError, match="不同意的理由"):
        cadmin.problems.decide_extension(problem, False)
    p = cadmin.problems.decide_extension(problem, False, "可先临时处置")
    assert p.due_at == first and p.events[-1].kind is EventKind.EXTENSION_REFUSED
    clock.now = first
    p = services.problems.resolve(problem, "已处置")
    assert p.timeliness is Timeliness.LATE


def test_supervisors_act_only_in_their_area(
    services: Services, area: Area, problem: int, clock: Clock
) -> None:
    other = services.hierarchy.add_community("乙社区")
    outsider = _as(services, clock, "c2", Role.COMMUNITY_ADMIN, community_ids=[other.id])
    with pytest.raises(PermissionDeniedError, match="不在您负责"):
        outsider.problems.supervise(problem, EventKind.SUPERVISE_YELLOW, "督办")
    worker = _as(services, clock, "w", Role.GRID_WORKER, grid_ids=[area.grid.id])
    with pytest.raises(PermissionDeniedError, match="督办问题"):
        worker.problems.supervise(problem, EventKind.SUPERVISE_RED, "督办")
    with pytest.raises(PermissionDeniedError, match="录入节假日安排"):
        worker.calendar.set_year(2027, frozenset({date(2027, 1, 1)}), frozenset())
    assert not {EventKind.SUPERVISE_RED, EventKind.EXTENSION_APPROVED} & set(
        worker.problems.actions(problem)
    )
