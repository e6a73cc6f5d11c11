"""Pure domain rules: visit tiers and due dates, problem time limits, and the
problem workflow state machine. No storage, no Qt."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from gridvisit.core.clock import local_date, local_midnight
from gridvisit.core.enums import EventKind, HandlingLevel, ProblemStatus, Satisfaction
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


def problem_due_at(reported_at: datetime, limit_days: int) -> datetime:
    """Deadline = end of the local day `limit_days` after reporting (0 = same day).
    Returned as the exclusive boundary: the next local midnight."""
    return local_midnight(local_date(reported_at) + timedelta(days=limit_days + 1))


def problem_is_overdue(status: ProblemStatus, due_at: datetime, now: datetime) -> bool:
    return status.is_open and now >= due_at


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
