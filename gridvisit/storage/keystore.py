"""Key slots of an encrypted database, kept in a `<name>.db.keys` file beside it.

The database is encrypted (SQLCipher) with one random 256-bit key. Each user holds a
slot: that key encrypted (AES-256-GCM) under a key derived from the user's password
with argon2id. Several users can share a laptop, and a password change rewrites one
slot instead of re-encrypting the database. The file holds no personal data: user
names, salts and wrapped keys only. It cannot live inside the database, which cannot
be read before a slot is opened.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from gridvisit.core import safe_json
from gridvisit.core.errors import AuthError, EncryptedDatabaseError
from gridvisit.core.files import InputFileError, read_limited, write_atomically

KEYS_SUFFIX = ".keys"
FORMAT = "gridvisit-keys"
KEY_BYTES = 32
# OWASP Password Storage Cheat Sheet, argon2id: m=19 MiB, t=2, p=1.
ARGON2_TIME = 2
ARGON2_MEMORY_KIB = 19456
ARGON2_PARALLELISM = 1
# What a slot read from the file may ask for. The file is not protected (anyone who
# can write beside the database can edit it): without bounds, a slot could make a
# login run for hours or allocate terabytes. These leave room for stronger settings
# later (a login then still takes a few seconds at most) and refuse the rest.
TIME_COST_RANGE = range(1, 11)
MEMORY_KIB_RANGE = range(8 * 1024, 256 * 1024 + 1)  # 8 MiB to 256 MiB
LANES_RANGE = range(1, 9)
MAX_KEYS_FILE = 1024 * 1024  # a slot is about 200 bytes


def keys_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + KEYS_SUFFIX)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def derive_key(password: str, salt: bytes, *, time_cost: int, memory_kib: int, lanes: int) -> bytes:
    return hash_secret_raw(
        password.encode("utf-8"),
        salt,
        time_cost=time_cost,
        memory_cost=memory_kib,
        parallelism=lanes,
        hash_len=KEY_BYTES,
        type=Type.ID,
    )


@dataclass(frozen=True)
class Slot:
    salt: str
    nonce: str
    wrapped: str
    time_cost: int = ARGON2_TIME
    memory_kib: int = ARGON2_MEMORY_KIB
    lanes: int = ARGON2_PARALLELISM

    @classmethod
    def seal(cls, username: str, password: str, db_key: bytes) -> Slot:
        salt, nonce = os.urandom(16), os.urandom(12)
        kek = derive_key(
            password,
            salt,
            time_cost=ARGON2_TIME,
            memory_kib=ARGON2_MEMORY_KIB,
            lanes=ARGON2_PARALLELISM,
        )
        wrapped = AESGCM(kek).encrypt(nonce, db_key, _aad(username))
        return cls(_b64(salt), _b64(nonce), _b64(wrapped))

    def problem(self) -> str | None:
        """Why this slot (as read from the file) cannot be used, or None."""
        for name, value, allowed in (
            ("time_cost", self.time_cost, TIME_COST_RANGE),
            ("memory_kib", self.memory_kib, MEMORY_KIB_RANGE),
            ("lanes", self.lanes, LANES_RANGE),
        ):
            if type(value) is not int or value not in allowed:
                return f"参数 {name} 超出范围"
        if self.memory_kib < 8 * self.lanes:
            return "参数 memory_kib 超出范围"
        try:
            lengths = (len(_unb64(self.salt)), len(_unb64(self.nonce)), len(_unb64(self.wrapped)))
        except (ValueError, TypeError, AttributeError):
            return "内容不是有效的 base64"
        if not (16 <= lengths[0] <= 64 and lengths[1] == 12 and lengths[2] == KEY_BYTES + 16):
            return "长度不对"
        return None

    def open(self, username: str, password: str) -> bytes:
        if self.problem() is not None:  # load() refuses such slots; never run argon2 on one
            raise EncryptedDatabaseError("密钥文件已损坏,无法读取。", hint=_DAMAGED_HINT)
        kek = derive_key(
            password,
            _unb64(self.salt),
            time_cost=self.time_cost,
            memory_kib=self.memory_kib,
            lanes=self.lanes,
        )
        try:
            return AESGCM(kek).decrypt(_unb64(self.nonce), _unb64(self.wrapped), _aad(username))
        except InvalidTag:
            raise AuthError(
                "用户名或密码不正确。", hint="请重新输入;注意大小写和输入法。"
            ) from None


_DAMAGED_HINT = "请从备份恢复数据库和它的密钥文件(两者一起)。"


def _aad(username: str) -> bytes:
    # Binds a slot to its user: a slot copied under another name does not open.
    return f"gridvisit-db-key\x00{username}".encode()


class KeyStore:
    """The slots of one database. Every change is written atomically at once."""

    def __init__(self, path: Path, slots: dict[str, Slot]) -> None:
        self.path = path
        self.slots = slots

    @classmethod
    def create(cls, path: Path, username: str, password: str) -> tuple[KeyStore, bytes]:
        db_key = os.urandom(KEY_BYTES)
        store = cls(path, {username: Slot.seal(username, password, db_key)})
        store.save()
        return store, db_key

    @classmethod
    def load(cls, path: Path) -> KeyStore:
        if not path.exists() and not path.is_symlink():
            raise EncryptedDatabaseError(
                f"数据库已加密,但找不到它的密钥文件“{path.name}”。",
                hint="密钥文件必须和数据库文件放在同一个文件夹;请从拷贝数据库的地方一并拷来。",
            )
        try:
            raw = safe_json.loads(read_limited(path, MAX_KEYS_FILE, what="密钥文件"))
            if raw.get("format") != FORMAT or raw.get("version") != 1:
                raise ValueError("format")
            slots = {str(name): Slot(**fields) for name, fields in raw["slots"].items()}
        except InputFileError as exc:
            raise EncryptedDatabaseError(
                f"密钥文件“{path.name}”无法读取:{exc.message}", hint=_DAMAGED_HINT
            ) from None
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
            raise EncryptedDatabaseError(
                f"密钥文件“{path.name}”已损坏,无法读取。", hint=_DAMAGED_HINT
            ) from exc
        for name, slot in slots.items():
            problem = slot.problem()
            if problem is not None:
                raise EncryptedDatabaseError(
                    f"密钥文件“{path.name}”已损坏:用户“{name[:32]}”的密钥槽{problem}。",
                    hint=_DAMAGED_HINT,
                )
        return cls(path, slots)

    def save(self) -> None:
        body = {
            "format": FORMAT,
            "version": 1,
            "slots": {name: asdict(slot) for name, slot in sorted(self.slots.items())},
        }
        data = json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8")
        write_atomically(self.path, lambda fh: fh.write(data))

    def unlock(self, username: str, password: str) -> bytes:
        slot = self.slots.get(username)
        if slot is None:
            # Same words as a wrong password: do not tell which user names exist.
            raise AuthError("用户名或密码不正确。", hint="请重新输入;注意大小写和输入法。")
        return slot.open(username, password)

    def set_slot(self, username: str, password: str, db_key: bytes) -> None:
        self.slots[username] = Slot.seal(username, password, db_key)
        self.save()

    def remove_slot(self, username: str) -> None:
        if self.slots.pop(username, None) is not None:
            self.save()

    def as_dict(self) -> dict[str, Any]:
        return {name: asdict(slot) for name, slot in self.slots.items()}
