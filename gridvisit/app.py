"""Builds the running application: Qt app, font, translator, database, services,
main window. Everything is created here and passed down; there are no globals."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gridvisit import APP_NAME, __version__, paths
from gridvisit.core.auth import Login
from gridvisit.core.errors import GridVisitError
from gridvisit.core.records import Actor
from gridvisit.core.services import ServiceContext, Services
from gridvisit.core.services.users import ensure_default_admin
from gridvisit.storage import Database

if TYPE_CHECKING:  # Qt is imported only when needed (start-up time)
    from PySide6.QtCore import QCoreApplication, QSettings, QTranslator
    from PySide6.QtWidgets import QApplication

    from gridvisit.ui.main_window import MainWindow

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


def install_translators(app: QCoreApplication) -> list[QTranslator]:
    """Load our zh_CN catalogue and Qt's own (standard buttons, dialogs). Returns the
    translators, which must stay referenced for as long as the app runs."""
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator

    locale = QLocale(LOCALE)
    QLocale.setDefault(locale)
    installed: list[QTranslator] = []
    ours = QTranslator(app)
    if ours.load(locale, APP_NAME, "_", str(paths.resource_path("translations"))):
        app.installTranslator(ours)
        installed.append(ours)
    else:
        log.warning(
            "translation catalogue %s_%s.qm not found; run `make translations`", APP_NAME, LOCALE
        )
    qt_own = QTranslator(app)
    for folder in qt_translation_folders(
        QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    ):
        if qt_own.load(locale, "qtbase", "_", folder):
            app.installTranslator(qt_own)
            installed.append(qt_own)
            break
    else:
        # Qt's own dialogs (file dialog: "Look in:", "Files of type:") would be English.
        log.warning("Qt's qtbase_zh_CN.qm not found; Qt's own dialogs stay in English")
    return installed


def qt_translation_folders(reported: str) -> list[str]:
    """Where Qt's own catalogues may be: where Qt says, inside the PySide6 package
    (a bundle or a wheel whose qt.conf points elsewhere), and our resources."""
    import PySide6

    package = Path(PySide6.__file__).resolve().parent
    candidates = [
        reported,
        str(package / "Qt" / "translations"),
        str(package / "translations"),
        str(paths.resource_path("translations")),
    ]
    return [c for c in dict.fromkeys(candidates) if c and Path(c).is_dir()]


def route_qt_messages() -> None:
    """Qt's own warnings go to our log file instead of the user's terminal."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    levels = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
        QtMsgType.QtCriticalMsg: logging.ERROR,
        QtMsgType.QtFatalMsg: logging.CRITICAL,
    }
    qt_log = logging.getLogger("qt")

    def handler(kind: QtMsgType, _context: object, message: str) -> None:
        qt_log.log(levels.get(kind, logging.WARNING), "%s", message)

    qInstallMessageHandler(handler)


def create_qt_app(argv: list[str] | None = None) -> tuple[QApplication, list[QTranslator]]:
    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    if not isinstance(app, QApplication):
        raise RuntimeError("a QCoreApplication already exists: the window needs a QApplication")
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationVersion(__version__)
    from PySide6.QtGui import QIcon

    from gridvisit.ui import collector

    collector.install(app)  # garbage is collected on the GUI thread only

    app.setWindowIcon(QIcon(str(paths.resource_path("icons", "gridvisit.png"))))
    family = register_fonts()
    if family:
        font = QFont(family)
        font.setPointSize(10)
        app.setFont(font)
    translators = install_translators(app)
    return app, translators


def build_services(db: Database) -> Services:
    """Services acting as the first sub-district admin without a login: for tests,
    benchmarks and tools. People reach the services through `_login_gui` / the CLI."""
    actor = ensure_default_admin(ServiceContext(db, Actor(None, "system")))
    return Services(ServiceContext(db, actor))


