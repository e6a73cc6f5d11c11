"""The domain rules, each in one place with its Python form beside its SQL form
(docs/architecture.md, "Where each rule lives"): visit tiers and due dates, visit
overdue, problem time limits and problem overdue, the open and closed status sets,
weekly section membership, and the problem workflow state machine.

The SQL forms take the columns they test, so this module needs no storage models
(core sits below storage, docs/architecture.md, "Layers and what each may import").
tests/core/test_rules_agree.py computes each rule both ways on demo data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, case, literal

from gridvisit.core.clock import local_date, local_midnight
from gridvisit.core.enums import (
    EventKind,
    HandlingLevel,
    ProblemStatus,
    ResidentStatus,
    Satisfaction,
)
from gridvisit.core.errors import WorkflowError

DEFAULT_TIER = "normal"


def tier_for_groups(
    groups: Iterable[str],
    group_tier: Mapping[str, str],
    tier_rank: Mapping[str, int],
    default: str = DEFAULT_TIER,
) -> str:
    """The most demanding tier implied by any special group of any resident."""
    best = default
    for group in groups:
        tier = group_tier.get(group)
        if tier is not None and tier_rank.get(tier, 99) < tier_rank.get(best, 99):
            best = tier
    return best


def resident_is_current(status: str, archived: bool) -> bool:
    """A resident who lives in the household now: not deleted (archived), not moved out,
    not deceased. Only these count in lists, counts, tiers and due visits; the others
    stay in the household's history (issue 20)."""
    return not archived and status == ResidentStatus.PRESENT


def resident_current_sql(status: Any, archived: Any) -> ColumnElement[bool]:
    """SQL form of `resident_is_current` over the given columns."""
    return and_(archived.is_(False), status == ResidentStatus.PRESENT.value)


def next_visit_due(
    last_visit: datetime | None, registered_at: datetime, interval_days: int
) -> date:
    """A household never visited is due from the day it was registered."""
    if last_visit is None:
        return local_date(registered_at)
    return local_date(last_visit) + timedelta(days=interval_days)


def days_overdue(due: date, today: date) -> int:
    """Positive when the due date has passed; 0 on the due day itself."""
    return (today - due).days


def visit_is_overdue(
    last_visit: datetime | None, registered_at: datetime, interval_days: int, today: date
) -> bool:
    """A household is overdue for a visit once its next due date has passed."""
    return days_overdue(next_visit_due(last_visit, registered_at, interval_days), today) > 0


def visit_overdue_sql(
    last_visit: Any,
    registered_at: Any,
    tier_code: Any,
    intervals: Mapping[str, int],
    today: date,
    datetime_type: Any,
) -> ColumnElement[bool]:
    """visit_is_overdue in SQL: next due = local date of the last visit + interval <
    today <=> the last visit is before local midnight of (today - interval); never
    visited: registered before today. `intervals` maps tier codes to days;
    `datetime_type` is the column type the literals bind as (UTCDateTime)."""
    cutoff = case(
        {
            code: literal(local_midnight(today - timedelta(days=days)), datetime_type)
            for code, days in intervals.items()
        },
        value=tier_code,
    )
    return case(
        (last_visit.is_(None), registered_at < literal(local_midnight(today), datetime_type)),
        else_=last_visit < cutoff,
    )


def problem_due_at(reported_at: datetime, limit_days: int) -> datetime:
    """Deadline = end of the local day `limit_days` after reporting (0 = same day).
    Returned as the exclusive boundary: the next local midnight."""
    return local_midnight(local_date(reported_at) + timedelta(days=limit_days + 1))


# --- problem status sets ------------------------------------------------------------
# 未办结: still being handled, so the time limit applies (ProblemStatus.is_open).
UNRESOLVED = frozenset(s for s in ProblemStatus if s.is_open)
# 未销号: not yet closed by a return visit (the tree's and the households' problem
# counts, the user guide's "未销号问题数"): UNRESOLVED and 已办结.
UNCLOSED = UNRESOLVED | {ProblemStatus.RESOLVED}
# 办结 (the weekly list's "本周办结"): 已办结 or 已回访销号.
DONE = frozenset({ProblemStatus.RESOLVED, ProblemStatus.CLOSED})


def codes(statuses: Iterable[StrEnum]) -> list[str]:
    """The stored codes of a status set, sorted (for SQL IN)."""
    return sorted(s.value for s in statuses)


def status_in_sql(status: Any, statuses: Iterable[StrEnum]) -> ColumnElement[bool]:
    return status.in_(codes(statuses))  # type: ignore[no-any-return]


# --- problem overdue ----------------------------------------------------------------


def problem_is_overdue(status: ProblemStatus, due_at: datetime, now: datetime) -> bool:
    """Late from `due_at` (the first instant after the limit) on, while unresolved."""
    return status in UNRESOLVED and now >= due_at


def problem_overdue_sql(status: Any, due_at: Any, now: datetime) -> ColumnElement[bool]:
    """problem_is_overdue in SQL."""
    return and_(status_in_sql(status, UNRESOLVED), due_at <= now)


def problem_overdue_days(status: ProblemStatus, due_at: datetime, now: datetime) -> int:
    """Days late, counting the day it became late as the first: 0 unless overdue."""
    if not problem_is_overdue(status, due_at, now):
        return 0
    return (now - due_at) // timedelta(days=1) + 1


