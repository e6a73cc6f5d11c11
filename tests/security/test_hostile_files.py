"""Issue 16, finding 6: crafted files given to the commands. Each must end in a clear
Chinese message and exit 1 within seconds, in bounded memory. The commands run in a
child process with its address space capped (a read until memory runs out then fails
there, not on this machine) and a time limit (a hang fails the test instead of
blocking it)."""

from __future__ import annotations

import io
import json
import os
import shutil
import struct
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from gridvisit.core.auth import create_database
from gridvisit.core.records import ResidentInput
from gridvisit.core.services import ServiceContext, Services
from gridvisit.exchange import keys
from gridvisit.exchange.package import MANIFEST, SEAL_LEN, seal
from gridvisit.storage import open_database
from gridvisit.storage.keystore import keys_path
from tests.conftest import link_for_exchange

# Pipes, /dev/zero and address-space caps are POSIX; the Windows build is not tested here.
pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX pipes, devices and rlimits")

PASSWORD = "hostile password 1"
MEMORY_CAP = 1536 * 1024 * 1024  # the CLI needs about 150 MB
TIME_LIMIT = 60  # a hang is caught here (per command)...
QUICK = 15  # ...and "within seconds" is this, per command, after start-up
NESTED = b"[" * 900_000

# Runs several commands in one child process (Python and the app start once), each
# through cli.main as the console script would, and reports each one's exit code,
# output and time. The child's address space is capped: a read until memory runs out
# fails there, not on this machine. "CASE n" on stderr names the command that hung.
_DRIVER = """
import contextlib, io, json, sys, time
from gridvisit.cli import main
results = []
for n, argv in enumerate(json.loads(sys.argv[1])):
    print(f"CASE {n}", file=sys.__stderr__, flush=True)
    out, err = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code
    results.append({"code": code, "out": out.getvalue(), "err": err.getvalue(),
                    "seconds": time.perf_counter() - started})
print("RESULTS" + json.dumps(results, ensure_ascii=False))
"""


@dataclass
class Run:
    argv: list[str]
    code: int
    out: str
    err: str
    seconds: float


def cli(*commands: list[str], cwd: Path) -> list[Run]:
    def cap() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))

    env = {**os.environ, "GRIDVISIT_PASSWORD": PASSWORD, "QT_QPA_PLATFORM": "offscreen"}
    argvs = [list(c) for c in commands]
    try:
        done = subprocess.run(
            [sys.executable, "-c", _DRIVER, json.dumps(argvs)],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=30 + TIME_LIMIT * len(argvs),
            preexec_fn=cap,
        )
    except subprocess.TimeoutExpired as exc:
        started = [ln for ln in (exc.stderr or b"").decode().splitlines() if ln.startswith("CASE")]
        which = argvs[int(started[-1].split()[1])] if started else "?"
        pytest.fail(f"gridvisit {which} still running after {TIME_LIMIT} s")
    marker = done.stdout.rfind("RESULTS")
    assert marker >= 0, (done.returncode, done.stderr[-2000:])
    return [Run(a, **r) for a, r in zip(argvs, json.loads(done.stdout[marker + 7 :]), strict=True)]


def refused(run: Run, *words: str) -> None:
    """Exit 1, a Chinese message, no trace, quickly."""
    what = " ".join(run.argv)
    assert run.code == 1, (what, run.code, run.err)
    assert "Traceback" not in run.err and "内部错误" not in run.err, (what, run.err)
    assert run.seconds < QUICK, (what, run.seconds)
    for word in words:
        assert word in run.err, (what, run.err)


