from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gridvisit import selftest

ROOT = Path(__file__).resolve().parents[1]


def test_self_test_passes_in_a_source_checkout() -> None:
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}  # it sets its own
    result = subprocess.run(
        [sys.executable, "-m", "gridvisit", "--self-test"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert sum("通过(" in line for line in lines) == 5
    assert "离屏打开主窗口" in result.stdout and "合并新增" in result.stdout
    assert lines[-1].startswith("自检通过")


def test_a_failing_step_says_which_and_why(qapp, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    def broken(*_a: object) -> str:
        raise selftest.SelfTestFailure("PDF 文件不完整")

    monkeypatch.setattr(selftest, "_weekly_pdf", broken)
    printed: list[str] = []
    assert selftest.run_self_test(printed.append) == 1
    assert "[4/5] 生成每周问题清单 PDF:失败" in printed
    assert printed[-1] == "自检失败:PDF 文件不完整"
    assert not any("[5/5]" in line for line in printed)  # stops at the first failure
