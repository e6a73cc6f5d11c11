"""Builds the running application: Qt app, font, translator, database, services,
main window. Everything is created here and passed down; there are no globals."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from sqlalchemy import func, select

from gridvisit import APP_NAME, __version__, paths
from gridvisit.core.errors import GridVisitError
from gridvisit.core.records import Actor
from gridvisit.core.services import ServiceContext, Services
from gridvisit.core.services.users import ensure_default_admin
from gridvisit.storage import Database, open_database
from gridvisit.storage.models import BuildingGroup, Community, Grid, Household

log = logging.getLogger(__name__)

FONT_FILE = "wqy-microhei.ttc"
LOCALE = "zh_CN"


def register_fonts() -> str | None:
    """Register the bundled CJK font so Chinese renders on machines without one."""
    from PySide6.QtGui import QFontDatabase

    font_id = QFontDatabase.addApplicationFont(str(paths.resource_path("fonts", FONT_FILE)))
    if font_id < 0:
        log.warning("could not load bundled font %s", FONT_FILE)
        return None
    families = QFontDatabase.applicationFontFamilies(font_id)
    return families[0] if families else None


def install_translators(app: object) -> list[object]:
    """Load our zh_CN catalogue and Qt's own (standard buttons, dialogs). Returns the
    translators, which must stay referenced for as long as the app runs."""
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator

    locale = QLocale(LOCALE)
    QLocale.setDefault(locale)
    installed = []
    ours = QTranslator(app)  # type: ignore[arg-type]
    if ours.load(locale, APP_NAME, "_", str(paths.resource_path("translations"))):
        app.installTranslator(ours)  # type: ignore[attr-defined]
        installed.append(ours)
    else:
        log.warning(
            "translation catalogue %s_%s.qm not found; run `make translations`", APP_NAME, LOCALE
        )
    qt_own = QTranslator(app)  # type: ignore[arg-type]
    if qt_own.load(
        locale, "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    ):
        app.installTranslator(qt_own)  # type: ignore[attr-defined]
        installed.append(qt_own)
    return installed


def create_qt_app(argv: list[str] | None = None) -> tuple[object, list[object]]:
    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationVersion(__version__)
    family = register_fonts()
    if family:
        font = QFont(family)
        font.setPointSize(10)
        app.setFont(font)
    translators = install_translators(app)
    return app, translators


def build_services(db: Database) -> Services:
    actor = ensure_default_admin(ServiceContext(db, Actor(None, "system")))
    return Services(ServiceContext(db, actor))


def build_main_window(db: Database, services: Services):  # type: ignore[no-untyped-def]
    from gridvisit.ui.main_window import DatabaseSummary, MainWindow

    with db.read_session() as s:

        def count(model: type) -> int:
            return int(s.scalar(select(func.count()).select_from(model)) or 0)

        summary = DatabaseSummary(
            path=str(db.path or db.engine.url),
            communities=count(Community),
            grids=count(Grid),
            building_groups=count(BuildingGroup),
            households=count(Household),
            user_name=services.ctx.actor.display_name or services.ctx.actor.username,
        )
    return MainWindow(summary)


def run_gui(db_path: Path, *, create: bool) -> int:
    from PySide6.QtWidgets import QApplication, QMessageBox

    app, _translators = create_qt_app()
    try:
        db = open_database(db_path, create=create)
    except GridVisitError as exc:
        QMessageBox.critical(
            None,
            QApplication.translate("app", "Cannot open the database"),
            f"{exc.message}\n{exc.hint}".strip(),
        )
        return 1
    services = build_services(db)
    window = build_main_window(db, services)
    window.show()
    try:
        return int(app.exec())  # type: ignore[attr-defined]
    finally:
        db.dispose()
