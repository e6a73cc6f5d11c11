"""The household workspace: search, the household table of the selected node and
the selected household's residents, visits and problems."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal, SignalInstance
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gridvisit.core import search
from gridvisit.core.clock import utcnow
from gridvisit.core.codes import POLITICAL_STATUS
from gridvisit.core.enums import Gender, HouseStatus, RegistrationType, ResidentStatus
from gridvisit.core.masking import mask_id_number, mask_phone
from gridvisit.core.records import ResidentRec
from gridvisit.core.search import normalize_query
from gridvisit.core.services.workspace import HouseholdDetail, HouseholdRow, ProblemLine, VisitLine
from gridvisit.ui import fmt
from gridvisit.ui.table_model import ROW_ROLE, Column, RowTableModel


def make_table(
    parent: QWidget, model: RowTableModel, *, sortable: bool = True, descending: bool = False
) -> QTableView:
    view = QTableView(parent)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setSortingEnabled(sortable)
    if sortable:
        # Set explicitly: Qt's default sort indicator is descending.
        view.sortByColumn(
            0, Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
        )
    view.setWordWrap(False)
    # Tab leaves the table for the next widget; arrows move between rows.
    view.setTabKeyNavigation(False)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(26)
    # Fixed rows let the header skip per-row bookkeeping on 30,000-row resets.
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    view.horizontalHeader().setHighlightSections(False)
    view.horizontalHeader().setStretchLastSection(True)
    return view


def empty_state(parent: QWidget, text: str) -> QLabel:
    label = QLabel(text, parent)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    label.setStyleSheet("color: #666; font-size: 13pt; padding: 24px;")
    return label


class HouseholdsPage(QWidget):
    household_selected = Signal(object)  # household id or None
    log_visit_requested = Signal(int)
    open_visit_requested = Signal(int, int)  # household id, visit id
    add_household_requested = Signal()
    edit_household_requested = Signal(int)
    move_household_requested = Signal(int)
    delete_household_requested = Signal(int)
    add_resident_requested = Signal(int)
    edit_resident_requested = Signal(int, object)
    remove_resident_requested = Signal(int, object)
    reveal_requested = Signal(object)  # a ResidentRec whose full numbers are wanted

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(
            self.tr("Search address, name, phone or pinyin initials (Ctrl+F)")
        )
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._apply_search)
        QShortcut(QKeySequence.StandardKey.Find, self).activated.connect(self.focus_search)
        clear = QShortcut(QKeySequence(Qt.Key.Key_Escape), self.search)
        clear.setContext(Qt.ShortcutContext.WidgetShortcut)
        clear.activated.connect(self.search.clear)
        # Enter or Down in the search box go to the matches (Ctrl+N then logs a visit).
        self.search.returnPressed.connect(lambda: self._to_results(0))
        down = QShortcut(QKeySequence(Qt.Key.Key_Down), self.search)
        down.setContext(Qt.ShortcutContext.WidgetShortcut)
        down.activated.connect(lambda: self._to_results(1))
        self.count_label = QLabel(self)
        self.new_button = QPushButton(self.tr("New household"), self)
        self.new_button.clicked.connect(self.add_household_requested)

        # Translated once: data() runs for every painted cell.
        self._overdue_format = self.tr("{date} (overdue {days} d)")
        self._left_format = self.tr("{date} ({n} working days left)")
        self._today_format = self.tr("{date} (due today)")
        self._late_format = self.tr("{date} (overdue {n} working days)")
        yes = self.tr("Yes")
        self.model: RowTableModel[HouseholdRow] = RowTableModel(
            [
                Column(self.tr("Address"), lambda r: r.address, sort_key=lambda r: r.address_key),
                Column(self.tr("Grid"), lambda r: r.grid),
                Column(self.tr("Head"), lambda r: r.head),
                Column(
                    self.tr("Members"),
                    lambda r: str(r.members),
                    sort_key=lambda r: r.members,
                    align_right=True,
                ),
                Column(self.tr("Special groups"), lambda r: r.groups),
                Column(self.tr("Tier"), lambda r: r.tier_name, sort_key=lambda r: r.tier_code),
                Column(
                    self.tr("Last visit"),
                    lambda r: fmt.day(r.last_visit),
                    sort_key=lambda r: fmt.day(r.last_visit),
                ),
                Column(
                    self.tr("Next due"),
                    lambda r: self._due_text(r),
                    sort_key=lambda r: r.next_due,
                    alert=lambda r: r.overdue,
                ),
                Column(
                    self.tr("Open problems"),
                    lambda r: str(r.open_problems) if r.open_problems else "",
                    sort_key=lambda r: r.open_problems,
                    align_right=True,
                    alert=lambda r: r.open_problems > 0,
                ),
            ],
            key=lambda r: r.id,
            parent=self,
        )
        self.table = make_table(self, self.model)
        # Matches beyond the first screens arrive in chunks after the keystroke.
        self.model.rowsInserted.connect(self._matches_arrived)
        self.model.filter_finished.connect(self._matches_arrived)
        header = self.table.horizontalHeader()
        # 下次应访 holds "2026-05-20(超期 190 天)"; 问题 only a count; the special
        # groups take what is left.
        for col, width in enumerate((108, 92, 56, 36, 90, 40, 80, 158, 36)):
            header.resizeSection(col, width)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.table.doubleClicked.connect(lambda _i: self._emit_visit())
        self.empty = empty_state(self, "")
        self.table_stack = QStackedWidget(self)
        self.table_stack.addWidget(self.table)
        self.table_stack.addWidget(self.empty)

        # -- details -------------------------------------------------------------
        self.detail_title = QLabel(self)
        font = self.detail_title.font()
        font.setPointSize(font.pointSize() + 3)
        font.setBold(True)
        self.detail_title.setFont(font)
        self.detail_info = QLabel(self)
        self.detail_info.setWordWrap(True)
        self.visit_button = QPushButton(self.tr("Log a visit (Ctrl+N)"), self)
        self.visit_button.clicked.connect(self._emit_visit)
        QShortcut(QKeySequence.StandardKey.New, self).activated.connect(self._emit_visit)
        self.edit_button = QPushButton(self.tr("Edit"), self)
        self.edit_button.clicked.connect(
            lambda: self._emit_for_current(self.edit_household_requested)
        )
        self.move_button = QPushButton(self.tr("Move"), self)
        self.move_button.clicked.connect(
            lambda: self._emit_for_current(self.move_household_requested)
        )
        self.delete_button = QPushButton(self.tr("Delete"), self)
        self.delete_button.clicked.connect(
            lambda: self._emit_for_current(self.delete_household_requested)
        )

        self.residents: RowTableModel[ResidentRec] = RowTableModel(
            [
                Column(self.tr("Name"), lambda r: r.name),
                Column(self.tr("Relation"), lambda r: r.relation),
                Column(self.tr("Gender"), lambda r: Gender(r.gender).label if r.gender else ""),
                Column(
                    self.tr("Age"),
                    lambda r: fmt.age(r.birth_date),
                    align_right=True,
                    sort_key=lambda r: r.birth_date.toordinal() if r.birth_date else 0,
                ),
                Column(self.tr("ID number"), lambda r: mask_id_number(r.id_number)),
                Column(self.tr("Phone"), lambda r: mask_phone(r.phone)),
                Column(
                    self.tr("Special groups"),
                    lambda r: "、".join(self._group_names.get(g, g) for g in r.special_groups),
                ),
                Column(self.tr("Party member"), lambda r: yes if r.is_party_member else ""),
                Column(
                    self.tr("Political status"),
                    lambda r: POLITICAL_STATUS.name_of(r.political_status),
                ),
                Column(
                    self.tr("Registration"),
                    lambda r: RegistrationType(r.registration_type).label,
                ),
            ],
            key=lambda r: r.id,
            parent=self,
        )
        # Moves and the residents who moved out or died: greyed, never as members.
        self.history: RowTableModel[HistoryLine] = RowTableModel(
            [
                Column(self.tr("Date"), lambda h: h.on.isoformat() if h.on else ""),
                Column(self.tr("Kind of change"), lambda h: h.what, muted=lambda h: h.former),
                Column(self.tr("Name"), lambda h: h.name, muted=lambda h: h.former),
                Column(self.tr("Note"), lambda h: h.note, muted=lambda h: h.former),
            ],
            key=lambda h: h.key,
            parent=self,
        )
        self.resident_table = make_table(self, self.residents, sortable=False)
        self.resident_table.doubleClicked.connect(lambda _i: self._edit_resident())
        self.add_resident_button = QPushButton(self.tr("Add resident"), self)
        self.add_resident_button.clicked.connect(
            lambda: self._emit_for_current(self.add_resident_requested)
        )
        self.edit_resident_button = QPushButton(self.tr("Edit resident"), self)
        self.edit_resident_button.clicked.connect(self._edit_resident)
        self.remove_resident_button = QPushButton(self.tr("Move in/out…"), self)
        self.remove_resident_button.setToolTip(
            self.tr("Record that the selected resident moved in, moved out or died, or a change"
                    " within the household")
        )  # fmt: skip
        self.remove_resident_button.clicked.connect(self._remove_resident)
        self.reveal_button = QPushButton(self.tr("Show full numbers"), self)
        self.reveal_button.setToolTip(
            self.tr("Show this resident's full ID number and phone (recorded in the audit log)")
        )
        self.reveal_button.clicked.connect(self._reveal)
        self.visits: RowTableModel[VisitLine] = RowTableModel(
            [
                Column(self.tr("Time"), lambda v: fmt.when(v.visited_at)),
                Column(self.tr("Method"), lambda v: v.method.label),
                Column(self.tr("Purpose"), lambda v: v.purpose.label),
                Column(self.tr("Worker"), lambda v: v.worker),
                Column(
                    self.tr("Problems"),
                    lambda v: str(v.problems) if v.problems else "",
                    align_right=True,
                ),
                Column(self.tr("Situation"), lambda v: v.notes),
            ],
            key=lambda v: v.id,
            parent=self,
        )
        self.problems: RowTableModel[ProblemLine] = RowTableModel(
            [
                Column(self.tr("Reported"), lambda p: fmt.day(p.reported_at)),
                Column(self.tr("Category"), lambda p: p.category),
                Column(self.tr("Status"), lambda p: p.status.label),
                Column(
                    self.tr("Deadline"),
                    lambda p: self._problem_deadline(p),
                    alert=lambda p: p.is_overdue(self._now()),
                ),
                Column(self.tr("Description"), lambda p: p.description),
            ],
            key=lambda p: p.id,
            parent=self,
        )
        self.tabs = QTabWidget(self)
        residents_box = QWidget(self)
        rl = QVBoxLayout(residents_box)
        rl.setContentsMargins(0, 4, 0, 0)
        rl.addWidget(self.resident_table)
        rb = QHBoxLayout()
        for b in (self.add_resident_button, self.edit_resident_button, self.remove_resident_button):
            rb.addWidget(b)
        rb.addStretch(1)
        rb.addWidget(self.reveal_button)
        rl.addLayout(rb)
        self.tabs.addTab(residents_box, self.tr("Residents"))
        visit_table = make_table(self, self.visits, sortable=False)
        visit_table.setToolTip(self.tr("Double-click or press Enter to open, correct or delete"))
        visit_table.doubleClicked.connect(self._open_visit)
        visit_table.activated.connect(self._open_visit)
        self.visit_table = visit_table
        problem_table = make_table(self, self.problems, sortable=False)
        self._detail_views: tuple[QTableView, ...] = (
            self.resident_table,
            visit_table,
            problem_table,
        )
        self.tabs.addTab(visit_table, self.tr("Visits"))
        self.tabs.addTab(problem_table, self.tr("Problems"))
        self.history_table = make_table(self, self.history, sortable=False)
        self._detail_views = (*self._detail_views, self.history_table)
        self.tabs.addTab(self.history_table, self.tr("Moves"))

        detail = QWidget(self)
        dl = QVBoxLayout(detail)
        dl.setContentsMargins(6, 0, 0, 0)
        dl.addWidget(self.detail_title)
        dl.addWidget(self.detail_info)
        buttons = QHBoxLayout()
        for b in (self.visit_button, self.edit_button, self.move_button, self.delete_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        dl.addLayout(buttons)
        dl.addWidget(self.tabs, 1)
        self.detail_empty = empty_state(
            self, self.tr("Select a household to see its residents, visits and problems.")
        )
        self.detail_stack = QStackedWidget(self)
        self.detail_stack.addWidget(self.detail_empty)
        self.detail_stack.addWidget(detail)

        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.count_label)
        top.addWidget(self.new_button)
        left = QWidget(self)
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addLayout(top)
        ll.addWidget(self.table_stack, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.detail_stack)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([730, 330])
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

        self._group_names: dict[str, str] = {}
        self._now = utcnow  # replaced by the services clock in the main window
        self._detail: HouseholdDetail | None = None
        self._last_query = ""
        self._loading = False
        # Whether every row's haystack holds pinyin initials (see core/search.py).
        self._initials_done = True
        self._warm_up: threading.Thread | None = None
        self.warm_up_delay_ms = 1500  # after the rows are on screen
        self.show_detail(None)
        self._update_empty()

    # -- rows ----------------------------------------------------------------------
    def set_group_names(self, names: dict[str, str]) -> None:
        self._group_names = names

    def set_loading(self, loading: bool) -> None:
        self._loading = loading
        self._update_empty()

    def set_rows(self, rows: list[HouseholdRow], select_id: int | None = None) -> None:
        self._last_query = ""
        self._initials_done = all(r.has_initials for r in rows)
        if not self._initials_done and self._warm_up is None:
            QTimer.singleShot(self.warm_up_delay_ms, self._start_warm_up)
        self.model.set_rows(rows)
        self._apply_search(self.search.text())
        self._loading = False
        self._update_empty()
        if select_id is not None and self.select_household(select_id):
            return
        if self.model.rowCount():
            self.table.selectRow(0)
        else:
            self.show_detail(None)

    def replace_row(self, row: HouseholdRow) -> None:
        self._initials_done = self._initials_done and row.has_initials
        self.model.replace_row(row)

    def _start_warm_up(self) -> None:
        """Load pypinyin and the names' initials on a thread once the window is up, so
        that the first search does not wait for them."""
        if self._warm_up is not None or self._initials_done:
            return
        names = {n for r in self.model.all_rows() for n in r.names}
        self._warm_up = threading.Thread(
            target=search.warm_up, args=(names,), name="pinyin-warm-up"
        )
        self._warm_up.start()

    def _ensure_initials(self) -> None:
        """Before the first search: every row's haystack gets its pinyin initials (at
        once if the warm-up has not finished; then this thread loads pypinyin)."""
        if self._initials_done:
            return
        for row in self.model.all_rows():
            row.add_initials()
        self._initials_done = True

    def select_household(self, household_id: int, *, finish: bool = True) -> bool:
        pos = self.model.position_of(household_id, finish=finish)
        if pos is None:
            return False
        index = self.model.index(pos, 0)
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)
        return True

    def current_id(self) -> int | None:
        row = self.model.row_at(self.table.currentIndex().row())
        return row.id if row else None

    def row(self, household_id: int) -> HouseholdRow | None:
        """The row shown for `household_id`, if the filter shows it."""
        pos = self.model.position_of(household_id)
        return self.model.row_at(pos) if pos is not None else None

    def shown_detail(self) -> HouseholdDetail | None:
        """The household in the detail panel, as last shown."""
        return self._detail

    def set_clock(self, now: Callable[[], datetime]) -> None:
        """The clock that decides what is overdue (the services' clock)."""
        self._now = now

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _to_results(self, step: int) -> None:
        if not self.model.rowCount():
            return
        row = max(0, self.table.currentIndex().row())
        row = min(row + step, self.model.rowCount() - 1) if step else row
        self.table.selectRow(row)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _apply_search(self, text: str) -> None:
        query = normalize_query(text)
        current = self.current_id()
        narrow = bool(self._last_query) and query.startswith(self._last_query)
        self._last_query = query
        if query:
            self._ensure_initials()
        self.model.set_filter((lambda r: query in r.haystack) if query else None, narrow=narrow)
        self._update_count()
        self._update_empty()
        # Only among the matches found so far: a keystroke must not wait for the rest.
        if current is not None and self.select_household(current, finish=False):
            return
        if self.model.rowCount():
            self.table.selectRow(0)
        else:
            self.show_detail(None)

    def _matches_arrived(self, *_args: object) -> None:
        self._update_count()
        if self.table_stack.currentWidget() is not self.table or not self.model.rowCount():
            self._update_empty()
            if self.model.rowCount() and self.table.currentIndex().row() < 0:
                self.table.selectRow(0)

    def _update_count(self) -> None:
        total, shown = self.model.total_count(), self.model.rowCount()
        if not self._last_query:
            text = self.tr("{total} households").format(total=total)
        elif self.model.is_filter_finished():
            text = self.tr("{shown} of {total}").format(shown=shown, total=total)
        else:
            text = self.tr("{shown}+ of {total}, searching…").format(shown=shown, total=total)
        self.count_label.setText(text)

    def _update_empty(self) -> None:
        if self.model.rowCount():
            self.table_stack.setCurrentWidget(self.table)
            return
        if self._loading:
            text = self.tr("Loading households…")
        elif not self.model.is_filter_finished():
            text = self.tr("Searching…")
        elif self.model.total_count():
            text = self.tr("No household matches “{q}”. Press Esc to clear the search.").format(
                q=self.search.text()
            )
        else:
            text = self.tr(
                "No households here yet.\nChoose a building group on the left and "
                "click “New household”, or right-click the tree to add communities, "
                "grids and building groups."
            )
        self.empty.setText(text)
        self.table_stack.setCurrentWidget(self.empty)

    def _problem_deadline(self, p: ProblemLine) -> str:
        """A problem's limit with 剩 / 超期 N 个工作日 while open (* = counted Monday to
        Friday: that year's holiday schedule is not known)."""
        text = fmt.deadline(p.due_at)
        w = p.workdays_left(self._now())
        if w is None:
            return text
        if w.overdue:
            out = self._late_format.format(date=text, n=w.overdue)
        elif w.due_today:
            out = self._today_format.format(date=text)
        else:
            out = self._left_format.format(date=text, n=w.left)
        return out + ("*" if w.estimated else "")

    def _due_text(self, row: HouseholdRow) -> str:
        text = fmt.day(row.next_due)
        if row.overdue_days > 0:
            return self._overdue_format.format(date=text, days=row.overdue_days)
        return text

    # -- details -------------------------------------------------------------------
    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.model.data(current, ROW_ROLE) if current.isValid() else None
        self.household_selected.emit(row.id if row else None)

    def show_detail(self, detail: HouseholdDetail | None) -> None:
        self._detail = detail
        if detail is None:
            self.detail_stack.setCurrentWidget(self.detail_empty)
            self.residents.set_rows([])
            self.visits.set_rows([])
            self.problems.set_rows([])
            self.history.set_rows([])
            return
        self.detail_stack.setCurrentIndex(1)
        centre = (
            self.tr("party centre household")
            if detail.is_party_centre
            else (
                self.tr("contacted by {a}").format(a=detail.centre_address)
                if detail.centre_address
                else ""
            )
        )
        self.detail_title.setText(detail.address)
        parts = [
            detail.place,
            HouseStatus(detail.house_status).label,
            self.tr("tier: {t}").format(t=detail.tier_name),
        ]
        if detail.house_status == HouseStatus.RENTED and detail.tenant_count:
            parts.append(self.tr("{n} tenant(s)").format(n=detail.tenant_count))
        if detail.phone:
            parts.append(self.tr("phone: {p}").format(p=mask_phone(detail.phone)))
        if centre:
            parts.append(centre)
        if detail.notes:
            parts.append(detail.notes)
        self.detail_info.setText(" · ".join(parts))
        self.residents.set_rows(list(detail.residents))
        self.visits.set_rows(list(detail.visits))
        self.problems.set_rows(list(detail.problems))
        self.history.set_rows(history_lines(detail))
        for view in self._detail_views:
            view.resizeColumnsToContents()
        self.tabs.setTabText(0, self.tr("Residents ({n})").format(n=len(detail.residents)))
        self.tabs.setTabText(1, self.tr("Visits ({n})").format(n=len(detail.visits)))
        self.tabs.setTabText(2, self.tr("Problems ({n})").format(n=len(detail.problems)))
        self.tabs.setTabText(3, self.tr("Moves ({n})").format(n=len(detail.moves)))

    def _emit_visit(self) -> None:
        hid = self.current_id()
        if hid is not None:
            self.log_visit_requested.emit(hid)

    def _open_visit(self, index: QModelIndex) -> None:
        hid, visit = self.current_id(), self.visits.row_at(index.row())
        if hid is not None and visit is not None:
            self.open_visit_requested.emit(hid, visit.id)

    def _emit_for_current(self, signal: SignalInstance) -> None:
        hid = self.current_id()
        if hid is not None:
            signal.emit(hid)

    def _current_resident(self) -> ResidentRec | None:
        return self.residents.row_at(self.resident_table.currentIndex().row())

    def _edit_resident(self) -> None:
        hid, resident = self.current_id(), self._current_resident()
        if hid is not None and resident is not None:
            self.edit_resident_requested.emit(hid, resident)

    def _reveal(self) -> None:
        resident = self._current_resident()
        if resident is None:
            QMessageBox.information(
                self,
                self.tr("Show full numbers"),
                self.tr("Select a resident in the list first, then click “Show full numbers”."),
            )
            return
        self.reveal_requested.emit(resident)

    def _remove_resident(self) -> None:
        hid, resident = self.current_id(), self._current_resident()
        if hid is not None and resident is not None:
            self.remove_resident_requested.emit(hid, resident)


@dataclass(frozen=True, slots=True)
class HistoryLine:
    """One line of a household's move history: a move, or a resident who has left."""

    key: str
    on: date | None
    what: str
    name: str
    note: str
    former: bool  # shown greyed: this person no longer lives here


def history_lines(detail: HouseholdDetail) -> list[HistoryLine]:
    """The moves, newest first, then each resident who moved out or died (greyed)."""
    former_ids = {r.id for r in detail.former_residents}
    lines = [
        HistoryLine(f"m{m.id}", m.moved_on, m.kind.label, m.resident_name, m.note,
                    m.resident_id in former_ids)
        for m in detail.moves
    ]  # fmt: skip
    lines += [
        HistoryLine(f"r{r.id}", None, ResidentStatus(r.status).label, r.name, r.relation, True)
        for r in detail.former_residents
    ]
    return lines
