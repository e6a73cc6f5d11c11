"""core/services/buildings.py: the building view's rooms on a small demo, against
independent SQL over the same file; the sweep list's order; access."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from gridvisit import app as app_module
from gridvisit.core.clock import IsoWeek
from gridvisit.core.errors import NotFoundError, PermissionDeniedError
from gridvisit.core.layout import room_sort_key
from gridvisit.core.records import Actor
from gridvisit.core.services import Services
from gridvisit.core.services.buildings import VisitState
from gridvisit.core.services.context import ServiceContext
from gridvisit.demo.generate import generate_demo
from gridvisit.storage import Database, open_database

TODAY = date(2026, 11, 20)


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bv") / "demo.db"
    generate_demo(path, households=400, seed=3, end=TODAY)
    return path


@pytest.fixture
def demo(demo_path: Path) -> Iterator[Database]:
    db = open_database(demo_path)
    yield db
    db.dispose()


@pytest.fixture
def admin(demo: Database) -> Services:
    return app_module.build_services(demo)


def _worker(db: Database, username: str) -> Services:
    conn = sqlite3.connect(db.path)
    uid, name, role = conn.execute(
        "SELECT id, display_name, role FROM app_user WHERE username = ?", (username,)
    ).fetchone()
    conn.close()
    return Services(ServiceContext(db, Actor(uid, username, name, role)))


def _independent(path: Path, group_id: int) -> dict[int, tuple[int, int, int]]:
    """Per household: members, party members, 未销号 problems (straight SQL)."""
    conn = sqlite3.connect(path)
    rows = conn.execute(
        """
        SELECT h.id,
          (SELECT count(*) FROM resident r WHERE r.household_id = h.id AND NOT r.archived
             AND r.status = 'present'),
          (SELECT count(*) FROM resident r WHERE r.household_id = h.id AND NOT r.archived
             AND r.status = 'present' AND r.is_party_member),
          (SELECT count(*) FROM problem p WHERE p.household_id = h.id
             AND p.status IN ('pending', 'in_progress', 'resolved'))
        FROM household h WHERE h.building_group_id = ? AND NOT h.archived
        """,
        (group_id,),
    ).fetchall()
    conn.close()
    return {hid: (m, p, o) for hid, m, p, o in rows}


def _statuses(path: Path, group_id: int) -> dict[int, str]:
    conn = sqlite3.connect(path)
    rows = conn.execute(
        "SELECT id, house_status FROM household WHERE building_group_id = ? AND NOT archived",
        (group_id,),
    ).fetchall()
    conn.close()
    return dict(rows)


def test_every_household_of_the_group_is_on_the_chart_once_with_its_marks(
    admin: Services, demo_path: Path
) -> None:
    conn = sqlite3.connect(demo_path)
    groups = [g for (g,) in conn.execute("SELECT id FROM building_group ORDER BY id LIMIT 4")]
    conn.close()
    marked = 0
    for gid in groups:
        chart = admin.buildings.chart(gid, today=TODAY)
        expected = _independent(demo_path, gid)
        placed = [
            item.household_id
            for b in chart.buildings
            for u in b.units
            for row in u.rows
            for cell in row.cells
            for item in cell.items
        ]
        assert sorted(placed) == sorted(expected)  # demo rooms are single, no duplexes
        got = {r.household_id: (r.members, r.party_members, r.open_problems) for r in chart.rooms}
        assert got == expected
        marked += sum(1 for r in chart.rooms if r.party_members)
        assert {r.household_id: r.house_status for r in chart.rooms} == _statuses(demo_path, gid)
        # Cells sit where their room number says: floor 15, room 02 for 1502.
        for b in chart.buildings:
            for u in b.units:
                for row in u.rows:
                    for cell in row.cells:
                        for item in cell.items:
                            assert item.room == cell.room
                            assert row.label == f"{int(item.room[:-2])}层"
    assert marked  # the party-member mark is there (not every group has a member)


def test_visit_state_follows_the_due_list(admin: Services, demo_path: Path) -> None:
    conn = sqlite3.connect(demo_path)
    (gid,) = conn.execute("SELECT id FROM building_group ORDER BY id LIMIT 1").fetchone()
    conn.close()
    chart = admin.buildings.chart(gid, today=TODAY)
    due = {d.household_id: d for d in admin.visits.due(None, today=TODAY)}
    for r in chart.rooms:
        if r.state is VisitState.VISITED:
            assert r.household_id not in due
        else:
            assert r.household_id in due
            assert (r.state is VisitState.OVERDUE) == (due[r.household_id].days_overdue > 0)
    assert chart.count(VisitState.OVERDUE) + chart.count(VisitState.DUE) > 0


def test_the_sweep_list_is_the_due_households_in_walking_order(
    admin: Services, demo_path: Path
) -> None:
    conn = sqlite3.connect(demo_path)
    (grid_name,) = conn.execute("SELECT name FROM grid ORDER BY id LIMIT 1").fetchone()
    conn.close()
    week = IsoWeek.containing(TODAY)
    grid_id = admin.buildings.find_grid(grid_name)
    sweep = admin.buildings.sweep(week, grid_id=grid_id, today=TODAY)
    due = [d for d in admin.visits.due(None, today=TODAY) if d.building_group_id in _groups_of(
        demo_path, grid_id)]  # fmt: skip
    assert {r.household_id for r in sweep.rooms} == {d.household_id for d in due}
    keys = [room_sort_key(r.building, r.unit, r.room) for r in sweep.rooms]
    assert keys == sorted(keys)


def _groups_of(path: Path, grid_id: int) -> set[int]:
    conn = sqlite3.connect(path)
    out = {g for (g,) in conn.execute("SELECT id FROM building_group WHERE grid_id=?", (grid_id,))}
    conn.close()
    return out


def test_a_household_is_found_by_address_or_uuid(admin: Services, demo_path: Path) -> None:
    conn = sqlite3.connect(demo_path)
    hid, uuid, b, u, r, grid = conn.execute(
        "SELECT h.id, h.uuid, building, unit, room, g.grid_id FROM household h"
        " JOIN building_group g ON g.id = h.building_group_id ORDER BY h.id LIMIT 1"
    ).fetchone()
    other = conn.execute(
        "SELECT g.id FROM building_group g WHERE g.grid_id != ? ORDER BY g.id LIMIT 1", (grid,)
    ).fetchone()[0]
    repeated = conn.execute(
        "SELECT count(*) FROM household WHERE building = ? AND unit = ? AND room = ?", (b, u, r)
    ).fetchone()[0]
    conn.close()
    if repeated < 2:  # the same address in another grid, as real sub-districts have
        admin.households.register(other, b, u, r)
    assert admin.buildings.find_household(uuid) == hid
    # An address in several grids: the address alone is refused, with the grid found.
    with pytest.raises(NotFoundError, match="--grid"):
        admin.buildings.find_household(f"{b}号楼{u}单元{r}室")
    assert admin.buildings.find_household(f"{b}号楼{u}单元{r}室", grid) == hid
    assert admin.buildings.find_household(f"{b}-{u}-{r}", grid) == hid
    with pytest.raises(NotFoundError):
        admin.buildings.find_household("999栋1单元101室")
    card = admin.buildings.card(hid, today=TODAY)
    assert card.room.household_id == hid and card.detail.residents


def test_a_worker_sees_only_their_area(demo: Database, demo_path: Path) -> None:
    worker = _worker(demo, "worker1")
    conn = sqlite3.connect(demo_path)
    (mine,) = conn.execute(
        "SELECT grid_id FROM user_grid JOIN app_user u ON u.id = user_id WHERE username='worker1'"
    ).fetchone()
    other_group, other_grid = conn.execute(
        "SELECT id, grid_id FROM building_group WHERE grid_id != ? LIMIT 1", (mine,)
    ).fetchone()
    (other_grid_name,) = conn.execute("SELECT name FROM grid WHERE id=?", (other_grid,)).fetchone()
    (other_uuid,) = conn.execute(
        "SELECT uuid FROM household WHERE building_group_id=? LIMIT 1", (other_group,)
    ).fetchone()
    (own_group,) = conn.execute(
        "SELECT id FROM building_group WHERE grid_id=? LIMIT 1", (mine,)
    ).fetchone()
    conn.close()
    assert worker.buildings.chart(own_group, today=TODAY).rooms
    with pytest.raises(PermissionDeniedError):
        worker.buildings.chart(other_group, today=TODAY)
    with pytest.raises(PermissionDeniedError):
        worker.buildings.find_household(other_uuid)
    with pytest.raises(PermissionDeniedError):
        worker.buildings.sweep(IsoWeek.containing(TODAY), building_group_id=other_group)
    if other_grid_name:
        with pytest.raises((PermissionDeniedError, NotFoundError)):
            worker.buildings.find_grid(other_grid_name)


def test_a_resident_who_moved_out_leaves_the_room_and_the_card(
    demo_path: Path, tmp_path: Path
) -> None:
    from gridvisit.reports.buildings import render_household_card

    copy = tmp_path / "copy.db"
    src = sqlite3.connect(demo_path)
    src.execute(f"VACUUM INTO '{copy}'")
    src.close()
    db = open_database(copy)
    admin = app_module.build_services(db)
    conn = sqlite3.connect(copy)
    hid, gid = conn.execute(
        "SELECT h.id, h.building_group_id FROM household h WHERE (SELECT count(*) FROM resident"
        " r WHERE r.household_id = h.id AND r.status = 'present' AND NOT r.archived) = 1"
        " ORDER BY h.id LIMIT 1"
    ).fetchone()
    (rid, name) = conn.execute(
        "SELECT id, name FROM resident WHERE household_id = ? AND status = 'present'", (hid,)
    ).fetchone()
    conn.close()
    admin.households.record_move(rid, "move_out", TODAY, "搬去子女家")
    room = next(r for r in admin.buildings.chart(gid, today=TODAY).rooms if r.household_id == hid)
    assert room.members == 0 and room.head == "" and room.house_status == "vacant"
    card = admin.buildings.card(hid, today=TODAY)
    assert card.detail.residents == () and len(card.detail.moves) == 1
    out = tmp_path / "moved.pdf"
    render_household_card(card, str(out))
    import subprocess

    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert "空置" in text and "人员变动" in text and "迁出" in text
    assert name not in text  # masked
    db.dispose()
