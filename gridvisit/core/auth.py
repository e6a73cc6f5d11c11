"""Passwords, login and unlocking a database.

A user logs in to one database file. For an encrypted database the password first
opens the user's key slot (storage/keystore.py), which yields the SQLCipher key; then,
for every file, the password is checked against the user's argon2id hash in the
database (a slot that opens is no proof: see `_check_user`). Failed
attempts are counted in a small file outside the database (it must work before the
database can be read) and each one past the third doubles a waiting time.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from gridvisit.core.clock import utcnow
from gridvisit.core.enums import Role
from gridvisit.core.errors import (
    AuditTailError,
    AuthError,
    EncryptedDatabaseError,
    GridVisitError,
    StorageError,
    ValidationError,
)
from gridvisit.core.passwords import FREE_ATTEMPTS as FREE_ATTEMPTS
from gridvisit.core.passwords import HASHER as HASHER
from gridvisit.core.passwords import MAX_WAIT_SECONDS as MAX_WAIT_SECONDS
from gridvisit.core.passwords import MIN_PASSWORD as MIN_PASSWORD
from gridvisit.core.passwords import LoginThrottle as LoginThrottle
from gridvisit.core.passwords import check_new_password as check_new_password
from gridvisit.core.passwords import default_throttle as default_throttle
from gridvisit.core.passwords import hash_password as hash_password
from gridvisit.core.passwords import password_matches as password_matches
from gridvisit.core.records import Actor
from gridvisit.core.recovery import daily_backup
from gridvisit.storage.audit import append_audit
from gridvisit.storage.backups import (
    encrypt_plain_backups,
    finish_interrupted_restore,
    list_backups,
)
from gridvisit.storage.engine import (
    Database,
    encrypt_in_place,
    is_encrypted_database,
    is_plain_sqlite,
    open_database,
)
from gridvisit.storage.keystore import (
    KeyStore,
    Slot,
    keys_path,
)
from gridvisit.storage.models import User

log = logging.getLogger(__name__)

FIRST_ADMIN_LOCK = 0x677661646D696E  # pg_advisory_xact_lock key ("gvadmin")
_WRONG = "用户名或密码不正确。"
_WRONG_HINT = "请重新输入;注意大小写和输入法。"


@dataclass
class Login:
    db: Database
    actor: Actor
    # Things to tell the user once logged in (a daily backup that failed).
    warnings: list[str] = field(default_factory=list)
    # A login with `defer_checks`: what `finish_login` still has to do it with (the
    # user name and password, for the login's audit entry and old plain backups).
    pending: tuple[str, str] | None = field(default=None, repr=False)


def actor_for(user: User) -> Actor:
    return Actor(user.id, user.username, user.display_name, Role(user.role))


def _local_path(target: str | Path) -> Path | None:
    text = str(target)
    if "://" in text:
        return None
    return Path(text).expanduser().resolve()


def _has_password(s: Session) -> bool:
    return (
        s.scalar(select(User.id).where(User.active, User.password_hash != "").limit(1)) is not None
    )


def _audit_user(s: Session, db: Database, user: User, action: str, **detail: object) -> None:
    append_audit(
        s,
        at=utcnow(),
        device=db.device_id,
        actor_id=user.id,
        actor_name=user.username,
        action=action,
        entity="app_user",
        entity_uuid=user.uuid,
        detail=dict(detail),
    )


def _check_user(db: Database, username: str, password: str) -> tuple[Actor, list[str]]:
    """The password against the user's stored argon2id hash, always. An opened key
    slot proves nothing about the user: anyone who holds the database key (any user
    of an encrypted file) can seal it into another user's slot under a password of
    their choosing. The hash lives inside the encrypted database, out of their reach
    without a deliberate edit of the file."""
    with db.session() as s:
        user = _known_user(s, username, password)
        return actor_for(user), _record_login_in(s, db, user, password)


def _known_user(s: Session, username: str, password: str) -> User:
    user = s.scalar(select(User).where(User.username == username))
    known = user is not None and password_matches(user.password_hash, password)
    if user is None or not user.active or not known:
        if user is not None and user.active and not user.password_hash:
            raise AuthError(
                f"用户“{username}”还没有设置密码。",
                hint="请由管理员先为其设置密码(gridvisit user passwd)。",
            )
        raise AuthError(_WRONG, hint=_WRONG_HINT)
    return user


def _record_login_in(s: Session, db: Database, user: User, password: str) -> list[str]:
    """The login's writes: a stronger hash if the parameters changed, the audit entry."""
    if HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    warnings = []
    try:
        _audit_user(s, db, user, "user.login", encrypted=db.encrypted)
    except AuditTailError as exc:
        # Nobody is locked out of what is saved: they log in and can read; every
        # change is refused with the same words until an admin settles the tail.
        warnings.append(f"{exc.message}{exc.hint}")
    return warnings