def build_main_window(
    db: Database, services: Services, settings: QSettings | None = None
) -> MainWindow:
    from gridvisit.ui.main_window import MainWindow

    label = db.path.name if db.path else db.engine.url.render_as_string(hide_password=True)
    return MainWindow(services, db_label=label, settings=settings)


def _settings() -> QSettings:
    """Window state lives in an INI file in our config folder on every platform."""
    from PySide6.QtCore import QSettings

    return QSettings(str(paths.config_dir() / "window.ini"), QSettings.Format.IniFormat)


def _login_gui(
    db_path: Path | str,
    *,
    create: bool,
    encrypted: bool,
    interactive: bool,
    hint: str = "",
    defer_checks: bool = False,
) -> Login | None:
    """Who is using the app: the first administrator on a new file, else a login.
    Without `interactive` (screenshots) the credentials come from GRIDVISIT_USER and
    GRIDVISIT_PASSWORD. Returns None when the user cancels. With `defer_checks` the
    login leaves quick_check and the daily backup to `ui.startup.StartupChecks`."""
    import os

    from PySide6.QtWidgets import QApplication, QMessageBox

    from gridvisit.core.auth import (
        create_database,
        default_throttle,
        encrypt_database,
        ensure_first_admin,
        login,
    )
    from gridvisit.core.errors import DatabaseCorruptError, StorageError
    from gridvisit.core.login_plan import Step, plan_login
    from gridvisit.storage.engine import is_plain_sqlite
    from gridvisit.ui.dialogs.security import FirstAdminDialog, LoginDialog

    throttle = default_throttle()
    # The decision the commands share (core/login_plan.py); asking is ours.
    plan = plan_login(
        db_path, create=create, user=os.environ.get("GRIDVISIT_USER"), first_admin=True
    )
    if plan.path is None:
        return _login_server(str(db_path), plan.user, interactive=interactive, hint=hint)
    path = plan.path
    if plan.step is Step.MISSING:
        raise StorageError(f"找不到数据库文件“{path}”。", hint="请检查路径。")
    fresh = plan.step is Step.CREATE
    legacy = plan.step is Step.FIRST_ADMIN

    def first(user: str, name: str, password: str) -> Login:
        if fresh:
            return create_database(path, user, name, password, encrypted=encrypted)
        ensure_first_admin(path, user, name, password)
        return attempt(user, password)

    def attempt(user: str, password: str) -> Login:
        try:
            return attempt_once(user, password)
        except DatabaseCorruptError:
            if not interactive or not _restore_damaged(path, user, password, throttle):
                raise
            return attempt_once(user, password)

    def attempt_once(user: str, password: str) -> Login:
        plain_file = is_plain_sqlite(path)
        if encrypted and plain_file and interactive:
            answer = QMessageBox.question(
                None,
                QApplication.translate("app", "Unencrypted database"),
                QApplication.translate(
                    "app",
                    "This database file is not encrypted: anyone who copies it can read it. "
                    "Encrypt it now? (Other users then need a new password from an admin.)",
                ),
            )
            if answer == QMessageBox.StandardButton.Yes:
                done = encrypt_database(path, user, password, throttle=throttle)
                plain_file = False
                if done.left_plain:
                    QMessageBox.warning(
                        None,
                        QApplication.translate("app", "Unencrypted database"),
                        QApplication.translate(
                            "app",
                            "These files in the backup folder could not be encrypted (damaged "
                            "or left over) and are still readable by anyone who copies them. "
                            "Delete them once you are sure they are not needed:\n{files}",
                        ).format(files="\n".join(str(f) for f in done.left_plain)),
                    )
        return login(
            path,
            user,
            password,
            encrypted=encrypted and not plain_file,
            throttle=throttle,
            defer_checks=defer_checks,
        )

    if not interactive:
        user = plan.user
        password = os.environ.get("GRIDVISIT_PASSWORD", "")
        return first(user, user, password) if fresh or legacy else attempt(user, password)
    if fresh or legacy:
        dialog: Any = FirstAdminDialog(first)
    else:
        dialog = LoginDialog(path.name, attempt, os.environ.get("GRIDVISIT_USER", ""), hint=hint)
    try:
        return dialog.result_login if dialog.exec() else None
    finally:
        dialog.deleteLater()


