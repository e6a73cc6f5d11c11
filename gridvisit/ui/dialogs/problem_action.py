"""The workflow steps of a problem: accept and dispatch, progress, escalate, resolve,
return visit, reopen; 督办 (yellow card, red card, expedite), asking for an extension
and deciding on one. One dialog, fields depending on the step."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from gridvisit.core.enums import EventKind, Satisfaction
from gridvisit.core.records import ProblemRec
from gridvisit.core.rules import SUPERVISION, extension_dates, limit_day
from gridvisit.core.services import Services
from gridvisit.ui import fmt
from gridvisit.ui.dialogs.common import (
    FAILED,
    FieldErrors,
    add_save_shortcuts,
    combo,
    confirm_discard,
    fit_to_screen,
    form_row,
    pydate,
    qdate,
    save_cancel_buttons,
    submit,
)


class ProblemActionDialog(QDialog):
    def __init__(
        self,
        services: Services,
        problem_id: int,
        kind: EventKind,
        summary: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.problem_id = problem_id
        # Saved with the step: a problem changed meanwhile (another window, a merge)
        # is refused rather than moved on from a state the user did not see.
        self.loaded_version = services.problems.get(problem_id).version
        self.kind = kind
        self.result_problem: ProblemRec | None = None
        self.errors = FieldErrors()
        titles = {
            EventKind.ACCEPTED: self.tr("Accept and dispatch"),
            EventKind.PROGRESS: self.tr("Add progress"),
            EventKind.ESCALATED: self.tr("Escalate to the next level"),
            EventKind.RESOLVED: self.tr("Resolve"),
            EventKind.RETURN_VISIT: self.tr("Return visit"),
            EventKind.REOPENED: self.tr("Reopen"),
            EventKind.SUPERVISE_YELLOW: self.tr("Yellow card supervision"),
            EventKind.SUPERVISE_RED: self.tr("Red card supervision"),
            EventKind.EXPEDITE: self.tr("Expedite"),
            EventKind.EXTENSION_REQUESTED: self.tr("Request an extension"),
            EventKind.EXTENSION_APPROVED: self.tr("Decide on the extension request"),
        }
        self.setWindowTitle(titles[kind])
        fit_to_screen(self, 520, 320)
        form = QFormLayout()
        about = QLabel(summary, self)
        about.setWordWrap(True)
        form.addRow(self.tr("Problem"), about)
        # Only the widgets this step lays out exist: an unused one would still sit in
        # the Tab order (and over the form), and swallow what the user types next.
        self.unit: QLineEdit | None = None
        self.person: QLineEdit | None = None
        self.satisfaction: QComboBox | None = None
        if kind is EventKind.ACCEPTED:
            self.unit = QLineEdit(self)
            self.person = QLineEdit(self)
            unit_error = self.errors.make_label(self)
            person_error = self.errors.make_label(self)
            self.errors.register("assigned_unit", self.unit, unit_error)
            self.errors.register("assigned_person", self.person, person_error)
            self.unit.setPlaceholderText(
                self.tr("e.g. property service centre, residents' committee")
            )
            form_row(form, self, self.tr("Responsible &unit"), self.unit, unit_error)
            form_row(form, self, self.tr("Responsible &person"), self.person, person_error)
        if kind is EventKind.RETURN_VISIT:
            self.satisfaction = combo(self, [(s.label, s) for s in Satisfaction])
            form_row(form, self, self.tr("&Satisfaction"), self.satisfaction)
        self.new_day: QDateEdit | None = None
        self.decision: QComboBox | None = None
        if kind is EventKind.EXTENSION_REQUESTED:
            current = limit_day(services.problems.get(problem_id).due_at)
            form.addRow(self.tr("Current limit"), QLabel(current.isoformat(), self))
            self.new_day = QDateEdit(qdate(current + timedelta(days=7)), self)
            self.new_day.setCalendarPopup(True)
            self.new_day.setDisplayFormat("yyyy-MM-dd")
            day_error = self.errors.make_label(self)
            self.errors.register("new_day", self.new_day, day_error)
            form_row(form, self, self.tr("&New limit"), self.new_day, day_error)
        if kind is EventKind.EXTENSION_APPROVED:
            pending = services.problems.get(problem_id).pending_extension
            asked = extension_dates(pending)[0] if pending else None
            request = QLabel(
                self.tr("Extend to {date}: {reason}").format(
                    date=fmt.deadline(asked) if asked else "—",
                    reason=pending.note if pending else "",
                ),
                self,
            )
            request.setWordWrap(True)
            form.addRow(self.tr("Request"), request)
            self.decision = combo(self, [(self.tr("Approve"), True), (self.tr("Refuse"), False)])
            form_row(form, self, self.tr("&Decision"), self.decision)
        self.note = QPlainTextEdit(self)
        self.note.setTabChangesFocus(True)
        note_error = self.errors.make_label(self)
        note_key = "resolution" if kind is EventKind.RESOLVED else "note"
        self.errors.register(note_key, self.note, note_error)
        note_labels = {
            EventKind.ACCEPTED: self.tr("&Note"),
            EventKind.PROGRESS: self.tr("&Progress"),
            EventKind.ESCALATED: self.tr("&Reason"),
            EventKind.RESOLVED: self.tr("&Resolution"),
            EventKind.RETURN_VISIT: self.tr("Resident's &feedback"),
            EventKind.REOPENED: self.tr("&Reason"),
            EventKind.SUPERVISE_YELLOW: self.tr("Supervision &note"),
            EventKind.SUPERVISE_RED: self.tr("Supervision &note"),
            EventKind.EXPEDITE: self.tr("Supervision &note"),
            EventKind.EXTENSION_REQUESTED: self.tr("&Reason"),
            EventKind.EXTENSION_APPROVED: self.tr("&Opinion"),
        }
        form_row(form, self, note_labels[kind], self.note, note_error)
        buttons = save_cancel_buttons(self, self.tr("Confirm"), self.tr("Cancel"))
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        add_save_shortcuts(self, self.save)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        (self.unit or self.satisfaction or self.new_day or self.decision or self.note).setFocus()

    def reject(self) -> None:
        if self._typed() and not confirm_discard(self):
            return
        super().reject()

    def _typed(self) -> bool:
        boxes = [self.unit, self.person]
        return bool(self.note.toPlainText().strip()) or any(b and b.text().strip() for b in boxes)

    def save(self) -> None:
        result = submit(self, self.errors, self._apply)
        if result is not FAILED:
            self.result_problem = result
            self.accept()

    def _apply(self) -> ProblemRec:
        p, note, pid = self.services.problems, self.note.toPlainText(), self.problem_id
        version = self.loaded_version
        if self.kind is EventKind.ACCEPTED:
            assert self.unit is not None and self.person is not None
            return p.accept(pid, self.unit.text(), self.person.text(), note, version=version)
        if self.kind is EventKind.PROGRESS:
            return p.add_progress(pid, note, version=version)
        if self.kind is EventKind.ESCALATED:
            return p.escalate(pid, note, version=version)
        if self.kind is EventKind.RESOLVED:
            return p.resolve(pid, note, version=version)
        if self.kind is EventKind.RETURN_VISIT:
            assert self.satisfaction is not None
            return p.return_visit(pid, self.satisfaction.currentData(), note, version=version)
        if self.kind in SUPERVISION:
            return p.supervise(pid, self.kind, note, version=version)
        if self.kind is EventKind.EXTENSION_REQUESTED:
            assert self.new_day is not None
            return p.request_extension(pid, pydate(self.new_day.date()), note, version=version)
        if self.kind is EventKind.EXTENSION_APPROVED:
            assert self.decision is not None
            return p.decide_extension(pid, bool(self.decision.currentData()), note, version=version)
        return p.reopen(pid, note, version=version)

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        services: Services,
        problem_id: int,
        kind: EventKind,
        summary: str,
    ) -> ProblemRec | None:
        dialog = cls(services, problem_id, kind, summary, parent)
        try:
            return dialog.result_problem if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()
