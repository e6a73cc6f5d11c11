"""A sub-district's PostgreSQL server: is its database empty, and the privileges of
the app's login role.

The database and its tables belong to an owner role, which `gridvisit server init`
connects as; the app connects as another login role that may read and write the
records but may only add to the audit trails: no UPDATE, DELETE or TRUNCATE on
`audit_entry` and `device_audit_entry`, no DDL (the triggers of migrations 0003 and
0004 refuse the same for everybody, but a table's owner could drop a trigger; the
app role owns nothing). See README "街道服务器" and docs/reliability.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlalchemy.exc import OperationalError

from gridvisit.core.errors import StorageError
from gridvisit.storage.engine import server_engine, server_error

AUDIT_TABLES = ("audit_entry", "device_audit_entry")
DEFAULT_APP_ROLE = "gridvisit_app"
_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def is_server_url(target: str) -> bool:
    return "://" in target and not target.startswith("sqlite")


def check_role_name(role: str) -> str:
    if not _ROLE.match(role):
        raise StorageError(
            f"“{role}”不能用作数据库角色名。",
            hint="角色名只用小写字母、数字和下划线,以字母开头,如 gridvisit_app。",
        )
    return role


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def app_role_statements(url: str, role: str) -> list[str]:
    """What the owner runs so that `role` can use the app and not rewrite its audit
    trails. Run after the schema is made (GRANT ... ON ALL TABLES covers the tables
    that exist); a later migration prints them again."""
    role = _quote(check_role_name(role))
    database = _quote(make_url(url).database or "postgres")
    audit = ", ".join(AUDIT_TABLES)
    return [
        f"REVOKE ALL ON DATABASE {database} FROM PUBLIC",
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        f"GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {role}",
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        # The audit trails: read and append only.
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {audit} FROM {role}",
        # The schema version is the owner's: migrations run as the owner.
        f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM {role}",
    ]


@contextmanager
def _server(url: str) -> Iterator[Engine]:
    engine = server_engine(url)
    try:
        yield engine
    except OperationalError as exc:
        raise server_error(url, exc) from exc
    except SADatabaseError as exc:  # a privilege the connecting role lacks, most often
        detail = str(exc.orig or exc).strip().splitlines()
        raise StorageError(
            f"数据库服务器拒绝了这一步:{detail[0] if detail else exc}",
            hint="请用数据库所有者(建库时 createdb -O 指定的角色)的 URL 运行。",
        ) from exc
    finally:
        engine.dispose()


def schema_tables(url: str) -> list[str]:
    """The tables already in the database's default schema (empty: a new database)."""
    with _server(url) as engine, engine.connect() as conn:
        names = sorted(inspect(conn).get_table_names())
        conn.rollback()
    return names


def require_role(url: str, role: str) -> None:
    """Raise the Chinese StorageError unless the login role `role` exists on the server."""
    with _server(url) as engine, engine.connect() as conn:
        found = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
        exists = found.first() is not None
        conn.rollback()
    if not exists:
        raise StorageError(
            f"数据库服务器上没有角色“{role}”,没有设置任何权限。",
            hint=f"请先在服务器上运行 sudo -u postgres createuser --pwprompt {role},再重试。",
        )


def grant_app_role(url: str, role: str) -> list[str]:
    """Run `app_role_statements` as the owner of `url`, all in one transaction: either
    every privilege is set or none. The role must exist (`createuser`). Returns them."""
    statements = app_role_statements(url, role)
    require_role(url, role)
    with _server(url) as engine, engine.begin() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)
    return statements
