"""Supervisor statistics (issue 19): the counts of any period and scope in SQL
aggregates, turned into indicators by `core/indicators.py` (the formulas), with the
membership rules from `core/rules.py` (docs/architecture.md, "Statistics").

One pass of three aggregate queries (households, visits, problems; plus the return
visits) is grouped by grid and building group; every figure of a community, a grid,
a building group or a worker is a sum of those groups' counts, so the summary, the
comparison tables and the drill-down of one period cost the same few queries.

Figures are "as of" the end of the period: a finished period at its last instant,
the current one now (`Period.as_of`). Problems count by their state as of that moment,
read from their events as the weekly list does (core.rules.resolution_as_of: done then,
last 办结 at or before it; the limit in force then), so a problem reopened later
changes no past period's figures."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Float,
    String,
    and_,
    case,
    cast,
    extract,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Session, aliased

from gridvisit.core.access import Action, guarded
from gridvisit.core.clock import local_date
from gridvisit.core.enums import EventKind, HandlingLevel, Role, Satisfaction
from gridvisit.core.errors import ValidationError
from gridvisit.core.indicators import (
    SETTING_PREFIX,
    CategoryCounts,
    Counts,
    GroupCoverage,
    Period,
    PeriodKind,
    ScopeFigures,
    check_target,
    figures,
    last_periods,
    parse_targets,
    setting_key,
)
from gridvisit.core.records import Scope
from gridvisit.core.rules import (
    last_instant_before,
    problem_overdue_at_sql,
    problem_unresolved_at_sql,
    resolution_facts_sql,
    resolution_of_sql,
    resolution_timeliness_sql,
    resolved_in_sql,
    visit_due_by_sql,
    visit_overdue_sql,
)
from gridvisit.core.services.context import ServiceContext
from gridvisit.storage.models import (
    BuildingGroup,
    Community,
    Grid,
    Household,
    Problem,
    ProblemCategory,
    ProblemEvent,
    Resident,
    Setting,
    SpecialGroup,
    User,
    UserGrid,
    Visit,
    VisitTier,
)
from gridvisit.storage.queries import households_in, problems_in
from gridvisit.storage.types import UTCDateTime

# (grid id, building group id); None for a grid's public areas (problems only).
GroupKey = tuple[int, int | None]


class Breakdown(StrEnum):
    COMMUNITY = "community"
    GRID = "grid"
    BUILDING_GROUP = "building_group"
    WORKER = "worker"


class Figure(StrEnum):
    """What a drill-down can list: the households or problems behind a count."""

    VISITED = "households_visited"  # households
    DUE = "due"
    COVERED = "covered"
    UNCOVERED = "uncovered"  # due, not covered: the gap behind the coverage rate
    OVERDUE_HOUSEHOLDS = "overdue_households"
    NEW = "new"  # problems
    RESOLVED = "resolved"
    ON_TIME = "on_time"
    EXTENDED = "extended"  # 延期后按期
    RESOLVED_LATE = "resolved_late"
    OVERDUE_OPEN = "overdue_open"
    OPEN_AT_START = "open_at_start"
    DISSATISFIED = "dissatisfied"  # problems with a 不满意 return visit in the period

    @property
    def of_households(self) -> bool:
        return self in _HOUSEHOLD_FIGURES


_HOUSEHOLD_FIGURES = frozenset(
    {Figure.VISITED, Figure.DUE, Figure.COVERED, Figure.UNCOVERED, Figure.OVERDUE_HOUSEHOLDS}
)


@dataclass(frozen=True, slots=True)
class StatsRow:
    """One line of a comparison table. `scope` drills into it (pass it back to
    `summary`, `compare` or `drill`)."""

    breakdown: Breakdown
    id: int
    name: str
    parent: str  # the community of a grid, the grid of a building group, a worker's grids
    scope: Scope
    figures: ScopeFigures


@dataclass(frozen=True, slots=True)
class StatsSummary:
    period: Period
    scope: Scope
    scope_name: str
    as_of: datetime
    generated_at: datetime
    targets: dict[str, float]
    figures: ScopeFigures


@dataclass(frozen=True, slots=True)
class TrendPoint:
    period: Period
    as_of: datetime
    figures: ScopeFigures


@dataclass(frozen=True, slots=True)
class StatsReport:
    """Everything a statistics page or a monthly report shows for one period: the
    summary, the comparison rows one level down and per worker, and the trends."""

    summary: StatsSummary
    rows: tuple[StatsRow, ...]  # one level below the scope (communities, grids, groups)
    workers: tuple[StatsRow, ...]
    weekly_trend: tuple[TrendPoint, ...] = ()
    monthly_trend: tuple[TrendPoint, ...] = ()


@dataclass(frozen=True, slots=True)
class DrillItem:
    kind: str  # "household" | "problem"
    id: int
    uuid: str


@dataclass
class _Collected:
    counts: dict[GroupKey, Counts] = field(default_factory=dict)
    groups: dict[GroupKey, dict[str, GroupCoverage]] = field(default_factory=dict)
    categories: dict[GroupKey, dict[str, CategoryCounts]] = field(default_factory=dict)

    def add(self, key: GroupKey, counts: Counts) -> None:
        self.counts[key] = self.counts.get(key, Counts()) + counts

    def figures(self, keys: Iterable[GroupKey], targets: Mapping[str, float]) -> ScopeFigures:
        chosen = set(keys)
        total = Counts.total(c for k, c in self.counts.items() if k in chosen)
        special: dict[str, GroupCoverage] = {}
        for k in chosen:
            for code, g in self.groups.get(k, {}).items():
                special[code] = special[code] + g if code in special else g
        cats: dict[str, CategoryCounts] = {}
        for k in chosen:
            for code, c in self.categories.get(k, {}).items():
                cats[code] = cats[code] + c if code in cats else c
        return figures(total, targets, special.values(), cats.values())

    def group_keys(self) -> set[GroupKey]:
        return set(self.counts) | set(self.groups) | set(self.categories)


class StatsService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    # -- targets ---------------------------------------------------------------------
    @guarded(Action.READ)
    def targets(self) -> dict[str, float]:
        """The targets in force: indicator key → lower bound (a share, 0..1)."""
        with self.ctx.read() as s:
            return _targets(s)

    @guarded(Action.MANAGE_TARGETS)
    def set_targets(self, values: Mapping[str, float | None]) -> dict[str, float]:
        """Change targets (None removes one); audited. Only sub-district admins."""
        checked = {key: check_target(key, value) for key, value in values.items()}
        with self.ctx.write() as s:
            before = _targets(s)
            for key, value in checked.items():
                s.merge(Setting(key=setting_key(key), value="" if value is None else repr(value)))
            s.flush()
            after = _targets(s)
            self.ctx.audit(
                s,
                "stats.targets",
                changed=sorted(checked),
                before=repr({k: before.get(k) for k in checked}),
                after=repr({k: after.get(k) for k in checked}),
            )
        return after

    @guarded(Action.MANAGE_TARGETS)
    def reset_targets(self) -> dict[str, float]:
        """Back to the defaults; audited."""
        with self.ctx.write() as s:
            stored = list(s.scalars(select(Setting).where(Setting.key.like(SETTING_PREFIX + "%"))))
            for row in stored:
                s.delete(row)
            self.ctx.audit(s, "stats.targets", changed=[r.key for r in stored], reset=True)
            s.flush()
            return _targets(s)

    # -- reading ---------------------------------------------------------------------
    @guarded(Action.READ)
    def summary(self, period: Period, scope: Scope, scope_name: str = "") -> StatsSummary:
        now = _started(period, self.ctx.now())
        with self.ctx.read() as s:
            narrowed = self.ctx.narrow(s, scope)
            targets = _targets(s)
            data = _collect(s, period, narrowed, now)
        return StatsSummary(
            period,
            narrowed,
            scope_name,
            period.as_of(now),
            now,
            targets,
            data.figures(data.group_keys(), targets),
        )

    @guarded(Action.READ)
    def compare(self, period: Period, scope: Scope, by: Breakdown) -> list[StatsRow]:
        """One row per community, grid, building group or worker within `scope`, with
        the same indicators (for ranking and drill-down)."""
        now = _started(period, self.ctx.now())
        with self.ctx.read() as s:
            narrowed = self.ctx.narrow(s, scope)
            targets = _targets(s)
            data = _collect(s, period, narrowed, now)
            return _rows(s, data, narrowed, by, targets)

    @guarded(Action.READ)
    def report(
        self,
        period: Period,
        scope: Scope,
        scope_name: str = "",
        *,
        by: Breakdown | None = None,
        trends: bool = False,
    ) -> StatsReport:
        """The summary, the rows one level below the scope (or `by`), the workers and
        (with `trends`, which cost more than the rest: one pass over the visits of a
        year) the last 12 weeks and 12 months up to the period's end."""
        now = _started(period, self.ctx.now())
        with self.ctx.read() as s:
            narrowed = self.ctx.narrow(s, scope)
            targets = _targets(s)
            data = _collect(s, period, narrowed, now)
            summary = StatsSummary(
                period,
                narrowed,
                scope_name,
                period.as_of(now),
                now,
                targets,
                data.figures(data.group_keys(), targets),
            )
            rows = _rows(s, data, narrowed, by or _child_breakdown(narrowed), targets)
            workers = _rows(s, data, narrowed, Breakdown.WORKER, targets)
            weekly: tuple[TrendPoint, ...] = ()
            monthly: tuple[TrendPoint, ...] = ()
            if trends:
                moment = period.as_of(now)
                weekly = tuple(_trend(s, narrowed, PeriodKind.WEEK, 12, moment, now, targets))
                monthly = tuple(_trend(s, narrowed, PeriodKind.MONTH, 12, moment, now, targets))
        return StatsReport(summary, tuple(rows), tuple(workers), weekly, monthly)

    @guarded(Action.READ)
    def trend(
        self, scope: Scope, kind: PeriodKind, count: int = 12, until: datetime | None = None
    ) -> list[TrendPoint]:
        """The last `count` periods of `kind` up to the one containing `until`
        (default now), oldest first."""
        if kind is PeriodKind.CUSTOM:
            raise ValidationError({"kind": "趋势只能按周、月、季度或年统计"})
        now = self.ctx.now()
        with self.ctx.read() as s:
            narrowed = self.ctx.narrow(s, scope)
            targets = _targets(s)
            return _trend(s, narrowed, kind, count, until or now, now, targets)

    @guarded(Action.READ)
    def drill(self, period: Period, scope: Scope, figure: Figure) -> list[DrillItem]:
        """The households or problems a figure counts, by id and UUID."""
        now = _started(period, self.ctx.now())
        moment = period.as_of(now)
        with self.ctx.read() as s:
            narrowed = self.ctx.narrow(s, scope)
            if figure.of_households:
                h = _household_facts(s, period, narrowed, moment)
                cond = h.conditions[figure]
                q = (
                    select(h.table.c.id, Household.uuid)
                    .join(Household, Household.id == h.table.c.id)
                    .where(cond)
                    .order_by(h.table.c.id)
                )
                return [DrillItem("household", i, u) for i, u in s.execute(q)]
            if figure is Figure.DISSATISFIED:
                q2 = problems_in(
                    select(Problem.id, Problem.uuid)
                    .where(Problem.id.in_(_return_visits_in(period, moment, dissatisfied=True)))
                    .order_by(Problem.id),
                    narrowed,
                )
                return [DrillItem("problem", i, u) for i, u in s.execute(q2)]
            candidates = _candidates(period.start, moment)
            facts = _resolution_facts(_moments_of(period, moment), candidates, narrowed)
            p = _problem_conditions(s, period, moment, facts)
            q3 = problems_in(
                select(Problem.id, Problem.uuid)
                .outerjoin(facts, facts.c.pid == Problem.id)
                .where(candidates, p[figure])
                .order_by(Problem.id),
                narrowed,
            )
            return [DrillItem("problem", i, u) for i, u in s.execute(q3)]


