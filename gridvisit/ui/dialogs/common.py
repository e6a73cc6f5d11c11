"""Pieces every dialog uses: inline error labels, Ctrl+Enter to save, Chinese buttons."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from gridvisit.core.errors import GridVisitError, ValidationError

ERROR_STYLE = "color: #c62828;"
INVALID_STYLE = "border: 1px solid #c62828;"


def error_label(parent: QWidget) -> QLabel:
    """A red, wrapping, initially hidden label for a dialog's error text."""
    label = QLabel(parent)
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    label.hide()
    return label


class FieldErrors:
    """Maps field keys (as in ValidationError.errors) to a widget and an error label."""

    def __init__(self) -> None:
        self._fields: dict[str, tuple[QWidget, QLabel]] = {}

    def register(self, key: str, widget: QWidget, label: QLabel) -> None:
        self._fields[key] = (widget, label)

    def make_label(self, parent: QWidget) -> QLabel:
        return error_label(parent)

    def clear(self) -> None:
        for widget, label in self._fields.values():
            widget.setStyleSheet("")
            label.clear()
            label.hide()

    def show(self, errors: dict[str, str]) -> list[str]:
        """Mark every known field; return messages that belong to no field."""
        self.clear()
        leftovers = []
        first: QWidget | None = None
        for key, message in errors.items():
            target = self._fields.get(key)
            if target is None:
                leftovers.append(message)
                continue
            widget, label = target
            widget.setStyleSheet(INVALID_STYLE)
            label.setText(message)
            label.show()
            first = first or widget
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)
        return leftovers


def add_save_shortcuts(dialog: QDialog, slot) -> None:  # type: ignore[no-untyped-def]
    """Ctrl+Enter (either Enter key) saves, wherever the focus is."""
    for seq in ("Ctrl+Return", "Ctrl+Enter"):
        shortcut = QShortcut(QKeySequence(seq), dialog)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.activated.connect(slot)


def save_cancel_buttons(dialog: QDialog, save_text: str, cancel_text: str) -> QDialogButtonBox:
    box = QDialogButtonBox(dialog)
    save = box.addButton(save_text, QDialogButtonBox.ButtonRole.AcceptRole)
    save.setDefault(False)
    save.setAutoDefault(False)
    box.addButton(cancel_text, QDialogButtonBox.ButtonRole.RejectRole)
    return box


def combo(parent: QWidget, items: list[tuple[str, object]], current: object = None) -> QComboBox:
    box = QComboBox(parent)
    for text, data in items:
        box.addItem(text, data)
    if current is not None:
        i = box.findData(current)
        if i >= 0:
            box.setCurrentIndex(i)
    return box


def column(parent: QWidget, *widgets: QWidget) -> QVBoxLayout:
    layout = QVBoxLayout()
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    for w in widgets:
        layout.addWidget(w)
    return layout


def form_row(
    form: QFormLayout, parent: QWidget, text: str, widget: QWidget, *extra: QWidget
) -> None:
    """A form row whose label's Alt+letter mnemonic focuses `widget` (QFormLayout only
    sets a buddy itself when the field is a single widget)."""
    label = QLabel(text, parent)
    label.setBuddy(widget)
    form.addRow(label, column(parent, widget, *extra) if extra else widget)


_FAILED = object()


def _cannot_save() -> str:
    return QCoreApplication.translate("Dialogs", "Cannot save")


def submit(dialog: QDialog, errors: FieldErrors, action: Callable[[], Any]) -> Any:
    """Run a save; on a ValidationError mark the fields inline, on any other known error
    say why. Returns the action's result, or `FAILED` when nothing was saved."""
    try:
        return action()
    except ValidationError as exc:
        rest = errors.show(exc.errors)
        if rest:
            QMessageBox.warning(dialog, _cannot_save(), "\n".join(rest))
    except GridVisitError as exc:
        QMessageBox.warning(dialog, _cannot_save(), str(exc))
    return _FAILED


FAILED = _FAILED