def _login_server(url: str, user: str, *, interactive: bool, hint: str = "") -> Login | None:
    """A server URL: the password is checked against the user's hash in the server
    database (no key file, no SQLCipher key, nothing to encrypt or restore here; the
    schema and first administrator come from `gridvisit server init`)."""
    import os

    from gridvisit.core.auth import default_throttle, login
    from gridvisit.storage.engine import server_label
    from gridvisit.ui.dialogs.security import LoginDialog

    throttle = default_throttle()

    def attempt(name: str, password: str) -> Login:
        return login(url, name, password, encrypted=False, throttle=throttle)

    if not interactive:
        return attempt(user, os.environ.get("GRIDVISIT_PASSWORD", ""))
    dialog = LoginDialog(
        server_label(url), attempt, os.environ.get("GRIDVISIT_USER", ""), hint=hint
    )
    try:
        return dialog.result_login if dialog.exec() else None
    finally:
        dialog.deleteLater()


def _restore_damaged(path: Path, user: str, password: str, throttle: Any) -> bool:
    """The database failed its check on open: offer the newest sound backup. Returns
    whether it was restored (the caller then logs in again)."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    from gridvisit.core.recovery import restore_newest_sound
    from gridvisit.storage.backups import Backup

    def confirm(backup: Backup) -> bool:
        answer = QMessageBox.question(
            None,
            QApplication.translate("app", "The database is damaged"),
            QApplication.translate(
                "app",
                "The database file failed its integrity check, so nothing will be written "
                "to it.\n\nThe newest sound backup was taken at {when} ({kind}). Restore it "
                "now? Records saved after that moment must be entered again; the damaged "
                "file is kept in the backup folder.",
            ).format(when=f"{backup.taken_at:%Y-%m-%d %H:%M}", kind=backup.reason.label),
        )
        return answer == QMessageBox.StandardButton.Yes

    return restore_newest_sound(path, user, password, confirm, throttle=throttle) is not None


def show_startup_error(exc: GridVisitError) -> None:
    """For someone who started the app from an icon and never sees stderr."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    _app, _translators = create_qt_app()
    QMessageBox.critical(
        None,
        QApplication.translate("app", "Cannot open the database"),
        f"{exc.message}\n{exc.hint}".strip(),
    )


def _tell(title: str, text: str, *, interactive: bool, error: bool = False) -> None:
    """A message box, or a line on stderr when there is nobody to click it away."""
    from PySide6.QtWidgets import QMessageBox

    if not interactive:
        print(f"{'错误' if error else '注意'}:{text}", file=sys.stderr)
    elif error:
        QMessageBox.critical(None, title, text)
    else:
        QMessageBox.warning(None, title, text)