# --- queries --------------------------------------------------------------------------


def _started(period: Period, now: datetime) -> datetime:
    """`now`, or a ValidationError for a period that has not begun (its figures would
    be today's state with nothing done in it)."""
    if now < period.start:
        raise ValidationError({"period": f"统计期 {period.label}尚未开始,没有可统计的数据"})
    return now


def _targets(s: Session) -> dict[str, float]:
    stored = dict(
        s.execute(
            select(Setting.key, Setting.value).where(Setting.key.like(SETTING_PREFIX + "%"))
        ).all()
    )
    return parse_targets(stored)


# SQLite's page cache for the statistics' connection, in KiB: every page read from an
# encrypted file is decrypted again once it has left the cache (8 MB by default), and
# the visit index, the problems and their events of the 30k demo do not fit in 8 MB.
# The cache fills only as pages are read: a grid laptop's small file never takes
# that much.
STATS_CACHE_KIB = 131072


def _widen_cache(s: Session) -> None:
    conn = s.connection()
    if conn.dialect.name != "sqlite":
        return
    current = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    # Negative: KiB; positive: pages (of 4 KiB here). Only ever widened.
    if isinstance(current, int) and (current >= 0 or -current < STATS_CACHE_KIB):
        conn.exec_driver_sql(f"PRAGMA cache_size = -{STATS_CACHE_KIB}")


