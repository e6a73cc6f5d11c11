"""Buildings as floors × rooms, worked out from the addresses as offices write them
(the 楼栋图 of issue 20). No database, no Qt: the building view, its print and the
sweep list's order all use it.

- Building: "1号楼", "1栋", "1幢", "1座", "3" are building 1 (shown "1栋"); other
  text ("A座", "综合楼") is kept as written.
- Unit: "2单元", "2", "二单元" are unit 2; "" is a building without units.
- Room: "1502" / "1502室" / "15-02" / "15层02" → floor 15, room 02; "502" → 5/02;
  "B1-01", "负1-01", "-1-01", "地下1-01" → floor −1; "地下", "地下室" → floor −1;
  a duplex "1501-1502" (or "1501/1502", "1501、1502") fills both rooms; "2-1502"
  with no unit is unit 2 room 1502; shops ("商铺3", "底商", "门面2", "网点1") go to
  the ground-floor shop row (底商); anything else ("物业用房", "车库12") to the
  "其他" row.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, TypeVar

T = TypeVar("T", bound=Hashable)

_FULL_WIDTH = str.maketrans(
    {
        **{chr(0xFF10 + d): str(d) for d in range(10)},
        **{chr(0xFF21 + i): chr(0x41 + i) for i in range(26)},
        **{chr(0xFF41 + i): chr(0x61 + i) for i in range(26)},
        "－": "-",
        "—": "-",
        "–": "-",
        "／": "/",
        "\u3000": " ",
    }
)
_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_CN_DIGITS |= {"六": 6, "七": 7, "八": 8, "九": 9}


def _clean(text: str) -> str:
    return text.translate(_FULL_WIDTH).strip().replace(" ", "")


def chinese_number(text: str) -> int | None:
    """ "3" → 3, "十二" → 12, "二十" → 20, "十" → 10; None if not a number."""
    if text.isdigit():
        return int(text)
    if not text or any(c not in _CN_DIGITS and c != "十" for c in text):
        return None
    if "十" not in text:
        return int("".join(str(_CN_DIGITS[c]) for c in text)) if len(text) < 3 else None
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1 or "十" in ones:
        return None
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


_BUILDING = re.compile(r"^(?:第)?([0-9]+|[零一二两三四五六七八九十]+)(?:号楼|号|栋|幢|座|楼|#)?$")
_UNIT = re.compile(r"^(?:第)?([0-9]+|[零一二两三四五六七八九十]+)(?:单元|门|号)?$")


@dataclass(frozen=True, slots=True, order=True)
class Building:
    """A building as it sorts (numbered ones first, by number) and as it is shown."""

    number: int  # 10**9 for a building without a number
    label: str

    @property
    def key(self) -> str:
        return str(self.number) if self.number < 10**9 else self.label


def parse_building(text: str) -> Building:
    cleaned = _clean(text)
    match = _BUILDING.match(cleaned)
    number = chinese_number(match.group(1)) if match else None
    if number is None:
        return Building(10**9, cleaned or "?")
    return Building(number, f"{number}栋")


@dataclass(frozen=True, slots=True, order=True)
class Unit:
    number: int  # 0: no unit; 10**9: a unit without a number
    label: str  # "" for no unit


def parse_unit(text: str) -> Unit:
    cleaned = _clean(text)
    if not cleaned:
        return Unit(0, "")
    match = _UNIT.match(cleaned)
    number = chinese_number(match.group(1)) if match else None
    if number is None:
        return Unit(10**9, cleaned)
    return Unit(number, f"{number}单元")


def building_list(text: str) -> list[str]:
    """A building group's buildings: "1-3号楼" / "1~3" → 1, 2, 3; "3,4" / "3、4栋" → 3, 4.
    Returns building keys (as `Building.key`)."""
    out: list[str] = []
    cleaned = _clean(text).replace("~", "-").replace("至", "-").replace("到", "-")
    for part in re.split(r"[,，、;；/]", cleaned):
        if not part:
            continue
        span = re.match(r"^(\d+)-(\d+)(?:号楼|号|栋|幢|座|楼)?(?:党小组)?$", part)
        if span and int(span.group(1)) <= int(span.group(2)) <= int(span.group(1)) + 200:
            out += [str(n) for n in range(int(span.group(1)), int(span.group(2)) + 1)]
            continue
        part = part.removesuffix("党小组")
        out.append(parse_building(part).key)
    return list(dict.fromkeys(out))


class RowKind(StrEnum):
    FLOOR = "floor"  # a numbered floor (negative: basement)
    SHOP = "shop"  # 底商: the ground-floor shop row
    OTHER = "other"  # rooms whose number says no floor


SHOP_ROW_LABEL = "底商"
OTHER_ROW_LABEL = "其他"


@dataclass(frozen=True, slots=True)
class Place:
    """Where one room lies: a floor and a column, or a place in a special row."""

    kind: RowKind
    floor: int  # FLOOR only; 0 otherwise
    column: str  # "02" on a floor; the room as written in the shop and other rows


@dataclass(frozen=True, slots=True)
class Room:
    """A parsed room: usually one place, a duplex two or more; `unit` is set when the
    room field carried it ("2-1502")."""

    places: tuple[Place, ...]
    unit: str = ""


_SUFFIX = re.compile(r"(?:室|号|房|户)$")
_PLAIN = re.compile(r"^(\d{3,5})$")
_FLOOR_ROOM = re.compile(r"^(\d{1,3})(?:-|层|楼|F|f)(\d{1,3})$")
_BASEMENT = re.compile(r"^(?:B|b|负|-|地下)(\d{1,2})(?:层|楼|F|f)?-?(\d{1,3})$")
_UNIT_ROOM = re.compile(r"^(\d{1,2})-(\d{3,5})$")
_DUPLEX = re.compile(r"^(\d{3,5})(?:-|/|、|,|，|~)(\d{3,5})$")
_SHOP = re.compile(r"^(?:商铺|底商|门面|门市|网点|商业|商)(?:房)?-?(\S*)$")
_BASEMENT_WORDS = ("地下室", "地下", "负一层", "地下一层")


def _plain(digits: str) -> Place:
    return Place(RowKind.FLOOR, int(digits[:-2]), digits[-2:])


def parse_room(text: str) -> Room:
    cleaned = _clean(text)
    core = _SUFFIX.sub("", cleaned) or cleaned
    if not core:
        return Room((Place(RowKind.OTHER, 0, "?"),))
    if _PLAIN.match(core) and int(core[:-2]) > 0:
        return Room((_plain(core),))
    if core.isdigit() and len(core) <= 2:
        return Room((Place(RowKind.FLOOR, 1, core.zfill(2)),))  # a bungalow's "5号"
    if m := _DUPLEX.match(core):
        a, b = m.group(1), m.group(2)
        if int(a[:-2]) > 0 and int(b[:-2]) > 0:
            return Room((_plain(a), _plain(b)))
    if (m := _UNIT_ROOM.match(core)) and int(m.group(2)[:-2]) > 0:
        return Room((_plain(m.group(2)),), unit=m.group(1))
    if (m := _FLOOR_ROOM.match(core)) and int(m.group(1)) > 0:
        return Room((Place(RowKind.FLOOR, int(m.group(1)), m.group(2).zfill(2)),))
    if m := _BASEMENT.match(core):
        return Room((Place(RowKind.FLOOR, -int(m.group(1)), m.group(2).zfill(2)),))
    if core in _BASEMENT_WORDS or cleaned in _BASEMENT_WORDS:
        return Room((Place(RowKind.FLOOR, -1, cleaned),))  # shown as written
    if _SHOP.match(core):
        return Room((Place(RowKind.SHOP, 0, cleaned),))
    return Room((Place(RowKind.OTHER, 0, cleaned),))


def floor_label(floor: int) -> str:
    return f"{floor}层" if floor > 0 else f"地下{-floor}层"


def room_sort_key(building: str, unit: str, room: str) -> tuple[Building, Unit, int, int, str]:
    """楼栋 → 单元 → 楼层 → 室 (the sweep list's order): floors bottom up, then the
    shop row, basements and other rooms last."""
    parsed = parse_room(room)
    place = parsed.places[0]
    u = parse_unit(unit or parsed.unit)
    rank = {RowKind.FLOOR: 0, RowKind.SHOP: 1, RowKind.OTHER: 2}[place.kind]
    floor = place.floor if place.floor > 0 else 1000 - place.floor  # basements after
    return parse_building(building), u, rank, floor if rank == 0 else 0, _natural(place.column)


def _natural(text: str) -> str:
    return re.sub(r"\d+", lambda m: m.group().zfill(6), text)


# --- the chart ----------------------------------------------------------------------------


@dataclass(slots=True)
class Cell(Generic[T]):
    """One room of the chart; `items` are what lives there (usually one household,
    none for a room of the grid that nobody registered)."""

    room: str  # as shown: "1502", "商铺3"
    items: list[T] = field(default_factory=list)
    duplex: bool = False  # part of a household that spans rooms


@dataclass(slots=True)
class Row(Generic[T]):
    kind: RowKind
    label: str  # "15层", "底商", "其他"
    floor: int
    cells: list[Cell[T]]


@dataclass(slots=True)
class UnitChart(Generic[T]):
    unit: Unit
    columns: list[str]  # the floor rows' room columns ("01", "02", …)
    rows: list[Row[T]]  # top floor first, then 底商, basements, 其他

    @property
    def width(self) -> int:
        return max([len(self.columns), *(len(r.cells) for r in self.rows)])

    @property
    def floors_above_ground(self) -> int:
        return sum(1 for r in self.rows if r.kind is RowKind.FLOOR and r.floor > 0)


@dataclass(slots=True)
class BuildingChart(Generic[T]):
    building: Building
    units: list[UnitChart[T]]

    def offset(self, unit: UnitChart[T]) -> int:
        """Empty rows above `unit` so that its floors line up with the tallest unit's
        (1层 beside 1层)."""
        return max(u.floors_above_ground for u in self.units) - unit.floors_above_ground

    @property
    def height(self) -> int:
        """Rows of the building with its units' floors lined up."""
        return max((self.offset(u) + len(u.rows) for u in self.units), default=0)


def _room_text(floor: int, column: str) -> str:
    if not column.isdigit():
        return column
    if floor > 0:
        return f"{floor}{column}"
    return f"B{-floor}-{column}"


def chart(
    entries: Iterable[tuple[str, str, str, T]], buildings: Iterable[str] = ()
) -> list[BuildingChart[T]]:
    """Lay (building, unit, room, item) out as buildings → units → floors × rooms.

    Floors run continuously from the top floor down to the first (a floor where no
    household is registered is an empty row), then the shop row, basements from −1
    down, and the 其他 row. `buildings` (the group's own list, `building_list`) adds
    buildings that have no household yet."""
    by_unit: dict[tuple[Building, Unit], list[tuple[Place, bool, T]]] = {}
    for building_text, unit_text, room_text, item in entries:
        room = parse_room(room_text)
        key = (parse_building(building_text), parse_unit(unit_text or room.unit))
        spots = by_unit.setdefault(key, [])
        duplex = len(room.places) > 1
        for place in room.places:
            spots.append((place, duplex, item))
    for b in buildings:
        known = {k[0].key for k in by_unit}
        if b not in known:
            by_unit[(parse_building(b), Unit(0, ""))] = []
    out: dict[Building, BuildingChart[T]] = {}
    for (building, unit), spots in sorted(by_unit.items(), key=lambda kv: kv[0]):
        target = out.setdefault(building, BuildingChart(building, []))
        target.units.append(_unit_chart(unit, spots))
    return list(out.values())


def _unit_chart(unit: Unit, spots: list[tuple[Place, bool, T]]) -> UnitChart[T]:
    floors: dict[int, dict[str, Cell[T]]] = {}
    special: dict[RowKind, dict[str, Cell[T]]] = {RowKind.SHOP: {}, RowKind.OTHER: {}}
    for place, duplex, item in spots:
        if place.kind is RowKind.FLOOR:
            row = floors.setdefault(place.floor, {})
            cell = row.setdefault(place.column, Cell(_room_text(place.floor, place.column)))
        else:
            cell = special[place.kind].setdefault(place.column, Cell(place.column))
        if item not in cell.items:
            cell.items.append(item)
        cell.duplex = cell.duplex or duplex
    columns = sorted(
        {c for f, row in floors.items() for c in row if c.isdigit()}, key=_natural
    ) or ([] if not floors else ["01"])
    rows: list[Row[T]] = []
    above = [f for f in floors if f > 0]
    top = max(above, default=0)
    for floor in range(top, 0, -1):
        rows.append(_floor_row(floor, columns, floors.get(floor, {})))
    if special[RowKind.SHOP]:
        cells = sorted(special[RowKind.SHOP].values(), key=lambda c: _natural(c.room))
        rows.append(Row(RowKind.SHOP, SHOP_ROW_LABEL, 0, cells))
    for floor in sorted((f for f in floors if f < 0), reverse=True):
        # A basement is not laid out like the floors above: only its registered rooms.
        cells = sorted(floors[floor].values(), key=lambda c: _natural(c.room))
        rows.append(Row(RowKind.FLOOR, floor_label(floor), floor, cells))
    if special[RowKind.OTHER]:
        cells = sorted(special[RowKind.OTHER].values(), key=lambda c: _natural(c.room))
        rows.append(Row(RowKind.OTHER, OTHER_ROW_LABEL, 0, cells))
    return UnitChart(unit, columns, rows)


def _floor_row(floor: int, columns: list[str], row: dict[str, Cell[T]]) -> Row[T]:
    cells = [row.get(c) or Cell(_room_text(floor, c)) for c in columns]
    # Rooms written with a word on a floor ("地下室") come after the numbered ones.
    cells += [cell for c, cell in sorted(row.items()) if c not in columns]
    return Row(RowKind.FLOOR, floor_label(floor), floor, cells)


def parse_address(text: str) -> tuple[str, str, str] | None:
    """ "10栋2单元1502室" / "10号楼2单元1502" / "3-2-301" / "3栋301" → (building, unit,
    room) in the stored form ("10", "2", "1502"); None if it is not an address."""
    cleaned = _clean(text)
    m = re.match(
        r"^(?:第)?(\d+)(?:号楼|号|栋|幢|座|#)(?:(\d+)(?:单元|门))?(.+?)$", cleaned
    ) or re.match(r"^(\d+)-(\d+)-(.+)$", cleaned)
    if not m:
        return None
    room = _SUFFIX.sub("", m.group(3)) or m.group(3)
    return m.group(1), m.group(2) or "", room


__all__ = [
    "OTHER_ROW_LABEL",
    "SHOP_ROW_LABEL",
    "Building",
    "BuildingChart",
    "Cell",
    "Place",
    "Room",
    "Row",
    "RowKind",
    "Unit",
    "UnitChart",
    "building_list",
    "chart",
    "chinese_number",
    "floor_label",
    "parse_address",
    "parse_building",
    "parse_room",
    "parse_unit",
    "room_sort_key",
]