def run_gui(
    db_path: Path | str,
    *,
    create: bool,
    screenshot: Path | None = None,
    page: str = "households",
    encrypted: bool = True,
    hint: str = "",
) -> int:
    """Open the main window on `db_path`. With `screenshot`, wait until the data is on
    screen, save a PNG of the window and exit. Only one instance opens a database; a
    backup chosen in the window is restored after it closes, then the login returns."""
    from PySide6.QtWidgets import QApplication

    from gridvisit.instance import InstanceLock
    from gridvisit.storage.location import warning_for

    # Both stay referenced until the last window has closed.
    _app, _translators = create_qt_app()
    paths.sweep_scratch()  # previews a crashed run left behind
    if "pytest" not in sys.modules:  # pytest-qt installs its own handler to check warnings
        route_qt_messages()
    interactive = screenshot is None
    cannot_open = QApplication.translate("app", "Cannot open the database")
    server = "://" in str(db_path)
    # A server URL: several people work on it at once, so there is no lock (and no
    # file whose location could be a risk); see docs/reliability.md.
    path: Path | str = str(db_path) if server else Path(db_path).expanduser().resolve()
    lock: Any = None
    if isinstance(path, Path):
        try:
            lock = InstanceLock(path).acquire()
        except GridVisitError as exc:
            _tell(
                cannot_open,
                f"{exc.message}\n{exc.hint}".strip(),
                interactive=interactive,
                error=True,
            )
            return 1
    try:
        where = warning_for(path) if isinstance(path, Path) else None
        if where:
            _tell(
                QApplication.translate("app", "Database location"), where, interactive=interactive
            )
        restored: Any = None
        defer = True
        while True:
            code, restore = _session(
                path,
                create,
                screenshot,
                page,
                encrypted,
                hint,
                restored_from=restored,
                defer_checks=defer,
            )
            if restore is None:
                return code
            if restore is DAMAGED:
                # The check behind the window found damage: log in again with the
                # check first, where the login offers the newest sound backup.
                restored, defer = None, False
                continue
            assert isinstance(path, Path)  # only files have backups to restore
            restored = _restore_chosen(path, *restore)
    finally:
        if lock is not None:
            lock.release()


def _restore_chosen(path: Path, backup: Any, key: bytes | None) -> Any:
    """Restore what the backups dialog chose, with the database closed. Returns the
    backup, or None when the restore failed (the user logs in to the old file)."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    from gridvisit.storage.backups import restore_backup

    title = QApplication.translate("app", "Restore backup")
    try:
        restore_backup(path, backup, key)
    except GridVisitError as exc:
        QMessageBox.critical(None, title, f"{exc.message}\n{exc.hint}".strip())
        return None
    QMessageBox.information(
        None,
        title,
        QApplication.translate(
            "app", "The backup of {when} was restored. Please log in again."
        ).format(when=f"{backup.taken_at:%Y-%m-%d %H:%M}"),
    )
    return backup


DAMAGED = object()  # what `_session` returns when the check behind the window found damage


def _session(
    path: Path | str,
    create: bool,
    screenshot: Path | None,
    page: str,
    encrypted: bool,
    hint: str,
    *,
    restored_from: Any = None,
    defer_checks: bool = True,
) -> tuple[int, Any]:
    """Log in, show the main window until it closes. Returns the exit code and, if the
    user chose a backup to restore, that backup and its key (or DAMAGED)."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    assert app is not None  # created by create_qt_app before the login
    interactive = screenshot is None
    try:
        session = _login_gui(
            path,
            create=create,
            encrypted=encrypted,
            interactive=interactive,
            hint=hint,
            defer_checks=defer_checks,
        )
    except GridVisitError as exc:
        _tell(
            QApplication.translate("app", "Cannot open the database"),
            f"{exc.message}\n{exc.hint}".strip(),
            interactive=interactive,
            error=True,
        )
        return 1, None
    if session is None:
        return 0, None
    db = session.db
    result: dict[str, Any] = {"code": 0, "damaged": None}
    # Made now (its state shows in the window); started after the first paint.
    checks = _make_checks(session, result, interactive=interactive)
    window: Any = None
    scratch = None
    try:
        services = Services(ServiceContext(db, session.actor))
        if restored_from is not None:  # a write: it waits for the check, so that runs now
            if checks is not None:
                checks.start()
            services.ctx.record("backup.restore", file=restored_from.path.name)
        for warning in session.warnings:
            _tell(QApplication.translate("app", "Backup"), warning, interactive=interactive)
        if screenshot is not None:
            # A throwaway settings file: screenshots show the default layout and leave
            # the user's remembered layout alone.
            from PySide6.QtCore import QSettings

            scratch = paths.scratch("shot")
            settings = QSettings(str(Path(scratch.name) / "window.ini"), QSettings.Format.IniFormat)
            settings.setValue("main/page", page)
        else:
            settings = _settings()
        if result["damaged"] is None:
            window = build_main_window(db, services, settings)
            if checks is not None:
                checks.attach(window)
                _start_after_first_paint(checks, window)
            if screenshot is not None:
                _shoot_when_loaded(window, screenshot, result)
            window.show()
            code = int(app.exec())
        else:
            code = 0  # damage found while a message box was up: no window at all
        if checks is not None:
            checks.stop()  # the rest of the check; an unfinished daily backup is abandoned
            if checks.damage is not None and result["damaged"] is None:
                _damage_found(result, checks.damage, interactive=interactive)
        if result["damaged"] is not None:
            return (1, None) if not interactive else (result["code"], DAMAGED)
        return result["code"] or code, window.pending_restore
    finally:
        if checks is not None:
            checks.stop()
        if window is not None:
            window.tasks.wait(5000)
        db.dispose()
        if scratch is not None:
            scratch.cleanup()


