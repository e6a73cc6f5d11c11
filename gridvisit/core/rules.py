"""The domain rules, each in one place with its Python form beside its SQL form
(docs/architecture.md, "Where each rule lives"): visit tiers and due dates, visit
overdue, problem time limits (in working days, core/workdays.py) and problem overdue,
the open and closed status sets, weekly section membership, 督办 marks and extensions
(延期申请, 延期后按期), and the problem workflow state machine.

The SQL forms take the columns they test, so this module needs no storage models
(core sits below storage, docs/architecture.md, "Layers and what each may import").
tests/core/test_rules_agree.py computes each rule both ways on demo data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import ColumnElement, and_, case, func, literal, null, or_

from gridvisit.core.clock import local_date, local_midnight
from gridvisit.core.enums import (
    EventKind,
    HandlingLevel,
    ProblemStatus,
    ResidentStatus,
    Satisfaction,
)
from gridvisit.core.errors import WorkflowError
from gridvisit.core.workdays import WorkCalendar

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


@dataclass(frozen=True, slots=True)
class Limit:
    """A problem's time limit: `due_at` (the first instant after it) and the years
    counted Monday to Friday because the schedule does not know them."""

    due_at: datetime
    unknown_years: tuple[int, ...] = ()

    @property
    def estimated(self) -> bool:
        return bool(self.unknown_years)


_BUILTIN_CALENDAR = WorkCalendar()


def problem_limit(
    reported_at: datetime, limit_days: int, calendar: WorkCalendar | None = None
) -> Limit:
    """ "紧急当天、较急 3 个工作日、一般 15 个工作日内办结": the limit ends with the
    local day of reporting for 0, else with the `limit_days`-th working day after it
    (holidays off, 调休 weekends worked: core/workdays.py). `due_at` is the next local
    midnight. Problems stored before working days keep the due_at they were given."""
    day = local_date(reported_at)
    unknown: tuple[int, ...] = ()
    if limit_days > 0:
        day, unknown = (calendar or _BUILTIN_CALENDAR).add_workdays(day, limit_days)
    return Limit(local_midnight(day + timedelta(days=1)), unknown)


def problem_due_at(
    reported_at: datetime, limit_days: int, calendar: WorkCalendar | None = None
) -> datetime:
    """problem_limit's due_at (the built-in schedule unless a calendar is given)."""
    return problem_limit(reported_at, limit_days, calendar).due_at


def limit_day(due_at: datetime) -> date:
    """The last local day of a limit (due_at is the midnight after it)."""
    return local_date(due_at) - timedelta(days=1)


def due_at_for_day(last_day: date) -> datetime:
    """The due_at of a limit ending with `last_day`."""
    return local_midnight(last_day + timedelta(days=1))


@dataclass(frozen=True, slots=True)
class WorkdaysLeft:
    """What a list shows beside the limit's date: working days left (`left`, with the
    limit's own day counted when it is today: `due_today`), or working days late."""

    left: int
    overdue: int
    due_today: bool
    estimated: bool


def problem_workdays_left(
    status: ProblemStatus, due_at: datetime, now: datetime, calendar: WorkCalendar | None = None
) -> WorkdaysLeft | None:
    """None once resolved. Late (problem_is_overdue): the working days after the limit
    up to today, at least 1. Otherwise the working days after today up to the limit."""
    if status not in UNRESOLVED:
        return None
    cal = calendar or _BUILTIN_CALENDAR
    today, last = local_date(now), limit_day(due_at)
    if problem_is_overdue(status, due_at, now):
        span = cal.between(last, today)
        return WorkdaysLeft(0, max(1, span.days), False, span.estimated)
    span = cal.between(today, last)
    return WorkdaysLeft(span.days, 0, last == today, span.estimated)


def workdays_text(w: WorkdaysLeft | None) -> str:
    """The Chinese shown in lists and prints: 剩 N 个工作日 / 今日到期 / 超期 N 个工作日,
    with (按周一至周五估算) when a year outside the schedule was counted."""
    if w is None:
        return ""
    if w.overdue:
        text = f"超期 {w.overdue} 个工作日"
    elif w.due_today:
        text = "今日到期"
    else:
        text = f"剩 {w.left} 个工作日"
    return text + ("(按周一至周五估算)" if w.estimated else "")


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
    """On the 本周办结 section: done as of the list, and last resolved in the week (the
    statistics' 办结 of the week: resolved_in over the resolution as of the list)."""
    return resolved_in(last_resolved if status in DONE else None, start)


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


# --- supervision (督办) and extensions (延期申请) -----------------------------------

