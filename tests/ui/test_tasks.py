"""TaskRunner: results come back on the GUI thread; superseded results are dropped;
jobs are released on the GUI thread once no worker runs them."""

from __future__ import annotations

import threading
import time
from typing import ClassVar

from gridvisit.core.errors import GridVisitError
from gridvisit.ui.tasks import TaskRunner


class _Held:
    released_on: ClassVar[list[str]] = []

    def __del__(self) -> None:
        _Held.released_on.append(threading.current_thread().name)


def test_results_arrive_on_the_gui_thread_and_superseded_ones_are_dropped(qtbot) -> None:  # type: ignore[no-untyped-def]
    runner = TaskRunner()
    got: list[tuple[str, str]] = []
    busy: list[bool] = []
    runner.busy_changed.connect(busy.append)

    def slow() -> str:
        time.sleep(0.3)
        return "old"

    runner.run("load", slow, lambda r: got.append((r, threading.current_thread().name)))
    runner.run("load", lambda: "new", lambda r: got.append((r, threading.current_thread().name)))
    qtbot.waitUntil(lambda: busy[-1:] == [False], timeout=5_000)
    assert got == [("new", threading.main_thread().name)]
    assert busy == [True, False]
    assert runner.wait(1_000)


def test_errors_reach_the_error_callback_in_chinese(qtbot) -> None:  # type: ignore[no-untyped-def]
    runner = TaskRunner()
    errors: list[str] = []

    def refuse() -> None:
        raise GridVisitError("没有权限")

    def crash() -> None:
        raise ValueError("internal detail")

    runner.run("a", refuse, lambda _r: None, errors.append)
    runner.run("b", crash, lambda _r: None, errors.append)
    qtbot.waitUntil(lambda: len(errors) == 2, timeout=5_000)
    assert sorted(errors) == sorted(["没有权限", "后台任务出错,详情已记录在日志中。"])
    assert not any("internal detail" in e for e in errors)


def test_a_job_and_what_it_holds_are_released_on_the_gui_thread(qtbot) -> None:  # type: ignore[no-untyped-def]
    runner = TaskRunner()
    _Held.released_on.clear()
    held = _Held()
    done: list[object] = []

    def job(h: _Held = held) -> int:
        return 1

    runner.run("hold", job, done.append)
    del held, job
    qtbot.waitUntil(lambda: done == [1], timeout=5_000)
    assert runner.wait(5_000)
    qtbot.waitUntil(lambda: bool(_Held.released_on), timeout=5_000)
    assert _Held.released_on == [threading.main_thread().name]


def test_jobs_are_reused_rather_than_kept_by_the_pool(qtbot) -> None:  # type: ignore[no-untyped-def]
    import gc

    from gridvisit.ui.tasks import _Job

    runner = TaskRunner()
    before = sum(isinstance(o, _Job) for o in gc.get_objects())
    done: list[int] = []
    for i in range(30):
        runner.run("n", lambda i=i: i, done.append)
        qtbot.waitUntil(lambda i=i: done[-1:] == [i], timeout=5_000)
        assert runner.wait(5_000)
    after = sum(isinstance(o, _Job) for o in gc.get_objects())
    assert done == list(range(30))
    assert after - before <= 2
