"""Read models for the main window: the hierarchy with counts, lean household rows,
one household's details, problem rows. Built with a few set-based queries so that
30,000 households load in well under a second."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from gridvisit.core import search
from gridvisit.core.access import Action, guarded
from gridvisit.core.clock import local_midnight, today_local
from gridvisit.core.enums import (
    EventKind,
    HandlingLevel,
    HouseStatus,
    ProblemStatus,
    VisitMethod,
    VisitPurpose,
)
from gridvisit.core.records import (
    ProblemEventRec,
    ResidentMoveRec,
    ResidentRec,
    Scope,
    format_address,
)
from gridvisit.core.rules import (
    EXTENSION_KINDS,
    SUPERVISION,
    UNCLOSED,
    WorkdaysLeft,
    codes,
    days_overdue,
    next_visit_due,
    problem_is_overdue,
    problem_overdue_sql,
    problem_workdays_left,
    resident_current_sql,
    resident_is_current,
    supervision_marks,
    visit_overdue_sql,
)
from gridvisit.core.services.calendar import load_calendar
from gridvisit.core.services.context import ServiceContext
from gridvisit.core.services.households import household_rec, move_rec, resident_rec
from gridvisit.core.services.problems import event_rec
from gridvisit.core.workdays import WorkCalendar
from gridvisit.storage.models import (
    BuildingGroup,
    Community,
    Grid,
    Household,
    Problem,
    ProblemCategory,
    ProblemEvent,
    Resident,
    ResidentMove,
    SpecialGroup,
    UrgencyLevel,
    User,
    Visit,
    VisitTier,
)
from gridvisit.storage.queries import (
    category_labels,
    households_in,
    last_visits,
    load_category_labels,
    problems_in,
)
from gridvisit.storage.types import UTCDateTime

_FIRST_NUMBER = re.compile(r"\d+")
# Events that mark a line: 督办 and the extension steps (in history order).
_FLAG_KINDS = sorted(k.value for k in (*SUPERVISION, *EXTENSION_KINDS))
_EXTENSION_CODES = frozenset(k.value for k in EXTENSION_KINDS)


def _extension_pending(kinds: Iterable[str]) -> bool:
    steps = [k for k in kinds if k in _EXTENSION_CODES]
    return bool(steps) and steps[-1] == EventKind.EXTENSION_REQUESTED.value


# The counts the tree and the household rows show are of problems 未销号 (UNCLOSED):
# core/rules.py, docs/architecture.md#where-each-rule-lives.
_UNCLOSED = codes(UNCLOSED)


def natural_key(text: str) -> tuple[int, str]:
    """Sort key by the first number in the text: 2 < 10, and "1-3号楼" < "7号楼"."""
    match = _FIRST_NUMBER.search(text)
    return (int(match.group()) if match else 0, text)


@dataclass
class Counts:
    households: int = 0
    overdue_visits: int = 0
    open_problems: int = 0

    def add(self, other: Counts) -> None:
        self.households += other.households
        self.overdue_visits += other.overdue_visits
        self.open_problems += other.open_problems


@dataclass
class TreeNode:
    kind: str  # "root" | "community" | "grid" | "building_group"
    id: int | None
    name: str
    counts: Counts = field(default_factory=Counts)
    children: list[TreeNode] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}" if self.id is not None else self.kind

    @property
    def scope(self) -> Scope:
        return {
            "community": Scope(community_id=self.id),
            "grid": Scope(grid_id=self.id),
            "building_group": Scope(building_group_id=self.id),
        }.get(self.kind, Scope())


@dataclass(slots=True)
class HouseholdRow:
    """One line of the household table: only what the table shows and sorts by."""

    id: int
    building_group_id: int
    building: str
    unit: str
    room: str
    head: str
    members: int
    groups: str
    tier_code: str
    tier_name: str
    last_visit: datetime | None
    next_due: date
    overdue_days: int
    open_problems: int
    haystack: str
    address_key: tuple[tuple[int, str], ...] = ()  # natural sort order, computed once
    # The grid (usually one compound): "1栋1单元101室" alone is ambiguous above a group.
    grid: str = ""
    # Residents' names, and whether `haystack` holds their pinyin initials yet (rows
    # loaded before pypinyin was needed get them from `add_initials`).
    names: tuple[str, ...] = ()
    has_initials: bool = True
    house_status: str = HouseStatus.OWNER_OCCUPIED.value  # 房屋状态 (the building view's colour)

    def __post_init__(self) -> None:
        if not self.address_key:
            self.address_key = (
                natural_key(self.building),
                natural_key(self.unit),
                natural_key(self.room),
            )

    @property
    def address(self) -> str:
        return format_address(self.building, self.unit, self.room)

    @property
    def overdue(self) -> bool:
        return self.overdue_days > 0

    def add_initials(self) -> None:
        """Complete the haystack with the names' pinyin initials (loads pypinyin)."""
        if not self.has_initials:
            self.haystack += search.initials_part(self.names)
            self.has_initials = True


