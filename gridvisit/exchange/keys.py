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
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from gridvisit.core import safe_json
from gridvisit.core.clock import to_local, utcnow
from gridvisit.core.errors import ConflictError, PackageSecurityError, ValidationError
from gridvisit.core.files import InputFileError, read_limited, write_file
from gridvisit.exchange.package import Package, read_package
from gridvisit.storage.binding import BINDING_KEY, binding_for
from gridvisit.storage.engine import Database
from gridvisit.storage.models import (
    Community,
    Device,
    DeviceAuditEntry,
    DeviceCommunity,
    DeviceGrid,
    Grid,
    Setting,
)

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
                row = Setting(key=IDENTITY_KEY, value=_new_key_pair())
                s.add(row)
            value = row.value
    raw = json.loads(value)
    return Identity(
        db.device_id,
        Ed25519PrivateKey.from_private_bytes(_unb64(raw["sign"])),
        X25519PrivateKey.from_private_bytes(_unb64(raw["box"])),
    )


MAX_PUBLIC_FILE = 64 * 1024  # a public key file is about 400 bytes


def _new_key_pair() -> str:
    sign, box = Ed25519PrivateKey.generate(), X25519PrivateKey.generate()
    return json.dumps(
        {
            "sign": _b64(sign.private_bytes(*_RAW_PRIVATE)),
            "box": _b64(box.private_bytes(*_RAW_PRIVATE)),
        }
    )


# --- is this file where its identity belongs? (storage/binding.py) ----------------------


def binding_problem(db: Database) -> str | None:
    """Why this database may be a copy of another device's (see storage/binding.py), or
    None when it is where its identity was bound (or is a server database)."""
    if db.path is None:
        return None
    stored = db.setting(BINDING_KEY)
    if stored is None or stored == binding_for(db.device_id, db.path):
        return None
    return (
        f"这个数据库文件是从别处复制或搬过来的:它的设备身份(编号 {db.device_id[:8]})"
        "属于另一个位置或另一台电脑。两台电脑不能共用一个身份,确认之前不能用它签发数据包或公钥。"
    )


COPY_HINT = (
    "如果这是从另一台电脑复制来的数据库,请为本机生成自己的身份:gridvisit keys new-identity"
    "(或在程序里选 账号 → 本机身份),再把新的公钥交街道登记;如果就是原来那台电脑,只是文件"
    "换了位置或从备份恢复,请运行 gridvisit keys confirm-device。"
)


def require_own_identity(db: Database) -> None:
    problem = binding_problem(db)
    if problem:
        raise PackageSecurityError(problem, hint=COPY_HINT)


def new_identity(db: Database) -> tuple[str, str]:
    """A copy becomes a device of its own: a new id and key pair, bound to this file;
    the next export carries everything (records and audit trail) for the new device."""
    from gridvisit.exchange.export import AUDIT_ACK_KEY, LAST_EXPORT_KEY

    old = db.device_id
    new = str(uuid.uuid4())
    with db.session() as s:
        s.merge(Setting(key="device_id", value=new))
        s.merge(Setting(key=IDENTITY_KEY, value=_new_key_pair()))
        s.merge(Setting(key=BINDING_KEY, value=binding_for(new, db.path) if db.path else ""))
        s.execute(delete(Setting).where(Setting.key.in_((LAST_EXPORT_KEY, AUDIT_ACK_KEY))))
    db.device_id = new
    return old, new


def confirm_device(db: Database) -> None:
    """The same device whose file was moved or restored: bind its identity here."""
    if db.path is not None:
        db.set_setting(BINDING_KEY, binding_for(db.device_id, db.path))


def new_key_pair(db: Database) -> None:
    """Replace this device's key pair (after a revocation); the device id stays."""
    db.set_setting(IDENTITY_KEY, _new_key_pair())


def read_public_file(path: Path) -> PublicKey:
    try:
        text = read_limited(Path(path), MAX_PUBLIC_FILE, what="公钥文件").decode("utf-8")
    except InputFileError as exc:
        raise ValidationError({"key_file": exc.message}) from None
    except UnicodeDecodeError as exc:
        raise ValidationError({"key_file": f"“{Path(path).name}”不是 gridvisit 公钥文件"}) from exc
    return PublicKey.from_json(text, Path(path).name)


def write_public_file(db: Database, path: Path, name: str) -> PublicKey:
    require_own_identity(db)
    public = identity(db).public(name)
    data = public.to_json().encode("utf-8")
    write_file(Path(path), lambda fh: fh.write(data), what="公钥文件")
    return public


def trust_subdistrict(db: Database, key: PublicKey) -> None:
    """The key return packages must be signed with (on a laptop). It never signs a
    grid package: those come from registered devices only."""
    db.set_setting(SUBDISTRICT_KEY, key.to_json())


