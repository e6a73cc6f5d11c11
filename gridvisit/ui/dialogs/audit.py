"""The audit log window: supervisors browse and filter it and check its hash chain."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gridvisit.core.clock import today_local
from gridvisit.core.services import Services
from gridvisit.core.services.audit import AuditFilter, AuditLine
from gridvisit.ui import fmt
from gridvisit.ui.dialogs.common import fit_to_screen, qdate
from gridvisit.ui.table_model import Column, RowTableModel


class AuditDialog(QDialog):
    """Supervisors browse and filter the audit log and check its hash chain."""

    def __init__(
        self, services: Services, parent: QWidget | None = None, *, device: str = ""
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Audit log"))
        self.services = services
        # Whose log: this database's own, or a laptop's trail as its packages brought
        # it to the sub-district (issue 15).
        self.source = QComboBox(self)
        self.source.addItem(self.tr("This computer"), "")
        for device_id, label in services.audit_log.devices():
            self.source.addItem(label, device_id)
        self.source.setCurrentIndex(max(0, self.source.findData(device)))
        self.source.setVisible(self.source.count() > 1)
        # Beijing's today: on a laptop left on UTC the machine's date is still yesterday
        # for eight hours, and the log opened on 共 0 条.
        today = qdate(today_local(services.ctx.now()))
        self.date_from = QDateEdit(today.addDays(-30), self)
        self.date_to = QDateEdit(today, self)
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.actor = QComboBox(self)
        self._fill_actors()
        # Slots run in the order connected: the actors first, then the entries.
        self.source.currentIndexChanged.connect(lambda _i: self._fill_actors())
        self.source.currentIndexChanged.connect(lambda _i: self.reload())
        self.text = QLineEdit(self)
        self.text.setPlaceholderText(self.tr("Action, e.g. 登录 or 查看完整号码"))
        search = QPushButton(self.tr("Filter"), self)
        search.clicked.connect(self.reload)
        self.text.returnPressed.connect(self.reload)
        verify = QPushButton(self.tr("Verify integrity"), self)
        verify.clicked.connect(self.verify)
        self.model: RowTableModel[AuditLine] = RowTableModel(
            [
                Column(
                    self.tr("No."), lambda e: str(e.id), align_right=True, sort_key=lambda e: e.id
                ),
                Column(self.tr("Time"), lambda e: fmt.when(e.at)),
                Column(self.tr("User"), lambda e: e.actor),
                Column(self.tr("Action"), lambda e: e.action_label),
                Column(self.tr("Details"), lambda e: e.what),
            ],
            key=lambda e: e.id,
            parent=self,
        )
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.status = QLabel(self)
        bar = QHBoxLayout()
        bar.addWidget(self.source)
        for label, widget in (
            (self.tr("Date from"), self.date_from),
            (self.tr("to"), self.date_to),
            (self.tr("User"), self.actor),
        ):
            bar.addWidget(QLabel(label, self))
            bar.addWidget(widget)
        bar.addWidget(self.text, 1)
        bar.addWidget(search)
        bar.addWidget(verify)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        layout.addWidget(close)
        fit_to_screen(self, 1000, 600)
        self.reload()

    def reload(self) -> None:
        flt = AuditFilter(
            date_from=self.date_from.date().toPython(),  # type: ignore[arg-type]
            date_to=self.date_to.date().toPython(),  # type: ignore[arg-type]
            actor=str(self.actor.currentData() or ""),
            text=self.text.text().strip(),
            device=self.device,
        )
        rows = self.services.audit_log.entries(flt)
        self.model.set_rows(rows)
        for col, width in enumerate((60, 140, 100, 140)):
            self.table.setColumnWidth(col, width)
        self.status.setText(self.tr("{n} entries").format(n=len(rows)))

    @property
    def device(self) -> str:
        return str(self.source.currentData() or "")

    def _fill_actors(self) -> None:
        self.actor.clear()
        self.actor.addItem(self.tr("All users"), "")
        for name in self.services.audit_log.actors(self.device):
            self.actor.addItem(name, name)

    def verify(self) -> None:
        verdict = self.services.audit_log.verify(self.device)
        if verdict.ok:
            QMessageBox.information(
                self,
                self.tr("Audit log"),
                self.tr("The audit log is intact: {n} entries, hash chain complete.").format(
                    n=verdict.entries
                ),
            )
        else:
            box = QMessageBox(
                QMessageBox.Icon.Critical,
                self.tr("Audit log"),
                self.tr("The audit log was changed outside the program: {n} problem(s).").format(
                    n=len(verdict.problems)
                ),
                parent=self,
            )
            box.setDetailedText("\n".join(verdict.problems))
            box.exec()
            box.deleteLater()


__all__ = ["AuditDialog"]
