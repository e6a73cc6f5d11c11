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
    """One per runner, living as long as it: jobs report through it with their token,
    so no signal object is ever destroyed while a worker may still be emitting."""

    finished = Signal(int, object)
    failed = Signal(int, str)


class _Job(QRunnable):
    """Reused: PySide's QThreadPool.start keeps a reference to every runnable it was
    given for the pool's lifetime, so a new one per task would leak."""

    def __init__(self, signals: _Signals) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.token = 0
        # Held until the GUI thread retires the job, so the closure (and whatever it
        # holds) is never released on the worker thread.
        self.fn: Callable[[], Any] | None = None
        self.signals = signals

    def run(self) -> None:
        fn = self.fn
        assert fn is not None
        try:
            result = fn()
        except GridVisitError as exc:
            self.signals.failed.emit(self.token, str(exc))
        except Exception:
            log.exception("background task failed")
            self.signals.failed.emit(self.token, "后台任务出错,详情已记录在日志中。")
        else:
            self.signals.finished.emit(self.token, result)


class TaskRunner(QObject):
    """Runs named jobs; a new job under the same name supersedes the old one's result.

    Lifetimes are kept on the GUI thread: a finished job's work is released, and the
    job made reusable, only once the pool runs nothing (a worker may still be
    returning from `run` when its result arrives); callers `wait()` before destroying
    the runner's owner.
    """

    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(2)
        self._signals = _Signals(self)
        self._signals.finished.connect(self._finished)
        self._signals.failed.connect(self._failed)
        self._generation: dict[str, int] = {}
        self._callbacks: dict[
            int, tuple[str, int, Callable[[Any], None], Callable[[str], None] | None]
        ] = {}
        self._jobs: dict[int, _Job] = {}
        self._retired: list[_Job] = []
        self._idle: list[_Job] = []
        self._next_token = 0

    def run(
        self,
        name: str,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        generation = self._generation.get(name, 0) + 1
        self._generation[name] = generation
        self._next_token += 1
        token = self._next_token
        job = self._idle.pop() if self._idle else _Job(self._signals)
        job.token, job.fn = token, fn
        self._callbacks[token] = (name, generation, on_done, on_error)
        self._jobs[token] = job
        if len(self._jobs) == 1:
            self.busy_changed.emit(True)
        self._pool.start(job)

    def is_current(self, name: str, generation: int) -> bool:
        return self._generation.get(name) == generation

    def _finished(self, token: int, result: Any) -> None:
        callback = self._end(token)
        if callback is not None:
            callback[0](result)

    def _failed(self, token: int, message: str) -> None:
        callback = self._end(token)
        if callback is not None and callback[1] is not None:
            callback[1](message)

    def _end(self, token: int) -> tuple[Callable[[Any], None], Callable[[str], None] | None] | None:
        """Forget a job; returns its callbacks when its result is still wanted."""
        name, generation, on_done, on_error = self._callbacks.pop(token)
        self._retired.append(self._jobs.pop(token))
        if self._pool.activeThreadCount() == 0:
            self._recycle()
        if not self._jobs:
            self.busy_changed.emit(False)
        if self._generation.get(name) != generation:
            return None
        return on_done, on_error

    def wait(self, msecs: int = 10_000) -> bool:
        done = self._pool.waitForDone(msecs)
        if done:
            self._recycle()
        return done

    def _recycle(self) -> None:
        for job in self._retired:
            job.fn = None
        self._idle.extend(self._retired)
        self._retired.clear()