def subdistrict_key(db: Database) -> PublicKey | None:
    value = db.setting(SUBDISTRICT_KEY)
    return PublicKey.from_json(value) if value else None


@dataclass(frozen=True)
class DeviceInfo:
    """A registered (or revoked) laptop as supervisors see it."""

    device_id: str
    name: str
    sign_public: str
    box_public: str
    registered_at: datetime
    registered_by: str
    revoked_at: datetime | None
    revoked_by: str
    grids: tuple[str, ...]  # "社区/网格"
    communities: tuple[str, ...]
    audit_entries: int
    audit_tip_id: int
    flagged_at: datetime | None
    flag_reason: str

    @property
    def public(self) -> PublicKey:
        return PublicKey(self.device_id, self.name, self.sign_public, self.box_public)

    @property
    def fingerprint(self) -> str:
        return self.public.fingerprint

    @property
    def label(self) -> str:
        return f"{self.name or '未命名'}({self.device_id[:8]})"

    @property
    def area_label(self) -> str:
        parts = [f"{c}(整个社区)" for c in self.communities] + list(self.grids)
        return "、".join(parts) or "未登记负责范围"

    @property
    def state_label(self) -> str:
        if self.revoked_at is not None:
            return f"已吊销({to_local(self.revoked_at):%Y-%m-%d})"
        if self.flagged_at is not None:
            return "操作日志异常"
        return "正常"


Outcome = Literal["new", "unchanged", "area", "reregistered"]


def _key_holder(s: Session, key: PublicKey) -> Device | None:
    return s.scalar(
        select(Device).where(Device.sign_public == key.sign_public).limit(1)
    ) or s.scalar(select(Device).where(Device.box_public == key.box_public).limit(1))


def check_registration(db: Database, key: PublicKey) -> None:
    """Refuse, before anything is written, a registration that would replace another
    device or bring back a revoked key. Same rules as `register_device`."""
    with db.read_session() as s:
        _check_registration(s, key)


def _check_registration(s: Session, key: PublicKey) -> Device | None:
    holder = _key_holder(s, key)
    if holder is not None and holder.device_id != key.device_id:
        raise ConflictError(
            f"这把公钥已登记给电脑“{holder.name or '未命名'}”(编号 {holder.device_id[:8]})。"
            "复制出来的数据库带着原电脑的密钥。",
            hint="请在这台电脑上运行 gridvisit keys new-identity 生成它自己的身份,"
            "再导出公钥(keys create)交街道登记。",
        )
    row = s.get(Device, key.device_id)
    if row is None:
        return None
    same_key = (row.sign_public, row.box_public) == (key.sign_public, key.box_public)
    if row.revoked_at is not None and same_key:
        raise ConflictError(
            f"电脑“{row.name or '未命名'}”的这把密钥已于 {to_local(row.revoked_at):%Y-%m-%d %H:%M}"
            "被吊销,不能再登记。",
            hint="请在那台电脑上运行 gridvisit keys create --new-key 生成新密钥,再登记新的公钥。",
        )
    if row.revoked_at is None and not same_key:
        raise ConflictError(
            f"编号 {key.device_id[:8]} 已登记给电脑“{row.name or '未命名'}”"
            f"(指纹 {PublicKey(row.device_id, row.name, row.sign_public, row.box_public).fingerprint}),"
            "不会被另一把密钥悄悄替换。",
            hint="如果新来的是复制出来的数据库,请在它上面运行 gridvisit keys new-identity;"
            "如果原来那台电脑已停用或换了密钥,请先吊销它(keys revoke-device)再登记。",
        )
    return row


def register_device(
    db: Database,
    key: PublicKey,
    *,
    by: str,
    grid_ids: Iterable[int] = (),
    community_ids: Iterable[int] = (),
) -> Outcome:
    """Register a laptop for the grids (or, for a community laptop, the communities)
    it serves. Never replaces another device: a known device id with other keys, a key
    registered to another device and a revoked key are refused (`check_registration`).
    A revoked device comes back with a new key; its audit anchor stays."""
    grids, communities = sorted(set(grid_ids)), sorted(set(community_ids))
    if not grids and not communities:
        raise ValidationError(
            {"area": "请指明这台电脑负责的网格(--grid 社区/网格)或社区(--community 社区)"}
        )
    with db.session() as s:
        row = _check_registration(s, key)
        outcome: Outcome
        if row is None:
            row = Device(device_id=key.device_id, sign_public=key.sign_public,
                         box_public=key.box_public)  # fmt: skip
            s.add(row)
            outcome = "new"
        elif row.revoked_at is not None:
            outcome = "reregistered"
        else:
            outcome = "area" if _area_ids(s, row.device_id) != (grids, communities) else "unchanged"
        if outcome in ("new", "reregistered"):
            row.sign_public, row.box_public = key.sign_public, key.box_public
            row.registered_at, row.registered_by = utcnow(), by
            row.revoked_at, row.revoked_by = None, ""
        row.name = key.name or row.name
        s.flush()
        if outcome != "unchanged":
            _set_area(s, row.device_id, grids, communities)
        return outcome


