"""What a package may change: the sender's area (issue 15, docs/security.md).

Every user of a laptop holds its database key, so a laptop's package can say
anything. The sub-district therefore decides what each device may change, from the
area it registered the device for:

- a grid laptop: households, residents, visits, problems and their events of its
  grids, the grid records themselves and new building groups in them;
- a community laptop: the same for every grid of its communities, the community
  records, and new grids in them;
- the sub-district, on a laptop (return packages): the grids the package is
  addressed to that this laptop holds, and their communities' records.

A record outside the area is refused, and with it the whole package, unless it is
only a copy of what is already here (identical, or an older version): packages carry
the records theirs refer to, such as a community another device last changed.
Users travel as references only: a login name, a display name and a phone, never a
role, an area, an active flag or a password (records.LOCAL_COLUMNS). A user new here
arrives without any rights; a known user's display data changes only from the device
that created the user. Role changes are made where the user logs in.

Supervisors' steps (督办 marks, approving or refusing an extension: rules.SUPERVISOR_ONLY)
come only from a community laptop or the sub-district: a grid laptop's package that
carries one is refused, and so is one that moves a problem's time limit to a date
no approved extension here ever gave it (issue 22).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridvisit.core.enums import EventKind
from gridvisit.core.errors import PackageSecurityError
from gridvisit.core.rules import SUPERVISOR_ONLY, extension_dates
from gridvisit.exchange.package import Manifest
from gridvisit.exchange.records import RecordError, chunks
from gridvisit.storage.models import (
    BuildingGroup,
    Community,
    Device,
    DeviceCommunity,
    DeviceGrid,
    Grid,
    Household,
    Problem,
    ProblemEvent,
    Resident,
    UuidAlias,
    Visit,
)

# What a user new to this database gets: nothing it could log in or act with.
NO_RIGHTS = {"role": "grid_worker", "active": False, "password_hash": ""}


@dataclass(frozen=True)
class Sender:
    """Who signed a package: a registered laptop (grid packages) or the sub-district
    (return packages, on a laptop)."""

    kind: Literal["device", "subdistrict"]
    device_id: str


class OutsideArea(RecordError):
    """A record the sending device may not change; the message names it."""


@dataclass
class Area:
    """Local ids of what one package may change."""

    who: str  # the sender, for messages: 电脑“甲一网格电脑”
    scope: str  # its registered area, for messages
    grids: set[int]
    communities: set[int]  # community records it may change
    create_grids_in: set[int] = field(default_factory=set)  # community laptops
    home: set[int] = field(default_factory=set)  # communities of `grids`


def device_area(s: Session, device_id: str) -> Area:
    device = s.get(Device, device_id)
    if device is None or device.revoked_at is not None:
        raise PackageSecurityError(
            f"电脑 {device_id[:8]} 没有登记或已被吊销,不予接收。",
            hint="本次未写入任何数据。",
        )
    who = f"电脑“{device.name or device_id[:8]}”"
    grids = set(s.scalars(select(DeviceGrid.grid_id).where(DeviceGrid.device_id == device_id)))
    communities = set(
        s.scalars(
            select(DeviceCommunity.community_id).where(DeviceCommunity.device_id == device_id)
        )
    )
    if communities:
        grids |= set(s.scalars(select(Grid.id).where(Grid.community_id.in_(communities))))
    if not grids and not communities:
        raise PackageSecurityError(
            f"{who}登记时没有指明它负责的网格或社区,它的数据包一律不予接收。",
            hint="请街道管理员为它登记负责范围:gridvisit keys set-area --device 名称 "
            "--grid 社区/网格(或在程序里 账号 → 登记的电脑 → 修改负责范围),再合并。",
        )
    area = Area(who, _describe(s, grids, communities), grids, set(communities), set(communities))
    _fill_home(s, area)
    return area


def return_area(s: Session, manifest: Manifest) -> Area:
    """On a laptop: the grids a return package is addressed to, each of which must be
    here (by UUID, an alias of it, or its community and grid name)."""
    grids: set[int] = set()
    for entry in manifest.grids if isinstance(manifest.grids, list) else []:
        if not isinstance(entry, dict):
            continue
        found = _local_grid(s, entry)
        if found is None:
            raise PackageSecurityError(
                f"这个回传包是发给“{entry.get('community', '')}/{entry.get('name', '')}”的,"
                "本机没有这个网格,不予接收。",
                hint="请确认街道导出回传包时选对了网格和电脑;本次未写入任何数据。",
            )
        grids.add(found)
    if not grids:
        raise PackageSecurityError(
            "这个回传包没有写明发给哪个网格,不予接收。", hint="请向街道重新索取回传包。"
        )
    area = Area("街道", _describe(s, grids, set()), grids, set())
    _fill_home(s, area)
    area.communities = set(area.home)  # the sub-district keeps the communities' records
    return area


def _local_grid(s: Session, entry: dict[str, Any]) -> int | None:
    uuid = entry.get("uuid")
    if isinstance(uuid, str) and uuid:
        target = s.scalar(
            select(UuidAlias.uuid).where(UuidAlias.entity == "grid", UuidAlias.alias == uuid)
        )
        found = s.scalar(select(Grid.id).where(Grid.uuid == (target or uuid)))
        if found is not None:
            return found
    return s.scalar(
        select(Grid.id)
        .join(Community, Community.id == Grid.community_id)
        .where(Grid.name == str(entry.get("name", "")))
        .where(Community.name == str(entry.get("community", "")))
    )


def _fill_home(s: Session, area: Area) -> None:
    for batch in chunks(sorted(area.grids)):
        area.home |= set(s.scalars(select(Grid.community_id).where(Grid.id.in_(batch))))


def _describe(s: Session, grids: set[int], communities: set[int]) -> str:
    names = [f"{c}(整个社区)" for c in s.scalars(
        select(Community.name).where(Community.id.in_(sorted(communities))).order_by(Community.name)
    )]  # fmt: skip
    shown = sorted(grids)[:6] if not communities else []
    names += [
        f"{c}/{g}"
        for c, g in s.execute(
            select(Community.name, Grid.name)
            .join(Community, Community.id == Grid.community_id)
            .where(Grid.id.in_(shown))
            .order_by(Community.name, Grid.name)
        )
    ]
    if not communities and len(grids) > len(shown):
        names.append(f"等 {len(grids)} 个网格")
    return "、".join(names) or "无"


class Row(Protocol):
    """What the guard reads of an incoming record (merge._Incoming)."""

    values: dict[str, Any]

    @property
    def uuid(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def where(self) -> str: ...


# For each table: its columns pointing at a record whose grid decides (column, table).
_PARENTS: dict[str, tuple[tuple[str, str], ...]] = {
    "grid": (("id", "grid"),),
    "building_group": (("grid_id", "grid"),),
    "household": (("building_group_id", "building_group"),),
    "resident": (("household_id", "household"),),
    "visit": (("household_id", "household"),),
    "problem": (
        ("grid_id", "grid"),
        ("building_group_id", "building_group"),
        ("household_id", "household"),
        ("visit_id", "visit"),
        ("resident_id", "resident"),
    ),
    "problem_event": (("problem_id", "problem"),),
}
_HIERARCHY = ("community", "grid", "building_group")
_SUPERVISOR_CODES = frozenset(k.value for k in SUPERVISOR_ONLY)


class Guard:
    """Applies an Area to the records of one package, table by table, inside the
    merge's transaction (so records inserted earlier in the package count)."""

    def __init__(self, session: Session, area: Area, sender: Sender) -> None:
        self.s = session
        self.area = area
        self.sender = sender
        self._grid_of: dict[str, dict[int, int | None]] = {t: {} for t in _PARENTS}

    # --- lookups ------------------------------------------------------------------

    def grids_of(self, table: str, ids: Iterable[int]) -> dict[int, int | None]:
        cache = self._grid_of.setdefault(table, {})
        missing = sorted({i for i in ids if i is not None and i not in cache})
        for batch in chunks(missing):
            for ident, grid in self.s.execute(_grid_query(table, batch)):
                cache[ident] = grid
        return cache

    def _grid_name(self, grid_id: int | None) -> str:
        if grid_id is None:
            return "未知网格"
        row = self.s.execute(
            select(Community.name, Grid.name)
            .join(Community, Community.id == Grid.community_id)
            .where(Grid.id == grid_id)
        ).first()
        return f"“{row[0]}/{row[1]}”" if row else "未知网格"

    # --- supervisors' steps (issue 22) -------------------------------------------------

    @property
    def may_supervise(self) -> bool:
        """The sub-district, or a laptop registered for whole communities (their admins'):
        a grid laptop is a grid worker's, whatever role its users claim."""
        return self.sender.kind == "subdistrict" or bool(self.area.communities)

    def _supervisor_step(self, r: Row, kind: Any) -> OutsideArea:
        try:
            label = EventKind(kind).label
        except ValueError:
            label = str(kind)
        return OutsideArea(
            f"{r.where}(编号 {r.uuid[:8]})是“{label}”,只有社区或街道的督办人才能记录,"
            f"而{self.area.who}登记的是网格({self.area.scope});督办和审批延期请在社区或街道的"
            "电脑上办理"
        )

    def screen_supervision(self, table: str, rows: Iterable[Any]) -> None:
        """Refuse supervisors' events from a device that may not send them."""
        if table != "problem_event" or self.may_supervise:
            return
        for r in rows:
            if r.values.get("kind") in _SUPERVISOR_CODES:
                raise self._supervisor_step(r, r.values["kind"])

    def screen_due(
        self, rows: list[Any], known: dict[str, tuple[Any, ...]], columns: Sequence[str]
    ) -> None:
        """A grid laptop may carry a problem's time limit as it stands here or as it
        stood (before an approved extension), never a new one."""
        if self.may_supervise:
            return
        at = columns.index("due_at")
        moved = [r for r in rows if r.values.get("due_at") != known[r.uuid][at]]
        if not moved:
            return
        ids = {known[r.uuid][0] for r in moved}
        granted: dict[int, set[Any]] = {known[r.uuid][0]: {known[r.uuid][at]} for r in moved}
        for batch in chunks(sorted(ids)):
            for event in self.s.scalars(
                select(ProblemEvent).where(
                    ProblemEvent.problem_id.in_(batch),
                    ProblemEvent.kind == EventKind.EXTENSION_APPROVED.value,
                )
            ):
                granted[event.problem_id].update(d for d in extension_dates(event) if d)
        for r in moved:
            if r.values["due_at"] not in granted[known[r.uuid][0]]:
                raise OutsideArea(
                    f"{r.where}(编号 {r.uuid[:8]})改动了办理时限,只有督办人同意延期才能改动,"
                    f"而{self.area.who}登记的是网格({self.area.scope})"
                )

    def _refuse(self, r: Row, what: str) -> OutsideArea:
        return OutsideArea(
            f"{r.where}(编号 {r.uuid[:8]}){what},不在{self.area.who}登记的负责范围"
            f"({self.area.scope})内"
        )

    # --- records already here, or new ones of tables without names ------------------

    def screen_new(self, table: str, rows: list[Any]) -> None:
        """Rows new here: refused outside the area (new users arrive without rights;
        new hierarchy nodes are left to `alias` and `create`, which know whether they
        match a name here). References are local ids already."""
        if table in ("app_user", *_HIERARCHY):
            return
        self.screen_supervision(table, rows)
        allowed = self.area.grids
        for col, parent in _PARENTS[table]:  # column by column: most packages are new rows
            grids = self.grids_of(parent, {r.values[col] for r in rows})
            for r in rows:
                ident = r.values[col]
                if ident is not None and grids.get(ident) not in allowed:
                    raise self._refuse(r, f"属于网格{self._grid_name(grids.get(ident))}")

    def screen_known(
        self,
        table: str,
        rows: list[Any],
        known: dict[str, tuple[Any, ...]],
        columns: Sequence[str],
        same: Callable[[Any, tuple[Any, ...]], bool],
    ) -> tuple[list[Any], int]:
        """Of rows already here, the ones to apply and how many were dropped as
        harmless copies. Raises OutsideArea for a change outside the area."""
        if table == "app_user":
            return self._users(rows, known, columns)
        version_at = columns.index("version")
        keep: list[Any] = []
        dropped = 0
        for r, ok, what in self._inside(table, rows, known, columns):
            if ok:
                keep.append(r)
                continue
            stored = known[r.uuid]
            if r.version < stored[version_at] or (
                r.version == stored[version_at] and same(r, stored)
            ):
                dropped += 1  # a copy of what is here: nothing would change
                continue
            raise self._refuse(r, what)
        if table == "problem_event" and not self.may_supervise:
            kind_at = columns.index("kind")
            for r in keep:  # a changed event: neither side may be a supervisor's step
                if not same(r, known[r.uuid]):
                    self.screen_supervision(table, [r])
                    if known[r.uuid][kind_at] in _SUPERVISOR_CODES:
                        raise self._supervisor_step(r, known[r.uuid][kind_at])
        if table == "problem":
            self.screen_due(keep, known, columns)
        return keep, dropped

    def _inside(
        self,
        table: str,
        rows: list[Any],
        known: dict[str, tuple[Any, ...]],
        columns: Sequence[str],
    ) -> list[tuple[Any, bool, str]]:
        """(row, inside the area?, where it lies) for rows already here: both where the
        record is now and where the package would put it must lie inside."""
        if table == "community":
            return [(r, known[r.uuid][0] in self.area.communities, "是社区记录") for r in rows]
        parents = _PARENTS[table]
        at = {col: columns.index(col) for col, _ in parents}

        def places(r: Any, col: str) -> tuple[Any, Any]:
            stored = known[r.uuid]
            return (stored[0] if col == "id" else r.values[col]), stored[at[col]]

        grids = {
            parent: self.grids_of(
                parent, {i for r in rows for i in places(r, col) if i is not None}
            )
            for col, parent in parents
        }
        out = []
        for r in rows:
            verdict: tuple[Any, bool, str] = (r, True, "")
            for col, parent in parents:
                outside = [
                    grids[parent].get(i)
                    for i in places(r, col)
                    if i is not None and grids[parent].get(i) not in self.area.grids
                ]
                if outside:
                    verdict = (r, False, f"属于网格{self._grid_name(outside[0])}")
                    break
            if (
                verdict[1]
                and table == "grid"
                and r.values["community_id"] not in (self.area.communities | self.area.home)
            ):
                verdict = (r, False, "被移到了另一个社区")
            out.append(verdict)
        return out

    def _users(
        self, rows: list[Any], known: dict[str, tuple[Any, ...]], columns: Sequence[str]
    ) -> tuple[list[Any], int]:
        """New users come (without rights); a known one only from the device that
        created it, and only a newer version. The rest is a copy: nothing changes."""
        origin_at, version_at = columns.index("origin_device"), columns.index("version")
        keep = []
        for r in rows:
            stored = known.get(r.uuid)
            if stored is None or (
                stored[origin_at] == self.sender.device_id and r.version > stored[version_at]
            ):
                keep.append(r)
        return keep, len(rows) - len(keep)

    # --- new hierarchy nodes (merge._match_names) ---------------------------------

    def alias(self, table: str, r: Row, target: int) -> None:
        """A new node named like one here becomes that node: it must be inside."""
        if table == "community":
            ok = target in self.area.communities | self.area.home
        elif table == "grid":
            ok = target in self.area.grids
        else:
            ok = self.grids_of("building_group", [target]).get(target) in self.area.grids
        if not ok:
            raise self._refuse(r, "与本库中的同名记录是同一个")

    def create(self, table: str, r: Row) -> None:
        if table == "community":
            raise self._refuse(r, "是一个新社区")
        if table == "grid" and r.values["community_id"] not in self.area.create_grids_in:
            raise self._refuse(r, "是一个新网格")
        if table == "building_group" and r.values["grid_id"] not in self.area.grids:
            raise self._refuse(r, f"是网格{self._grid_name(r.values['grid_id'])}里的新楼栋党小组")

    def created(self, table: str, rows: Iterable[tuple[Row, int]]) -> None:
        """Rows just inserted: new grids of a community laptop are its own from now on,
        and each new row's grid is known without a query (its parent's was checked)."""
        parents = _PARENTS.get(table)
        if parents is None:
            return
        col, parent = parents[0]
        cache = self._grid_of.setdefault(table, {})
        if table == "grid":
            for _r, ident in rows:
                cache[ident] = ident
                self.area.grids.add(ident)
            return
        source = self._grid_of.get(parent, {})
        for r, ident in rows:
            cache[ident] = source.get(r.values[col]) if parent != "grid" else r.values[col]


def _grid_query(table: str, ids: list[int]) -> Any:
    if table == "grid":
        return select(Grid.id, Grid.id).where(Grid.id.in_(ids))
    if table == "building_group":
        return select(BuildingGroup.id, BuildingGroup.grid_id).where(BuildingGroup.id.in_(ids))
    if table == "problem":
        return select(Problem.id, Problem.grid_id).where(Problem.id.in_(ids))
    if table == "household":
        return (
            select(Household.id, BuildingGroup.grid_id)
            .join(BuildingGroup, BuildingGroup.id == Household.building_group_id)
            .where(Household.id.in_(ids))
        )
    models: dict[str, type[Visit] | type[Resident]] = {"visit": Visit, "resident": Resident}
    model = models[table]
    return (
        select(model.id, BuildingGroup.grid_id)
        .join(Household, Household.id == model.household_id)
        .join(BuildingGroup, BuildingGroup.id == Household.building_group_id)
        .where(model.id.in_(ids))
    )
