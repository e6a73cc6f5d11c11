"""Regenerate docs/screenshots: every page and dialog, on a 1366x768 screen.

Usage: .venv/bin/python docs/make_screenshots.py [--households N] [--only buildings]

`--only buildings` writes only the building view's shots (the 楼栋图 page at 1366x768
and at 1600x1000, and its three prints as PNG through pdftoppm).

Qt's offscreen platform is given one 1366x768 screen (the most common cheap laptop),
so every window sizes itself as it would there: what does not fit shows. A 2,000-
household demo database is generated in a temporary folder, two grid laptops'
packages are merged into it (for the merge review), and each page and dialog is
opened in-process and grabbed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

TMP = Path(tempfile.mkdtemp(prefix="gv-docs-"))
_SCREEN = TMP / "screen.json"
_SCREEN.write_text(
    json.dumps(
        {
            "screens": [
                {
                    "name": "laptop",
                    "x": 0,
                    "y": 0,
                    "width": 1366,
                    "height": 768,
                    "logicalDpi": 96,
                    "logicalBaseDpi": 96,
                    "dpr": 1,
                }
            ]
        }
    )
)
os.environ.setdefault("QT_QPA_PLATFORM", f"offscreen:configfile={_SCREEN}")
os.environ.setdefault("GRIDVISIT_PASSWORD", "gridvisit-demo")  # the demo's password

OUT = Path(__file__).resolve().parent / "screenshots"


def _wait(ms: int = 150) -> None:
    from PySide6.QtTest import QTest

    QTest.qWait(ms)


def _shoot(widget: Any, name: str) -> None:
    widget.show()
    _wait()
    widget.grab().save(str(OUT / f"{name}.png"))
    print(f"  {name}.png  {widget.width()}x{widget.height()}")


def _modal(
    open_it: Callable[[], Any], name: str, before: Callable[[Any], None] = lambda w: None
) -> None:
    """Grab the next modal dialog that `open_it` shows, then close it."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QDialog

    def grab() -> None:
        widget = QApplication.activeModalWidget()
        if widget is None:
            QTimer.singleShot(30, grab)
            return
        before(widget)
        _wait(200)
        widget.grab().save(str(OUT / f"{name}.png"))
        print(f"  {name}.png  {widget.width()}x{widget.height()}")
        QDialog.reject(widget) if isinstance(widget, QDialog) else widget.close()

    QTimer.singleShot(0, grab)
    open_it()


def _laptop_packages(db_path: Path) -> list[Path]:
    """Two grid laptops (copies with their own device ids) each register the same ID
    number in a different household, and both edit one household's notes."""
    from sqlalchemy import select

    from gridvisit import app as app_module
    from gridvisit.core.records import ResidentInput
    from gridvisit.exchange.export import export_package
    from gridvisit.storage import open_database
    from gridvisit.storage.models import Device, Household

    main = open_database(db_path)
    with main.read_session() as s:
        hids = s.scalars(select(Household.id).order_by(Household.id).limit(3)).all()
    packages = []
    for n in range(2):
        path = TMP / f"laptop{n}.db"
        shutil.copy(db_path, path)
        db = open_database(path)
        device = str(uuid.uuid4())
        db.set_setting("device_id", device)
        db.dispose()
        db = open_database(path)
        services = app_module.build_services(db)
        services.households.add_resident(
            hids[n], ResidentInput(name="王建国", id_number="11010519491231002X", relation="租户")
        )
        services.households.update(hids[2], notes=("独居,需每周电话", "子女已接去同住")[n])
        packages.append(export_package(db, TMP / f"laptop{n}.gvpkg").path)
        db.dispose()
        with main.session() as s:
            s.add(Device(device_id=device, name=f"锦绣花园网格电脑{'甲乙'[n]}", sign_public="",
                         box_public=""))  # fmt: skip
    main.dispose()
    return packages