def set_device_area(
    db: Database, device_id: str, grid_ids: Iterable[int], community_ids: Iterable[int]
) -> None:
    grids, communities = sorted(set(grid_ids)), sorted(set(community_ids))
    if not grids and not communities:
        raise ValidationError({"area": "负责范围不能为空:请至少指明一个网格或社区"})
    with db.session() as s:
        _set_area(s, device_id, grids, communities)


def _area_ids(s: Session, device_id: str) -> tuple[list[int], list[int]]:
    grids = s.scalars(
        select(DeviceGrid.grid_id)
        .where(DeviceGrid.device_id == device_id)
        .order_by(DeviceGrid.grid_id)
    )
    communities = s.scalars(
        select(DeviceCommunity.community_id)
        .where(DeviceCommunity.device_id == device_id)
        .order_by(DeviceCommunity.community_id)
    )
    return list(grids), list(communities)


def _set_area(s: Session, device_id: str, grids: list[int], communities: list[int]) -> None:
    s.execute(delete(DeviceGrid).where(DeviceGrid.device_id == device_id))
    s.execute(delete(DeviceCommunity).where(DeviceCommunity.device_id == device_id))
    s.add_all(DeviceGrid(device_id=device_id, grid_id=g) for g in grids)
    s.add_all(DeviceCommunity(device_id=device_id, community_id=c) for c in communities)


def revoke_device(db: Database, device_id: str, *, by: str) -> None:
    with db.session() as s:
        row = s.get(Device, device_id)
        if row is None:
            raise ValidationError({"device": f"没有登记过编号为 {device_id[:8]} 的电脑"})
        if row.revoked_at is not None:
            raise ConflictError(
                f"电脑“{row.name or '未命名'}”已于 {to_local(row.revoked_at):%Y-%m-%d} 吊销。"
            )
        row.revoked_at, row.revoked_by = utcnow(), by


def flag_device(db: Database, device_id: str, reason: str) -> None:
    """Mark a device whose audit trail broke, for supervisors (kept until they act)."""
    with db.session() as s:
        row = s.get(Device, device_id)
        if row is not None:
            row.flagged_at, row.flag_reason = utcnow(), reason[:2000]


def devices(db: Database, *, revoked: bool = True) -> list[DeviceInfo]:
    """Every registered laptop with its area and audit trail figures."""
    with db.read_session() as s:
        query = select(Device).order_by(Device.name, Device.device_id)
        if not revoked:
            query = query.where(Device.revoked_at.is_(None))
        rows = list(s.scalars(query))
        grid_names: dict[str, list[str]] = {}
        for device_id, community, grid in s.execute(
            select(DeviceGrid.device_id, Community.name, Grid.name)
            .join(Grid, Grid.id == DeviceGrid.grid_id)
            .join(Community, Community.id == Grid.community_id)
            .order_by(Community.name, Grid.name)
        ):
            grid_names.setdefault(device_id, []).append(f"{community}/{grid}")
        community_names: dict[str, list[str]] = {}
        for device_id, community in s.execute(
            select(DeviceCommunity.device_id, Community.name)
            .join(Community, Community.id == DeviceCommunity.community_id)
            .order_by(Community.name)
        ):
            community_names.setdefault(device_id, []).append(community)
        entries = dict(
            s.execute(
                select(DeviceAuditEntry.device_id, func.count()).group_by(
                    DeviceAuditEntry.device_id
                )
            ).all()
        )
        return [
            DeviceInfo(
                d.device_id,
                d.name,
                d.sign_public,
                d.box_public,
                d.registered_at,
                d.registered_by,
                d.revoked_at,
                d.revoked_by,
                tuple(grid_names.get(d.device_id, ())),
                tuple(community_names.get(d.device_id, ())),
                int(entries.get(d.device_id, 0)),
                d.audit_tip_id,
                d.flagged_at,
                d.flag_reason,
            )
            for d in rows
        ]


def registered_devices(db: Database) -> list[PublicKey]:
    return [d.public for d in devices(db, revoked=False)]


def find_any_device(db: Database, wanted: str) -> DeviceInfo:
    """A registered or revoked laptop by exact name or id prefix (at least 4 characters)."""
    every = devices(db)
    found = [d for d in every if d.name == wanted] or (
        [d for d in every if d.device_id.startswith(wanted)] if len(wanted) >= 4 else []
    )
    if len(found) == 1:
        return found[0]
    names = "、".join(d.label for d in every) or "(还没有)"
    raise ValidationError(
        {
            "device": f"{'有多台' if found else '没有'}名称或编号为“{wanted}”的电脑;已登记的电脑:{names}"
        }
    )