# Marks a supervisor puts on a problem; the strongest card shows (红牌 over 黄牌).
SUPERVISION = (EventKind.SUPERVISE_YELLOW, EventKind.SUPERVISE_RED, EventKind.EXPEDITE)
# What only a supervisor (community or sub-district admin) may record: the services
# check the role (Action.SUPERVISE), merges the sending device's area (exchange/trust.py).
SUPERVISOR_ONLY = frozenset(
    {*SUPERVISION, EventKind.EXTENSION_APPROVED, EventKind.EXTENSION_REFUSED}
)
EXTENSION_KINDS = frozenset(
    {EventKind.EXTENSION_REQUESTED, EventKind.EXTENSION_APPROVED, EventKind.EXTENSION_REFUSED}
)


class EventLike(Protocol):
    """What the rules read of a problem event (ProblemEventRec, a model row)."""

    @property
    def kind(self) -> str: ...
    @property
    def at(self) -> datetime: ...
    @property
    def actor_id(self) -> int | None: ...
    @property
    def assigned_unit(self) -> str: ...
    @property
    def assigned_person(self) -> str: ...


def supervision_marks(kinds: Iterable[str]) -> tuple[EventKind, ...]:
    """The marks a problem carries from its events: 红牌督办 or else 黄牌督办, and 加急."""
    seen = set(kinds)
    marks: list[EventKind] = []
    if EventKind.SUPERVISE_RED.value in seen:
        marks.append(EventKind.SUPERVISE_RED)
    elif EventKind.SUPERVISE_YELLOW.value in seen:
        marks.append(EventKind.SUPERVISE_YELLOW)
    if EventKind.EXPEDITE.value in seen:
        marks.append(EventKind.EXPEDITE)
    return tuple(marks)


def marks_text(marks: Iterable[EventKind]) -> str:
    return "、".join(m.label for m in marks)


def extension_fields(new_due: datetime, old_due: datetime | None = None) -> tuple[str, str]:
    """How an extension event stores its dates in the existing event columns (no
    migration): assigned_unit = the due_at asked for or granted, assigned_person =
    the due_at it replaces (approvals), both ISO instants in UTC."""
    return new_due.astimezone(UTC).isoformat(), old_due.astimezone(
        UTC
    ).isoformat() if old_due else ""


def extension_dates(e: EventLike) -> tuple[datetime | None, datetime | None]:
    """(new due_at, previous due_at) of an extension event; None where absent or
    unreadable (a hand-made package)."""

    def read(text: str) -> datetime | None:
        try:
            value = datetime.fromisoformat(text) if text else None
        except ValueError:
            return None
        return value if value is not None and value.tzinfo is not None else None

    if e.kind not in EXTENSION_KINDS:
        return None, None
    return read(e.assigned_unit), read(e.assigned_person)


def pending_extension(events: Sequence[EventLike]) -> EventLike | None:
    """The last 延期申请 not yet approved or refused (events in history order)."""
    pending: EventLike | None = None
    for e in events:
        if e.kind == EventKind.EXTENSION_REQUESTED.value:
            pending = e
        elif e.kind in (EventKind.EXTENSION_APPROVED.value, EventKind.EXTENSION_REFUSED.value):
            pending = None
    return pending


def original_due_at(due_at: datetime, events: Sequence[EventLike]) -> datetime:
    """The limit before any approved extension: the first approval's previous due_at."""
    for e in events:
        if e.kind == EventKind.EXTENSION_APPROVED.value:
            _new, old = extension_dates(e)
            if old is not None:
                return old
    return due_at


def due_at_as_of(due_at: datetime, events: Sequence[EventLike], moment: datetime) -> datetime:
    """The limit in force at `moment`: the last approval before it, else the original
    (a list of a past week is not moved by a later extension)."""
    current = original_due_at(due_at, events)
    for e in events:
        if e.kind == EventKind.EXTENSION_APPROVED.value and e.at < moment:
            new, _old = extension_dates(e)
            current = new or current
    return current


class Timeliness(StrEnum):
    ON_TIME = "on_time"  # 按期: within the original limit
    EXTENDED = "extended"  # 延期后按期: only within a limit moved by an approved extension
    LATE = "late"  # 超期办结


TIMELINESS_LABELS = {
    Timeliness.ON_TIME: "按期",
    Timeliness.EXTENDED: "延期后按期",
    Timeliness.LATE: "超期办结",
}


def resolution_timeliness(
    resolved_at: datetime, due_at: datetime, original_due: datetime
) -> Timeliness:
    """Statistics count 延期后按期 apart from 按期: resolved before the limit in force
    but not before the original one (same `>=` boundary as problem_is_overdue)."""
    if resolved_at >= due_at:
        return Timeliness.LATE
    if resolved_at >= original_due:
        return Timeliness.EXTENDED
    return Timeliness.ON_TIME


def on_time_only_by_extension(
    resolved_at: datetime, due_at: datetime, original_due: datetime
) -> bool:
    return resolution_timeliness(resolved_at, due_at, original_due) is Timeliness.EXTENDED