@dataclass(frozen=True, slots=True)
class VisitLine:
    id: int
    visited_at: datetime
    worker: str
    method: VisitMethod
    purpose: VisitPurpose
    notes: str
    problems: int


@dataclass(frozen=True, slots=True)
class ProblemLine:
    id: int
    reported_at: datetime
    category: str
    description: str
    urgency: str
    level: HandlingLevel
    status: ProblemStatus
    due_at: datetime
    location: str
    assigned_unit: str
    assigned_person: str
    household_id: int | None
    building_group_id: int | None
    grid_id: int
    place: str  # the household's address, or the location of a public-area problem
    grid: str = ""  # addresses repeat across compounds; the grid tells them apart
    marks: tuple[EventKind, ...] = ()  # 督办: 红牌 or 黄牌, and 加急 (rules.supervision_marks)
    extension_pending: bool = False  # a 延期申请 waits for a supervisor
    # The database's working-day calendar (one object shared by every line).
    calendar: WorkCalendar | None = field(default=None, compare=False, repr=False)

    def is_overdue(self, now: datetime) -> bool:
        return problem_is_overdue(self.status, self.due_at, now)

    def workdays_left(self, now: datetime) -> WorkdaysLeft | None:
        """剩 N 个工作日 / 超期 N 个工作日 (rules.problem_workdays_left)."""
        return problem_workdays_left(self.status, self.due_at, now, self.calendar)


@dataclass(frozen=True, slots=True)
class HouseholdDetail:
    household_id: int
    address: str
    place: str  # community / grid / building group
    phone: str
    tier_name: str
    is_party_centre: bool
    centre_address: str
    notes: str
    residents: tuple[ResidentRec, ...]
    visits: tuple[VisitLine, ...]
    problems: tuple[ProblemLine, ...]
    house_status: str = HouseStatus.OWNER_OCCUPIED.value
    owner_name: str = ""
    owner_phone: str = ""  # full: the panel masks it
    tenant_count: int = 0
    rental_registration: str = ""
    # Moved out or deceased: shown greyed in the history, never as members.
    former_residents: tuple[ResidentRec, ...] = ()
    moves: tuple[ResidentMoveRec, ...] = ()


@dataclass(frozen=True, slots=True)
class ProblemFilter:
    statuses: tuple[ProblemStatus, ...] = ()
    category_code: str | None = None  # a top-level code includes its sub-categories
    level: HandlingLevel | None = None
    overdue_only: bool = False
    reported_from: date | None = None
    reported_to: date | None = None
    ids: tuple[int, ...] | None = None  # only these problems (a statistics drill-down)


@dataclass(frozen=True, slots=True)
class Reference:
    """Reference lists for pickers, with Chinese names."""

    tiers: dict[str, tuple[str, int]]  # code -> (name, interval days)
    special_groups: dict[str, str]
    categories: list[tuple[str, str, str | None]]  # code, name, parent
    urgencies: list[tuple[str, str, int]]  # code, name, limit days
    users: dict[int, str]

    @property
    def category_labels(self) -> dict[str, str]:
        return category_labels(self.categories)


