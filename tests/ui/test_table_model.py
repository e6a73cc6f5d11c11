"""RowTableModel: lazy filtering must end with exactly what a full filter gives."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QTableView

from gridvisit.ui.table_model import Column, RowTableModel


@dataclass(frozen=True)
class Row:
    id: int
    text: str


def make_model(n: int = 1000) -> RowTableModel[Row]:
    model: RowTableModel[Row] = RowTableModel(
        [Column("Text", lambda r: r.text), Column("Id", lambda r: str(r.id), lambda r: r.id)],
        key=lambda r: r.id,
    )
    model.first_step, model.first_matches, model.chunk = 50, 10, 100
    model.set_rows([Row(i, f"row {i}") for i in range(n)])
    return model


def contains(text: str):  # type: ignore[no-untyped-def]
    return lambda r: text in r.text


def test_filter_shows_first_matches_then_the_rest_in_one_insert(qtbot) -> None:  # type: ignore[no-untyped-def]
    model = make_model()
    inserts: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _p, first, last: inserts.append((first, last)))
    model.set_filter(contains("1"))
    assert model.rowCount() == 10
    assert not model.is_filter_finished()
    with qtbot.waitSignal(model.filter_finished, timeout=2000):
        pass
    expected = [r for r in model.all_rows() if "1" in r.text]
    assert model.rows() == expected
    assert inserts == [(10, len(expected) - 1)]


def test_narrowing_while_chunks_are_pending_misses_nothing(qtbot) -> None:  # type: ignore[no-untyped-def]
    model = make_model()
    model.set_filter(contains("1"))
    assert not model.is_filter_finished()
    model.set_filter(contains("12"), narrow=True)
    qtbot.waitUntil(model.is_filter_finished, timeout=2000)
    assert [r.id for r in model.rows()] == [r.id for r in model.all_rows() if "12" in r.text]


def test_widening_retests_every_row(qtbot) -> None:  # type: ignore[no-untyped-def]
    model = make_model()
    model.set_filter(contains("12"))
    model.finish_filter()
    model.set_filter(contains("2"))
    assert len(model.rows()) == sum(1 for r in model.all_rows() if "2" in r.text)


def test_replace_row_while_pending_keeps_one_copy(qtbot) -> None:  # type: ignore[no-untyped-def]
    model = make_model()
    model.set_filter(contains("9"))
    assert model.replace_row(Row(999, "row 999 changed"))
    rows = model.rows()
    assert [r for r in rows if r.id == 999] == [Row(999, "row 999 changed")]
    assert len(rows) == sum(1 for r in model.all_rows() if "9" in r.text)


def test_position_of_without_finish_only_sees_found_rows() -> None:
    model = make_model()
    model.set_filter(contains("5"))
    assert model.position_of(995, finish=False) is None
    assert model.position_of(995) == model.rowCount() - 1


def test_sort_keeps_the_selected_row_on_its_record(qtbot) -> None:  # type: ignore[no-untyped-def]
    model = make_model(50)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.selectionModel().setCurrentIndex(
        model.index(3, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    model.sort(1, Qt.SortOrder.DescendingOrder)
    current = model.row_at(view.currentIndex().row())
    assert current == Row(3, "row 3")
    assert [r.id for r in model.rows()][:2] == [49, 48]


@pytest.mark.parametrize("query", ["1", "xyz"])
def test_model_is_consistent_mid_filter(qtmodeltester, qtbot, query: str) -> None:  # type: ignore[no-untyped-def]
    model = make_model()
    model.set_filter(contains(query))
    qtmodeltester.check(model)
    qtbot.waitUntil(model.is_filter_finished, timeout=2000)
    qtmodeltester.check(model)
