"""Garbage holding Qt objects is freed on the GUI thread, never on a worker."""

from __future__ import annotations

import gc
import threading
from typing import ClassVar

from PySide6.QtWidgets import QApplication

from gridvisit.ui import collector


class _Cycle:
    freed_on: ClassVar[list[str]] = []

    def __init__(self) -> None:
        self.me = self

    def __del__(self) -> None:
        _Cycle.freed_on.append(threading.current_thread().name)


def test_a_worker_that_allocates_never_collects_garbage(qtbot, qapp: QApplication) -> None:  # type: ignore[no-untyped-def]
    gc.collect()
    collector.install(qapp)
    assert not gc.isenabled()
    _Cycle.freed_on.clear()
    _Cycle()  # unreachable at once: only a collection frees it

    kept: list[list[list[int]]] = []

    def allocate() -> None:
        # Well past every threshold: automatic collection would run right here.
        kept.append([[i] for i in range(200_000)])

    worker = threading.Thread(target=allocate, name="worker")
    worker.start()
    worker.join()
    assert _Cycle.freed_on == []
    qtbot.waitUntil(lambda: bool(_Cycle.freed_on), timeout=5_000)
    assert _Cycle.freed_on == [threading.main_thread().name]
    kept.clear()


def test_install_is_once_per_application(qapp: QApplication) -> None:
    assert collector.install(qapp) is collector.install(qapp)
