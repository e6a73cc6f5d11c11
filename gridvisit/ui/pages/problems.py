"""Every problem in the selected part of the hierarchy, with filters, the workflow
actions and each problem's event history. Overdue problems are red."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from gridvisit.core.clock import today_local, utcnow
from gridvisit.core.enums import EventKind, HandlingLevel, ProblemStatus, Satisfaction
from gridvisit.core.records import ProblemEventRec
from gridvisit.core.rules import (
    SUPERVISOR_ONLY,
    WorkdaysLeft,
    allowed_actions,
    extension_dates,
)
from gridvisit.core.services.workspace import ProblemFilter, ProblemLine, Reference
from gridvisit.ui import fmt
from gridvisit.ui.dialogs.common import pydate, qdate
from gridvisit.ui.pages.households import empty_state, make_table
from gridvisit.ui.table_model import ROW_ROLE, Column, RowTableModel

OPEN_STATUSES = (ProblemStatus.PENDING, ProblemStatus.IN_PROGRESS)
ACTIONS = (
    EventKind.ACCEPTED,
    EventKind.PROGRESS,
    EventKind.ESCALATED,
    EventKind.RESOLVED,
    EventKind.RETURN_VISIT,
    EventKind.REOPENED,
    EventKind.SUPERVISE_YELLOW,
    EventKind.SUPERVISE_RED,
    EventKind.EXPEDITE,
    EventKind.EXTENSION_REQUESTED,
    EventKind.EXTENSION_APPROVED,  # the dialog decides: approve or refuse
)


class ProblemsPage(QWidget):
    filter_changed = Signal()
    problem_selected = Signal(object)  # problem id or None
    action_requested = Signal(int, object)  # problem id, EventKind

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._now = utcnow
        self._can_supervise = False
        # Translated once: data() runs for every painted cell.
        self._left_format = self.tr("{date} ({n} working days left)")
        self._today_format = self.tr("{date} (due today)")
        self._overdue_format = self.tr("{date} (overdue {n} working days)")
        self._estimated = self.tr("*")
        self._pending_text = self.tr("extension requested")
        self.scope_label = QLabel(self)
        self.status = QComboBox(self)
        self.status.addItem(
            self.tr("Not closed"),
            (ProblemStatus.PENDING, ProblemStatus.IN_PROGRESS, ProblemStatus.RESOLVED),
        )
        self.status.addItem(self.tr("Open (pending or in progress)"), OPEN_STATUSES)
        for st in ProblemStatus:
            self.status.addItem(st.label, (st,))
        self.status.addItem(self.tr("All statuses"), ())
        self.category = QComboBox(self)
        self.level = QComboBox(self)
        self.level.addItem(self.tr("All levels"), None)
        for lv in HandlingLevel:
            self.level.addItem(lv.label, lv)
        self.overdue = QCheckBox(self.tr("Overdue only"), self)
        self.use_dates = QCheckBox(self.tr("Reported from"), self)
        today = qdate(today_local())  # Beijing's today, whatever the laptop's zone
        self.date_from = QDateEdit(today.addDays(-30), self)
        self.date_to = QDateEdit(today, self)
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setEnabled(False)
        self.use_dates.toggled.connect(self.date_from.setEnabled)
        self.use_dates.toggled.connect(self.date_to.setEnabled)
        for w in (self.status, self.category, self.level):
            w.currentIndexChanged.connect(self.filter_changed)
        for box in (self.overdue, self.use_dates):
            box.toggled.connect(self.filter_changed)
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(self.filter_changed)
        self.count_label = QLabel(self)

        self.model: RowTableModel[ProblemLine] = RowTableModel(
            [
                Column(
                    self.tr("Reported"),
                    lambda p: fmt.when(p.reported_at),
                    sort_key=lambda p: p.reported_at,
                ),
                Column(self.tr("Grid"), lambda p: p.grid),
                Column(self.tr("Place"), lambda p: p.place),
                Column(self.tr("Category"), lambda p: p.category),
                Column(self.tr("Description"), lambda p: p.description),
                Column(self.tr("Urgency"), lambda p: p.urgency),
                Column(self.tr("Level"), lambda p: p.level.label),
                Column(
                    self.tr("Status"),
                    lambda p: p.status.label,
                    sort_key=lambda p: list(ProblemStatus).index(p.status),
                ),
                Column(
                    self.tr("Supervision"),
                    lambda p: self._supervision(p),
                    alert=lambda p: EventKind.SUPERVISE_RED in p.marks and p.status.is_open,
                ),
                Column(
                    self.tr("Deadline"),
                    lambda p: self._deadline(p),
                    sort_key=lambda p: p.due_at,
                    alert=lambda p: p.is_overdue(self._now()),
                ),
                Column(
                    self.tr("Responsible"),
                    lambda p: " ".join(x for x in (p.assigned_unit, p.assigned_person) if x),
                ),
            ],
            key=lambda p: p.id,
            parent=self,
        )
        self.table = make_table(self, self.model, descending=True)  # newest first
        for col, width in enumerate((110, 90, 110, 100, 150, 56, 45, 64, 100, 200)):
            self.table.horizontalHeader().resizeSection(col, width)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.empty = empty_state(self, self.tr("No problems match these filters."))
        self.table_stack = QStackedWidget(self)
        self.table_stack.addWidget(self.table)
        self.table_stack.addWidget(self.empty)

        self.detail_title = QLabel(self)
        self.detail_title.setWordWrap(True)
        self.detail_title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons: dict[EventKind, QPushButton] = {}
        labels = {
            EventKind.ACCEPTED: self.tr("Accept && dispatch"),
            EventKind.PROGRESS: self.tr("Add progress"),
            EventKind.ESCALATED: self.tr("Escalate"),
            EventKind.RESOLVED: self.tr("Resolve"),
            EventKind.RETURN_VISIT: self.tr("Return visit"),
            EventKind.REOPENED: self.tr("Reopen"),
            EventKind.SUPERVISE_YELLOW: self.tr("Yellow card"),
            EventKind.SUPERVISE_RED: self.tr("Red card"),
            EventKind.EXPEDITE: self.tr("Expedite"),
            EventKind.EXTENSION_REQUESTED: self.tr("Request extension"),
            EventKind.EXTENSION_APPROVED: self.tr("Decide extension"),
        }
        action_row = QHBoxLayout()
        for kind in ACTIONS:
            button = QPushButton(labels[kind], self)
            button.clicked.connect(lambda _=False, k=kind: self._request(k))
            self.buttons[kind] = button
            action_row.addWidget(button)
        action_row.addStretch(1)
        self.events: RowTableModel[tuple[ProblemEventRec, str]] = RowTableModel(
            [
                Column(self.tr("Time"), lambda e: fmt.when(e[0].at)),
                Column(self.tr("Step"), lambda e: e[0].kind.label),
                Column(self.tr("Status"), lambda e: self._status_change(e[0])),
                Column(
                    self.tr("Level"),
                    lambda e: HandlingLevel(e[0].to_level).label if e[0].to_level else "",
                ),
                Column(self.tr("By"), lambda e: e[1]),
                Column(self.tr("Details"), lambda e: self._event_details(e[0])),
            ],
            key=lambda e: e[0].id,
            parent=self,
        )
        self.event_table = make_table(self, self.events, sortable=False)
        for col, width in enumerate((120, 70, 150, 45, 70)):
            self.event_table.horizontalHeader().resizeSection(col, width)

        filters = QHBoxLayout()
        filters.addWidget(self.scope_label)
        for widget in (
            self.status,
            self.category,
            self.level,
            self.overdue,
            self.use_dates,
            self.date_from,
            QLabel("—", self),
            self.date_to,
        ):
            filters.addWidget(widget)
        filters.addStretch(1)
        detail = QWidget(self)
        dl = QVBoxLayout(detail)
        dl.setContentsMargins(0, 0, 0, 0)
        dl.addWidget(self.detail_title)
        dl.addLayout(action_row)
        dl.addWidget(self.event_table, 1)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(self.table_stack)
        self.splitter.addWidget(detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(filters)
        layout.addWidget(self.count_label)
        layout.addWidget(self.splitter, 1)
        self.show_problem(None, [])

    def set_reference(self, reference: Reference) -> None:
        self.category.blockSignals(True)
        self.category.clear()
        self.category.addItem(self.tr("All categories"), None)
        for code, name, parent in reference.categories:
            self.category.addItem(f"  {name}" if parent else name, code)
        self.category.blockSignals(False)

    def set_scope_name(self, name: str) -> None:
        self.scope_label.setText(self.tr("Scope: {name}").format(name=name))

    def current_filter(self) -> ProblemFilter:
        dates: tuple[date | None, date | None] = (None, None)
        if self.use_dates.isChecked():
            dates = (pydate(self.date_from.date()), pydate(self.date_to.date()))
        return ProblemFilter(
            statuses=self.status.currentData() or (),
            category_code=self.category.currentData(),
            level=self.level.currentData(),
            overdue_only=self.overdue.isChecked(),
            reported_from=dates[0],
            reported_to=dates[1],
        )

    def show_every_status(self) -> bool:
        """Clear the filters (a drill-down wants to show one problem, whatever its
        status); True when they changed. Sends no filter_changed: the caller loads."""
        widgets = (self.status, self.category, self.level, self.overdue, self.use_dates)
        for w in widgets:
            w.blockSignals(True)
        before = self.current_filter()
        self.status.setCurrentIndex(self.status.findData(()))
        self.category.setCurrentIndex(0)
        self.level.setCurrentIndex(0)
        self.overdue.setChecked(False)
        self.use_dates.setChecked(False)
        for w in widgets:
            w.blockSignals(False)
        self.date_from.setEnabled(False)
        self.date_to.setEnabled(False)
        return self.current_filter() != before

    def select_problem(self, problem_id: int) -> bool:
        pos = self.model.position_of(problem_id)
        if pos is None:
            return False
        self.table.selectRow(pos)
        return True

    def set_rows(self, rows: list[ProblemLine], select_id: int | None = None) -> None:
        self.model.set_rows(rows)
        overdue = sum(1 for p in rows if p.is_overdue(self._now()))
        self.count_label.setText(
            self.tr("{n} problems, {o} overdue").format(n=len(rows), o=overdue)
        )
        now = self._now()
        if any((w := p.workdays_left(now)) is not None and w.estimated for p in rows):
            text = self.count_label.text() + self.tr(
                " — * counted Monday to Friday: the holiday schedule of that year has not"
                " been entered (gridvisit calendar set-year)"
            )
            self.count_label.setText(text)
        self.table_stack.setCurrentWidget(self.table if rows else self.empty)
        position = self.model.position_of(select_id) if select_id is not None else None
        if position is not None:
            self.table.selectRow(position)
        elif rows:
            self.table.selectRow(0)
        else:
            self.show_problem(None, [])

    def replace_row(self, row: ProblemLine) -> None:
        self.model.replace_row(row)

    def current_id(self) -> int | None:
        row = self.model.row_at(self.table.currentIndex().row())
        return row.id if row else None

    def row(self, problem_id: int) -> ProblemLine | None:
        """The line shown for `problem_id`, if the filter shows it."""
        pos = self.model.position_of(problem_id)
        return self.model.row_at(pos) if pos is not None else None

    def set_can_supervise(self, can: bool) -> None:
        """Whether the user may 督办 and decide extensions (their buttons show)."""
        self._can_supervise = can
        for kind, button in self.buttons.items():
            button.setVisible(can or kind not in SUPERVISOR_ONLY)

    def set_clock(self, now: Callable[[], datetime]) -> None:
        """The clock that decides what is overdue (the services' clock)."""
        self._now = now

    def show_problem(
        self, line: ProblemLine | None, events: list[tuple[ProblemEventRec, str]], place: str = ""
    ) -> None:
        if line is None:
            self.detail_title.setText(self.tr("Select a problem to see its history and act on it."))
            for b in self.buttons.values():
                b.setEnabled(False)
            self.events.set_rows([])
            return
        allowed = set(
            allowed_actions(line.status, line.level, extension_pending=line.extension_pending)
        )
        for kind, button in self.buttons.items():
            button.setEnabled(
                kind in allowed and (self._can_supervise or kind not in SUPERVISOR_ONLY)
            )
        overdue = self.tr(" — OVERDUE") if line.is_overdue(self._now()) else ""
        marks = self._supervision(line)
        marks = f" · <span style='color:#c62828'><b>{marks}</b></span>" if marks else ""
        self.detail_title.setText(
            f"<b>{line.category}</b> · {line.status.label} · {line.level.label}{overdue}{marks}"
            f"<br>{self._deadline(line)}<br>{place}<br>{line.description}"
        )
        self.events.set_rows(events)

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.model.data(current, ROW_ROLE) if current.isValid() else None
        self.problem_selected.emit(row.id if row else None)

    def _request(self, kind: EventKind) -> None:
        pid = self.current_id()
        if pid is not None:
            self.action_requested.emit(pid, kind)

    def _deadline(self, p: ProblemLine) -> str:
        """The limit's date, and 剩 N 个工作日 / 超期 N 个工作日 while open."""
        text = fmt.deadline(p.due_at)
        w: WorkdaysLeft | None = p.workdays_left(self._now())
        if w is None:
            return text
        if w.overdue:
            out = self._overdue_format.format(date=text, n=w.overdue)
        elif w.due_today:
            out = self._today_format.format(date=text)
        else:
            out = self._left_format.format(date=text, n=w.left)
        return out + (self._estimated if w.estimated else "")

    def _supervision(self, p: ProblemLine) -> str:
        parts = [m.label for m in p.marks]
        if p.extension_pending:
            parts.append(self._pending_text)
        return "、".join(parts)

    @staticmethod
    def _status_change(e: ProblemEventRec) -> str:
        to = ProblemStatus(e.to_status).label if e.to_status else ""
        if e.from_status and e.from_status != e.to_status:
            return f"{ProblemStatus(e.from_status).label} → {to}"
        return to

    def _event_details(self, e: ProblemEventRec) -> str:
        new, old = extension_dates(e)
        if new is not None:  # the dates of an extension step, not a unit and person
            parts = [self.tr("limit {date}").format(date=fmt.deadline(new))]
            if old is not None:
                parts.append(self.tr("was {date}").format(date=fmt.deadline(old)))
            if e.note:
                parts.append(e.note)
            return ";".join(parts)
        parts = [x for x in (e.assigned_unit, e.assigned_person) if x]
        if e.satisfaction:
            parts.append(Satisfaction(e.satisfaction).label)
        if e.note:
            parts.append(e.note)
        return ";".join(parts)
