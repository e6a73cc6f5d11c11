"""File → Holiday schedule: enter a year's holidays and 调休 working weekends, which
working-day time limits count with (core/services/calendar.py). The State Council
publishes each year's schedule in the autumn; until it is entered, that year counts
Monday to Friday."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gridvisit.core.errors import ValidationError
from gridvisit.core.services import Services
from gridvisit.core.workdays import YearSchedule, parse_days
from gridvisit.ui.dialogs.common import (
    FAILED,
    FieldErrors,
    add_save_shortcuts,
    fit_to_screen,
    form_row,
    save_cancel_buttons,
    submit,
)


class CalendarDialog(QDialog):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.saved: YearSchedule | None = None
        self.errors = FieldErrors()
        self.setWindowTitle(self.tr("Holiday schedule"))
        fit_to_screen(self, 560, 460)
        status = services.calendar.status()
        built = status.builtin
        about = QLabel(
            self.tr(
                "Time limits count working days: holidays are off, weekend days made into "
                "working days (调休) are worked. Built in: {first}–{last}. Entered here: {entered}."
            ).format(
                first=built[0] if built else "—",
                last=built[-1] if built else "—",
                entered="、".join(str(y) for y in status.entered) or self.tr("none"),
            ),
            self,
        )
        about.setWordWrap(True)
        self.warning = QLabel(status.warning, self)
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("color: #c62828")
        self.warning.setVisible(bool(status.warning))
        self.year = QSpinBox(self)
        self.year.setRange(2000, 2100)
        self.year.setValue(status.missing[0] if status.missing else services.ctx.now().year + 1)
        self.holidays = QPlainTextEdit(self)
        self.workdays = QPlainTextEdit(self)
        hint = self.tr("e.g. 2027-01-01, 2027-02-06..2027-02-12 (one or more per line)")
        for edit in (self.holidays, self.workdays):
            edit.setTabChangesFocus(True)
            edit.setPlaceholderText(hint)
        form = QFormLayout()
        year_error = self.errors.make_label(self)
        off_error = self.errors.make_label(self)
        on_error = self.errors.make_label(self)
        self.errors.register("year", self.year, year_error)
        self.errors.register("holidays", self.holidays, off_error)
        self.errors.register("workdays", self.workdays, on_error)
        form_row(form, self, self.tr("&Year"), self.year, year_error)
        form_row(form, self, self.tr("&Holidays (days off)"), self.holidays, off_error)
        form_row(form, self, self.tr("&Working weekends (调休)"), self.workdays, on_error)
        buttons = save_cancel_buttons(self, self.tr("Save"), self.tr("Cancel"))
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        add_save_shortcuts(self, self.save)
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addWidget(self.warning)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.year.valueChanged.connect(self._show_year)
        self._show_year(self.year.value())

    def _show_year(self, year: int) -> None:
        """Fill in what is known of `year`, to check or correct."""
        schedule = self.services.calendar.calendar().schedule(year)
        days = (schedule.holidays, schedule.workdays) if schedule else (frozenset(), frozenset())
        for edit, chosen in zip((self.holidays, self.workdays), days, strict=True):
            edit.setPlainText("\n".join(d.isoformat() for d in sorted(chosen)))

    def _apply(self) -> YearSchedule:
        year = self.year.value()
        errors: dict[str, str] = {}
        parsed = {}
        for key, edit in (("holidays", self.holidays), ("workdays", self.workdays)):
            try:
                parsed[key] = parse_days([edit.toPlainText()], year)
            except ValueError as exc:
                errors[key] = str(exc)
        if errors:
            raise ValidationError(errors)
        return self.services.calendar.set_year(year, parsed["holidays"], parsed["workdays"])

    def save(self) -> None:
        result = submit(self, self.errors, self._apply)
        if result is not FAILED:
            self.saved = result
            self.accept()