def _buildings(services: Any) -> None:
    """The 楼栋图 page of a three-building group at 1366x768 and 1600x1000, and the
    chart, the sweep list and a household card as the PDFs print them."""
    import subprocess

    from PySide6.QtCore import QSettings

    from gridvisit.core.clock import IsoWeek, today_local
    from gridvisit.reports import buildings as rb
    from gridvisit.ui.main_window import MainWindow

    window = MainWindow(
        services, settings=QSettings(str(TMP / "b.ini"), QSettings.Format.IniFormat)
    )
    window.show()
    while not window.is_loaded():
        _wait(20)
    key = next(
        (k for k in window.tree.node_keys()
         if k.startswith("building_group:") and "-" in window.tree.node(k).name),
        next(k for k in window.tree.node_keys() if k.startswith("building_group:")),
    )  # fmt: skip
    window.tree.select_key(key)
    while not window.is_loaded():
        _wait(20)
    window.pages.setCurrentIndex(3)
    while not window.is_loaded():
        _wait(20)
    window.buildings.chart_view.setFocus()
    _shoot(window, "buildings")
    window.resize(1600, 1000)
    _wait(300)
    window.grab().save(str(OUT / "buildings-1600.png"))
    print(f"  buildings-1600.png  {window.width()}x{window.height()}")
    window.buildings.by_visit.setChecked(True)
    _wait(200)
    window.grab().save(str(OUT / "buildings-by-visit.png"))
    print("  buildings-by-visit.png")
    group = int(key.split(":")[1])
    chart = services.buildings.chart(group)
    week = IsoWeek.containing(today_local(services.ctx.now()))
    sweep = services.buildings.sweep(week, building_group_id=group)
    room = max(chart.rooms, key=lambda r: (r.open_problems, len(r.special_groups)))
    card = services.buildings.card(room.household_id)
    for name, render in (
        ("print-buildings", lambda p: rb.render_chart(chart, p)),
        ("print-sweep", lambda p: rb.render_sweep(sweep, p)),
        ("print-household", lambda p: rb.render_household_card(card, p)),
    ):
        pdf = TMP / f"{name}.pdf"
        render(str(pdf))
        subprocess.run(
            ["pdftoppm", "-r", "70", "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf),
             str(OUT / name)],
            check=True,
        )  # fmt: skip
        print(f"  {name}.png  (page 1 of the PDF)")
    window.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=2000)
    parser.add_argument("--only", choices=("buildings",))
    args = parser.parse_args()

    from datetime import date

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from gridvisit import app as app_module
    from gridvisit.core.enums import EventKind, MoveKind
    from gridvisit.demo.generate import generate_demo
    from gridvisit.exchange.merge import merge_package
    from gridvisit.exchange.package import read_package
    from gridvisit.storage import open_database
    from gridvisit.ui.changes import Changes
    from gridvisit.ui.dialogs.backups import BackupDialog
    from gridvisit.ui.dialogs.edit_dialogs import HouseholdDialog, MoveDialog, ResidentDialog
    from gridvisit.ui.dialogs.exchange import ReviewDialog
    from gridvisit.ui.dialogs.guide import GuideDialog
    from gridvisit.ui.dialogs.key_setup import KeySetupDialog
    from gridvisit.ui.dialogs.problem_action import ProblemActionDialog
    from gridvisit.ui.dialogs.security import (
        AuditDialog,
        ChangePasswordDialog,
        FirstAdminDialog,
        LoginDialog,
    )
    from gridvisit.ui.dialogs.tiers import TierDialog
    from gridvisit.ui.dialogs.visit_dialog import VisitDialog
    from gridvisit.ui.main_window import MainWindow

    OUT.mkdir(exist_ok=True)
    db_path = TMP / "demo.db"
    generate_demo(db_path, households=args.households, seed=1)
    if args.only == "buildings":
        _qapp, _translators = app_module.create_qt_app([])
        db = open_database(db_path)
        _buildings(app_module.build_services(db))
        db.dispose()
        return
    packages = _laptop_packages(db_path)

    _qapp, _translators = app_module.create_qt_app([])
    screen = QApplication.primaryScreen().availableGeometry()
    print(f"screen {screen.width()}x{screen.height()}; writing to {OUT}")
    db = open_database(db_path)
    for package in packages:
        merge_package(db, read_package(package))
    services = app_module.build_services(db)
    services.backups.create()
    window = MainWindow(
        services, settings=QSettings(str(TMP / "w.ini"), QSettings.Format.IniFormat)
    )
    window.show()
    while not window.is_loaded():
        _wait(20)
    # The first group holds 1栋1单元101室 of several compounds: the whole sub-district.
    window.tree.select_key("root")
    while not window.is_loaded():
        _wait(20)
    window.households.table.selectRow(2)
    _wait(300)
    for index, page in enumerate(("households", "problems", "due")):
        window.pages.setCurrentIndex(index)
        while not window.is_loaded():
            _wait(20)
        _shoot(window, page)
    _stats_page(window)
    window.pages.setCurrentIndex(0)
    while not window.is_loaded():
        _wait(20)

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
    _shoot(dialog, "visit-dialog")
    _modal(dialog.reject, "visit-unsaved-question")
    from PySide6.QtWidgets import QDialog

    dialog.services.visits.save_draft(row.id, dialog.form_state())
    QDialog.reject(dialog)
    again = VisitDialog(
        services, window.reference, row.id, detail.address, list(detail.residents), window
    )
    _shoot(again, "visit-dialog-draft")
    services.visits.discard_draft(row.id)
    QDialog.reject(again)
    visit_id = detail.visits[0].id
    edit = VisitDialog(
        services, window.reference, row.id, detail.address, list(detail.residents), window,
        visit_id=visit_id,
    )  # fmt: skip
    _shoot(edit, "visit-open")
    QDialog.reject(edit)

    problems = services.workspace.problem_lines(window.scope(), window.problems.current_filter())
    pending = next(p for p in problems if p.status.value == "pending")
    action = ProblemActionDialog(
        services,
        pending.id,
        EventKind.ACCEPTED,
        f"{pending.category}:{pending.description}",
        window,
    )
    action.unit.setText("物业服务中心")
    action.person.setText("王经理")
    action.note.setPlainText("明天上午派人查看")
    _shoot(action, "accept-dialog")
    QDialog.reject(action)
    visit_back = ProblemActionDialog(
        services, pending.id, EventKind.RETURN_VISIT, f"{pending.category}:{pending.description}",
        window,
    )  # fmt: skip
    _shoot(visit_back, "return-visit-dialog")
    QDialog.reject(visit_back)

    household = HouseholdDialog(
        window.reference, lambda v: True, title="修改住户",
        values={"building": "3", "unit": "2", "room": "501", "phone": "", "notes": "",
                "is_party_centre": False, "tier_code": None, "house_status": "rented",
                "owner_name": "赵建国", "owner_phone": "13912345678", "tenant_count": 3,
                "rental_registration": "ZL2026000123"}, parent=window,
    )  # fmt: skip
    _shoot(household, "household-dialog")
    household.reject()
    someone = detail.residents[0]
    resident = ResidentDialog(
        window.reference, lambda r: r, title="修改居民", resident=someone, parent=window
    )
    _shoot(resident, "resident-dialog")
    resident.reject()
    move = MoveDialog(someone, lambda *a: a, today=date.today(), parent=window)
    _shoot(move, "move-dialog")
    move.reject()
    tiers = TierDialog(services.tiers, editable=True, parent=window)
    _shoot(tiers, "tiers-dialog")
    tiers.reject()
    # A move out, then the detail's 迁入迁出 tab: the one who left is greyed.
    if len(detail.residents) > 1:
        services.households.record_move(
            detail.residents[-1].id, MoveKind.MOVE_OUT, date.today(), "到外地工作"
        )
        window.hub.notify(Changes(households=frozenset({row.id})))
        _wait(300)
    window.households.tabs.setCurrentIndex(3)
    _wait(200)
    _shoot(window, "households-moves")
    window.households.tabs.setCurrentIndex(0)

    review = ReviewDialog(services, window)
    _shoot(review, "merge-review")
    review.tabs.setCurrentIndex(1)
    _shoot(review, "merge-review-duplicates")
    review.close()
    # A few everyday actions, so the audit log shows what supervisors read in it.
    from gridvisit.core.records import ProblemInput, VisitInput

    services.visits.record(
        VisitInput(row.id, services.ctx.now(), "in_person", "routine", "门口交谈", (),
                   (ProblemInput("leak", "卫生间漏水", "normal", "grid"),))
    )  # fmt: skip
    services.problems.accept(pending.id, "物业服务中心", "王经理", "明天上午派人查看")
    resident_id = detail.residents[0].id
    services.households.reveal(resident_id, "phone")
    services.visits.delete(visit_id)
    audit = AuditDialog(services, window)
    _shoot(audit, "audit-log")
    audit.close()
    backups = BackupDialog(services, window)
    _shoot(backups, "backups")
    backups.close()
    guide = KeySetupDialog(services, window.security, window)
    _shoot(guide, "key-exchange-guide")
    guide.close()
    manual = GuideDialog(window)
    _shoot(manual, "user-guide")
    manual.close()
    password = ChangePasswordDialog(services, window)
    _shoot(password, "change-password")
    password.close()
    login = LoginDialog("demo.db", lambda *_a: None)  # type: ignore[arg-type,return-value]
    _shoot(login, "login")
    login.close()
    first = FirstAdminDialog(lambda *_a: None)  # type: ignore[arg-type,return-value]
    _shoot(first, "first-admin")
    first.close()

    from gridvisit.ui import files

    _modal(
        lambda: files.open_files(window, "合并数据包", "数据包 (*.gvpkg)"),
        "file-dialog",
        lambda d: d.setDirectory(str(TMP)),
    )
    _weekly_report(services, window)
    window.close()
    _buildings(services)
    db.dispose()
    print(f"screenshots written to {OUT}")


