"""The building view (楼栋图) and what its prints need: a building group's buildings as
floors × rooms with each room's household, marks and visit state; the week's sweep
list (走访清单) in walking order; one household's card (一户一档).

A building group has about a hundred households: each read is a handful of
set-based queries over that group (docs/architecture.md, "How to add a page")."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from gridvisit.core import layout
from gridvisit.core.access import Action, guarded
from gridvisit.core.clock import IsoWeek, today_local
from gridvisit.core.errors import GridVisitError, NotFoundError, ValidationError
from gridvisit.core.records import Scope, format_address
from gridvisit.core.rules import (
    UNCLOSED,
    codes,
    days_overdue,
    next_visit_due,
    resident_current_sql,
)
from gridvisit.core.services.context import ServiceContext
from gridvisit.core.services.workspace import HouseholdDetail, WorkspaceService, natural_key
from gridvisit.storage.models import (
    BuildingGroup,
    Community,
    Grid,
    Household,
    Problem,
    Resident,
    SpecialGroup,
    Visit,
    VisitTier,
)
from gridvisit.storage.queries import households_in, last_visits

_UNCLOSED = codes(UNCLOSED)


class VisitState(StrEnum):
    """A household's visit this period (its tier's interval)."""

    VISITED = "visited"  # visited within its interval, not due this week
    DUE = "due"  # due by Sunday of this week, not late yet
    OVERDUE = "overdue"  # past its due date


VISIT_STATE_LABELS = {
    VisitState.VISITED: "本期已访",
    VisitState.DUE: "本周应访",
    VisitState.OVERDUE: "超期未访",
}


def visit_state(next_due: date, today: date, sunday: date) -> VisitState:
    """core/rules.days_overdue decides late; due = by Sunday of the week (as VisitService.due)."""
    if days_overdue(next_due, today) > 0:
        return VisitState.OVERDUE
    if next_due <= sunday:
        return VisitState.DUE
    return VisitState.VISITED


@dataclass(frozen=True, slots=True)
class RoomInfo:
    """One household on the chart: what the cell shows and its tooltip says."""

    household_id: int
    uuid: str
    building: str
    unit: str
    room: str
    head: str  # full name: masking is the front end's or the printer's job
    phone: str
    members: int
    house_status: str  # 房屋状态 code, "" where the database has none
    party_members: int
    special_groups: tuple[str, ...]  # names
    open_problems: int  # 未销号
    tier_name: str
    last_visit: datetime | None
    next_due: date
    overdue_days: int
    state: VisitState

    @property
    def address(self) -> str:
        return format_address(self.building, self.unit, self.room)

    @property
    def overdue(self) -> bool:
        return self.state is VisitState.OVERDUE


@dataclass(frozen=True, slots=True)
class GroupChart:
    building_group_id: int
    name: str  # the building group
    grid: str
    community: str
    today: date
    week: IsoWeek
    buildings: list[layout.BuildingChart[RoomInfo]]
    rooms: tuple[RoomInfo, ...]  # every household of the group, in walking order

    @property
    def title(self) -> str:
        return f"{self.community} {self.grid} {self.name}"

    def count(self, state: VisitState) -> int:
        return sum(1 for r in self.rooms if r.state is state)


@dataclass(frozen=True, slots=True)
class SweepList:
    title: str  # the grid (and building group)
    week: IsoWeek
    today: date
    rooms: tuple[RoomInfo, ...]  # due or overdue by the week's Sunday, in walking order


@dataclass(frozen=True, slots=True)
class HouseholdCard:
    detail: HouseholdDetail  # residents: those who live there; moves: the history
    room: RoomInfo
    special_groups: dict[str, str]  # code -> name, for the members' groups
    today: date


def _present() -> ColumnElement[bool]:
    """Residents who live there (core/rules.resident_current_sql): a moved-out or
    deceased one leaves counts and marks."""
    return resident_current_sql(Resident.status, Resident.archived)


class BuildingService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    # -- the chart ------------------------------------------------------------------
    @guarded(Action.READ)
    def chart(self, building_group_id: int, today: date | None = None) -> GroupChart:
        today = today or today_local(self.ctx.now())
        with self.ctx.read() as s:
            group = self.ctx.get(s, BuildingGroup, building_group_id)
            grid = s.get_one(Grid, group.grid_id)
            community = s.get_one(Community, grid.community_id)
            rooms = self._rooms(s, Household.building_group_id == building_group_id, today)
            name, buildings = group.name, group.buildings
            grid_name, community_name = grid.name, community.name
        charts = layout.chart(
            ((r.building, r.unit, r.room, r) for r in rooms),
            buildings=layout.building_list(buildings),
        )
        return GroupChart(
            building_group_id,
            name,
            grid_name,
            community_name,
            today,
            IsoWeek.containing(today),
            charts,
            tuple(rooms),
        )

    def _rooms(
        self, s: Session, where: ColumnElement[bool], today: date, sunday: date | None = None
    ) -> list[RoomInfo]:
        """Every live household matching `where`, in walking order: one query for the
        households with their last visit, one for the residents' counts, one for the
        residents' groups and heads, one for the open problems."""
        sunday = sunday or IsoWeek.containing(today).sunday
        tiers = {
            c: (n, d)
            for c, n, d in s.execute(
                select(VisitTier.code, VisitTier.name, VisitTier.interval_days)
            )
        }
        group_names = dict(s.execute(select(SpecialGroup.code, SpecialGroup.name)).all())
        ids = select(Household.id).where(where, Household.archived.is_(False))
        id_sub = ids.scalar_subquery()
        last = last_visits().where(Visit.household_id.in_(id_sub)).subquery()
        cols: list[Any] = [
            Household.id,
            Household.uuid,
            Household.building,
            Household.unit,
            Household.room,
            Household.tier_code,
            Household.created_at,
            Household.phone,
            last.c.last,
            Household.house_status,
        ]
        households = s.execute(
            select(*cols)
            .outerjoin(last, last.c.household_id == Household.id)
            .where(where, Household.archived.is_(False))
        ).all()
        counts = {
            hid: (int(n), int(party or 0))
            for hid, n, party in s.execute(
                select(
                    Resident.household_id,
                    func.count(),
                    func.sum(case((Resident.is_party_member.is_(True), 1), else_=0)),
                )
                .where(Resident.household_id.in_(id_sub), _present())
                .group_by(Resident.household_id)
            )
        }
        heads: dict[int, tuple[str, str]] = {}
        groups: dict[int, list[str]] = defaultdict(list)
        for hid, name, phone, member_groups in s.execute(
            select(Resident.household_id, Resident.name, Resident.phone, Resident.special_groups)
            .where(Resident.household_id.in_(id_sub), _present())
            .order_by(Resident.household_id, Resident.is_head.desc(), Resident.id)
        ):
            heads.setdefault(hid, (name, phone))
            groups[hid] += [g for g in member_groups or [] if g not in groups[hid]]
        problems = dict(
            s.execute(
                select(Problem.household_id, func.count())
                .where(Problem.household_id.in_(id_sub), Problem.status.in_(_UNCLOSED))
                .group_by(Problem.household_id)
            ).all()
        )
        out: list[RoomInfo] = []
        for row in households:
            hid, uuid, building, unit, room, tier, created, phone, last_at, status = row
            tier_name, interval = tiers.get(tier, (tier, 90))
            due = next_visit_due(last_at, created, interval)
            head, head_phone = heads.get(hid, ("", ""))
            members, party = counts.get(hid, (0, 0))
            out.append(
                RoomInfo(
                    hid,
                    uuid,
                    building,
                    unit,
                    room,
                    head,
                    head_phone or phone,
                    members,
                    status or "",
                    party,
                    tuple(group_names.get(g, g) for g in groups.get(hid, [])),
                    int(problems.get(hid, 0)),
                    tier_name,
                    last_at,
                    due,
                    max(0, days_overdue(due, today)),
                    visit_state(due, today, sunday),
                )
            )
        out.sort(key=lambda r: layout.room_sort_key(r.building, r.unit, r.room))
        return out

    # -- names typed by a user ---------------------------------------------------------
    @guarded(Action.READ)
    def find_group(self, name: str, grid: str | None = None) -> int:
        """A building group by its name (and grid), in the actor's area."""
        with self.ctx.read() as s:
            q = (
                select(BuildingGroup.id, BuildingGroup.name, Grid.id, Grid.name)
                .join(Grid, Grid.id == BuildingGroup.grid_id)
                .where(BuildingGroup.archived.is_(False), Grid.archived.is_(False))
            )
            rows = s.execute(q).all()
            area = self.ctx.area(s)
        if grid is not None:
            rows = [r for r in rows if r[3] == grid.strip()]
        found = [r for r in rows if r[1] == name.strip()]
        mine = [r for r in found if area is None or r[2] in area]
        if not found:
            names = "、".join(sorted({r[1] for r in rows}, key=natural_key)[:30]) or "(没有)"
            where = f"网格“{grid}”里" if grid else ""
            raise NotFoundError(
                f"{where}找不到名为“{name}”的楼栋党小组。", hint=f"可选的楼栋党小组:{names}"
            )
        if not mine:
            from gridvisit.core.access import out_of_area

            raise out_of_area()
        if len(mine) > 1:
            owners = "、".join(r[3] for r in mine[:6]) + (
                f" 等 {len(mine)} 个" if len(mine) > 6 else ""
            )
            raise NotFoundError(
                f"名为“{name}”的楼栋党小组在多个网格都有({owners})。",
                hint="请同时用 --grid 指定网格。",
            )
        return int(mine[0][0])

    @guarded(Action.READ)
    def find_grid(self, name: str) -> int:
        with self.ctx.read() as s:
            rows = s.execute(
                select(Grid.id, Grid.name, Community.name)
                .join(Community, Community.id == Grid.community_id)
                .where(Grid.archived.is_(False))
            ).all()
            area = self.ctx.area(s)
        found = [r for r in rows if r[1] == name.strip()]
        if not found:
            names = "、".join(sorted(r[1] for r in rows)) or "(没有网格)"
            raise NotFoundError(f"找不到名为“{name}”的网格。", hint=f"可选的网格:{names}")
        mine = [r for r in found if area is None or r[0] in area]
        if not mine:
            from gridvisit.core.access import out_of_area

            raise out_of_area()
        if len(mine) > 1:
            raise NotFoundError(
                f"名为“{name}”的网格在多个社区都有({'、'.join(r[2] for r in mine)})。",
                hint="请改用楼栋党小组,或先在界面里选网格。",
            )
        return int(mine[0][0])

    @guarded(Action.READ)
    def find_household(self, text: str, grid_id: int | None = None) -> int:
        """A household by its UUID or its address ("10栋2单元1502室", "3-2-301"),
        within `grid_id` when given (addresses repeat across compounds)."""
        wanted = text.strip()
        with self.ctx.read() as s:
            if len(wanted) == 36 and wanted.count("-") == 4:
                hid = s.scalar(select(Household.id).where(Household.uuid == wanted.lower()))
                if hid is None:
                    raise NotFoundError(f"找不到编号为 {wanted} 的住户。")
                self.ctx.get(s, Household, hid)
                return int(hid)
            parts = layout.parse_address(wanted)
            if parts is None:
                raise GridVisitError(
                    f"“{wanted}”不是住户编号,也不是地址。",
                    hint="地址的写法:10栋2单元1502室,或 10-2-1502;也可以给住户编号(UUID)。",
                )
            building, unit, room = parts
            q = households_in(
                select(Household.id, Household.building, Household.unit, Household.room).where(
                    Household.archived.is_(False)
                ),
                self.ctx.narrow(s, Scope(grid_id=grid_id)),
            )
            b_key = layout.parse_building(building).key
            u_key = layout.parse_unit(unit)
            r_key = layout.parse_room(room).places
            found = [
                int(hid)
                for hid, b, u, r in s.execute(q)
                if layout.parse_building(b).key == b_key
                and layout.parse_unit(u) == u_key
                and layout.parse_room(r).places == r_key
            ]
        if not found:
            raise NotFoundError(
                f"在您的工作范围内找不到地址为“{wanted}”的住户。",
                hint="请核对楼栋、单元和房号,或给住户编号(UUID)。",
            )
        if len(found) > 1:
            raise NotFoundError(
                f"地址“{wanted}”有 {len(found)} 户(在不同的网格)。",
                hint="请用 --grid 指定网格,或改用住户编号(UUID,住户台账里有)。",
            )
        return found[0]

    # -- the sweep list -------------------------------------------------------------------
    @guarded(Action.READ)
    def sweep(
        self,
        week: IsoWeek,
        *,
        grid_id: int | None = None,
        building_group_id: int | None = None,
        today: date | None = None,
    ) -> SweepList:
        """Households due or overdue by the week's Sunday (as of today, or of the
        week's Monday for a week ahead), in walking order 楼栋 → 单元 → 楼层 → 室."""
        if grid_id is None and building_group_id is None:
            raise ValidationError({"grid": "请指定网格或楼栋党小组。"})
        today = today or today_local(self.ctx.now())
        as_of = max(today, week.monday)
        with self.ctx.read() as s:
            scope = (
                Scope(building_group_id=building_group_id)
                if building_group_id is not None
                else Scope(grid_id=grid_id)
            )
            scope = self.ctx.narrow(s, scope)
            grid = s.get_one(
                Grid,
                grid_id
                if grid_id is not None
                else s.get_one(BuildingGroup, building_group_id).grid_id,
            )
            title = grid.name
            if building_group_id is not None:
                title += " " + s.get_one(BuildingGroup, building_group_id).name
            ids = households_in(select(Household.id), scope)
            rooms = self._rooms(s, Household.id.in_(ids.scalar_subquery()), as_of, week.sunday)
        due = [r for r in rooms if r.state is not VisitState.VISITED]
        return SweepList(title, week, as_of, tuple(due))

    # -- the household card ------------------------------------------------------------
    @guarded(Action.READ)
    def card(self, household_id: int, today: date | None = None) -> HouseholdCard:
        today = today or today_local(self.ctx.now())
        detail = WorkspaceService(self.ctx).household_detail(household_id)
        with self.ctx.read() as s:
            rooms = self._rooms(s, and_(Household.id == household_id), today)
            names = dict(s.execute(select(SpecialGroup.code, SpecialGroup.name)).all())
        if not rooms:
            raise NotFoundError("这户已经删除或归档。")
        return HouseholdCard(detail, rooms[0], names, today)


__all__ = [
    "VISIT_STATE_LABELS",
    "BuildingService",
    "GroupChart",
    "HouseholdCard",
    "RoomInfo",
    "SweepList",
    "VisitState",
    "visit_state",
]
