"""The monthly/quarterly/yearly statistical report: the PDF read back with pdftotext
and the workbook read back with openpyxl hold the same figures as StatsService for
the same scope and period (issue 19, items 4 and 8)."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from gridvisit.core.clock import LOCAL_TZ
from gridvisit.core.errors import OutputError
from gridvisit.core.indicators import INDICATORS, Period, PeriodKind, Unit
from gridvisit.core.records import Actor, Scope
from gridvisit.core.services import ServiceContext, Services
from gridvisit.core.services.stats import Breakdown
from gridvisit.core.services.users import ensure_default_admin
from gridvisit.demo.generate import generate_demo
from gridvisit.reports import statistics as report
from gridvisit.reports.statistics_xlsx import SHEETS, xlsx_bytes
from gridvisit.storage import open_database

END = date(2026, 11, 25)
NOW = datetime.combine(date(2026, 12, 1), time(9), LOCAL_TZ)  # November is over
MONTH = Period.month(2026, 11)

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    path = tmp_path_factory.mktemp("statistics") / "demo.db"
    generate_demo(path, households=700, seed=5, end=END, weeks=60)
    db = open_database(path)
    actor = ensure_default_admin(ServiceContext(db, Actor(None, "system")))
    yield Services(ServiceContext(db, actor, clock=lambda: NOW))
    db.dispose()


def pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "r.pdf"
    path.write_bytes(content)
    done = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    )
    return done.stdout


def shown(value: float | None, unit: Unit) -> str:
    """How the report prints a value, worked out here rather than imported."""
    if value is None:
        return "—"
    if unit is Unit.RATE:
        return f"{value * 100:.1f}%"
    if unit is Unit.DAYS:
        return f"{value:.1f}"
    return str(int(value))


def line_of(text: str, start: str, least: int = 1) -> list[str]:
    """The cells of the first line that begins with `start` and has `least` cells
    after it (the ▼ marks dropped): a chart's label such as "社区 30.9%" is one."""
    for line in text.splitlines():
        if line.strip().startswith(start):
            cells = line.strip()[len(start) :].replace("▼", "").split()
            if len(cells) >= least:
                return cells
    raise AssertionError(f"no line starts with {start!r}")


def test_pdf_indicators_equal_the_service(demo: Services, tmp_path: Path) -> None:
    data = report.collect(demo, MONTH)
    text = pdf_text(report.pdf_bytes(data), tmp_path)
    summary = demo.stats.summary(MONTH, Scope())
    subdistrict = demo.weekly.scope_for(None, None)[1]
    assert f"{subdistrict} 2026年11月 网格走访与问题办理统计表" in text
    assert "2026年11月1日至2026年11月30日" in text
    assert "填报人" in text and "审核人" in text and "日期" in text
    table = text[text.index("一、主要指标") : text.index("二、")]
    for ind in INDICATORS:
        v = summary.figures.indicators[ind.key]
        label = f"{ind.name}({ind.suffix})" if ind.suffix else ind.name
        cells = line_of(table, label)
        assert cells[0] == shown(v.value, ind.unit), ind.key
        if v.target is not None and v.meets_target is False:
            assert "未达标" in cells
        elif v.meets_target:
            assert "达标" in cells
    # every formula is printed, from the indicators' own definitions
    formulas = text[text.index("七、指标计算方法") :].replace(" ", "")
    for ind in INDICATORS:
        assert ind.formula.replace(" ", "")[:12] in formulas.replace("\n", "")


def test_pdf_rows_trend_categories_and_levels(demo: Services, tmp_path: Path) -> None:
    data = report.collect(demo, MONTH)
    text = pdf_text(report.pdf_bytes(data), tmp_path)
    rows = demo.stats.compare(MONTH, Scope(), Breakdown.COMMUNITY)
    assert rows and "二、分社区情况" in text
    section = text[text.index("二、分社区情况") : text.index("三、")]
    for row in rows:
        cells = line_of(section, row.name)
        expected = [
            shown(row.figures.indicators[k].value, row.figures.indicators[k].unit)
            for k in report.ROW_KEYS
        ]
        assert cells == expected, row.name
    # the 12 months, each equal to the service's trend
    trend = demo.stats.trend(Scope(), PeriodKind.MONTH, 12, data.stats.summary.as_of)
    assert [p.period for p in trend][-1] == MONTH
    section = text[text.index("三、近 12 个月趋势") : text.index("四、问题分类")]
    for point in trend:
        cells = line_of(section, point.period.label)
        f = point.figures.indicators
        assert cells == [shown(f[k].value, f[k].unit) for k in report.TREND_KEYS]
    # categories: new, resolved, on time, late, rate, overdue open
    summary = demo.stats.summary(MONTH, Scope())
    section = text[text.index("四、问题分类") : text.index("五、")]
    assert summary.figures.categories
    for c in summary.figures.categories:
        cells = line_of(section, c.name)
        assert cells[:4] == [
            str(c.new),
            str(c.resolved),
            str(c.on_time),
            str(c.resolved - c.on_time),
        ]
    counts = summary.figures.counts
    section = text[text.index("五、") : text.index("六、")]
    assert f"本期办结 {counts.resolved} 件" in section
    assert line_of(section, "网格", 2)[0] == str(counts.settled_grid)
    assert line_of(section, "社区", 2)[0] == str(counts.settled_community)
    assert line_of(section, "街道", 2)[0] == str(counts.settled_subdistrict)


