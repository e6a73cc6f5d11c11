"""Trust boundaries of the exchange (issue 15): what a laptop's package may change at
the sub-district, what a return package may change on a laptop, who may change trust,
device revocation and identity, and the audit trail anchored at the sub-district.

Each finding of the issue is rebuilt here as an attack: the attacker holds the
laptop's database key (every user of a laptop does), so they edit the file directly
and sign whatever they like with the laptop's own key."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select, text

from gridvisit.cli import main
from gridvisit.core.enums import Role
from gridvisit.core.errors import GridVisitError, PackageSecurityError
from gridvisit.core.records import Actor, ProblemInput, ResidentInput, VisitInput
from gridvisit.core.services import ServiceContext, Services
from gridvisit.core.services.audit import AuditFilter
from gridvisit.core.services.users import ensure_default_admin
from gridvisit.exchange import keys
from gridvisit.exchange.export import (
    AUDIT_ACK_KEY,
    LAST_EXPORT_KEY,
    export_package,
    export_return,
)
from gridvisit.exchange.merge import merge_package
from gridvisit.exchange.package import (
    AUDIT_MEMBER,
    MANIFEST,
    build_package,
    parse_package,
    read_package,
)
from gridvisit.exchange.records import canonical
from gridvisit.storage import Database, open_database
from gridvisit.storage.audit import entry_digest, verify_audit
from gridvisit.storage.models import (
    BuildingGroup,
    Device,
    Grid,
    Household,
    Problem,
    Setting,
    User,
)
from tests.exchange.conftest import dump


def _admin(db: Database) -> Services:
    return Services(ServiceContext(db, ensure_default_admin(ServiceContext(db, Actor(None, "s")))))


def _base(path: Path) -> Database:
    """A laptop set up with the whole sub-district's hierarchy: 甲社区 (甲一网格,
    甲二网格) and 乙社区 (乙一网格), a household in 甲一 and 乙一, a problem in 甲一,
    and worker1 responsible for 甲一网格 only."""
    db = open_database(path, create=True)
    svc = _admin(db)
    h = svc.hierarchy
    ca, cb = h.add_community("甲社区"), h.add_community("乙社区")
    a1, b1 = h.add_grid(ca.id, "甲一网格"), h.add_grid(cb.id, "乙一网格")
    h.add_grid(ca.id, "甲二网格")
    ga, gb = h.add_building_group(a1.id, "甲一1号楼"), h.add_building_group(b1.id, "乙一1号楼")
    svc.households.register(ga.id, "1", "", "101", residents=(ResidentInput("张三"),))
    svc.households.register(
        gb.id, "9", "", "909", phone="13900000000", residents=(ResidentInput("李四"),)
    )
    svc.problems.report(a1.id, ProblemInput("other", "路灯不亮", location="甲一1号楼门口"))
    worker = svc.users.create("worker1", "网格员一", Role.GRID_WORKER, grid_ids=[a1.id])
    household = svc.households.in_group(ga.id)[0]
    svc.visits.record(  # so that worker1 travels with the grid's records
        VisitInput(household.id, datetime.now(UTC) - timedelta(hours=1), worker_id=worker.id)
    )
    return db


class Parties:
    """A laptop that holds everything, a sub-district that loaded everything once
    (its own roster, say), and the laptop registered for 甲社区/甲一网格 only."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.laptop = _base(tmp / "laptop.db")
        self.sub = open_database(tmp / "sub.db", create=True)
        self.lsvc, self.ssvc = _admin(self.laptop), _admin(self.sub)
        first = export_package(self.laptop, tmp / "load.zip", full=True).path
        merge_package(self.sub, read_package(first))  # no sender: the sub-district's own load
        with self.laptop.session() as s:  # that load was not one of the laptop's exports
            s.execute(delete(Setting).where(Setting.key == LAST_EXPORT_KEY))
        self.ssvc.keys.create(tmp / "sub.pub", "街道")
        self.lsvc.keys.trust_subdistrict(tmp / "sub.pub")
        self.lsvc.keys.create(tmp / "laptop.pub", "甲一网格电脑")
        self.ssvc.keys.register_device(tmp / "laptop.pub", [("甲社区", "甲一网格")])
        self.n = 0

    def export(self, **kw: object) -> Path:
        self.n += 1
        return self.lsvc.exchange.export_package(self.tmp / f"p{self.n}.gvpkg", **kw).path  # type: ignore[arg-type]

    def signed(self, *, full: bool = True) -> Path:
        """What an attacker exports: everything in the file, signed with its key."""
        self.n += 1
        sealer = keys.export_sealer(self.laptop)
        return export_package(
            self.laptop, self.tmp / f"a{self.n}.gvpkg", full=full, sealer=sealer
        ).path

    def merge(self, path: Path):  # type: ignore[no-untyped-def]
        return self.ssvc.exchange.merge_file(path, backup=False)[1]

    def sql(self, statement: str, **params: object) -> None:
        with self.laptop.engine.begin() as conn:
            conn.execute(text(statement), params)

    def sub_uuid(self, model: type, **where: object) -> str:
        with self.sub.read_session() as s:
            return s.scalar(select(model.uuid).filter_by(**where))  # type: ignore[attr-defined]

    def close(self) -> None:
        self.laptop.dispose()
        self.sub.dispose()