# --- workflow ---------------------------------------------------------------------

_ACTION_LABELS = {
    EventKind.ACCEPTED: "受理派单",
    EventKind.PROGRESS: "添加办理进展",
    EventKind.ESCALATED: "上报上一级",
    EventKind.RESOLVED: "办结",
    EventKind.RETURN_VISIT: "回访",
    EventKind.REOPENED: "重新办理",
    EventKind.SUPERVISE_YELLOW: "黄牌督办",
    EventKind.SUPERVISE_RED: "红牌督办",
    EventKind.EXPEDITE: "加急",
    EventKind.EXTENSION_REQUESTED: "申请延期",
    EventKind.EXTENSION_APPROVED: "同意延期",
    EventKind.EXTENSION_REFUSED: "不同意延期",
}

_OPEN = (ProblemStatus.PENDING, ProblemStatus.IN_PROGRESS)
_ALLOWED_FROM: dict[EventKind, tuple[ProblemStatus, ...]] = {
    EventKind.ACCEPTED: (ProblemStatus.PENDING,),
    EventKind.PROGRESS: (ProblemStatus.IN_PROGRESS,),
    EventKind.ESCALATED: _OPEN,
    EventKind.RESOLVED: (ProblemStatus.IN_PROGRESS,),
    EventKind.RETURN_VISIT: (ProblemStatus.RESOLVED,),
    EventKind.REOPENED: (ProblemStatus.RESOLVED, ProblemStatus.CLOSED),
    EventKind.SUPERVISE_YELLOW: _OPEN,
    EventKind.SUPERVISE_RED: _OPEN,
    EventKind.EXPEDITE: _OPEN,
    # The handler asks once the problem is dispatched; the answer comes while it is open.
    EventKind.EXTENSION_REQUESTED: (ProblemStatus.IN_PROGRESS,),
    EventKind.EXTENSION_APPROVED: _OPEN,
    EventKind.EXTENSION_REFUSED: _OPEN,
}
_DECISIONS = (EventKind.EXTENSION_APPROVED, EventKind.EXTENSION_REFUSED)


@dataclass(frozen=True, slots=True)
class Transition:
    to_status: ProblemStatus
    to_level: HandlingLevel


def allowed_actions(
    status: ProblemStatus, level: HandlingLevel, *, extension_pending: bool = False
) -> list[EventKind]:
    actions = [kind for kind, sources in _ALLOWED_FROM.items() if status in sources]
    if level.next_up() is None and EventKind.ESCALATED in actions:
        actions.remove(EventKind.ESCALATED)
    drop = (EventKind.EXTENSION_REQUESTED,) if extension_pending else _DECISIONS
    return [a for a in actions if a not in drop]