def _collect(s: Session, period: Period, scope: Scope, now: datetime) -> _Collected:
    _widen_cache(s)
    moment = period.as_of(now)
    out = _Collected()
    _collect_households(s, period, scope, moment, out)
    _collect_problems(s, period, scope, moment, out)
    _collect_return_visits(s, period, scope, moment, out)
    return out


@dataclass
class _HouseholdFacts:
    table: Any  # the per-household subquery: id, grid_id, group_id, flags
    conditions: dict[Figure, ColumnElement[bool]]
    groups: list[tuple[str, str]]  # special group code, name


def _household_facts(s: Session, period: Period, scope: Scope, moment: datetime) -> _HouseholdFacts:
    """One row per active household of the scope registered by `moment`: its last
    visit before the period (`before`), its last visit by `moment` (`by_end`), and a
    0/1 column per special group; `conditions` are the figures over those columns."""
    intervals = dict(s.execute(select(VisitTier.code, VisitTier.interval_days)).all())
    groups = [
        (code, name)
        for code, name in s.execute(
            select(SpecialGroup.code, SpecialGroup.name).order_by(SpecialGroup.sort)
        )
    ]
    day = local_date(moment)

    # Per household, three seeks in ix_visit_household_last (household, visited_at,
    # archived), which answers them without reading a visit row: the last visit before
    # the period, the last visit in it and how many there were.
    v1, v2, v3 = aliased(Visit), aliased(Visit), aliased(Visit)
    before = _last_visit(v1, v1.visited_at < period.start)
    last_in = _last_visit(v2, v2.visited_at >= period.start, v2.visited_at <= moment)
    n_in = (
        select(func.count())
        .select_from(v3)
        .where(
            v3.household_id == Household.id,
            v3.archived.is_(False),
            v3.visited_at >= period.start,
            v3.visited_at <= moment,
        )
        .correlate(Household)
        .scalar_subquery()
    )

    members: list[Any] = []
    if groups:
        text = cast(Resident.special_groups, String)
        per_resident = select(
            Resident.household_id.label("hid"),
            *(
                func.max(case((text.like(_json_member(code), escape="\\"), 1), else_=0)).label(
                    f"g{i}"
                )
                for i, (code, _name) in enumerate(groups)
            ),
        )
        flags_q = (
            per_resident.where(Resident.archived.is_(False), text != "[]")
            .group_by(Resident.household_id)
            .subquery()
        )
        members = [flags_q.c[f"g{i}"] for i in range(len(groups))]
    base = households_in(
        select(
            Household.id.label("id"),
            BuildingGroup.grid_id.label("grid_id"),
            Household.building_group_id.label("group_id"),
            Household.created_at.label("created_at"),
            Household.tier_code.label("tier_code"),
            before.label("before"),
            last_in.label("last_in_period"),
            n_in.label("visits"),
            *(func.coalesce(m, 0).label(f"g{i}") for i, m in enumerate(members)),
        )
        .join(BuildingGroup, BuildingGroup.id == Household.building_group_id)
        .where(Household.archived.is_(False), Household.created_at <= moment),
        scope,
    )
    if groups:
        base = base.outerjoin(flags_q, flags_q.c.hid == Household.id)
    # Materialized, so the probe runs once per household however often the figures
    # below name its result.
    raw = base.cte("household_visits").prefix_with("MATERIALIZED")
    due, visited, overdue = _visit_flags(
        raw.c.before, raw.c.last_in_period, raw.c.visits, raw.c.created_at, raw.c.tier_code,
        intervals, day,
    )  # fmt: skip
    flags = (
        select(
            raw,
            case((due, 1), else_=0).label("is_due"),
            case((visited, 1), else_=0).label("is_visited"),
            case((overdue, 1), else_=0).label("is_overdue"),
        )
        .cte("household_flags")
        .prefix_with("MATERIALIZED")
    )
    t = (
        select(
            flags,
            case(
                (and_(flags.c.is_due == 1, flags.c.is_visited == 1, flags.c.is_overdue == 0), 1),
                else_=0,
            ).label("is_covered"),
        )
        .cte("household_facts")
        .prefix_with("MATERIALIZED")
    )
    conditions = {
        Figure.VISITED: t.c.is_visited == 1,
        Figure.DUE: t.c.is_due == 1,
        Figure.COVERED: t.c.is_covered == 1,
        Figure.UNCOVERED: and_(t.c.is_due == 1, t.c.is_covered == 0),
        Figure.OVERDUE_HOUSEHOLDS: t.c.is_overdue == 1,
    }
    return _HouseholdFacts(t, conditions, groups)


