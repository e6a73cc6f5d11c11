from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from gridvisit.core.errors import (
    DatabaseNotFoundError,
    DatabaseTooNewError,
    NotADatabaseError,
    StorageError,
)
from gridvisit.storage import Database, open_database
from gridvisit.storage.backups import Reason, list_backups
from gridvisit.storage.engine import (
    HEAD_REVISION,
    alembic_config,
    backup_sqlite,
    head_revision,
    migration_pending,
)
from gridvisit.storage.models import Base, Community, ProblemCategory, SpecialGroup, VisitTier


def test_pragmas_hold_on_pooled_connections(db: Database) -> None:
    # Check out several connections at once so more than one comes from the pool.
    conns = [db.engine.connect() for _ in range(3)]
    try:
        for conn in conns:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    finally:
        for conn in conns:
            conn.close()
    # And again after they went back to the pool.
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_models_and_migrations_agree(db: Database) -> None:
    with db.engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
    assert diff == []


def test_reference_lists_are_seeded(db: Database) -> None:
    with db.read_session() as s:
        tiers = {t.code: t.interval_days for t in s.scalars(select(VisitTier))}
        assert tiers == {"key": 7, "watch": 30, "normal": 90, "semiannual": 182, "annual": 365}
        names = set(s.scalars(select(ProblemCategory.name)))
        assert {"物业管理", "电梯", "环境卫生", "安全隐患", "高空抛物", "其他"} <= names
        assert s.scalar(select(func.count()).select_from(SpecialGroup)) >= 9


def test_foreign_keys_are_enforced(db: Database) -> None:
    with pytest.raises(IntegrityError), db.session() as s:
        s.execute(
            text(
                "INSERT INTO grid (community_id, name, leader_name, archived, uuid, "
                "created_at, updated_at, version, origin_device) VALUES "
                "(999, 'x', '', 0, 'u', '2026-01-01', '2026-01-01', 1, '')"
            )
        )
    with db.read_session() as s:
        assert s.scalar(text("SELECT count(*) FROM grid")) == 0


def test_device_id_is_stable(tmp_path: Path) -> None:
    first = open_database(tmp_path / "a.db", create=True)
    device = first.device_id
    first.dispose()
    again = open_database(tmp_path / "a.db")
    assert again.device_id == device
    again.dispose()


def test_uuid_version_and_timestamps(db: Database) -> None:
    with db.session() as s:
        c = Community(name="城东社区")
        s.add(c)
    assert c.version == 1 and len(c.uuid) == 36 and c.origin_device == db.device_id
    uuid_before, updated_before = c.uuid, c.updated_at
    with db.session() as s:
        c = s.get(Community, c.id)
        c.name = "城东社区(新)"
    assert c.version == 2
    assert c.uuid == uuid_before
    assert c.updated_at >= updated_before
    with db.session() as s:  # no real change: no bump
        c = s.get(Community, c.id)
        c.name = "城东社区(新)"
    assert c.version == 2


def test_missing_file_and_directory_and_non_database(tmp_path: Path) -> None:
    with pytest.raises(DatabaseNotFoundError, match="找不到"):
        open_database(tmp_path / "missing.db")
    with pytest.raises(StorageError, match="文件夹"):
        open_database(tmp_path)
    junk = tmp_path / "notes.db"
    junk.write_text("这不是数据库", encoding="utf-8")
    with pytest.raises(NotADatabaseError, match="不是"):
        open_database(junk)
    assert junk.read_text(encoding="utf-8") == "这不是数据库"


def test_foreign_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(NotADatabaseError, match="不是 gridvisit"):
        open_database(path)


def test_newer_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    open_database(path, create=True).dispose()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = 'fffffffffff9'")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(DatabaseTooNewError, match="更新版本"):
        open_database(path)
    assert path.read_bytes() == before


def test_backup_copies_content(db: Database, tmp_path: Path) -> None:
    with db.session() as s:
        s.add(Community(name="西池社区"))
    dest = backup_sqlite(db.path, tmp_path / "copy.db")
    copy = sqlite3.connect(dest)
    assert copy.execute("SELECT name FROM community").fetchall() == [("西池社区",)]
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    copy.close()


def test_head_constant_is_the_newest_migration() -> None:
    # Opening compares the stored revision with HEAD_REVISION instead of asking
    # Alembic; a new migration must move the constant with it.
    assert head_revision() == HEAD_REVISION


def test_an_open_at_head_does_not_need_alembic(tmp_path: Path) -> None:
    path = tmp_path / "head.db"
    open_database(path, create=True).dispose()
    code = (
        "import sys\n"
        "from gridvisit.storage import open_database\n"
        f"db = open_database({str(path)!r})\n"
        "db.dispose()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'"
        " or m.startswith('sqlalchemy.dialects.postgresql')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_an_old_revision_is_seen_as_pending(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = open_database(path, create=True)
    assert not migration_pending(db.engine)
    with db.engine.connect() as conn:
        command.downgrade(alembic_config(conn), "0004")
        conn.commit()
    assert migration_pending(db.engine)
    db.dispose()


def _older_revisions() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return [r.revision for r in script.walk_revisions() if r.revision != head_revision()]


@pytest.mark.parametrize(
    "old",
    _older_revisions()
    or [
        pytest.param(
            None,
            marks=pytest.mark.skip(
                reason="only the baseline revision exists so far: nothing older to upgrade from"
            ),
        )
    ],
)
def test_upgrade_from_each_old_revision_backs_up_first(tmp_path: Path, old: str) -> None:
    path = tmp_path / "old.db"
    db = open_database(path, create=True)
    with db.engine.connect() as conn:
        command.downgrade(alembic_config(conn), old)
        conn.commit()
    db.dispose()
    upgraded = open_database(path)
    with upgraded.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head_revision()
    upgraded.dispose()
    made = list_backups(path)
    assert [b.reason for b in made] == [Reason.MIGRATE]
    with sqlite3.connect(made[0].path) as conn:  # the copy is the old schema, untouched
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == old