Expect = Literal["export", "return"]


def _senders(db: Database, expect: Expect) -> dict[str, PublicKey]:
    """Who may sign a package of this kind here: registered laptops sign grid packages,
    only the trusted sub-district key signs return packages."""
    if expect == "export":
        return {d.device_id: d for d in registered_devices(db)}
    sub = subdistrict_key(db)
    return {sub.device_id: sub} if sub is not None else {}


def _unknown_sender(db: Database, name: str, sender: str, expect: Expect) -> PackageSecurityError:
    if expect == "return":
        return _refuse(
            name,
            "不是本机导入的街道公钥签发的回传包,不予接收。",
            "请确认这是街道发来的回传包;如街道换了密钥,请由管理员重新导入街道公钥。",
        )
    with db.read_session() as s:
        row = s.get(Device, sender)
        if row is not None and row.revoked_at is not None:
            return _refuse(
                name,
                f"来自已吊销的电脑“{row.name or '未命名'}”({sender[:8]}…,"
                f"吊销于 {to_local(row.revoked_at):%Y-%m-%d %H:%M}),不予接收。",
                "如这台电脑已找回并换了新密钥,请先重新登记它的新公钥。",
            )
    sub = subdistrict_key(db)
    if sub is not None and sub.device_id == sender:
        return _refuse(
            name,
            "由“街道公钥”签发,但网格数据包只接收已登记电脑发来的,不予接收。",
            "请用 gridvisit keys register-device 登记那台电脑的公钥及其负责的网格。",
        )
    return _refuse(
        name,
        f"来自未登记的设备({sender[:8]}…),不予接收。",
        "请先用 gridvisit keys register-device 登记这台电脑的公钥及其负责的网格,再合并。",
    )


# --- sealing ----------------------------------------------------------------------------


def _kek(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=ephemeral + recipient,
        info=b"gridvisit package key v1",
    ).derive(shared)


def seal(db: Database, payload: bytes, recipients: list[PublicKey]) -> bytes:
    require_own_identity(db)
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


def unseal(
    db: Database, data: bytes, name: str = "数据包", *, expect: Expect = "export"
) -> tuple[bytes, str]:
    """Verify and decrypt a sealed package for this database; returns the plain
    package and the sending device id. `expect` says who may have signed it."""
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
    try:
        return _open(db, data, name, sender, recipients, nonce, length, expect)
    except PackageSecurityError as exc:
        exc.device_id = sender[:36]  # named in the audit
        raise


def _open(
    db: Database,
    data: bytes,
    name: str,
    sender: str,
    recipients: list[Any],
    nonce: bytes,
    length: int,
    expect: Expect,
) -> tuple[bytes, str]:
    known = _senders(db, expect)
    if sender not in known:
        raise _unknown_sender(db, name, sender, expect)
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


def signed_by_subdistrict(db: Database, path: Path) -> bool:
    """Whether a sealed package names this laptop's sub-district as its sender: the
    header, unverified, only chooses the way in (merge then checks everything)."""
    sub = subdistrict_key(db)
    if sub is None:
        return False
    try:
        with Path(path).open("rb") as fh:
            head = fh.read(len(MAGIC) + 4)
            if not head.startswith(MAGIC):
                return False
            (length,) = struct.unpack(">I", head[len(MAGIC) :])
            if length > MAX_HEADER:
                return False
            header = safe_json.loads(fh.read(length))
        return isinstance(header, dict) and header.get("sender") == sub.device_id
    except (OSError, ValueError, struct.error):
        return False


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


def read_sealed(db: Database, path: Path, *, expect: Expect = "export") -> Package:
    """Read, verify and decrypt a package file sent to this database."""
    senders: list[str] = []

    def open_it(data: bytes, name: str) -> bytes:
        payload, sender = unseal(db, data, name, expect=expect)
        senders.append(sender)
        return payload

    package = read_package(path, open_it)
    if package.manifest.device_id != senders[0]:
        raise _refuse(
            Path(path).name,
            "的签名设备与包内注明的设备不一致,不予接收。",
            "可能是冒用了其他电脑的数据;本次未写入任何数据。",
        )
    if package.manifest.kind != expect:
        raise _refuse(
            Path(path).name,
            "是街道发出的回传包,应在网格电脑上合并。"
            if package.manifest.kind == "return"
            else "不是街道发来的回传包。",
            "网格电脑只合并街道的回传包;网格数据包由街道合并。本次未写入任何数据。",
        )
    return package
