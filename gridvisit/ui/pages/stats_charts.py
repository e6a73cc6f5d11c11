"""The 统计 page's charts, drawn with Qt Charts (PySide6-Addons).

Imported by `pages/stats.py` the first time there is something to draw, never at
start-up (`tests/ui/test_startup.py` lists PySide6.QtCharts among the modules the
first paint must not load). Qt Charts rather than pyqtgraph: it ships in
PySide6-Addons, which the app already bundles (no new dependency, 2.2 MB of
libQt6Charts), it draws category axes and stacked legends with the app's (Chinese)
font, and importing it costs about 12 ms."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from gridvisit.core.indicators import CategoryCounts, ScopeFigures

COLORS = ("#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a")


def _chart() -> QChart:
    chart = QChart()
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.setBackgroundRoundness(0)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    return chart


def _view(chart: QChart) -> QChartView:
    view = QChartView(chart)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumHeight(230)
    return view


def _count_axis(top: float, title: str) -> QValueAxis:
    """0 to a round number above `top`, in whole steps (so "%d" labels are exact)."""
    axis = QValueAxis()
    axis.setRange(0, max(top, 4.0))
    axis.applyNiceNumbers()
    step = (axis.max() - axis.min()) / max(axis.tickCount() - 1, 1)
    if step != int(step):  # e.g. 0..9 in four steps: make it 0..12 in steps of 3
        steps = axis.tickCount() - 1
        axis.setRange(0, steps * float(int(step) + 1))
    axis.setLabelFormat("%d")
    axis.setTitleText(title)
    return axis


def trend_chart(
    labels: Sequence[str],
    points: Sequence[ScopeFigures],
    *,
    counts: Sequence[tuple[str, str]],
    rates: Sequence[tuple[str, str]],
    count_title: str,
    rate_title: str,
) -> QChartView:
    """Columns of counts (left axis) and lines of rates in % (right axis) per period."""
    chart = _chart()
    bars = QBarSeries()
    top = 0.0
    for i, (key, name) in enumerate(counts):
        bar_set = QBarSet(name)
        bar_set.setColor(QColor(COLORS[i]).lighter(130))
        for f in points:
            value = float(f.value(key) or 0)
            top = max(top, value)
            bar_set.append(value)
        bars.append(bar_set)
    chart.addSeries(bars)
    x = QBarCategoryAxis()
    x.append(list(labels))
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    left = _count_axis(top * 1.1, count_title)
    chart.addAxis(left, Qt.AlignmentFlag.AlignLeft)
    bars.attachAxis(x)
    bars.attachAxis(left)
    right = QValueAxis()
    right.setRange(0, 100)
    right.setLabelFormat("%d%%")
    right.setTitleText(rate_title)
    chart.addAxis(right, Qt.AlignmentFlag.AlignRight)
    # The lines on a hidden value axis lined up with the categories: a line attached to
    # the category axis itself narrows its range to the lines' points.
    across = QValueAxis()
    across.setRange(-0.5, len(labels) - 0.5)
    across.setVisible(False)
    chart.addAxis(across, Qt.AlignmentFlag.AlignTop)
    for i, (key, name) in enumerate(rates):
        line = QLineSeries()
        line.setName(name)
        line.setPointsVisible(True)
        pen = QPen(QColor(COLORS[2 + i % 2]))
        pen.setWidth(2)
        line.setPen(pen)
        for n, f in enumerate(points):
            rate = f.value(key)
            if rate is not None:
                line.append(n, rate * 100)
        chart.addSeries(line)
        line.attachAxis(across)
        line.attachAxis(right)
    return _view(chart)


def category_chart(
    categories: Sequence[CategoryCounts], new: str, resolved: str, axis_title: str
) -> QChartView:
    """Columns: problems new and resolved in the period, per top category (the largest
    first; the names stay readable along the bottom)."""
    chart = _chart()
    series = QBarSeries()
    top = 0.0
    for i, (name, values) in enumerate(
        ((new, [c.new for c in categories]), (resolved, [c.resolved for c in categories]))
    ):
        bar_set = QBarSet(name)
        bar_set.setColor(QColor(COLORS[i]))
        for v in values:
            bar_set.append(float(v))
            top = max(top, float(v))
        series.append(bar_set)
    series.setLabelsVisible(True)
    series.setLabelsPosition(QBarSeries.LabelsPosition.LabelsOutsideEnd)
    chart.addSeries(series)
    x = QBarCategoryAxis()
    x.append([c.name for c in categories])
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    y = _count_axis(top * 1.15, axis_title)
    chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(x)
    series.attachAxis(y)
    return _view(chart)


def comparison_chart(
    items: Sequence[tuple[str, ScopeFigures]], keys: Sequence[tuple[str, str]]
) -> QChartView:
    """Grouped columns: a few rates in % per community, grid or building group."""
    chart = _chart()
    series = QBarSeries()
    for i, (key, name) in enumerate(keys):
        bar_set = QBarSet(name)
        bar_set.setColor(QColor(COLORS[i]))
        for _label, f in items:
            rate = f.value(key)
            bar_set.append(0.0 if rate is None else rate * 100)
        series.append(bar_set)
    chart.addSeries(series)
    x = QBarCategoryAxis()
    x.append([label for label, _f in items])
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    y = QValueAxis()
    y.setRange(0, 100)
    y.setLabelFormat("%d%%")
    chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(x)
    series.attachAxis(y)
    return _view(chart)
