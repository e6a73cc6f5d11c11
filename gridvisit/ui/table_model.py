"""One table model for every list in the app: lean row objects plus column specs.

Sorting happens in Python over the row list; the view only ever asks for the
visible cells. Never QStandardItemModel for big lists (docs/architecture.md,
"Layers and what each may import", ui).

A filter is applied lazily so a keystroke costs the same on 3,000 rows as on
30,000: the first `first_step` rows are tested at once (enough for the first
screens of matches), the rest in short chunks from the event loop, and their
matches are appended with one rowsInserted at the end (one relayout of the view,
not one per chunk). A new filter cancels the pending chunks. Callers that need every
match (`rows()`, `position_of()`) finish the scan first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont

R = TypeVar("R")
Index = QModelIndex | QPersistentModelIndex

ROW_ROLE = Qt.ItemDataRole.UserRole + 1
OVERDUE_COLOR = QColor("#c62828")
MUTED_COLOR = QColor("#8a8a8a")  # residents who moved out or died, in the history
_ALERT_ROLES = (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.FontRole)


@dataclass(frozen=True)
class Column(Generic[R]):
    title: str
    text: Callable[[R], str]
    sort_key: Callable[[R], Any] | None = None
    alert: Callable[[R], bool] | None = None  # red and bold when true
    muted: Callable[[R], bool] | None = None  # grey when true (history, not current)
    tooltip: Callable[[R], str] | None = None
    align_right: bool = False


class RowTableModel(QAbstractTableModel, Generic[R]):
    filter_finished = Signal()  # every row has been tested against the current filter

    def __init__(
        self, columns: Sequence[Column[R]], key: Callable[[R], Any] = id, parent: Any = None
    ) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._key = key
        self._all: list[R] = []
        self._visible: list[R] = []
        self._filter: Callable[[R], bool] | None = None
        # Rows still to be tested against the filter, in display order, from _cursor on,
        # and the matches found among them so far, not yet shown.
        self._pending: list[R] = []
        self._later: list[R] = []
        self._cursor = 0
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._positions: dict[Any, int] | None = None
        self._bold = QFont()
        self._bold.setBold(True)
        self._alert_brush = QBrush(OVERDUE_COLOR)
        self._muted_brush = QBrush(MUTED_COLOR)
        # A filter change returns after this many matches (a few screens) or rows tested.
        self.first_matches = 200
        self.first_step = 1000
        self.chunk = 6000  # rows tested per event-loop turn afterwards (~2 ms)
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._continue_filter)

    # -- contents ------------------------------------------------------------------
    def set_rows(self, rows: Sequence[R]) -> None:
        self.beginResetModel()
        self._all = list(rows)
        self._sort_all()
        self._start_filter(self._all)
        self.endResetModel()
        self._schedule()

    def set_filter(self, predicate: Callable[[R], bool] | None, *, narrow: bool = False) -> None:
        """With `narrow`, the new predicate only ever removes rows from what the
        current one accepts (the user typed one more character), so rows the current
        filter already rejected are not tested again."""
        self.beginResetModel()
        if narrow and self._filter is not None:
            candidates = self._visible + self._later + self._pending[self._cursor :]
        else:
            candidates = self._all
        self._filter = predicate
        self._start_filter(candidates)
        self.endResetModel()
        self._schedule()

    def is_filter_finished(self) -> bool:
        return self._cursor >= len(self._pending)

    def finish_filter(self) -> None:
        """Test every remaining row now."""
        while not self.is_filter_finished():
            self._continue_filter(len(self._pending))

    def replace_row(self, row: R) -> bool:
        """Swap one row in place (same key); the view repaints just that line."""
        self.finish_filter()  # a pending chunk must not hold the old object
        key = self._key(row)
        for i, old in enumerate(self._all):
            if self._key(old) == key:
                self._all[i] = row
                break
        else:
            return False
        pos = self.position_of(key)
        if pos is not None:
            self._visible[pos] = row
            self.dataChanged.emit(self.index(pos, 0), self.index(pos, len(self._columns) - 1))
        return True

    def remove_key(self, key: Any) -> None:
        self.beginResetModel()
        self._all = [r for r in self._all if self._key(r) != key]
        self._start_filter(self._all)
        self.endResetModel()
        self._schedule()

    def rows(self) -> list[R]:
        """Every row the filter accepts, in display order."""
        self.finish_filter()
        return list(self._visible)

    def all_rows(self) -> list[R]:
        return list(self._all)

    def total_count(self) -> int:
        return len(self._all)

    def row_at(self, row: int) -> R | None:
        return self._visible[row] if 0 <= row < len(self._visible) else None

    def position_of(self, key: Any, *, finish: bool = True) -> int | None:
        """Row of `key` in the view; without `finish`, only among the rows found so far."""
        if finish:
            self.finish_filter()
        if self._positions is None:  # built on demand: typing must not pay for it
            self._positions = {self._key(r): i for i, r in enumerate(self._visible)}
        return self._positions.get(key)

    def _sort_all(self) -> None:
        # Rows are kept in display order; a filter keeps that order, so a keystroke in
        # the search box never sorts.
        if self._sort is not None:
            col, order = self._sort
            spec = self._columns[col]
            self._all.sort(
                key=spec.sort_key or spec.text, reverse=order == Qt.SortOrder.DescendingOrder
            )

    def _start_filter(self, candidates: list[R]) -> None:
        self._positions = None
        if self._filter is None:
            self._visible, self._pending, self._cursor = list(candidates), [], 0
            self._later = []
            return
        self._visible, self._pending, self._cursor, self._later = [], candidates, 0, []
        self._visible = self._test(self.first_step, self.first_matches)

    def _test(self, limit: int, enough: int | None = None) -> list[R]:
        """Test up to `limit` pending rows; stop early once `enough` matched."""
        accept = self._filter
        assert accept is not None
        start, end = self._cursor, min(self._cursor + limit, len(self._pending))
        if enough is None:
            self._cursor = end
            return [r for r in self._pending[start:end] if accept(r)]
        found: list[R] = []
        for i in range(start, end):
            if accept(row := self._pending[i]):
                found.append(row)
                if len(found) >= enough:
                    end = i + 1
                    break
        self._cursor = end
        return found

    def _schedule(self) -> None:
        if self.is_filter_finished():
            self._timer.stop()
            self._pending, self._cursor = [], 0
            self.filter_finished.emit()
        else:
            self._timer.start()

    def _continue_filter(self, limit: int | None = None) -> None:
        if self.is_filter_finished():
            self._timer.stop()
            return
        self._later.extend(self._test(limit or self.chunk))
        if not self.is_filter_finished():
            return
        if self._later:
            first = len(self._visible)
            self.beginInsertRows(QModelIndex(), first, first + len(self._later) - 1)
            self._visible.extend(self._later)
            self._later = []
            self._positions = None
            self.endInsertRows()
        self._schedule()

    # -- Qt model API --------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._visible)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self._columns)
        ):
            return self._columns[section].title
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (
            not index.isValid()
            or not 0 <= index.row() < len(self._visible)
            or not 0 <= index.column() < len(self._columns)
        ):
            return None
        row = self._visible[index.row()]
        spec = self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return spec.text(row)
        if role == ROW_ROLE:
            return row
        if role in _ALERT_ROLES:
            if spec.alert is not None and spec.alert(row):
                return self._alert_brush if role == Qt.ItemDataRole.ForegroundRole else self._bold
            if (
                spec.muted is not None
                and role == Qt.ItemDataRole.ForegroundRole
                and spec.muted(row)
            ):
                return self._muted_brush
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            return spec.tooltip(row) if spec.tooltip else spec.text(row) or None
        if role == Qt.ItemDataRole.TextAlignmentRole and spec.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self._columns):
            return
        self.finish_filter()  # a layout change must keep the row count
        self.layoutAboutToBeChanged.emit()
        # Selection and current row follow their household, not their row number.
        persistent = self.persistentIndexList()
        keys = [self._key(self._visible[i.row()]) for i in persistent]
        self._sort = (column, order)
        self._sort_all()
        accept = self._filter
        self._visible = [r for r in self._all if accept(r)] if accept else list(self._all)
        self._positions = None
        self.changePersistentIndexList(
            persistent,
            [
                self.index(pos, i.column())
                if (pos := self.position_of(k)) is not None
                else QModelIndex()
                for i, k in zip(persistent, keys, strict=True)
            ],
        )
        self.layoutChanged.emit()
