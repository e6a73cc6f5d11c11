"""The commands on a PostgreSQL URL (issue 21): `server init`, and `init`, `check`,
`audit verify`, `keys`, `user`, `backup` against a real server (tests/conftest.py
starts one), each working or saying what to use instead, with nothing half-written."""

from __future__ import annotations

import io

import psycopg
import pytest

from gridvisit.cli import main
from gridvisit.storage.engine import HEAD_REVISION

PASSWORD = "gridvisit-demo"  # tests/cli/conftest.py sets GRIDVISIT_PASSWORD to it


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _tables(url: str) -> set[str]:
    with psycopg.connect(_libpq(url)) as conn:
        rows = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
    return {r[0] for r in rows}


def _count(url: str, table: str) -> int:
    with psycopg.connect(_libpq(url)) as conn:
        row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
    assert row is not None
    return int(row[0])


def _init(url: str, *extra: str) -> int:
    return main(["server", "init", "--db", url, "--admin", "chief", "--name", "王主任", *extra])


@pytest.fixture
def server_db(pg_url: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert _init(pg_url) == 0
    capsys.readouterr()
    return pg_url


# --- the findings --------------------------------------------------------------------


def test_keys_create_on_a_new_url_says_to_run_server_init(
    pg_url: str, tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sub.pub"
    code = main(["keys", "create", "--db", pg_url, "--name", "同安街道", "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 1
    assert "用户名或密码不正确" not in err
    assert "还没有初始化" in err and "gridvisit server init" in err
    assert _tables(pg_url) == set()  # no schema made behind the user's back
    assert not out.exists()


def test_check_on_a_url_checks_the_server_database(
    server_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--db", server_db]) == 0
    out = capsys.readouterr().out
    assert "不存在" not in out
    assert f"架构版本:{HEAD_REVISION}" in out and "用户 1" in out and "审计记录 1" in out
    assert "检查结果:完好。" in out
    assert "postgres@127.0.0.1" in out  # the server, password hidden


def test_check_on_an_empty_server_database_says_so(
    pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--db", pg_url]) == 1
    err = capsys.readouterr().err
    assert "还没有初始化" in err and "server init" in err and "找不到数据库文件" not in err
    assert _tables(pg_url) == set()


# --- server init ---------------------------------------------------------------------


def test_server_init_creates_the_schema_and_the_first_admin(
    pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _init(pg_url) == 0
    out = capsys.readouterr().out
    assert "已初始化" in out and "chief" in out
    # The statements for the app's login role are printed, not run.
    assert (
        'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "gridvisit_app"'
        in out
    )
    assert (
        'REVOKE UPDATE, DELETE, TRUNCATE ON audit_entry, device_audit_entry FROM "gridvisit_app"'
        in out
    )
    assert {"app_user", "audit_entry", "household", "alembic_version"} <= _tables(pg_url)
    assert main(["user", "list", "--db", pg_url, "--user", "chief"]) == 0
    assert capsys.readouterr().out.splitlines() == ["chief\t王主任\t街道管理员"]


def test_server_init_refuses_a_database_that_is_not_empty(
    server_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    users = _count(server_db, "app_user")
    audit = _count(server_db, "audit_entry")
    assert _init(server_db) == 1
    err = capsys.readouterr().err
    assert "不是空的" in err
    assert (_count(server_db, "app_user"), _count(server_db, "audit_entry")) == (users, audit)


def test_server_init_refuses_a_weak_password_before_writing_anything(
    pg_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GRIDVISIT_PASSWORD", "short")
    assert _init(pg_url) == 1
    assert "密码" in capsys.readouterr().err
    assert _tables(pg_url) == set()


def test_server_init_reads_the_password_from_stdin(
    pg_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("GRIDVISIT_PASSWORD")
    monkeypatch.setattr("sys.stdin", io.StringIO("from stdin 42\n"))
    assert _init(pg_url, "--password-stdin") == 0
    monkeypatch.setenv("GRIDVISIT_PASSWORD", "from stdin 42")
    capsys.readouterr()
    assert main(["user", "list", "--db", pg_url, "--user", "chief"]) == 0


def test_server_init_on_a_file_points_to_init(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "x.db"
    assert main(["server", "init", "--db", str(path), "--admin", "chief"]) == 1
    assert "gridvisit init" in capsys.readouterr().err
    assert not path.exists()


# --- the other commands on a URL -----------------------------------------------------


def test_user_keys_and_audit_verify_work_on_a_url(
    server_db: str, tmp_path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", server_db, "--user", "chief"]
    monkeypatch.setenv("GRIDVISIT_NEW_PASSWORD", "worker pass 1")
    assert main(["user", "add", *db, "li", "--name", "李四", "--role", "subdistrict_admin"]) == 0
    assert main(["user", "list", *db]) == 0
    assert "li\t李四\t街道管理员" in capsys.readouterr().out
    out = tmp_path / "sub.pub"
    assert main(["keys", "create", *db, "--name", "同安街道", "-o", str(out)]) == 0
    assert out.exists() and "指纹" in capsys.readouterr().out
    assert main(["keys", "list", *db]) == 0
    assert "本机设备编号" in capsys.readouterr().out
    assert main(["audit", "verify", *db]) == 0
    assert "操作日志完好" in capsys.readouterr().out
    monkeypatch.setenv("GRIDVISIT_NEW_PASSWORD", "worker pass 2")
    assert main(["user", "passwd", *db, "li"]) == 0
    assert "已重设 li 的密码" in capsys.readouterr().out
    monkeypatch.setenv("GRIDVISIT_PASSWORD", "worker pass 1")
    assert main(["audit", "list", "--db", server_db, "--user", "li"]) == 1  # the old one
    assert "用户名或密码不正确" in capsys.readouterr().err
    monkeypatch.setenv("GRIDVISIT_PASSWORD", "worker pass 2")
    assert main(["audit", "list", "--db", server_db, "--user", "li"]) == 0


@pytest.mark.parametrize(
    ("command", "says"),
    [
        (["backup", "create"], "pg_dump"),
        (["backup", "list"], "pg_dump"),
        (["backup", "restore", "--latest"], "pg_restore"),
        (["backup", "keep", "--daily", "3"], "pg_dump"),
        (["init"], "gridvisit server init"),
        (["encrypt"], "sslmode"),
        (["demo"], "gridvisit demo --db demo.db"),
    ],
)
def test_file_only_commands_on_a_url_say_what_to_use_instead(
    server_db: str, command: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    audit = _count(server_db, "audit_entry")
    assert main([*command, "--db", server_db, "--user", "chief"]) == 1
    captured = capsys.readouterr()
    assert says in captured.err and "Traceback" not in captured.err
    assert "服务器" in captured.err
    assert _count(server_db, "audit_entry") == audit  # not even a login was recorded


def test_init_on_an_empty_url_points_to_server_init(
    pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init", "--db", pg_url]) == 1
    assert "gridvisit server init" in capsys.readouterr().err
    assert _tables(pg_url) == set()


# --- TLS options pass through the URL -------------------------------------------------


def test_tls_and_other_libpq_options_in_the_url_reach_the_server(
    server_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from sqlalchemy import text

    from gridvisit.storage import open_database

    db = open_database(f"{server_db}?sslmode=disable&application_name=gv-tls-test")
    try:
        assert db.engine.url.query == {"sslmode": "disable", "application_name": "gv-tls-test"}
        with db.read_session() as s:
            name = s.scalar(text("SELECT current_setting('application_name')"))
            plain = s.scalar(text("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"))
        assert name == "gv-tls-test" and plain is False
    finally:
        db.dispose()
    with psycopg.connect(_libpq(server_db)) as conn:
        row = conn.execute("SHOW ssl").fetchone()
    if row != ("on",):
        pytest.skip("the PostgreSQL server given in GRIDVISIT_TEST_PG_URL has no TLS")
    # sslmode=require: the app's own session runs over TLS.
    db = open_database(f"{server_db}?sslmode=require")
    try:
        with db.read_session() as s:
            used = s.scalar(text("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"))
        assert used is True
    finally:
        db.dispose()
    assert main(["user", "list", "--db", f"{server_db}?sslmode=require", "--user", "chief"]) == 0
    capsys.readouterr()
    # verify-full without the office's CA certificate: libpq refuses, and says why.
    url = f"{server_db}?sslmode=verify-full&sslrootcert=/nonexistent/office-ca.crt"
    assert main(["user", "list", "--db", url, "--user", "chief"]) == 1
    err = capsys.readouterr().err
    assert "无法连接数据库服务器" in err and "office-ca.crt" in err and "Traceback" not in err
    assert main(["check", "--db", url]) == 1
    assert "office-ca.crt" in capsys.readouterr().err


def test_a_malformed_url_is_said_plainly(capsys: pytest.CaptureFixture[str]) -> None:
    url = "postgresql+psycopg://role:secret@host:notaport/db"
    for command in (["user", "list"], ["check"], ["server", "init", "--admin", "chief"]):
        assert main([*command, "--db", url]) == 1
        err = capsys.readouterr().err
        assert "URL 写得不对" in err and "secret" not in err and "Traceback" not in err


def test_an_app_role_that_may_not_create_tables_is_told_to_run_server_init(
    pg_roles: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    owner_url, app_url = pg_roles
    # merge creates the schema of a new server when it may: this role may not.
    assert main(["merge", "--db", app_url, "--user", "chief", "/nonexistent.gvpkg"]) == 1
    err = capsys.readouterr().err
    assert "还没有初始化" in err and "Traceback" not in err
    assert _tables(owner_url) == set()
