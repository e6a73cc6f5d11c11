"""Keys for the exchange: every database has an identity (an Ed25519 key to sign and
an X25519 key to receive), laptops trust their sub-district's public key, and the
sub-district registers the laptops it accepts packages from.

Sealed package ("envelope") layout, after the plain package is built:

    MAGIC | header length (4 bytes, big-endian) | header JSON | ciphertext | signature

The payload is encrypted with AES-256-GCM under a random content key; the content key
is wrapped for each recipient with X25519 + HKDF-SHA256 + AES-256-GCM (an ephemeral
key per recipient). The sender's Ed25519 signature covers every byte before it and is
checked against the key registered for the sending device, never the one in the
header. Private keys live in the database, which is itself encrypted.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select

from gridvisit.core import safe_json
from gridvisit.core.clock import utcnow
from gridvisit.core.errors import PackageSecurityError, ValidationError
from gridvisit.core.files import InputFileError, read_limited, write_file
from gridvisit.exchange.package import Package, read_package
from gridvisit.storage.engine import Database
from gridvisit.storage.models import Device, Setting

MAGIC = b"GVSEALED1\n"
SIGNATURE_LEN = 64
MAX_HEADER = 1 << 20
IDENTITY_KEY = "identity.private"
SUBDISTRICT_KEY = "exchange.subdistrict_public"
PUBLIC_FORMAT = "gridvisit-public-key"
_RAW = serialization.Encoding.Raw, serialization.PublicFormat.Raw
_RAW_PRIVATE = (
    serialization.Encoding.Raw,
    serialization.PrivateFormat.Raw,
    serialization.NoEncryption(),
)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise ValueError("not base64 text")
    return base64.b64decode(text.encode("ascii"), validate=True)


@dataclass(frozen=True)
class PublicKey:
    """What one party hands the other: who it is and its two public keys."""

    device_id: str
    name: str
    sign_public: str
    box_public: str

    @property
    def fingerprint(self) -> str:
        digest = hashlib.sha256(_unb64(self.sign_public) + _unb64(self.box_public)).hexdigest()
        return "-".join(digest[i : i + 4] for i in range(0, 24, 4)).upper()

    def to_json(self) -> str:
        body = {
            "format": PUBLIC_FORMAT,
            "version": 1,
            "device_id": self.device_id,
            "name": self.name,
            "sign_public": self.sign_public,
            "box_public": self.box_public,
            "fingerprint": self.fingerprint,
        }
        return json.dumps(body, ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str, source: str = "公钥文件") -> PublicKey:
        try:
            raw = safe_json.loads(text)
            if raw.get("format") != PUBLIC_FORMAT or raw.get("version") != 1:
                raise ValueError("format")
            key = cls(
                str(raw["device_id"]),
                str(raw.get("name", "")),
                raw["sign_public"],
                raw["box_public"],
            )
            Ed25519PublicKey.from_public_bytes(_unb64(key.sign_public))
            X25519PublicKey.from_public_bytes(_unb64(key.box_public))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ValidationError(
                {"key_file": f"“{source}”不是 gridvisit 公钥文件,或已损坏"}
            ) from exc
        return key


@dataclass(frozen=True)
class Identity:
    device_id: str
    sign: Ed25519PrivateKey
    box: X25519PrivateKey

    def public(self, name: str = "") -> PublicKey:
        return PublicKey(
            self.device_id,
            name,
            _b64(self.sign.public_key().public_bytes(*_RAW)),
            _b64(self.box.public_key().public_bytes(*_RAW)),
        )


def identity(db: Database) -> Identity:
    """This database's key pair, created the first time it is needed (a plain read
    afterwards: seal and unseal ask for it on every package)."""
    value = db.setting(IDENTITY_KEY)
    if value is None:
        with db.session() as s:
            row = s.get(Setting, IDENTITY_KEY)  # another process may have just made it
            if row is None:
                sign, box = Ed25519PrivateKey.generate(), X25519PrivateKey.generate()
                keys = {
                    "sign": _b64(sign.private_bytes(*_RAW_PRIVATE)),
                    "box": _b64(box.private_bytes(*_RAW_PRIVATE)),
                }
                row = Setting(key=IDENTITY_KEY, value=json.dumps(keys))
                s.add(row)
            value = row.value
    raw = json.loads(value)
    return Identity(
        db.device_id,
        Ed25519PrivateKey.from_private_bytes(_unb64(raw["sign"])),
        X25519PrivateKey.from_private_bytes(_unb64(raw["box"])),
    )


MAX_PUBLIC_FILE = 64 * 1024  # a public key file is about 400 bytes


def read_public_file(path: Path) -> PublicKey:
    try:
        text = read_limited(Path(path), MAX_PUBLIC_FILE, what="公钥文件").decode("utf-8")
    except InputFileError as exc:
        raise ValidationError({"key_file": exc.message}) from None
    except UnicodeDecodeError as exc:
        raise ValidationError({"key_file": f"“{Path(path).name}”不是 gridvisit 公钥文件"}) from exc
    return PublicKey.from_json(text, Path(path).name)


def write_public_file(db: Database, path: Path, name: str) -> PublicKey:
    public = identity(db).public(name)
    data = public.to_json().encode("utf-8")
    write_file(Path(path), lambda fh: fh.write(data), what="公钥文件")
    return public


def trust_subdistrict(db: Database, key: PublicKey) -> None:
    db.set_setting(SUBDISTRICT_KEY, key.to_json())


def subdistrict_key(db: Database) -> PublicKey | None:
    value = db.setting(SUBDISTRICT_KEY)
    return PublicKey.from_json(value) if value else None


def register_device(db: Database, key: PublicKey, *, by: str) -> bool:
    """Register (or re-register) a laptop; returns False if it was known with these keys."""
    with db.session() as s:
        row = s.get(Device, key.device_id)
        if (
            row is not None
            and (row.sign_public, row.box_public)
            == (
                key.sign_public,
                key.box_public,
            )
            and row.revoked_at is None
        ):
            return False
        if row is None:
            row = Device(device_id=key.device_id)
            s.add(row)
        row.name = key.name
        row.sign_public, row.box_public = key.sign_public, key.box_public
        row.registered_at, row.registered_by, row.revoked_at = utcnow(), by, None
        return True


def registered_devices(db: Database) -> list[PublicKey]:
    with db.read_session() as s:
        return [
            PublicKey(d.device_id, d.name, d.sign_public, d.box_public)
            for d in s.scalars(
                select(Device).where(Device.revoked_at.is_(None)).order_by(Device.name)
            )
        ]


def _senders(db: Database) -> dict[str, PublicKey]:
    known = {d.device_id: d for d in registered_devices(db)}
    sub = subdistrict_key(db)
    if sub is not None:
        known[sub.device_id] = sub
    return known


# --- sealing ----------------------------------------------------------------------------


def _kek(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=ephemeral + recipient,
        info=b"gridvisit package key v1",
    ).derive(shared)


def seal(db: Database, payload: bytes, recipients: list[PublicKey]) -> bytes:
    me = identity(db)
    cek, nonce = AESGCM.generate_key(bit_length=256), os.urandom(12)
    wrapped = []
    for r in recipients:
        eph = X25519PrivateKey.generate()
        eph_pub = eph.public_key().public_bytes(*_RAW)
        box_pub = _unb64(r.box_public)
        kek = _kek(eph.exchange(X25519PublicKey.from_public_bytes(box_pub)), eph_pub, box_pub)
        wrap_nonce = os.urandom(12)
        wrapped.append(
            {
                "device_id": r.device_id,
                "fingerprint": r.fingerprint,
                "ephemeral": _b64(eph_pub),
                "nonce": _b64(wrap_nonce),
                "key": _b64(AESGCM(kek).encrypt(wrap_nonce, cek, r.fingerprint.encode())),
            }
        )
    header = json.dumps(
        {"sender": me.device_id, "recipients": wrapped, "nonce": _b64(nonce)},
        ensure_ascii=False,
        sort_keys=True,
    ).encode("utf-8")
    head = MAGIC + struct.pack(">I", len(header)) + header
    body = head + AESGCM(cek).encrypt(nonce, payload, head)
    return body + me.sign.sign(body)


def _refuse(name: str, message: str, hint: str = "") -> PackageSecurityError:
    return PackageSecurityError(
        f"数据包“{name}”{message}", hint=hint or "本次未写入任何数据。请向发送方核实后重新索取。"
    )


def is_sealed(data: bytes) -> bool:
    return data.startswith(MAGIC)


def unseal(db: Database, data: bytes, name: str = "数据包") -> tuple[bytes, str]:
    """Verify and decrypt a sealed package for this database; returns the plain
    package and the sending device id."""
    if not is_sealed(data):
        if data.startswith(b"PK\x03\x04"):
            raise _refuse(
                name, "没有加密和签名,不予接收。", "请让发送方用新版 gridvisit 重新导出。"
            )
        raise _refuse(name, "不是 gridvisit 数据包。", "请选择导出的数据包文件。")
    try:
        (length,) = struct.unpack(">I", data[len(MAGIC) : len(MAGIC) + 4])
        if length > MAX_HEADER or len(MAGIC) + 4 + length + SIGNATURE_LEN > len(data):
            raise ValueError("header length")
        header_bytes = data[len(MAGIC) + 4 : len(MAGIC) + 4 + length]
        header = safe_json.loads(header_bytes)
        sender = str(header["sender"])
        recipients = list(header["recipients"])
        if not all(isinstance(r, dict) for r in recipients):
            raise ValueError("recipients")
        nonce = _unb64(header["nonce"])
    except (ValueError, KeyError, TypeError, AttributeError, struct.error):
        raise _refuse(name, "已损坏(文件头无法读取)。") from None
    known = _senders(db)
    if sender not in known:
        raise _refuse(
            name,
            f"来自未登记的设备({sender[:8]}…),不予接收。",
            "请先用 gridvisit keys register-device 登记这台电脑的公钥,再合并。",
        )
    body, signature = data[:-SIGNATURE_LEN], data[-SIGNATURE_LEN:]
    try:
        Ed25519PublicKey.from_public_bytes(_unb64(known[sender].sign_public)).verify(
            signature, body
        )
    except (InvalidSignature, ValueError):
        raise _refuse(
            name,
            "签名不符:文件被改动过,或不是登记的设备发出的。",
            "本次未写入任何数据。请让发送方重新导出并当面或通过可靠渠道传送。",
        ) from None
    me = identity(db)
    mine = me.public()
    entry = next((r for r in recipients if r.get("fingerprint") == mine.fingerprint), None)
    if entry is None:
        raise _refuse(
            name,
            "不是发给本单位的(收件方不符)。",
            "请确认导出时使用了本单位的公钥;本次未写入任何数据。",
        )
    try:
        eph_pub = _unb64(entry["ephemeral"])
        box_pub = me.box.public_key().public_bytes(*_RAW)
        kek = _kek(me.box.exchange(X25519PublicKey.from_public_bytes(eph_pub)), eph_pub, box_pub)
        cek = AESGCM(kek).decrypt(
            _unb64(entry["nonce"]), _unb64(entry["key"]), entry["fingerprint"].encode()
        )
        head = body[: len(MAGIC) + 4 + length]
        payload = AESGCM(cek).decrypt(nonce, body[len(head) :], head)
    except (InvalidTag, ValueError, KeyError, TypeError):
        raise _refuse(name, "无法解密(密钥不符或文件损坏)。") from None
    return payload, sender


# --- what export and merge use -----------------------------------------------------------


def export_sealer(db: Database) -> Callable[[bytes], bytes]:
    """For a laptop's packages: sealed to its sub-district."""
    sub = subdistrict_key(db)
    if sub is None:
        raise PackageSecurityError(
            "还没有导入街道的公钥,数据包无法加密。",
            hint="请向街道索取公钥文件,用“账号 → 密钥交换向导”或 "
            "gridvisit keys trust-subdistrict 导入后再导出。",
        )
    return lambda data: seal(db, data, [sub])


