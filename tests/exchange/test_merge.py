from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from gridvisit.core.records import Actor, ResidentInput
from gridvisit.core.services import ServiceContext, Services
from gridvisit.core.services.users import ensure_default_admin
from gridvisit.exchange.export import export_package, export_per_grid, export_return
from gridvisit.exchange.merge import merge_package
from gridvisit.exchange.package import PackageError, parse_package, read_package
from gridvisit.storage import Database, open_database
from gridvisit.storage.models import Household, MergeConflict, PossibleDuplicate, Problem
from tests.exchange.conftest import CONTENT_TABLES, dump, review_state

VALID_ID = "11010519491231002X"  # checksum-valid


def services_for(db: Database) -> Services:
    actor = ensure_default_admin(ServiceContext(db, Actor(None, "system")))
    return Services(ServiceContext(db, actor))


def merge_files(db: Database, paths: list[Path], **kw: object) -> dict[str, int]:
    totals: dict[str, int] = {}
    for path in paths:
        stats = merge_package(db, read_package(path), **kw)  # type: ignore[arg-type]
        for key, value in stats.as_dict().items():
            totals[key] = totals.get(key, 0) + value
    return totals


def test_per_grid_round_trip_reproduces_everything_and_twice_changes_nothing(
    source: Database, tmp_path: Path
) -> None:
    out = tmp_path / "packages"
    out.mkdir()
    results = export_per_grid(source, out, full=True)
    assert len(results) >= 3
    target = open_database(tmp_path / "subdistrict.db", create=True)
    first = merge_files(target, [r.path for r in results])
    assert first["conflicts"] == 0 and first["inserted"] > 3000
    expected = dump(source, CONTENT_TABLES)
    assert dump(target, CONTENT_TABLES) == expected
    # Every user the records refer to came along, with the same content.
    users = dump(target, ["app_user"])["app_user"]
    assert users.items() <= dump(source, ["app_user"])["app_user"].items()

    before = dump(target)
    again = merge_files(target, [r.path for r in results], recheck=True)
    assert again["inserted"] == again["updated"] == again["conflicts"] == 0
    assert again["unchanged"] == sum(r.total for r in results)
    assert dump(target) == before
    skipped = merge_files(target, [r.path for r in results])  # recognised by SHA-256
    assert skipped["unchanged"] == again["unchanged"] and dump(target) == before
    target.dispose()