def _stats_page(window) -> None:  # type: ignore[no-untyped-def]
    """The 统计 page on last month (a whole month of the demo), its category chart, and
    the drill-down behind the coverage tile."""
    from PySide6.QtCore import QTimer

    from gridvisit.ui.main_window import PAGES

    page = window.stats
    window.pages.setCurrentIndex(PAGES.index("stats"))
    page.set_period(page.period().previous())
    while not window.is_loaded():
        _wait(20)
    _shoot(window, "stats")
    page.charts.setCurrentIndex(1)
    _shoot(window, "stats-categories")
    page.charts.setCurrentIndex(0)
    done = {"shot": False}

    def shown(dialog) -> None:  # type: ignore[no-untyped-def]
        def grab() -> None:
            dialog.grab().save(str(OUT / "stats-drill.png"))
            print(f"  stats-drill.png  {dialog.width()}x{dialog.height()}")
            done["shot"] = True
            dialog.reject()

        QTimer.singleShot(300, grab)

    window.stats_actions.drill_shown.connect(shown)
    page.tiles["coverage"].activated.emit()
    while not done["shot"]:
        _wait(20)


def _weekly_report(services, window) -> None:  # type: ignore[no-untyped-def]
    """Page 1 of last week's list (rendered with QtPdf, no external tool) and the dialog,
    while building and built."""
    from PySide6.QtCore import QEventLoop, QSize, QTimer
    from PySide6.QtPdf import QPdfDocument

    from gridvisit.core.clock import IsoWeek, today_local
    from gridvisit.reports.weekly import write_weekly_pdf
    from gridvisit.ui.dialogs.weekly_report import WeeklyReportDialog

    week = IsoWeek.containing(today_local(services.ctx.now())).previous()
    community = services.hierarchy.communities()[0].name
    scope, name = services.weekly.scope_for(community, None)
    pdf = TMP / "weekly.pdf"
    write_weekly_pdf(services.weekly.build(week, scope, name), pdf)
    doc = QPdfDocument()
    doc.load(str(pdf))
    points = doc.pagePointSize(0)
    doc.render(0, QSize(round(points.width() * 2), round(points.height() * 2))).save(
        str(OUT / "weekly-report-p1.png")
    )

    dialog = WeeklyReportDialog(services, parent=window)  # the whole sub-district
    shot = {"done": False}

    def building(_serial: int, page: int, _total: int) -> None:
        if page >= 3 and not shot["done"]:
            shot["done"] = True
            dialog.grab().save(str(OUT / "weekly-dialog-building.png"))
            print("  weekly-dialog-building.png")

    dialog.page_done.connect(building)
    loop = QEventLoop()
    dialog.finished_building.connect(loop.quit)
    dialog.show()
    loop.exec()
    dialog.community.setCurrentIndex(1)
    loop.exec()
    dialog.week.setCurrentIndex(1)  # last week
    loop.exec()
    QTimer.singleShot(300, loop.quit)
    loop.exec()
    _shoot(dialog, "weekly-dialog")
    dialog.reject()


if __name__ == "__main__":
    main()