# A list of a finished period shows it as of its last instant (Sunday 24:00 for a
# week): the rule is applied just before the exclusive end.
_INSTANT = timedelta(microseconds=1)


def last_instant_before(end: datetime) -> datetime:
    return end - _INSTANT


# --- weekly section membership --------------------------------------------------------
class WeeklySection(StrEnum):
    NEW = "new"  # 本周新增: reported in the week
    CARRIED_OVER = "carried_over"  # 结转未办结: reported before, unresolved as of the list
    RESOLVED = "resolved"  # 本周办结: reported before, done as of the list, resolved in the week


def weekly_section(
    reported_at: datetime,
    status: ProblemStatus,
    last_resolved: datetime | None,
    start: datetime,
) -> WeeklySection | None:
    """Where a problem goes on the list of the week starting `start`, given its status
    and its last 办结 as of the list (problems reported after the list's moment are
    not asked about). A problem reported and resolved in the week is both new and
    resolved: this gives its first section, `also_resolved` the second."""
    if reported_at >= start:
        return WeeklySection.NEW
    if status in UNRESOLVED:
        return WeeklySection.CARRIED_OVER
    if also_resolved(status, last_resolved, start):
        return WeeklySection.RESOLVED
    return None


def also_resolved(status: ProblemStatus, last_resolved: datetime | None, start: datetime) -> bool:
    """On the 本周办结 section: done as of the list, and last resolved in the week."""
    return status in DONE and last_resolved is not None and last_resolved >= start


def weekly_sections_sql(
    reported_at: Any,
    status: Any,
    last_resolved: Any,
    start: datetime,
) -> tuple[ColumnElement[bool], ColumnElement[bool], ColumnElement[bool]]:
    """weekly_section in SQL, over the status and last 办结 as of the list: the
    conditions for NEW, CARRIED_OVER and RESOLVED (which may hold with NEW)."""
    new = reported_at >= start
    carried = and_(reported_at < start, status_in_sql(status, UNRESOLVED))
    resolved = and_(status_in_sql(status, DONE), last_resolved.is_not(None), last_resolved >= start)
    return new, carried, resolved


# --- workflow ---------------------------------------------------------------------

_ACTION_LABELS = {
    EventKind.ACCEPTED: "受理派单",
    EventKind.PROGRESS: "添加办理进展",
    EventKind.ESCALATED: "上报上一级",
    EventKind.RESOLVED: "办结",
    EventKind.RETURN_VISIT: "回访",
    EventKind.REOPENED: "重新办理",
}

_ALLOWED_FROM: dict[EventKind, tuple[ProblemStatus, ...]] = {
    EventKind.ACCEPTED: (ProblemStatus.PENDING,),
    EventKind.PROGRESS: (ProblemStatus.IN_PROGRESS,),
    EventKind.ESCALATED: (ProblemStatus.PENDING, ProblemStatus.IN_PROGRESS),
    EventKind.RESOLVED: (ProblemStatus.IN_PROGRESS,),
    EventKind.RETURN_VISIT: (ProblemStatus.RESOLVED,),
    EventKind.REOPENED: (ProblemStatus.RESOLVED, ProblemStatus.CLOSED),
}


@dataclass(frozen=True, slots=True)
class Transition:
    to_status: ProblemStatus
    to_level: HandlingLevel


def allowed_actions(status: ProblemStatus, level: HandlingLevel) -> list[EventKind]:
    actions = [kind for kind, sources in _ALLOWED_FROM.items() if status in sources]
    if level.next_up() is None and EventKind.ESCALATED in actions:
        actions.remove(EventKind.ESCALATED)
    return actions


def transition(
    status: ProblemStatus,
    level: HandlingLevel,
    action: EventKind,
    satisfaction: Satisfaction | None = None,
) -> Transition:
    """Where `action` takes a problem, or a WorkflowError saying why it cannot."""
    sources = _ALLOWED_FROM.get(action)
    if sources is None:
        raise WorkflowError(f"未知的办理操作:{action}")
    if status not in sources:
        need = "或".join(f"“{s.label}”" for s in sources)
        raise WorkflowError(
            f"问题当前状态为“{status.label}”,不能{_ACTION_LABELS[action]}。",
            hint=f"只有状态为{need}的问题才能{_ACTION_LABELS[action]}。",
        )
    if action is EventKind.ACCEPTED:
        return Transition(ProblemStatus.IN_PROGRESS, level)
    if action is EventKind.PROGRESS:
        return Transition(ProblemStatus.IN_PROGRESS, level)
    if action is EventKind.ESCALATED:
        up = level.next_up()
        if up is None:
            raise WorkflowError(
                "问题已在街道层级办理,不能再上报。", hint="大事不出街道:请在街道层级协调解决。"
            )
        # The level above has to accept it afresh.
        return Transition(ProblemStatus.PENDING, up)
    if action is EventKind.RESOLVED:
        return Transition(ProblemStatus.RESOLVED, level)
    if action is EventKind.RETURN_VISIT:
        if satisfaction is None:
            raise WorkflowError("回访必须记录居民的满意度(满意 / 基本满意 / 不满意)。")
        if satisfaction is Satisfaction.DISSATISFIED:
            return Transition(ProblemStatus.IN_PROGRESS, level)
        return Transition(ProblemStatus.CLOSED, level)
    return Transition(ProblemStatus.IN_PROGRESS, level)  # REOPENED