def transition(
    status: ProblemStatus,
    level: HandlingLevel,
    action: EventKind,
    satisfaction: Satisfaction | None = None,
    *,
    extension_pending: bool = False,
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
    if action is EventKind.EXTENSION_REQUESTED and extension_pending:
        raise WorkflowError(
            "这个问题已有一份延期申请在等待审批。", hint="请等督办人同意或不同意后再申请。"
        )
    if action in _DECISIONS and not extension_pending:
        raise WorkflowError("这个问题没有等待审批的延期申请。")
    if action in SUPERVISION or action in EXTENSION_KINDS:
        return Transition(status, level)  # marks and limits: the status stays
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


# --- statistics (core/indicators.py, core/services/stats.py) ---------------------------


def visit_due_by(
    last_visit: datetime | None, registered_at: datetime, interval_days: int, day: date
) -> bool:
    """应访: the next visit falls due on or before `day` (so a visit was owed by then)."""
    return next_visit_due(last_visit, registered_at, interval_days) <= day


def visit_due_by_sql(
    last_visit: Any,
    registered_at: Any,
    tier_code: Any,
    intervals: Mapping[str, int],
    day: date,
    datetime_type: Any,
) -> ColumnElement[bool]:
    """visit_due_by in SQL: local date of the last visit + interval <= day <=> the last
    visit is before local midnight of (day - interval + 1); never visited: registered
    before the midnight after `day`. The same arithmetic as visit_overdue_sql, which is
    visit_due_by(day - 1)."""
    return visit_overdue_sql(
        last_visit, registered_at, tier_code, intervals, day + timedelta(days=1), datetime_type
    )


def resolution_timeliness_sql(
    resolved_at: Any,
    due_at: Any,
    before_original: ColumnElement[bool],
    before_in_force: ColumnElement[bool] | None = None,
) -> tuple[ColumnElement[bool], ColumnElement[bool], ColumnElement[bool]]:
    """resolution_timeliness in SQL: the conditions for 按期, 延期后按期 and 超期办结 of a
    resolved problem. `before_original` says resolved_at < the original limit (true
    when no approved extension moved it); `before_in_force`, when given, says
    resolved_at < the limit in force at the figures' moment (due_at_as_of: a later
    extension moves no past figure; default resolved_at < due_at). The caller builds
    both from the extension events, whose stored dates compare differently on each
    database (StatsService._before_original_limit, _before_limit_in_force)."""
    in_force = resolved_at < due_at if before_in_force is None else before_in_force
    return and_(in_force, before_original), and_(in_force, ~before_original), ~in_force


class StatusEventLike(Protocol):
    """What the resolution rule reads of a problem event."""

    @property
    def kind(self) -> str: ...
    @property
    def at(self) -> datetime: ...
    @property
    def to_status(self) -> str: ...


_UNRESOLVED_CODES = frozenset(codes(UNRESOLVED))


def resolution_of(last_resolved: datetime | None, last_open: datetime | None) -> datetime | None:
    """The resolution standing at a moment from two facts of the events up to it: the
    last 办结 (`last_resolved`) and the last event leaving the problem 未办结
    (`last_open`: any event whose to_status is pending or in progress, among them
    重新办理 and a dissatisfied return visit). Done as of the moment (DONE: 已办结 or
    已回访销号) exactly when the last 办结 comes after every such event."""
    if last_resolved is None or (last_open is not None and last_open >= last_resolved):
        return None
    return last_resolved


def resolution_as_of(events: Iterable[StatusEventLike], moment: datetime) -> datetime | None:
    """办结 as of `moment` (the weekly list's and the statistics' definition): the last
    办结 event at or before `moment` of a problem done as of `moment`; None while it
    was 未办结 then. A later reopen changes nothing before it, so the figures of a
    past period stay as they were reported."""
    last_resolved: datetime | None = None
    last_open: datetime | None = None
    for e in events:
        if e.at > moment:
            continue
        if e.kind == EventKind.RESOLVED.value:
            last_resolved = e.at if last_resolved is None else max(last_resolved, e.at)
        elif e.to_status in _UNRESOLVED_CODES:
            last_open = e.at if last_open is None else max(last_open, e.at)
    return resolution_of(last_resolved, last_open)


def resolution_facts_sql(
    kind: Any, to_status: Any, at: Any, moment: datetime
) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    """resolution_as_of's two facts in SQL, as aggregates over a problem's events
    (GROUP BY problem_id): the last 办结 and the last event leaving it 未办结, both at
    or before `moment`."""
    up_to = at <= moment
    last_resolved = func.max(case((and_(up_to, kind == EventKind.RESOLVED.value), at)))
    last_open = func.max(
        case(
            (
                and_(up_to, kind != EventKind.RESOLVED.value, status_in_sql(to_status, UNRESOLVED)),
                at,
            )
        )
    )
    return last_resolved, last_open


def resolution_of_sql(last_resolved: Any, last_open: Any) -> ColumnElement[Any]:
    """resolution_of in SQL: the standing resolution's instant, or NULL."""
    return case(
        (
            and_(
                last_resolved.is_not(None),
                or_(last_open.is_(None), last_open < last_resolved),
            ),
            last_resolved,
        ),
        else_=null(),
    )


def resolved_in(resolution: datetime | None, start: datetime, end: datetime | None = None) -> bool:
    """办结 in a period: done as of its moment with the last 办结 within it (`resolution`
    is resolution_as_of the moment, which is never after it)."""
    return resolution is not None and resolution >= start and (end is None or resolution < end)


def resolved_in_sql(
    resolution: Any, start: datetime, end: datetime | None = None
) -> ColumnElement[bool]:
    cond = and_(resolution.is_not(None), resolution >= start)
    return cond if end is None else and_(cond, resolution < end)


def problem_unresolved_at(resolution: datetime | None) -> bool:
    """未办结 at a past moment of a problem reported by then: not done as of it
    (`resolution` = resolution_as_of the moment). At now this is `status in UNRESOLVED`."""
    return resolution is None


def problem_unresolved_at_sql(resolution: Any) -> ColumnElement[bool]:
    return resolution.is_(None)  # type: ignore[no-any-return]


def problem_overdue_at(resolution: datetime | None, due_at: datetime, moment: datetime) -> bool:
    """超期未办结 at `moment`: problem_is_overdue with the status as of `moment`
    (`resolution` = resolution_as_of it) and the limit in force then (due_at_as_of)."""
    return problem_unresolved_at(resolution) and moment >= due_at


def problem_overdue_at_sql(
    resolution: Any, limit_passed: ColumnElement[bool]
) -> ColumnElement[bool]:
    """problem_overdue_at in SQL; `limit_passed` says the limit in force at the moment
    is at or before it (the caller reads it from the extension events)."""
    return and_(problem_unresolved_at_sql(resolution), limit_passed)