@pytest.fixture
def parties(tmp_path: Path):  # type: ignore[no-untyped-def]
    p = Parties(tmp_path)
    yield p
    p.close()


def _refusals(db: Database) -> list[dict[str, object]]:
    log = _admin(db).audit_log.entries()
    return [e.detail for e in log if e.action == "package.refused"]


# --- finding 1: a laptop's package rewrote the sub-district ---------------------------


def test_finding_1_attack_is_refused_whole_and_changes_nothing(parties: Parties) -> None:
    sub, ssvc = parties.sub, parties.ssvc
    # The sub-district works on the grid's problem; the return package brings the
    # sub-district admin's user record to the laptop, where the attacker finds it.
    with sub.read_session() as s:
        pid, grid_id = s.execute(select(Problem.id, Problem.grid_id)).one()
    ssvc.problems.accept(pid, "供电所", "王师傅")
    ret = ssvc.exchange.export_return(parties.tmp / "r.gvpkg", grid_id)[0].path
    parties.lsvc.exchange.merge_return(ret)
    sub_admin = ssvc.users.get(ssvc.ctx.actor.user_id).uuid
    other = parties.sub_uuid(Household, room="909")
    parties.sql(
        "UPDATE app_user SET role='grid_worker', active=0, version=version+5 WHERE uuid=:u",
        u=sub_admin,
    )
    parties.sql(
        "UPDATE app_user SET role='subdistrict_admin', version=version+5 WHERE username='worker1'"
    )
    parties.sql(
        "UPDATE household SET notes='已搬走', phone='13811112222', version=version+5 WHERE uuid=:u",
        u=other,
    )
    before = dump(sub)
    with pytest.raises(PackageSecurityError, match=r"住户第 \d+ 条.*“乙社区/乙一网格”.*甲一网格"):
        parties.merge(parties.signed())
    assert dump(sub) == before
    with sub.read_session() as s:
        admin = s.scalar(select(User).where(User.uuid == sub_admin))
        assert admin.active and admin.role == "subdistrict_admin"
        worker = s.scalar(select(User).where(User.username == "worker1"))
        assert worker.role == "grid_worker" and not worker.active
    # The refusal is in the sub-district's audit log, naming the device and the record.
    (refusal,) = _refusals(sub)
    assert refusal["device"] == parties.laptop.device_id and "乙一网格" in str(refusal["reason"])


def test_rights_never_travel_in_a_package(parties: Parties) -> None:
    """Without the household, the same package merges, and no user's role, active flag
    or password changes; the sub-district's admin is not even renamed."""
    sub_admin = parties.ssvc.users.get(parties.ssvc.ctx.actor.user_id)
    with parties.laptop.session() as s:  # the attacker plants the admin's record
        s.execute(
            text(
                "INSERT INTO app_user (uuid, username, display_name, role, phone, active, "
                "password_hash, created_at, updated_at, version, origin_device) VALUES "
                "(:u, 'subadmin', '被改名', 'grid_worker', '', 0, '', :t, :t, 99, :d)"
            ),
            {"u": sub_admin.uuid, "t": "2030-01-01 00:00:00", "d": parties.laptop.device_id},
        )
    parties.sql("UPDATE app_user SET role='subdistrict_admin', version=version+5 "
                "WHERE username='worker1'")  # fmt: skip
    parties.merge(parties.signed())
    with parties.sub.read_session() as s:
        admin = s.scalar(select(User).where(User.uuid == sub_admin.uuid))
        assert (admin.active, admin.role, admin.display_name) == (
            True,
            "subdistrict_admin",
            sub_admin.display_name,
        )
        worker = s.scalar(select(User).where(User.username == "worker1"))
        assert worker.role == "grid_worker" and not worker.active


def test_new_users_arrive_without_rights_and_own_users_keep_display_data(
    parties: Parties,
) -> None:
    worker2 = parties.lsvc.users.create("worker2", "网格员二", Role.SUBDISTRICT_ADMIN)
    parties.lsvc.visits.record(VisitInput(1, datetime.now(UTC), worker_id=worker2.id))
    parties.merge(parties.export())
    with parties.sub.read_session() as s:
        new = s.scalar(select(User).where(User.username == "worker2"))
        assert (new.role, new.active, new.password_hash) == ("grid_worker", False, "")
    # The laptop may correct its own user's name; the rest of the row stays here.
    parties.sql(
        "UPDATE app_user SET display_name='网格员贰', role='subdistrict_admin', active=1, "
        "version=version+1 WHERE username='worker2'"
    )
    parties.merge(parties.export(full=True))
    with parties.sub.read_session() as s:
        new = s.scalar(select(User).where(User.username == "worker2"))
        assert (new.display_name, new.role, new.active) == ("网格员贰", "grid_worker", False)
    assert _refusals(parties.sub) == []