def test_pdf_of_a_community_lists_its_grids(demo: Services, tmp_path: Path) -> None:
    community = demo.hierarchy.communities()[0]
    data = report.collect(demo, MONTH, community.name)
    text = pdf_text(report.pdf_bytes(data), tmp_path)
    title = f"{community.name}2026年11月网格走访与问题办理统计表"
    assert title in "".join(text.split())  # the title may wrap
    assert f"{community.name} · 2026年11月 统计表" in text  # the running header
    summary = demo.stats.summary(MONTH, Scope(community_id=community.id))
    assert line_of(text[text.index("一、") :], "走访覆盖率")[0] == shown(
        summary.figures.value("coverage"), Unit.RATE
    )
    section = text[text.index("二、分网格情况") : text.index("三、")]
    grids = demo.stats.compare(MONTH, Scope(community_id=community.id), Breakdown.GRID)
    assert grids
    for row in grids:
        assert line_of(section, row.name)[0] == str(row.figures.counts.due)
    total = line_of(section, "合计")
    assert total[0] == str(summary.figures.counts.due)


def test_pdf_of_the_subdistrict_lists_every_grid_in_a_table(demo: Services, tmp_path: Path) -> None:
    """Not only in the chart: offices forward the per-grid figures upward."""
    data = report.collect(demo, MONTH)
    text = pdf_text(report.pdf_bytes(data), tmp_path)
    section = text[text.index("分网格情况") : text.index("三、")]
    grids = demo.stats.compare(MONTH, Scope(), Breakdown.GRID)
    assert len(grids) > 1
    for row in grids:
        assert line_of(section, row.name, least=3)[0] == str(row.figures.counts.due)


def test_pdf_of_a_grid_lists_its_building_groups(demo: Services, tmp_path: Path) -> None:
    community = demo.hierarchy.communities()[0]
    grid = demo.hierarchy.grids(community.id)[0]
    data = report.collect(demo, MONTH, community.name, grid.name)
    text = pdf_text(report.pdf_bytes(data), tmp_path)
    assert "二、分楼栋党小组情况" in text
    summary = demo.stats.summary(MONTH, Scope(grid_id=grid.id))
    assert line_of(text[text.index("二、") :], "合计")[0] == str(summary.figures.counts.due)


@pytest.mark.parametrize(("code", "label"), [("2026-Q4", "2026年第4季度"), ("2026", "2026年")])
def test_quarter_and_year(demo: Services, tmp_path: Path, code: str, label: str) -> None:
    period = Period.parse(code)
    data = report.collect(demo, period)
    text = pdf_text(report.pdf_bytes(data), tmp_path)
    assert f"{label} 网格走访与问题办理统计表" in text
    summary = demo.stats.summary(period, Scope())
    assert line_of(text[text.index("一、") :], "新增问题(件)")[0] == str(summary.figures.counts.new)
    # a period not over yet says so
    if period.last >= NOW.date():
        assert "本期尚未结束,数据截至 2026-12-01 09:00" in text


def test_below_target_is_marked(demo: Services, tmp_path: Path) -> None:
    demo.stats.set_targets({"coverage": 1.0, "satisfaction_rate": 0.0})
    try:
        data = report.collect(demo, MONTH)
        text = pdf_text(report.pdf_bytes(data), tmp_path)
    finally:
        demo.stats.reset_targets()
    table = text[text.index("一、主要指标") : text.index("二、")]
    coverage = next(ln for ln in table.splitlines() if ln.strip().startswith("走访覆盖率"))
    assert "▼" in coverage and "未达标" in coverage and "≥ 100%" in coverage
    satisfied = next(ln for ln in table.splitlines() if ln.strip().startswith("回访满意率"))
    assert "▼" not in satisfied and "达标" in satisfied


def test_an_empty_database_prints_dashes(services: Services, tmp_path: Path) -> None:
    data = report.collect(services, MONTH)
    text = pdf_text(report.pdf_bytes(data), tmp_path)
    assert line_of(text[text.index("一、") :], "走访覆盖率")[0] == "—"
    assert "本期没有问题" in text and "本期没有办结的问题" in text
    load_workbook(io.BytesIO(xlsx_bytes(data)))  # and the workbook too