class WorkspaceService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    @guarded(Action.READ)
    def reference(self) -> Reference:
        with self.ctx.read() as s:
            return Reference(
                tiers={
                    c: (n, d)
                    for c, n, d in s.execute(
                        select(VisitTier.code, VisitTier.name, VisitTier.interval_days).order_by(
                            VisitTier.rank
                        )
                    )
                },
                special_groups=dict(
                    s.execute(
                        select(SpecialGroup.code, SpecialGroup.name).order_by(SpecialGroup.sort)
                    ).all()
                ),
                categories=[
                    (code, name, parent)
                    for code, name, parent in s.execute(
                        select(
                            ProblemCategory.code, ProblemCategory.name, ProblemCategory.parent_code
                        )
                        .where(ProblemCategory.active)
                        .order_by(ProblemCategory.sort)
                    )
                ],
                urgencies=[
                    (code, name, days)
                    for code, name, days in s.execute(
                        select(
                            UrgencyLevel.code, UrgencyLevel.name, UrgencyLevel.limit_days
                        ).order_by(UrgencyLevel.sort)
                    )
                ],
                users=dict(s.execute(select(User.id, User.display_name)).all()),
            )

    # -- tree -------------------------------------------------------------------------
    @guarded(Action.READ)
    def tree(self, today: date | None = None) -> TreeNode:
        today = today or today_local(self.ctx.now())
        root = TreeNode("root", None, "全部")
        with self.ctx.read() as s:
            per_group: dict[int, Counts] = defaultdict(Counts)
            for gid, hid_count in s.execute(
                select(Household.building_group_id, func.count())
                .where(Household.archived.is_(False))
                .group_by(Household.building_group_id)
            ):
                per_group[gid].households = hid_count
            for gid, overdue in self._overdue_by_group(s, today).items():
                per_group[gid].overdue_visits = overdue
            per_grid_public: dict[int, int] = defaultdict(int)
            for group_id, grid_id, n in s.execute(
                select(Problem.building_group_id, Problem.grid_id, func.count())
                .where(Problem.status.in_(_UNCLOSED))
                .group_by(Problem.building_group_id, Problem.grid_id)
            ):
                if group_id is None:
                    per_grid_public[grid_id] += n
                else:
                    per_group[group_id].open_problems = n
            communities = s.execute(
                select(Community.id, Community.name)
                .where(Community.archived.is_(False))
                .order_by(Community.name)
            ).all()
            grids = s.execute(
                select(Grid.id, Grid.community_id, Grid.name)
                .where(Grid.archived.is_(False))
                .order_by(Grid.name)
            ).all()
            area = self.ctx.area(s)
            if area is not None:
                # Only the actor's own part of the tree; empty communities drop out below.
                grids = [g for g in grids if g[0] in area]
                shown = {g[1] for g in grids}
                communities = [c for c in communities if c[0] in shown]
            groups = s.execute(
                select(BuildingGroup.id, BuildingGroup.grid_id, BuildingGroup.name).where(
                    BuildingGroup.archived.is_(False)
                )
            ).all()
        grid_nodes: dict[int, TreeNode] = {}
        community_nodes: dict[int, TreeNode] = {}
        for cid, name in communities:
            community_nodes[cid] = TreeNode("community", cid, name)
            root.children.append(community_nodes[cid])
        for grid_id, cid, name in grids:
            if cid in community_nodes:
                node = TreeNode("grid", grid_id, name)
                node.counts.open_problems = per_grid_public.get(grid_id, 0)
                grid_nodes[grid_id] = node
                community_nodes[cid].children.append(node)
        for gid, grid_id, name in sorted(groups, key=lambda g: natural_key(g[2])):
            if grid_id in grid_nodes:
                node = TreeNode("building_group", gid, name, per_group.get(gid, Counts()))
                grid_nodes[grid_id].children.append(node)
        _sum_up(root)
        return root

    @guarded(Action.READ)
    def group_counts(self, building_group_id: int, today: date | None = None) -> Counts:
        """Counts of one building group, to update the tree after a change."""
        today = today or today_local(self.ctx.now())
        with self.ctx.read() as s:
            self.ctx.check_id(s, BuildingGroup, building_group_id)
            households = (
                s.scalar(
                    select(func.count()).where(
                        Household.building_group_id == building_group_id,
                        Household.archived.is_(False),
                    )
                )
                or 0
            )
            overdue = self._overdue_by_group(s, today, building_group_id).get(building_group_id, 0)
            open_problems = (
                s.scalar(
                    select(func.count()).where(
                        Problem.building_group_id == building_group_id,
                        Problem.status.in_(_UNCLOSED),
                    )
                )
                or 0
            )
        return Counts(households, overdue, open_problems)

    @staticmethod
    def _overdue_by_group(s: Session, today: date, only_group: int | None = None) -> dict[int, int]:
        """Households past their next visit date, per building group, counted in SQL
        (core/rules.visit_overdue_sql)."""
        tiers = dict(s.execute(select(VisitTier.code, VisitTier.interval_days)).all())
        last = last_visits()
        if only_group is not None:
            last = last.join(Household, Household.id == Visit.household_id).where(
                Household.building_group_id == only_group
            )
        sub = last.subquery()
        overdue = visit_overdue_sql(
            sub.c.last, Household.created_at, Household.tier_code, tiers, today, UTCDateTime()
        )
        q = (
            select(Household.building_group_id, func.sum(case((overdue, 1), else_=0)))
            .outerjoin(sub, sub.c.household_id == Household.id)
            .where(Household.archived.is_(False))
            .group_by(Household.building_group_id)
        )
        if only_group is not None:
            q = q.where(Household.building_group_id == only_group)
        return {gid: int(n or 0) for gid, n in s.execute(q)}

    # -- households -----------------------------------------------------------------
    @guarded(Action.READ)
    def household_rows(
        self,
        scope: Scope,
        today: date | None = None,
        *,
        only_ids: list[int] | None = None,
        cancelled: Callable[[], bool] = lambda: False,
    ) -> list[HouseholdRow]:
        today = today or today_local(self.ctx.now())
        with self.ctx.read() as s:
            tiers = {
                c: (n, d)
                for c, n, d in s.execute(
                    select(VisitTier.code, VisitTier.name, VisitTier.interval_days)
                )
            }
            group_names = dict(s.execute(select(SpecialGroup.code, SpecialGroup.name)).all())
            hq = select(
                Household.id,
                Household.building_group_id,
                Household.building,
                Household.unit,
                Household.room,
                Household.tier_code,
                Household.created_at,
                Household.phone,
                Household.house_status,
            ).where(Household.archived.is_(False))
            # only_ids still stays inside the actor's area.
            scope = self.ctx.narrow(s, Scope() if only_ids is not None else scope)
            hq = households_in(hq, scope)
            ids = households_in(select(Household.id).where(Household.archived.is_(False)), scope)
            if only_ids is not None:
                hq = hq.where(Household.id.in_(only_ids))
                ids = ids.where(Household.id.in_(only_ids))
            households = s.execute(hq).all()
            grid_of = dict(
                s.execute(
                    select(BuildingGroup.id, Grid.name).join(Grid, BuildingGroup.grid_id == Grid.id)
                ).all()
            )
            id_sub = ids.scalar_subquery()
            if cancelled():
                return []
            residents: dict[int, list[tuple[str, str, bool, list[str]]]] = defaultdict(list)
            for hid, name, phone, is_head, groups in s.execute(
                select(
                    Resident.household_id,
                    Resident.name,
                    Resident.phone,
                    Resident.is_head,
                    Resident.special_groups,
                )
                .where(
                    Resident.household_id.in_(id_sub),
                    resident_current_sql(Resident.status, Resident.archived),
                )
                .order_by(Resident.household_id, Resident.is_head.desc(), Resident.id)
            ):
                residents[hid].append((name, phone, is_head, groups or []))
            if cancelled():
                return []
            last = dict(
                s.execute(
                    select(Visit.household_id, func.max(Visit.visited_at))
                    .where(Visit.household_id.in_(id_sub), Visit.archived.is_(False))
                    .group_by(Visit.household_id)
                ).all()
            )
            open_problems = dict(
                s.execute(
                    select(Problem.household_id, func.count())
                    .where(Problem.household_id.in_(id_sub), Problem.status.in_(_UNCLOSED))
                    .group_by(Problem.household_id)
                ).all()
            )
        rows: list[HouseholdRow] = []
        # Pinyin initials only when pypinyin is loaded already: the first paint must
        # not wait for its dictionaries (HouseholdRow.add_initials completes a row).
        with_initials = search.pinyin_loaded()
        for hid, gid, building, unit, room, tier, created, phone, house in households:
            members = residents.get(hid, [])
            head = next((m[0] for m in members if m[2]), members[0][0] if members else "")
            codes = list(dict.fromkeys(g for m in members for g in m[3]))
            tier_name, interval = tiers.get(tier, (tier, 90))
            last_at = last.get(hid)
            due = next_visit_due(last_at, created, interval)
            grid = grid_of.get(gid, "")
            names = tuple(m[0] for m in members)
            hay = search.haystack(
                (format_address(building, unit, room), f"{building}-{unit}-{room}", grid),
                names,
                [phone, *(m[1] for m in members)],
                with_initials=with_initials,
            )
            rows.append(
                HouseholdRow(
                    hid,
                    gid,
                    building,
                    unit,
                    room,
                    head,
                    len(members),
                    "、".join(group_names.get(c, c) for c in codes),
                    tier,
                    tier_name,
                    last_at,
                    due,
                    days_overdue(due, today),
                    int(open_problems.get(hid, 0)),
                    hay,
                    grid=grid,
                    names=names,
                    has_initials=with_initials,
                    house_status=house,
                )
            )
        rows.sort(key=lambda r: r.address_key)
        return rows

    @guarded(Action.READ)
    def household_row(self, household_id: int, today: date | None = None) -> HouseholdRow | None:
        rows = self.household_rows(Scope(), today, only_ids=[household_id])
        return rows[0] if rows else None

    @guarded(Action.READ)
    def household_detail(self, household_id: int) -> HouseholdDetail:
        with self.ctx.read() as s:
            h = self.ctx.get(s, Household, household_id)
            rec = household_rec(h)
            group = s.get_one(BuildingGroup, h.building_group_id)
            grid = s.get_one(Grid, group.grid_id)
            community = s.get_one(Community, grid.community_id)
            tier = s.get(VisitTier, h.tier_code)
            centre = s.get(Household, h.centre_household_id) if h.centre_household_id else None
            everyone = [
                resident_rec(r)
                for r in s.scalars(
                    select(Resident)
                    .where(Resident.household_id == household_id, Resident.archived.is_(False))
                    .order_by(Resident.is_head.desc(), Resident.id)
                )
            ]
            residents = tuple(r for r in everyone if resident_is_current(r.status, False))
            former = tuple(r for r in everyone if not resident_is_current(r.status, False))
            names = {r.id: r.name for r in everyone}
            moves = tuple(
                move_rec(m, names.get(m.resident_id, ""))
                for m in s.scalars(
                    select(ResidentMove)
                    .where(
                        ResidentMove.household_id == household_id,
                        ResidentMove.archived.is_(False),
                    )
                    .order_by(ResidentMove.moved_on.desc(), ResidentMove.id.desc())
                )
            )
            users = dict(s.execute(select(User.id, User.display_name)).all())
            problem_counts = dict(
                s.execute(
                    select(Problem.visit_id, func.count())
                    .where(Problem.household_id == household_id)
                    .group_by(Problem.visit_id)
                ).all()
            )
            visits = tuple(
                VisitLine(
                    v.id,
                    v.visited_at,
                    users.get(v.worker_id, ""),
                    VisitMethod(v.method),
                    VisitPurpose(v.purpose),
                    v.notes,
                    int(problem_counts.get(v.id, 0)),
                )
                for v in s.scalars(
                    select(Visit)
                    .where(Visit.household_id == household_id, Visit.archived.is_(False))
                    .order_by(Visit.visited_at.desc())
                )
            )
            problems = tuple(
                self._problem_lines(
                    s,
                    select(Problem)
                    .where(Problem.household_id == household_id)
                    .order_by(Problem.reported_at.desc()),
                )
            )
            return HouseholdDetail(
                household_id,
                rec.address,
                f"{community.name} / {grid.name} / {group.name}",
                rec.phone,
                tier.name if tier else rec.tier_code,
                rec.is_party_centre,
                household_rec(centre).address if centre else "",
                rec.notes,
                residents,
                visits,
                problems,
                rec.house_status,
                rec.owner_name,
                rec.owner_phone,
                rec.tenant_count,
                rec.rental_registration,
                former,
                moves,
            )

    # -- problems -------------------------------------------------------------------
    @guarded(Action.READ)
    def problem_lines(
        self, scope: Scope, flt: ProblemFilter, now: datetime | None = None
    ) -> list[ProblemLine]:
        now = now or self.ctx.now()
        q = select(Problem)
        if flt.statuses:
            q = q.where(Problem.status.in_([st.value for st in flt.statuses]))
        if flt.category_code:
            with self.ctx.read() as s:
                children = list(
                    s.scalars(
                        select(ProblemCategory.code).where(
                            ProblemCategory.parent_code == flt.category_code
                        )
                    )
                )
            q = q.where(Problem.category_code.in_([flt.category_code, *children]))
        if flt.level is not None:
            q = q.where(Problem.level == flt.level.value)
        if flt.overdue_only:
            q = q.where(problem_overdue_sql(Problem.status, Problem.due_at, now))
        if flt.reported_from:
            q = q.where(Problem.reported_at >= local_midnight(flt.reported_from))
        if flt.reported_to:
            q = q.where(Problem.reported_at < local_midnight(flt.reported_to + timedelta(days=1)))
        if flt.ids is not None:
            q = q.where(Problem.id.in_(flt.ids))
        with self.ctx.read() as s:
            q = problems_in(q, self.ctx.narrow(s, scope))
            q = q.order_by(Problem.reported_at.desc(), Problem.id.desc())
            return list(self._problem_lines(s, q))

    @guarded(Action.READ)
    def problem_line(self, problem_id: int) -> ProblemLine:
        with self.ctx.read() as s:
            self.ctx.check_id(s, Problem, problem_id)
            return next(
                iter(self._problem_lines(s, select(Problem).where(Problem.id == problem_id)))
            )

    @guarded(Action.READ)
    def problem_events(self, problem_id: int) -> list[tuple[ProblemEventRec, str]]:
        with self.ctx.read() as s:
            self.ctx.check_id(s, Problem, problem_id)
            users = dict(s.execute(select(User.id, User.display_name)).all())
            events = s.scalars(
                select(ProblemEvent)
                .where(ProblemEvent.problem_id == problem_id)
                .order_by(ProblemEvent.at, ProblemEvent.id)
            )
            return [(event_rec(e), users.get(e.actor_id, "") if e.actor_id else "") for e in events]

    @guarded(Action.READ)
    def problem_place(self, problem_id: int) -> str:
        with self.ctx.read() as s:
            p = self.ctx.get(s, Problem, problem_id)
            grid = s.get_one(Grid, p.grid_id)
            parts = [s.get_one(Community, grid.community_id).name, grid.name]
            if p.building_group_id:
                parts.append(s.get_one(BuildingGroup, p.building_group_id).name)
            if p.household_id:
                parts.append(household_rec(s.get_one(Household, p.household_id)).address)
            elif p.location:
                parts.append(p.location)
            return " / ".join(parts)

    @staticmethod
    def _problem_lines(s: Session, q: Select[Problem]) -> list[ProblemLine]:
        labels = load_category_labels(s)
        urg = dict(s.execute(select(UrgencyLevel.code, UrgencyLevel.name)).all())
        with_place = (
            q.add_columns(Household.building, Household.unit, Household.room, Grid.name)
            .outerjoin(Household, Household.id == Problem.household_id)
            .join(Grid, Grid.id == Problem.grid_id)
        )
        calendar = load_calendar(s)
        flags: dict[int, list[str]] = defaultdict(list)
        ids = q.with_only_columns(Problem.id).order_by(None)
        for pid, kind in s.execute(
            select(ProblemEvent.problem_id, ProblemEvent.kind)
            .where(ProblemEvent.kind.in_(_FLAG_KINDS), ProblemEvent.problem_id.in_(ids))
            .order_by(ProblemEvent.at, ProblemEvent.id)
        ):
            flags[pid].append(kind)
        out = []
        for p, building, unit, room, grid_name in s.execute(with_place):
            place = format_address(building, unit, room) if building is not None else p.location
            category = labels.get(p.category_code, p.category_code)
            out.append(
                ProblemLine(
                    p.id,
                    p.reported_at,
                    category,
                    p.description,
                    urg.get(p.urgency_code, ""),
                    HandlingLevel(p.level),
                    ProblemStatus(p.status),
                    p.due_at,
                    p.location,
                    p.assigned_unit,
                    p.assigned_person,
                    p.household_id,
                    p.building_group_id,
                    p.grid_id,
                    place,
                    grid_name,
                    supervision_marks(flags.get(p.id, ())),
                    _extension_pending(flags.get(p.id, ())),
                    calendar,
                )
            )
        return out


def _sum_up(node: TreeNode) -> Counts:
    if node.children:
        own_open = node.counts.open_problems  # public-area problems of a grid
        node.counts = Counts(open_problems=own_open)
        for child in node.children:
            node.counts.add(_sum_up(child))
    return node.counts


__all__ = [
    "Counts",
    "EventKind",
    "HouseholdDetail",
    "HouseholdRow",
    "ProblemFilter",
    "ProblemLine",
    "Reference",
    "TreeNode",
    "VisitLine",
    "WorkspaceService",
]
