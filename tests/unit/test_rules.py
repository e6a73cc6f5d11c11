from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from gridvisit.core.clock import LOCAL_TZ
from gridvisit.core.enums import EventKind, HandlingLevel, ProblemStatus, Satisfaction
from gridvisit.core.errors import WorkflowError
from gridvisit.core.rules import (
    SUPERVISION,
    allowed_actions,
    next_visit_due,
    problem_due_at,
    problem_is_overdue,
    tier_for_groups,
    transition,
)

P, IP, R, C = (
    ProblemStatus.PENDING,
    ProblemStatus.IN_PROGRESS,
    ProblemStatus.RESOLVED,
    ProblemStatus.CLOSED,
)
G = HandlingLevel.GRID

# (from, action, satisfaction) -> to; every other pair must be refused.
LEGAL = {
    (P, EventKind.ACCEPTED, None): IP,
    (IP, EventKind.PROGRESS, None): IP,
    (P, EventKind.ESCALATED, None): P,
    (IP, EventKind.ESCALATED, None): P,
    (IP, EventKind.RESOLVED, None): R,
    (R, EventKind.RETURN_VISIT, Satisfaction.SATISFIED): C,
    (R, EventKind.RETURN_VISIT, Satisfaction.BASICALLY): C,
    (R, EventKind.RETURN_VISIT, Satisfaction.DISSATISFIED): IP,
    (R, EventKind.REOPENED, None): IP,
    (C, EventKind.REOPENED, None): IP,
    # 督办 and 延期申请 leave the status as it is.
    **{(st, k, None): st for st in (P, IP) for k in SUPERVISION},
    (IP, EventKind.EXTENSION_REQUESTED, None): IP,
}
# Approving or refusing needs a pending request: test_extension_decisions_need_a_request.
DECISIONS = (EventKind.EXTENSION_APPROVED, EventKind.EXTENSION_REFUSED)
ACTIONS = [k for k in EventKind if k is not EventKind.CREATED and k not in DECISIONS]


@pytest.mark.parametrize("status", list(ProblemStatus))
@pytest.mark.parametrize("action", ACTIONS)
def test_transition_matrix(status: ProblemStatus, action: EventKind) -> None:
    sat = Satisfaction.SATISFIED if action is EventKind.RETURN_VISIT else None
    expected = LEGAL.get((status, action, sat))
    if expected is None:
        with pytest.raises(WorkflowError) as info:
            transition(status, G, action, sat)
        assert status.label in info.value.message
        assert action not in allowed_actions(status, G)
    else:
        assert transition(status, G, action, sat).to_status is expected
        assert action in allowed_actions(status, G)


def test_dissatisfied_return_visit_reopens() -> None:
    assert transition(R, G, EventKind.RETURN_VISIT, Satisfaction.DISSATISFIED).to_status is IP


def test_return_visit_needs_satisfaction() -> None:
    with pytest.raises(WorkflowError, match="满意度"):
        transition(R, G, EventKind.RETURN_VISIT, None)


def test_escalation_climbs_one_level_and_stops_at_subdistrict() -> None:
    step = transition(IP, HandlingLevel.GRID, EventKind.ESCALATED)
    assert (step.to_status, step.to_level) == (P, HandlingLevel.COMMUNITY)
    step = transition(P, HandlingLevel.COMMUNITY, EventKind.ESCALATED)
    assert step.to_level is HandlingLevel.SUBDISTRICT
    with pytest.raises(WorkflowError, match="街道"):
        transition(P, HandlingLevel.SUBDISTRICT, EventKind.ESCALATED)
    assert EventKind.ESCALATED not in allowed_actions(P, HandlingLevel.SUBDISTRICT)


def test_tier_takes_the_most_demanding_group() -> None:
    group_tier = {"living_alone_elderly": "key", "disability": "watch"}
    rank = {"key": 1, "watch": 2, "normal": 3}
    assert tier_for_groups([], group_tier, rank) == "normal"
    assert tier_for_groups(["disability"], group_tier, rank) == "watch"
    assert tier_for_groups(["disability", "living_alone_elderly"], group_tier, rank) == "key"
    assert tier_for_groups(["unknown"], group_tier, rank) == "normal"


