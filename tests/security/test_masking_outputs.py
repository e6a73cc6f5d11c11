"""Issue 16, finding 5: one scrubber for every free-text field of every output. Each
way of writing a number (tests/unit/test_masking.py::WRITTEN) is planted in every free
text field, then looked for in the weekly PDF, the ledgers and the merge review."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gridvisit.core.clock import IsoWeek
from gridvisit.core.records import ProblemInput, ResidentInput, Scope, VisitInput
from gridvisit.core.services import Services
from tests.conftest import Clock
from tests.unit.test_masking import WRITTEN, leaked

WEEK = IsoWeek(2026, 47)  # the services fixture's clock is in it (Wednesday 2026-11-18)


@pytest.fixture
def planted(services: Services, clock: Clock) -> Services:
    clock.now = datetime(2026, 11, 16, 1, 0, tzinfo=UTC)  # Monday 09:00 in Beijing
    h = services.hierarchy
    c = h.add_community("城东社区")
    g = h.add_grid(c.id, "锦绣花园网格")
    bg = h.add_building_group(g.id, "2号楼党小组")
    home = services.households.register(
        bg.id,
        "2",
        "1",
        "301",
        notes="; ".join(f"备注{w}" for w, _s, _m in WRITTEN),
        residents=(ResidentInput("张三丰", is_head=True, phone="13812345678"),),
    )
    services.visits.record(
        VisitInput(
            home.id,
            services.ctx.now(),
            notes="; ".join(f"走访{w}" for w, _s, _m in WRITTEN),
        )
    )
    p = services.problems
    for written, _secret, _shown in WRITTEN:
        for done in (False, True):
            rec = p.report(
                g.id, ProblemInput("sanitation", f"居民说{written}", location=f"门卫电话{written}")
            )
            p.accept(rec.id, f"物业{written}", f"王五{written}")
            if done:
                p.resolve(rec.id, f"已办结,回电{written}")
            else:
                p.add_progress(rec.id, f"已联系{written}")
    clock.advance(days=1)
    return services


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return _squash("".join(page.extract_text() for page in PdfReader(path).pages))


@pytest.mark.parametrize("full_names", [False, True], ids=["masked", "full-names"])
def test_weekly_pdf_prints_no_number_in_any_free_text_field(
    planted: Services, tmp_path: Path, full_names: bool
) -> None:
    from gridvisit.reports.weekly import write_weekly_pdf

    report = planted.weekly.build(WEEK, Scope(), "同安街道")
    out = tmp_path / "w.pdf"
    write_weekly_pdf(report, out, full_names=full_names)
    text = _pdf_text(out)
    assert "门卫电话" in text and "王五" in text and "已办结" in text and "已联系" in text
    for written, secret, shown in WRITTEN:
        assert not leaked(text, secret), written
        assert _squash(shown) in text, written


def _cells(path: Path) -> dict[str, str]:
    """Each column's text, by header."""
    from openpyxl import load_workbook

    ws = load_workbook(path, read_only=True).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    return {
        # A row ends at its last filled cell in read-only mode (迁入日期 is often empty).
        str(h): "\n".join(str(r[i]) for r in rows[1:] if i < len(r) and r[i] is not None)
        for i, h in enumerate(rows[0])
    }


@pytest.mark.parametrize(
    ("kind", "columns"),
    [
        ("problems", ["地址或位置", "问题描述", "承办单位", "办理结果"]),
        ("visits", ["情况记录"]),
        ("households", ["备注"]),
    ],
)
def test_masked_ledgers_hold_no_number_in_any_free_text_column(
    planted: Services, tmp_path: Path, kind: str, columns: list[str]
) -> None:
    masked = _cells(planted.exchange.export_ledger(kind, tmp_path / "m.xlsx").path)
    full = _cells(planted.exchange.export_ledger(kind, tmp_path / "u.xlsx", masked=False).path)
    for column in columns:
        for written, secret, shown in WRITTEN:
            assert leaked(full[column], secret)  # it is there to be scrubbed
            assert not leaked(masked[column], secret), (column, written)
            assert shown in masked[column], (column, written)


def test_merge_review_lists_show_no_number(planted: Services) -> None:
    from gridvisit.exchange.review import copy_text, describe

    for written, secret, _shown in WRITTEN:
        for entity, payload in (
            ("problem", {"description": f"居民说{written}"}),
            ("problem_event", {"note": f"已联系{written}"}),
            ("household", {"building": "2", "room": "301", "notes": f"备注{written}"}),
            ("resident", {"name": "张三丰", "notes": f"电话{written}"}),
            ("visit", {"visited_at": "2026-11-18", "notes": f"走访{written}"}),
        ):
            assert not leaked(describe(entity, payload), secret), (entity, written)
            assert not leaked(copy_text(entity, payload), secret), (entity, written)