@dataclass
class World:
    folder: Path
    laptop: Path
    sub: Path  # the template: each test merges into its own copy
    good: list[Path]  # two packages from the laptop

    def sub_copy(self, name: str = "sub-copy.db") -> Path:
        target = self.folder / name
        shutil.copyfile(self.sub, target)
        return target

    def sealed(self, plain: bytes) -> bytes:
        """Signed by the registered laptop and addressed to the sub-district: what a
        tampered or buggy laptop could send."""
        laptop, sub = open_database(self.laptop), open_database(self.sub)
        try:
            return keys.seal(laptop, plain, [keys.identity(sub).public()])
        finally:
            laptop.dispose()
            sub.dispose()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("hostile")
    laptop_path, sub_path = folder / "laptop.db", folder / "sub.db"
    made = create_database(laptop_path, "admin", "管理员", PASSWORD, encrypted=False)
    made.db.dispose()
    create_database(sub_path, "admin", "管理员", PASSWORD, encrypted=False).db.dispose()
    laptop, sub = open_database(laptop_path), open_database(sub_path)
    try:
        link_for_exchange(laptop, sub, communities=["和平社区"])
        services = Services(ServiceContext(laptop, made.actor))
        c = services.hierarchy.add_community("和平社区")
        g = services.hierarchy.add_grid(c.id, "第一网格")
        bg = services.hierarchy.add_building_group(g.id, "1号楼")
        home = services.households.register(
            bg.id, "1", "", "101", residents=(ResidentInput("张三", phone="13912345678"),)
        )
        first = services.exchange.export_package(folder / "a.gvpkg", full=True).path
        services.households.update(home.id, notes="第二次导出前改的")
        second = services.exchange.export_package(folder / "c.gvpkg").path
    finally:
        laptop.dispose()
        sub.dispose()
    yield World(folder, laptop_path, sub_path, [first, second])


