from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from gridvisit.cli import main
from gridvisit.demo.generate import generate_demo


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("check") / "demo.db"
    generate_demo(path, households=120, seed=3)
    return path


def test_check_sound_database(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--db", str(demo_db)]) == 0
    out = capsys.readouterr().out
    assert "完好" in out
    assert "住户 120" in out


def test_check_detects_damaged_pages(
    demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    damaged = tmp_path / "damaged.db"
    src = sqlite3.connect(demo_db)
    src.execute(f"VACUUM INTO '{damaged}'")  # a single self-contained file, no WAL
    src.close()
    data = bytearray(damaged.read_bytes())
    page = 4096
    assert len(data) > 40 * page
    for n in range(10, 30, 3):  # scribble over several b-tree pages
        data[n * page : n * page + 200] = b"\xde\xad\xbe\xef" * 50
    damaged.write_bytes(bytes(data))
    assert main(["check", "--db", str(damaged)]) == 1
    err = capsys.readouterr().err
    assert "发现问题" in err
    assert "损坏" in err


def test_check_detects_broken_references(
    demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "orphans.db"
    src = sqlite3.connect(demo_db)
    src.execute(f"VACUUM INTO '{broken}'")
    src.close()
    conn = sqlite3.connect(broken)
    conn.execute("UPDATE visit SET household_id = 999999 WHERE id = 1")
    conn.commit()
    conn.close()
    assert main(["check", "--db", str(broken)]) == 1
    assert "visit" in capsys.readouterr().err


@pytest.mark.parametrize("kind", ["missing", "directory", "text"])
def test_check_bad_targets_give_messages(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = {"missing": tmp_path / "nope.db", "directory": tmp_path, "text": tmp_path / "a.txt"}[
        kind
    ]
    if kind == "text":
        target.write_text("hello", encoding="utf-8")
    assert main(["check", "--db", str(target)]) == 1
    captured = capsys.readouterr()
    assert captured.err.startswith("错误:")
    assert "Traceback" not in captured.err + captured.out
