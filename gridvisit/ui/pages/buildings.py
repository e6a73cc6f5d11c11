"""楼栋图: the selected building group's buildings as floors × rooms, each room
coloured by its house status (四色) or by its visit this period, with marks for party
members (★), special groups (●), an overdue visit (!) and open problems (a number).

The page only shows: clicking a room or pressing Enter asks for the household
(`household_requested`), the print buttons ask for their prints; the action groups
do the rest (docs/architecture.md, "How to add a page")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QFont,
    QFontMetrics,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QStackedWidget,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from gridvisit.core.clock import to_local
from gridvisit.core.enums import HouseStatus
from gridvisit.core.layout import Cell, RowKind
from gridvisit.core.masking import mask_phone
from gridvisit.core.services.buildings import GroupChart, RoomInfo, VisitState
from gridvisit.ui.pages.households import empty_state

CELL_W, CELL_H = 58, 36
LABEL_W = 54  # the floor labels on the left of a unit
UNIT_GAP, BUILDING_GAP = 14, 28
TITLE_H, UNIT_H = 26, 20
MARGIN = 12

# 四色: 自住(常住) green, 出租 yellow, 空置 grey, 商用(底商) blue; 其他 lilac.
HOUSE_COLOURS: dict[str, str] = {
    "owner_occupied": "#a5d6a7",
    "rented": "#ffe082",
    "vacant": "#cfd8dc",
    "commercial": "#90caf9",
    "other": "#d1c4e9",
    "": "#ffffff",
}
VISIT_COLOURS: dict[VisitState, str] = {
    VisitState.VISITED: "#a5d6a7",
    VisitState.DUE: "#ffe082",
    VisitState.OVERDUE: "#ef9a9a",
}
EMPTY_ROOM = "#f5f5f5"
FOCUS = "#1565c0"
ALERT = "#c62828"


@dataclass(slots=True)
class _Box:
    rect: QRect
    cell: Cell[RoomInfo]
    row_kind: RowKind


class ChartView(QWidget):
    """The painted chart: every room a box; arrow keys move between boxes by where
    they lie on screen (across units and buildings), Enter or a click opens."""

    household_requested = Signal(int)
    current_changed = Signal(object)  # RoomInfo or None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.chart: GroupChart | None = None
        self.by_visit = False
        self.house_labels: dict[str, str] = {}
        self.boxes: list[_Box] = []
        self._titles: list[tuple[QRect, str, int]] = []  # rect, text, font size
        self.current = -1
        self._width = 800
        self.setAccessibleName(self.tr("Building chart"))

    # -- data -----------------------------------------------------------------------
    def set_chart(self, chart: GroupChart | None, keep: int | None = None) -> None:
        self.chart = chart
        self.current = -1
        self._lay_out()
        if keep is not None:
            self.select_household(keep)
        if self.current < 0:
            # The top-left household, so the chart opens scrolled to its top.
            rooms = [i for i, b in enumerate(self.boxes) if b.cell.items]
            place = {i: (self.boxes[i].rect.top(), self.boxes[i].rect.left()) for i in rooms}
            self._move_to(min(rooms, key=place.__getitem__) if rooms else -1)
        self.update()

    def set_by_visit(self, by_visit: bool) -> None:
        self.by_visit = by_visit
        self.update()

    def set_available_width(self, width: int) -> None:
        if width != self._width:
            self._width = max(300, width)
            self._lay_out()

    def current_room(self) -> RoomInfo | None:
        if 0 <= self.current < len(self.boxes) and self.boxes[self.current].cell.items:
            return self.boxes[self.current].cell.items[0]
        return None

    def select_household(self, household_id: int) -> bool:
        for i, box in enumerate(self.boxes):
            if any(r.household_id == household_id for r in box.cell.items):
                self._move_to(i)
                return True
        return False

    def room_at(self, index: int) -> Cell[RoomInfo]:
        return self.boxes[index].cell

    # -- layout ---------------------------------------------------------------------
    def _lay_out(self) -> None:
        self.boxes, self._titles = [], []
        chart = self.chart
        if chart is None:
            self.setMinimumSize(0, 0)
            return
        x, y, line_h = MARGIN, MARGIN, 0
        right = MARGIN
        for building in chart.buildings:
            width = sum(LABEL_W + u.width * CELL_W + UNIT_GAP for u in building.units) - UNIT_GAP
            width = max(width, 120)
            height = TITLE_H + UNIT_H + max(building.height, 1) * CELL_H
            if x > MARGIN and x + width > self._width - MARGIN:
                x, y, line_h = MARGIN, y + line_h + BUILDING_GAP, 0
            self._titles.append((QRect(x, y, width, TITLE_H), building.building.label, 12))
            ux = x
            for unit in building.units:
                uw = LABEL_W + unit.width * CELL_W
                top = y + TITLE_H
                if unit.unit.label:
                    self._titles.append((QRect(ux + LABEL_W, top, uw - LABEL_W, UNIT_H),
                                         unit.unit.label, 9))  # fmt: skip
                offset = building.offset(unit)  # 1层 beside 1层
                for r, row in enumerate(unit.rows):
                    ry = top + UNIT_H + (r + offset) * CELL_H
                    self._titles.append((QRect(ux, ry, LABEL_W - 4, CELL_H), row.label, -9))
                    for c, cell in enumerate(row.cells):
                        rect = QRect(ux + LABEL_W + c * CELL_W, ry, CELL_W - 3, CELL_H - 3)
                        self.boxes.append(_Box(rect, cell, row.kind))
                ux += uw + UNIT_GAP
            if not building.units or not any(u.rows for u in building.units):
                self._titles.append(
                    (QRect(x, y + TITLE_H, width, CELL_H), self.tr("No household registered"), -9)
                )
            right = max(right, x + width + MARGIN)
            x += width + BUILDING_GAP
            line_h = max(line_h, height)
        self.setMinimumSize(right, y + line_h + MARGIN)
        self.resize(max(right, self._width), y + line_h + MARGIN)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    # -- painting -------------------------------------------------------------------
    def colour(self, room: RoomInfo) -> str:
        if self.by_visit:
            return VISIT_COLOURS[room.state]
        return HOUSE_COLOURS.get(room.house_status, HOUSE_COLOURS["other"])

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        base = QFont(self.font())
        for rect, text, size in self._titles:
            font = QFont(base)
            font.setPointSize(abs(size))
            font.setBold(size == 12)
            painter.setFont(font)
            painter.setPen(QColor("#333" if size > 0 else "#666"))
            align = Qt.AlignmentFlag.AlignVCenter | (
                Qt.AlignmentFlag.AlignRight if size < 0 else Qt.AlignmentFlag.AlignLeft
            )
            if size == 9:
                align = Qt.AlignmentFlag.AlignCenter
            painter.drawText(rect, align, text)
        small = QFont(base)
        small.setPointSize(8)
        marks = QFont(base)
        marks.setPointSize(8)
        visible = event.rect()
        for i, box in enumerate(self.boxes):
            if not box.rect.intersects(visible):
                continue
            rooms = box.cell.items
            rect = box.rect
            if rooms:
                painter.setBrush(QColor(self.colour(rooms[0])))
                painter.setPen(QPen(QColor("#78909c"), 1))
            else:
                painter.setBrush(QColor(EMPTY_ROOM))
                painter.setPen(QPen(QColor("#cfd8dc"), 1, Qt.PenStyle.DashLine))
            painter.drawRoundedRect(rect, 3, 3)
            painter.setFont(small)
            painter.setPen(QColor("#263238" if rooms else "#9e9e9e"))
            text = box.cell.room + ("⇔" if box.cell.duplex else "")
            fm = QFontMetrics(small)
            painter.drawText(
                rect.adjusted(3, 1, -3, 0),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                fm.elidedText(text, Qt.TextElideMode.ElideRight, rect.width() - 6),
            )
            if rooms:
                self._paint_marks(painter, rect, rooms, marks)
            if i == self.current:
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.setPen(QPen(QColor(FOCUS), 3 if self.hasFocus() else 2))
                painter.drawRoundedRect(rect.adjusted(1, 1, -1, -1), 3, 3)
        painter.end()

    def _paint_marks(
        self, painter: QPainter, rect: QRect, rooms: list[RoomInfo], font: QFont
    ) -> None:
        party = sum(r.party_members for r in rooms)
        groups = any(r.special_groups for r in rooms)
        overdue = any(r.overdue for r in rooms)
        problems = sum(r.open_problems for r in rooms)
        painter.setFont(font)
        bottom = rect.adjusted(3, 0, -3, -1)
        text = ("★" if party else "") + ("●" if groups else "")
        painter.setPen(QColor("#b71c1c" if party else "#4a148c"))
        painter.drawText(bottom, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom, text)
        if overdue:
            painter.setPen(QColor(ALERT))
            bold = QFont(font)
            bold.setBold(True)
            painter.setFont(bold)
            painter.drawText(
                bottom, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom, "!"
            )
            painter.setFont(font)
        if problems:
            badge = QRect(rect.right() - 15, rect.bottom() - 14, 14, 13)
            painter.setBrush(QColor(ALERT))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawEllipse(badge)
            painter.setPen(QColor("white"))
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, str(min(problems, 9)))

    # -- tooltips -------------------------------------------------------------------
    def describe(self, cell: Cell[RoomInfo]) -> str:
        if not cell.items:
            return self.tr("{room}: no household registered").format(room=cell.room)
        parts = []
        for r in cell.items:
            lines = [r.address]
            if r.head:
                head = r.head + (f"  {mask_phone(r.phone)}" if r.phone else "")
                lines.append(self.tr("Head: {head} ({n} residents)").format(head=head, n=r.members))
            if r.house_status:
                status = self.house_labels.get(r.house_status, r.house_status)
                lines.append(self.tr("House: {s}").format(s=status))
            last = (
                to_local(r.last_visit).strftime("%Y-%m-%d")
                if isinstance(r.last_visit, datetime)
                else self.tr("never")
            )
            lines.append(
                self.tr("Tier: {tier} · last visit {last} · next due {due}").format(
                    tier=r.tier_name, last=last, due=r.next_due.strftime("%Y-%m-%d")
                )
            )
            if r.overdue:
                lines.append(self.tr("Visit overdue by {n} days").format(n=r.overdue_days))
            if r.party_members:
                lines.append(self.tr("★ Party members: {n}").format(n=r.party_members))
            if r.special_groups:
                lines.append(self.tr("● {groups}").format(groups="、".join(r.special_groups)))
            if r.open_problems:
                lines.append(self.tr("Open problems: {n}").format(n=r.open_problems))
            parts.append("\n".join(lines))
        return "\n\n".join(parts)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            index = self.index_at(event.pos())
            if index >= 0:
                QToolTip.showText(event.globalPos(), self.describe(self.boxes[index].cell), self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    # -- input ----------------------------------------------------------------------
    def index_at(self, pos: QPoint) -> int:
        return next((i for i, b in enumerate(self.boxes) if b.rect.contains(pos)), -1)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        index = self.index_at(event.position().toPoint())
        if index >= 0 and event.button() == Qt.MouseButton.LeftButton:
            self._move_to(index)
            self.open_current()
            return
        super().mousePressEvent(event)

    def open_current(self) -> None:
        room = self.current_room()
        if room is not None:
            self.household_requested.emit(room.household_id)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        moves = {
            Qt.Key.Key_Left: (-1, 0),
            Qt.Key.Key_Right: (1, 0),
            Qt.Key.Key_Up: (0, -1),
            Qt.Key.Key_Down: (0, 1),
        }
        if key in moves and self.boxes:
            target = self._neighbour(*moves[Qt.Key(key)])
            if target >= 0:
                self._move_to(target)
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.open_current()
            return
        if key == Qt.Key.Key_Home and self.boxes:
            self._move_to(0)
            return
        if key == Qt.Key.Key_End and self.boxes:
            self._move_to(len(self.boxes) - 1)
            return
        super().keyPressEvent(event)

    def _neighbour(self, dx: int, dy: int) -> int:
        """The nearest box in that direction: same line first (a row for left and
        right, a column for up and down), else the closest beyond it."""
        if self.current < 0:
            return 0
        here = self.boxes[self.current].rect.center()
        best, best_score = -1, None
        for i, box in enumerate(self.boxes):
            c = box.rect.center()
            along = (c.x() - here.x()) * dx + (c.y() - here.y()) * dy
            if along <= 0:
                continue
            across = abs(c.y() - here.y()) if dx else abs(c.x() - here.x())
            score = (across > CELL_H // 2 if dx else across > CELL_W // 2, across, along)
            if best_score is None or score < best_score:
                best, best_score = i, score
        return best

    def _move_to(self, index: int) -> None:
        if index == self.current:
            return
        old = self.boxes[self.current].rect if 0 <= self.current < len(self.boxes) else None
        self.current = index
        if old is not None:
            self.update(old.adjusted(-3, -3, 3, 3))
        if 0 <= index < len(self.boxes):
            rect = self.boxes[index].rect
            self.update(rect.adjusted(-3, -3, 3, 3))
            self.setAccessibleDescription(self.describe(self.boxes[index].cell))
            viewport = self.parentWidget()
            scroll = viewport.parentWidget() if viewport is not None else None
            if isinstance(scroll, QScrollArea):
                scroll.ensureVisible(rect.center().x(), rect.center().y(), CELL_W, CELL_H)
        self.current_changed.emit(self.current_room())

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.update()


class _Scroll(QScrollArea):
    def available_width(self) -> int:
        """The viewport's width with the vertical scroll bar shown (a tall chart has
        one; laying out for the wider viewport would add a horizontal one)."""
        return self.width() - 2 * self.frameWidth() - self.verticalScrollBar().sizeHint().width()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        view = self.widget()
        if isinstance(view, ChartView):
            view.set_available_width(self.available_width())


class BuildingsPage(QWidget):
    household_requested = Signal(int)
    print_chart_requested = Signal()
    print_sweep_requested = Signal()
    print_card_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel(self)
        font = self.title.font()
        font.setPointSize(font.pointSize() + 2)
        font.setBold(True)
        self.title.setFont(font)
        self.summary = QLabel(self)
        self.by_house = QRadioButton(self.tr("Colour by &house status"), self)
        self.by_visit = QRadioButton(self.tr("Colour by &visit this period"), self)
        self.by_house.setChecked(True)
        modes = QButtonGroup(self)
        modes.addButton(self.by_house)
        modes.addButton(self.by_visit)
        self.print_chart = QPushButton(self.tr("Print &chart…"), self)
        self.print_sweep = QPushButton(self.tr("&Sweep list…"), self)
        self.print_card = QPushButton(self.tr("Household c&ard…"), self)
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addWidget(self.summary, 1)
        for b in (self.print_card, self.print_sweep, self.print_chart):
            b.setAutoDefault(False)
            top.addWidget(b)
        switch = QHBoxLayout()
        switch.addWidget(self.by_house)
        switch.addWidget(self.by_visit)
        switch.addSpacing(16)
        self.legend = QLabel(self)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        switch.addWidget(self.legend, 1)

        self.chart_view = ChartView(self)
        self.scroller = _Scroll(self)
        self.scroller.setWidget(self.chart_view)
        self.scroller.setWidgetResizable(False)
        self.scroller.setFrameShape(QFrame.Shape.StyledPanel)
        self.message = empty_state(self, "")
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.message)
        self.stack.addWidget(self.scroller)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addLayout(switch)
        layout.addWidget(self.stack, 1)

        self.house_labels: dict[str, str] = {}
        self.has_house_status = False
        self.set_house_labels({m.value: m.label for m in HouseStatus})
        self.by_visit.toggled.connect(self._mode_changed)
        self.chart_view.household_requested.connect(self.household_requested)
        self.chart_view.current_changed.connect(self._current_changed)
        self.print_chart.clicked.connect(self.print_chart_requested)
        self.print_sweep.clicked.connect(self.print_sweep_requested)
        self.print_card.clicked.connect(self._card_clicked)
        self.set_message(self.tr("Choose a building group (楼栋党小组) in the tree on the left."))

    # -- public surface -------------------------------------------------------------
    def set_house_labels(self, labels: dict[str, str]) -> None:
        """Names of the house status codes (自住, 出租, …) for the legend."""
        self.house_labels = dict(labels)
        self.chart_view.house_labels = self.house_labels
        self._legend()

    def set_message(self, text: str) -> None:
        self.title.setText("")
        self.summary.setText("")
        self.message.setText(text)
        self.stack.setCurrentWidget(self.message)
        self.chart_view.set_chart(None)
        for b in (self.print_chart, self.print_sweep, self.print_card):
            b.setEnabled(False)

    def set_chart(self, chart: GroupChart) -> None:
        keep = self.current_id()
        self.title.setText(chart.name)
        self.summary.setText(
            self.tr("  {n} households · visited {v} · due this week {d} · overdue {o}").format(
                n=len(chart.rooms),
                v=chart.count(VisitState.VISITED),
                d=chart.count(VisitState.DUE),
                o=chart.count(VisitState.OVERDUE),
            )
        )
        had = self.has_house_status
        self.has_house_status = any(r.house_status for r in chart.rooms)
        self._all_recorded = all(r.house_status for r in chart.rooms)
        if not self.has_house_status:
            self.by_visit.setChecked(True)  # nothing to colour by house status yet
        elif not had and self.by_visit.isChecked() and not self._user_chose_visit:
            self.by_house.setChecked(True)
        self.by_house.setEnabled(self.has_house_status)
        self.chart_view.set_by_visit(self.by_visit.isChecked())
        self.stack.setCurrentWidget(self.scroller)
        self.chart_view.set_available_width(self.scroller.available_width())
        self.chart_view.set_chart(chart, keep)
        self.print_chart.setEnabled(True)
        self.print_sweep.setEnabled(True)
        self.print_card.setEnabled(self.current_id() is not None)
        self._legend()

    _user_chose_visit = False
    _all_recorded = True

    def current_id(self) -> int | None:
        room = self.chart_view.current_room()
        return room.household_id if room else None

    def select_household(self, household_id: int) -> bool:
        return self.chart_view.select_household(household_id)

    # -- internals ------------------------------------------------------------------
    def _mode_changed(self, by_visit: bool) -> None:
        if self.has_house_status:
            self._user_chose_visit = by_visit
        self.chart_view.set_by_visit(by_visit)
        self._legend()

    def _current_changed(self, room: RoomInfo | None) -> None:
        self.print_card.setEnabled(room is not None)

    def _card_clicked(self) -> None:
        hid = self.current_id()
        if hid is not None:
            self.print_card_requested.emit(hid)

    def _legend(self) -> None:
        if self.by_visit.isChecked():
            items = [
                (VISIT_COLOURS[VisitState.VISITED], self.tr("visited this period")),
                (VISIT_COLOURS[VisitState.DUE], self.tr("due this week")),
                (VISIT_COLOURS[VisitState.OVERDUE], self.tr("overdue")),
            ]
        else:
            items = [
                (HOUSE_COLOURS.get(code, HOUSE_COLOURS["other"]), name)
                for code, name in self.house_labels.items()
            ]
            if not self._all_recorded:
                items.append((HOUSE_COLOURS[""], self.tr("not recorded")))
        items.append((EMPTY_ROOM, self.tr("no household")))
        # A filled square in the colour (an outline for the pale ones): QLabel's rich
        # text draws no borders around a span.
        parts = [
            f"<span style='color:{'#b0bec5' if c in ('#ffffff', EMPTY_ROOM) else c};"
            f" font-size:15px'>{'□' if c in ('#ffffff', EMPTY_ROOM) else '■'}</span>&nbsp;{t}"
            for c, t in items
        ]
        parts.append(
            self.tr(
                "<b style='color:#b71c1c'>★</b> party member &nbsp; "
                "<b style='color:#4a148c'>●</b> special group &nbsp; "
                "<b style='color:#c62828'>!</b> visit overdue &nbsp; "
                "<span style='background:#c62828;color:white'>&nbsp;2&nbsp;</span> open problems"
            )
        )
        self.legend.setText(" &nbsp;&nbsp; ".join(parts))


__all__ = ["HOUSE_COLOURS", "VISIT_COLOURS", "BuildingsPage", "ChartView"]