def _last_visit(v: Any, *cond: ColumnElement[bool]) -> Any:
    """The household's (correlated) latest visit meeting `cond`, deleted ones left out."""
    return (
        select(v.visited_at)
        .where(v.household_id == Household.id, v.archived.is_(False), *cond)
        .order_by(v.visited_at.desc())
        .limit(1)
        .correlate(Household)
        .scalar_subquery()
    )


def _visit_flags(
    before: Any,
    last_in_period: Any,
    visits: Any,
    created_at: Any,
    tier_code: Any,
    intervals: Mapping[str, int],
    day: date,
) -> tuple[ColumnElement[bool], ColumnElement[bool], ColumnElement[bool]]:
    """应访, visited and overdue for one household and period, from its last visit
    before the period, its last visit and number of visits in it (the rules:
    core/rules.py). Covered = due and visited and not overdue."""
    dt = UTCDateTime()
    by_end = func.coalesce(last_in_period, before)
    due = visit_due_by_sql(before, created_at, tier_code, intervals, day, dt)
    overdue = visit_overdue_sql(by_end, created_at, tier_code, intervals, day, dt)
    return due, visits > 0, overdue


def _json_member(code: str) -> str:
    """LIKE pattern for a code inside a JSON list of strings."""
    escaped = code.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f'%"{escaped}"%'


def _n(cond: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)


def _collect_households(
    s: Session, period: Period, scope: Scope, moment: datetime, out: _Collected
) -> None:
    h = _household_facts(s, period, scope, moment)
    t = h.table

    def total(col: Any) -> Any:
        return func.coalesce(func.sum(col), 0)

    cols = [
        total(t.c.is_due),
        total(t.c.is_covered),
        total(t.c.is_overdue),
        total(t.c.visits),
        total(t.c.is_visited),
    ]
    for i in range(len(h.groups)):
        member = t.c[f"g{i}"]
        cols += [
            total(member * t.c.is_due),
            total(member * t.c.is_covered),
            total(member * t.c.is_overdue),
            total(member),
        ]
    q = select(t.c.grid_id, t.c.group_id, *cols).group_by(t.c.grid_id, t.c.group_id)
    for row in s.execute(q):
        key: GroupKey = (row[0], row[1])
        due, covered, overdue, visits, visited = row[2:7]
        out.add(
            key,
            Counts(
                visits=visits,
                households_visited=visited,
                due=due,
                covered=covered,
                overdue_households=overdue,
            ),
        )
        out.groups[key] = {
            code: GroupCoverage(code, name, *row[7 + 4 * i : 11 + 4 * i])
            for i, (code, name) in enumerate(h.groups)
        }


def _candidates(start: datetime, moment: datetime) -> ColumnElement[bool]:
    """The problems a figure of periods from `start` to `moment` may count. Problems
    resolved for good before the period matter to none: resolved_at is the last 办结 of
    a problem done now, none reopened it since, so it was done, with that resolution,
    at every moment from then on."""
    return and_(
        Problem.reported_at <= moment,
        or_(
            Problem.reported_at >= start,
            Problem.resolved_at.is_(None),
            Problem.resolved_at >= _just_before(start),
        ),
    )


def _resolution_facts(
    moments: Sequence[datetime], candidates: ColumnElement[bool], scope: Scope
) -> Any:
    """Per candidate problem of the scope (others get none: the queries keep to the
    candidates), the two facts of its resolution at each of `moments`
    (core.rules.resolution_facts_sql: lr{i}, lo{i}), from its events (read through the
    problem_id index: a month's candidates are a small part of all problems)."""
    cols = []
    for i, m in enumerate(moments):
        last_resolved, last_open = resolution_facts_sql(
            ProblemEvent.kind, ProblemEvent.to_status, ProblemEvent.at, m
        )
        cols += [last_resolved.label(f"lr{i}"), last_open.label(f"lo{i}")]
    return (
        select(ProblemEvent.problem_id.label("pid"), *cols)
        .where(
            ProblemEvent.problem_id.in_(problems_in(select(Problem.id).where(candidates), scope)),
            ProblemEvent.at <= max(moments),
        )
        .group_by(ProblemEvent.problem_id)
        .subquery("resolutions")
    )