@pytest.mark.parametrize(
    "attack, match",
    [
        # Moving its own household into another grid's building group.
        (
            "UPDATE household SET building_group_id=(SELECT id FROM building_group "
            "WHERE name='乙一1号楼'), version=version+1 WHERE room='101'",
            "住户第",
        ),
        # A new building group in another grid.
        (
            "INSERT INTO building_group (uuid, grid_id, name, buildings, leader_name, archived,"
            " created_at, updated_at, version, origin_device) SELECT 'bg-planted', id, '新楼',"
            " '', '', 0, '2030-01-01 00:00:00', '2030-01-01 00:00:00', 1, '' FROM grid "
            "WHERE name='乙一网格'",
            "新楼栋党小组",
        ),
        # A new grid (a grid laptop creates no grids).
        (
            "INSERT INTO grid (uuid, community_id, name, leader_name, archived, created_at,"
            " updated_at, version, origin_device) SELECT 'grid-planted', id, '新网格', '', 0,"
            " '2030-01-01 00:00:00', '2030-01-01 00:00:00', 1, '' FROM community "
            "WHERE name='甲社区'",
            "新网格",
        ),
        # Renaming the community above its grid.
        ("UPDATE community SET name='改名社区', version=version+1 WHERE name='甲社区'", "社区"),
        # A problem event for another grid's problem.
        (
            "UPDATE problem SET grid_id=(SELECT id FROM grid WHERE name='乙一网格'), "
            "version=version+1",
            "问题第",
        ),
    ],
)
def test_records_outside_the_area_refuse_the_package(
    parties: Parties, attack: str, match: str
) -> None:
    parties.merge(parties.export())  # the first, legitimate package anchors the trail
    before = dump(parties.sub)
    parties.sql(attack)
    with pytest.raises(PackageSecurityError, match=match):
        parties.merge(parties.signed())
    assert dump(parties.sub) == before
    assert len(_refusals(parties.sub)) == 1


def test_inside_the_area_merges_and_copies_of_the_rest_are_harmless(parties: Parties) -> None:
    lsvc = parties.lsvc
    with parties.laptop.read_session() as s:
        a1 = s.scalar(select(Grid.id).where(Grid.name == "甲一网格"))
        hid = s.scalar(select(Household.id).where(Household.room == "101"))
    lsvc.households.update(hid, notes="独居老人")
    group = lsvc.hierarchy.add_building_group(a1, "甲一2号楼")
    # A full package also carries the other grids' records, unchanged: they pass.
    stats = parties.merge(parties.export(full=True))
    assert stats.updated == 1 and stats.inserted >= 1
    with parties.sub.read_session() as s:
        assert s.scalar(select(Household.notes).where(Household.room == "101")) == "独居老人"
        assert s.scalar(select(BuildingGroup.uuid).where(BuildingGroup.name == "甲一2号楼")) == (
            group.uuid
        )


def test_a_community_laptop_may_create_grids_in_its_community(parties: Parties) -> None:
    parties.ssvc.keys.set_area(parties.laptop.device_id[:8], communities=["甲社区"])
    with parties.laptop.read_session() as s:
        ca = s.scalar(select(Grid.community_id).where(Grid.name == "甲一网格"))
    grid = parties.lsvc.hierarchy.add_grid(ca, "甲三网格")
    group = parties.lsvc.hierarchy.add_building_group(grid.id, "甲三1号楼")
    parties.merge(parties.export())
    with parties.sub.read_session() as s:
        assert s.scalar(select(BuildingGroup.uuid).where(BuildingGroup.name == "甲三1号楼")) == (
            group.uuid
        )
    parties.sql(
        "INSERT INTO grid (uuid, community_id, name, leader_name, archived, created_at,"
        " updated_at, version, origin_device) SELECT 'grid-planted', id, '乙新网格', '', 0,"
        " '2030-01-01 00:00:00', '2030-01-01 00:00:00', 1, '' FROM community "
        "WHERE name='乙社区'"
    )
    with pytest.raises(PackageSecurityError, match="新网格"):
        parties.merge(parties.signed())


def test_a_device_registered_without_area_sends_nothing(parties: Parties) -> None:
    with parties.sub.session() as s:
        s.execute(text("DELETE FROM device_grid"))
    with pytest.raises(PackageSecurityError, match="没有指明它负责的网格"):
        parties.merge(parties.export())


# --- return packages: only what is addressed to this laptop's grids --------------------


def _reseal(p: Parties, path: Path, edit) -> Path:  # type: ignore[no-untyped-def]
    """The sub-district's key holder rewrites a return package and signs it again."""
    payload, _sender = keys.unseal(p.laptop, path.read_bytes(), path.name, expect="return")
    package = parse_package(payload)
    edit(package)
    lines = {t: [canonical(r) for r in rows] for t, rows in package.records.items()}
    data = build_package(package.manifest, lines)
    out = path.with_name("edited-" + path.name)
    out.write_bytes(keys.seal(p.sub, data, [keys.identity(p.laptop).public()]))
    return out


