"""设置 → 统计目标: a sub-district admin sets the lower bound of each rate the
statistics compare against (issue 19). Saved through StatsService.set_targets (or
reset_targets for 恢复默认), audited; everybody else may look."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from gridvisit.core.indicators import BY_KEY, DEFAULT_TARGETS, TARGETABLE
from gridvisit.core.services.stats import StatsService
from gridvisit.ui.dialogs.common import (
    FAILED,
    FieldErrors,
    add_save_shortcuts,
    fit_to_screen,
    save_cancel_buttons,
    submit,
)


def _percent(share: float) -> float:
    return round(share * 100, 1)


def _share(percent: float) -> float:
    return round(percent / 100, 4)


class TargetsDialog(QDialog):
    def __init__(self, stats: StatsService, *, editable: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Statistics targets"))
        self.service = stats
        self.editable = editable
        self.errors = FieldErrors()
        self.changed = False
        self._reset = False
        self._targets = stats.targets()
        box = QGroupBox(self.tr("Each rate should be at least"), self)
        form = QFormLayout(box)
        self.spins: dict[str, QDoubleSpinBox] = {}
        # The indicators that carry a target now or by default, in the reports' order.
        for key in TARGETABLE:
            if key not in self._targets and key not in DEFAULT_TARGETS:
                continue
            ind = BY_KEY[key]
            spin = QDoubleSpinBox(box)
            spin.setRange(0.0, 100.0)
            spin.setDecimals(1)
            spin.setSingleStep(1.0)
            spin.setSuffix(" %")
            spin.setValue(_percent(self._targets.get(key, DEFAULT_TARGETS[key])))
            spin.setToolTip(ind.formula)
            spin.setEnabled(editable)
            label = QLabel(ind.name, box)
            label.setToolTip(ind.formula)
            label.setBuddy(spin)
            form.addRow(label, spin)
            self.spins[key] = spin
        self.note = QLabel(
            self.tr(
                "The statistics page, the PDF and the Excel sheet mark a figure below its target."
            ),
            self,
        )
        self.note.setWordWrap(True)
        buttons = save_cancel_buttons(self, self.tr("Save"), self.tr("Cancel"))
        self.save_button = next(
            b
            for b in buttons.buttons()
            if buttons.buttonRole(b) == QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.defaults_button = buttons.addButton(
            self.tr("Restore defaults"), QDialogButtonBox.ButtonRole.ResetRole
        )
        self.defaults_button.clicked.connect(self.restore_defaults)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        if editable:
            add_save_shortcuts(self, self.save)
        else:
            self.note.setText(
                self.note.text() + "\n" + self.tr("Only a sub-district admin may change them.")
            )
            self.save_button.setEnabled(False)
            self.defaults_button.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.addWidget(box)
        layout.addWidget(self.note)
        layout.addStretch(1)
        layout.addWidget(buttons)
        fit_to_screen(self, 460, 300)

    def restore_defaults(self) -> None:
        """The default targets in the boxes; 保存 stores them."""
        for key, spin in self.spins.items():
            spin.setValue(_percent(DEFAULT_TARGETS.get(key, self._targets.get(key, 0.0))))
        self._reset = True

    def _apply(self) -> bool:
        current = dict(self._targets)
        changed = False
        if self._reset and current != DEFAULT_TARGETS:
            current = self.service.reset_targets()
            changed = True
        values = {
            key: _share(spin.value())
            for key, spin in self.spins.items()
            if key not in current or _percent(current[key]) != round(spin.value(), 1)
        }
        if values:
            self.service.set_targets(values)
            changed = True
        return changed

    def save(self) -> None:
        if not self.editable:
            return
        result = submit(self, self.errors, self._apply)
        if result is not FAILED:
            self.changed = bool(result)
            self.accept()

    def run(self) -> bool:
        try:
            self.exec()
            return self.changed
        finally:
            self.deleteLater()