def _resolution(facts: Any, i: int) -> ColumnElement[Any]:
    return resolution_of_sql(facts.c[f"lr{i}"], facts.c[f"lo{i}"])


def _problem_conditions(
    s: Session, period: Period, moment: datetime, facts: Any, i: int = 0, j: int = 1
) -> dict[Figure, ColumnElement[bool]]:
    """The problem figures as conditions over the problem table joined to `facts`
    (`_resolution_facts` of [moment, just before the start], at index i and j):
    办结 and 未办结 as of the period's moment (core.rules.resolution_as_of), the limit
    in force then (due_at_as_of)."""
    start, end = period.start, period.end
    resolution = _resolution(facts, i)
    resolved = resolved_in_sql(resolution, start, end)
    on_time, extended, late = resolution_timeliness_sql(
        resolution,
        Problem.due_at,
        _before_original_limit(s, resolution),
        _before_limit_in_force(s, resolution, moment),
    )
    passed = ~_before_limit_in_force(s, literal(moment, UTCDateTime()), moment)
    return {
        Figure.NEW: and_(Problem.reported_at >= start, Problem.reported_at <= moment),
        Figure.RESOLVED: resolved,
        Figure.ON_TIME: and_(resolved, on_time),
        Figure.EXTENDED: and_(resolved, extended),
        Figure.RESOLVED_LATE: and_(resolved, late),
        Figure.OVERDUE_OPEN: and_(
            Problem.reported_at <= moment, problem_overdue_at_sql(resolution, passed)
        ),
        Figure.OPEN_AT_START: and_(
            Problem.reported_at < start, problem_unresolved_at_sql(_resolution(facts, j))
        ),
    }


def _moments_of(period: Period, moment: datetime) -> list[datetime]:
    """The moments `_problem_conditions` reads resolutions at: the period's, and the
    last instant before it began (期初)."""
    return [moment, _just_before(period.start)]


def _before_original_limit(s: Session, resolution: Any = None) -> ColumnElement[bool]:
    """`resolution` (default Problem.resolved_at) < the limit before any approved
    extension (core.rules' original_due_at: the first approval's previous due_at, kept
    as ISO text in the event's assigned_person; core.rules.extension_fields). True
    without an approval."""
    at = Problem.resolved_at if resolution is None else resolution
    e = aliased(ProblemEvent)
    original = (
        select(e.assigned_person)
        .where(
            e.problem_id == Problem.id,
            e.kind == EventKind.EXTENSION_APPROVED.value,
            e.assigned_person != "",
        )
        .order_by(e.at, e.id)
        .limit(1)
        .correlate(Problem)
        .scalar_subquery()
    )
    return or_(original.is_(None), _before_text(s, at, original))


def _before_limit_in_force(s: Session, instant: Any, moment: datetime) -> ColumnElement[bool]:
    """`instant` < the limit in force at `moment` (core.rules.due_at_as_of): due_at,
    unless an extension was approved after `moment`; then the limit the first such
    approval replaced (its assigned_person)."""
    e = aliased(ProblemEvent)
    replaced = (
        select(e.assigned_person)
        .where(
            e.problem_id == Problem.id,
            e.kind == EventKind.EXTENSION_APPROVED.value,
            e.assigned_person != "",
            e.at >= moment,
        )
        .order_by(e.at, e.id)
        .limit(1)
        .correlate(Problem)
        .scalar_subquery()
    )
    return case(
        (replaced.is_(None), instant < Problem.due_at),
        else_=_before_text(s, instant, replaced),
    )


def _before_text(s: Session, instant: Any, iso_text: Any) -> ColumnElement[bool]:
    if s.get_bind().dialect.name == "sqlite":
        # The column holds naive UTC text, the event an ISO instant with its offset:
        # julianday reads both.
        return func.julianday(instant) < func.julianday(iso_text)
    return instant < cast(iso_text, DateTime(timezone=True))  # type: ignore[no-any-return]


def _just_before(moment: datetime) -> datetime:
    return last_instant_before(moment)


def _days_between(s: Session, later: Any, earlier: Any) -> Any:
    if s.get_bind().dialect.name == "sqlite":
        return func.julianday(later) - func.julianday(earlier)
    return extract("epoch", later - earlier) / 86400.0