def _zip(manifest: bytes, members: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(MANIFEST, manifest)
        for name, data in (members or {}).items():
            zf.writestr(name, data)
        zf.comment = b"0" * SEAL_LEN
    return seal(buffer.getvalue())


def _manifest(**extra: object) -> dict[str, object]:
    return {
        "format": "gridvisit-package",
        "format_version": 1,
        "kind": "export",
        "app_version": "x",
        "device_id": "",
        "exported_by": "admin",
        "created_at": "2026-11-18T00:00:00+00:00",
        "since": None,
        "until": "2026-11-18T00:00:00+00:00",
        "grids": [],
        "counts": {},
        "members": {},
        **extra,
    }


def _laptop_device(world: World) -> str:
    db = open_database(world.laptop)
    try:
        return db.device_id
    finally:
        db.dispose()


def _hostile_packages(world: World) -> dict[str, bytes]:
    device = _laptop_device(world)
    header = keys.MAGIC + struct.pack(">I", len(NESTED)) + NESTED + b"\0" * 64
    big_int = json.dumps(_manifest(device_id=device)).replace(
        '"counts": {}', '"counts": {"visit": ' + "9" * 5000 + "}"
    )
    deep_manifest = json.dumps(_manifest(device_id=device)).replace(
        '"grids": []', '"grids": ' + "[" * 100_000 + "]" * 100_000
    )
    line = b"[" * 200_000
    import hashlib

    deep_record = json.dumps(
        _manifest(
            device_id=device,
            members={
                "records/visit.jsonl": {
                    "sha256": hashlib.sha256(line).hexdigest(),
                    "size": len(line),
                }
            },
        )
    )
    return {
        "nested-header": header,
        "huge-int-manifest": world.sealed(_zip(big_int.encode())),
        "nested-manifest": world.sealed(_zip(deep_manifest.encode())),
        "nested-record": world.sealed(_zip(deep_record.encode(), {"records/visit.jsonl": line})),
    }


def _fifo(folder: Path, name: str) -> Path:
    path = folder / name
    if not path.exists():
        os.mkfifo(path)
    return path


def test_a_crafted_package_in_a_batch_is_refused_and_the_others_merge(world: World) -> None:
    bad_files = []
    for kind, data in _hostile_packages(world).items():
        bad = world.folder / f"{kind}.gvpkg"
        bad.write_bytes(data)
        bad_files.append(bad)
    bad_files += [Path("/dev/zero"), _fifo(world.folder, "pipe.gvpkg")]
    a, c = world.good
    commands = []
    for n, bad in enumerate(bad_files):
        sub = world.sub_copy(f"sub-{n}.db")
        commands.append(["--no-encryption", "merge", "--db", str(sub), str(a), str(bad), str(c)])
    for bad, run in zip(bad_files, cli(*commands, cwd=world.folder), strict=True):
        refused(run, f"{bad.name}:未合并", "有 1 个数据包未合并")
        assert "合计 2 个数据包" in run.out, run.out
        assert "a.gvpkg(" in run.out and "c.gvpkg(" in run.out
        if bad.name in ("zero", "pipe.gvpkg"):
            assert "不是普通文件" in run.err


def test_a_pipe_or_a_device_as_the_database_is_refused(world: World) -> None:
    fifo = _fifo(world.folder, "pipe.db")
    commands = []
    for target in (str(fifo), "/dev/zero"):
        for flag in (["--no-encryption"], []):
            commands += [
                [*flag, "check", "--db", target],
                [*flag, "audit", "list", "--db", target],
                [*flag, "merge", "--db", target, str(world.good[0])],
                [*flag, "backup", "create", "--db", target],
            ]
    for run in cli(*commands, cwd=world.folder):
        refused(run, "不是普通文件")


def test_a_device_or_a_pipe_as_a_roster_or_a_key_file_is_refused(world: World) -> None:
    db = world.sub_copy("keys.db")
    fifo = _fifo(world.folder, "pipe.xlsx")
    commands = []
    for source in ("/dev/zero", str(fifo)):
        commands.append(["--no-encryption", "ledger", "import", "--db", str(db), source])
        for op in ("trust-subdistrict", "register-device"):
            commands.append(["--no-encryption", "keys", op, "--db", str(db), source])
    for run in cli(*commands, cwd=world.folder):
        refused(run, "不是普通文件")


def test_a_nested_public_key_file_is_refused(world: World) -> None:
    db = world.sub_copy("pub.db")
    pub = world.folder / "nested.pub"
    pub.write_bytes(b"[" * 60_000)  # within the size bound: the nesting is what is refused
    commands = [
        ["--no-encryption", "keys", op, "--db", str(db), str(pub)]
        for op in ("trust-subdistrict", "register-device")
    ]
    for run in cli(*commands, cwd=world.folder):
        refused(run, "不是 gridvisit 公钥文件")


# -- key files ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def encrypted(world: World) -> Path:
    path = world.folder / "enc.db"
    create_database(path, "admin", "管理员", PASSWORD, encrypted=True).db.dispose()
    return path


def _enc_copy(encrypted: Path, folder: Path) -> Path:
    folder.mkdir()
    target = folder / "enc.db"
    shutil.copyfile(encrypted, target)
    shutil.copyfile(keys_path(encrypted), keys_path(target))
    return target


def _slot_with(path: Path, **fields: object) -> None:
    doc = json.loads(keys_path(path).read_text(encoding="utf-8"))
    doc["slots"]["admin"].update(fields)
    keys_path(path).write_text(json.dumps(doc), encoding="utf-8")


WILD_SLOTS = [
    {"memory_kib": 2**32 - 1},
    {"lanes": 0},
    {"time_cost": "2"},
    {"time_cost": 100_000},
    {"memory_kib": 4 * 1024 * 1024},  # 4 GiB
    {"lanes": 2**24},
    {"time_cost": True},
    {"salt": "x" * 10},
]


def test_a_key_slot_with_wild_parameters_is_refused(encrypted: Path, tmp_path: Path) -> None:
    commands = []
    for n, fields in enumerate(WILD_SLOTS):
        copy = _enc_copy(encrypted, tmp_path / str(n))
        _slot_with(copy, **fields)
        commands.append(["--user", "admin", "audit", "list", "--db", str(copy)])
    for fields, run in zip(WILD_SLOTS, cli(*commands, cwd=tmp_path), strict=True):
        refused(run, "密钥文件", "已损坏")
        assert run.argv and fields


def test_a_hostile_key_file_is_refused(encrypted: Path, tmp_path: Path) -> None:
    commands = []
    for content in ("nested", "dev-zero", "huge"):
        copy = _enc_copy(encrypted, tmp_path / content)
        keys_file = keys_path(copy)
        valid = keys_file.read_bytes()
        keys_file.unlink()
        if content == "nested":
            keys_file.write_bytes(NESTED)
        elif content == "dev-zero":
            keys_file.symlink_to("/dev/zero")
        else:
            keys_file.write_bytes(b" " * (3 * 1024 * 1024) + valid)  # read whole, before
        commands += [
            ["--user", "admin", "audit", "list", "--db", str(copy)],
            ["--user", "admin", "check", "--db", str(copy)],
            ["audit", "list", "--db", str(copy)],  # the user name from the key file
        ]
    for run in cli(*commands, cwd=tmp_path):
        refused(run, "密钥文件")


# -- Excel rosters --------------------------------------------------------------------


def _xlsx_with_strings(path: Path, strings: int, length: int) -> None:
    """A valid-looking xlsx whose shared string table is `strings` distinct strings of
    about `length` characters (random Chinese text: it compresses about 4:1, far from
    a zip bomb's ratio, so only the new bounds stop it)."""
    import random

    rng = random.Random(1)
    alphabet = "网格社区住户走访问题楼栋单元张王李赵刘陈杨黄周吴"
    pool = "".join(rng.choice(alphabet) for _ in range(200_000))
    ns = "http://schemas.openxmlformats.org"
    main_ns = f"{ns}/spreadsheetml/2006/main"
    rels = f"{ns}/officeDocument/2006/relationships"
    xml = '<?xml version="1.0" encoding="UTF-8"?>'
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr(
            "[Content_Types].xml",
            f'{xml}<Types xmlns="{ns}/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/></Types>',
        )
        zf.writestr(
            "_rels/.rels",
            f'{xml}<Relationships xmlns="{ns}/package/2006/relationships"><Relationship Id="rId1" '
            f'Type="{rels}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        zf.writestr(
            "xl/workbook.xml",
            f'{xml}<workbook xmlns="{main_ns}" xmlns:r="{rels}"><sheets>'
            '<sheet name="花名册" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        zf.writestr(
            "xl/_rels/workbook.xml.rels",
            f'{xml}<Relationships xmlns="{ns}/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rels}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rels}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>",
        )
        zf.writestr(
            "xl/worksheets/sheet1.xml",
            f'{xml}<worksheet xmlns="{main_ns}"><sheetData><row r="1"><c r="A1" t="s"><v>0</v>'
            "</c></row></sheetData></worksheet>",
        )
        with zf.open("xl/sharedStrings.xml", "w", force_zip64=True) as fh:
            fh.write(f'{xml}<sst xmlns="{main_ns}">'.encode())
            batch = []
            for n in range(strings):
                start = (n * 7919) % (len(pool) - length)
                batch.append(f"<si><t>{pool[start : start + length]}{n}</t></si>")
                if len(batch) == 20_000:
                    fh.write("".join(batch).encode())
                    batch = []
            fh.write("".join(batch).encode() + b"</sst>")


def test_an_xlsx_with_a_huge_shared_string_table_is_refused_quickly(world: World) -> None:
    cases = [(600_000, 2, "字符串"), (100_000, 130, "解压后")]  # too many; too much text
    db = world.sub_copy("roster.db")
    commands = []
    for strings, length, _why in cases:
        roster = world.folder / f"roster-{strings}.xlsx"
        _xlsx_with_strings(roster, strings, length)
        commands.append(["--no-encryption", "ledger", "import", "--db", str(db), str(roster)])
    for (_s, _l, why), run in zip(cases, cli(*commands, cwd=world.folder), strict=True):
        refused(run, why)
