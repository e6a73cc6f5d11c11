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
)

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
    path: Path
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