def _collect_problems(
    s: Session, period: Period, scope: Scope, moment: datetime, out: _Collected
) -> None:
    candidates = _candidates(period.start, moment)
    facts = _resolution_facts(_moments_of(period, moment), candidates, scope)
    c = _problem_conditions(s, period, moment, facts)
    resolved = c[Figure.RESOLVED]
    level = Problem.level
    top = func.coalesce(ProblemCategory.parent_code, Problem.category_code)
    days = _days_between(s, _resolution(facts, 0), Problem.reported_at)
    q = problems_in(
        select(
            Problem.grid_id,
            Problem.building_group_id,
            top,
            _n(c[Figure.NEW]),
            _n(resolved),
            _n(c[Figure.ON_TIME]),
            _n(c[Figure.OVERDUE_OPEN]),
            _n(c[Figure.OPEN_AT_START]),
            func.coalesce(func.sum(case((resolved, cast(days, Float)), else_=0.0)), 0.0),
            _n(and_(resolved, level == HandlingLevel.GRID.value)),
            _n(and_(resolved, level == HandlingLevel.COMMUNITY.value)),
            _n(and_(resolved, level == HandlingLevel.SUBDISTRICT.value)),
            _n(c[Figure.EXTENDED]),
        )
        .join(ProblemCategory, ProblemCategory.code == Problem.category_code, isouter=True)
        .outerjoin(facts, facts.c.pid == Problem.id)
        .where(candidates)
        .group_by(Problem.grid_id, Problem.building_group_id, top),
        scope,
    )
    names = {
        str(code): str(name)
        for code, name in s.execute(select(ProblemCategory.code, ProblemCategory.name))
    }
    for row in s.execute(q):
        key: GroupKey = (row[0], row[1])
        new, res, on_time, overdue, open_start = (int(x) for x in row[3:8])
        out.add(
            key,
            Counts(
                new=new,
                resolved=res,
                on_time=on_time,
                overdue_open=overdue,
                open_at_start=open_start,
                days_to_resolve=float(row[8]),
                settled_grid=int(row[9]),
                settled_community=int(row[10]),
                settled_subdistrict=int(row[11]),
                extended=int(row[12]),
            ),
        )
        if new or res or overdue:
            cats = out.categories.setdefault(key, {})
            code = str(row[2])
            cat = CategoryCounts(code, names.get(code, code), new, res, on_time, overdue)
            cats[code] = cats[code] + cat if code in cats else cat


def _return_visits_in(period: Period, moment: datetime, *, dissatisfied: bool = False) -> Any:
    q = select(ProblemEvent.problem_id).where(
        ProblemEvent.kind == EventKind.RETURN_VISIT.value,
        ProblemEvent.at >= period.start,
        ProblemEvent.at <= moment,
    )
    if dissatisfied:
        q = q.where(ProblemEvent.satisfaction == Satisfaction.DISSATISFIED.value)
    return q


def _collect_return_visits(
    s: Session, period: Period, scope: Scope, moment: datetime, out: _Collected
) -> None:
    q = problems_in(
        select(
            Problem.grid_id,
            Problem.building_group_id,
            _n(ProblemEvent.satisfaction != ""),
            _n(ProblemEvent.satisfaction == Satisfaction.SATISFIED.value),
            _n(ProblemEvent.satisfaction == Satisfaction.BASICALLY.value),
            _n(ProblemEvent.satisfaction == Satisfaction.DISSATISFIED.value),
        )
        .select_from(ProblemEvent)
        .join(Problem, Problem.id == ProblemEvent.problem_id)
        .where(
            ProblemEvent.kind == EventKind.RETURN_VISIT.value,
            ProblemEvent.at >= period.start,
            ProblemEvent.at <= moment,
        )
        .group_by(Problem.grid_id, Problem.building_group_id),
        scope,
    )
    for grid_id, group_id, n, sat, basic, dis in s.execute(q):
        out.add(
            (grid_id, group_id),
            Counts(return_visits=n, satisfied=sat, basically_satisfied=basic, dissatisfied=dis),
        )


def _trend(
    s: Session,
    scope: Scope,
    kind: PeriodKind,
    count: int,
    until: datetime,
    now: datetime,
    targets: Mapping[str, float],
) -> list[TrendPoint]:
    """The counts of `count` periods at once: one pass over the visits since the first
    period began, one over the problems, one over the return visits, each with a
    column per period built from the same conditions as a single period's figures
    (tests/core/test_stats_demo.py holds them equal). Trend points carry no special
    groups or categories."""
    _widen_cache(s)
    periods = last_periods(kind, count, until)
    moments = [p.as_of(now) for p in periods]
    counts = [
        h + p + r
        for h, p, r in zip(
            _trend_households(s, scope, periods, moments),
            _trend_problems(s, scope, periods, moments),
            _trend_returns(s, scope, periods, moments),
            strict=True,
        )
    ]
    return [
        TrendPoint(p, m, figures(c, targets))
        for p, m, c in zip(periods, moments, counts, strict=True)
    ]