def _shoot_when_loaded(window: Any, screenshot: Path, result: dict[str, Any]) -> None:
    """Once the data is on screen, save a PNG of the window and close it."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    window.resize(1400, 860)

    def shoot() -> None:
        QApplication.processEvents()
        if not window.grab().save(str(screenshot)):
            print(f"错误:无法写入截图文件 {screenshot}", file=sys.stderr)
            result["code"] = 1
        window.close()

    def when_loaded() -> None:
        if window.is_loaded():
            window.loaded.disconnect(when_loaded)
            QTimer.singleShot(100, shoot)

    window.loaded.connect(when_loaded)


def _make_checks(session: Login, result: dict[str, Any], *, interactive: bool) -> Any:
    """What the login deferred (quick_check, the daily backup), to run behind the
    window (`_start_after_first_paint`). Its signals arrive through the event loop."""
    from PySide6.QtWidgets import QApplication

    from gridvisit.ui.startup import StartupChecks

    if session.pending is None:
        return None
    checks = StartupChecks(session)

    def done(warnings: list[str]) -> None:
        for warning in warnings:
            _tell(QApplication.translate("app", "Backup"), warning, interactive=interactive)

    def failed(message: str) -> None:
        _tell(QApplication.translate("app", "Start-up check"), message, interactive=interactive)

    checks.done.connect(done)
    checks.failed.connect(failed)
    checks.damaged.connect(lambda message: _damage_found(result, message, interactive=interactive))
    return checks


# Longest the checks wait for the first paint (a page that cannot load must not keep
# the file unchecked, and saving held, for long).
CHECKS_AFTER_PAINT_MAX_MS = 1500


def _start_after_first_paint(checks: Any, window: Any) -> None:
    """Start the checks once the tree and the first page are on screen: on two cores
    the check's reading of a big file took a core from the queries of the first
    paint (the tree's counts took 0.8 s beside it, 0.35 s alone, on the 30k file).
    Saving is held meanwhile either way, and nothing can be typed before the paint."""
    from PySide6.QtCore import QTimer

    window.loaded.connect(checks.start)
    QTimer.singleShot(CHECKS_AFTER_PAINT_MAX_MS, checks.start)


def _damage_found(result: dict[str, Any], message: str, *, interactive: bool) -> None:
    """Nothing has been written and nothing will be: say so, close the window; the
    login then offers the newest sound backup (as for damage found at the login)."""
    from PySide6.QtWidgets import QApplication

    result["damaged"] = message
    title = QApplication.translate("app", "The database is damaged")
    if interactive:
        _tell(
            title,
            message
            + "\n\n"
            + QApplication.translate(
                "app",
                "The window closes now. Log in again: the newest sound backup is offered.",
            ),
            interactive=True,
            error=True,
        )
    else:
        _tell(title, message, interactive=False, error=True)
    # Reading the damaged tables may have failed already, with a message box open
    # over the window: that one closes too.
    QApplication.closeAllWindows()
