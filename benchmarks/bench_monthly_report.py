"""Statistical report speed (issue 19, item 7): the monthly PDF of the whole 30k
sub-district, on the encrypted demo database.

Prints figures; never part of the test run's pass/fail.
  - ours: gridvisit.reports.statistics.render_statistics on the figures gathered
    from the database (the StatisticsReport of November 2026);
  - baseline, same run: a plain ReportLab document of the same tables and charts
    from numbers worked out beforehand (headings and names in Paragraph cells, numbers
    as strings, as ours; the same font; the same chart classes on the same data with
    the same value labels and markers; no marks or colours, no running header or
    footer, no page count)                                   target: ours <= 1.3 x
  - for information: gathering the figures (StatsService.report + the 12-month trend,
    first call on a fresh connection and a warm one), and the whole CLI run.
Wall and CPU time are medians (the machine is shared).
Usage: python benchmarks/bench_monthly_report.py [--keep DIR] [--runs N]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from gridvisit.core.auth import LoginThrottle, login
from gridvisit.core.clock import LOCAL_TZ
from gridvisit.core.indicators import INDICATORS, Period
from gridvisit.core.services import ServiceContext, Services
from gridvisit.demo.generate import DEMO_PASSWORD
from gridvisit.reports import statistics as report
from gridvisit.reports.weekly import register_font

sys.path.insert(0, str(Path(__file__).parent))
import bench_startup  # the cached demo databases: make_demo

MONTH = Period.month(2026, 11)  # bench_startup's demo ends on 2026-11-30
NOW = datetime(2026, 12, 1, 10, tzinfo=LOCAL_TZ)
TARGET = 1.3


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """(median wall, median CPU) seconds."""
    walls, cpus = [], []
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def precomputed(data: report.StatisticsReport) -> dict[str, Any]:
    """Every number the baseline prints, as plain strings and floats, worked out
    before the timing starts."""
    f = data.figures

    def cells(ind: Any, keys: tuple[str, ...]) -> list[str]:
        return [report.shown(ind[k]) for k in keys]

    return {
        "title": data.title,
        "indicators": [
            [v.name, report.shown(v), f"{v.numerator} / {v.denominator}", str(v.target or "")]
            for v in f.indicators.values()
        ],
        "rows": [[r.name, *cells(r.figures.indicators, report.ROW_KEYS)] for r in data.rows],
        "trend": [
            [p.period.label, *cells(p.figures.indicators, report.TREND_KEYS)] for p in data.trend
        ],
        "categories": [
            [c.name, str(c.new), str(c.resolved), str(c.on_time), str(c.overdue_open)]
            for c in f.categories
        ],
        "levels": [f.counts.settled_grid, f.counts.settled_community, f.counts.settled_subdistrict],
        "groups": [
            [g.name, str(g.households), str(g.due), str(g.covered)] for g in f.special_groups
        ],
        "formulas": [[i.name, i.formula] for i in INDICATORS],
        "bars": [
            [(r.figures.value(k) or 0.0) * 100 for r in data.chart_rows] for k in report.BAR_KEYS
        ],
        "bar_names": [r.name for r in data.chart_rows],
        "bar_labels": [
            [f"{(r.figures.value(k) or 0.0) * 100:.0f}" for r in data.chart_rows]
            for k in report.BAR_KEYS
        ],
        "lines": [
            [(p.figures.value(k) or 0.0) * 100 for p in data.trend] for k in report.TREND_LINES
        ],
        "months": [p.period.code for p in data.trend],
    }


def baseline(n: dict[str, Any]) -> bytes:
    font = register_font()
    style = ParagraphStyle("b", fontName=font, fontSize=8, leading=10, wordWrap="CJK")
    width = A4[0] - 30 * mm

    def table(rows: list[list[str]]) -> Table:
        # Headings and names as Paragraphs (they wrap), numbers as strings: as ours.
        cells = [[Paragraph(c, style) for c in rows[0]]]
        cells += [[Paragraph(row[0], style), *row[1:]] for row in rows[1:]]
        t = Table(cells, repeatRows=1)
        t.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), font),
                               ("GRID", (0, 0), (-1, -1), 0.5, "grey")]))  # fmt: skip
        return t

    bars = Drawing(width, 40 + 8 * len(n["bar_names"]))
    b = HorizontalBarChart()
    b.x, b.y, b.width, b.height = 90, 16, width - 102, bars.height - 40
    b.data, b.categoryAxis.categoryNames = n["bars"], n["bar_names"]
    b.categoryAxis.labels.fontName = font
    b.barLabelFormat, b.barLabelArray = "values", n["bar_labels"]  # the same value labels
    b.barLabels.fontName = font
    bars.add(b)
    lines = Drawing(width, 62 * mm)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 28, 34, width - 40, 62 * mm - 58
    chart.data, chart.categoryAxis.categoryNames = n["lines"], n["months"]
    for i in range(len(n["lines"])):
        chart.lines[i].strokeColor = report.SERIES[i]
        chart.lines[i].symbol = makeMarker("FilledCircle", size=2.6)  # type: ignore[no-untyped-call]
    lines.add(chart)
    pie_d = Drawing(80 * mm, 42 * mm)
    pie = Pie()
    pie.data, pie.labels = n["levels"], ["网格", "社区", "街道"]
    pie.slices.fontName = font
    pie_d.add(pie)
    story = [
        Paragraph(n["title"], ParagraphStyle("t", style, fontSize=20, leading=26)),
        table([["指标", "数值", "计算", "目标"], *n["indicators"]]),
        Spacer(1, 5 * mm),
        table([["社区", *report.ROW_KEYS], *n["rows"]]),
        bars,
        lines,
        table([["月份", *report.TREND_KEYS], *n["trend"]]),
        table([["类别", "新增", "办结", "按期", "超期未办结"], *n["categories"]]),
        pie_d,
        table([["人群", "户数", "应访", "按期"], *n["groups"]]),
        table([["指标", "计算方法"], *n["formulas"]]),
    ]
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm).build(story)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keep", type=Path, help="reuse/keep the demo database in this folder")
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="gv-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    bench_startup.ENV["GRIDVISIT_PASSWORD"] = DEMO_PASSWORD
    path = bench_startup.make_demo(folder, 30_000, plain=False)
    throttle = LoginThrottle(Path(tempfile.mkdtemp()) / "throttle.json")
    session = login(path, "admin", DEMO_PASSWORD, encrypted=True, throttle=throttle)
    services = Services(ServiceContext(session.db, session.actor, clock=lambda: NOW))
    try:
        started = time.perf_counter()
        data = report.collect(services, MONTH)
        cold = time.perf_counter() - started
        warm, warm_cpu = timed(lambda: report.collect(services, MONTH), 3)
    finally:
        session.db.dispose()
    numbers = precomputed(data)
    ours_bytes, base_bytes = report.pdf_bytes(data), baseline(numbers)  # warm up: font, styles
    # Interleaved, so that a change in the machine's load falls on both alike.
    samples: dict[str, list[tuple[float, float]]] = {"ours": [], "base": []}
    for _ in range(args.runs):
        samples["ours"].append(timed(lambda: report.pdf_bytes(data), 1))
        samples["base"].append(timed(lambda: baseline(numbers), 1))
    ours, ours_cpu = (statistics.median(x) for x in zip(*samples["ours"], strict=True))
    base, base_cpu = (statistics.median(x) for x in zip(*samples["base"], strict=True))

    out = folder / "monthly.pdf"
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "gridvisit", "report", "monthly", "--db", str(path),
         "--month", MONTH.code, "-o", str(out), "--xlsx", str(out.with_suffix(".xlsx"))],
        check=True,
        capture_output=True,
        env={**os.environ, "GRIDVISIT_USER": "admin", "GRIDVISIT_PASSWORD": DEMO_PASSWORD},
    )  # fmt: skip
    cli = time.perf_counter() - started

    c = data.figures.counts
    print(
        f"30k demo, {MONTH.label}: {len(data.rows)} communities, {len(data.chart_rows)} grids, "
        f"{c.visits:,} visits, {c.new:,} new problems; PDF {len(ours_bytes) / 1024:.0f} KB, "
        f"baseline {len(base_bytes) / 1024:.0f} KB"
    )
    print(f"{'':48} {'wall':>8} {'cpu':>8}")
    print(f"{'statistical report PDF (render_statistics)':48} {ours:7.3f}s {ours_cpu:7.3f}s")
    print(f"{'plain ReportLab, same tables and charts':48} {base:7.3f}s {base_cpu:7.3f}s")
    ratio = ours / base
    print(f"{'ratio':48} {ratio:7.2f}  {ours_cpu / base_cpu:7.2f}")
    print(f"{'gather the figures, fresh connection':48} {cold:7.3f}s")
    print(f"{'gather the figures, warm':48} {warm:7.3f}s {warm_cpu:7.3f}s")
    print(f"{'whole CLI run (login, gather, PDF + xlsx)':48} {cli:7.3f}s")
    cpu_ratio = ours_cpu / base_cpu
    print(
        f"target: ours <= {TARGET} x baseline: wall {'met' if ratio <= TARGET else 'NOT met'}, "
        f"cpu {'met' if cpu_ratio <= TARGET else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
