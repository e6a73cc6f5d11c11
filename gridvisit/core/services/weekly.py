"""The facts behind the weekly problem list (每周问题清单), as of the end of a week.

A week runs from Monday 00:00 to the next Monday 00:00 (exclusive), Beijing time.
For a week that has not ended yet the list is as of now. Every problem's status is
replayed from its event history up to that moment, so a list printed later for a
past week shows what the meeting would have seen then.

Sections (a problem raised and resolved in the same week is in both 本周新增 and
本周办结, as it is on paper lists):
- 本周新增: reported during the week.
- 结转未办结: reported before the week and still pending or in progress at its end.
- 本周办结: resolved during the week and still resolved (or closed) at its end.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Row, and_, distinct, func, or_, select
from sqlalchemy.orm import Session

from gridvisit.core.access import Action, guarded
from gridvisit.core.clock import IsoWeek, local_date
from gridvisit.core.enums import EventKind, HandlingLevel, ProblemStatus, Satisfaction
from gridvisit.core.errors import NotFoundError
from gridvisit.core.records import Scope, format_address
from gridvisit.core.rules import (
    DONE,
    UNRESOLVED,
    Timeliness,
    WeeklySection,
    WorkdaysLeft,
    also_resolved,
    codes,
    due_at_as_of,
    last_instant_before,
    next_visit_due,
    original_due_at,
    problem_overdue_days,
    problem_workdays_left,
    resolution_timeliness,
    supervision_marks,
    weekly_section,
)
from gridvisit.core.services.calendar import load_calendar
from gridvisit.core.services.context import ServiceContext
from gridvisit.core.services.workspace import natural_key
from gridvisit.storage.models import (
    BuildingGroup,
    Community,
    Grid,
    Household,
    Problem,
    ProblemEvent,
    Resident,
    Setting,
    UrgencyLevel,
    User,
    Visit,
    VisitTier,
)
from gridvisit.storage.queries import households_in, last_visits, load_category_labels, problems_in

_SQLITE_CHUNK = 900  # bound parameters per IN list


@dataclass(frozen=True, slots=True)
class ReportProblem:
    id: int
    community: str
    grid: str
    building_group: str  # "" for a public area of the grid
    place: str  # building/unit/room, or the public location
    reporter: str  # full name: masking is the printer's job
    reporter_phone: str
    household_names: tuple[str, ...]  # to mask names quoted in free text
    category: str
    description: str
    urgency: str
    reported_at: datetime
    worker: str
    assigned_unit: str
    assigned_person: str
    due_at: datetime
    status: ProblemStatus  # as of the report moment
    level: HandlingLevel
    days_open: int
    overdue_days: int  # 0 unless open past its time limit
    progress: str  # latest note from the handlers
    resolution: str
    resolved_at: datetime | None
    satisfaction: Satisfaction | None
    # Issue 22: 督办 marks and the extension state as of the list, working days left or
    # late (rules.problem_workdays_left), and 按期 / 延期后按期 / 超期办结 once resolved.
    marks: tuple[EventKind, ...] = ()
    extension_pending: bool = False
    original_due_at: datetime | None = None  # set when an approved extension moved it
    workdays: WorkdaysLeft | None = None
    timeliness: Timeliness | None = None

    @property
    def group_key(self) -> tuple[str, str, str]:
        return (self.community, self.grid, self.building_group)


@dataclass(frozen=True, slots=True)
class WeeklySummary:
    visits: int
    households_visited: int
    due_households: int
    due_visited: int
    new: int
    resolved: int
    carried_over: int
    overdue: int
    open_at_start: int
    return_visits: int
    satisfied: int
    basically_satisfied: int
    dissatisfied: int
    # 本周办结 by timeliness: 按期, 延期后按期 (only thanks to an approved extension), 超期办结.
    on_time: int = 0
    extended: int = 0
    late: int = 0
    # Problems on the list under 督办 as of the list.
    red_cards: int = 0
    yellow_cards: int = 0
    expedited: int = 0

    @property
    def coverage(self) -> float | None:
        return self.due_visited / self.due_households if self.due_households else None

    @property
    def resolution_rate(self) -> float | None:
        """Resolved this week ÷ (open at the start of the week + new this week)."""
        base = self.open_at_start + self.new
        return self.resolved / base if base else None

    @property
    def satisfaction_rate(self) -> float | None:
        """(满意 + 基本满意) ÷ return visits this week."""
        if not self.return_visits:
            return None
        return (self.satisfied + self.basically_satisfied) / self.return_visits


@dataclass(frozen=True, slots=True)
class WeeklyReport:
    scope_name: str
    subdistrict: str
    week: IsoWeek
    as_of: datetime
    generated_at: datetime
    summary: WeeklySummary
    new: tuple[ReportProblem, ...]
    carried_over: tuple[ReportProblem, ...]
    resolved: tuple[ReportProblem, ...]

    @property
    def is_empty(self) -> bool:
        return not (self.new or self.carried_over or self.resolved)


@dataclass
class _Replay:
    status: ProblemStatus = ProblemStatus.PENDING
    status_at_start: ProblemStatus | None = None
    last_resolved: datetime | None = None
    progress: str = ""
    satisfaction: Satisfaction | None = None
    kinds: list[str] = field(default_factory=list)  # of the events before the moment
    extension_pending: bool = False


class WeeklyReportService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    @guarded(Action.WEEKLY_REPORT)
    def scope_for(self, community: str | None, grid: str | None) -> tuple[Scope, str]:
        """Scope and title name for names typed by a user; NotFoundError lists the choices."""
        with self.ctx.read() as s:
            subdistrict = _subdistrict(s)
            if not community and not grid:
                return Scope(), subdistrict
            q = select(Community.id, Community.name).where(Community.archived.is_(False))
            communities = s.execute(q.order_by(Community.name)).all()
            cid = None
            if community:
                matches = [c for c in communities if c.name == community.strip()]
                if not matches:
                    names = "、".join(c.name for c in communities) or "(还没有社区)"
                    raise NotFoundError(
                        f"找不到名为“{community}”的社区。", hint=f"现有社区:{names}"
                    )
                cid = matches[0].id
                if not grid:
                    return Scope(community_id=cid), matches[0].name
            gq = (
                select(Grid.id, Grid.name, Community.name.label("community"))
                .join(Community, Community.id == Grid.community_id)
                .where(Grid.archived.is_(False))
            )
            if cid is not None:
                gq = gq.where(Grid.community_id == cid)
            grids = s.execute(gq.order_by(Community.name, Grid.name)).all()
            found = [g for g in grids if g.name == (grid or "").strip()]
            if not found:
                where = f"“{community}”社区里" if community else ""
                names = "、".join(g.name for g in grids) or "(没有网格)"
                raise NotFoundError(
                    f"{where}找不到名为“{grid}”的网格。", hint=f"可选的网格:{names}"
                )
            if len(found) > 1:
                owners = "、".join(g.community for g in found)
                raise NotFoundError(
                    f"名为“{grid}”的网格在多个社区都有({owners})。",
                    hint="请同时用 --community 指定社区。",
                )
            return Scope(grid_id=found[0].id), f"{found[0].community}{found[0].name}"

    @guarded(Action.WEEKLY_REPORT)
    def build(self, week: IsoWeek, scope: Scope, scope_name: str) -> WeeklyReport:
        now = self.ctx.now()
        start, as_of = week.start, min(week.end, now)
        with self.ctx.read() as s:
            scope = self.ctx.narrow(s, scope)
            summary_visits = self._visit_figures(s, week, scope, as_of)
            problems = self._problems(s, week, scope, as_of)
            replays = self._replay(s, [p.id for p in problems], start, as_of)
            lines = self._lines(s, problems, replays, as_of)
            subdistrict = _subdistrict(s)
            returns = self._return_visits(s, scope, start, as_of)
            reported = {p.id: p.reported_at for p in problems}

        new, carried, resolved = [], [], []
        open_at_start = overdue = 0
        timely: dict[Timeliness | None, int] = {}
        marked: dict[EventKind, int] = {}
        for pid, reported_at in reported.items():
            r, line = replays[pid], lines[pid]
            # The sections: core/rules.py (docs/architecture.md#where-each-rule-lives).
            section = weekly_section(reported_at, r.status, r.last_resolved, start)
            if section is WeeklySection.NEW:
                new.append(line)
            elif r.status_at_start in UNRESOLVED:
                open_at_start += 1
            if section is WeeklySection.CARRIED_OVER:
                carried.append(line)
            if also_resolved(r.status, r.last_resolved, start):
                resolved.append(line)
                timely[line.timeliness] = timely.get(line.timeliness, 0) + 1
            if line.overdue_days > 0:
                overdue += 1
            for mark in line.marks:
                marked[mark] = marked.get(mark, 0) + 1

        def order(items: list[ReportProblem]) -> tuple[ReportProblem, ...]:
            return tuple(
                sorted(
                    items,
                    key=lambda x: (
                        x.community,
                        x.grid,
                        x.building_group == "",  # public areas after the building groups
                        natural_key(x.building_group),
                        x.reported_at,
                        x.id,
                    ),
                )
            )

        summary = WeeklySummary(
            *summary_visits,
            new=len(new),
            resolved=len(resolved),
            carried_over=len(carried),
            overdue=overdue,
            open_at_start=open_at_start,
            return_visits=sum(returns.values()),
            satisfied=returns.get(Satisfaction.SATISFIED, 0),
            basically_satisfied=returns.get(Satisfaction.BASICALLY, 0),
            dissatisfied=returns.get(Satisfaction.DISSATISFIED, 0),
            on_time=timely.get(Timeliness.ON_TIME, 0),
            extended=timely.get(Timeliness.EXTENDED, 0),
            late=timely.get(Timeliness.LATE, 0),
            red_cards=marked.get(EventKind.SUPERVISE_RED, 0),
            yellow_cards=marked.get(EventKind.SUPERVISE_YELLOW, 0),
            expedited=marked.get(EventKind.EXPEDITE, 0),
        )
        return WeeklyReport(
            scope_name,
            subdistrict,
            week,
            as_of,
            now,
            summary,
            order(new),
            order(carried),
            order(resolved),
        )

    # -- queries ---------------------------------------------------------------------
    @staticmethod
    def _visit_figures(
        s: Session, week: IsoWeek, scope: Scope, as_of: datetime
    ) -> tuple[int, int, int, int]:
        """Visits, households visited, households due this week, and how many of those
        were visited. Due = the visit date implied by the last visit before Monday
        falls on or before Sunday."""
        start = week.start
        in_week = and_(
            Visit.visited_at >= start, Visit.visited_at < as_of, Visit.archived.is_(False)
        )
        visits_q = households_in(
            select(func.count(), func.count(distinct(Visit.household_id)))
            .select_from(Visit)
            .join(Household, Household.id == Visit.household_id)
            .where(in_week),
            scope,
        )
        visits, visited = s.execute(visits_q).one()
        last = last_visits(before=start).subquery()
        seen = select(Visit.household_id.label("hid")).where(in_week).distinct().subquery()
        q = households_in(
            select(Household.created_at, last.c.last, VisitTier.interval_days, seen.c.hid)
            .join(VisitTier, VisitTier.code == Household.tier_code)
            .outerjoin(last, last.c.household_id == Household.id)
            .outerjoin(seen, seen.c.hid == Household.id)
            .where(Household.archived.is_(False), Household.created_at < as_of),
            scope,
        )
        due = due_visited = 0
        for created, last_at, interval, hid in s.execute(q):
            if next_visit_due(last_at, created, interval) <= week.sunday:
                due += 1
                due_visited += hid is not None
        return visits, visited, due, due_visited

    @staticmethod
    def _problems(s: Session, week: IsoWeek, scope: Scope, as_of: datetime) -> list[Problem]:
        # A problem untouched since before Monday has the status it has now: only open
        # ones matter then. Anything touched during the week is replayed.
        touched = select(ProblemEvent.problem_id).where(ProblemEvent.at >= week.start)
        q = problems_in(
            select(Problem).where(
                Problem.reported_at < as_of,
                or_(Problem.status.in_(codes(UNRESOLVED)), Problem.id.in_(touched)),
            ),
            scope,
        )
        return list(s.scalars(q))

    @staticmethod
    def _replay(s: Session, ids: list[int], start: datetime, as_of: datetime) -> dict[int, _Replay]:
        out = {pid: _Replay() for pid in ids}
        rows: list[Row[int, str, datetime, str, str, str, int]] = []
        for chunk in _chunks(ids):
            rows.extend(
                s.execute(
                    select(
                        ProblemEvent.problem_id,
                        ProblemEvent.kind,
                        ProblemEvent.at,
                        ProblemEvent.to_status,
                        ProblemEvent.note,
                        ProblemEvent.satisfaction,
                        ProblemEvent.id,
                    ).where(ProblemEvent.problem_id.in_(chunk), ProblemEvent.at < as_of)
                )
            )
        rows.sort(key=lambda e: (e.at, e.id))
        for pid, kind, at, to_status, note, satisfaction, _id in rows:
            r = out[pid]
            if at >= start and r.status_at_start is None:
                r.status_at_start = r.status
            if to_status:
                r.status = ProblemStatus(to_status)
            if kind == EventKind.RESOLVED.value:
                r.last_resolved = at
            if kind in (
                EventKind.ACCEPTED.value,
                EventKind.PROGRESS.value,
                EventKind.ESCALATED.value,
            ):
                r.progress = note or r.progress
            if kind == EventKind.RETURN_VISIT.value and satisfaction:
                r.satisfaction = Satisfaction(satisfaction)
            r.kinds.append(kind)
            if kind == EventKind.EXTENSION_REQUESTED.value:
                r.extension_pending = True
            elif kind in (EventKind.EXTENSION_APPROVED.value, EventKind.EXTENSION_REFUSED.value):
                r.extension_pending = False
        for r in out.values():
            if r.status_at_start is None:  # nothing happened during the week
                r.status_at_start = r.status
        return out

    @staticmethod
    def _lines(
        s: Session, problems: list[Problem], replays: dict[int, _Replay], as_of: datetime
    ) -> dict[int, ReportProblem]:
        communities = dict(s.execute(select(Community.id, Community.name)).all())
        grids = {
            gid: (name, cid)
            for gid, name, cid in s.execute(select(Grid.id, Grid.name, Grid.community_id))
        }
        groups = dict(s.execute(select(BuildingGroup.id, BuildingGroup.name)).all())
        users = dict(s.execute(select(User.id, User.display_name)).all())
        labels = load_category_labels(s)
        urgency = dict(s.execute(select(UrgencyLevel.code, UrgencyLevel.name)).all())
        calendar = load_calendar(s)
        approvals: dict[int, list[ProblemEvent]] = defaultdict(list)
        for chunk in _chunks([p.id for p in problems]):
            for e in s.scalars(
                select(ProblemEvent)
                .where(
                    ProblemEvent.problem_id.in_(chunk),
                    ProblemEvent.kind == EventKind.EXTENSION_APPROVED.value,
                )
                .order_by(ProblemEvent.at, ProblemEvent.id)
            ):
                approvals[e.problem_id].append(e)

        household_ids = sorted({p.household_id for p in problems if p.household_id})
        addresses: dict[int, str] = {}
        residents: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
        visit_ids = sorted({p.visit_id for p in problems if p.visit_id})
        visit_worker: dict[int, int] = {}
        creator: dict[int, int | None] = {}
        for chunk in _chunks(household_ids):
            for hid, b, u, room in s.execute(
                select(Household.id, Household.building, Household.unit, Household.room).where(
                    Household.id.in_(chunk)
                )
            ):
                addresses[hid] = format_address(b, u, room)
            for rid, hid, name, phone in s.execute(
                select(Resident.id, Resident.household_id, Resident.name, Resident.phone).where(
                    Resident.household_id.in_(chunk)
                )
            ):
                residents[hid].append((rid, name, phone))
        for chunk in _chunks(visit_ids):
            visit_worker.update(
                s.execute(select(Visit.id, Visit.worker_id).where(Visit.id.in_(chunk))).all()
            )
        for chunk in _chunks([p.id for p in problems if not p.visit_id]):
            creator.update(
                s.execute(
                    select(ProblemEvent.problem_id, ProblemEvent.actor_id).where(
                        ProblemEvent.problem_id.in_(chunk),
                        ProblemEvent.kind == EventKind.CREATED.value,
                    )
                ).all()
            )

        today = local_date(as_of)
        # The list of the current week is as of now, like the pages; a finished week's
        # as of Sunday 24:00, its last instant, when a problem due "by Sunday" is not
        # late yet. The rule itself: core/rules.py.
        week_end = IsoWeek.containing(local_date(last_instant_before(as_of))).end
        moment = as_of if as_of < week_end else last_instant_before(as_of)
        out: dict[int, ReportProblem] = {}
        for p in problems:
            r = replays[p.id]
            grid_name, cid = grids[p.grid_id]
            people = residents.get(p.household_id or 0, [])
            reporter = next(((n, ph) for rid, n, ph in people if rid == p.resident_id), ("", ""))
            worker_id = visit_worker.get(p.visit_id) if p.visit_id else creator.get(p.id)
            # The limit in force at the list's moment: a later extension moves no past list.
            granted = approvals.get(p.id, [])
            due = due_at_as_of(p.due_at, granted, moment)
            first = original_due_at(p.due_at, granted)
            overdue = problem_overdue_days(r.status, due, moment)
            done = r.status in DONE
            resolved_at = r.last_resolved if done else None
            out[p.id] = ReportProblem(
                id=p.id,
                community=communities.get(cid, ""),
                grid=grid_name,
                building_group=groups.get(p.building_group_id, "") if p.building_group_id else "",
                place=addresses.get(p.household_id, "") if p.household_id else p.location,
                reporter=reporter[0],
                reporter_phone=reporter[1],
                household_names=tuple(n for _rid, n, _ph in people),
                category=labels.get(p.category_code, p.category_code),
                description=p.description,
                urgency=urgency.get(p.urgency_code, ""),
                reported_at=p.reported_at,
                worker=users.get(worker_id, "") if worker_id else "",
                assigned_unit=p.assigned_unit,
                assigned_person=p.assigned_person,
                due_at=due,
                status=r.status,
                level=HandlingLevel(p.level),
                days_open=(today - local_date(p.reported_at)).days,
                overdue_days=overdue,
                progress=r.progress,
                resolution=p.resolution if done else "",
                resolved_at=resolved_at,
                satisfaction=r.satisfaction if done else None,
                marks=supervision_marks(r.kinds),
                extension_pending=r.extension_pending and r.status in UNRESOLVED,
                original_due_at=first if first != due else None,
                workdays=problem_workdays_left(r.status, due, moment, calendar),
                timeliness=(
                    resolution_timeliness(resolved_at, due, first) if resolved_at else None
                ),
            )
        return out

    @staticmethod
    def _return_visits(
        s: Session, scope: Scope, start: datetime, as_of: datetime
    ) -> dict[Satisfaction, int]:
        q = problems_in(
            select(ProblemEvent.satisfaction, func.count())
            .join(Problem, Problem.id == ProblemEvent.problem_id)
            .where(
                ProblemEvent.kind == EventKind.RETURN_VISIT.value,
                ProblemEvent.at >= start,
                ProblemEvent.at < as_of,
                ProblemEvent.satisfaction != "",
            )
            .group_by(ProblemEvent.satisfaction),
            scope,
        )
        return {Satisfaction(value): n for value, n in s.execute(q)}


def _subdistrict(s: Session) -> str:
    return s.scalar(select(Setting.value).where(Setting.key == "subdistrict_name")) or "本街道"


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[i : i + _SQLITE_CHUNK] for i in range(0, len(ids), _SQLITE_CHUNK)]
