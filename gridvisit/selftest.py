"""`gridvisit --self-test`: does this installation work, end to end?

Run in a source checkout or in the bundle, in a temporary folder: create an encrypted
database (migrations), make small demo data, open the main window offscreen, build a
weekly PDF, export a package and merge it at a sub-district. Each step prints what it
did; the first failure prints its reason and the exit code is 1.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

PASSWORD = "self-test-password"


class SelfTestFailure(Exception):
    pass


def _check(condition: bool, reason: str) -> None:
    if not condition:
        raise SelfTestFailure(reason)


def run_self_test(out: Callable[[str], None] = print) -> int:
    # The main window is opened offscreen, with or without a display.
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from gridvisit import __version__, paths

    out(f"gridvisit {__version__} 自检({'打包版' if getattr(sys, 'frozen', False) else '源码'})")
    out(f"  资源文件夹:{paths.resource_root()}")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="gridvisit-selftest-") as tmp:
        folder = Path(tmp)
        state: dict[str, Any] = {}
        steps: list[tuple[str, Callable[[], str]]] = [
            ("新建加密数据库并执行迁移", lambda: _create(folder, state)),
            ("生成演示数据", lambda: _demo(folder, state)),
            ("离屏打开主窗口", lambda: _window(state)),
            ("生成每周问题清单 PDF", lambda: _weekly_pdf(folder, state)),
            ("导出数据包并在街道合并", lambda: _exchange(folder, state)),
        ]
        try:
            for number, (title, step) in enumerate(steps, 1):
                t0 = time.perf_counter()
                try:
                    detail = step()
                except Exception as exc:
                    out(f"[{number}/{len(steps)}] {title}:失败")
                    out(f"自检失败:{_reason(exc)}")
                    if not isinstance(exc, SelfTestFailure):
                        out(traceback.format_exc())
                    return 1
                ms = (time.perf_counter() - t0) * 1000
                out(f"[{number}/{len(steps)}] {title}:通过({ms:.0f} ms){detail}")
        finally:
            for db in state.get("open", []):
                db.dispose()
    out(f"自检通过,用时 {time.perf_counter() - started:.1f} 秒。")
    return 0


def _reason(exc: Exception) -> str:
    from gridvisit.core.errors import GridVisitError

    if isinstance(exc, GridVisitError):
        return f"{exc.message} {exc.hint}".strip()
    if isinstance(exc, SelfTestFailure):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def _create(folder: Path, state: dict[str, Any]) -> str:
    from gridvisit.core.auth import create_database
    from gridvisit.storage.check import check_database

    made = create_database(
        folder / "subdistrict.db", "admin", "自检管理员", PASSWORD, encrypted=True
    )
    state.setdefault("open", []).append(made.db)
    state["sub"] = made
    report = check_database(folder / "subdistrict.db", made.db.key)
    _check(report.ok, f"新数据库检查未通过:{report.problems}")
    _check(report.schema_version == report.head_version, "迁移没有执行到最新版本")
    header = (folder / "subdistrict.db").read_bytes()[:16]
    _check(not header.startswith(b"SQLite format 3"), "数据库没有加密")
    return f",架构版本 {report.schema_version}"


def _demo(folder: Path, state: dict[str, Any]) -> str:
    from gridvisit.core.auth import LoginThrottle, login
    from gridvisit.demo.generate import generate_demo

    path = folder / "laptop.db"
    stats = generate_demo(path, households=60, weeks=4, password=PASSWORD, encrypted=True)
    session = login(
        path, "admin", PASSWORD, encrypted=True, throttle=LoginThrottle(folder / "t.json")
    )
    state["open"].append(session.db)
    state["laptop"] = session
    _check(stats.households == 60, "演示数据住户数不对")
    return f",住户 {stats.households},走访 {stats.visits},问题 {stats.problems}"


def _window(state: dict[str, Any]) -> str:
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from gridvisit.app import build_main_window, create_qt_app, route_qt_messages
    from gridvisit.core.services import ServiceContext, Services

    app, translators = create_qt_app([sys.argv[0]])
    state["qt"] = (app, translators)
    if "pytest" not in sys.modules:  # Qt's notes go to the log, not between our lines
        route_qt_messages()
    _check(bool(translators), "没有找到中文界面翻译(.qm)")
    translated = QApplication.translate("MainWindow", "Due this week")
    _check(translated == "本周应访", f"界面翻译不对:{translated}")
    family = QApplication.font().family()
    _check("WenQuanYi" in family, f"没有加载自带的中文字体(当前 {family})")
    session = state["laptop"]
    services = Services(ServiceContext(session.db, session.actor))
    from PySide6.QtCore import QSettings

    settings = QSettings(str(Path(session.db.path).with_suffix(".ini")), QSettings.Format.IniFormat)
    window = build_main_window(session.db, services, settings)
    loop = QEventLoop()
    window.loaded.connect(loop.quit)
    QTimer.singleShot(30_000, loop.quit)
    window.resize(1200, 800)
    window.show()
    if not window.is_loaded():
        loop.exec()
    try:
        _check(window.is_loaded(), "主窗口 30 秒内没有加载完数据")
        image = window.grab().toImage()
        _check(image.width() >= 1000, "主窗口截图大小不对")
        households = window.households.model.rowCount()
        _check(households > 0, "主窗口里没有住户")
        return f",显示 {households} 户,字体 {family}"
    finally:
        window.close()
        window.tasks.wait(5000)
        window.deleteLater()


def _weekly_pdf(folder: Path, state: dict[str, Any]) -> str:

    from gridvisit.core.clock import IsoWeek, today_local
    from gridvisit.core.services import ServiceContext, Services
    from gridvisit.reports.weekly import write_weekly_pdf

    session = state["laptop"]
    services = Services(ServiceContext(session.db, session.actor))
    scope, name = services.weekly.scope_for(None, None)
    report = services.weekly.build(IsoWeek.containing(today_local()), scope, name)
    path = folder / "weekly.pdf"
    write_weekly_pdf(report, path)
    data = path.read_bytes()
    _check(data.startswith(b"%PDF") and len(data) > 10_000, "PDF 文件不完整")
    return f",{len(data) // 1024} KB,新增问题 {report.summary.new} 件"


def _exchange(folder: Path, state: dict[str, Any]) -> str:
    from gridvisit.core.services import ServiceContext, Services

    laptop, sub = state["laptop"], state["sub"]
    on_laptop = Services(ServiceContext(laptop.db, laptop.actor))
    at_sub = Services(ServiceContext(sub.db, sub.actor))
    # The set-up as people do it: key files both ways, the laptop registered for its
    # communities (created at the empty sub-district).
    at_sub.keys.create(folder / "sub.pub", "自检街道")
    on_laptop.keys.trust_subdistrict(folder / "sub.pub")
    on_laptop.keys.create(folder / "laptop.pub", "自检电脑")
    communities = [c.name for c in on_laptop.hierarchy.communities()]
    at_sub.keys.register_device(folder / "laptop.pub", communities=communities, create_missing=True)
    result = on_laptop.exchange.export_package(folder / "laptop.gvpkg", full=True)
    _package, stats = at_sub.exchange.merge_file(result.path)
    _check(stats.inserted > 0, "合并后街道数据库里没有新记录")
    return f",数据包 {result.path.stat().st_size // 1024} KB,合并新增 {stats.inserted} 条"
