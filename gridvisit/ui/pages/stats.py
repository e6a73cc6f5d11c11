"""统计: the supervisor's figures of the tree's node for one period (issue 19).

KPI tiles against their targets (red when below, the formula in the tooltip), a
trend, problems by category, a comparison one level down and a ranking table of
grids and workers. Everything drills down: double-click a tile or a table cell and
the households or problems behind that figure are listed.

The page asks for data by signals and never calls the services (docs/architecture.md,
"How to add a page"). The charts are Qt Charts, imported the first time there is
something to draw (`pages/stats_charts.py`), never at start-up."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gridvisit.core.clock import local_date, utcnow
from gridvisit.core.indicators import (
    Counts,
    IndicatorValue,
    Period,
    PeriodKind,
    ScopeFigures,
    Unit,
    figures,
)
from gridvisit.core.records import Scope
from gridvisit.core.services.stats import (
    Breakdown,
    Figure,
    StatsReport,
    StatsRow,
    TrendPoint,
)
from gridvisit.ui import fmt
from gridvisit.ui.dialogs.common import pydate, qdate
from gridvisit.ui.pages.households import empty_state, make_table
from gridvisit.ui.table_model import Column, RowTableModel

BELOW_TARGET = "#c62828"

# (indicator key, the figure a double-click lists): the rates drill into their gap.
TILES: tuple[tuple[str, Figure], ...] = (
    ("coverage", Figure.UNCOVERED),
    ("resolution_rate", Figure.RESOLVED),
    ("on_time_rate", Figure.RESOLVED_LATE),
    ("satisfaction_rate", Figure.DISSATISFIED),
    ("settled_below_subdistrict", Figure.RESOLVED),
    ("new", Figure.NEW),
    ("resolved", Figure.RESOLVED),
    ("overdue_open", Figure.OVERDUE_OPEN),
)


@dataclass(frozen=True, slots=True)
class DrillRequest:
    """What the user double-clicked: the households or problems behind `figure`."""

    period: Period
    scope: Scope
    figure: Figure
    title: str


def format_value(v: IndicatorValue | None) -> str:
    if v is None or v.value is None:
        return "—"
    if v.unit is Unit.RATE:
        return f"{v.value * 100:.1f}%"
    if v.unit is Unit.DAYS:
        return f"{v.value:.1f}"
    return f"{int(v.value):,}"


def percent(share: float) -> str:
    return f"{share * 100:.0f}%"


def is_empty(counts: Counts) -> bool:
    """Nothing to show: no household due or visited, no problem at all."""
    return not any(
        (
            counts.due,
            counts.visits,
            counts.new,
            counts.resolved,
            counts.overdue_open,
            counts.open_at_start,
            counts.return_visits,
        )
    )


class KpiTile(QFrame):
    """One indicator: its value, its target, red when below (CHT-style)."""

    activated = Signal()

    def __init__(self, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.setObjectName(f"tile_{key}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.name_label = QLabel(self)
        self.name_label.setWordWrap(True)
        self.value_label = QLabel("—", self)
        self.target_label = QLabel(self)
        self.target_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(2)
        layout.addWidget(self.name_label)
        layout.addWidget(self.value_label)
        layout.addWidget(self.target_label)
        self.below = False
        self._paint()

    def set_value(self, v: IndicatorValue, target_text: str, tooltip: str) -> None:
        self.name_label.setText(v.name)
        self.value_label.setText(format_value(v))
        self.target_label.setText(target_text)
        self.setToolTip(tooltip)
        self.below = v.meets_target is False
        self._paint()

    def value_text(self) -> str:
        return self.value_label.text()

    def _paint(self) -> None:
        if self.below:
            color = BELOW_TARGET
        elif self.value_label.text() == "—":
            color = "#999"
        elif self.key in _RATES:
            color = "#1b5e20"
        else:
            color = "#222"
        border = BELOW_TARGET if self.below else "#c8c8c8"
        back = "#fdecea" if self.below else "#fafafa"
        self.setStyleSheet(
            f"KpiTile {{ border: 1px solid {border}; border-radius: 4px; background: {back}; }}"
        )
        self.name_label.setStyleSheet("color: #444;")
        self.value_label.setStyleSheet(f"color: {color}; font-size: 17pt; font-weight: bold;")
        self.target_label.setStyleSheet(f"color: {BELOW_TARGET if self.below else '#666'};")

    def mouseDoubleClickEvent(self, event: Any) -> None:
        self.activated.emit()
        super().mouseDoubleClickEvent(event)


_RATES = frozenset(
    {
        "coverage",
        "resolution_rate",
        "on_time_rate",
        "satisfaction_rate",
        "settled_below_subdistrict",
    }
)


class PeriodPicker(QWidget):
    """本周 / 本月 / 本季度 / 本年 / 自定义, with previous and next."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._now: Callable[[], datetime] = utcnow
        self.kind = QComboBox(self)
        for text, kind in (
            (self.tr("This week"), PeriodKind.WEEK),
            (self.tr("This month"), PeriodKind.MONTH),
            (self.tr("This quarter"), PeriodKind.QUARTER),
            (self.tr("This year"), PeriodKind.YEAR),
            (self.tr("Custom"), PeriodKind.CUSTOM),
        ):
            self.kind.addItem(text, kind.value)  # a StrEnum comes back from Qt as str
        self.kind.setCurrentIndex(1)
        self.previous = QToolButton(self)
        self.previous.setText("◀")
        self.previous.setToolTip(self.tr("Previous period"))
        self.next = QToolButton(self)
        self.next.setText("▶")
        self.next.setToolTip(self.tr("Next period"))
        self.label = QLabel(self)
        self.label.setStyleSheet("font-weight: bold;")
        self.date_from = QDateEdit(self)
        self.date_to = QDateEdit(self)
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.to_label = QLabel(self.tr("to"), self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for w in (
            self.kind,
            self.previous,
            self.label,
            self.next,
            self.date_from,
            self.to_label,
            self.date_to,
        ):
            layout.addWidget(w)
        self._period = Period.containing(PeriodKind.MONTH, local_date(self._now()))
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.previous.clicked.connect(lambda: self.set_period(self._period.previous()))
        self.next.clicked.connect(lambda: self.set_period(following(self._period)))
        self.date_from.dateChanged.connect(self._dates_changed)
        self.date_to.dateChanged.connect(self._dates_changed)
        self._show()

    def set_clock(self, now: Callable[[], datetime]) -> None:
        self._now = now
        self.set_period(Period.containing(self._period.kind, self.today()), quiet=True)

    def today(self) -> date:
        return local_date(self._now())

    def period(self) -> Period:
        return self._period

    def set_period(self, period: Period, *, quiet: bool = False) -> None:
        changed = period != self._period
        self._period = period
        self._show()
        if changed and not quiet:
            self.changed.emit()

    def _kind_changed(self) -> None:
        kind = PeriodKind(self.kind.currentData())
        if kind is PeriodKind.CUSTOM:
            # Starts as the period shown so far; the dates then change it.
            self.set_period(Period.custom(self._period.first, self._period.last))
        else:
            self.set_period(Period.containing(kind, self.today()))

    def _dates_changed(self) -> None:
        if self._period.kind is not PeriodKind.CUSTOM:
            return
        first, last = pydate(self.date_from.date()), pydate(self.date_to.date())
        if last < first:
            first, last = last, first
        self.set_period(Period.custom(first, last))

    def _show(self) -> None:
        p = self._period
        custom = p.kind is PeriodKind.CUSTOM
        for w in (self.date_from, self.date_to, self.to_label):
            w.setVisible(custom)
        self.label.setVisible(not custom)
        for edit, day in ((self.date_from, p.first), (self.date_to, p.last)):
            edit.blockSignals(True)
            edit.setDate(qdate(day))
            edit.blockSignals(False)
        self.kind.blockSignals(True)
        self.kind.setCurrentIndex(self.kind.findData(p.kind.value))
        self.kind.blockSignals(False)
        self.label.setText(p.label)
        # Nothing to count after today.
        self.next.setEnabled(following(p).first <= self.today())


def following(period: Period) -> Period:
    """The period of the same kind just after (a custom range: as many days)."""
    if period.kind is PeriodKind.CUSTOM:
        return Period.custom(
            period.last + timedelta(days=1), period.last + timedelta(days=period.days)
        )
    return Period.containing(period.kind, period.last + timedelta(days=1))


class StatsPage(QWidget):
    period_changed = Signal()
    trend_kind_changed = Signal()
    drill_requested = Signal(object)  # DrillRequest
    node_requested = Signal(str)  # a tree key: "grid:7", "community:2", "building_group:12"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._report: StatsReport | None = None
        self._trend: list[TrendPoint] = []
        self._charts: Any = None  # pages/stats_charts, once something is drawn
        self.scope_label = QLabel(self)
        self.picker = PeriodPicker(self)
        self.picker.changed.connect(self.period_changed)
        self.as_of_label = QLabel(self)
        self.as_of_label.setStyleSheet("color: #666;")
        top = QHBoxLayout()
        top.addWidget(self.scope_label)
        top.addSpacing(12)
        top.addWidget(self.picker)
        top.addStretch(1)
        top.addWidget(self.as_of_label)

        self.tiles: dict[str, KpiTile] = {}
        tiles = QGridLayout()
        tiles.setSpacing(6)
        for i, (key, figure) in enumerate(TILES):
            tile = KpiTile(key, self)
            tile.activated.connect(lambda key=key, figure=figure: self._drill_tile(key, figure))
            self.tiles[key] = tile
            tiles.addWidget(tile, 0, i)

        # Charts: each tab holds a placeholder until Qt Charts is loaded.
        self.charts = QTabWidget(self)
        self.trend_kind = QComboBox(self)
        self.trend_kind.addItem(self.tr("Last 12 months"), PeriodKind.MONTH.value)
        self.trend_kind.addItem(self.tr("Last 12 weeks"), PeriodKind.WEEK.value)
        self.trend_kind.currentIndexChanged.connect(self.trend_kind_changed)
        self.charts.setCornerWidget(self.trend_kind, Qt.Corner.TopRightCorner)
        self.trend_tab = _ChartSlot(self.tr("Loading the trend…"), self)
        self.category_tab = _ChartSlot("", self)
        self.compare_tab = _ChartSlot("", self)
        self.charts.addTab(self.trend_tab, self.tr("Trend"))
        self.charts.addTab(self.category_tab, self.tr("Problems by category"))
        self.charts.addTab(self.compare_tab, self.tr("Comparison"))

        # The ranking table: grids (building groups within a grid) or workers.
        self.rank_kind = QComboBox(self)
        self.rank_kind.addItem(self.tr("Grids"), "rows")
        self.rank_kind.addItem(self.tr("Grid workers"), "workers")
        self.rank_kind.currentIndexChanged.connect(self._show_rank)
        self.rank_hint = QLabel(self.tr("Double-click a figure to see what it counts"), self)
        self.rank_hint.setStyleSheet("color: #666;")
        self.model: RowTableModel[StatsRow] = RowTableModel(
            self._columns(), key=_row_key, parent=self
        )
        self.table = make_table(self, self.model)
        self.table.horizontalHeader().resizeSection(0, 130)
        self.table.horizontalHeader().resizeSection(1, 100)
        for col in range(2, len(self._columns())):
            self.table.horizontalHeader().resizeSection(col, 76)
        self.table.doubleClicked.connect(self._drill_cell)
        rank_box = QWidget(self)
        rank_layout = QVBoxLayout(rank_box)
        rank_layout.setContentsMargins(0, 0, 0, 0)
        rank_top = QHBoxLayout()
        rank_top.addWidget(QLabel(self.tr("Ranking"), self))
        rank_top.addWidget(self.rank_kind)
        rank_top.addStretch(1)
        rank_top.addWidget(self.rank_hint)
        rank_layout.addLayout(rank_top)
        rank_layout.addWidget(self.table, 1)

        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(self.charts)
        self.splitter.addWidget(rank_box)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([330, 200])
        self.splitter.setChildrenCollapsible(False)

        content = QWidget(self)
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        content_layout.addLayout(tiles)
        content_layout.addWidget(self.splitter, 1)
        self.content = content
        self.loading = empty_state(self, self.tr("Counting…"))
        self.empty = empty_state(self, self.tr("No data in this scope for this period"))
        self.stack = QStackedWidget(self)
        for w in (self.content, self.loading, self.empty):
            self.stack.addWidget(w)
        self.stack.setCurrentWidget(self.loading)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)

    # -- what the window sets -----------------------------------------------------------
    def set_clock(self, now: Callable[[], datetime]) -> None:
        self.picker.set_clock(now)

    def set_scope_name(self, name: str) -> None:
        self.scope_label.setText(self.tr("Scope: {name}").format(name=name))

    def period(self) -> Period:
        return self.picker.period()

    def set_period(self, period: Period) -> None:
        self.picker.set_period(period)

    def trend_period_kind(self) -> PeriodKind:
        return PeriodKind(self.trend_kind.currentData())

    def report(self) -> StatsReport | None:
        return self._report

    def set_loading(self) -> None:
        self.stack.setCurrentWidget(self.loading)

    def set_report(self, report: StatsReport) -> None:
        self._report = report
        summary = report.summary
        self.as_of_label.setText(
            self.tr("As of {when}").format(when=fmt.when(summary.as_of))  # Beijing time
            if summary.as_of < summary.generated_at
            else self.tr("As of now")
        )
        if is_empty(summary.figures.counts):
            self.stack.setCurrentWidget(self.empty)
            return
        for key, _figure in TILES:
            v = summary.figures.indicators[key]
            self.tiles[key].set_value(v, self._target_text(v), self._tooltip(v))
        grids_label = (
            self.tr("Building groups")
            if report.rows and report.rows[0].breakdown is Breakdown.BUILDING_GROUP
            else self.tr("Grids")
        )
        self.rank_kind.setItemText(0, grids_label)
        self._show_rank()
        self.stack.setCurrentWidget(self.content)
        self._draw()

    def set_trend_loading(self) -> None:
        self._trend = []
        self.trend_tab.show_text(self.tr("Loading the trend…"))

    def set_trend(self, points: Sequence[TrendPoint]) -> None:
        self._trend = list(points)
        if self._report is not None and self.stack.currentWidget() is self.content:
            self._draw_trend()

    def is_empty(self) -> bool:
        return self.stack.currentWidget() is self.empty

    def is_loading(self) -> bool:
        return self.stack.currentWidget() is self.loading

    def trend(self) -> list[TrendPoint]:
        """The points the trend chart shows (empty while it loads)."""
        return list(self._trend)

    def comparison_rows(self) -> list[StatsRow]:
        """The comparison chart's bars: communities at the sub-district, grids in a
        community, building groups in a grid."""
        if self._report is None:
            return []
        return comparison_rows(self._report)

    # -- drawing ----------------------------------------------------------------------
    def _chart_module(self) -> Any:
        if self._charts is None:
            from gridvisit.ui.pages import stats_charts  # Qt Charts: not before it is needed

            self._charts = stats_charts
        return self._charts

    def _draw(self) -> None:
        report = self._report
        assert report is not None
        charts = self._chart_module()
        cats = sorted(
            report.summary.figures.categories, key=lambda c: c.new + c.resolved, reverse=True
        )[:10]  # the ten largest: more would not leave their names room
        if cats:
            self.category_tab.set_view(
                charts.category_chart(
                    cats, self.tr("New"), self.tr("Resolved"), self.tr("Problems")
                )
            )
        else:
            self.category_tab.show_text(self.tr("No problems in this period"))
        rows = comparison_rows(report)
        self.charts.setTabText(2, self._compare_title(rows))
        if rows:
            self.compare_tab.set_view(
                charts.comparison_chart(
                    [(r.name, r.figures) for r in rows],
                    [
                        ("coverage", self.tr("Visit coverage")),
                        ("on_time_rate", self.tr("On-time resolution")),
                        ("satisfaction_rate", self.tr("Satisfaction")),
                    ],
                )
            )
        else:
            self.compare_tab.show_text(self.tr("Nothing to compare"))
        self._draw_trend()

    def _draw_trend(self) -> None:
        if not self._trend:
            return
        kind = self._trend[0].period.kind
        labels = [
            f"{p.period.first:%m-%d}"
            if kind is PeriodKind.WEEK
            else (
                f"{p.period.first.year}.{p.period.first.month}"
                if i == 0 or p.period.first.month == 1
                else self.tr("Month {m}").format(m=p.period.first.month)
            )
            for i, p in enumerate(self._trend)
        ]
        self.trend_tab.set_view(
            self._chart_module().trend_chart(
                labels,
                [p.figures for p in self._trend],
                counts=[("new", self.tr("New problems")), ("resolved", self.tr("Resolved"))],
                rates=[
                    ("coverage", self.tr("Visit coverage")),
                    ("on_time_rate", self.tr("On-time resolution")),
                ],
                count_title=self.tr("Problems"),
                rate_title=self.tr("Rate"),
            )
        )

    def _compare_title(self, rows: list[StatsRow]) -> str:
        if not rows:
            return self.tr("Comparison")
        return {
            Breakdown.COMMUNITY: self.tr("By community"),
            Breakdown.GRID: self.tr("By grid"),
            Breakdown.BUILDING_GROUP: self.tr("By building group"),
        }.get(rows[0].breakdown, self.tr("Comparison"))

    def _target_text(self, v: IndicatorValue) -> str:
        if v.target is None:
            if v.numerator is not None and v.denominator:
                return f"{v.numerator:g} / {v.denominator:g}"
            return ""
        text = self.tr("Target ≥ {t}").format(t=percent(v.target))
        if v.meets_target is False:
            text += "  " + self.tr("below")
        return text

    def _tooltip(self, v: IndicatorValue) -> str:
        lines = [f"{v.name}: {v.formula}"]
        if v.numerator is not None and v.denominator is not None:
            lines.append(f"= {v.numerator:g} ÷ {v.denominator:g}")
        lines.append(self.tr("Double-click to list what it counts"))
        return "\n".join(lines)

    # -- the ranking table ------------------------------------------------------------
    def _columns(self) -> list[Column[StatsRow]]:
        def rate(key: str, title: str) -> Column[StatsRow]:
            return Column(
                title,
                lambda r: format_value(r.figures.indicators[key]),
                sort_key=lambda r: _sort_value(r.figures, key),
                alert=lambda r: r.figures.indicators[key].meets_target is False,
                tooltip=lambda r: self._tooltip(r.figures.indicators[key]),
                align_right=True,
            )

        def count(key: str, title: str) -> Column[StatsRow]:
            return Column(
                title,
                lambda r: format_value(r.figures.indicators[key]),
                sort_key=lambda r: _sort_value(r.figures, key),
                alert=(lambda r: (r.figures.value(key) or 0) > 0)
                if key == "overdue_open"
                else None,
                align_right=True,
            )

        return [
            Column(self.tr("Grid or worker"), lambda r: r.name),
            Column(self.tr("Of"), lambda r: r.parent, tooltip=lambda r: r.parent),
            count("due", self.tr("Due households")),
            rate("coverage", self.tr("Coverage")),
            count("new", self.tr("New")),
            count("resolved", self.tr("Resolved")),
            rate("resolution_rate", self.tr("Resolution rate")),
            rate("on_time_rate", self.tr("On time")),
            rate("satisfaction_rate", self.tr("Satisfied")),
            rate("settled_below_subdistrict", self.tr("At grass roots")),
            count("overdue_open", self.tr("Overdue open")),
        ]

    def _show_rank(self) -> None:
        report = self._report
        if report is None:
            self.model.set_rows([])
            return
        rows = report.workers if self.rank_kind.currentData() == "workers" else report.rows
        self.model.set_rows(list(rows))

    def _drill_tile(self, key: str, figure: Figure) -> None:
        report = self._report
        if report is None:
            return
        v = report.summary.figures.indicators[key]
        self.drill_requested.emit(
            DrillRequest(
                report.summary.period,
                report.summary.scope,
                figure,
                f"{report.summary.scope_name} · {report.summary.period.label} · "
                + self._figure_title(figure, v.name),
            )
        )

    def _drill_cell(self, index: QModelIndex) -> None:
        row = self.model.row_at(index.row())
        report = self._report
        if row is None or report is None:
            return
        if index.column() <= 1:
            if row.breakdown is not Breakdown.WORKER:
                self.node_requested.emit(f"{row.breakdown.value}:{row.id}")
                return
            figure, name = Figure.UNCOVERED, self.tr("Visit coverage")
        else:
            key, figure = _CELL_FIGURES[index.column()]
            name = row.figures.indicators[key].name
        self.drill_requested.emit(
            DrillRequest(
                report.summary.period,
                row.scope,
                figure,
                f"{row.name} · {report.summary.period.label} · {self._figure_title(figure, name)}",
            )
        )

    def _figure_title(self, figure: Figure, name: str) -> str:
        return {
            Figure.UNCOVERED: self.tr("due households not visited in time"),
            Figure.RESOLVED_LATE: self.tr("problems resolved late"),
            Figure.DISSATISFIED: self.tr("problems with a dissatisfied return visit"),
            Figure.DUE: self.tr("households due"),
            Figure.RESOLVED: self.tr("problems resolved"),
            Figure.NEW: self.tr("new problems"),
            Figure.OVERDUE_OPEN: self.tr("overdue unresolved problems"),
        }.get(figure, name)