def test_xlsx_holds_the_same_tables(demo: Services) -> None:
    data = report.collect(demo, MONTH)
    wb = load_workbook(io.BytesIO(xlsx_bytes(data)))
    assert wb.sheetnames == [SHEETS[0], "分社区情况", "分网格情况", *SHEETS[2:]]
    summary = demo.stats.summary(MONTH, Scope())
    ws = wb["主要指标"]
    assert ws.freeze_panes == "B3"
    assert ws.cell(2, 1).value == "指标" and ws.cell(2, 5).value == "目标(下限)"
    by_name = {ws.cell(r, 1).value: r for r in range(3, ws.max_row + 1)}
    for ind in INDICATORS:
        v = summary.figures.indicators[ind.key]
        r = by_name[f"{ind.name}({ind.suffix})" if ind.suffix else ind.name]
        cell = ws.cell(r, 2)
        if v.value is None:
            assert cell.value is None
        else:
            assert cell.value == pytest.approx(v.value)
        if ind.unit is Unit.RATE:
            assert cell.number_format == "0.0%"
        assert ws.cell(r, 5).value == v.target
        if v.meets_target is False:
            assert ws.cell(r, 6).value == "▼ 未达标" and cell.font.color.rgb.endswith("C62828")
    ws = wb["分社区情况"]
    rows = demo.stats.compare(MONTH, Scope(), Breakdown.COMMUNITY)
    heads = [ws.cell(2, c).value for c in range(1, ws.max_column + 1)]
    assert heads[0] == "社区" and "走访覆盖率" in heads
    cov = heads.index("走访覆盖率") + 1
    got = {ws.cell(r, 1).value: ws.cell(r, cov).value for r in range(3, ws.max_row + 1)}
    for row in rows:
        assert got[row.name] == pytest.approx(row.figures.value("coverage"))
    assert got["合计"] == pytest.approx(summary.figures.value("coverage"))
    # Every grid on its own sheet, with its community (the sub-district's workbook).
    ws = wb["分网格情况"]
    heads = [ws.cell(2, c).value for c in range(1, ws.max_column + 1)]
    assert heads[:2] == ["社区", "网格"]
    cov = heads.index("走访覆盖率") + 1
    got_grids = {
        (ws.cell(r, 1).value, ws.cell(r, 2).value): ws.cell(r, cov).value
        for r in range(3, ws.max_row + 1)
    }
    grids = demo.stats.compare(MONTH, Scope(), Breakdown.GRID)
    assert len(got_grids) == len(grids) > 1
    for row in grids:
        assert got_grids[(row.parent, row.name)] == pytest.approx(row.figures.value("coverage"))
    ws = wb["近12个月趋势"]
    trend = demo.stats.trend(Scope(), PeriodKind.MONTH, 12, data.stats.summary.as_of)
    assert [ws.cell(r, 1).value for r in range(3, ws.max_row + 1)] == [
        p.period.label for p in trend
    ]
    new = [ws.cell(2, c).value for c in range(1, ws.max_column + 1)].index("新增问题(件)") + 1
    assert [ws.cell(r, new).value for r in range(3, ws.max_row + 1)] == [
        p.figures.counts.new for p in trend
    ]
    ws = wb["问题分类"]
    cats = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(3, ws.max_row + 1)}
    assert cats == {c.name: c.new for c in summary.figures.categories}
    ws = wb["各层级办结"]
    assert [ws.cell(r, 2).value for r in range(3, 6)] == [
        summary.figures.counts.settled_grid,
        summary.figures.counts.settled_community,
        summary.figures.counts.settled_subdistrict,
    ]
    ws = wb["计算方法"]
    assert [ws.cell(r, 2).value for r in range(3, ws.max_row + 1)] == [
        i.formula for i in INDICATORS
    ]


def test_file_names_and_atomic_saves(demo: Services, tmp_path: Path) -> None:
    data = report.collect(demo, MONTH)
    assert report.default_file_name(data).endswith("_2026-11_统计表.pdf")
    target = tmp_path / "out.pdf"
    target.write_bytes(b"old")
    with pytest.raises(OutputError, match="不存在"):
        report.save_bytes(tmp_path / "missing" / "x.pdf", b"%PDF")
    with pytest.raises(OutputError, match="文件夹"):
        report.save_bytes(tmp_path, b"%PDF")
    report.save_bytes(target, b"%PDF-new")
    assert target.read_bytes() == b"%PDF-new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.pdf"]


def test_a_grid_worker_reports_on_their_own_grids(demo: Services, tmp_path: Path) -> None:
    from gridvisit.core.enums import Role
    from gridvisit.core.records import Actor

    community = demo.hierarchy.communities()[0]
    grid = demo.hierarchy.grids(community.id)[0]
    user = demo.users.create("statsw", "统计网格员", Role.GRID_WORKER, grid_ids=[grid.id])
    worker = Services(
        ServiceContext(demo.ctx.db, Actor(user.id, "statsw", "统计网格员", Role.GRID_WORKER),
                       clock=lambda: NOW)
    )  # fmt: skip
    data = report.collect(worker, MONTH)
    text = pdf_text(report.pdf_bytes(data), tmp_path)
    assert f"{grid.name}2026年11月网格走访与问题办理统计表" in "".join(text.split())
    mine = demo.stats.summary(MONTH, Scope(grid_id=grid.id))
    assert line_of(text[text.index("一、") :], "应访户数(户)")[0] == str(mine.figures.counts.due)
