"""core/login_plan.py: what opening a database needs, decided once for the window
and the commands."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gridvisit.core.auth import create_database
from gridvisit.core.errors import StorageError
from gridvisit.core.login_plan import Step, default_user, plan_login
from gridvisit.storage import backups, open_database
from gridvisit.storage.backups import Reason
from gridvisit.storage.keystore import KeyStore, keys_path

PASSWORD = "plan-pass-1"


def _encrypted(path: Path, user: str = "bob") -> Path:
    create_database(path, user, user, PASSWORD, encrypted=True).db.dispose()
    return path


def test_the_user_named_wins(tmp_path: Path) -> None:
    assert default_user(_encrypted(tmp_path / "a.db"), "carol") == "carol"


def test_the_only_key_slot_is_the_default_user(tmp_path: Path) -> None:
    path = _encrypted(tmp_path / "a.db")
    assert default_user(path) == "bob"
    assert plan_login(path, create=False).user == "bob"


def test_several_slots_a_plain_file_or_a_url_default_to_admin(tmp_path: Path) -> None:
    path = _encrypted(tmp_path / "a.db")
    store = KeyStore.load(keys_path(path))
    store.set_slot("dave", PASSWORD, store.unlock("bob", PASSWORD))
    assert default_user(path) == "admin"
    plain = tmp_path / "plain.db"
    open_database(plain, create=True).dispose()
    assert default_user(plain) == "admin"
    assert default_user("postgresql+psycopg://u@h/db") == "admin"


def test_missing_file_is_created_only_when_allowed(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    assert plan_login(path, create=True).step is Step.CREATE
    assert plan_login(path, create=False).step is Step.MISSING
    path.write_bytes(b"")  # an empty file counts as none
    assert plan_login(path, create=True).step is Step.CREATE
    assert not plan_login(path, create=True).plain


def test_a_plain_file_without_passwords_needs_its_first_admin(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    open_database(path, create=True).dispose()
    plan = plan_login(path, create=False, first_admin=True)
    assert (plan.step, plan.plain) == (Step.FIRST_ADMIN, True)
    # Only a caller that can set one up looks.
    assert plan_login(path, create=False).step is Step.LOGIN


def test_an_existing_database_is_logged_in_to(tmp_path: Path) -> None:
    path = _encrypted(tmp_path / "a.db")
    plan = plan_login(path, create=True, first_admin=True)
    assert (plan.step, plan.path, plan.plain) == (Step.LOGIN, path.resolve(), False)
    url = plan_login("postgresql+psycopg://u@h/db", create=True)
    assert (url.step, url.path) == (Step.LOGIN, None)


def test_what_cannot_be_a_database_is_refused_before_any_password(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_text("not a database", encoding="utf-8")
    with pytest.raises(StorageError, match="不是 gridvisit 数据库文件"):
        plan_login(junk, create=True)
    if hasattr(os, "mkfifo"):
        pipe = tmp_path / "pipe.db"
        os.mkfifo(pipe)
        with pytest.raises(StorageError, match="不是普通文件"):
            plan_login(pipe, create=True)


def test_an_interrupted_restore_is_finished_first(tmp_path: Path) -> None:
    path = _encrypted(tmp_path / "a.db")
    store = KeyStore.load(keys_path(path))
    key = store.unlock("bob", PASSWORD)
    pending = path.with_name(f".{path.name}.restoring")
    backups.backup_sqlite(path, pending, key)
    keys_path(pending).write_bytes(keys_path(path).read_bytes())
    os.replace(path, backups.create_backup(path, key, Reason.REPLACED).path)
    plan = plan_login(path, create=True)
    assert plan.step is Step.LOGIN  # not CREATE: the restored file is back in place
    assert path.exists() and not pending.exists()


def test_looking_at_a_plain_file_writes_nothing_before_its_check(tmp_path: Path) -> None:
    """A WAL left by a crash stays where it is until open_database has checked the
    file: the plan (before any password) must not checkpoint it into the file."""
    import subprocess
    import sys

    path = tmp_path / "old.db"
    open_database(path, create=True).dispose()
    subprocess.run(
        [sys.executable, "-c", f"""
import os, sqlite3
c = sqlite3.connect({str(path)!r}, isolation_level=None)
c.execute('PRAGMA journal_mode=WAL'); c.execute('PRAGMA wal_autocheckpoint=0')
c.execute("INSERT OR REPLACE INTO setting(key, value) VALUES ('crash', 'in the WAL only')")
os._exit(0)
"""],
        check=True,
    )  # fmt: skip
    wal = Path(f"{path}-wal")
    before = path.read_bytes()
    assert wal.exists() and wal.stat().st_size > 0
    plan = plan_login(path, create=False, first_admin=True)
    assert plan.step is Step.FIRST_ADMIN
    assert path.read_bytes() == before
    assert wal.exists() and wal.stat().st_size > 0
