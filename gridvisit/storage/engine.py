"""The engine factory: the one place a database is opened.

It checks the target, sets SQLite pragmas in a connect hook (outside any
transaction, where SQLite honours them), backs the file up and applies Alembic
migrations, refuses a database written by a newer app, and hands back a
`Database` whose sessions are the only way the rest of the app touches data.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import uuid
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect, select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from gridvisit.core.clock import utcnow
from gridvisit.core.errors import (
    DatabaseCorruptError,
    DatabaseNotFoundError,
    DatabaseTooNewError,
    EncryptedDatabaseError,
    NotADatabaseError,
    StaleRecordError,
    StorageError,
)
from gridvisit.core.files import create_private_file, tighten
from gridvisit.storage import notify
from gridvisit.storage.backups import Reason, backup_dir, create_backup
from gridvisit.storage.binding import BINDING_KEY, binding_for
from gridvisit.storage.keystore import keys_path
from gridvisit.storage.models import Setting, SyncMixin
from gridvisit.storage.sqlite import SQLITE_HEADER as SQLITE_HEADER
from gridvisit.storage.sqlite import BackupCancelled as BackupCancelled
from gridvisit.storage.sqlite import backup_sqlite as backup_sqlite
from gridvisit.storage.sqlite import connect_raw as connect_raw
from gridvisit.storage.sqlite import encrypt_in_place as encrypt_in_place
from gridvisit.storage.sqlite import is_encrypted_database as is_encrypted_database
from gridvisit.storage.sqlite import is_plain_sqlite as is_plain_sqlite

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

# The newest migration's revision id. Opening a database compares its stored revision
# with this constant, so Alembic (and through it every SQL dialect it knows, the
# PostgreSQL one included) is imported only when a migration is pending.
# tests/storage/test_engine.py checks it against the migrations folder.
HEAD_REVISION = "0007"

BUSY_TIMEOUT_MS = 10_000
WRITE_GATE_TIMEOUT_S = 30.0  # longest a save waits for the start-up check and backup
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
MIGRATE_LOCK = 0x67766D696772  # pg_advisory_xact_lock key of migrations ("gvmigr")
INSUFFICIENT_PRIVILEGE = "42501"  # PostgreSQL's SQLSTATE for a privilege the role lacks
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE for a lock_timeout
# pg_advisory_xact_lock key of merges ("gvmerge" in ASCII, in a signed bigint): a merge
# holds it exclusively, every other write on a server shares it (`Database.session`),
# so a merge never interleaves with a staff member's save, and neither waits on the
# other's row locks (no deadlock). docs/architecture.md#several-staff-at-once
MERGE_LOCK = 0x67766D65726765


def _looks_like_url(target: str) -> bool:
    return "://" in target


def not_a_regular_file(path: Path) -> StorageError:
    return NotADatabaseError(
        f"“{path}”不是普通文件(可能是设备、管道或套接字),不能作为数据库打开。",
        hint="请指定保存在磁盘上的 .db 数据库文件。",
    )


def _check_sqlite_file(path: Path, *, create: bool, key: bytes | None) -> None:
    if path.is_dir():
        raise StorageError(f"“{path}”是一个文件夹,不是数据库文件。", hint="请指定一个 .db 文件。")
    if path.exists() and not path.is_file():
        raise not_a_regular_file(path)
    if not path.exists():
        if create:
            if not path.parent.is_dir():
                raise StorageError(f"无法创建数据库:文件夹“{path.parent}”不存在。")
            return
        raise DatabaseNotFoundError(
            f"找不到数据库文件“{path}”。", hint="请检查路径,或用 gridvisit demo 先创建演示数据库。"
        )
    try:
        with path.open("rb") as fh:
            header = fh.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise StorageError(f"无法读取数据库文件“{path}”:{exc.strerror}。") from exc
    if header == b"" and create:
        return
    if header == SQLITE_HEADER:
        if key is not None:
            raise EncryptedDatabaseError(
                f"数据库“{path.name}”没有加密,不能用密码打开。",
                hint="用 --no-encryption 打开它,或用 gridvisit encrypt 把它转为加密数据库。",
            )
        return
    if key is None:
        if keys_path(path).exists():
            raise EncryptedDatabaseError(
                f"数据库“{path.name}”已加密,需要密码才能打开。",
                hint="请不要加 --no-encryption,并输入密码(或设置 GRIDVISIT_PASSWORD)。",
            )
        raise NotADatabaseError(
            f"“{path}”不是 gridvisit 数据库文件(文件头不对)。",
            hint="请确认选择的是 .db 数据库文件,而不是表格、压缩包或其他文件。",
        )


def check_database_file(path: Path) -> None:
    """Raise the clear StorageError for a path that is not an openable database file
    (missing, a folder, not SQLite, encrypted without its key file)."""
    _check_sqlite_file(path, create=False, key=None)


def _install_sqlite_hooks(engine: Engine, *, encrypted: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        # Take transaction control away from pysqlite so pragmas below run outside any
        # transaction and BEGIN is emitted by the "begin" hook instead.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        if encrypted:
            # SQLCipher would print its own log lines on stderr for a wrong key.
            cur.execute("PRAGMA cipher_log_level = NONE")
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = FULL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Writers take the write lock up front: a deferred transaction that upgrades
        # from read to write fails at once under WAL instead of waiting.
        if conn.get_execution_options().get("sqlite_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def _bump_versions(session: Session, _ctx: Any, _instances: Any) -> None:
    """Every change to a travelling record bumps its version and `updated_at`;
    new ones get the device and user that made them. Merges set `keep_versions`."""
    if session.info.get("keep_versions"):
        return
    now = session.info.get("clock", utcnow)()
    device = session.info.get("device", "")
    actor_id = session.info.get("actor_id")
    born_here = session.info.setdefault("created_in_tx", weakref.WeakSet())
    for obj in session.new:
        if isinstance(obj, SyncMixin):
            born_here.add(obj)
            if obj.created_at is None:
                obj.created_at = now
            if obj.updated_at is None:
                obj.updated_at = now
            if not obj.origin_device:
                obj.origin_device = device
            if obj.created_by_id is None and actor_id is not None:
                obj.created_by_id = actor_id
    for obj in session.dirty:
        # A record created earlier in this same transaction is still version 1.
        if obj in born_here:
            continue
        if isinstance(obj, SyncMixin) and session.is_modified(obj, include_collections=False):
            obj.version = (obj.version or 1) + 1
            obj.updated_at = now


def alembic_config(connection: Any = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    """The newest migration, as Alembic reads it from the migrations folder."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def stored_revision(conn: Any) -> str | None:
    """The revision recorded in the database (None for a new file), read without Alembic."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    rows = conn.exec_driver_sql("SELECT version_num FROM alembic_version").fetchall()
    return str(rows[0][0]) if rows else None


def tighten_database_files(path: Path) -> None:
    """The database, its WAL and index, its key file and its backup folder with all
    in it, owner-only (files an older version made readable by everyone)."""
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), keys_path(path)):
        if p.exists():
            tighten(p)
    folder = backup_dir(path)
    if folder.is_dir():
        tighten(folder)
        for entry in folder.iterdir():
            tighten(entry)


class Database:
    """An open database: its engine, identity and session factory."""

    def __init__(
        self, engine: Engine, *, path: Path | None = None, key: bytes | None = None
    ) -> None:
        self.engine = engine
        self.path = path
        # Kept for encrypted backups and for wrapping the key to new users' passwords.
        self.key = key
        self._write_engine = engine.execution_options(sqlite_write=True)
        self._sessions = sessionmaker(bind=engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(bind=self._write_engine, expire_on_commit=False)
        for maker in (self._sessions, self._write_sessions):
            event.listen(maker, "before_flush", _bump_versions)
        event.listen(self._write_sessions, "after_flush", notify.collect)
        # Names this open database in its change notices, so it skips its own.
        self.instance_id = uuid.uuid4().hex
        # Set when SQLite reports damage mid-session: from then on no write is tried.
        self.damaged = False
        # Set when the deferred check could not run to its end (a disk or network
        # error, not damage): the file was never checked, so nothing may be written.
        self.unchecked: StorageError | None = None
        # Set while the checks of a deferred open (see `open_database(defer_check=)`)
        # run: writes wait until then, except those of the thread running them.
        self.check_pending = False
        self._writes_open = threading.Event()
        self._writes_open.set()
        self._gate_owner: int | None = None
        # The DB-API connection running the deferred quick_check, so that closing the
        # window can interrupt it (guarded: it goes back to the pool afterwards).
        self._checking: Any = None
        self._check_abandoned = False
        self._checking_lock = threading.Lock()
        self.device_id = ""
        self.device_id = self._ensure_device_id()

    # -- the write gate of a deferred open ------------------------------------------
    def hold_writes(self) -> None:
        """Every write waits (in `session`) until `release_writes`."""
        self._writes_open.clear()

    def release_writes(self) -> None:
        self._gate_owner = None
        self._writes_open.set()

    def writes_held(self) -> bool:
        return not self._writes_open.is_set()

    def claim_writes(self) -> None:
        """The calling thread may write while the others wait (the checks' own writes)."""
        self._gate_owner = threading.get_ident()

    def wait_for_writes(self, timeout: float | None = None) -> bool:
        return self._writes_open.wait(timeout)

    def run_pending_check(self) -> None:
        """The quick_check a deferred open left to do. Raises DatabaseCorruptError (and
        from then on refuses every write) when the file is damaged."""
        if not self.check_pending:
            return
        assert self.path is not None
        try:
            try:
                _quick_check(self.engine, self.path, running=self._set_checking)
            except DatabaseCorruptError:
                self.damaged = True
                raise
            except SADatabaseError as exc:
                self._raise_known(exc)  # "malformed" marks the file damaged
                raise
        except BaseException:
            if not self.damaged:
                self.unchecked = StorageError(
                    "启动时的数据库完整性检查没有完成,为保护数据,本次已禁止保存。",
                    hint="请关闭程序后重新打开;如果仍然如此,请检查硬盘、U 盘或网络驱动器。",
                )
            raise
        self.check_pending = False

    def abandon_check(self) -> None:
        """The deferred check will not run (the window closed before it started): the
        file was never checked, so writes are refused at once rather than held."""
        with self._checking_lock:
            self._check_abandoned = True
        if self.check_pending and self.unchecked is None:
            self.unchecked = StorageError(
                "启动时的数据库完整性检查没有完成,为保护数据,本次已禁止保存。",
                hint="请关闭程序后重新打开。",
            )
        self.release_writes()

    def _set_checking(self, conn: Any) -> None:
        with self._checking_lock:
            if conn is not None and self._check_abandoned:
                raise StorageError("启动时的数据库检查已取消(程序正在关闭)。")
            self._checking = conn

    def interrupt_check(self) -> None:
        """Stop a running deferred quick_check: the window closed before it ended.
        Nothing was written meanwhile (writes wait for it), so abandoning it is safe;
        the file stays unchecked and refuses writes, and the next start checks again.
        On a 30k encrypted file the check takes about a second that closing no
        longer waits for."""
        with self._checking_lock:
            self._check_abandoned = True
            if self._checking is not None:
                self._checking.interrupt()

    @property
    def encrypted(self) -> bool:
        return self.key is not None

    def backup_to(self, dest: Path) -> Path:
        assert self.path is not None, "only SQLite files have backups"
        return backup_sqlite(self.path, dest, self.key)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def session(self, *, actor_id: int | None = None, **info: Any) -> Iterator[Session]:
        """A write transaction: committed when the block ends, rolled back on any error.
        While the checks of a deferred open run, it first waits for them."""
        # Bounded: a backup stalled on a network drive must not hang a save forever.
        waits = threading.get_ident() != self._gate_owner
        if waits and not self._writes_open.wait(WRITE_GATE_TIMEOUT_S):
            raise StorageError(
                "数据库检查和今天的备份还没有完成,暂时不能保存。",
                hint="请稍后再试;状态栏的提示消失后即可保存。",
            )
        if self.unchecked is not None:
            raise self.unchecked
        if self.damaged:
            raise DatabaseCorruptError("数据库文件已损坏,为保护数据已禁止写入。", hint=DAMAGED_HINT)
        with self._write_sessions() as session:
            session.info.update(
                device=self.device_id, actor_id=actor_id, created_in_tx=weakref.WeakSet(), **info
            )
            server = self.engine.dialect.name == "postgresql"
            if server:
                # A merge (keep_versions) sends "everything"; others say what they changed.
                session.info["notice"] = notify.Notice(everything=bool(info.get("keep_versions")))
            try:
                with session.begin():
                    if server and not info.get("keep_versions"):
                        self._share_merge_lock(session)
                    yield session
                    if server:
                        notify.send(session, self.instance_id)
            except StaleDataError as exc:
                # An UPDATE ... WHERE version = <loaded> matched nothing: another
                # transaction changed (or removed) the row since this one read it.
                raise StaleRecordError() from exc
            except SADatabaseError as exc:
                if server and getattr(exc.orig, "sqlstate", None) == LOCK_NOT_AVAILABLE:
                    raise StorageError(
                        "服务器上正在合并数据包(或另一项保存还没有完成),暂时不能保存。",
                        hint="请稍后再试;你填写的内容还在窗口里。",
                    ) from exc
                self._raise_known(exc)
                raise

    @staticmethod
    def _share_merge_lock(session: Session) -> None:
        """Wait (at most WRITE_GATE_TIMEOUT_S) for a merge running on the server, and
        keep the next one from starting until this write has committed."""
        # One round trip: the timeout is set (for this transaction) before the lock is
        # asked for, as PostgreSQL evaluates a select list left to right.
        session.execute(
            text(
                "SELECT set_config('lock_timeout', :ms, true), pg_advisory_xact_lock_shared(:key)"
            ),
            {"ms": f"{int(WRITE_GATE_TIMEOUT_S * 1000)}ms", "key": MERGE_LOCK},
        )

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        with self._sessions() as session:
            try:
                yield session
            except SADatabaseError as exc:
                self._raise_known(exc)
                raise
            finally:
                session.rollback()

    def _raise_known(self, exc: SADatabaseError) -> None:
        """Raise the Chinese StorageError for a disk, lock or damage failure; return
        for anything else (a constraint or programming error is a bug, not the disk)."""
        error = translate_operational_error(exc)
        if isinstance(error, DatabaseCorruptError):
            self.damaged = True
            raise error from exc
        if isinstance(exc, OperationalError):
            raise error from exc

    def setting(self, key: str, default: str | None = None) -> str | None:
        with self.read_session() as s:
            row = s.get(Setting, key)
            return row.value if row else default

    def set_setting(self, key: str, value: str) -> None:
        with self.session() as s:
            s.merge(Setting(key=key, value=value))

    def _setting_once(self, key: str, value: str) -> str:
        """Store `value` under `key` unless it is there already; returns what is stored.
        Several first runs against a new server get here at once: the first insert
        wins and the others take its value instead of failing on the primary key."""
        try:
            with self.session() as s:
                if s.get(Setting, key) is None:
                    s.add(Setting(key=key, value=value))
        except IntegrityError:
            pass
        stored = self.setting(key)
        assert stored is not None
        return stored

    def _ensure_device_id(self) -> str:
        device = self.setting("device_id") or self._setting_once("device_id", str(uuid.uuid4()))
        # Trust on first use: a file without a binding is taken to be where it belongs.
        if self.path is not None and self.setting(BINDING_KEY) is None:
            self.set_setting(BINDING_KEY, binding_for(device, self.path))
        return device

    @property
    def is_server(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def listen(self, on_notice: Callable[[dict[str, Any]], None]) -> notify.ChangeListener | None:
        """On a server: a started `ChangeListener` reporting other instances' writes
        (its own connection, made as the engine makes them). None on SQLite."""
        if not self.is_server:
            return None
        cargs, cparams = self.engine.dialect.create_connect_args(self.engine.url)

        def connect() -> Any:
            return self.engine.dialect.connect(*cargs, **cparams)

        listener = notify.ChangeListener(connect, self.instance_id, on_notice)
        listener.start()
        return listener

    def dispose(self) -> None:
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"Database({self.engine.url.render_as_string(hide_password=True)})"


def translate_operational_error(exc: SADatabaseError) -> StorageError:
    text = str(exc.orig).lower() if exc.orig else str(exc).lower()
    if "locked" in text or "busy" in text:
        return StorageError(
            "数据库正被其他程序占用,暂时无法写入。",
            hint="请稍候再试,或关闭其他打开此数据库的程序。",
        )
    if "disk is full" in text or "database or disk is full" in text:
        return StorageError(
            "磁盘空间已满,未能保存。", hint="请清理磁盘空间后重试,已保存的数据不受影响。"
        )
    if "readonly" in text or "read-only" in text:
        return StorageError(
            "数据库文件是只读的,无法保存。", hint="请检查文件权限或换一个可写的位置。"
        )
    # SQLite's own words for damage (SQLITE_CORRUPT, SQLITE_NOTADB); "malformed" alone
    # would also catch a JSON function's complaint.
    if "disk image is malformed" in text or "not a database" in text:
        return DatabaseCorruptError("数据库文件已损坏,为保护数据已禁止写入。", hint=DAMAGED_HINT)
    return StorageError(f"数据库操作失败:{exc.orig or exc}")


def _parse_url(text: str) -> URL:
    try:
        return make_url(text)
    except Exception as exc:  # ArgumentError, ValueError (a port that is no number)
        raise StorageError(
            "数据库服务器的 URL 写得不对。",
            hint="应写成 postgresql+psycopg://用户@服务器:端口/数据库,选项跟在 ? 后,"
            "如 ?sslmode=require。",
        ) from exc


def _make_engine(
    target: str | Path, *, create: bool, key: bytes | None
) -> tuple[Engine, Path | None]:
    text = str(target)
    if _looks_like_url(text):
        url = _parse_url(text)
        if url.get_backend_name() != "sqlite":
            try:
                return create_engine(url, pool_pre_ping=True), None
            except ImportError as exc:  # the standalone bundle leaves the driver out
                raise StorageError(
                    f"这个版本的 gridvisit 不含 {url.get_backend_name()} 数据库驱动。",
                    hint="街道服务器数据库请在装有 Python 的电脑上用 pip install gridvisit 安装后使用。",
                ) from exc
        path = Path(url.database or "")
    else:
        path = Path(text)
    path = path.expanduser().resolve()
    _check_sqlite_file(path, create=create, key=key)
    if create and not path.exists():
        create_private_file(path)
    tighten_database_files(path)
    connect_args = {"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000}
    if key is None:
        engine = create_engine(f"sqlite:///{path}", connect_args=connect_args)
    else:
        url = URL.create("sqlite+pysqlcipher", password=f"x'{key.hex()}'", database=str(path))
        engine = create_engine(url, connect_args=connect_args)
    _install_sqlite_hooks(engine, encrypted=key is not None)
    return engine, path


def migration_pending(engine: Engine) -> bool:
    """Whether the database is not at HEAD_REVISION (a new file, an older or a newer one)."""
    with engine.connect() as conn:
        current = stored_revision(conn)
        conn.rollback()
    return current != HEAD_REVISION


def _migrate(engine: Engine, path: Path | None, *, backup: bool, key: bytes | None) -> None:
    with engine.connect() as conn:
        current = stored_revision(conn)
        conn.rollback()
    if current == HEAD_REVISION:
        return  # the usual open: Alembic is never imported
    from alembic import command

    head = head_revision()
    with engine.connect() as conn:
        has_tables = bool(set(inspect(conn).get_table_names()) - {"alembic_version"})
        conn.rollback()
    if current == head:
        return
    if current is not None and current not in known_revisions():
        raise DatabaseTooNewError(
            f"此数据库由更新版本的 gridvisit 写入(架构版本 {current}),当前程序无法打开。",
            hint="请升级 gridvisit 后再打开,数据库文件未做任何改动。",
        )
    if current is None and has_tables:
        raise NotADatabaseError(
            "这是一个 SQLite 文件,但不是 gridvisit 数据库。",
            hint="请选择 gridvisit 创建的数据库文件。",
        )
    if backup and current is not None and path is not None:
        create_backup(path, key, Reason.MIGRATE)
    with engine.connect() as conn:
        driver = conn.connection.driver_connection
        assert driver is not None  # a checked-out connection always has its driver's
        if engine.dialect.name == "sqlite":
            # Table rebuilds in batch migrations must not cascade; pragma only works
            # outside a transaction, so it goes straight to the driver connection.
            driver.execute("PRAGMA foreign_keys = OFF")
        if engine.dialect.name == "postgresql":
            # Two first runs against a new server must not both create the tables:
            # the second waits here, then finds the schema at head and does nothing.
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATE_LOCK})")
        try:
            command.upgrade(alembic_config(conn), "head")
            conn.commit()
        finally:
            if engine.dialect.name == "sqlite":
                conn.rollback()
                driver.execute("PRAGMA foreign_keys = ON")
    log.info("migrated database from %s to %s", current, head)


def _quick_check(engine: Engine, path: Path, running: Callable[[Any], None] | None = None) -> None:
    """SQLite's quick_check (structure of every page, not index contents): a damaged
    file is stopped here, before migrations or any write touch it. `running` is told
    the DB-API connection while the check runs (and None after), to interrupt it."""
    with engine.connect() as conn:
        if running is not None:
            running(conn.connection.dbapi_connection)
        try:
            rows = [r[0] for r in conn.exec_driver_sql("PRAGMA quick_check(20)")]
        finally:
            if running is not None:
                running(None)
        conn.rollback()
    if rows != ["ok"]:
        log.error("quick_check of %s failed: %s", path, rows)
        raise DatabaseCorruptError(
            f"数据库“{path.name}”已损坏(完整性检查未通过),为保护数据已禁止写入。",
            hint=DAMAGED_HINT,
        )


def _has_identity(engine: Engine) -> bool:
    """Whether opening writes nothing: the device id and the file's binding are there."""
    with engine.connect() as conn:
        found = {
            row[0]
            for row in conn.exec_driver_sql(
                "SELECT key FROM setting WHERE key IN (?, ?)", ("device_id", BINDING_KEY)
            )
        }
        conn.rollback()
    return found == {"device_id", BINDING_KEY}


DAMAGED_HINT = (
    "请从备份恢复:在程序里按提示操作,"
    "或运行 gridvisit backup restore --db 数据库文件 --latest;原文件会保留在备份文件夹里。"
)


def open_database(
    target: str | Path,
    *,
    create: bool = False,
    migrate: bool = True,
    backup: bool = True,
    key: bytes | None = None,
    check: bool = True,
    defer_check: bool = False,
) -> Database:
    """Open (and with `create`, create) the database at a path or SQLAlchemy URL.
    With `key`, the file is a SQLCipher database encrypted with that raw key; the
    caller gets the key from the key store (gridvisit.core.auth). With `check`, a
    SQLite file must pass quick_check first.

    With `defer_check` the quick_check (a second or more on a big encrypted file) is
    left to `Database.run_pending_check`, which the caller runs in the background:
    the database comes back with its writes held (`hold_writes`) until the caller
    calls `release_writes`, so damage is still found before anything is written.
    An open that must write at once (a migration, a file without its device
    identity) checks first, as without `defer_check`."""
    engine, path = _make_engine(target, create=create, key=key)
    try:
        deferred = (
            defer_check
            and check
            and path is not None
            and not (migrate and migration_pending(engine))
            and _has_identity(engine)
        )
        if check and path is not None and not deferred:
            _quick_check(engine, path)
        if path is None and not create and _server_schema_missing(engine):
            raise server_not_initialised(target)
        if migrate:
            try:
                _migrate(engine, path, backup=backup, key=key)
            except SADatabaseError as exc:
                if path is None and getattr(exc.orig, "sqlstate", None) == INSUFFICIENT_PRIVILEGE:
                    if _server_schema_missing(engine):  # a role that may not create tables
                        raise server_not_initialised(target) from exc
                    raise StorageError(
                        f"服务器数据库“{server_label(target)}”需要升级到本程序的架构版本 "
                        f"{HEAD_REVISION},但这个登录角色无权修改表结构。",
                        hint="请由数据库所有者运行 gridvisit server upgrade --db 所有者的URL --grant"
                        "(见 README 的“街道服务器”一节),数据库未做任何改动。",
                    ) from exc
                raise
        db = Database(engine, path=path, key=key)
        if deferred:
            db.check_pending = True
            db.hold_writes()
        with db.read_session() as s:
            s.execute(select(Setting).limit(1))
        return db
    except SADatabaseError as exc:
        engine.dispose()
        text = str(exc.orig or exc).lower()
        if key is not None and ("not a database" in text or "file is encrypted" in text):
            raise EncryptedDatabaseError(
                f"数据库“{target}”无法用它的密钥文件解密。",
                hint="密钥文件和数据库不是同一套;请把同一次备份的两个文件放在一起。",
            ) from exc
        if "not a database" in text or "file is encrypted" in text:
            raise NotADatabaseError(f"“{target}”不是可读的数据库文件。") from exc
        if "malformed" in text:
            raise DatabaseCorruptError(
                f"数据库“{Path(str(target)).name}”已损坏,为保护数据已禁止写入。", hint=DAMAGED_HINT
            ) from exc
        if path is None and isinstance(exc, OperationalError):
            raise server_error(target, exc) from exc
        if isinstance(exc, OperationalError):
            raise translate_operational_error(exc) from exc
        raise
    except BaseException:
        engine.dispose()
        raise


def server_label(target: str | Path) -> str:
    """A server URL as shown to people: its password hidden."""
    text = str(target)
    if not _looks_like_url(text):
        return text
    try:
        return make_url(text).render_as_string(hide_password=True)
    except Exception:  # not a URL SQLAlchemy can read: show nothing of it
        return "数据库服务器"


def server_error(target: str | Path, exc: SADatabaseError) -> StorageError:
    """A server that cannot be reached or refuses the login, in Chinese, with the
    server's own first line (libpq's: wrong password, no SSL, refused)."""
    detail = str(exc.orig or exc).strip().splitlines()
    return StorageError(
        f"无法连接数据库服务器“{server_label(target)}”:{detail[0] if detail else exc}",
        hint="请检查 URL 里的服务器地址、端口、数据库名、用户名和密码,以及 sslmode 等连接选项;"
        "服务器是否在运行,防火墙是否放行。",
    )


def server_engine(url: str) -> Engine:
    """An engine on a server URL without a `Database` over it (no schema needed): for
    `server init` and `check`, which look at the server before or without the app's
    tables. The caller disposes of it."""
    if not _looks_like_url(url) or _parse_url(url).get_backend_name() == "sqlite":
        raise StorageError(f"“{server_label(url)}”不是数据库服务器的 URL。")
    engine, _path = _make_engine(url, create=False, key=None)
    return engine


def server_not_initialised(target: str | Path) -> DatabaseNotFoundError:
    return DatabaseNotFoundError(
        f"服务器数据库“{server_label(target)}”还没有初始化(里面没有 gridvisit 的表)。",
        hint="请由数据库所有者先运行 gridvisit server init --db URL --admin 用户名"
        "(见 README 的“街道服务器”一节)。",
    )


def _server_schema_missing(engine: Engine) -> bool:
    """A server database without any of our tables (not yet `server init`)."""
    with engine.connect() as conn:
        missing = not inspect(conn).has_table("alembic_version")
        conn.rollback()
    return missing
