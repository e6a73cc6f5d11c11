"""Regenerate docs/screenshots from a demo database.

Usage: .venv/bin/python docs/make_screenshots.py
Pages come from `gridvisit --screenshot`; dialogs are opened in-process and grabbed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("GRIDVISIT_PASSWORD", "gridvisit-demo")  # the demo's password

OUT = Path(__file__).resolve().parent / "screenshots"


def main() -> None:
    from PySide6.QtCore import QSettings

    from gridvisit import app as app_module
    from gridvisit.core.enums import EventKind
    from gridvisit.storage import open_database
    from gridvisit.storage.demo import generate_demo
    from gridvisit.ui.dialogs.problem_action import ProblemActionDialog
    from gridvisit.ui.dialogs.visit_dialog import VisitDialog
    from gridvisit.ui.main_window import MainWindow

    OUT.mkdir(exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="gv-docs-"))
    db_path = tmp / "demo.db"
    generate_demo(db_path, households=2000, seed=1)
    for page in ("households", "problems", "due"):
        subprocess.run(
            [
                sys.executable,
                "-m",
                "gridvisit",
                "--no-encryption",
                "--db",
                str(db_path),
                "--screenshot",
                str(OUT / f"{page}.png"),
                "--page",
                page,
            ],
            check=True,
        )

    _qapp, _translators = app_module.create_qt_app([])
    db = open_database(db_path)
    services = app_module.build_services(db)
    window = MainWindow(
        services, settings=QSettings(str(tmp / "w.ini"), QSettings.Format.IniFormat)
    )
    from PySide6.QtTest import QTest

    window.show()
    while not window.is_loaded():
        QTest.qWait(20)
    row = window.households.model.row_at(2)
    detail = services.workspace.household_detail(row.id)
    dialog = VisitDialog(
        services, window.reference, row.id, detail.address, list(detail.residents), window
    )
    dialog.notes.setPlainText("老人身体尚可,子女每周探望;宣传了防诈骗知识和燃气安全。")
    problem = dialog.add_problem()
    problem.category.setCurrentIndex(problem.category.findData("elevator"))
    problem.description.setText("3号楼2单元电梯经常停运,老人上下楼困难")
    dialog.add_problem()
    dialog.save()  # the second problem is empty: shows the inline errors
    dialog.show()
    QTest.qWait(100)
    dialog.grab().save(str(OUT / "visit-dialog.png"))
    dialog.reject()

    problems = services.workspace.problem_lines(
        window._node.scope, window.problems.current_filter()
    )
    target = (
        next(p for p in problems if p.status.value == "pending")
        if any(p.status.value == "pending" for p in problems)
        else problems[0]
    )
    action = ProblemActionDialog(
        services, target.id, EventKind.ACCEPTED, f"{target.category}:{target.description}", window
    )
    action.unit.setText("物业服务中心")
    action.person.setText("王经理")
    action.show()
    QTest.qWait(100)
    action.grab().save(str(OUT / "accept-dialog.png"))
    action.reject()
    _weekly_report(services, tmp, window)
    window.close()
    db.dispose()
    print(f"screenshots written to {OUT}")


def _weekly_report(services, tmp: Path, window) -> None:  # type: ignore[no-untyped-def]
    """Page 1 of last week's list (rendered with QtPdf, no external tool) and the dialog."""
    from PySide6.QtCore import QEventLoop, QSize, QTimer
    from PySide6.QtPdf import QPdfDocument

    from gridvisit.core.clock import IsoWeek, today_local
    from gridvisit.reports.weekly import write_weekly_pdf
    from gridvisit.ui.dialogs.weekly_report import WeeklyReportDialog

    week = IsoWeek.containing(today_local(services.ctx.now())).previous()
    community = services.hierarchy.communities()[0].name
    scope, name = services.weekly.scope_for(community, None)
    pdf = tmp / "weekly.pdf"
    write_weekly_pdf(services.weekly.build(week, scope, name), pdf)
    doc = QPdfDocument()
    doc.load(str(pdf))
    points = doc.pagePointSize(0)
    doc.render(0, QSize(round(points.width() * 2), round(points.height() * 2))).save(
        str(OUT / "weekly-report-p1.png")
    )

    dialog = WeeklyReportDialog(services, community=community, parent=window)
    dialog.week.setCurrentIndex(1)  # last week
    dialog.resize(1280, 860)
    loop = QEventLoop()
    dialog.finished_building.connect(loop.quit)
    dialog.show()
    loop.exec()
    QTimer.singleShot(300, loop.quit)
    loop.exec()
    dialog.grab().save(str(OUT / "weekly-dialog.png"))
    dialog.reject()


if __name__ == "__main__":
    main()
