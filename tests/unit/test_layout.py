"""The building layout from address patterns as grid offices write them (issue 20)."""

from __future__ import annotations

import pytest

from gridvisit.core.layout import (
    OTHER_ROW_LABEL,
    SHOP_ROW_LABEL,
    Place,
    RowKind,
    building_list,
    chart,
    parse_address,
    parse_building,
    parse_room,
    parse_unit,
    room_sort_key,
)


@pytest.mark.parametrize(
    ("text", "key", "label"),
    [
        ("1号楼", "1", "1栋"),
        ("1栋", "1", "1栋"),
        ("3", "3", "3栋"),
        ("10幢", "10", "10栋"),
        ("第十二栋", "12", "12栋"),
        ("１０号楼", "10", "10栋"),
        ("A座", "A座", "A座"),
        ("综合楼", "综合楼", "综合楼"),
    ],
)
def test_buildings(text: str, key: str, label: str) -> None:
    b = parse_building(text)
    assert (b.key, b.label) == (key, label)


def test_numbered_buildings_sort_by_number_and_before_named_ones() -> None:
    names = ["10栋", "A座", "2号楼", "1"]
    assert [parse_building(n).label for n in sorted(names, key=parse_building)] == [
        "1栋", "2栋", "10栋", "A座",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "number", "label"),
    [
        ("2单元", 2, "2单元"),
        ("2", 2, "2单元"),
        ("二单元", 2, "2单元"),
        ("", 0, ""),
        ("东", 10**9, "东"),
    ],
)
def test_units(text: str, number: int, label: str) -> None:
    u = parse_unit(text)
    assert (u.number, u.label) == (number, label)


@pytest.mark.parametrize(
    ("text", "places"),
    [
        ("1502", [(RowKind.FLOOR, 15, "02")]),
        ("502", [(RowKind.FLOOR, 5, "02")]),
        ("1502室", [(RowKind.FLOOR, 15, "02")]),
        ("１５０２室", [(RowKind.FLOOR, 15, "02")]),
        ("15-02", [(RowKind.FLOOR, 15, "02")]),
        ("15层2", [(RowKind.FLOOR, 15, "02")]),
        ("B1-01", [(RowKind.FLOOR, -1, "01")]),
        ("负2-03", [(RowKind.FLOOR, -2, "03")]),
        ("地下", [(RowKind.FLOOR, -1, "地下")]),
        ("1501-1502", [(RowKind.FLOOR, 15, "01"), (RowKind.FLOOR, 15, "02")]),
        ("1501/1502室", [(RowKind.FLOOR, 15, "01"), (RowKind.FLOOR, 15, "02")]),
        ("商铺3", [(RowKind.SHOP, 0, "商铺3")]),
        ("底商", [(RowKind.SHOP, 0, "底商")]),
        ("门面2号", [(RowKind.SHOP, 0, "门面2号")]),
        ("物业用房", [(RowKind.OTHER, 0, "物业用房")]),
        ("车库12", [(RowKind.OTHER, 0, "车库12")]),
        ("5", [(RowKind.FLOOR, 1, "05")]),
    ],
)
def test_rooms(text: str, places: list[tuple[RowKind, int, str]]) -> None:
    assert parse_room(text).places == tuple(Place(*p) for p in places)


def test_a_room_that_carries_its_unit() -> None:
    room = parse_room("2-1502")
    assert room.unit == "2" and room.places == (Place(RowKind.FLOOR, 15, "02"),)


@pytest.mark.parametrize(
    ("text", "buildings"),
    [
        ("1-3号楼", ["1", "2", "3"]),
        ("1-3号楼党小组", ["1", "2", "3"]),
        ("3,4", ["3", "4"]),
        ("3、4栋", ["3", "4"]),
        ("7号楼", ["7"]),
        ("", []),
    ],
)
def test_building_lists(text: str, buildings: list[str]) -> None:
    assert building_list(text) == buildings


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("10栋2单元1502室", ("10", "2", "1502")),
        ("10号楼2单元1502", ("10", "2", "1502")),
        ("3栋301室", ("3", "", "301")),
        ("3-2-301", ("3", "2", "301")),
        ("张三家", None),
    ],
)
def test_addresses(text: str, parts: tuple[str, str, str] | None) -> None:
    assert parse_address(text) == parts


def test_a_chart_of_real_patterns() -> None:
    entries = [
        ("10栋", "2单元", "1502室", "a"),
        ("10", "2", "1501-1502", "duplex"),
        ("10号楼", "2", "302", "b"),
        ("10", "", "商铺3", "shop3"),
        ("10", "", "商铺1", "shop1"),
        ("10", "", "物业用房", "office"),
        ("10", "", "B1-01", "cellar"),
        ("10", "", "101", "c"),
        ("2", "1", "201", "d"),
    ]
    charts = chart(entries, buildings=["2", "10", "11"])
    assert [c.building.label for c in charts] == ["2栋", "10栋", "11栋"]
    ten = charts[1]
    assert [u.unit.label for u in ten.units] == ["", "2单元"]
    no_unit, unit2 = ten.units
    # Unit 2: floors 15 down to 1 without a gap, top floor first.
    assert [r.label for r in unit2.rows] == [f"{f}层" for f in range(15, 0, -1)]
    assert unit2.columns == ["01", "02"]
    top = unit2.rows[0]
    assert [c.room for c in top.cells] == ["1501", "1502"]
    assert top.cells[0].items == ["duplex"] and top.cells[0].duplex
    assert top.cells[1].items == ["a", "duplex"]
    assert [c.items for c in unit2.rows[12].cells] == [[], ["b"]]  # 3层: 301 empty
    # No unit: floor 1, the shop row, the basement, then 其他.
    assert [r.label for r in no_unit.rows] == ["1层", SHOP_ROW_LABEL, "地下1层", OTHER_ROW_LABEL]
    assert [c.room for c in no_unit.rows[1].cells] == ["商铺1", "商铺3"]
    assert [c.room for c in no_unit.rows[2].cells] == ["B1-01"]
    assert no_unit.rows[3].cells[0].items == ["office"]
    # Drawn side by side, 1层 lines up with 1层: the short unit starts 14 rows down.
    assert (ten.offset(no_unit), ten.offset(unit2), ten.height) == (14, 0, 18)
    # A basement shows its registered rooms only, not the floors' columns.
    eleven = chart([("11", "1", "201", "x"), ("11", "1", "地下室", "y")])[0].units[0]
    assert [c.room for c in eleven.rows[-1].cells] == ["地下室"]
    # A building of the group with nobody registered yet is there, empty.
    assert charts[2].units[0].rows == []


def test_sweep_order_is_building_unit_floor_room() -> None:
    rooms = [("10", "1", "201"), ("2", "1", "1502"), ("2", "1", "301"), ("2", "", "商铺1"),
             ("2", "1", "302"), ("2", "2", "101")]  # fmt: skip
    ordered = sorted(rooms, key=lambda r: room_sort_key(*r))
    assert ordered == [
        ("2", "", "商铺1"),
        ("2", "1", "301"),
        ("2", "1", "302"),
        ("2", "1", "1502"),
        ("2", "2", "101"),
        ("10", "1", "201"),
    ]
