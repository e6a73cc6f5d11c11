"""Python's cyclic garbage collector, run on the GUI thread only.

Left automatic, the collector runs in whichever thread happens to allocate when a
threshold is crossed — often a worker laying out a PDF. If the garbage it finds holds
the last reference to a Qt object, that object is destroyed on the worker thread while
the GUI thread still has its timers and events registered: a use-after-free that
crashed the window at random (QTimerInfoList::activateTimers on a freed object).
calibre, Anki and GitFourchette solve it the same way: turn automatic collection off
and collect from a timer on the GUI thread, with the thresholds Python would use.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QObject, QTimer

INTERVAL_MS = 500


class GarbageCollector(QObject):
    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.threshold = gc.get_threshold()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self.check)
        self._timer.start()

    def check(self) -> int:
        return collect_due(self.threshold)


def collect_due(threshold: tuple[int, int, int]) -> int:
    """Collect the generations Python would have collected by now, on the calling
    thread; returns the number of unreachable objects found."""
    counts = gc.get_count()
    if counts[0] <= threshold[0]:
        return 0
    generation = 0
    if counts[1] > threshold[1]:
        generation = 2 if counts[2] > threshold[2] else 1
    return gc.collect(generation)


def install(app: QCoreApplication) -> GarbageCollector:
    """Once per application; later calls return the same collector."""
    existing = app.findChild(GarbageCollector)
    if isinstance(existing, GarbageCollector):
        return existing
    return GarbageCollector(app)
