"""Sealed packages, and the security commands as a user runs them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from gridvisit.cli import main
from gridvisit.core.errors import PackageSecurityError
from gridvisit.core.records import Actor, ResidentInput
from gridvisit.core.services import ServiceContext, Services
from gridvisit.core.services.users import ensure_default_admin
from gridvisit.exchange import keys
from gridvisit.storage import Database, open_database
from tests.conftest import link_for_exchange

PLANTED = ("11010519491231002X", "13912345678", "欧阳秘密")


def _laptop(path: Path) -> tuple[Database, Services]:
    db = open_database(path, create=True)
    services = Services(
        ServiceContext(db, ensure_default_admin(ServiceContext(db, Actor(None, "s"))))
    )
    c = services.hierarchy.add_community("和平社区")
    g = services.hierarchy.add_grid(c.id, "第一网格")
    bg = services.hierarchy.add_building_group(g.id, "1号楼")
    resident = ResidentInput(PLANTED[2], id_number=PLANTED[0], phone=PLANTED[1])
    services.households.register(bg.id, "1", "", "101", residents=(resident,))
    return db, services


@pytest.fixture
def parties(tmp_path: Path):  # type: ignore[no-untyped-def]
    laptop, services = _laptop(tmp_path / "laptop.db")
    sub = open_database(tmp_path / "sub.db", create=True)
    link_for_exchange(laptop, sub)
    yield laptop, services, sub
    laptop.dispose()
    sub.dispose()


def test_package_bytes_hold_no_personal_data_and_open_only_at_the_subdistrict(
    parties, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    _laptop_db, services, sub = parties
    path = services.exchange.export_package(tmp_path / "p.gvpkg", full=True).path
    raw = path.read_bytes()
    assert raw.startswith(keys.MAGIC)
    for value in PLANTED:
        assert value.encode() not in raw
    package = keys.read_sealed(sub, path)
    residents = package.records["resident"]
    assert any(r.get("id_number") == PLANTED[0] for r in residents)


def _refused(sub: Database, path: Path, data: bytes, match: str) -> None:
    path.write_bytes(data)
    with pytest.raises(PackageSecurityError, match=match):
        keys.read_sealed(sub, path)


def test_tampered_unsigned_unknown_and_misaddressed_packages_are_refused(
    parties, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    laptop, services, sub = parties
    good = services.exchange.export_package(tmp_path / "p.gvpkg", full=True).path.read_bytes()
    probe = tmp_path / "probe.gvpkg"
    for where in (len(keys.MAGIC) + 40, len(good) // 2, len(good) - 10):
        bad = bytearray(good)
        bad[where] ^= 0x01
        _refused(sub, probe, bytes(bad), "签名不符|已损坏")
    # Unsigned: a plain zip package as older versions wrote them.
    from gridvisit.exchange.export import export_package

    plain = export_package(laptop, tmp_path / "plain.zip", full=True).path.read_bytes()
    _refused(sub, probe, plain, "没有加密和签名")
    # From a laptop the sub-district never registered.
    stranger, stranger_services = _laptop(tmp_path / "stranger.db")
    try:
        keys.trust_subdistrict(stranger, keys.identity(sub).public("街道"))
        data = stranger_services.exchange.export_package(tmp_path / "s.gvpkg", full=True).path
        _refused(sub, probe, data.read_bytes(), "未登记的设备")
        # Registered, but addressed to another sub-district.
        other = open_database(tmp_path / "other-sub.db", create=True)
        keys.register_device(
            sub, keys.identity(stranger).public("陌生电脑"), by="t", community_ids=[1]
        )
        keys.trust_subdistrict(stranger, keys.identity(other).public("别的街道"))
        data = stranger_services.exchange.export_package(tmp_path / "o.gvpkg", full=True).path
        _refused(sub, probe, data.read_bytes(), "不是发给本单位的")
        other.dispose()
    finally:
        stranger.dispose()
    # A registered device cannot pass its package off as another device's.
    assert keys.read_sealed(sub, tmp_path / "p.gvpkg").manifest.device_id == laptop.device_id


def test_cli_security_round(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "plain.db"
    monkeypatch.setenv("GRIDVISIT_PASSWORD", "first password 1")
    assert main(["--no-encryption", "init", "--db", str(db)]) == 0
    assert db.read_bytes().startswith(b"SQLite format 3")
    # Without --no-encryption a plain file is not opened silently.
    assert main(["audit", "list", "--db", str(db)]) == 1
    assert "没有加密" in capsys.readouterr().err
    assert main(["encrypt", "--db", str(db)]) == 0
    assert not db.read_bytes().startswith(b"SQLite format 3")
    assert main(["check", "--db", str(db)]) == 0
    # Wrong password: a message, no traceback, exit 1.
    monkeypatch.setenv("GRIDVISIT_PASSWORD", "not the password")
    capsys.readouterr()
    assert main(["check", "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert "用户名或密码不正确" in err and "Traceback" not in err
    monkeypatch.setenv("GRIDVISIT_PASSWORD", "first password 1")
    monkeypatch.setenv("GRIDVISIT_NEW_PASSWORD", "worker password 1")
    assert (
        main(["user", "add", "--db", str(db), "wang", "--name", "王", "--role", "grid_worker"]) == 0
    )
    monkeypatch.setenv("GRIDVISIT_PASSWORD", "worker password 1")
    assert main(["--user", "wang", "audit", "verify", "--db", str(db)]) == 1
    assert "没有“查看操作日志”的权限" in capsys.readouterr().err
    monkeypatch.setenv("GRIDVISIT_PASSWORD", "first password 1")
    assert main(["audit", "verify", "--db", str(db)]) == 0
    assert "操作日志完好" in capsys.readouterr().out


def test_audit_verify_command_names_the_edited_entry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "plain.db"
    monkeypatch.setenv("GRIDVISIT_PASSWORD", "first password 1")
    assert main(["--no-encryption", "init", "--db", str(db)]) == 0
    for _ in range(3):
        assert main(["--no-encryption", "audit", "list", "--db", str(db)]) == 0  # logins are logged
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("DROP TRIGGER audit_entry_no_update")
        conn.execute("UPDATE audit_entry SET actor_name='mallory' WHERE id=2")
    conn.close()
    capsys.readouterr()
    assert main(["--no-encryption", "audit", "verify", "--db", str(db)]) == 1
    assert "第 2 条审计记录被改动" in capsys.readouterr().err
