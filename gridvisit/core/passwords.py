"""Passwords and failed attempts: argon2id hashes at OWASP's parameters, the rules for
a new password, and the throttle that makes each failed login past the third wait
twice as long (kept in a small file outside the database, since it must work before
the database can be read). Used by login (core/auth.py) and restore
(core/recovery.py), neither of which the other needs for it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from gridvisit.core import safe_json
from gridvisit.core.clock import utcnow
from gridvisit.core.errors import AuthError, GridVisitError, ValidationError
from gridvisit.core.files import read_limited, write_atomically
from gridvisit.storage.keystore import ARGON2_MEMORY_KIB, ARGON2_PARALLELISM, ARGON2_TIME

MIN_PASSWORD = 8
FREE_ATTEMPTS = 3
MAX_WAIT_SECONDS = 300

HASHER = PasswordHasher(
    time_cost=ARGON2_TIME, memory_cost=ARGON2_MEMORY_KIB, parallelism=ARGON2_PARALLELISM
)


def check_new_password(password: str, field: str = "password") -> None:
    reason = ""
    if len(password) < MIN_PASSWORD:
        reason = f"密码至少要 {MIN_PASSWORD} 个字符"
    elif len(set(password)) < 3:
        reason = "密码太简单:请混用字母、数字或符号"
    elif password.strip() != password:
        reason = "密码的开头和结尾不能是空格"
    if reason:
        raise ValidationError({field: reason})


# Letters and digits that cannot be misread when written on a slip of paper (no 0/O,
# 1/l/I): what an admin hands a new user.
_HANDOUT = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def generate_password(length: int = 10) -> str:
    """A random initial password that passes `check_new_password`."""
    import secrets

    while True:
        candidate = "".join(secrets.choice(_HANDOUT) for _ in range(max(length, MIN_PASSWORD)))
        if len(set(candidate)) >= 3 and any(c.isdigit() for c in candidate):
            return candidate


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def password_matches(stored: str, password: str) -> bool:
    if not stored:
        return False
    try:
        return HASHER.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


class LoginThrottle:
    """Failed logins per database and user name, kept in a JSON file."""

    def __init__(self, path: Path, clock: Callable[[], datetime] = utcnow) -> None:
        self.path = path
        self.clock = clock

    def _load(self) -> dict[str, dict[str, float]]:
        try:
            data = safe_json.loads(read_limited(self.path, 1 << 20, what="登录记录"))
        except (GridVisitError, ValueError):
            return {}
        if not isinstance(data, dict):
            return {}
        return {
            k: v
            for k, v in data.items()
            if isinstance(v, dict)
            and isinstance(v.get("failures"), int)
            and isinstance(v.get("last"), int | float)
        }

    def _save(self, data: dict[str, dict[str, float]]) -> None:
        body = json.dumps(data).encode("utf-8")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(self.path, lambda fh: fh.write(body))
        except OSError:
            pass  # a read-only profile must not stop a login

    @staticmethod
    def _key(target: str, username: str) -> str:
        return hashlib.sha256(f"{target}\x00{username}".encode()).hexdigest()[:32]

    def wait_seconds(self, target: str, username: str) -> int:
        entry = self._load().get(self._key(target, username))
        if not entry or entry.get("failures", 0) < FREE_ATTEMPTS:
            return 0
        delay = min(2 ** (int(entry["failures"]) - FREE_ATTEMPTS), MAX_WAIT_SECONDS)
        left = entry["last"] + delay - self.clock().timestamp()
        return max(0, int(left + 0.999))

    def check(self, target: str, username: str) -> None:
        left = self.wait_seconds(target, username)
        if left:
            raise AuthError(
                f"密码连续输错次数过多,请 {left} 秒后再试。",
                hint="如忘记密码,请联系管理员重设。",
            )

    def failed(self, target: str, username: str) -> None:
        data = self._load()
        key = self._key(target, username)
        entry = data.get(key, {"failures": 0})
        data[key] = {"failures": entry.get("failures", 0) + 1, "last": self.clock().timestamp()}
        self._save(data)

    def succeeded(self, target: str, username: str) -> None:
        data = self._load()
        if data.pop(self._key(target, username), None) is not None:
            self._save(data)


def default_throttle() -> LoginThrottle:
    """The throttle file in the user's state folder, shared by the window, the
    commands and restores."""
    from gridvisit import paths

    return LoginThrottle(paths.state_dir() / "login-failures.json")