def _trend_households(
    s: Session, scope: Scope, periods: list[Period], moments: list[datetime]
) -> list[Counts]:
    intervals = dict(s.execute(select(VisitTier.code, VisitTier.interval_days)).all())
    first, last = periods[0].start, max(moments)
    v = aliased(Visit)
    before_all = _last_visit(v, v.visited_at < first)
    # Twelve periods hold a good part of the visits: one pass over the covering
    # ix_visit_household_last (household, visited_at, archived) reads no visit row,
    # where the index on visited_at would fetch each row, spread over the whole table
    # (the demo registers a household's visits together). A function of the column
    # keeps SQLite's planner off that index.
    scanned = func.coalesce(Visit.visited_at, Visit.visited_at)
    # The period of each visit (the periods follow each other; newest first, as most
    # visits are recent), then per household the last visit and the count of each.
    bucket = case(
        *((Visit.visited_at >= periods[i].start, i) for i in reversed(range(len(periods))))
    )
    by_period = (
        select(
            Visit.household_id.label("hid"),
            bucket.label("k"),
            func.count().label("n"),
            func.max(Visit.visited_at).label("last"),
        )
        .where(Visit.archived.is_(False), scanned >= first, scanned <= last)
        .group_by(Visit.household_id, bucket)
        .subquery()
    )
    per_period = []
    for i in range(len(periods)):
        per_period += [
            func.max(case((by_period.c.k == i, by_period.c.last))).label(f"l{i}"),
            func.coalesce(func.sum(case((by_period.c.k == i, by_period.c.n))), 0).label(f"n{i}"),
        ]
    seen = select(by_period.c.hid, *per_period).group_by(by_period.c.hid).subquery()
    raw = (
        households_in(
            select(
                Household.created_at.label("created_at"),
                Household.tier_code.label("tier_code"),
                before_all.label("before_all"),
                *(seen.c[f"{x}{i}"] for i in range(len(periods)) for x in "ln"),
            )
            .outerjoin(seen, seen.c.hid == Household.id)
            .where(Household.archived.is_(False), Household.created_at <= last),
            scope,
        )
        .cte("trend_households")
        .prefix_with("MATERIALIZED")
    )
    n_periods = len(periods)
    # Each period's last visit before it, once per household: the periods follow each
    # other, so it is the last visit of the latest earlier period that had one (each
    # ends where the next begins), else the last visit before the first.
    befores = []
    for i in range(n_periods):
        earlier = [raw.c[f"l{j}"] for j in reversed(range(i))]
        befores.append(
            (func.coalesce(*earlier, raw.c.before_all) if earlier else raw.c.before_all).label(
                f"b{i}"
            )
        )
    chained = select(raw, *befores).cte("trend_befores").prefix_with("MATERIALIZED")
    # The rules, once per household and period, as 0/1 columns.
    flag_cols = []
    for i, m in enumerate(moments):
        n = func.coalesce(chained.c[f"n{i}"], 0)
        due, visited, overdue = _visit_flags(
            chained.c[f"b{i}"], chained.c[f"l{i}"], n, chained.c.created_at,
            chained.c.tier_code, intervals, local_date(m),
        )  # fmt: skip
        registered = chained.c.created_at <= m
        flag_cols += [
            case((registered, n), else_=0).label(f"v{i}"),
            case((and_(registered, visited), 1), else_=0).label(f"s{i}"),
            case((and_(registered, due), 1), else_=0).label(f"d{i}"),
            case((and_(registered, overdue), 1), else_=0).label(f"o{i}"),
        ]
    flags = select(*flag_cols).select_from(chained).cte("trend_flags").prefix_with("MATERIALIZED")
    cols = []
    for i in range(n_periods):
        covered = flags.c[f"d{i}"] * flags.c[f"s{i}"] * (1 - flags.c[f"o{i}"])
        cols += [
            func.coalesce(func.sum(flags.c[f"v{i}"]), 0),
            func.coalesce(func.sum(flags.c[f"s{i}"]), 0),
            func.coalesce(func.sum(flags.c[f"d{i}"]), 0),
            func.coalesce(func.sum(covered), 0),
            func.coalesce(func.sum(flags.c[f"o{i}"]), 0),
        ]
    row = s.execute(select(*cols).select_from(flags)).one()
    return [
        Counts(
            visits=int(row[5 * i]),
            households_visited=int(row[5 * i + 1]),
            due=int(row[5 * i + 2]),
            covered=int(row[5 * i + 3]),
            overdue_households=int(row[5 * i + 4]),
        )
        for i in range(len(periods))
    ]


def _trend_problems(
    s: Session, scope: Scope, periods: list[Period], moments: list[datetime]
) -> list[Counts]:
    # A finished period's moment is the instant before the next one's start: each
    # distinct moment once.
    at = sorted({x for p, m in zip(periods, moments, strict=True) for x in _moments_of(p, m)})
    index = {x: k for k, x in enumerate(at)}
    candidates = _candidates(periods[0].start, max(moments))
    facts = _resolution_facts(at, candidates, scope)
    cols = []
    for p, m in zip(periods, moments, strict=True):
        c = _problem_conditions(s, p, m, facts, index[m], index[_just_before(p.start)])
        resolved = c[Figure.RESOLVED]
        days = _days_between(s, _resolution(facts, index[m]), Problem.reported_at)
        cols += [
            _n(c[Figure.NEW]),
            _n(resolved),
            _n(c[Figure.ON_TIME]),
            _n(c[Figure.OVERDUE_OPEN]),
            _n(c[Figure.OPEN_AT_START]),
            func.coalesce(func.sum(case((resolved, cast(days, Float)), else_=0.0)), 0.0),
            _n(and_(resolved, Problem.level == HandlingLevel.GRID.value)),
            _n(and_(resolved, Problem.level == HandlingLevel.COMMUNITY.value)),
            _n(and_(resolved, Problem.level == HandlingLevel.SUBDISTRICT.value)),
            _n(c[Figure.EXTENDED]),
        ]
    q = problems_in(
        select(*cols).outerjoin(facts, facts.c.pid == Problem.id).where(candidates),
        scope,
    )
    row = s.execute(q).one()
    out = []
    for i in range(len(periods)):
        k = 10 * i
        out.append(
            Counts(
                new=int(row[k]),
                resolved=int(row[k + 1]),
                on_time=int(row[k + 2]),
                overdue_open=int(row[k + 3]),
                open_at_start=int(row[k + 4]),
                days_to_resolve=float(row[k + 5]),
                settled_grid=int(row[k + 6]),
                settled_community=int(row[k + 7]),
                settled_subdistrict=int(row[k + 8]),
                extended=int(row[k + 9]),
            )
        )
    return out


