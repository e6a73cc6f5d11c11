"""Search haystacks with and without pinyin initials (issue 18: pypinyin is loaded
after the first paint)."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

from gridvisit.app import build_services
from gridvisit.core import search
from gridvisit.core.records import Scope
from gridvisit.demo.generate import generate_demo
from gridvisit.storage import open_database


def test_initials_added_later_match_as_if_built_with_them() -> None:
    forms, names, phones = ("1栋1单元101室", "1-1-101", "锦绣花园网格"), ("张三", "曾丽"), ["138"]
    full = search.haystack(forms, names, phones)
    lean = search.haystack(forms, names, phones, with_initials=False)
    assert "zs" in full and "zs" not in lean
    later = lean + search.initials_part(names)
    for query in ("zs", "cl", "zl", "张三", "101", "138", "锦绣"):
        assert (query in full) == (query in later), query


def test_rows_loaded_before_pypinyin_get_their_initials(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "demo.db"
    generate_demo(path, households=20, seed=1)
    db = open_database(path)
    try:
        ws = build_services(db).workspace
        monkeypatch.setattr(search, "pinyin_loaded", lambda: False)
        rows = ws.household_rows(Scope())
        monkeypatch.undo()
        full = {r.id: r for r in ws.household_rows(Scope())}
    finally:
        db.dispose()
    assert rows and not any(r.has_initials for r in rows)
    assert all(r.has_initials for r in full.values())
    for row in rows:
        before = dataclasses.replace(row)
        row.add_initials()
        assert row.has_initials
        for name in row.names:
            query = search.initials(name)[0]
            assert query in row.haystack and query in full[row.id].haystack
        assert row.haystack.startswith(before.haystack)


def test_the_search_module_does_not_load_pypinyin_by_itself() -> None:
    code = (
        "import sys; from gridvisit.core import search; "
        "search.haystack(['1栋'], ['张三'], [], with_initials=False); "
        "print('pypinyin' in sys.modules); search.initials('张三'); print('pypinyin' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]
