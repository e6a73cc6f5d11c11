"""Background work: run a function on the thread pool, get its result back on the GUI
thread through a signal. Results of superseded requests are dropped."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from gridvisit.core.errors import GridVisitError

log = logging.getLogger(__name__)


class _Signals(QObject):
    finished = Signal(object)
    failed = Signal(str)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], signals: _Signals) -> None:
        super().__init__()
        self.fn = fn
        self.signals = signals

    def run(self) -> None:
        try:
            result = self.fn()
        except GridVisitError as exc:
            self.signals.failed.emit(str(exc))
        except Exception:
            log.exception("background task failed")
            self.signals.failed.emit("后台任务出错,详情已记录在日志中。")
        else:
            self.signals.finished.emit(result)


class TaskRunner(QObject):
    """Runs named jobs; a new job under the same name supersedes the old one's result."""

    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(2)
        self._generation: dict[str, int] = {}
        self._live: dict[int, tuple[_Signals, _Job]] = {}
        self._running = 0

    def run(
        self,
        name: str,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        generation = self._generation.get(name, 0) + 1
        self._generation[name] = generation
        signals = _Signals()
        job = _Job(fn, signals)
        job.setAutoDelete(False)
        token = id(signals)
        # Keep both Python objects alive until the job has reported back.
        self._live[token] = (signals, job)

        def finished(result: Any) -> None:
            self._end(token)
            if self._generation.get(name) == generation:
                on_done(result)

        def failed(message: str) -> None:
            self._end(token)
            if self._generation.get(name) == generation and on_error is not None:
                on_error(message)

        signals.finished.connect(finished)
        signals.failed.connect(failed)
        self._running += 1
        if self._running == 1:
            self.busy_changed.emit(True)
        self._pool.start(job)

    def is_current(self, name: str, generation: int) -> bool:
        return self._generation.get(name) == generation

    def _end(self, token: int) -> None:
        self._live.pop(token, None)
        self._running -= 1
        if self._running == 0:
            self.busy_changed.emit(False)

    def wait(self, msecs: int = 10_000) -> bool:
        return self._pool.waitForDone(msecs)
