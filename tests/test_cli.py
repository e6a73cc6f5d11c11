from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from gridvisit import __version__
from gridvisit.cli import main
from gridvisit.core.validation import check_citizen_id


def _dump(path: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT IN "
            "('audit_entry', 'sqlite_sequence') ORDER BY name"
        )
    ]
    data = {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in tables}
    # The audit chain's tip follows the (timestamped) audit entries left out above.
    data["setting"] = [row for row in data["setting"] if row[0] != "audit.tip"]
    conn.close()
    return data


@pytest.fixture(autouse=True)
def _password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRIDVISIT_PASSWORD", "gridvisit-demo")


def test_demo_is_reproducible_and_realistic(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--households", "150", "--seed", "7", "--end-date", "2026-11-20"]
    assert main(["demo", "--no-encryption", "--db", str(tmp_path / "a.db"), *args]) == 0
    assert "住户 150" in capsys.readouterr().out
    assert main(["demo", "--no-encryption", "--db", str(tmp_path / "b.db"), *args]) == 0
    a, b = _dump(tmp_path / "a.db"), _dump(tmp_path / "b.db")
    assert a == b
    assert (
        main(
            [
                "demo",
                "--no-encryption",
                "--db",
                str(tmp_path / "c.db"),
                *args[:2],
                "--seed",
                "8",
                "--end-date",
                "2026-11-20",
            ]
        )
        == 0
    )
    assert _dump(tmp_path / "c.db")["resident"] != a["resident"]

    conn = sqlite3.connect(tmp_path / "a.db")
    ids = [r[0] for r in conn.execute("SELECT id_number FROM resident WHERE id_number != ''")]
    assert ids and all(check_citizen_id(i).ok for i in ids)
    genders = conn.execute("SELECT id_number, gender FROM resident WHERE id_number != ''")
    assert all(check_citizen_id(i).gender.value == g for i, g in genders)
    per_household = conn.execute(
        "SELECT count(*) * 1.0 / (SELECT count(*) FROM household) FROM resident"
    ).fetchone()[0]
    assert 2.2 < per_household < 3.6
    statuses = {r[0] for r in conn.execute("SELECT DISTINCT status FROM problem")}
    assert {"closed", "in_progress"} <= statuses
    tiers = {r[0] for r in conn.execute("SELECT DISTINCT tier_code FROM household")}
    assert {"key", "normal"} <= tiers
    assert conn.execute("SELECT count(*) FROM household WHERE is_party_centre").fetchone()[0] > 0
    conn.close()


def test_demo_refuses_to_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "keep.db"
    target.write_bytes(b"precious")
    assert main(["demo", "--no-encryption", "--db", str(target), "--households", "5"]) == 1
    assert "已存在" in capsys.readouterr().err
    assert target.read_bytes() == b"precious"
    assert (
        main(["demo", "--no-encryption", "--db", str(target), "--households", "5", "--force"]) == 0
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["--bogus"],
        ["demo"],
        ["demo", "--db", "x.db", "--households", "abc"],
        ["demo", "--db", "x.db", "--households", "0"],
        ["frobnicate"],
    ],
)
def test_bad_options_exit_2_in_chinese(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "参数错误" in err and "Traceback" not in err


def test_version_and_help_via_python_m() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "gridvisit", "--version"], capture_output=True, text=True, check=True
    ).stdout
    assert __version__ in out
    helptext = subprocess.run(
        [sys.executable, "-m", "gridvisit", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert "用法" in helptext and "demo" in helptext and "check" in helptext


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).with_name("gridvisit")
    result = subprocess.run(
        [str(script), "check", "--db", "/nonexistent/x.db"], capture_output=True, text=True
    )
    assert result.returncode == 1
    assert "找不到数据库文件" in result.stderr


def test_failed_demo_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from gridvisit.demo import generate as demo

    target = tmp_path / "keep.db"
    assert main(["demo", "--no-encryption", "--db", str(target), "--households", "5"]) == 0
    before = target.read_bytes()

    def boom(*_a: object, **_k: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(demo, "_build", boom)
    assert (
        main(["demo", "--no-encryption", "--db", str(target), "--households", "5", "--force"]) != 0
    )
    assert target.read_bytes() == before  # the old database is untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.db"]


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "demo.db"
    assert (
        main(
            [
                "demo",
                "--no-encryption",
                "--db",
                str(path),
                "--households",
                "120",
                "--end-date",
                "2026-11-20",
            ]
        )
        == 0
    )
    return path


def test_report_weekly_writes_a_pdf(
    small_demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "w47.pdf"
    conn = sqlite3.connect(small_demo)
    community = conn.execute("SELECT name FROM community ORDER BY name").fetchone()[0]
    conn.close()
    argv = ["--no-encryption", "report", "weekly", "--db", str(small_demo), "--week", "2026-W47"]
    assert main([*argv, "--community", community, "-o", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    said = capsys.readouterr().out
    assert f"{community} 2026-W47" in said and "新增" in said


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--week", "2026-W54"], "没有第 54 周"),
        (["--week", "47"], "格式不对"),
        (["--week", "2026-W47", "--community", "没有的社区"], "找不到名为“没有的社区”的社区"),
        (["--week", "2026-W47", "--grid", "没有的网格"], "找不到名为“没有的网格”的网格"),
    ],
)
def test_report_weekly_refuses_bad_input_and_writes_nothing(
    small_demo: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    message: str,
) -> None:
    out = tmp_path / "w.pdf"
    argv = ["--no-encryption", "report", "weekly", "--db", str(small_demo)]
    assert main([*argv, *extra, "-o", str(out)]) == 1
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_export_merge_and_return_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "src.db"  # encrypted, like a laptop
    assert main(["demo", "--db", str(src), "--households", "500", "--weeks", "2"]) == 0
    sub = tmp_path / "sub.db"  # plain, so the test can look inside with sqlite3
    assert main(["--no-encryption", "init", "--db", str(sub)]) == 0
    laptop_pub, sub_pub = tmp_path / "laptop.pub", tmp_path / "sub.pub"
    out = tmp_path / "pk"
    out.mkdir()
    # Without the sub-district's key there is nothing to encrypt to.
    assert main(["export", "--db", str(src), "--per-grid", "--full", "-o", str(out)]) == 1
    assert "还没有导入街道的公钥" in capsys.readouterr().err
    assert (
        main(["keys", "create", "--db", str(src), "--name", "网格电脑", "-o", str(laptop_pub)]) == 0
    )
    keys_sub = ["keys", "create", "--db", str(sub), "--no-encryption", "--name", "街道"]
    assert main([*keys_sub, "-o", str(sub_pub)]) == 0
    assert main(["keys", "trust-subdistrict", "--db", str(src), str(sub_pub)]) == 0
    assert main(["export", "--db", str(src), "--per-grid", "--full", "-o", str(out)]) == 0
    packages = sorted(out.glob("*.gvpkg"))
    assert len(packages) >= 2
    # Not registered yet: refused, nothing merged.
    assert main(["--no-encryption", "merge", "--db", str(sub), str(packages[0])]) == 1
    assert "来自未登记的设备" in capsys.readouterr().err
    # The laptop serves two communities (the demo's), new to the empty sub-district.
    register = ["--no-encryption", "keys", "register-device", "--db", str(sub), str(laptop_pub)]
    area = ["--community", "城东社区", "--community", "西池社区", "--create"]
    assert main([*register, *area]) == 0
    assert "城东社区(整个社区)" in capsys.readouterr().out
    # Registering it again changes nothing.
    assert main([*register, *area]) == 0 and "早已登记" in capsys.readouterr().out
    capsys.readouterr()
    assert main(["--no-encryption", "merge", "--db", str(sub), *map(str, packages)]) == 0
    text = capsys.readouterr().out
    assert f"合计 {len(packages)} 个数据包" in text and "冲突 0" in text
    # A damaged package: exit 1, named, the others still merged.
    bad = tmp_path / "bad.gvpkg"
    bad.write_bytes(packages[0].read_bytes()[:-5])
    assert main(["--no-encryption", "merge", "--db", str(sub), str(bad), str(packages[1])]) == 1
    captured = capsys.readouterr()
    assert "bad.gvpkg:未合并" in captured.err and "合并过同一文件" in captured.out
    grid = sqlite3.connect(sub).execute("SELECT name FROM grid ORDER BY id").fetchone()[0]
    ret = tmp_path / "ret.gvpkg"
    back = ["--no-encryption", "export-return", "--db", str(sub)]
    assert main([*back, "--grid", grid, "-o", str(ret)]) == 0
    assert ret.exists()
    # The laptop takes the return package from its sub-district.
    capsys.readouterr()
    assert main(["merge", "--db", str(src), str(ret)]) == 0
    assert "合计 1 个数据包" in capsys.readouterr().out
    assert main([*back, "--grid", "没有这个网格", "-o", str(ret)]) == 1
    assert "找不到名为“没有这个网格”的网格" in capsys.readouterr().err


def test_demo_lists_every_user_with_role_and_area(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["demo", "--no-encryption", "--db", str(tmp_path / "d.db"), "--households", "900"])
        == 0
    )
    out = capsys.readouterr().out
    conn = sqlite3.connect(tmp_path / "d.db")
    users = conn.execute("SELECT username FROM app_user").fetchall()
    grids = [r[0] for r in conn.execute("SELECT name FROM grid")]
    conn.close()
    lines = [line for line in out.splitlines() if line.strip().split("\t")[0].split(" ")[0]
             in {u[0] for u in users}]  # fmt: skip
    assert len(lines) == len(users) > 2
    assert any("街道管理员" in line and "全街道" in line for line in lines)
    assert any("社区管理员" in line and "社区" in line for line in lines)
    for grid in grids:
        assert any("网格员" in line and grid in line for line in lines), grid
    assert "gridvisit-demo" in out
