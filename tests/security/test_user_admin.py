"""User management (issue 21, item 4): who may manage whom, enforced by UserService.

A sub-district admin manages everyone. A community admin manages the grid workers of
their own communities and nothing else: the attacks below are the ways a community
admin could reach beyond that, each refused with nothing written. Nobody can lock the
database out by deactivating or demoting the last active sub-district admin. Every
test runs on a SQLite file and on a PostgreSQL server (skipped without one)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from gridvisit.core.enums import Role
from gridvisit.core.errors import ConflictError, PermissionDeniedError, ValidationError
from gridvisit.core.passwords import check_new_password, password_matches
from gridvisit.core.records import Actor
from gridvisit.core.services import ServiceContext, Services
from gridvisit.storage import Database, open_database
from gridvisit.storage.models import AuditEntry, User, UserCommunity, UserGrid
from tests.security.test_access import World


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        db = open_database(tmp_path / "users.db", create=True)
    else:
        db = open_database(request.getfixturevalue("pg_url"), create=True)
    yield db
    db.dispose()


@pytest.fixture
def world(any_db: Database) -> World:
    w = World(any_db)
    root = w.services(Role.SUBDISTRICT_ADMIN)
    # A worker of the other community, whom 甲社区's admin must not reach.
    w.other = root.users.create("wb", "网格员乙", Role.GRID_WORKER, grid_ids=[w.b1.id])  # type: ignore[attr-defined]
    w.worker_id = w.actors[Role.GRID_WORKER].user_id  # type: ignore[attr-defined]
    return w


def _state(db: Database) -> Any:
    """Everything user management may change, to compare before and after an attack."""
    with db.read_session() as s:
        users = [
            (u.username, u.display_name, u.role, u.phone, u.active, u.password_hash)
            for u in s.scalars(select(User).order_by(User.id))
        ]
        grids = sorted(s.execute(select(UserGrid.user_id, UserGrid.grid_id)))
        comms = sorted(s.execute(select(UserCommunity.user_id, UserCommunity.community_id)))
    return users, grids, comms


def _audit(db: Database, action: str) -> list[SimpleNamespace]:
    with db.read_session() as s:
        return [
            SimpleNamespace(actor_name=e.actor_name, entity_uuid=e.entity_uuid, detail=e.detail)
            for e in s.scalars(select(AuditEntry).where(AuditEntry.action == action))
        ]


def _refused(world: World, call: Any, error: type[Exception] = PermissionDeniedError) -> None:
    before = _state(world.db)
    with pytest.raises(error):
        call()
    assert _state(world.db) == before


# -- the attacks of a community admin ----------------------------------------------------


def test_a_community_admin_cannot_create_an_admin(world: World) -> None:
    c = world.services(Role.COMMUNITY_ADMIN).users
    _refused(world, lambda: c.create("boss", "大领导", Role.SUBDISTRICT_ADMIN))
    _refused(
        world,
        lambda: c.create("peer", "同级", Role.COMMUNITY_ADMIN, community_ids=[world.ca.id]),
    )


def test_a_community_admin_cannot_create_a_worker_outside_their_communities(
    world: World,
) -> None:
    c = world.services(Role.COMMUNITY_ADMIN).users
    _refused(world, lambda: c.create("x", "越界", Role.GRID_WORKER, grid_ids=[world.b1.id]))
    # Half inside is refused too, and a worker with no grid would be out of their sight.
    _refused(
        world,
        lambda: c.create("x", "越界", Role.GRID_WORKER, grid_ids=[world.a1.id, world.b1.id]),
    )
    _refused(world, lambda: c.create("x", "无网格", Role.GRID_WORKER), ValidationError)
    made = c.create("ok", "本社区", Role.GRID_WORKER, grid_ids=[world.a2.id])
    assert made.role is Role.GRID_WORKER


def test_a_community_admin_cannot_touch_a_user_of_another_community(world: World) -> None:
    c = world.services(Role.COMMUNITY_ADMIN).users
    other = world.other.id  # type: ignore[attr-defined]
    _refused(world, lambda: c.update(other, display_name="改名"))
    _refused(world, lambda: c.update(other, grid_ids=[world.a1.id]))
    _refused(world, lambda: c.reset_password(other, "new password 9"))
    _refused(world, lambda: c.deactivate(other))
    _refused(world, lambda: c.reactivate(other))
    # Nor a sub-district admin.
    admin = world.actors[Role.SUBDISTRICT_ADMIN].user_id
    _refused(world, lambda: c.update(admin, display_name="改名"))
    _refused(world, lambda: c.reset_password(admin, "new password 9"))
    _refused(world, lambda: c.deactivate(admin))
    assert {r.username for r in c.rows()} == {"w", "c"}


def test_a_community_admin_cannot_assign_a_grid_outside_their_communities(world: World) -> None:
    c = world.services(Role.COMMUNITY_ADMIN).users
    worker = world.worker_id  # type: ignore[attr-defined]
    _refused(world, lambda: c.update(worker, grid_ids=[world.b1.id]))
    _refused(world, lambda: c.update(worker, grid_ids=[world.a1.id, world.b1.id]))
    # Nor promote their worker, nor hand them a community.
    _refused(
        world,
        lambda: c.update(worker, role=Role.COMMUNITY_ADMIN, community_ids=[world.ca.id]),
    )
    _refused(world, lambda: c.update(worker, role=Role.SUBDISTRICT_ADMIN))
    c.update(worker, grid_ids=[world.a1.id, world.a2.id])
    assert {n for _, n in _row(c, "w").grids} == {"甲社区/甲一网格", "甲社区/甲二网格"}


def test_a_community_admin_cannot_widen_their_own_area_or_role(world: World) -> None:
    c = world.services(Role.COMMUNITY_ADMIN).users
    me = world.actors[Role.COMMUNITY_ADMIN].user_id
    _refused(world, lambda: c.update(me, community_ids=[world.ca.id, world.cb.id]))
    _refused(world, lambda: c.update(me, role=Role.SUBDISTRICT_ADMIN))
    # Their own name and phone are theirs to correct.
    c.update(me, display_name="社区管理员甲(改)", phone="13800138000")


def test_nobody_deactivates_themselves(world: World) -> None:
    for role in (Role.COMMUNITY_ADMIN, Role.SUBDISTRICT_ADMIN):
        u = world.services(role).users
        me = world.actors[role].user_id
        assert me is not None
        _refused(world, lambda u=u, me=me: u.deactivate(me), ConflictError)


def test_the_last_active_subdistrict_admin_cannot_be_deactivated_or_demoted(
    world: World,
) -> None:
    root = world.services(Role.SUBDISTRICT_ADMIN).users
    me = world.actors[Role.SUBDISTRICT_ADMIN].user_id
    assert me is not None
    _refused(world, lambda: root.update(me, role=Role.GRID_WORKER, grid_ids=[world.a1.id]),
             ConflictError)  # fmt: skip
    second = root.create("admin2", "第二管理员", Role.SUBDISTRICT_ADMIN)
    # With a second admin, either can be demoted or deactivated by the other...
    root.deactivate(second.id)
    root.reactivate(second.id)
    as_second = Services(
        ServiceContext(world.db, Actor(second.id, "admin2", "", Role.SUBDISTRICT_ADMIN))
    ).users
    as_second.update(me, role=Role.COMMUNITY_ADMIN, community_ids=[world.ca.id])
    # ...but not the last one left: the first admin (now a community admin) is out of
    # reach of it, and the second cannot demote themselves.
    _refused(world, lambda: as_second.update(second.id, role=Role.COMMUNITY_ADMIN,
                                             community_ids=[world.ca.id]), ConflictError)  # fmt: skip


def test_a_worker_manages_nobody(world: World) -> None:
    w = world.services(Role.GRID_WORKER).users
    me = world.worker_id  # type: ignore[attr-defined]
    for call in (
        lambda: w.rows(),
        lambda: w.create("x", "x", Role.GRID_WORKER, grid_ids=[world.a1.id]),
        lambda: w.update(me, grid_ids=[world.a1.id, world.b1.id]),
        lambda: w.reset_password(me, "new password 9"),
        lambda: w.deactivate(world.other.id),  # type: ignore[attr-defined]
        lambda: w.import_list(Path("missing.xlsx")),
    ):
        _refused(world, call)


def test_assignments_follow_the_role(world: World) -> None:
    root = world.services(Role.SUBDISTRICT_ADMIN).users
    _refused(world, lambda: root.create("x", "x", Role.COMMUNITY_ADMIN, grid_ids=[world.a1.id]),
             ValidationError)  # fmt: skip
    _refused(world, lambda: root.create("x", "x", Role.GRID_WORKER, community_ids=[world.ca.id]),
             ValidationError)  # fmt: skip
    # A worker made community admin drops their grids.
    root.update(world.worker_id, role=Role.COMMUNITY_ADMIN, community_ids=[world.cb.id])  # type: ignore[attr-defined]
    row = _row(root, "w")
    assert (row.role, row.grids, [n for _, n in row.communities]) == (
        Role.COMMUNITY_ADMIN,
        (),
        ["乙社区"],
    )


# -- what the window shows and what is audited --------------------------------------------


def _row(users: Any, username: str) -> Any:
    return next(r for r in users.rows() if r.username == username)


def test_every_change_is_audited_without_secrets(world: World) -> None:
    c = world.services(Role.COMMUNITY_ADMIN).users
    worker = world.worker_id  # type: ignore[attr-defined]
    made = c.create(
        "new", "新网格员", Role.GRID_WORKER, grid_ids=[world.a1.id], phone="13912340000"
    )
    c.update(made.id, display_name="新网格员(改)", phone="13912340001", grid_ids=[world.a2.id])
    c.reset_password(made.id, "fresh password 1")
    c.deactivate(made.id)
    c.reactivate(made.id)
    c.update(worker)  # nothing changed: nothing logged
    for action in ("user.create", "user.update", "user.password", "user.deactivate",
                   "user.reactivate"):  # fmt: skip
        entries = [e for e in _audit(world.db, action) if e.entity_uuid == made.uuid]
        assert len(entries) == 1, action
        assert entries[0].actor_name == "c"
    logged = str([e.detail for e in _audit(world.db, "user.update")])
    assert "13912340001" not in logged and "fresh password" not in logged
    update = next(e for e in _audit(world.db, "user.update") if e.entity_uuid == made.uuid)
    assert update.detail == {
        "username": "new",
        "display_name": "新网格员(改)",
        "phone": "changed",
        "grids": [str(world.a2.id)],
    }


def test_deactivating_keeps_the_area_and_refuses_the_login(world: World) -> None:
    root = world.services(Role.SUBDISTRICT_ADMIN).users
    worker = world.worker_id  # type: ignore[attr-defined]
    root.deactivate(worker)
    row = _row(world.services(Role.COMMUNITY_ADMIN).users, "w")  # still in sight
    assert (row.active, [n for _, n in row.grids]) == (False, ["甲社区/甲一网格"])
    assert root.reactivate(worker) is True  # no password yet: one must be set
    assert _row(root, "w").active


def test_last_login_comes_from_the_audit_log(tmp_path: Path) -> None:
    from gridvisit.core.auth import LoginThrottle, create_database, login

    made = create_database(tmp_path / "l.db", "admin", "管理员", "good password 1", encrypted=False)
    services = Services(ServiceContext(made.db, made.actor))
    services.users.create("w", "网格员", Role.GRID_WORKER, password="worker password 1")
    made.db.dispose()
    throttle = LoginThrottle(tmp_path / "f.json")
    done = login(tmp_path / "l.db", "w", "worker password 1", encrypted=False, throttle=throttle)
    done.db.dispose()
    done = login(tmp_path / "l.db", "admin", "good password 1", encrypted=False, throttle=throttle)
    try:
        rows = {r.username: r for r in Services(ServiceContext(done.db, done.actor)).users.rows()}
    finally:
        done.db.dispose()
    assert rows["w"].last_login is not None
    assert rows["admin"].last_login is not None
    assert rows["admin"].last_login >= rows["w"].last_login


# -- bulk add -------------------------------------------------------------------------------


def _sheet(path: Path, rows: list[list[str]]) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["用户名", "姓名", "角色", "网格/社区", "电话"])
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_bulk_add_is_all_or_nothing_with_row_errors(world: World, tmp_path: Path) -> None:
    root = world.services(Role.SUBDISTRICT_ADMIN).users
    path = _sheet(
        tmp_path / "users.xlsx",
        [
            ["li", "李网格", "网格员", "甲社区/甲一网格、乙社区/乙一网格", "13912345678"],
            ["w", "重名", "网格员", "甲社区/甲一网格", ""],
            ["zhou", "周社区", "社区管理员", "丙社区", ""],
            ["li", "又一个", "网格员", "甲一网格", ""],
            ["wu", "", "组长", "", "abc"],
        ],
    )
    before = _state(world.db)
    result = root.import_list(path)
    assert not result.imported and result.created == []
    assert _state(world.db) == before
    assert result.report_lines() == [
        "第 3 行“用户名”:用户名“w”已被使用",
        "第 4 行“网格/社区”:找不到社区“丙社区”",
        "第 5 行“用户名”:与第 2 行重复",
        "第 6 行“姓名”:不能为空",
        "第 6 行“角色”:应为“网格员”“社区管理员”或“街道管理员”",
        "第 6 行“电话”:“abc”不是有效的手机号或固定电话号码",
    ]
    path = _sheet(
        tmp_path / "good.xlsx",
        [
            ["li", "李网格", "网格员", "甲社区/甲一网格、乙一网格", "13912345678"],
            ["zhou", "周社区", "社区管理员", "乙社区", ""],
            ["sun", "孙街道", "街道管理员", "", ""],
        ],
    )
    result = root.import_list(path)
    assert result.imported
    assert [(n.username, n.role) for n in result.created] == [
        ("li", Role.GRID_WORKER),
        ("zhou", Role.COMMUNITY_ADMIN),
        ("sun", Role.SUBDISTRICT_ADMIN),
    ]
    for new in result.created:
        check_new_password(new.password)  # as strong as the CLI asks
    with world.db.read_session() as s:
        stored = {u.username: u.password_hash for u in s.scalars(select(User))}
    assert all(password_matches(stored[n.username], n.password) for n in result.created)
    li = _row(root, "li")
    assert [n for _, n in li.grids] == ["乙社区/乙一网格", "甲社区/甲一网格"]
    assert li.phone == "13912345678"
    assert len([e for e in _audit(world.db, "user.create") if e.detail.get("by") == "import"]) == 3
    assert len(_audit(world.db, "user.import")) == 1
    assert not any(n.password in str(e.detail) for e in _audit(world.db, "user.create")
                   for n in result.created)  # fmt: skip


def test_a_community_admins_bulk_add_stays_in_their_communities(
    world: World, tmp_path: Path
) -> None:
    c = world.services(Role.COMMUNITY_ADMIN).users
    path = _sheet(
        tmp_path / "users.xlsx",
        [
            ["ok", "本社区", "网格员", "甲社区/甲二网格", ""],
            ["boss", "大领导", "街道管理员", "", ""],
            ["far", "越界", "网格员", "乙社区/乙一网格", ""],
            ["none", "无网格", "网格员", "", ""],
        ],
    )
    before = _state(world.db)
    result = c.import_list(path)
    assert _state(world.db) == before and not result.imported
    assert result.report_lines() == [
        "第 3 行“角色”:社区管理员只能添加本社区的网格员",
        "第 4 行“网格/社区”:网格“乙社区/乙一网格”不在您管理的社区内",
        "第 5 行“网格/社区”:请填写网格员负责的网格(“社区/网格”)",
    ]


def test_bulk_add_uses_the_rosters_limits(world: World, tmp_path: Path) -> None:
    from gridvisit.exchange.ledger import LedgerError

    root = world.services(Role.SUBDISTRICT_ADMIN).users
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(LedgerError, match="不是 Excel 文件"):
        root.import_list(bad)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["姓名", "电话"])
    wb.save(tmp_path / "no-header.xlsx")
    with pytest.raises(LedgerError, match="缺少必需的列:用户名、角色"):
        root.import_list(tmp_path / "no-header.xlsx")
