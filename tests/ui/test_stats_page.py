"""The 统计 page (issue 19): tiles as StatsService computes them, red below target,
periods, drill-down to the rows behind a figure, a worker's own grids only, and the
empty state."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from sqlalchemy import select

from gridvisit.core.auth import actor_for
from gridvisit.core.clock import today_local
from gridvisit.core.indicators import Period, PeriodKind
from gridvisit.core.records import Scope
from gridvisit.core.services import ServiceContext, Services
from gridvisit.core.services.stats import Breakdown, Figure
from gridvisit.storage import Database
from gridvisit.storage.models import User, UserGrid
from gridvisit.ui.main_window import PAGES, MainWindow
from gridvisit.ui.pages.stats import TILES, format_value
from gridvisit.ui.table_model import OVERDUE_COLOR
from tests.ui.conftest import on_next_modal


def _open_stats(qtbot, window: MainWindow, key: str = "root") -> None:  # type: ignore[no-untyped-def]
    window.tree.select_key(key)
    qtbot.waitUntil(window.is_loaded, timeout=10_000)
    window.findChild(QAction, "action_page_stats").trigger()
    assert window.pages.currentIndex() == PAGES.index("stats")
    qtbot.waitUntil(window.is_loaded, timeout=20_000)


def _tiles_match(window: MainWindow, services: Services, period: Period, scope: Scope) -> None:
    summary = services.stats.summary(period, scope)
    for key, _figure in TILES:
        assert window.stats.tiles[key].value_text() == format_value(
            summary.figures.indicators[key]
        ), key


def test_tiles_show_the_service_figures_with_targets_and_formulas(
    qtbot, window: MainWindow, services: Services
) -> None:  # type: ignore[no-untyped-def]
    _open_stats(qtbot, window)
    page = window.stats
    assert window.pages.tabText(PAGES.index("stats")) == "统计"
    period = page.period()
    assert period == Period.containing(PeriodKind.MONTH, today_local())
    assert not page.is_empty() and not page.is_loading()
    _tiles_match(window, services, period, Scope())
    tile = page.tiles["coverage"]
    assert tile.name_label.text() == "走访覆盖率"
    assert "目标 ≥95%" in tile.target_label.text()
    assert "按期走访户数 ÷ 应访户数" in tile.toolTip()  # the formula text of the core
    # The ranking lists the grids, then the workers; the charts are drawn.
    report = page.report()
    assert report is not None and report.rows[0].breakdown is Breakdown.GRID
    assert page.model.rowCount() == len(report.rows)
    page.rank_kind.setCurrentIndex(1)
    assert page.model.rowCount() == len(report.workers)
    assert page.trend_tab.view is not None and page.compare_tab.view is not None
    assert len(page.trend_tab.view.chart().axes()[0].categories()) == 12


def test_a_tile_below_its_target_is_red(qtbot, window: MainWindow, services: Services) -> None:  # type: ignore[no-untyped-def]
    services.stats.set_targets({"coverage": 1.0, "on_time_rate": 0.0})
    _open_stats(qtbot, window)
    page = window.stats
    coverage, on_time = page.tiles["coverage"], page.tiles["on_time_rate"]
    assert services.stats.summary(page.period(), Scope()).figures.value("coverage") < 1.0
    assert coverage.below and "#c62828" in coverage.value_label.styleSheet()
    assert "未达标" in coverage.target_label.text()
    assert not on_time.below and "#c62828" not in on_time.value_label.styleSheet()
    # In the ranking too: the coverage cells of every grid below 100 % are red.
    column = 3
    for row in range(page.model.rowCount()):
        stats_row = page.model.row_at(row)
        assert stats_row is not None
        red = page.model.data(page.model.index(row, column), Qt.ItemDataRole.ForegroundRole)
        below = stats_row.figures.indicators["coverage"].meets_target is False
        assert (red is not None and red.color() == OVERDUE_COLOR) == below


def test_switching_periods_reloads_the_figures(
    qtbot, window: MainWindow, services: Services
) -> None:  # type: ignore[no-untyped-def]
    _open_stats(qtbot, window)
    page = window.stats
    this_month = page.period()
    assert not page.picker.next.isEnabled()  # nothing to count after today
    page.picker.previous.click()
    qtbot.waitUntil(window.is_loaded, timeout=20_000)
    assert page.period() == this_month.previous()
    assert page.picker.label.text() == this_month.previous().label
    _tiles_match(window, services, this_month.previous(), Scope())
    page.picker.kind.setCurrentIndex(page.picker.kind.findText("本季度"))
    qtbot.waitUntil(window.is_loaded, timeout=20_000)
    assert page.period() == Period.containing(PeriodKind.QUARTER, today_local())
    _tiles_match(window, services, page.period(), Scope())
    page.picker.kind.setCurrentIndex(page.picker.kind.findText("自定义"))
    assert page.picker.date_from.isVisible() and page.picker.date_to.isVisible()
    assert page.period().kind is PeriodKind.CUSTOM
    qtbot.waitUntil(window.is_loaded, timeout=20_000)
    # Twelve weeks instead of months.
    page.trend_kind.setCurrentIndex(page.trend_kind.findText("最近 12 周"))
    qtbot.waitUntil(window.is_loaded, timeout=20_000)
    assert page.trend_tab.view is not None
    assert len(page.trend_tab.view.chart().axes()[0].categories()) == 12


def test_double_click_lists_the_problems_behind_a_tile_and_opens_one(
    qtbot, window: MainWindow, services: Services
) -> None:  # type: ignore[no-untyped-def]
    # The demo's working grids resolve in time: make sure one problem is late now.
    from datetime import timedelta

    from sqlalchemy import select

    from gridvisit.storage.models import Problem

    with services.ctx.db.session() as s:
        late = s.scalars(
            select(Problem).where(Problem.status.in_(["pending", "in_progress"])).limit(1)
        ).one()
        late.due_at = services.ctx.now() - timedelta(days=3)
    _open_stats(qtbot, window)
    page = window.stats
    expected = [i.id for i in services.stats.drill(page.period(), Scope(), Figure.OVERDUE_OPEN)]
    assert late.id in expected
    seen: dict = {}

    def handle(dialog) -> None:  # type: ignore[no-untyped-def]
        seen["ids"] = sorted(dialog.ids())
        seen["first"] = dialog.model.row_at(0).id
        dialog.open_button.click()

    state = on_next_modal(handle)
    qtbot.mouseDClick(page.tiles["overdue_open"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "ids" in seen, timeout=10_000)
    assert not state["left_open"]
    assert seen["ids"] == sorted(expected)
    qtbot.waitUntil(lambda: window.pages.currentIndex() == PAGES.index("problems"))
    qtbot.waitUntil(window.is_loaded, timeout=10_000)
    qtbot.waitUntil(lambda: window.problems.current_id() == seen["first"], timeout=10_000)


def test_double_click_on_a_coverage_cell_lists_that_grids_households(
    qtbot, window: MainWindow, services: Services
) -> None:  # type: ignore[no-untyped-def]
    _open_stats(qtbot, window)
    page = window.stats
    row = page.model.row_at(0)
    assert row is not None
    expected = [i.id for i in services.stats.drill(page.period(), row.scope, Figure.UNCOVERED)]
    seen: dict = {}

    def handle(dialog) -> None:  # type: ignore[no-untyped-def]
        seen["ids"] = sorted(dialog.ids())
        seen["first"] = dialog.model.row_at(0).id if dialog.ids() else None
        dialog.open_button.click()

    on_next_modal(handle)
    index = page.model.index(0, 3)
    page.table.doubleClicked.emit(index)
    qtbot.waitUntil(lambda: "ids" in seen, timeout=10_000)
    assert seen["ids"] == sorted(expected)
    if seen["first"] is not None:
        qtbot.waitUntil(lambda: window.pages.currentIndex() == PAGES.index("households"))
        qtbot.waitUntil(window.is_loaded, timeout=10_000)
        qtbot.waitUntil(lambda: window.households.current_id() == seen["first"], timeout=10_000)


def test_a_worker_sees_only_their_grids(
    qtbot, zh, demo_db: Database, services: Services, settings
) -> None:  # type: ignore[no-untyped-def]
    with demo_db.read_session() as s:
        worker = s.scalar(select(User).where(User.role == "grid_worker").order_by(User.id).limit(1))
        assert worker is not None
        actor = actor_for(worker)
        grids = set(s.scalars(select(UserGrid.grid_id).where(UserGrid.user_id == worker.id)))
    worker_services = Services(ServiceContext(demo_db, actor))
    win = MainWindow(worker_services, db_label="demo.db", settings=settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(win.is_loaded, timeout=10_000)
    _open_stats(qtbot, win)
    page = win.stats
    report = page.report()
    assert report is not None
    assert {r.id for r in report.rows} <= grids and report.rows
    assert all(w.scope.grid_ids is not None and w.scope.grid_ids <= grids for w in report.workers)
    # The tiles are the worker's grids' figures, as the admin counts them.
    _tiles_match(win, services, page.period(), Scope(grid_ids=frozenset(grids)))
    win.tasks.wait(5000)


def test_a_period_without_data_shows_the_empty_state(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    _open_stats(qtbot, window)
    page = window.stats
    page.set_period(Period.month(2001, 1))
    qtbot.waitUntil(window.is_loaded, timeout=20_000)
    assert page.is_empty()
    assert page.empty.text() == "该范围内本期没有数据"
    page.set_period(Period.containing(PeriodKind.MONTH, today_local()))
    qtbot.waitUntil(window.is_loaded, timeout=20_000)
    assert not page.is_empty()


def test_a_ranking_name_selects_its_node_in_the_tree(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    _open_stats(qtbot, window)
    page = window.stats
    row = page.model.row_at(0)
    assert row is not None
    page.table.doubleClicked.emit(page.model.index(0, 0))
    qtbot.waitUntil(window.is_loaded, timeout=20_000)
    node = window.current_node
    assert node is not None and node.key == f"grid:{row.id}"
    report = page.report()
    assert report is not None and report.summary.scope.grid_id == row.id


def test_a_trend_arriving_for_the_period_shown_before_is_dropped(
    qtbot, window: MainWindow, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    import threading

    _open_stats(qtbot, window)
    page, stats = window.stats, window.services.stats
    trend_gate, report_gate = threading.Event(), threading.Event()
    trends: list = []
    reports: list = []
    done: list = []
    real_trend, real_report = stats.trend, stats.report

    def slow_trend(*args, **kwargs):  # type: ignore[no-untyped-def]
        trends.append(args)
        if len(trends) == 1:
            trend_gate.wait(10)
        points = real_trend(*args, **kwargs)
        done.append(len(trends))
        return points

    def slow_report(*args, **kwargs):  # type: ignore[no-untyped-def]
        reports.append(args)
        if len(reports) == 2:
            report_gate.wait(10)
        return real_report(*args, **kwargs)

    monkeypatch.setattr(stats, "trend", slow_trend)
    monkeypatch.setattr(stats, "report", slow_report)
    first = page.period().previous()
    page.picker.previous.click()
    qtbot.waitUntil(lambda: len(trends) == 1, timeout=10_000)  # its trend is running
    page.picker.previous.click()  # the next period's figures are counted meanwhile
    qtbot.waitUntil(lambda: len(reports) == 2, timeout=10_000)
    trend_gate.set()  # the first period's trend arrives before the second's figures
    try:
        qtbot.waitUntil(lambda: bool(done), timeout=10_000)
        qtbot.wait(200)  # its result reaches the GUI thread
        assert page.trend() == [] and not window.is_loaded()
    finally:
        report_gate.set()
    qtbot.waitUntil(window.is_loaded, timeout=20_000)
    assert page.period() == first.previous()
    assert page.trend()[-1].period == first.previous()


def test_the_trend_follows_the_last_period_chosen(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    _open_stats(qtbot, window)
    page = window.stats
    start = page.period()
    for _ in range(3):  # quicker than the figures: earlier trends arrive late
        page.picker.previous.click()
    qtbot.waitUntil(window.is_loaded, timeout=30_000)
    chosen = start.previous().previous().previous()
    assert page.period() == chosen
    points = page.trend()
    assert len(points) == 12 and points[-1].period == chosen
    report = page.report()
    assert report is not None and report.summary.period == chosen
