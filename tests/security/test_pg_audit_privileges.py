"""Attack: the app's own login role tries to rewrite, delete or empty the audit trail
on the sub-district's PostgreSQL server (issue 21). The app connects as a role that
`gridvisit server init --grant` gave read and append rights only: privileges refuse
it, before any trigger is asked, and it owns nothing whose triggers it could drop."""

from __future__ import annotations

import psycopg
import pytest
from psycopg import errors

from gridvisit.cli import main
from gridvisit.core.auth import default_throttle, login
from gridvisit.core.services import ServiceContext, Services
from gridvisit.storage.engine import HEAD_REVISION

PASSWORD = "server password 1"

ATTACKS = [
    "UPDATE audit_entry SET action = 'user.logout'",
    "DELETE FROM audit_entry",
    "TRUNCATE audit_entry",
    "UPDATE device_audit_entry SET action = 'x'",
    "DELETE FROM device_audit_entry",
    "TRUNCATE device_audit_entry",
    "ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_append_only",
    "DROP TRIGGER audit_entry_append_only ON audit_entry",
    "DROP TABLE audit_entry",
    "UPDATE alembic_version SET version_num = '0001'",
    "CREATE TABLE audit_copy (id int)",
    "CREATE FUNCTION public.noop() RETURNS int AS 'SELECT 1' LANGUAGE sql",
]


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _audit(url: str) -> list[tuple[object, ...]]:
    with psycopg.connect(_libpq(url)) as conn:
        return conn.execute("SELECT * FROM audit_entry ORDER BY id").fetchall()