def test_return_package_applies_only_the_laptops_addressed_grids(parties: Parties) -> None:
    sub, ssvc = parties.sub, parties.ssvc
    with sub.read_session() as s:
        a1 = s.scalar(select(Grid.id).where(Grid.name == "甲一网格"))
        a2 = s.scalar(select(Grid.id).where(Grid.name == "甲二网格"))
        pid = s.scalar(select(Problem.id))
    ssvc.problems.accept(pid, "供电所")
    # The sub-district sends only the grids the laptop is registered for.
    with pytest.raises(PackageSecurityError, match="不在电脑“甲一网格电脑”登记的负责范围内"):
        ssvc.exchange.export_return(parties.tmp / "wrong.gvpkg", a2)
    good = ssvc.exchange.export_return(parties.tmp / "r.gvpkg", a1)[0].path
    stats = parties.lsvc.exchange.merge_return(good)
    assert stats[1].updated >= 1
    # Signed by the sub-district, but carrying another grid's household: refused.
    other = parties.sub_uuid(Household, room="909")
    ssvc.households.update(
        ssvc.households.get_by_uuid(other).id, notes="街道改的"
    )  # a newer version to send

    def add_other(package):  # type: ignore[no-untyped-def]
        with sub.read_session() as s:
            from gridvisit.exchange.records import SPEC_BY_NAME

            spec = SPEC_BY_NAME["household"]
            row = s.execute(spec.select_payload().where(spec.table.c.uuid == other)).one()
            package.records["household"].append(spec.payload(row))

    bad = _reseal(parties, good, add_other)
    before = dump(parties.laptop)
    with pytest.raises(PackageSecurityError, match="乙一网格"):
        parties.lsvc.exchange.merge_return(bad)
    assert dump(parties.laptop) == before

    # Addressed to a grid this laptop does not hold.
    def readdress(package):  # type: ignore[no-untyped-def]
        package.manifest.grids = [{"uuid": "x", "name": "外地网格", "community": "外地社区"}]

    with pytest.raises(PackageSecurityError, match="本机没有这个网格"):
        parties.lsvc.exchange.merge_return(_reseal(parties, good, readdress))


def test_a_registered_laptop_cannot_send_a_return_package(parties: Parties) -> None:
    """On a laptop only the trusted sub-district key signs return packages."""
    stranger = _base(parties.tmp / "stranger.db")
    keys.trust_subdistrict(stranger, keys.identity(parties.laptop).public("冒充的街道"))
    keys.register_device(
        parties.laptop, keys.identity(stranger).public("陌生"), by="t", community_ids=[1]
    )
    with stranger.read_session() as s:
        grid = s.scalar(select(Grid.id).where(Grid.name == "甲一网格"))
    path = export_return(
        stranger,
        parties.tmp / "fake.gvpkg",
        grid,
        sealer=lambda d: keys.seal(stranger, d, [keys.identity(parties.laptop).public()]),
    ).path
    with pytest.raises(PackageSecurityError, match="不是本机导入的街道公钥签发的回传包"):
        parties.lsvc.exchange.merge_return(path)
    stranger.dispose()


# --- finding 2: trust needs an administrator ------------------------------------------


def test_finding_2_grid_worker_cannot_trust_a_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sub = tmp_path / "sub.db"
    monkeypatch.setenv("GRIDVISIT_PASSWORD", "first password 1")
    assert main(["--no-encryption", "init", "--db", str(sub)]) == 0
    monkeypatch.setenv("GRIDVISIT_NEW_PASSWORD", "worker password 1")
    assert main(["--no-encryption", "user", "add", "--db", str(sub), "worker1", "--name", "王",
                 "--role", "grid_worker"]) == 0  # fmt: skip
    stranger = _base(tmp_path / "stranger.db")
    keys.write_public_file(stranger, tmp_path / "other.pub", "陌生电脑")
    monkeypatch.setenv("GRIDVISIT_PASSWORD", "worker password 1")
    for command in (
        ["keys", "trust-subdistrict", "--db", str(sub), str(tmp_path / "other.pub")],
        ["keys", "register-device", "--db", str(sub), str(tmp_path / "other.pub"),
         "--grid", "甲社区/甲一网格", "--create"],
        ["keys", "revoke-device", "--db", str(sub), "--device", "陌生电脑"],
    ):  # fmt: skip
        capsys.readouterr()
        assert main(["--no-encryption", "--user", "worker1", *command]) == 1
        assert "没有“管理密钥和登记设备”的权限" in capsys.readouterr().err
    check = open_database(sub)
    assert keys.subdistrict_key(check) is None and keys.devices(check) == []
    check.dispose()
    stranger.dispose()


def test_finding_2_the_trusted_subdistrict_key_signs_no_grid_package(tmp_path: Path) -> None:
    sub = open_database(tmp_path / "sub.db", create=True)
    stranger = _base(tmp_path / "stranger.db")
    keys.trust_subdistrict(stranger, keys.identity(sub).public("街道"))
    # Someone made the sub-district "trust" the stranger as if it were a sub-district.
    keys.trust_subdistrict(sub, keys.identity(stranger).public("伪街道"))
    path = _admin(stranger).exchange.export_package(tmp_path / "s.gvpkg", full=True).path
    with pytest.raises(PackageSecurityError, match="网格数据包只接收已登记电脑"):
        _admin(sub).exchange.merge_file(path)
    assert len(_refusals(sub)) == 1
    stranger.dispose()
    sub.dispose()


# --- revocation -------------------------------------------------------------------------