# Ranking column → (indicator, what its double-click lists).
_CELL_FIGURES: dict[int, tuple[str, Figure]] = {
    2: ("due", Figure.DUE),
    3: ("coverage", Figure.UNCOVERED),
    4: ("new", Figure.NEW),
    5: ("resolved", Figure.RESOLVED),
    6: ("resolution_rate", Figure.RESOLVED),
    7: ("on_time_rate", Figure.RESOLVED_LATE),
    8: ("satisfaction_rate", Figure.DISSATISFIED),
    9: ("settled_below_subdistrict", Figure.RESOLVED),
    10: ("overdue_open", Figure.OVERDUE_OPEN),
}


def _row_key(r: StatsRow) -> tuple[str, int]:
    return (r.breakdown.value, r.id)


def _sort_value(f: ScopeFigures, key: str) -> float:
    v = f.value(key)
    return -1.0 if v is None else float(v)


def comparison_rows(report: StatsReport) -> list[StatsRow]:
    """Communities at the sub-district (their grids' counts summed: counts add up),
    else the report's own rows (grids of a community, building groups of a grid)."""
    rows = list(report.rows)
    summary = report.summary
    if not rows or rows[0].breakdown is not Breakdown.GRID or summary.scope.community_id:
        return rows
    if summary.scope.grid_ids is not None and len(summary.scope.grid_ids) <= 12:
        return rows  # a worker's few grids
    by_community: dict[str, list[StatsRow]] = defaultdict(list)
    for r in rows:
        by_community[r.parent].append(r)
    if len(by_community) <= 1:
        return rows
    out = []
    for i, (name, members) in enumerate(by_community.items()):
        total = Counts.total(r.figures.counts for r in members)
        out.append(
            StatsRow(
                Breakdown.COMMUNITY,
                i,
                name,
                "",
                summary.scope,
                figures(total, summary.targets),
            )
        )
    return out


class _ChartSlot(QStackedWidget):
    """A chart view, or a line of text while there is none."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = empty_state(self, text)
        self.addWidget(self.text)
        self.view: QWidget | None = None

    def show_text(self, text: str) -> None:
        self.text.setText(text)
        self.setCurrentWidget(self.text)

    def set_view(self, view: QWidget) -> None:
        if self.view is not None:
            self.removeWidget(self.view)
            self.view.deleteLater()
        self.view = view
        self.addWidget(view)
        self.setCurrentWidget(view)