@pytest.fixture
def server(
    pg_roles: tuple[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[str, str]:
    owner_url, app_url = pg_roles
    monkeypatch.setenv("GRIDVISIT_PASSWORD", PASSWORD)
    role = app_url.split("://", 1)[1].split("@", 1)[0]
    init = ["server", "init", "--db", owner_url, "--admin", "chief", "--app-role", role]
    assert main([*init, "--grant"]) == 0
    assert f"已为程序登录角色 {role} 设置权限" in capsys.readouterr().out
    return owner_url, app_url


def test_the_app_role_works_and_cannot_touch_the_audit_trail(
    server: tuple[str, str], tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    owner_url, app_url = server
    # The app works as its role: a login (an audit entry), a write, the key pair.
    session = login(app_url, "chief", PASSWORD, encrypted=False, throttle=default_throttle())
    try:
        services = Services(ServiceContext(session.db, session.actor))
        community = services.hierarchy.add_community("和平社区")
        services.hierarchy.add_grid(community.id, "第一网格")
    finally:
        session.db.dispose()
    out = tmp_path / "sub.pub"
    assert main(["keys", "create", "--db", app_url, "--user", "chief", "--name", "街道",
                 "-o", str(out)]) == 0  # fmt: skip
    before = _audit(owner_url)
    assert len(before) >= 4  # first admin, two logins, the community, the grid, the key
    for attack in ATTACKS:
        with psycopg.connect(_libpq(app_url)) as conn, pytest.raises(errors.InsufficientPrivilege):
            conn.execute(attack)
    assert _audit(owner_url) == before
    assert main(["audit", "verify", "--db", app_url, "--user", "chief"]) == 0
    assert "操作日志完好" in capsys.readouterr().out


def test_the_owner_is_stopped_by_the_trigger_and_check_sees_it_switched_off(
    server: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Why the app does not connect as the owner: the owner is held back only by the
    trigger, which it may switch off; `check` then says so."""
    owner_url, _app_url = server
    with psycopg.connect(_libpq(owner_url)) as conn, pytest.raises(errors.RaiseException):
        conn.execute("UPDATE audit_entry SET action = 'x'")
    assert main(["check", "--db", owner_url]) == 0
    with psycopg.connect(_libpq(owner_url), autocommit=True) as conn:
        conn.execute("ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_append_only")
    capsys.readouterr()
    assert main(["check", "--db", owner_url]) == 1
    assert "audit_entry_append_only 被停用了" in capsys.readouterr().err


def test_grants_need_the_role_to_exist_and_change_nothing_otherwise(
    pg_roles: tuple[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    owner_url, _app_url = pg_roles
    monkeypatch.setenv("GRIDVISIT_PASSWORD", PASSWORD)
    init = ["server", "init", "--db", owner_url, "--admin", "chief"]
    # With --grant, a missing role is found before the schema is made.
    assert main([*init, "--app-role", "nobody_here", "--grant"]) == 1
    assert "没有角色“nobody_here”" in capsys.readouterr().err
    with psycopg.connect(_libpq(owner_url)) as conn:
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        assert tables.fetchone() == (0,)
    assert main(init) == 0
    capsys.readouterr()
    assert (
        main(["server", "grants", "--db", owner_url, "--app-role", "nobody_here", "--grant"]) == 1
    )
    err = capsys.readouterr().err
    assert "没有角色“nobody_here”" in err and "createuser" in err
    assert main(["server", "grants", "--db", owner_url, "--app-role", "bad-name;drop"]) == 1
    assert "不能用作数据库角色名" in capsys.readouterr().err


def test_a_merge_runs_as_the_app_role_and_its_trail_is_append_only(
    server: tuple[str, str], tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The sub-district merges laptops' packages as the app role: the laptop's trail is
    stored in device_audit_entry, which that same role cannot rewrite either."""
    from tests.conftest import link_for_exchange
    from tests.security.test_exchange_trust import _admin, _base

    owner_url, app_url = server
    laptop = _base(tmp_path / "laptop.db")
    session = login(app_url, "chief", PASSWORD, encrypted=False, throttle=default_throttle())
    try:
        link_for_exchange(laptop, session.db)
    finally:
        session.db.dispose()
    package = _admin(laptop).exchange.export_package(tmp_path / "a.gvpkg", full=True).path
    laptop.dispose()
    assert main(["merge", "--db", app_url, "--user", "chief", str(package)]) == 0, (
        capsys.readouterr().err
    )
    with psycopg.connect(_libpq(owner_url)) as conn:
        trail = conn.execute("SELECT count(*) FROM device_audit_entry").fetchone()
        households = conn.execute("SELECT count(*) FROM household").fetchone()
    assert trail is not None and trail[0] > 0
    assert households is not None and households[0] == 2
    for attack in ("UPDATE device_audit_entry SET action = 'x'", "DELETE FROM device_audit_entry"):
        with psycopg.connect(_libpq(app_url)) as conn, pytest.raises(errors.InsufficientPrivilege):
            conn.execute(attack)
    assert main(["audit", "verify", "--db", app_url, "--user", "chief"]) == 0


def test_an_old_schema_is_upgraded_by_the_owner_not_by_the_app_role(
    server: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    owner_url, app_url = server
    # The server as an older release left it: before migration 0005, by the real
    # downgrades (hand-made leftovers of later revisions would not upgrade cleanly).
    from alembic import command
    from sqlalchemy import create_engine

    from gridvisit.storage.engine import alembic_config

    engine = create_engine(owner_url)
    try:
        with engine.connect() as conn:
            command.downgrade(alembic_config(conn), "0004")
            conn.commit()
    finally:
        engine.dispose()
    capsys.readouterr()
    assert main(["user", "list", "--db", app_url, "--user", "chief"]) == 1
    err = capsys.readouterr().err
    assert "无权修改表结构" in err and "gridvisit server upgrade" in err
    with psycopg.connect(_libpq(owner_url)) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0004",)
    role = app_url.split("://", 1)[1].split("@", 1)[0]
    upgrade = ["server", "upgrade", "--db", owner_url, "--app-role", role, "--grant"]
    assert main(upgrade) == 0
    assert f"已升级到架构版本 {HEAD_REVISION}" in capsys.readouterr().out
    assert main(["user", "list", "--db", app_url, "--user", "chief"]) == 0
    assert main(upgrade) == 0
    assert f"已是架构版本 {HEAD_REVISION}" in capsys.readouterr().out