def test_revoked_device_is_refused_and_comes_back_with_a_new_key(parties: Parties) -> None:
    ssvc, lsvc = parties.ssvc, parties.lsvc
    parties.merge(parties.export())
    info = ssvc.keys.revoke_device("甲一网格电脑")
    assert info.revoked_at is not None and info.state_label.startswith("已吊销")
    with pytest.raises(PackageSecurityError, match="来自已吊销的电脑“甲一网格电脑”"):
        parties.merge(parties.export())
    # The same key cannot come back; a new key can, for the same device and area.
    with pytest.raises(GridVisitError, match=r"已于.*被吊销"):
        ssvc.keys.register_device(parties.tmp / "laptop.pub", [("甲社区", "甲一网格")])
    with pytest.raises(GridVisitError, match="管理密钥"):
        Services(ServiceContext(parties.laptop, _worker(parties.laptop))).keys.create(
            parties.tmp / "x.pub", "x", new_key=True
        )
    lsvc.keys.create(parties.tmp / "new.pub", "甲一网格电脑", new_key=True)
    _public, outcome = ssvc.keys.register_device(parties.tmp / "new.pub", [("甲社区", "甲一网格")])
    assert outcome == "reregistered"
    parties.merge(parties.export())  # the audit trail goes on where it was
    actions = [e.action for e in ssvc.audit_log.entries()]
    assert {"keys.revoke_device", "keys.register_device", "package.refused"} <= set(actions)
    assert "keys.new_key" in [e.action for e in lsvc.audit_log.entries()]


def _worker(db: Database) -> Actor:
    with db.read_session() as s:
        user = s.scalar(select(User).where(User.username == "worker1"))
        return Actor(user.id, user.username, user.display_name, Role.GRID_WORKER)


# --- issue 24 item 6: copies and registration -------------------------------------------


def test_copied_laptop_gets_its_own_identity_and_never_replaces_the_first(tmp_path: Path) -> None:
    first = _base(tmp_path / "a.db")
    keys.identity(first)  # the copy carries the key pair too
    first.dispose()
    shutil.copy(tmp_path / "a.db", tmp_path / "b.db")
    a, b = open_database(tmp_path / "a.db"), open_database(tmp_path / "b.db")
    sub = open_database(tmp_path / "sub.db", create=True)
    asvc, bsvc, ssvc = _admin(a), _admin(b), _admin(sub)
    ssvc.keys.create(tmp_path / "sub.pub", "街道")
    for svc in (asvc, bsvc):
        svc.keys.trust_subdistrict(tmp_path / "sub.pub")
    assert a.device_id == b.device_id  # the copy carries the first one's identity
    asvc.keys.create(tmp_path / "a.pub", "甲电脑")
    # The copy may not hand out, or sign with, that identity.
    with pytest.raises(PackageSecurityError, match="复制或搬过来"):
        bsvc.keys.create(tmp_path / "b.pub", "乙电脑")
    with pytest.raises(PackageSecurityError, match="复制或搬过来"):
        bsvc.exchange.export_package(tmp_path / "b0.gvpkg", full=True)
    ssvc.keys.register_device(tmp_path / "a.pub", [("甲社区", "甲一网格")], create_missing=True)
    # Even a copy made after the keys cannot register as a second device with them...
    forged = keys.PublicKey(
        "another-id-0000", "乙电脑", *[getattr(keys.identity(b).public(), f) for f in
                                      ("sign_public", "box_public")]
    )  # fmt: skip
    (tmp_path / "forged.pub").write_text(forged.to_json(), encoding="utf-8")
    with pytest.raises(GridVisitError, match="这把公钥已登记给电脑“甲电脑”"):
        ssvc.keys.register_device(tmp_path / "forged.pub", [("甲社区", "甲一网格")])
    # ...nor replace the first one's key under its device id.
    old, new = bsvc.keys.new_identity()
    assert old == a.device_id and new == b.device_id != a.device_id
    same_id = keys.PublicKey(a.device_id, "乙电脑", *[getattr(keys.identity(b).public(), f)
                                                      for f in ("sign_public", "box_public")])  # fmt: skip
    (tmp_path / "same-id.pub").write_text(same_id.to_json(), encoding="utf-8")
    with pytest.raises(GridVisitError, match="不会被另一把密钥悄悄替换"):
        ssvc.keys.register_device(tmp_path / "same-id.pub", [("甲社区", "甲一网格")])
    # The copy, with its own identity, is registered beside the first; both merge.
    bsvc.keys.create(tmp_path / "b.pub", "乙电脑")
    ssvc.keys.register_device(tmp_path / "b.pub", [("甲社区", "甲一网格")])
    assert {d.name for d in keys.devices(sub)} == {"甲电脑", "乙电脑"}
    for db, name in ((a, "a"), (b, "b")):  # each grid worker sends their grid
        worker = Services(ServiceContext(db, _worker(db)))
        ssvc.exchange.merge_file(worker.exchange.export_package(tmp_path / f"{name}.gvpkg").path)
    assert "keys.new_identity" in [e.action for e in bsvc.audit_log.entries()]
    for db in (a, b, sub):
        db.dispose()


def test_moved_file_keeps_its_identity_once_confirmed(tmp_path: Path) -> None:
    first = _base(tmp_path / "a.db")
    device = first.device_id
    first.dispose()
    (tmp_path / "new").mkdir()
    shutil.move(tmp_path / "a.db", tmp_path / "new" / "a.db")
    moved = open_database(tmp_path / "new" / "a.db")
    svc = _admin(moved)
    assert keys.binding_problem(moved)
    svc.keys.confirm_device()
    assert keys.binding_problem(moved) is None and moved.device_id == device
    svc.keys.create(tmp_path / "a.pub", "甲电脑")
    moved.dispose()


