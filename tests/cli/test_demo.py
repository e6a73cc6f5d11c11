"""gridvisit/cli/demo.py: `gridvisit demo`."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

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
