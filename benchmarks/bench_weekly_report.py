"""Weekly problem list speed (issue: weekly PDF).

Prints figures; never part of the test run's pass/fail.
  - rendering a list of 1,000 problems with gridvisit.reports.weekly, against a
    plain ReportLab baseline: one Table of the same rows (same texts, same font,
    Paragraph cells, header repeated) in a SimpleDocTemplate.  target ratio <= 1.3
  - for information: gathering the week's data from the 30k demo database, and the
    whole CLI run on it.
Usage: python benchmarks/bench_weekly_report.py [--keep DIR]
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from gridvisit.app import build_services
from gridvisit.core.clock import IsoWeek, to_local
from gridvisit.core.enums import HandlingLevel, ProblemStatus, Satisfaction
from gridvisit.core.services.weekly import ReportProblem, WeeklyReport, WeeklySummary
from gridvisit.demo.generate import DEMO_PASSWORD, generate_demo
from gridvisit.reports import weekly
from gridvisit.storage import open_database

N = 1000
WEEK = IsoWeek(2026, 47)
DESCRIPTIONS = [
    "楼道灯不亮,晚上出行不便",
    "小区东门路灯损坏多日,老人夜间出行有安全隐患,希望尽快维修",
    "卫生间渗水到楼下住户天花板,已联系物业但迟迟未处理",
    "电动车在楼道内充电,存在火灾隐患",
    "咨询医保缴费政策",
    "家庭收入下降,咨询低保申请条件和所需材料",
]
UNITS = ["物业服务中心", "街道城建办", "供电所", "派出所社区警务室", "街道民政办"]


def synthetic_report(n: int = N) -> WeeklyReport:
    """n problems spread over 4 communities × 5 grids × 6 building groups and the
    three sections, with the masking-relevant fields filled."""
    rnd = random.Random(7)
    start = WEEK.start
    items = []
    for i in range(n):
        reported = start + timedelta(hours=rnd.randrange(0, 24 * 60)) - timedelta(days=50)
        status = rnd.choice(list(ProblemStatus))
        done = status in (ProblemStatus.RESOLVED, ProblemStatus.CLOSED)
        items.append(
            ReportProblem(
                id=i,
                community=f"{'东西南北'[i % 4]}城社区",
                grid=f"{i % 5 + 1}号网格",
                building_group=f"{i % 6 + 1}号楼党小组",
                place=f"{i % 30 + 1}栋{i % 4 + 1}单元{rnd.randrange(1, 30)}0{i % 4 + 1}室",
                reporter="张三丰" if i % 3 == 0 else "",
                reporter_phone="13812345678" if i % 3 == 0 else "",
                household_names=("张三丰", "欧阳娜娜"),
                category="物业管理 / 漏水",
                description=rnd.choice(DESCRIPTIONS),
                urgency=rnd.choice(["一般", "较急", "紧急"]),
                reported_at=reported,
                worker="苏亚纯",
                assigned_unit=rnd.choice(UNITS),
                assigned_person="王经理",
                due_at=reported + timedelta(days=15),
                status=status,
                level=HandlingLevel.GRID,
                days_open=rnd.randrange(0, 60),
                overdue_days=rnd.choice([0, 0, 0, 3]),
                progress="已现场查看,正在协调处理",
                resolution="已协调责任单位处理完毕" if done else "",
                resolved_at=reported + timedelta(days=3) if done else None,
                satisfaction=Satisfaction.SATISFIED if done else None,
            )
        )
    items.sort(key=lambda p: (p.group_key, p.reported_at))
    third = n // 3
    summary = WeeklySummary(500, 480, 700, 400, third, third, n - 2 * third, 40, 900, 10, 8, 2, 0)
    return WeeklyReport(
        "同安街道",
        "同安街道",
        WEEK,
        WEEK.end,
        datetime(2026, 11, 25, 2, tzinfo=UTC),
        summary,
        tuple(items[:third]),
        tuple(items[third : n - third]),
        tuple(items[n - third :]),
    )


def baseline(report: WeeklyReport) -> bytes:
    """The same rows as one plain ReportLab table: no grouping, masking or numbering."""
    font = weekly.register_font()
    style = ParagraphStyle("b", fontName=font, fontSize=8.5, leading=11, wordWrap="CJK")
    rows = [[Paragraph(h, style) for h, _w in weekly.COLUMNS]]
    for i, p in enumerate(report.new + report.carried_over + report.resolved, start=1):
        texts = [
            str(i),
            p.place,
            p.category,
            p.description,
            p.urgency,
            f"{to_local(p.reported_at):%m-%d} 走访<br/>网格员 {p.worker}",
            f"{p.assigned_unit}<br/>{p.assigned_person}",
            f"{to_local(p.due_at):%Y-%m-%d}",
            f"{p.status.label}({p.level.label})",
            p.resolution or p.progress,
        ]
        rows.append([Paragraph(t, style) for t in texts])
    table = Table(rows, colWidths=[w * mm for _h, w in weekly.COLUMNS], repeatRows=1)
    table.setStyle(
        TableStyle([("FONTNAME", (0, 0), (-1, -1), font), ("GRID", (0, 0), (-1, -1), 0.5, "grey")])
    )
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm).build(
        [table]
    )
    return out.getvalue()


def ours(report: WeeklyReport) -> bytes:
    out = io.BytesIO()
    weekly.render_weekly(report, out)
    return out.getvalue()


def timed(fn, report: WeeklyReport) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    data = fn(report)
    return time.perf_counter() - started, len(data)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keep", type=Path, help="reuse/keep the 30k demo database here")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    report = synthetic_report()
    weekly.register_font()
    ours(report)  # warm up: font parsing and style set-up happen once per process
    a, b = [], []
    for _ in range(args.runs):
        t_ours, size_ours = timed(ours, report)
        t_base, size_base = timed(baseline, report)
        a.append(t_ours)
        b.append(t_base)
    mine, base = statistics.median(a), statistics.median(b)
    print(f"weekly list, {N:,} problems          {mine:6.2f} s median ({size_ours / 1024:.0f} KB)")
    print(f"plain ReportLab table, same rows     {base:6.2f} s median ({size_base / 1024:.0f} KB)")
    print(f"ratio                                {mine / base:6.2f}   (target <= 1.3)")

    folder = args.keep or Path(tempfile.mkdtemp(prefix="gv-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    db_path = folder / "demo30000.db"
    if not db_path.exists():
        print("generating 30,000 households…", flush=True)
        generate_demo(db_path, households=30_000, seed=1)
    db = open_database(db_path)
    services = build_services(db)
    scope, name = services.weekly.scope_for(None, None)
    started = time.perf_counter()
    data = services.weekly.build(WEEK, scope, name)
    gathered = time.perf_counter() - started
    db.dispose()
    rows = len(data.new) + len(data.carried_over) + len(data.resolved)
    print(f"gather {WEEK} from the 30k demo      {gathered:6.2f} s ({rows:,} rows)")
    out = folder / "weekly.pdf"
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "gridvisit",
            "--no-encryption",
            "report",
            "weekly",
            "--db",
            str(db_path),
            "--week",
            str(WEEK),
            "-o",
            str(out),
        ],
        check=True,
        capture_output=True,
        # The CLI logs in: the plain demo database's admin.
        env={**os.environ, "GRIDVISIT_USER": "admin", "GRIDVISIT_PASSWORD": DEMO_PASSWORD},
    )
    print(f"whole CLI run, same week             {time.perf_counter() - started:6.2f} s")


if __name__ == "__main__":
    main()