def test_same_path_on_another_computer_is_a_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gridvisit.storage import binding

    db = _base(tmp_path / "a.db")
    assert keys.binding_problem(db) is None
    monkeypatch.setattr(binding, "machine_id", lambda: "linux:another-laptop")
    assert keys.binding_problem(db)
    db.dispose()


# --- finding 4: audit history anchored at the sub-district ------------------------------


def _rewrite_chain(db: Database, edit: str, **params: object) -> None:
    """What a key holder can do: edit the log, then recompute every hash and the tip."""
    with db.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER IF EXISTS audit_entry_no_update"))
        conn.execute(text("DROP TRIGGER IF EXISTS audit_entry_no_delete"))
        conn.execute(text(edit), params)
        rows = conn.execute(text("SELECT * FROM audit_entry ORDER BY id")).mappings().all()
        prev = ""
        for n, row in enumerate(rows, 1):
            fields = {k: row[k] for k in ("device", "actor_id", "actor_name", "action", "entity",
                                          "entity_uuid")}  # fmt: skip
            fields["at"] = datetime.fromisoformat(str(row["at"]))
            fields["detail"] = json.loads(row["detail"])
            digest = entry_digest(id=n, **fields, prev_hash=prev)
            conn.execute(
                text("UPDATE audit_entry SET id=:n, prev_hash=:p, hash=:h WHERE id=:i"),
                {"n": n, "p": prev, "h": digest, "i": row["id"]},
            )
            prev = digest
        conn.execute(
            text("UPDATE setting SET value=:v WHERE key='audit.tip'"), {"v": f"{len(rows)}:{prev}"}
        )
    with db.read_session() as s:
        assert verify_audit(s).ok  # the laptop alone cannot tell


