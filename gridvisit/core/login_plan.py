"""What opening a database needs before anyone types a password: the decision the
window (`app._login_gui`) and the commands (`cli/session.py`) share.

`plan_login` finishes a restore that was interrupted, refuses what cannot be a
database file, and says whether the file must be created with its first
administrator, needs its first administrator (a plain file from before logins), is
missing, or is logged in to, and as whom by default. Each front end then asks in
its own way (a dialog, a prompt or environment variables) and calls
`core.auth` (docs/architecture.md#the-command-line).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from gridvisit.core.auth import needs_first_admin, plain_file_needs_first_admin
from gridvisit.core.errors import DatabaseCorruptError
from gridvisit.storage.backups import finish_interrupted_restore
from gridvisit.storage.engine import (
    check_database_file,
    is_encrypted_database,
    is_plain_sqlite,
    not_a_regular_file,
    open_database,
)
from gridvisit.storage.keystore import KeyStore, keys_path

DEFAULT_USER = "admin"


class Step(StrEnum):
    CREATE = "create"  # no file yet (or an empty one): create it with its first admin
    FIRST_ADMIN = "first_admin"  # a plain file nobody has a password for yet
    MISSING = "missing"  # no file, and the caller may not create one
    LOGIN = "login"  # an existing database, or a server URL: log in


@dataclass(frozen=True)
class LoginPlan:
    step: Step
    path: Path | None  # the resolved file; None for a server URL
    user: str  # who logs in unless someone says otherwise
    plain: bool  # an existing unencrypted SQLite file


def local_path(target: str | Path) -> Path | None:
    text = str(target)
    if "://" in text:
        return None
    return Path(text).expanduser().resolve()


def default_user(target: str | Path, explicit: str | None = None) -> str:
    """`explicit` if given; else the only user with a key slot on an encrypted file;
    else "admin"."""
    if explicit:
        return explicit
    path = local_path(target)
    if path is not None and is_encrypted_database(path):
        slots = list(KeyStore.load(keys_path(path)).slots)
        if len(slots) == 1:
            return slots[0]
    return DEFAULT_USER


def plan_login(
    target: str | Path, *, create: bool, user: str | None = None, first_admin: bool = False
) -> LoginPlan:
    """What opening `target` needs. `create`: a missing file may be created. With
    `first_admin`, a plain file is opened to see whether anybody has a password yet
    (only a caller that can set one up asks; the others get the login's own answer).
    Raises StorageError for a path that cannot be a database (a pipe, a folder, a file
    that is neither SQLite nor encrypted with its key file) before any password."""
    path = local_path(target)
    if path is None:
        return LoginPlan(Step.LOGIN, None, user or DEFAULT_USER, plain=False)
    finish_interrupted_restore(path)  # the file may be missing only because of it
    if path.exists() and not path.is_file() and not path.is_dir():
        raise not_a_regular_file(path)  # a pipe would hang the first read
    fresh = not path.exists() or path.stat().st_size == 0
    if fresh:
        step = Step.CREATE if create else Step.MISSING
        return LoginPlan(step, path, user or DEFAULT_USER, plain=False)
    if not is_encrypted_database(path):
        # Neither plain nor encrypted with its key file: say what it is before asking
        # anyone for a password.
        check_database_file(path)
    plain = is_plain_sqlite(path)
    step = Step.LOGIN
    if plain and first_admin:
        found = plain_file_needs_first_admin(path)  # one read, no second open
        if found is None:  # not answerable from one read: open (and check) the file
            try:
                probe = open_database(path)
            except DatabaseCorruptError:
                probe = None  # the login says so (and the window offers a backup)
            if probe is not None:
                try:
                    found = needs_first_admin(probe)
                finally:
                    probe.dispose()
        if found:
            step = Step.FIRST_ADMIN
    return LoginPlan(step, path, default_user(path, user), plain=plain)
