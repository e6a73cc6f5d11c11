"""Pieces every dialog uses: inline error labels, Ctrl+Enter to save, Chinese buttons."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, QDateTime, QRect, Qt, QTime
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
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

from gridvisit.core.errors import GridVisitError, StaleRecordError, ValidationError

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
        first_time = key not in self._fields or self._fields[key][0] is not widget
        self._fields[key] = (widget, label)
        if first_time:
            # A fixed field loses its red mark as soon as the user changes it.
            signal = _change_signal(widget)
            if signal is not None:
                signal.connect(lambda *_a, w=widget, lb=label: _clear_mark(w, lb))

    def label(self, key: str) -> QLabel:
        """The error label of field `key`."""
        return self._fields[key][1]

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


def _clear_mark(widget: QWidget, label: QLabel) -> None:
    if label.isVisible() or label.text():
        widget.setStyleSheet("")
        label.clear()
        label.hide()


def _change_signal(widget: QWidget) -> Any:
    for name in ("textChanged", "currentIndexChanged", "dateTimeChanged", "dateChanged",
                 "itemChanged", "valueChanged"):  # fmt: skip
        signal = getattr(widget, name, None)
        if signal is not None:
            return signal
    return None


def available_area(widget: QWidget) -> QRect:
    """The part of the widget's screen a window may use (without the taskbar)."""
    # Not widget.screen(): PySide then ties the QScreen's wrapper to the widget's, and
    # when a widget's wrapper is freed by Python's cycle collector the QScreen itself is
    # destroyed — Qt later crashed on its dangling timers and screen list
    # (tests/ui/test_pyside_regression.py).
    window = widget.window()
    centre = window.geometry().center() if window.isVisible() else None
    screen = QGuiApplication.screenAt(centre) if centre is not None else None
    return (screen or QGuiApplication.primaryScreen()).availableGeometry()


def fit_to_screen(widget: QWidget, width: int, height: int) -> None:
    """Resize to `width` x `height`, or less where the screen is smaller (1366x768
    laptops), and centre on the screen: no button may end up below its edge."""
    area = available_area(widget)
    margin = 16
    # resize() sets the inside; the window manager adds a title bar (about 31 px on
    # Windows 10) and borders, which must fit too.
    frame = _TITLE_BAR + margin
    hint = widget.minimumSizeHint()
    w = max(min(width, area.width() - margin), min(hint.width(), area.width()))
    h = max(min(height, area.height() - frame), min(hint.height(), area.height()))
    widget.resize(w, h)
    widget.move(
        area.x() + (area.width() - w) // 2,
        area.y() + max(0, (area.height() - h - _TITLE_BAR) // 2),
    )


_TITLE_BAR = 32


def confirm_discard(parent: QWidget) -> bool:
    """Ask before closing a form the user typed into. True: throw it away."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        QCoreApplication.translate("Dialogs", "Discard what you typed?"),
        QCoreApplication.translate(
            "Dialogs", "What you typed here has not been saved. Close and discard it?"
        ),
        parent=parent,
    )
    discard = box.addButton(
        QCoreApplication.translate("Dialogs", "Discard"), QMessageBox.ButtonRole.DestructiveRole
    )
    keep = box.addButton(
        QCoreApplication.translate("Dialogs", "Keep editing"), QMessageBox.ButtonRole.RejectRole
    )
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    box.exec()
    return box.clickedButton() is discard


def add_save_shortcuts(dialog: QDialog, slot: Callable[[], object]) -> None:
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


def combo(
    parent: QWidget, items: Sequence[tuple[str, object]], current: object = None
) -> QComboBox:
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


def submit(
    dialog: QDialog,
    errors: FieldErrors,
    action: Callable[[], Any],
    *,
    reload: Callable[[], None] | None = None,
) -> Any:
    """Run a save; on a ValidationError mark the fields inline, on any other known error
    say why. Returns the action's result, or `FAILED` when nothing was saved.

    A StaleRecordError (someone else changed the record since the form loaded it)
    says so and leaves the dialog open with what the user typed; with `reload` it
    offers to load the record afresh (the caller's `reload` then replaces the form)."""
    try:
        return action()
    except ValidationError as exc:
        rest = errors.show(exc.errors)
        if rest:
            QMessageBox.warning(dialog, _cannot_save(), "\n".join(rest))
    except StaleRecordError as exc:
        if stale_record(dialog, exc, reloadable=reload is not None) and reload is not None:
            reload()
    except GridVisitError as exc:
        QMessageBox.warning(dialog, _cannot_save(), str(exc))
    return _FAILED


def stale_record(parent: QWidget, exc: StaleRecordError, *, reloadable: bool) -> bool:
    """Tell the user their save was refused because the record changed meanwhile, and
    that their input is still in the form. True: they chose to reload the record."""
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        QCoreApplication.translate("Dialogs", "Changed by someone else"),
        exc.message,
        parent=parent,
    )
    box.setObjectName("stale_record_box")
    box.setInformativeText(
        QCoreApplication.translate(
            "Dialogs",
            "Nothing was saved. What you typed is still in the form: copy what you want "
            "to keep, then reload the record to see the current version and enter your "
            "change again.",
        )
        if reloadable
        else QCoreApplication.translate(
            "Dialogs",
            "Nothing was saved. What you typed is still in the form: copy what you want "
            "to keep, close the form and open it again to see the current version.",
        )
    )
    reload = (
        box.addButton(
            QCoreApplication.translate("Dialogs", "Reload the record"),
            QMessageBox.ButtonRole.AcceptRole,
        )
        if reloadable
        else None
    )
    keep = box.addButton(
        QCoreApplication.translate("Dialogs", "Keep my input"), QMessageBox.ButtonRole.RejectRole
    )
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    box.exec()
    return reload is not None and box.clickedButton() is reload


FAILED = _FAILED


def qdate(day: date) -> QDate:
    """A QDate for a Python date (the stubs know no such constructor)."""
    return QDate(day.year, day.month, day.day)


def qdatetime(moment: datetime) -> QDateTime:
    """A QDateTime for a naive Python datetime, as wall-clock time."""
    return QDateTime(
        qdate(moment.date()),
        QTime(moment.hour, moment.minute, moment.second, moment.microsecond // 1000),
    )


def pydate(day: QDate) -> date:
    """The Python date of a QDate."""
    return date(day.year(), day.month(), day.day())


def pydatetime(moment: QDateTime) -> datetime:
    """The naive Python datetime (wall-clock time) of a QDateTime."""
    day, time = moment.date(), moment.time()
    return datetime(
        day.year(),
        day.month(),
        day.day(),
        time.hour(),
        time.minute(),
        time.second(),
        time.msec() * 1000,
    )
