"""gridvisit/cli/exchange.py: `export`, `merge`, `export-return`."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from gridvisit.cli import main


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
