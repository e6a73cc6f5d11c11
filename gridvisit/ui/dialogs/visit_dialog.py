"""Log a visit, with zero or more problems, entirely from the keyboard.

The dialog opens on 走访情况 (the notes): the time defaults to now. Tab walks the
fields, Alt+A adds a problem, Ctrl+Enter saves, Esc cancels -- after asking, when
something was typed, and the unsaved visit can be kept as a draft (inside the
encrypted database) that the dialog offers back for the same household next time.
Invalid fields are marked inline with the reason and nothing is saved."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QDateTime, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gridvisit.core.clock import LOCAL_TZ, to_local
from gridvisit.core.enums import HandlingLevel, VisitMethod, VisitPurpose
from gridvisit.core.errors import GridVisitError
from gridvisit.core.records import ProblemInput, ResidentRec, VisitInput, VisitRec
from gridvisit.core.services import Services
from gridvisit.core.services.workspace import Reference
from gridvisit.ui import fmt
from gridvisit.ui.dialogs.common import (
    FAILED,
    FieldErrors,
    add_save_shortcuts,
    column,
    combo,
    confirm_discard,
    fit_to_screen,
    form_row,
    pydatetime,
    qdatetime,
    save_cancel_buttons,
    submit,
)


def _select(box: QComboBox, data: object) -> None:
    """Select the item whose data is (or reads as) `data`; leave it be if none is."""
    for i in range(box.count()):
        if box.itemData(i) == data or str(box.itemData(i)) == str(data):
            box.setCurrentIndex(i)
            return


class ProblemRow(QGroupBox):
    """One problem raised during the visit."""

    def __init__(
        self,
        number: int,
        reference: Reference,
        errors: FieldErrors,
        on_remove: Callable[[ProblemRow], object],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Problem {n}").format(n=number))
        self.category = combo(
            self,
            [(self.tr("— choose a category —"), None)]
            + [(label, code) for code, label in reference.category_labels.items()],
        )
        self.description = QLineEdit(self)
        self.description.setPlaceholderText(self.tr("What is the problem, where, since when"))
        self.urgency = combo(
            self,
            [(f"{n}({self._limit_text(d)})", c) for c, n, d in reference.urgencies],
            current="normal",
        )
        self.level = combo(self, [(lv.label, lv) for lv in HandlingLevel])
        self.remove = QToolButton(self)
        self.remove.setText(self.tr("Remove"))
        self.remove.clicked.connect(lambda: on_remove(self))
        self.number = number
        form = QFormLayout(self)
        self.category_error = errors.make_label(self)
        self.description_error = errors.make_label(self)
        form.addRow(self.tr("Category"), column(self, self.category, self.category_error))
        form.addRow(self.tr("Description"), column(self, self.description, self.description_error))
        line = QHBoxLayout()
        line.addWidget(QLabel(self.tr("Urgency"), self))
        line.addWidget(self.urgency, 1)
        line.addWidget(QLabel(self.tr("Handled by"), self))
        line.addWidget(self.level, 1)
        line.addWidget(self.remove)
        form.addRow(line)

    def _limit_text(self, days: int) -> str:
        return self.tr("same day") if days == 0 else self.tr("{n} days").format(n=days)

    def register(self, errors: FieldErrors, index: int) -> None:
        errors.register(f"problems[{index}].category_code", self.category, self.category_error)
        errors.register(f"problems[{index}].description", self.description, self.description_error)

    def state(self) -> dict[str, Any]:
        return {
            "category": self.category.currentData(),
            "description": self.description.text(),
            "urgency": self.urgency.currentData(),
            "level": str(self.level.currentData()),
        }

    def restore(self, state: dict[str, Any]) -> None:
        _select(self.category, state.get("category"))
        self.description.setText(str(state.get("description") or ""))
        _select(self.urgency, state.get("urgency"))
        _select(self.level, state.get("level"))

    def value(self) -> ProblemInput:
        return ProblemInput(
            category_code=self.category.currentData() or "",
            description=self.description.text(),
            urgency_code=self.urgency.currentData(),
            level=self.level.currentData(),
        )


class VisitDialog(QDialog):
    def __init__(
        self,
        services: Services,
        reference: Reference,
        household_id: int,
        address: str,
        residents: list[ResidentRec],
        parent: QWidget | None = None,
        *,
        visit_id: int | None = None,
    ) -> None:
        super().__init__(parent)
        # With `visit_id` the dialog opens that visit to read, correct or delete it.
        self.visit_id = visit_id
        self.loaded_version = 0
        self.deleted = False
        self.services = services
        self.reference = reference
        self.household_id = household_id
        self.saved: VisitRec | None = None
        self.errors = FieldErrors()
        if visit_id is None:
            self.setWindowTitle(self.tr("Log a visit — {address}").format(address=address))
        else:
            self.setWindowTitle(self.tr("Visit — {address}").format(address=address))

        # Wall-clock Beijing time whatever the laptop's zone; LOCAL_TZ is re-attached on save.
        beijing_now = datetime.now(LOCAL_TZ).replace(tzinfo=None, second=0, microsecond=0)
        now = qdatetime(beijing_now)
        self.when = QDateTimeEdit(now, self)
        self.when.setCalendarPopup(True)
        self.when.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.when.setMaximumDateTime(now.addSecs(600))
        users = sorted(reference.users.items(), key=lambda u: u[1])
        self.worker = combo(
            self, [(name, uid) for uid, name in users], current=services.ctx.actor.user_id
        )
        self.method = combo(self, [(m.label, m) for m in VisitMethod])
        self.purpose = combo(self, [(p.label, p) for p in VisitPurpose])
        self.present = QListWidget(self)
        self.present.setMaximumHeight(110)
        for r in residents:
            relation = r.relation or self.tr("member")
            item = QListWidgetItem(f"{r.name}({relation})", self.present)
            item.setData(Qt.ItemDataRole.UserRole, r.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
        if not residents:
            self.present.setEnabled(False)
        self.notes = QPlainTextEdit(self)
        self.notes.setTabChangesFocus(True)
        self.notes.setPlaceholderText(self.tr("Family situation, needs, what was explained"))
        self.notes.setMaximumHeight(110)

        when_error = self.errors.make_label(self)
        worker_error = self.errors.make_label(self)
        notes_error = self.errors.make_label(self)
        present_error = self.errors.make_label(self)
        self.errors.register("visited_at", self.when, when_error)
        self.errors.register("worker_id", self.worker, worker_error)
        self.errors.register("notes", self.notes, notes_error)
        self.errors.register("present_resident_ids", self.present, present_error)

        form = QFormLayout()
        form_row(form, self, self.tr("&Time"), self.when, when_error)
        form_row(form, self, self.tr("&Worker"), self.worker, worker_error)
        form_row(form, self, self.tr("&Method"), self.method)
        form_row(form, self, self.tr("&Purpose"), self.purpose)
        form_row(form, self, self.tr("Residents present"), self.present, present_error)
        form_row(form, self, self.tr("&Situation"), self.notes, notes_error)

        self.problem_rows: list[ProblemRow] = []
        self.problem_box = QVBoxLayout()
        self.problem_box.addStretch(1)
        holder = QWidget(self)
        holder.setLayout(self.problem_box)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(holder)
        # No "&A" mnemonic: with the Alt+A shortcut too, Qt saw two owners of Alt+A and
        # only moved the focus to the button.
        self.add_problem_button = QPushButton(self.tr("Add a problem (Alt+A)"), self)
        self.add_problem_button.clicked.connect(self.add_problem)
        QShortcut(QKeySequence("Alt+A"), self).activated.connect(self.add_problem)

        hint = QLabel(self.tr("Ctrl+Enter saves, Esc cancels"), self)
        hint.setStyleSheet("color: #666;")
        buttons = save_cancel_buttons(self, self.tr("Save"), self.tr("Cancel"))
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        add_save_shortcuts(self, self.save)
        self.delete_button = QPushButton(self.tr("Delete this visit"), self)
        self.delete_button.clicked.connect(self.delete_visit)
        self.delete_button.setVisible(visit_id is not None)

        self.draft_banner = QLabel(self)
        self.draft_banner.setWordWrap(True)
        self.draft_banner.setStyleSheet("background: #fff8e1; padding: 4px;")
        self.discard_draft_button = QPushButton(self.tr("Discard the draft"), self)
        self.discard_draft_button.clicked.connect(self.discard_draft)
        banner = QHBoxLayout()
        banner.addWidget(self.draft_banner, 1)
        banner.addWidget(self.discard_draft_button)
        self.draft_banner.hide()
        self.discard_draft_button.hide()

        layout = QVBoxLayout(self)
        layout.addLayout(banner)
        layout.addLayout(form)
        title = QLabel(self.tr("Problems raised in this visit"), self)
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        head = QHBoxLayout()
        head.addWidget(title)
        head.addStretch(1)
        head.addWidget(self.add_problem_button)
        layout.addLayout(head)
        layout.addWidget(scroll, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.delete_button)
        bottom.addWidget(hint)
        bottom.addStretch(1)
        bottom.addWidget(buttons)
        layout.addLayout(bottom)
        fit_to_screen(self, 720, 780)
        if visit_id is not None:
            self._load_visit(visit_id)
            # Problems raised in a visit have their own workflow on the problems page.
            title.setText(
                self.tr("Problems raised in this visit are handled on the Problems page.")
            )
            self.add_problem_button.hide()
            scroll.hide()
        self._initial = self.form_state()
        if visit_id is None:
            self._offer_draft()
        # The time is already now: the first thing to type is what happened.
        self.notes.setFocus()

    # -- problems -----------------------------------------------------------------
    def add_problem(self) -> ProblemRow:
        row = ProblemRow(
            len(self.problem_rows) + 1, self.reference, self.errors, self.remove_problem, self
        )
        self.problem_rows.append(row)
        self.problem_box.insertWidget(self.problem_box.count() - 1, row)
        row.show()  # a child added to a visible dialog is otherwise shown only later
        self._renumber()
        row.category.setFocus()
        return row

    def remove_problem(self, row: ProblemRow) -> None:
        self.problem_rows.remove(row)
        row.setParent(None)
        row.deleteLater()
        self._renumber()
        (
            self.problem_rows[-1].category if self.problem_rows else self.add_problem_button
        ).setFocus()

    def _renumber(self) -> None:
        for i, row in enumerate(self.problem_rows):
            row.setTitle(self.tr("Problem {n}").format(n=i + 1))
            row.register(self.errors, i)

    # -- an existing visit --------------------------------------------------------
    def _load_visit(self, visit_id: int) -> None:
        visit, present = self.services.visits.get(visit_id)
        self.loaded_version = visit.version  # saved with it: a stale copy is refused
        local = to_local(visit.visited_at).replace(tzinfo=None)
        self.when.setMaximumDateTime(max(self.when.maximumDateTime(), qdatetime(local)))
        self.restore(
            {
                "when": f"{local:%Y-%m-%d %H:%M}",
                "worker": visit.worker_id,
                "method": str(visit.method),
                "purpose": str(visit.purpose),
                "present": list(present),
                "notes": visit.notes,
            }
        )

    def delete_visit(self) -> None:
        assert self.visit_id is not None
        answer = QMessageBox.question(
            self,
            self.tr("Delete this visit"),
            self.tr(
                "Delete this visit? It disappears from the household's history and the "
                "deletion is sent to the sub-district with the next package. Problems "
                "raised in it stay on the Problems page."
            ),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self.services.visits.delete(self.visit_id)
        except GridVisitError as exc:
            QMessageBox.warning(self, self.tr("Delete this visit"), str(exc))
            return
        self.deleted = True
        self.accept()

    # -- drafts -------------------------------------------------------------------
    def form_state(self) -> dict[str, Any]:
        checked = [
            self.present.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.present.count())
            if self.present.item(i).checkState() == Qt.CheckState.Checked
        ]
        return {
            "when": self.when.dateTime().toString("yyyy-MM-dd HH:mm"),
            "worker": self.worker.currentData(),
            "method": str(self.method.currentData()),
            "purpose": str(self.purpose.currentData()),
            "present": checked,
            "notes": self.notes.toPlainText(),
            "problems": [r.state() for r in self.problem_rows],
        }

    def restore(self, state: dict[str, Any]) -> None:
        when = QDateTime.fromString(str(state.get("when") or ""), "yyyy-MM-dd HH:mm")
        if when.isValid():
            self.when.setDateTime(when)
        _select(self.worker, state.get("worker"))
        _select(self.method, state.get("method"))
        _select(self.purpose, state.get("purpose"))
        present = set(state.get("present") or [])
        for i in range(self.present.count()):
            item = self.present.item(i)
            checked = item.data(Qt.ItemDataRole.UserRole) in present
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.notes.setPlainText(str(state.get("notes") or ""))
        for problem in state.get("problems") or []:
            if isinstance(problem, dict):
                self.add_problem().restore(problem)

    def is_dirty(self) -> bool:
        return self.form_state() != self._initial

    def _offer_draft(self) -> None:
        try:
            draft = self.services.visits.draft(self.household_id)
        except GridVisitError:
            return
        if draft is None:
            return
        self.restore(draft.form)
        self.draft_banner.setText(
            self.tr("Restored the visit you left unsaved on {when}.").format(
                when=fmt.when(draft.saved_at)
            )
        )
        self.draft_banner.show()
        self.discard_draft_button.show()

    def discard_draft(self) -> None:
        try:
            self.services.visits.discard_draft(self.household_id)
        except GridVisitError as exc:
            QMessageBox.warning(self, self.tr("Draft"), str(exc))
            return
        for row in list(self.problem_rows):
            self.remove_problem(row)
        self.restore(self._initial)
        self.draft_banner.hide()
        self.discard_draft_button.hide()
        self.notes.setFocus()

    def reject(self) -> None:
        """Esc or 取消: ask first when something was typed; offer to keep a draft."""
        if self.is_dirty() and self.visit_id is not None:
            if not confirm_discard(self):
                return
        elif self.is_dirty():
            choice = self.ask_unsaved()
            if choice == "keep":
                return
            if choice == "draft":
                try:
                    self.services.visits.save_draft(self.household_id, self.form_state())
                except GridVisitError as exc:
                    QMessageBox.warning(self, self.tr("Draft"), str(exc))
                    return
        super().reject()

    def ask_unsaved(self) -> str:
        """ "draft", "discard" or "keep" (editing)."""
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("The visit is not saved"),
            self.tr(
                "This visit has not been saved. Keep it as a draft to finish later, "
                "or discard what you typed?"
            ),
            parent=self,
        )
        draft = box.addButton(self.tr("Keep as draft"), QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton(self.tr("Discard"), QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton(self.tr("Keep editing"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(draft)
        box.setEscapeButton(keep)
        box.exec()
        clicked = box.clickedButton()
        return "draft" if clicked is draft else "discard" if clicked is discard else "keep"

    # -- saving -------------------------------------------------------------------
    def value(self) -> VisitInput:
        visited_at = pydatetime(self.when.dateTime()).replace(tzinfo=LOCAL_TZ)
        present = tuple(
            self.present.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.present.count())
            if self.present.item(i).checkState() == Qt.CheckState.Checked
        )
        return VisitInput(
            household_id=self.household_id,
            visited_at=visited_at,
            method=self.method.currentData(),
            purpose=self.purpose.currentData(),
            notes=self.notes.toPlainText(),
            present_resident_ids=present,
            problems=tuple(r.value() for r in self.problem_rows),
            worker_id=self.worker.currentData(),
        )

    def save(self) -> None:
        if self.visit_id is not None:
            visit_id = self.visit_id
            result = submit(
                self,
                self.errors,
                lambda: self.services.visits.update(
                    visit_id, self.value(), version=self.loaded_version or None
                ),
            )
        else:
            result = submit(self, self.errors, lambda: self.services.visits.record(self.value()))
        if result is not FAILED:
            self.saved = result
            self.accept()

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        services: Services,
        reference: Reference,
        household_id: int,
        address: str,
        residents: list[ResidentRec],
    ) -> VisitRec | None:
        dialog = cls(services, reference, household_id, address, residents, parent)
        try:
            return dialog.saved if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()  # on the GUI thread, not whenever a GC happens to run