def test_next_visit_due_uses_local_dates() -> None:
    registered = datetime(2026, 1, 1, tzinfo=UTC)
    assert next_visit_due(None, registered, 7) == date(2026, 1, 1)
    # 23:30 UTC on the 10th is already the 11th in Beijing.
    last = datetime(2026, 11, 10, 23, 30, tzinfo=UTC)
    assert next_visit_due(last, registered, 7) == date(2026, 11, 18)


def test_problem_time_limits() -> None:
    reported = datetime(2026, 11, 18, 15, 0, tzinfo=LOCAL_TZ)
    same_day = problem_due_at(reported, 0)
    assert same_day == datetime(2026, 11, 19, 0, 0, tzinfo=LOCAL_TZ)
    # 3 working days after Wednesday: Thursday, Friday and Monday.
    assert problem_due_at(reported, 3) == datetime(2026, 11, 24, 0, 0, tzinfo=LOCAL_TZ)
    assert not problem_is_overdue(P, same_day, datetime(2026, 11, 18, 23, 59, tzinfo=LOCAL_TZ))
    assert problem_is_overdue(IP, same_day, same_day)
    assert not problem_is_overdue(R, same_day, datetime(2027, 1, 1, tzinfo=LOCAL_TZ))


def test_every_enum_member_has_its_own_label() -> None:
    from gridvisit.core import enums

    for cls in (
        enums.Role,
        enums.Gender,
        enums.VisitMethod,
        enums.VisitPurpose,
        enums.HandlingLevel,
        ProblemStatus,
        Satisfaction,
        EventKind,
    ):
        labels = [m.label for m in cls]
        assert all(labels) and len(set(labels)) == len(labels), cls
    # Same value "resolved" in two enums, different words.
    assert ProblemStatus.RESOLVED.label == "已办结"
    assert EventKind.RESOLVED.label == "办结"
    assert ProblemStatus.from_label("已回访销号") is ProblemStatus.CLOSED


def test_resolution_as_of_a_moment() -> None:
    """办结 as of a moment (the weekly list's and the statistics' rule): a later reopen
    leaves an earlier moment's resolution as it was."""
    from dataclasses import dataclass

    from gridvisit.core.rules import resolution_as_of, resolved_in

    @dataclass
    class E:
        kind: str
        at: datetime
        to_status: str

    def d(day: int) -> datetime:
        return datetime(2026, 9, day, tzinfo=UTC)

    events = [
        E(EventKind.CREATED.value, d(1), ProblemStatus.PENDING.value),
        E(EventKind.ACCEPTED.value, d(2), ProblemStatus.IN_PROGRESS.value),
        E(EventKind.RESOLVED.value, d(10), ProblemStatus.RESOLVED.value),
        E(EventKind.RETURN_VISIT.value, d(15), ProblemStatus.IN_PROGRESS.value),  # 不满意
        E(EventKind.RESOLVED.value, d(20), ProblemStatus.RESOLVED.value),
        E(EventKind.RETURN_VISIT.value, d(25), ProblemStatus.CLOSED.value),  # 满意
    ]
    assert resolution_as_of(events, d(5)) is None
    assert resolution_as_of(events, d(10)) == d(10)
    assert resolution_as_of(events, d(14)) == d(10)
    assert resolution_as_of(events, d(15)) is None  # reopened
    assert resolution_as_of(events, d(22)) == d(20)
    assert resolution_as_of(events, d(30)) == d(20)  # closed: still done
    assert resolved_in(resolution_as_of(events, d(14)), d(8), d(15))
    assert not resolved_in(resolution_as_of(events, d(30)), d(8), d(15))
    assert resolved_in(resolution_as_of(events, d(30)), d(16))