def find_device(db: Database, wanted: str | None) -> PublicKey:
    """A registered laptop by name or id prefix; the only one when `wanted` is None."""
    devices = registered_devices(db)
    if wanted:
        found = [d for d in devices if d.name == wanted or d.device_id.startswith(wanted)]
    else:
        found = devices if len(devices) == 1 else []
    if len(found) == 1:
        return found[0]
    names = "、".join(f"{d.name or '未命名'}({d.device_id[:8]})" for d in devices) or "(还没有)"
    raise PackageSecurityError(
        "请指明回传包发给哪台已登记的电脑。" if devices else "还没有登记任何网格电脑。",
        hint=f"已登记的电脑:{names}。用 --device 指定名称或编号。",
    )


def read_sealed(db: Database, path: Path) -> Package:
    """Read, verify and decrypt a package file sent to this database."""
    senders: list[str] = []

    def open_it(data: bytes, name: str) -> bytes:
        payload, sender = unseal(db, data, name)
        senders.append(sender)
        return payload

    package = read_package(path, open_it)
    if package.manifest.device_id != senders[0]:
        raise _refuse(
            Path(path).name,
            "的签名设备与包内注明的设备不一致,不予接收。",
            "可能是冒用了其他电脑的数据;本次未写入任何数据。",
        )
    return package