def test_changed_byte_is_rejected_and_database_untouched(source: Database, tmp_path: Path) -> None:
    good = export_package(source, tmp_path / "all.zip", full=True).path
    target = open_database(tmp_path / "t.db", create=True)
    before = dump(target)
    data = bytearray(good.read_bytes())
    data[len(data) // 2] ^= 0x01
    bad = tmp_path / "bad.zip"
    bad.write_bytes(bytes(data))
    with pytest.raises(PackageError, match="损坏或被改动"):
        merge_package(target, read_package(bad))
    assert dump(target) == before
    target.dispose()


def test_incremental_export_carries_changes_and_updates(source: Database, tmp_path: Path) -> None:
    target = open_database(tmp_path / "t.db", create=True)
    merge_package(target, read_package(export_package(source, tmp_path / "1.zip").path))
    svc = services_for(source)
    with source.read_session() as s:
        hid = s.scalars(select(Household.id).order_by(Household.id)).first()
    svc.households.update(hid, notes="独居老人,需每周电话")
    second = export_package(source, tmp_path / "2.zip")
    assert second.since is not None
    assert second.counts["household"] < 50  # the change and what it refers to, not all
    stats = merge_package(target, read_package(second.path))
    assert stats.updated == 1 and stats.conflicts == 0
    assert dump(target, ["household"]) == dump(source, ["household"])
    target.dispose()


def _copy(db: Database, path: Path) -> Database:
    shutil.copy(db.path, path)
    return open_database(path)


def test_conflicting_edits_are_recorded_in_any_order(source: Database, tmp_path: Path) -> None:
    with source.read_session() as s:
        hid = s.scalars(select(Household.id).order_by(Household.id)).first()
    base = export_package(source, tmp_path / "base.zip", full=True).path
    laptops = []
    for n, note in enumerate(("甲改的备注", "乙改的备注")):
        db = _copy(source, tmp_path / f"laptop{n}.db")
        services_for(db).households.update(hid, notes=note)
        laptops.append(export_package(db, tmp_path / f"l{n}.zip", full=True).path)
        db.dispose()
    outcomes = []
    for order in ([base, *laptops], [base, *reversed(laptops)], [*reversed(laptops), base]):
        target = open_database(tmp_path / f"order{len(outcomes)}.db", create=True)
        totals = merge_files(target, order)
        outcomes.append((dump(target), review_state(target)))
        assert totals["conflicts"] == 1
        with target.read_session() as s:
            copies = s.scalars(select(MergeConflict.payload)).all()
        assert sorted(c["notes"] for c in copies) == ["乙改的备注", "甲改的备注"]
        target.dispose()
    assert all(o == outcomes[0] for o in outcomes)


def test_same_id_number_under_two_uuids_is_flagged(source: Database, tmp_path: Path) -> None:
    with source.read_session() as s:
        hids = s.scalars(select(Household.id).order_by(Household.id).limit(2)).all()
    paths = []
    for n, hid in enumerate(hids):
        db = _copy(source, tmp_path / f"l{n}.db")
        services_for(db).households.add_resident(
            hid, ResidentInput(name=f"张{'三四'[n]}", id_number=VALID_ID)
        )
        paths.append(export_package(db, tmp_path / f"l{n}.zip").path)
        db.dispose()
    target = open_database(tmp_path / "t.db", create=True)
    totals = merge_files(target, paths)
    assert totals["duplicates"] == 1
    with target.read_session() as s:
        kinds = s.scalars(select(PossibleDuplicate.kind)).all()
    assert kinds == ["resident"]
    target.dispose()


def test_same_named_hierarchy_from_two_devices_becomes_one(tmp_path: Path) -> None:
    paths = []
    for n in range(2):
        db = open_database(tmp_path / f"l{n}.db", create=True)
        svc = services_for(db)
        community = svc.hierarchy.add_community("桂花社区")
        grid = svc.hierarchy.add_grid(community.id, "玉兰苑网格")
        svc.hierarchy.add_building_group(grid.id, f"{n + 1}号楼党小组")
        paths.append(export_package(db, tmp_path / f"l{n}.zip", full=True).path)
        db.dispose()
    target = open_database(tmp_path / "t.db", create=True)
    totals = merge_files(target, paths)
    svc = services_for(target)
    assert [c.name for c in svc.hierarchy.communities()] == ["桂花社区"]
    assert len(svc.hierarchy.grids()) == 1
    assert sorted(g.name for g in svc.hierarchy.building_groups()) == [
        "1号楼党小组",
        "2号楼党小组",
    ]
    assert totals["duplicates"] >= 2  # community and grid listed for review
    before = dump(target)
    merge_files(target, paths, recheck=True)
    assert dump(target) == before
    target.dispose()


def test_return_package_brings_status_back_to_the_laptop(source: Database, tmp_path: Path) -> None:
    laptop = _copy(source, tmp_path / "laptop.db")
    sub = open_database(tmp_path / "sub.db", create=True)
    out = tmp_path / "pk"
    out.mkdir()
    merge_files(sub, [r.path for r in export_per_grid(laptop, out, full=True)])
    with sub.read_session() as s:
        pid, grid_id = s.execute(
            select(Problem.id, Problem.grid_id)
            .where(Problem.status == "in_progress")
            .order_by(Problem.id)
        ).first()
    svc = services_for(sub)
    before = svc.problems.get(pid)
    svc.problems.resolve(pid, "街道协调供电所已更换路灯")
    with sub.read_session() as s:
        from gridvisit.storage.models import Grid

        grid_name = s.get(Grid, grid_id).name
    scope, _ = svc.weekly.scope_for(None, grid_name)
    ret = export_return(sub, tmp_path / "return.zip", scope.grid_id)
    assert read_package(ret.path).manifest.kind == "return"
    stats = merge_package(laptop, read_package(ret.path))
    assert stats.updated >= 1 and stats.conflicts == 0
    after = services_for(laptop).problems.get(before.id)
    assert before.status == "in_progress" and after.status == "resolved"
    # Every problem and event of the grid now reads the same on both sides.
    mine = dump(laptop, ["problem", "problem_event"])
    theirs = dump(sub, ["problem", "problem_event"])
    carried = read_package(ret.path).records
    assert carried["problem_event"] and carried["problem"]
    for table in ("problem", "problem_event"):
        for record in carried[table]:
            assert mine[table][record["uuid"]] == theirs[table][record["uuid"]]
    laptop.dispose()
    sub.dispose()


def test_package_referring_to_missing_record_is_refused_whole(tmp_path: Path) -> None:
    db = open_database(tmp_path / "src.db", create=True)
    svc = services_for(db)
    community = svc.hierarchy.add_community("桂花社区")
    grid = svc.hierarchy.add_grid(community.id, "玉兰苑网格")
    svc.hierarchy.add_building_group(grid.id, "1号楼党小组")
    data = read_package(export_package(db, tmp_path / "a.zip", full=True).path)
    data.records["grid"] = []  # the building group now points nowhere
    target = open_database(tmp_path / "t.db", create=True)
    before = dump(target)
    with pytest.raises(PackageError, match="都不存在"):
        merge_package(target, data)
    assert dump(target) == before
    with target.read_session() as s:
        assert s.scalar(select(func.count()).select_from(MergeConflict)) == 0
    target.dispose()
    db.dispose()


# --- property: merge order and repetition do not change the result ------------------

_NOTES = ("", "独居", "行动不便", "需电话联系")


@pytest.fixture(scope="module")
def small_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("base") / "base.db"
    db = open_database(path, create=True)
    svc = services_for(db)
    community = svc.hierarchy.add_community("桂花社区")
    grid = svc.hierarchy.add_grid(community.id, "玉兰苑网格")
    group = svc.hierarchy.add_building_group(grid.id, "1号楼党小组")
    for room in ("101", "102", "201"):
        svc.households.register(
            group.id, "1", "1", room, residents=(ResidentInput(name=f"住户{room}", is_head=True),)
        )
    db.dispose()
    return path


edits = st.lists(
    st.tuples(st.integers(0, 2), st.sampled_from(_NOTES), st.booleans()), min_size=1, max_size=3
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(laptops=st.lists(edits, min_size=2, max_size=3), seed=st.randoms(use_true_random=False))
def test_merge_is_order_independent_and_idempotent(
    small_base: Path, tmp_path_factory: pytest.TempPathFactory, laptops: list, seed: object
) -> None:
    work = tmp_path_factory.mktemp("prop")
    packages = []
    for n, changes in enumerate(laptops):
        path = work / f"laptop{n}.db"
        shutil.copy(small_base, path)
        db = open_database(path)
        svc = services_for(db)
        with db.read_session() as s:
            hids = s.scalars(select(Household.id).order_by(Household.id)).all()
        for index, note, add_resident in changes:
            svc.households.update(hids[index], notes=note)
            if add_resident:
                svc.households.add_resident(hids[index], ResidentInput(name=f"新住户{n}"))
        packages.append(export_package(db, work / f"p{n}.zip", full=True).path)
        db.dispose()
    orders = list(itertools.permutations(packages))
    seed.shuffle(orders)  # type: ignore[attr-defined]
    results = []
    for k, order in enumerate(orders[:3]):
        target = open_database(work / f"t{k}.db", create=True)
        merge_files(target, list(order))
        state = (dump(target), review_state(target))
        merge_files(target, list(order), recheck=True)
        assert (dump(target), review_state(target)) == state  # twice changes nothing
        results.append(state)
        target.dispose()
    assert all(r == results[0] for r in results)


def test_merge_into_postgresql_matches_sqlite(
    source: Database, tmp_path: Path, pg_url: str
) -> None:
    out = tmp_path / "pk"
    out.mkdir()
    paths = [r.path for r in export_per_grid(source, out, full=True)]
    # Another laptop naming a community like one of the source's: a possible duplicate.
    other = open_database(tmp_path / "other.db", create=True)
    svc = services_for(other)
    svc.hierarchy.add_grid(
        svc.hierarchy.add_community(services_for(source).hierarchy.communities()[0].name).id,
        "另一个网格",
    )
    extra = export_package(other, tmp_path / "other.zip", full=True).path
    other.dispose()
    pg = open_database(pg_url, create=True)
    assert pg.engine.dialect.name == "postgresql"
    first = merge_files(pg, paths)
    assert first["conflicts"] == 0
    # The same counts as SQLite's, duplicates too (a driver's rowcount of -1 is no count).
    lite = open_database(tmp_path / "lite.db", create=True)
    assert merge_files(lite, paths) == first
    lite.dispose()
    assert dump(pg, CONTENT_TABLES) == dump(source, CONTENT_TABLES)
    again = merge_files(pg, paths, recheck=True)
    assert again["inserted"] == again["updated"] == 0 and again["duplicates"] == 0
    # A broken package leaves PostgreSQL untouched too.
    data = bytearray(paths[0].read_bytes())
    data[100] ^= 0xFF
    with pytest.raises(PackageError):
        merge_package(pg, parse_package(bytes(data), "bad.zip"))
    assert dump(pg, CONTENT_TABLES) == dump(source, CONTENT_TABLES)
    lite = open_database(tmp_path / "lite.db")
    odd, lite_odd = merge_files(pg, [extra]), merge_files(lite, [extra])
    assert odd == lite_odd and odd["duplicates"] >= 1
    lite.dispose()
    pg.dispose()


def test_corrected_and_deleted_visits_travel(source: Database, tmp_path: Path) -> None:
    from datetime import timedelta

    from gridvisit.core.records import VisitInput
    from gridvisit.exchange.records import SPECS
    from gridvisit.storage.models import Visit

    target = open_database(tmp_path / "t.db", create=True)
    merge_package(target, read_package(export_package(source, tmp_path / "1.zip").path))
    svc = services_for(source)
    with source.read_session() as s:
        first, second = s.execute(
            select(Visit.id, Visit.uuid, Visit.household_id, Visit.visited_at, Visit.purpose)
            .order_by(Visit.id)
            .limit(2)
        ).all()
    when = first.visited_at + timedelta(hours=1)
    svc.visits.update(
        first.id,
        VisitInput(first.household_id, when, "phone", first.purpose, "电话回访,已住院", ()),
    )
    svc.visits.delete(second.id)
    stats = merge_package(target, read_package(export_package(source, tmp_path / "2.zip").path))
    assert stats.updated == 2 and stats.conflicts == 0
    with target.read_session() as s:
        moved = s.scalars(select(Visit).where(Visit.uuid == first.uuid)).one()
        gone = s.scalars(select(Visit).where(Visit.uuid == second.uuid)).one()
        assert (moved.method, moved.notes, moved.version) == ("phone", "电话回访,已住院", 2)
        assert gone.archived and gone.version == 2
    assert dump(target, ["visit"]) == dump(source, ["visit"])
    target.dispose()
    # A package written before visits could be deleted has no "archived": live visits.
    visit = next(spec for spec in SPECS if spec.name == "visit")
    with source.read_session() as s:
        payload = visit.payload(s.execute(visit.select_payload()).first())
    del payload["archived"]
    assert visit.values(payload, "走访第 1 条")["archived"] is False


def test_a_format_2_package_from_before_houses_still_merges(
    source: Database, tmp_path: Path
) -> None:
    """Issue 20: a package written before houses, registers and moves (format 2) merges
    into a database of this version: houses 自住, residents 在住 本地户籍 常住, and
    政治面貌 from the party-member flag, which stays consistent with it."""
    import dataclasses

    from gridvisit.exchange.package import build_package
    from gridvisit.exchange.records import canonical
    from gridvisit.storage.models import Resident

    new = {
        "household": {"house_status", "owner_name", "owner_phone", "tenant_count",
                      "rental_registration"},
        "resident": {"registration_type", "residence_type", "ethnicity", "political_status",
                     "workplace", "moved_in_on", "status"},
    }  # fmt: skip
    package = parse_package(
        export_package(source, tmp_path / "now.zip", full=True).path.read_bytes(), "now.zip"
    )
    lines = {
        table: [
            canonical({k: v for k, v in r.items() if k not in new.get(table, ())}) for r in rows
        ]
        for table, rows in package.records.items()
        if table != "resident_move"
    }
    old_manifest = dataclasses.replace(package.manifest, format_version=2)
    old = tmp_path / "old.zip"
    old.write_bytes(build_package(old_manifest, lines, [canonical(a) for a in package.audit]))
    assert parse_package(old.read_bytes(), "old.zip").manifest.format_version == 2
    target = open_database(tmp_path / "t.db", create=True)
    stats = merge_package(target, read_package(old))
    assert stats.conflicts == 0 and stats.inserted > 1000
    with source.read_session() as s:
        party = set(s.scalars(select(Resident.uuid).where(Resident.is_party_member)))
    with target.read_session() as s:
        rows = s.execute(
            select(Resident.uuid, Resident.political_status, Resident.is_party_member,
                   Resident.status, Resident.registration_type)
        ).all()  # fmt: skip
        houses = set(s.scalars(select(Household.house_status)))
    assert party and {u for u, *_ in rows if _[0] == "01"} == party
    assert all(flag == (code == "01") for _, code, flag, _s, _r in rows)
    assert {(st, reg) for *_, st, reg in rows} == {("present", "local")}
    assert houses == {"owner_occupied"}
    target.dispose()
