"""gridvisit/cli/backup.py: `gridvisit backup create|list|keep` (restore: see
tests/reliability/test_damage.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gridvisit.cli import main


def test_create_list_and_keep(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "b.db"
    db = ["--db", str(path), "--no-encryption"]
    assert main(["init", *db]) == 0
    capsys.readouterr()
    assert main(["backup", "list", *db]) == 0
    assert "(还没有备份)" in capsys.readouterr().out
    assert main(["backup", "create", *db]) == 0
    made = capsys.readouterr().out
    assert made.startswith("已备份:") and "MB" in made
    assert main(["backup", "list", *db]) == 0
    listed = capsys.readouterr().out
    assert listed.startswith(f"备份文件夹:{path}.backups") and "未加密" in listed
    assert main(["backup", "keep", *db, "--daily", "3"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("自动备份保留最近 3 天每天一份")
    assert main(["backup", "keep", *db]) == 0
    assert capsys.readouterr().out == out  # kept