def _verify_user(db: Database, username: str, password: str) -> Actor:
    """`_check_user` without its writes (a deferred open: they wait for the check)."""
    with db.read_session() as s:
        return actor_for(_known_user(s, username, password))


def finish_login(login: Login, *, cancelled: Callable[[], bool] = lambda: False) -> list[str]:
    """What a login with `defer_checks` left to do, on any thread while the window is
    up: quick_check, then the login's own writes, old plain backups, the daily backup.
    The database's writes are held until this returns (other threads' writes wait).
    Raises DatabaseCorruptError when the file is damaged: nothing has been written
    and every later write is refused. Returns the warnings to show."""
    db = login.db
    pending, login.pending = login.pending, None
    if pending is None:
        return []
    username, password = pending
    db.claim_writes()
    try:
        db.run_pending_check()
        with db.session() as s:
            user = s.scalar(select(User).where(User.username == username))
            if user is None:  # gone in between: nothing to record
                return []
            warnings = _record_login_in(s, db, user, password)
        warnings += [
            w
            for w in (
                _encrypt_old_backups(db, username, password),
                daily_backup(db, cancelled=cancelled),
            )
            if w
        ]
        return warnings
    finally:
        db.release_writes()


def login(
    target: str | Path,
    username: str,
    password: str,
    *,
    encrypted: bool,
    throttle: LoginThrottle,
    defer_checks: bool = False,
) -> Login:
    """Open an existing database as `username`. `encrypted` is what the user asked for:
    False only with an explicit --no-encryption.

    With `defer_checks` (the window: issue 18) the login returns before the file's
    quick_check and the daily backup; its writes are held until `finish_login` has
    run them (the caller runs it in the background). A file that must be written at
    once (a migration) is checked first as usual."""
    path = _local_path(target)
    key_text = str(path or target)
    throttle.check(key_text, username)
    if path is not None:
        finish_interrupted_restore(path)
    key: bytes | None = None
    if path is not None and is_encrypted_database(path):
        if not encrypted:
            raise EncryptedDatabaseError(
                f"数据库“{path.name}”已加密,不能用 --no-encryption 打开。",
                hint="去掉 --no-encryption,输入密码即可打开。",
            )
        key = unlock_key(path, username, password, throttle)
    elif path is not None and encrypted and is_plain_sqlite(path):
        raise EncryptedDatabaseError(
            f"数据库“{path.name}”没有加密。",
            hint="如确需打开未加密的文件,请加 --no-encryption;"
            "或先用 gridvisit encrypt 把它转为加密数据库。",
        )
    db = open_database(target, key=key, defer_check=defer_checks)
    deferred = db.check_pending
    try:
        warnings: list[str]
        if deferred:
            actor, warnings = _verify_user(db, username, password), []
        else:
            actor, warnings = _check_user(db, username, password)
    except AuthError:
        db.dispose()
        throttle.failed(key_text, username)
        raise
    except BaseException:
        db.dispose()
        raise
    throttle.succeeded(key_text, username)
    if deferred:
        return Login(db, actor, warnings, pending=(username, password))
    warnings += [w for w in (_encrypt_old_backups(db, username, password), daily_backup(db)) if w]
    return Login(db, actor, warnings)


