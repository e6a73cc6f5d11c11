"""Optimistic concurrency (issue 21, item 2): an edit made on an out-of-date copy is
refused ("该记录已被他人修改,请刷新后再改") and nothing is overwritten; on a
PostgreSQL server two clients' writes also reach each other as change notices."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select, text

from gridvisit.core.enums import EventKind
from gridvisit.core.errors import STALE_MESSAGE, StaleRecordError
from gridvisit.core.records import Actor, ProblemInput, ResidentInput, VisitInput
from gridvisit.core.services import ServiceContext, Services
from gridvisit.core.services.users import ensure_default_admin
from gridvisit.storage import Database, open_database
from gridvisit.storage.models import Household
from tests.core.services.conftest import Area


def test_a_household_edit_on_an_old_copy_is_refused(services: Services, area: Area) -> None:
    hs = services.households
    loaded = hs.get(area.family.id)
    # Someone else saves first (another window on the server, a merge).
    hs.update(area.family.id, version=loaded.version, phone="13800000001")
    with pytest.raises(StaleRecordError) as refused:
        hs.update(area.family.id, version=loaded.version, phone="13900000002")
    assert STALE_MESSAGE in str(refused.value)
    assert hs.get(area.family.id).phone == "13800000001"  # nothing overwritten
    # Reloaded, the same edit goes through.
    fresh = hs.get(area.family.id)
    assert hs.update(area.family.id, version=fresh.version, phone="13900000002").phone == (
        "13900000002"
    )


def test_residents_visits_problems_and_nodes_refuse_an_old_copy(
    services: Services, area: Area, clock: Any
) -> None:
    hs = services.households
    resident = hs.residents(area.family.id)[0]
    hs.update_resident(resident.id, ResidentInput("李四", phone="13700000000", is_head=True))
    with pytest.raises(StaleRecordError):
        hs.update_resident(
            resident.id, ResidentInput("李四四", is_head=True), version=resident.version
        )
    assert hs.residents(area.family.id)[0].name == "李四"

    visit = services.visits.record(
        VisitInput(
            area.family.id,
            clock(),
            notes="第一次",
            problems=(ProblemInput("leak", "水管漏水"),),
        )
    )
    services.visits.update(visit.id, VisitInput(area.family.id, clock(), notes="改过"))
    with pytest.raises(StaleRecordError):
        services.visits.update(
            visit.id, VisitInput(area.family.id, clock(), notes="旧的"), version=visit.version
        )
    assert services.visits.get(visit.id)[0].notes == "改过"

    problem = services.problems.get(visit.problem_ids[0])
    services.problems.accept(problem.id, "物业", version=problem.version)
    with pytest.raises(StaleRecordError):
        services.problems.accept(problem.id, "水务", version=problem.version)
    after = services.problems.get(problem.id)
    assert after.assigned_unit == "物业"
    assert [e.kind for e in after.events].count(EventKind.ACCEPTED) == 1

    group = services.hierarchy.building_groups(area.grid.id)[0]
    services.hierarchy.rename("building_group", group.id, "一号楼", version=group.version)
    with pytest.raises(StaleRecordError):
        services.hierarchy.rename("building_group", group.id, "壹号楼", version=group.version)


def test_no_version_given_keeps_the_old_behaviour(services: Services, area: Area) -> None:
    """The command line and the imports name no version: they write what is stored."""
    hs = services.households
    hs.update(area.family.id, phone="13800000001")
    assert hs.update(area.family.id, notes="备注").phone == "13800000001"


# --- on a PostgreSQL server: two clients ----------------------------------------------


@pytest.fixture
def two_clients(pg_url: str) -> Iterator[tuple[Services, Services, int]]:
    """Two app instances (two `Database`s, as two laptops' windows) on one server, and
    a household they both show."""
    first = open_database(pg_url, create=True)
    second = open_database(pg_url)
    try:
        actor = ensure_default_admin(ServiceContext(first, Actor(None, "system")))
        a = Services(ServiceContext(first, actor))
        b = Services(ServiceContext(second, actor))
        community = a.hierarchy.add_community("甲社区")
        grid = a.hierarchy.add_grid(community.id, "甲一网格")
        group = a.hierarchy.add_building_group(grid.id, "1号楼")
        household = a.households.register(
            group.id, "1", "1", "101", residents=(ResidentInput("张三", is_head=True),)
        )
        yield a, b, household.id
    finally:
        first.dispose()
        second.dispose()


def test_two_clients_edit_the_same_household_the_second_is_refused(
    two_clients: tuple[Services, Services, int],
) -> None:
    a, b, hid = two_clients
    form_a, form_b = a.households.get(hid), b.households.get(hid)  # both forms open
    a.households.update(hid, version=form_a.version, notes="甲先保存")
    with pytest.raises(StaleRecordError) as refused:
        b.households.update(hid, version=form_b.version, notes="乙后保存")
    assert STALE_MESSAGE in str(refused.value)
    assert b.households.get(hid).notes == "甲先保存"


def test_a_write_racing_between_read_and_update_is_refused_by_the_update(
    two_clients: tuple[Services, Services, int],
) -> None:
    """B read the row in its transaction, A commits a change, then B writes: the
    UPDATE ... WHERE version = <read> matches nothing (no Python check saw it)."""
    a, b, hid = two_clients
    db_b = b.ctx.db
    with pytest.raises(StaleRecordError), db_b.session() as s:
        h = s.get(Household, hid)
        assert h is not None
        a.households.update(hid, notes="甲在中间保存")
        h.notes = "乙覆盖"
    assert a.households.get(hid).notes == "甲在中间保存"


def test_a_blocked_update_is_refused_once_the_other_commits(
    two_clients: tuple[Services, Services, int],
) -> None:
    """Both in the service at once: B's UPDATE waits for A's row lock and, once A
    commits, finds a newer version (PostgreSQL re-checks the WHERE): refused."""
    a, b, hid = two_clients
    version = a.households.get(hid).version
    a_holds, b_done = threading.Event(), threading.Event()
    outcome: dict[str, Any] = {}

    def a_saves() -> None:
        with a.ctx.db.session() as s:
            h = s.get(Household, hid)
            assert h is not None
            h.notes = "甲"
            s.flush()  # the row is locked now
            a_holds.set()
            b_done.wait(1.0)  # B is blocked on the lock meanwhile

    def b_saves() -> None:
        a_holds.wait(10)
        try:
            b.households.update(hid, version=version, notes="乙")
        except Exception as exc:
            outcome["b"] = exc
        b_done.set()

    threads = [threading.Thread(target=a_saves), threading.Thread(target=b_saves)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert isinstance(outcome.get("b"), StaleRecordError)
    assert a.households.get(hid).notes == "甲"


def test_a_change_by_one_client_reaches_the_other_as_a_notice(
    two_clients: tuple[Services, Services, int],
) -> None:
    a, b, hid = two_clients
    got: list[dict[str, Any]] = []
    arrived = threading.Event()

    def on_notice(notice: dict[str, Any]) -> None:
        got.append(notice)
        arrived.set()

    listener = b.ctx.db.listen(on_notice)
    assert listener is not None
    own = a.ctx.db.listen(lambda n: got.append({"own": n}))
    assert own is not None
    try:
        assert listener.listening.wait(10) and own.listening.wait(10)
        start = time.monotonic()
        a.households.update(hid, notes="通知")
        assert arrived.wait(5)
        latency = time.monotonic() - start
        notice = got[0]
        with b.ctx.db.read_session() as s:
            group = s.scalar(select(Household.building_group_id).where(Household.id == hid))
        assert notice["h"] == {hid} and notice["g"] == {group} and not notice["all"]
        assert "通知" not in repr(notice)  # ids and kinds only, no personal data
        print(f"NOTIFY latency: {latency * 1000:.1f} ms")
        # A rolled-back write sends nothing.
        arrived.clear()
        with pytest.raises(RuntimeError), a.ctx.db.session() as s:
            h = s.get(Household, hid)
            assert h is not None
            h.notes = "回滚"
            s.flush()
            raise RuntimeError
        assert not arrived.wait(1.0)
        # A's own listener skips A's own notices.
        assert not [n for n in got if "own" in n]
    finally:
        listener.stop()
        own.stop()


def test_sqlite_has_no_listener(db: Database) -> None:
    assert db.listen(lambda _n: None) is None


def test_a_save_waits_for_a_merge_and_says_so_if_it_lasts(
    two_clients: tuple[Services, Services, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A merge holds MERGE_LOCK exclusively; saves share it: one waits for the merge,
    and past the gate's timeout is refused with a clear message (nothing written)."""
    from gridvisit.core.errors import StorageError
    from gridvisit.storage import engine

    a, _b, hid = two_clients
    merging = a.ctx.db.engine.connect()  # stands in for a merge's transaction
    merging.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": engine.MERGE_LOCK})
    monkeypatch.setattr(engine, "WRITE_GATE_TIMEOUT_S", 0.5)
    try:
        with pytest.raises(StorageError, match="正在合并数据包"):
            a.households.update(hid, notes="合并时保存")
        assert a.households.get(hid).notes != "合并时保存"
        threading.Timer(0.3, merging.rollback).start()  # the merge ends
        start = time.monotonic()
        a.households.update(hid, notes="合并后保存")
        assert time.monotonic() - start >= 0.25
        assert a.households.get(hid).notes == "合并后保存"
    finally:
        merging.rollback()
        merging.close()


def test_the_app_role_needs_no_more_privileges_for_any_of_it(
    pg_roles: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """As README's app role (after `server init --grant`): the shared merge lock, the
    NOTIFY, the LISTEN and the version check all work with its privileges."""
    from gridvisit.cli import main
    from gridvisit.core.auth import default_throttle, login

    owner_url, app_url = pg_roles
    password = "server password 1"
    monkeypatch.setenv("GRIDVISIT_PASSWORD", password)
    role = app_url.split("://", 1)[1].split("@", 1)[0]
    init = ["server", "init", "--db", owner_url, "--admin", "chief", "--app-role", role]
    assert main([*init, "--grant"]) == 0
    sessions = [
        login(app_url, "chief", password, encrypted=False, throttle=default_throttle())
        for _ in range(2)
    ]
    got: list[dict[str, Any]] = []
    arrived = threading.Event()
    listener = sessions[1].db.listen(lambda n: (got.append(n), arrived.set()))
    assert listener is not None
    try:
        a, b = (Services(ServiceContext(s.db, s.actor)) for s in sessions)
        assert listener.listening.wait(10)
        node = a.hierarchy.add_community("和平社区")
        assert arrived.wait(5) and "hierarchy" in got[-1]["f"]
        a.hierarchy.rename("community", node.id, "和平新社区", version=node.version)
        with pytest.raises(StaleRecordError):
            b.hierarchy.rename("community", node.id, "和平旧社区", version=node.version)
    finally:
        listener.stop()
        for s in sessions:
            s.db.dispose()