def _trend_returns(
    s: Session, scope: Scope, periods: list[Period], moments: list[datetime]
) -> list[Counts]:
    cols = []
    for p, m in zip(periods, moments, strict=True):
        inside = and_(ProblemEvent.at >= p.start, ProblemEvent.at <= m)
        cols += [
            _n(and_(inside, ProblemEvent.satisfaction != "")),
            _n(and_(inside, ProblemEvent.satisfaction == Satisfaction.SATISFIED.value)),
            _n(and_(inside, ProblemEvent.satisfaction == Satisfaction.BASICALLY.value)),
            _n(and_(inside, ProblemEvent.satisfaction == Satisfaction.DISSATISFIED.value)),
        ]
    q = problems_in(
        select(*cols)
        .select_from(ProblemEvent)
        .join(Problem, Problem.id == ProblemEvent.problem_id)
        .where(
            ProblemEvent.kind == EventKind.RETURN_VISIT.value,
            ProblemEvent.at >= periods[0].start,
            ProblemEvent.at <= max(moments),
        ),
        scope,
    )
    row = s.execute(q).one()
    return [
        Counts(
            return_visits=int(row[4 * i]),
            satisfied=int(row[4 * i + 1]),
            basically_satisfied=int(row[4 * i + 2]),
            dissatisfied=int(row[4 * i + 3]),
        )
        for i in range(len(periods))
    ]


# --- comparison rows --------------------------------------------------------------------


def _child_breakdown(scope: Scope) -> Breakdown:
    if scope.building_group_id is not None or scope.grid_id is not None:
        return Breakdown.BUILDING_GROUP
    if scope.community_id is not None:
        return Breakdown.GRID
    return Breakdown.COMMUNITY


def _rows(
    s: Session,
    data: _Collected,
    scope: Scope,
    by: Breakdown,
    targets: Mapping[str, float],
) -> list[StatsRow]:
    grids = {
        gid: (name, cid)
        for gid, name, cid in s.execute(
            select(Grid.id, Grid.name, Grid.community_id).where(Grid.archived.is_(False))
        )
    }
    if scope.grid_ids is not None:
        grids = {g: v for g, v in grids.items() if g in scope.grid_ids}
    if scope.grid_id is not None:
        grids = {g: v for g, v in grids.items() if g == scope.grid_id}
    if scope.community_id is not None:
        grids = {g: v for g, v in grids.items() if v[1] == scope.community_id}
    communities = dict(
        s.execute(select(Community.id, Community.name).where(Community.archived.is_(False))).all()
    )
    keys_by_grid: dict[int, list[GroupKey]] = defaultdict(list)
    for key in data.group_keys():
        keys_by_grid[key[0]].append(key)
    rows: list[StatsRow] = []
    if by is Breakdown.COMMUNITY:
        by_community: dict[int, list[int]] = defaultdict(list)
        for gid, (_name, cid) in grids.items():
            by_community[cid].append(gid)
        for cid, name in communities.items():
            if cid not in by_community:
                continue
            keys = [k for g in by_community[cid] for k in keys_by_grid[g]]
            rows.append(
                StatsRow(
                    by,
                    cid,
                    name,
                    "",
                    replace(scope, community_id=cid),
                    data.figures(keys, targets),
                )
            )
    elif by is Breakdown.GRID:
        for gid, (name, cid) in grids.items():
            rows.append(
                StatsRow(
                    by,
                    gid,
                    name,
                    communities.get(cid, ""),
                    replace(scope, grid_id=gid),
                    data.figures(keys_by_grid[gid], targets),
                )
            )
    elif by is Breakdown.BUILDING_GROUP:
        q = select(BuildingGroup.id, BuildingGroup.name, BuildingGroup.grid_id).where(
            BuildingGroup.archived.is_(False), BuildingGroup.grid_id.in_(list(grids))
        )
        if scope.building_group_id is not None:
            q = q.where(BuildingGroup.id == scope.building_group_id)
        for bid, name, gid in s.execute(q):
            rows.append(
                StatsRow(
                    by,
                    bid,
                    name,
                    grids[gid][0],
                    replace(scope, building_group_id=bid),
                    data.figures([(gid, bid)], targets),
                )
            )
    else:
        theirs: dict[int, list[int]] = defaultdict(list)
        names: dict[int, str] = {}
        q2 = (
            select(User.id, User.display_name, UserGrid.grid_id)
            .join(UserGrid, UserGrid.user_id == User.id)
            .where(User.active.is_(True), User.role == Role.GRID_WORKER.value)
        )
        for uid, name, gid in s.execute(q2):
            if gid in grids:
                theirs[uid].append(gid)
                names[uid] = name
        for uid, gids in theirs.items():
            keys = [k for g in gids for k in keys_by_grid[g]]
            rows.append(
                StatsRow(
                    by,
                    uid,
                    names[uid],
                    "、".join(grids[g][0] for g in sorted(gids)),
                    Scope(grid_ids=frozenset(gids)),
                    data.figures(keys, targets),
                )
            )
    rows.sort(key=lambda r: (r.parent, r.name))
    return rows


def rank(rows: Sequence[StatsRow], key: str, *, descending: bool = True) -> list[StatsRow]:
    """Rows ordered by one indicator, rows without a value last."""
    have = [r for r in rows if r.figures.value(key) is not None]
    missing = [r for r in rows if r.figures.value(key) is None]
    have.sort(key=lambda r: r.figures.value(key) or 0.0, reverse=descending)
    return have + missing
