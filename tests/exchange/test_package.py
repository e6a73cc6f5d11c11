from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from gridvisit import __version__
from gridvisit.exchange import package as pkg
from gridvisit.exchange.export import export_package
from gridvisit.exchange.package import PackageError, parse_package, read_package, seal
from gridvisit.storage import Database


@pytest.fixture
def small_package(source: Database, tmp_path: Path) -> bytes:
    return export_package(
        source, tmp_path / "p.zip", full=True, exported_by="admin"
    ).path.read_bytes()


def _rezip(members: dict[str, bytes], *, sealed: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        zf.comment = b"0" * pkg.SEAL_LEN
    return seal(buffer.getvalue()) if sealed else buffer.getvalue()


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def test_manifest_describes_the_package(small_package: bytes, source: Database) -> None:
    package = parse_package(small_package, "p.zip")
    m = package.manifest
    assert m.format == "gridvisit-package" and m.format_version == pkg.FORMAT_VERSION
    assert m.app_version == __version__ and m.device_id == source.device_id
    assert m.exported_by == "admin" and m.kind == "export" and m.since is None
    assert len(m.grids) >= 3 and all({"uuid", "name", "community"} <= g.keys() for g in m.grids)
    assert m.counts["visit"] == len(package.records["visit"]) > 0
    assert set(m.members) == {f"records/{t}.jsonl" for t in m.counts} | {pkg.AUDIT_MEMBER}
    # The laptop's audit trail travels with its records, from the first entry on.
    assert m.audit is not None and m.audit["first"] == 1 and m.audit["tip"] == len(package.audit)
    assert package.audit[-1]["hash"] == m.audit["tip_hash"]
    for name, member in _members(small_package).items():
        if name != "manifest.json":
            assert m.members[name]["sha256"] == pkg.hashlib.sha256(member).hexdigest()


def test_every_changed_byte_is_rejected(small_package: bytes) -> None:
    step = max(1, len(small_package) // 300)
    positions = {*range(0, len(small_package), step), len(small_package) - 1, 0, 4}
    for at in sorted(positions):
        data = bytearray(small_package)
        data[at] ^= 0x20
        with pytest.raises(PackageError):
            parse_package(bytes(data), "p.zip")


@pytest.mark.parametrize("keep", [0, 10, 100, 2000, -1])
def test_truncated_package_is_rejected(small_package: bytes, keep: int) -> None:
    with pytest.raises(PackageError, match="数据包"):
        parse_package(small_package[:keep], "p.zip")


def test_not_a_package(tmp_path: Path) -> None:
    with pytest.raises(PackageError, match="不是 gridvisit 数据包"):
        parse_package(b"%PDF-1.7 hello", "x.pdf")
    plain = _rezip({"a.txt": b"hello"}, sealed=False)
    with pytest.raises(PackageError, match="损坏或被改动"):
        parse_package(plain, "a.zip")
    with pytest.raises(PackageError, match="不是 gridvisit 数据包"):
        parse_package(_rezip({"a.txt": b"x", "manifest.json": b"{}"}), "a.zip")
    with pytest.raises(PackageError, match="找不到"):
        read_package(tmp_path / "missing.zip")
    with pytest.raises(PackageError, match="文件夹"):
        read_package(tmp_path)


def _with_manifest(data: bytes, **changes: object) -> bytes:
    members = _members(data)
    manifest = json.loads(members["manifest.json"])
    manifest.update(changes)
    members["manifest.json"] = json.dumps(manifest).encode()
    return _rezip(members)


def test_newer_or_unknown_format_version(small_package: bytes) -> None:
    with pytest.raises(PackageError, match="更新版本") as info:
        parse_package(_with_manifest(small_package, format_version=99), "p.zip")
    assert "升级" in info.value.hint
    with pytest.raises(PackageError, match="格式版本"):
        parse_package(_with_manifest(small_package, format_version="1"), "p.zip")
    with pytest.raises(PackageError, match="类型"):
        parse_package(_with_manifest(small_package, kind="weird"), "p.zip")
    assert parse_package(_with_manifest(small_package), "p.zip").records  # resealed still fine


@pytest.mark.parametrize("name", ["../evil.jsonl", "/etc/passwd", "records/../../x", "C:\\x.txt"])
def test_unsafe_member_paths_are_rejected(small_package: bytes, name: str) -> None:
    members = _members(small_package)
    members[name] = b"{}"
    with pytest.raises(PackageError, match=r"不安全|清单之外"):
        parse_package(_rezip(members), "p.zip")


def test_member_with_changed_content_but_resealed_is_caught_by_its_hash(
    small_package: bytes,
) -> None:
    members = _members(small_package)
    members["records/household.jsonl"] = members["records/household.jsonl"].replace(
        b'"notes":""', b'"notes":"x"', 1
    )
    with pytest.raises(PackageError, match="校验值不符"):
        parse_package(_rezip(members), "p.zip")


def test_zip_bombs_are_refused_before_inflating(small_package: bytes) -> None:
    members = _members(small_package)
    bomb = dict(members)
    bomb["records/visit.jsonl"] = b"\n" * (300 * 1024 * 1024)  # deflates about 1000:1
    data = _rezip(bomb)
    assert len(data) < 2 * 1024 * 1024
    with pytest.raises(PackageError, match="压缩炸弹"):
        parse_package(data, "bomb.zip")
    many = dict(members)
    many.update({f"records/x{i}.jsonl": b"" for i in range(pkg.MAX_ENTRIES)})
    with pytest.raises(PackageError, match="上限"):
        parse_package(_rezip(many), "many.zip")


def test_declared_size_smaller_than_real_content_is_refused(small_package: bytes) -> None:
    members = _members(small_package)
    data = bytearray(_rezip(members))
    # Shrink the declared size of the manifest in the central directory to 10 bytes.
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo("manifest.json")
    at = bytes(data).find(b"PK\x01\x02")
    while at >= 0:
        name_len = int.from_bytes(data[at + 28 : at + 30], "little")
        if bytes(data[at + 46 : at + 46 + name_len]) == b"manifest.json":
            data[at + 24 : at + 28] = (10).to_bytes(4, "little")
            break
        at = bytes(data).find(b"PK\x01\x02", at + 4)
    assert info.file_size > 10
    with pytest.raises(PackageError):
        parse_package(seal(bytes(data)), "lie.zip")