def test_finding_4_rewritten_history_is_refused_flagged_and_kept(
    parties: Parties, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    parties.merge(parties.export())
    with parties.sub.read_session() as s:
        held = s.get(Device, parties.laptop.device_id).audit_tip_id
    assert held > 5
    _rewrite_chain(parties.laptop, "UPDATE audit_entry SET actor_name='nobody' WHERE id=2")
    before = dump(parties.sub)
    with pytest.raises(
        PackageSecurityError, match="操作日志被改写或截断:第 2 条与街道已保存的不同"
    ):
        parties.merge(parties.export())
    assert dump(parties.sub) == before
    info = next(d for d in keys.devices(parties.sub) if d.device_id == parties.laptop.device_id)
    assert info.flagged_at is not None and info.state_label == "操作日志异常"
    # The sub-district still holds what the laptop sent first, for supervisors to read.
    trail = parties.ssvc.audit_log.entries(AuditFilter(device=info.device_id))
    assert len(trail) == held and next(e for e in trail if e.id == 2).actor != "nobody"
    actions = [e.action for e in parties.ssvc.audit_log.entries()]
    assert "device.audit_flagged" in actions and "package.refused" in actions


def test_cut_off_history_is_refused(parties: Parties) -> None:
    parties.merge(parties.export())
    # Drop the last entries and write new ones in their place.
    _rewrite_chain(parties.laptop, "DELETE FROM audit_entry WHERE id > 3")
    parties.lsvc.households.update(1, notes="改了")
    with pytest.raises(PackageSecurityError, match="被改写或截断"):
        parties.merge(parties.export(full=True))


def test_lost_or_late_packages_leave_no_gap_and_returns_acknowledge(parties: Parties) -> None:
    """Packages carry every entry the sub-district has not confirmed, so one lost or
    merged late leaves no hole; a return package confirms what is held."""
    first = parties.export()
    parties.lsvc.households.update(1, notes="第二次")
    parties.export()  # lost on the way
    parties.lsvc.households.update(1, notes="第三次")
    third = parties.export()
    parties.merge(third)
    parties.merge(first)  # late: everything in it is held already
    info = next(d for d in keys.devices(parties.sub) if d.device_id == parties.laptop.device_id)
    assert info.flagged_at is None and info.audit_entries == info.audit_tip_id
    with parties.sub.read_session() as s:
        from gridvisit.storage.trail import verify_trail

        assert verify_trail(s, info.device_id).ok
        grid = s.scalar(select(Grid.id).where(Grid.name == "甲一网格"))
    ret = parties.ssvc.exchange.export_return(parties.tmp / "r.gvpkg", grid)[0].path
    parties.lsvc.exchange.merge_return(ret)
    later = read_package(
        Path(parties.export()), lambda d, n: keys.unseal(parties.sub, d, n)[0]
    ).manifest.audit
    assert later is not None and later["first"] == info.audit_tip_id + 1


def test_a_replayed_old_package_rolls_nothing_back(parties: Parties) -> None:
    """An attacker keeps an old, genuinely signed package and merges it again after
    newer ones: the sub-district keeps the newest data and its audit trail."""
    old = parties.export()
    parties.merge(old)
    parties.lsvc.households.update(1, notes="最新情况")
    parties.merge(parties.export())

    with parties.laptop.read_session() as s:
        uuid = s.scalar(select(Household.uuid).where(Household.id == 1))

    def held() -> tuple[str, int]:
        with parties.sub.read_session() as s:
            row = s.execute(
                select(Household.notes, Household.version).where(Household.uuid == uuid)
            ).one()
        return row.notes, row.version

    before = held()
    assert before[0] == "最新情况"
    parties.merge(old)  # replayed once, then twice
    parties.merge(old)
    assert held() == before
    info = next(d for d in keys.devices(parties.sub) if d.device_id == parties.laptop.device_id)
    assert info.flagged_at is None
    with parties.sub.read_session() as s:
        from gridvisit.storage.trail import verify_trail

        assert verify_trail(s, info.device_id).ok


def test_a_partial_first_package_is_a_gap_not_a_flag(parties: Parties) -> None:
    with parties.laptop.read_session() as s:
        from gridvisit.storage.models import AuditEntry

        third = s.scalar(select(AuditEntry.hash).where(AuditEntry.id == 3))
    parties.laptop.set_setting(AUDIT_ACK_KEY, f"3:{third}")  # as if confirmed elsewhere
    with pytest.raises(PackageSecurityError, match="第一个数据包须带上它全部的操作日志"):
        parties.merge(parties.export())
    parties.merge(parties.export(full=True))
    info = next(d for d in keys.devices(parties.sub) if d.device_id == parties.laptop.device_id)
    assert info.flagged_at is None


def _as_version_1(path: Path, laptop: Database, sub: Database) -> Path:
    payload, _ = keys.unseal(sub, path.read_bytes(), path.name)
    package = parse_package(payload)
    package.manifest.format_version, package.manifest.audit = 1, None
    lines = {t: [canonical(r) for r in rows] for t, rows in package.records.items()}
    data = build_package(package.manifest, lines)
    assert AUDIT_MEMBER not in json.loads(_member(data, MANIFEST))["members"]
    out = path.with_name("v1-" + path.name)
    out.write_bytes(keys.seal(laptop, data, [keys.identity(sub).public()]))
    return out


def _member(data: bytes, name: str) -> bytes:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read(name)


def test_old_format_packages_merge_until_the_trail_is_anchored(parties: Parties) -> None:
    old = _as_version_1(parties.export(), parties.laptop, parties.sub)
    parties.merge(old)  # version 1 and inside the area: merged
    parties.merge(parties.export(full=True))
    parties.lsvc.households.update(1, notes="旧格式")
    later = _as_version_1(parties.export(), parties.laptop, parties.sub)
    with pytest.raises(PackageSecurityError, match="这个数据包却没有"):
        parties.merge(later)


def test_cli_lists_and_verifies_a_laptops_trail(
    parties: Parties, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    parties.merge(parties.export())
    parties.ssvc.users.reset_password(parties.ssvc.ctx.actor.user_id, "sub password 1")
    parties.sub.dispose()
    monkeypatch.setenv("GRIDVISIT_PASSWORD", "sub password 1")
    db = str(parties.tmp / "sub.db")
    user = ["--no-encryption", "--user", parties.ssvc.ctx.actor.username]
    assert main([*user, "audit", "list", "--db", db, "--device", "甲一网格电脑"]) == 0
    out = capsys.readouterr().out
    assert "甲一网格电脑" in out and "添加用户" in out
    assert main([*user, "audit", "verify", "--db", db, "--device", "甲一网格电脑"]) == 0
    assert main([*user, "keys", "list", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "甲社区/甲一网格" in out and "已收到操作日志" in out
    parties.sub = open_database(db)


def test_cli_register_device_with_area(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sub = tmp_path / "sub.db"
    monkeypatch.setenv("GRIDVISIT_PASSWORD", "first password 1")
    assert main(["--no-encryption", "init", "--db", str(sub)]) == 0
    laptop = _base(tmp_path / "laptop.db")
    keys.write_public_file(laptop, tmp_path / "l.pub", "甲一网格电脑")
    base = ["--no-encryption", "keys"]
    assert main([*base, "register-device", "--db", str(sub), str(tmp_path / "l.pub")]) == 1
    assert "请指明这台电脑负责的网格" in capsys.readouterr().err
    assert main([*base, "register-device", "--db", str(sub), str(tmp_path / "l.pub"),
                 "--grid", "甲社区/甲一网格"]) == 1  # fmt: skip
    assert "没有社区“甲社区”" in capsys.readouterr().err
    assert main([*base, "register-device", "--db", str(sub), str(tmp_path / "l.pub"),
                 "--grid", "甲社区/甲一网格", "--create"]) == 0  # fmt: skip
    assert "负责范围:甲社区/甲一网格" in capsys.readouterr().out
    assert main([*base, "set-area", "--db", str(sub), "--device", "甲一网格电脑",
                 "--community", "甲社区"]) == 0  # fmt: skip
    assert "甲社区(整个社区)" in capsys.readouterr().out
    assert main([*base, "revoke-device", "--db", str(sub), "--device", "甲一网格电脑"]) == 0
    assert main([*base, "list", "--db", str(sub)]) == 0
    assert "已吊销" in capsys.readouterr().out
    laptop.dispose()


def test_migration_keeps_devices_and_asks_for_their_area(tmp_path: Path) -> None:
    """A sub-district from before this revision: its laptop is kept, without an area,
    so its packages are refused until an administrator binds it."""
    from alembic import command

    from gridvisit.storage.engine import alembic_config

    p = Parties(tmp_path)
    p.merge(p.export())
    p.sub.dispose()
    sub = open_database(tmp_path / "sub.db")
    with sub.engine.connect() as conn:
        command.downgrade(alembic_config(conn), "0003")
        conn.commit()
    sub.dispose()
    p.sub = open_database(tmp_path / "sub.db")  # upgrades again
    p.ssvc = _admin(p.sub)
    (info,) = keys.devices(p.sub)
    assert info.device_id == p.laptop.device_id and info.area_label == "未登记负责范围"
    assert dump(p.sub)["household"]
    with pytest.raises(PackageSecurityError, match="keys set-area"):
        p.merge(p.export(full=True))
    p.ssvc.keys.set_area("甲一网格电脑", [("甲社区", "甲一网格")])
    p.merge(p.export(full=True))
    p.close()


def test_seal_is_refused_on_a_copy_even_below_the_services(tmp_path: Path) -> None:
    db = _base(tmp_path / "a.db")
    db.dispose()
    shutil.copy(tmp_path / "a.db", tmp_path / "b.db")
    copy = open_database(tmp_path / "b.db")
    with pytest.raises(PackageSecurityError, match="复制或搬过来"):
        keys.seal(copy, b"payload", [keys.identity(copy).public()])
    copy.dispose()


def test_a_laptops_trail_is_append_only_at_the_subdistrict(parties: Parties) -> None:
    from sqlalchemy.exc import DatabaseError

    parties.merge(parties.export())
    for statement in (
        "UPDATE device_audit_entry SET actor_name='nobody'",
        "DELETE FROM device_audit_entry",
    ):
        with pytest.raises(DatabaseError, match="append-only"), parties.sub.engine.begin() as c:
            c.execute(text(statement))


def test_a_laptop_renaming_its_user_to_a_taken_login_keeps_both(parties: Parties) -> None:
    worker2 = parties.lsvc.users.create("worker2", "网格员二", Role.GRID_WORKER)
    parties.lsvc.visits.record(VisitInput(1, datetime.now(UTC), worker_id=worker2.id))
    parties.merge(parties.export())
    parties.ssvc.users.create("clerk", "街道文员", Role.SUBDISTRICT_ADMIN)
    parties.sql("UPDATE app_user SET username='clerk', version=version+1 WHERE username='worker2'")
    parties.merge(parties.export(full=True))
    with parties.sub.read_session() as s:
        users = {u: (uuid, role, active) for u, uuid, role, active in s.execute(
            select(User.username, User.uuid, User.role, User.active))}  # fmt: skip
    assert users["clerk"][1:] == ("subdistrict_admin", True)
    assert users[f"clerk~{worker2.uuid[:8]}"][0] == worker2.uuid


def test_a_subdistrict_database_keeps_its_identity_unless_forced(parties: Parties) -> None:
    with pytest.raises(PackageSecurityError, match="这是街道的数据库"):
        parties.ssvc.keys.new_identity()
    before = parties.sub.device_id
    parties.ssvc.keys.new_identity(force=True)
    assert parties.sub.device_id != before
    with pytest.raises(PackageSecurityError, match="不是发给本单位的"):
        parties.merge(parties.export())  # the laptop still encrypts to the old key


def test_moves_are_inside_the_laptops_area_only(parties: Parties) -> None:
    """A 迁出 in the laptop's own grid merges (the resident leaves, the house is 空置),
    the same package again changes nothing; one recorded for a resident of another grid
    is refused with the whole package."""
    from datetime import date

    from gridvisit.core.enums import MoveKind
    from gridvisit.storage.models import Resident, ResidentMove

    parties.merge(parties.export())  # anchors the trail
    lsvc = parties.lsvc
    with parties.laptop.read_session() as s:
        own = s.scalar(select(Resident.id).where(Resident.name == "张三"))
        far = s.scalar(select(Resident.id).where(Resident.name == "李四"))
    lsvc.households.record_move(own, MoveKind.MOVE_OUT, date.today(), "搬走")
    package = parties.export()
    stats = parties.merge(package)
    assert stats.inserted == 1 and stats.updated == 2  # the move; resident and house
    with parties.sub.read_session() as s:
        assert s.scalar(select(Resident.status).where(Resident.name == "张三")) == "moved_out"
        house = s.scalar(select(Household.house_status).where(Household.room == "101"))
        assert house == "vacant"
        assert len(list(s.scalars(select(ResidentMove)))) == 1
    merged = dump(parties.sub)
    parties.merge(parties.signed(full=True))  # the same records again: nothing changes
    assert dump(parties.sub) == merged
    # The laptop's admin may write anything in its own file (it holds every grid):
    lsvc.households.record_move(far, MoveKind.MOVE_OUT, date.today(), "外地")
    with pytest.raises(PackageSecurityError, match="乙一网格"):
        parties.merge(parties.signed(full=False))
    assert dump(parties.sub) == merged
