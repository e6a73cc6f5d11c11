"""`gridvisit check`: is a database file sound? Read-only; never migrates or writes."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from gridvisit.core.errors import StorageError
from gridvisit.storage.engine import (
    _check_sqlite_file,
    connect_raw,
    head_revision,
    known_revisions,
    server_engine,
    server_error,
    server_label,
    server_not_initialised,
)

# The triggers of migrations 0003 and 0004 that keep the audit trails append-only.
AUDIT_TRIGGERS = ("audit_entry_append_only", "device_audit_entry_append_only")

COUNTED_TABLES = (
    ("community", "社区"),
    ("grid", "网格"),
    ("building_group", "楼栋党小组"),
    ("household", "住户"),
    ("resident", "居民"),
    ("app_user", "用户"),
    ("visit", "走访记录"),
    ("problem", "问题"),
    ("problem_event", "流转记录"),
    ("audit_entry", "审计记录"),
)


@dataclass
class CheckReport:
    path: Path | str  # a file, or a server URL with its password hidden
    schema_version: str | None = None
    head_version: str = ""
    problems: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_database(target: str | Path, key: bytes | None = None) -> CheckReport:
    path = Path(target).expanduser()
    _check_sqlite_file(path, create=False, key=key)  # raises a clear StorageError
    report = CheckReport(path=path, head_version=head_revision())
    try:
        conn = connect_raw(path, key, readonly=True)
    except sqlite3.Error as exc:
        raise StorageError(f"无法打开数据库“{path}”:{exc}") from exc
    try:
        try:
            rows = [r[0] for r in conn.execute("PRAGMA integrity_check(50)")]
        except sqlite3.DatabaseError as exc:
            report.problems.append(f"完整性检查失败:数据库文件已损坏({exc})")
            return report
        if rows != ["ok"]:
            # SQLite may put many findings in one row, under a "*** in database" heading.
            found = [
                line.strip()
                for row in rows
                for line in str(row).splitlines()
                if line.strip() and not line.startswith("***")
            ]
            more = "及更多" if len(found) >= 50 else ""
            report.problems.append(
                f"完整性检查发现 {len(found)}{more} 处损坏,例如:{found[0] if found else rows[0]}"
            )
            return report
        try:
            fk = conn.execute("PRAGMA foreign_key_check").fetchall()
        except sqlite3.DatabaseError as exc:
            report.problems.append(f"外键检查失败:{exc}")
            fk = []
        if fk:
            tables = sorted({row[0] for row in fk})
            report.problems.append(
                f"有 {len(fk)} 条记录引用了不存在的上级记录(表:{'、'.join(tables)})"
            )
        try:
            report.schema_version = conn.execute(
                "SELECT version_num FROM alembic_version"
            ).fetchone()[0]
        except (sqlite3.DatabaseError, TypeError):
            report.problems.append("这不是 gridvisit 数据库:没有架构版本信息")
            return report
        if report.schema_version not in known_revisions():
            report.problems.append(f"架构版本 {report.schema_version} 比本程序新,请升级 gridvisit")
        elif report.schema_version != report.head_version:
            # Not damage: the app migrates it on the next open.
            pass
        for table, _label in COUNTED_TABLES:
            try:
                report.counts[table] = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            except sqlite3.DatabaseError as exc:
                report.problems.append(f"无法读取表 {table}:{exc}")
        return report
    finally:
        conn.close()


def check_server_database(url: str) -> CheckReport:
    """`check` on a server URL, in a read-only transaction: the schema version, the
    counts, constraints left unvalidated, and the audit trails' triggers in place.
    The pages themselves are the server's to check (data checksums, pg_amcheck:
    docs/reliability.md)."""
    from sqlalchemy import inspect, text
    from sqlalchemy.exc import OperationalError

    report = CheckReport(path=server_label(url), head_version=head_revision())
    engine = server_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SET TRANSACTION READ ONLY"))
            if not inspect(conn).has_table("alembic_version"):
                raise server_not_initialised(url)
            report.schema_version = conn.scalar(text("SELECT version_num FROM alembic_version"))
            if report.schema_version not in known_revisions():
                report.problems.append(
                    f"架构版本 {report.schema_version} 比本程序新,请升级 gridvisit"
                )
                return report
            unvalidated = conn.execute(
                text(
                    "SELECT conrelid::regclass::text FROM pg_constraint "
                    "WHERE NOT convalidated AND connamespace = 'public'::regnamespace"
                )
            ).all()
            if unvalidated:
                tables = sorted({row[0] for row in unvalidated})
                report.problems.append(
                    f"有 {len(unvalidated)} 条约束没有校验过(表:{'、'.join(tables)})"
                )
            enabled: dict[str, str] = dict(
                conn.execute(
                    text("SELECT tgname, tgenabled FROM pg_trigger WHERE tgname = ANY(:names)"),
                    {"names": list(AUDIT_TRIGGERS)},
                ).all()
            )
            for name in AUDIT_TRIGGERS:
                if enabled.get(name) in (None, "D"):
                    report.problems.append(
                        f"操作日志的保护触发器 {name} {'被停用了' if name in enabled else '不见了'}"
                    )
            for table, _label in COUNTED_TABLES:
                report.counts[table] = int(conn.scalar(text(f"SELECT count(*) FROM {table}")) or 0)
            conn.rollback()
    except OperationalError as exc:
        raise server_error(url, exc) from exc
    finally:
        engine.dispose()
    return report
