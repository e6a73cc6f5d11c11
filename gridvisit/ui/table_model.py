"""One table model for every list in the app: lean row objects plus column specs.

Filtering and sorting happen in Python over the row list (a few ms for 30,000
rows); the view only ever asks for the visible cells. Never QStandardItemModel
for big lists (DESIGN.md §3).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

R = TypeVar("R")
Index = QModelIndex | QPersistentModelIndex

ROW_ROLE = Qt.ItemDataRole.UserRole + 1
OVERDUE_COLOR = QColor("#c62828")
_ALERT_ROLES = (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.FontRole)


@dataclass(frozen=True)
class Column(Generic[R]):
    title: str
    text: Callable[[R], str]
    sort_key: Callable[[R], Any] | None = None
    alert: Callable[[R], bool] | None = None  # red and bold when true
    tooltip: Callable[[R], str] | None = None
    align_right: bool = False


class RowTableModel(QAbstractTableModel, Generic[R]):
    def __init__(
        self, columns: Sequence[Column[R]], key: Callable[[R], Any] = id, parent: Any = None
    ) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._key = key
        self._all: list[R] = []
        self._visible: list[R] = []
        self._filter: Callable[[R], bool] | None = None
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._positions: dict[Any, int] | None = None
        self._bold = QFont()
        self._bold.setBold(True)
        self._alert_brush = QBrush(OVERDUE_COLOR)

    # -- contents ------------------------------------------------------------------
    def set_rows(self, rows: Sequence[R]) -> None:
        self.beginResetModel()
        self._all = list(rows)
        self._sort_all()
        self._apply()
        self.endResetModel()

    def set_filter(self, predicate: Callable[[R], bool] | None, *, narrow: bool = False) -> None:
        """With `narrow`, the new predicate only ever removes rows from the current
        view (the user typed one more character), so only visible rows are tested."""
        self.beginResetModel()
        base = self._visible if narrow and self._filter is not None else None
        self._filter = predicate
        self._apply(base)
        self.endResetModel()

    def replace_row(self, row: R) -> bool:
        """Swap one row in place (same key); the view repaints just that line."""
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
        self._apply()
        self.endResetModel()

    def rows(self) -> list[R]:
        return list(self._visible)

    def all_rows(self) -> list[R]:
        return list(self._all)

    def row_at(self, row: int) -> R | None:
        return self._visible[row] if 0 <= row < len(self._visible) else None

    def position_of(self, key: Any) -> int | None:
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

    def _apply(self, base: list[R] | None = None) -> None:
        rows = self._all if base is None else base
        self._visible = [r for r in rows if self._filter(r)] if self._filter else list(rows)
        self._positions = None

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
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            return spec.tooltip(row) if spec.tooltip else spec.text(row) or None
        if role == Qt.ItemDataRole.TextAlignmentRole and spec.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self._columns):
            return
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self._sort_all()
        self._apply()
        self.layoutChanged.emit()
