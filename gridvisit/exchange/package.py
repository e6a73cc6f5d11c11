"""The package file: a zip holding `manifest.json` and one JSON Lines file per table.

The manifest lists the SHA-256 of every member; the zip comment holds the SHA-256 of
every byte before it, so any changed, missing or added byte anywhere in the file is
caught before anything is parsed. Reading treats the file as hostile: it checks the
size, the entry count, member names, declared and real sizes and the compression
ratio before it decompresses, and never extracts anything to disk.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gridvisit.core import safe_json
from gridvisit.core.errors import GridVisitError
from gridvisit.core.files import InputFileError, read_limited
from gridvisit.exchange.records import SPEC_BY_NAME

FORMAT = "gridvisit-package"
# 2: grid packages carry the laptop's audit entries (AUDIT_MEMBER) and the chain's tip
# (Manifest.audit); users travel without role and active flag. Version 1 still reads.
# 3: houses (房屋状态, owner, rental), residents' registers and status, and the
# resident_move table (issue 20); a version-2 package gets their defaults
# (records._OPTIONAL) and 政治面貌 from its party-member flag.
FORMAT_VERSION = 3
MANIFEST = "manifest.json"
AUDIT_MEMBER = "audit/entries.jsonl"
SEAL_LEN = 64  # hex SHA-256 in the zip comment

# Limits for reading a package from elsewhere. A sub-district's biggest grid is a few
# MB; these leave two orders of magnitude of room and still stop a zip bomb early.
MAX_PACKAGE_BYTES = 512 * 1024 * 1024
MAX_ENTRIES = 64
MAX_MEMBER_BYTES = 2 * 1024 * 1024 * 1024
MAX_TOTAL_BYTES = 4 * 1024 * 1024 * 1024
MAX_RATIO = 200  # JSON Lines of real records compress about 8:1
READ_BLOCK = 1024 * 1024


class PackageError(GridVisitError):
    """A package that cannot be used; nothing was written."""


def member_name(table: str) -> str:
    return f"records/{table}.jsonl"


@dataclass
class Manifest:
    kind: str  # "export" (laptop → sub-district) or "return" (sub-district → laptop)
    app_version: str
    device_id: str
    exported_by: str
    created_at: str
    since: str | None
    until: str
    grids: list[dict[str, str]]
    counts: dict[str, int] = field(default_factory=dict)
    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    format: str = FORMAT
    format_version: int = FORMAT_VERSION
    # Grid packages: {"first": id, "tip": id, "tip_hash": hash} of the audit entries in
    # AUDIT_MEMBER (first > tip when none is new). None in return and version-1 packages.
    audit: dict[str, Any] | None = None
    # Return packages: {"tip": id, "hash": hash} of the recipient's audit entries held
    # at the sub-district (export.acknowledge_audit).
    audit_held: dict[str, Any] | None = None

    def to_json(self) -> bytes:
        return json.dumps(self.__dict__, ensure_ascii=False, indent=2, sort_keys=True).encode()

    @property
    def grid_names(self) -> str:
        return "、".join(g.get("name", "") for g in self.grids) or "全部"


@dataclass
class Package:
    """A package read and verified, its records parsed per table."""

    manifest: Manifest
    records: dict[str, list[dict[str, Any]]]
    sha256: str
    name: str = ""
    audit: list[dict[str, Any]] = field(default_factory=list)  # the laptop's entries


def seal(data: bytes) -> bytes:
    """Put the SHA-256 of everything before the zip comment into the comment."""
    if len(data) < SEAL_LEN:
        raise ValueError("not a sealed zip")
    body = data[:-SEAL_LEN]
    return body + hashlib.sha256(body).hexdigest().encode("ascii")


def build_package(
    manifest: Manifest, lines: dict[str, list[str]], audit_lines: list[str] | None = None
) -> bytes:
    """The bytes of a sealed package. `lines` maps table name to canonical JSON lines;
    `audit_lines` are the audit entries a grid package carries."""
    members: dict[str, bytes] = {}
    manifest.counts = {}
    for table, rows in lines.items():
        manifest.counts[table] = len(rows)
        members[member_name(table)] = _jsonl(rows)
    if audit_lines is not None:
        members[AUDIT_MEMBER] = _jsonl(audit_lines)
    manifest.members = {
        name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        for name, data in members.items()
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        zf.writestr(MANIFEST, manifest.to_json())
        for name, data in members.items():
            zf.writestr(name, data)
        zf.comment = b"0" * SEAL_LEN
    return seal(buffer.getvalue())


def _jsonl(rows: list[str]) -> bytes:
    return ("\n".join(rows) + "\n").encode() if rows else b""


# --- reading --------------------------------------------------------------------------


def _fail(name: str, message: str, hint: str = "") -> PackageError:
    return PackageError(
        f"数据包“{name}”{message}", hint=hint or "请向发送方重新索取数据包,本次未写入任何数据。"
    )


def read_package(path: Path, unsealer: Callable[[bytes, str], bytes] | None = None) -> Package:
    """Read a package file; `unsealer` (keys.unseal) verifies and decrypts it first."""
    path = Path(path)
    name = path.name
    try:
        data = read_limited(path, MAX_PACKAGE_BYTES, what="数据包")
    except InputFileError as exc:
        raise PackageError(exc.message, hint=exc.hint) from None
    if unsealer is not None:
        data = unsealer(data, name)
    return parse_package(data, name)


def parse_package(data: bytes, name: str = "数据包") -> Package:
    if not data.startswith(b"PK\x03\x04"):
        raise _fail(name, "不是 gridvisit 数据包(不是 zip 文件)。", "请选择导出的 .zip 数据包。")
    body, stamp = data[:-SEAL_LEN], data[-SEAL_LEN:]
    if hashlib.sha256(body).hexdigest().encode("ascii") != stamp:
        raise _fail(name, "已损坏或被改动过(整体校验值不符),可能传输不完整。")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError, EOFError) as exc:
        raise _fail(name, f"已损坏,无法打开({exc})。") from None
    with zf:
        infos = zf.infolist()
        _check_entries(name, infos)
        manifest = _read_manifest(name, zf)
        records: dict[str, list[dict[str, Any]]] = {}
        audit: list[dict[str, Any]] = []
        for member, meta in manifest.members.items():
            table = member.removeprefix("records/").removesuffix(".jsonl")
            known = member == f"records/{table}.jsonl" and table in SPEC_BY_NAME
            if not known and member != AUDIT_MEMBER:
                raise _fail(name, f"含有未知内容“{member}”。")
            raw = _read_member(name, zf, member)
            if hashlib.sha256(raw).hexdigest() != meta.get("sha256"):
                raise _fail(name, f"中的“{member}”校验值不符,内容被改动过。")
            if member == AUDIT_MEMBER:
                audit = _parse_lines(name, "操作日志", raw)
            else:
                records[table] = _parse_lines(name, table, raw)
        listed = set(manifest.members) | {MANIFEST}
        extra = [i.filename for i in infos if i.filename not in listed]
        if extra:
            raise _fail(name, f"含有清单之外的文件“{extra[0]}”。")
    return Package(manifest, records, hashlib.sha256(data).hexdigest(), name, audit)


def inflation_problem(infos: list[zipfile.ZipInfo], max_entries: int = MAX_ENTRIES) -> str | None:
    """Why inflating these zip members looks like a zip bomb, or None: too many
    entries, a declared size or total beyond the limits, or a suspicious ratio."""
    if len(infos) > max_entries:
        return f"包含 {len(infos)} 个文件,超过上限 {max_entries}。"
    total = 0
    for info in infos:
        if info.file_size > MAX_MEMBER_BYTES:
            return f"中的“{info.filename}”声明大小异常({info.file_size} 字节),已拒绝。"
        total += info.file_size
        if total > MAX_TOTAL_BYTES:
            return "解压后总大小超过上限,疑似压缩炸弹,已拒绝。"
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            return f"中的“{info.filename}”压缩比异常,疑似压缩炸弹,已拒绝。"
    return None


def _check_entries(name: str, infos: list[zipfile.ZipInfo]) -> None:
    problem = inflation_problem(infos)
    if problem:
        raise _fail(name, problem)
    seen: set[str] = set()
    for info in infos:
        member = info.filename
        parts = member.replace("\\", "/").split("/")
        if member.startswith(("/", "\\")) or ".." in parts or ":" in member or "\\" in member:
            raise _fail(name, f"含有不安全的文件路径“{member}”,已拒绝。")
        if member in seen:
            raise _fail(name, f"含有重复的文件“{member}”。")
        seen.add(member)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _fail(name, f"中的“{member}”使用了不支持的压缩方式。")
        if info.flag_bits & 0x1:
            raise _fail(name, f"中的“{member}”被加密,无法读取。")


def _read_member(name: str, zf: zipfile.ZipFile, member: str) -> bytes:
    try:
        info = zf.getinfo(member)
    except KeyError:
        raise _fail(name, f"缺少清单中列出的“{member}”,不完整。") from None
    out = bytearray()
    try:
        with zf.open(info) as fh:
            while block := fh.read(READ_BLOCK):
                out += block
                # Never trust the declared size: stop as soon as real output exceeds it.
                if len(out) > info.file_size:
                    raise _fail(name, f"中的“{member}”实际大小超过声明,疑似压缩炸弹,已拒绝。")
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise _fail(name, f"中的“{member}”已损坏({exc})。") from None
    except Exception as exc:  # zlib.error and friends from a corrupt stream
        if isinstance(exc, PackageError):
            raise
        raise _fail(name, f"中的“{member}”已损坏,无法解压。") from None
    return bytes(out)


def _read_manifest(name: str, zf: zipfile.ZipFile) -> Manifest:
    raw = _read_member(name, zf, MANIFEST)
    try:
        doc = safe_json.loads(raw)
    except ValueError:
        raise _fail(name, "的清单(manifest.json)无法解析。") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise _fail(name, "不是 gridvisit 数据包(清单格式不对)。")
    version = doc.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise _fail(name, "的清单缺少格式版本。")
    if version > FORMAT_VERSION:
        raise PackageError(
            f"数据包“{name}”由更新版本的 gridvisit 生成(格式版本 {version}),"
            f"当前程序只支持到版本 {FORMAT_VERSION}。",
            hint="请先升级 gridvisit 再合并,本次未写入任何数据。",
        )
    if version < 1:
        raise _fail(name, f"的格式版本 {version} 无效。")
    fields = Manifest.__dataclass_fields__
    try:
        manifest = Manifest(**{k: v for k, v in doc.items() if k in fields})
    except TypeError:
        raise _fail(name, "的清单缺少必要信息。") from None
    if manifest.kind not in ("export", "return"):
        raise _fail(name, f"的类型“{manifest.kind}”未知。")
    if not isinstance(manifest.members, dict) or not all(
        isinstance(m, dict) for m in manifest.members.values()
    ):
        raise _fail(name, "的清单文件列表格式不对。")
    if manifest.audit is not None and not isinstance(manifest.audit, dict):
        raise _fail(name, "的清单中操作日志信息格式不对。")
    return manifest


def _parse_lines(name: str, table: str, raw: bytes) -> list[dict[str, Any]]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _fail(name, f"中的 {table} 不是 UTF-8 文本。") from None
    out: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line:
            continue
        try:
            obj = safe_json.loads(line)
        except ValueError:
            raise _fail(name, f"中的 {table} 第 {number} 行无法解析。") from None
        if not isinstance(obj, dict):
            raise _fail(name, f"中的 {table} 第 {number} 行不是记录。")
        out.append(obj)
    return out


def iter_members(data: bytes) -> Iterator[str]:
    """Names inside a package (for tests and diagnostics)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        yield from zf.namelist()