def _encrypt_old_backups(db: Database, username: str, password: str) -> str | None:
    """Plain backups beside an encrypted database (left by `encrypt` before it took
    them along, or copied in) are encrypted at the first login of one of their users.
    Returns a warning when that failed; a login never fails over it."""
    if (
        db.path is None
        or db.key is None
        or not any(not b.encrypted and is_plain_sqlite(b.path) for b in list_backups(db.path))
    ):
        return None
    key = db.key
    with db.read_session() as s:
        password_hash = s.scalar(select(User.password_hash).where(User.username == username))
    slots: list[Slot] = []  # sealed once, and only if some copy is converted

    def write_keys(backup: Path) -> None:
        if not slots:
            slots.append(Slot.seal(username, password, key))
        KeyStore(keys_path(backup), {username: slots[0]}).save()

    try:
        encrypt_plain_backups(db.path, key, username, password_hash or "", write_keys)
    except (GridVisitError, OSError) as exc:
        log.warning("could not encrypt old backups of %s: %s", db.path, exc)
        return f"备份文件夹里未加密的旧备份没能加密:{exc}"
    return None


def unlock_key(path: Path, username: str, password: str, throttle: LoginThrottle) -> bytes:
    """The key of an encrypted database from the user's slot, without opening the
    database (which `gridvisit check` must not write to). Failures count."""
    key_text = str(path)
    throttle.check(key_text, username)
    try:
        key = KeyStore.load(keys_path(path)).unlock(username, password)
    except AuthError:
        throttle.failed(key_text, username)
        raise
    return key


def plain_file_needs_first_admin(path: Path) -> bool | None:
    """`needs_first_admin` for a plain file, from one read outside the engine (the
    window's start must not open, check and migrate the file twice). None when one
    read cannot tell (an old schema, a damaged file): then open it and ask."""
    import sqlite3

    try:
        # Read-only: before quick_check nothing may write, not even a WAL checkpoint.
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        row = conn.execute(
            "SELECT 1 FROM app_user WHERE active AND password_hash != '' LIMIT 1"
        ).fetchone()
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    return row is None


def needs_first_admin(db: Database) -> bool:
    """True until some active user has a password (a new file, or one from before logins)."""
    with db.read_session() as s:
        return not _has_password(s)


def ensure_first_admin(
    target: str | Path, username: str, display_name: str, password: str, *, create: bool = False
) -> bool:
    """On a plain file or a server database (opened and closed here): if nobody has a
    password yet, make `username` its first administrator. Returns whether it did."""
    db = open_database(target, create=create)
    try:
        if not needs_first_admin(db):
            return False
        try:
            set_first_admin(db, username, display_name, password)
        except AuthError:  # another run on the same server made it first
            return False
        return True
    finally:
        db.dispose()


def init_server(url: str, username: str, display_name: str, password: str) -> Actor:
    """`gridvisit server init`: the schema and the first sub-district administrator of
    an empty server database. Refuses, before writing anything, a weak password, a
    blank name and a database that has tables already (run by the owner role)."""
    from gridvisit.storage.engine import server_label
    from gridvisit.storage.server import schema_tables

    check_new_password(password)
    if not username.strip():
        raise ValidationError({"username": "请填写用户名"})
    found = schema_tables(url)
    if found:
        raise StorageError(
            f"服务器数据库“{server_label(url)}”不是空的(已有 {len(found)} 张表,"
            f"如 {'、'.join(found[:3])}),不会初始化。",
            hint="server init 只用于新建的空数据库;已初始化的数据库请直接登录使用。",
        )
    db = open_database(url, create=True)
    try:
        return set_first_admin(db, username, display_name, password)
    finally:
        db.dispose()


