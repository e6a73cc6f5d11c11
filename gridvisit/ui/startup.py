"""The checks that used to run before the first paint, now run behind it (issue 18).

The window opens as soon as the user is logged in. Meanwhile one thread runs what the
login left to do (`core.auth.finish_login`): quick_check, the login's audit entry,
the daily backup. Until it is done the database holds every write (a save waits in
`Database.session`), the status bar says so and the main write actions are off.
Damage found there is handled as at the login: the window closes and the login
offers the newest sound backup. The thread starts once the first paint is on screen
(gridvisit/app.py `_start_after_first_paint`), so that it does not take a core from
the paint's own queries; `attach` shows its state meanwhile.

A plain thread, not the window's TaskRunner: its two pool threads stay free for the
data the first paint shows, and closing the window must not wait for a backup that
is safe to abandon (nothing has been written since the start).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QMainWindow

from gridvisit.core.auth import Login, finish_login
from gridvisit.core.errors import DatabaseCorruptError, GridVisitError

log = logging.getLogger(__name__)


class StartupChecks(QObject):
    done = Signal(object)  # list[str]: warnings to show
    damaged = Signal(str)  # the message of the DatabaseCorruptError
    failed = Signal(str)

    def __init__(self, login: Login, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.login = login
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._run, name="startup-checks")
        self._label: QLabel | None = None
        self._held: list[Any] = []
        self.finished = False
        # What the check found, also for a window closed before the signal arrived.
        self.damage: str | None = None
        for signal in (self.done, self.damaged, self.failed):
            signal.connect(self._ended)

    @property
    def needed(self) -> bool:
        return self.login.pending is not None

    @property
    def started(self) -> bool:
        return self._thread.ident is not None

    def start(self) -> None:
        """Start the checks (once; later calls do nothing)."""
        if not self.started:
            self._thread.start()

    def _run(self) -> None:
        try:
            warnings = finish_login(self.login, cancelled=self._cancel.is_set)
        except DatabaseCorruptError as exc:
            self.damage = f"{exc.message}\n{exc.hint}".strip()
            self.damaged.emit(self.damage)
        except Exception as exc:
            if self._cancel.is_set():  # interrupted by `stop`: the window is gone
                log.info("start-up checks abandoned: the window closed first")
            elif isinstance(exc, GridVisitError):
                self.failed.emit(f"{exc.message}\n{exc.hint}".strip())
            else:
                log.exception("start-up checks failed")
                self.failed.emit(self.tr("The start-up check failed; details are in the log file."))
        else:
            self.done.emit(warnings)

    def stop(self, timeout: float = 60.0) -> None:
        """The window closed: abandon the quick_check and the daily backup if they are
        still running (nothing was written since the start, so the next start does
        both) and wait for the thread to end."""
        self._cancel.set()
        if not self.started:
            # Closed before the first paint: the next start checks. Meanwhile a save
            # is refused at once instead of waiting at the gate for a check that
            # never comes.
            self.login.db.abandon_check()
            return
        deadline = time.monotonic() + timeout
        while self._thread.is_alive() and time.monotonic() < deadline:
            # Again and again: an interrupt that comes just before the check's
            # statement starts is lost (SQLite clears it when a statement begins).
            self.login.db.interrupt_check()
            self._thread.join(0.05)

    # -- what the window shows meanwhile -------------------------------------------
    def attach(self, window: QMainWindow) -> None:
        """A status-bar note and the main write actions off until the checks end."""
        if self.finished:
            return
        self._label = QLabel(
            self.tr("Checking the database and taking today's backup; saving waits until then…"),
            window,
        )
        window.statusBar().addWidget(self._label)
        for name in ("act_visit", "act_new_household"):
            action = getattr(window, name, None)
            if action is not None and action.isEnabled():
                action.setEnabled(False)
                self._held.append(action)

    def _ended(self, *_args: object) -> None:
        self.finished = True
        if self._label is not None:
            self._label.hide()
            self._label.deleteLater()
            self._label = None
        for action in self._held:
            action.setEnabled(True)
        self._held.clear()