def create_database(
    target: Path,
    username: str,
    display_name: str,
    password: str,
    *,
    encrypted: bool,
) -> Login:
    """A new database file with its first sub-district administrator."""
    check_new_password(password)
    target = Path(target).expanduser().resolve()
    if target.exists() and target.stat().st_size > 0:
        raise StorageError(f"文件“{target}”已存在,不会覆盖。", hint="请换一个文件名。")
    key = None
    if encrypted:
        _store, key = KeyStore.create(keys_path(target), username, password)
    try:
        db = open_database(target, create=True, key=key)
    except BaseException:
        if encrypted:
            keys_path(target).unlink(missing_ok=True)
        raise
    actor = set_first_admin(db, username, display_name, password)
    return Login(db, actor)


def set_first_admin(db: Database, username: str, display_name: str, password: str) -> Actor:
    """Give a database without any password its first administrator: the existing
    first sub-district admin (from before logins) or a new one."""
    check_new_password(password)
    username = username.strip()
    if not username:
        raise ValidationError({"username": "请填写用户名"})
    with db.session() as s:
        if s.get_bind().dialect.name == "postgresql":
            # Two first runs against a new server: the second waits, then finds the
            # first one's administrator (SQLite's writer lock does this there).
            s.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": FIRST_ADMIN_LOCK})
        if _has_password(s):
            raise AuthError("此数据库已经有管理员了。", hint="请用已有的账号登录。")
        user = s.scalar(
            select(User)
            .where(User.role == Role.SUBDISTRICT_ADMIN.value, User.active)
            .order_by(User.id)
            .limit(1)
        )
        clash = s.scalar(select(User).where(User.username == username))
        if clash is not None and clash is not user:
            raise ValidationError({"username": f"用户名“{username}”已被其他用户使用"})
        if user is None:
            user = User(username=username, display_name="", role=Role.SUBDISTRICT_ADMIN.value)
            s.add(user)
        user.username = username
        user.display_name = display_name.strip() or user.display_name or username
        user.password_hash = hash_password(password)
        s.flush()
        _audit_user(s, db, user, "user.first_admin")
        actor = actor_for(user)
    if db.encrypted and db.path is not None:
        store = KeyStore.load(keys_path(db.path))
        assert db.key is not None
        store.set_slot(username, password, db.key)
    return actor


@dataclass
class Encrypted:
    """What `encrypt_database` did."""

    others: list[str]  # users who need a new password (set by an admin)
    backups: list[Path]  # backups encrypted along with the database
    left_plain: list[Path]  # files in the backup folder that could not be encrypted


def encrypt_database(
    path: Path, username: str, password: str, *, throttle: LoginThrottle
) -> Encrypted:
    """Convert a plain database file to an encrypted one in place, with every backup
    in its backup folder (a plain copy left there would give away what encryption
    protects, and could be restored over the encrypted file).

    The backups go first, each encrypted in place under the new key with its own key
    file; then the encrypted copy of the database is written beside the file through
    `sqlcipher_export` and its key file is written; only then does the copy replace
    the original, so an interruption leaves the plain file as it was (and running
    `encrypt` again finishes the job). The old files' blocks are not wiped from the
    disk (an SSD may keep them anyway)."""
    path = Path(path).expanduser().resolve()
    if not is_plain_sqlite(path):
        raise EncryptedDatabaseError(
            f"“{path.name}”不是未加密的数据库,无需转换。", hint="已加密的数据库直接用密码打开。"
        )
    # Only a user of this database may convert it; the password checked here
    # becomes the first key slot.
    probe = login(path, username, password, encrypted=False, throttle=throttle)
    try:
        with probe.db.read_session() as s:
            password_hash = s.scalar(select(User.password_hash).where(User.username == username))
            others = sorted(
                s.scalars(
                    select(User.username).where(
                        User.username != username, User.active, User.password_hash != ""
                    )
                )
            )
    finally:
        probe.db.dispose()
    key = os.urandom(32)
    slot = Slot.seal(username, password, key)
    converted = encrypt_plain_backups(
        path,
        key,
        username,
        password_hash or "",
        lambda backup: KeyStore(keys_path(backup), {username: slot}).save(),
    )
    encrypt_in_place(path, key, KeyStore(keys_path(path), {username: slot}).save)
    return Encrypted(others, converted.encrypted, converted.left_plain)
