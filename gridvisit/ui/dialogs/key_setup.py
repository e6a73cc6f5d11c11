"""Guided set-up of the key exchange, in the window: what this computer has done and
what is left, one button a step, instead of four command-line commands.

A grid laptop: 1. export this computer's public key and hand it to the sub-district;
2. import the sub-district's public key. The sub-district: 1. export its public key
for every grid; 2. register each grid computer's key. The steps themselves are the
account menu's (SecurityActions), so the guide adds no second way to do them."""

from __future__ import annotations

from typing import Any, Protocol

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gridvisit.core.access import Action
from gridvisit.core.enums import Role
from gridvisit.core.errors import GridVisitError
from gridvisit.core.services import Services
from gridvisit.ui.dialogs.common import fit_to_screen


class Steps(Protocol):
    """The window's actions the guide's buttons run."""

    def export_public_key(self) -> object: ...
    def devices(self) -> object: ...
    def trust_subdistrict(self) -> object: ...


class KeySetupDialog(QDialog):
    def __init__(self, services: Services, steps: Steps, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        # Not `self.actions`: that would hide QWidget.actions().
        self.steps = steps
        self.setWindowTitle(self.tr("Key exchange guide"))
        # Changing trust is an administrator's (docs/security.md); exporting this
        # computer's public key is anyone's.
        self.may_change_trust = services.ctx.can(Action.MANAGE_DEVICES)
        self.side = QComboBox(self)
        self.side.addItem(self.tr("a grid computer"), False)
        self.side.addItem(self.tr("the sub-district"), True)
        self.side.setCurrentIndex(1 if self._looks_like_subdistrict() else 0)
        self.side.currentIndexChanged.connect(self._side_changed)
        side_row = QHBoxLayout()
        side_row.addWidget(QLabel(self.tr("This computer is:"), self))
        side_row.addWidget(self.side)
        side_row.addStretch(1)
        intro = QLabel(
            self.tr(
                "Packages are encrypted for the sub-district and signed by the computer "
                "that made them. Each side gives the other its public key once; check "
                "each fingerprint with the other side by phone."
            ),
            self,
        )
        intro.setWordWrap(True)
        self.own = QLabel(self)
        self.other = QLabel(self)
        for label in (self.own, self.other):
            label.setWordWrap(True)
        self.export_button = QPushButton(self.tr("1. Export this computer's public key…"), self)
        self.export_button.clicked.connect(self._export)
        self.import_button = QPushButton(self)
        self.import_button.clicked.connect(self._import)
        grid = QGridLayout()
        grid.addWidget(self.export_button, 0, 0)
        grid.addWidget(self.own, 0, 1)
        grid.addWidget(self.import_button, 1, 0)
        grid.addWidget(self.other, 1, 1)
        grid.setColumnStretch(1, 1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(side_row)
        layout.addLayout(grid)
        layout.addStretch(1)
        layout.addWidget(close)
        fit_to_screen(self, 640, 320)
        self._side_changed()

    @property
    def subdistrict(self) -> bool:
        return bool(self.side.currentData())

    def _looks_like_subdistrict(self) -> bool:
        """A database that registered computers is the sub-district's, one that trusts a
        sub-district key is a laptop; a new one is taken as the sub-district's only
        when a sub-district administrator opens it."""
        try:
            info = self.services.keys.overview()
        except GridVisitError:
            return False
        if info.devices or info.subdistrict is not None:
            return bool(info.devices)
        return self.services.ctx.actor.role is Role.SUBDISTRICT_ADMIN

    def _side_changed(self) -> None:
        if self.subdistrict:
            self.import_button.setText(self.tr("2. Register a grid computer…"))
        else:
            self.import_button.setText(self.tr("2. Import the sub-district's public key…"))
        self.import_button.setEnabled(self.may_change_trust)
        self.import_button.setToolTip(
            "" if self.may_change_trust else self.tr("This step is done by an administrator.")
        )
        self.refresh()

    def refresh(self) -> None:
        try:
            info = self.services.keys.overview()
        except GridVisitError as exc:
            self.own.setText(str(exc))
            return
        self._show_progress(info)
        if not self.may_change_trust:
            self.other.setText(
                self.other.text() + " " + self.tr("This step is done by an administrator.")
            )

    def _show_progress(self, info: Any) -> None:
        self.own.setText(
            self.tr("This computer's fingerprint: {fp}. Give the exported file to {who}.").format(
                fp=info.own.fingerprint,
                who=self.tr("every grid") if self.subdistrict else self.tr("the sub-district"),
            )
        )
        if self.subdistrict:
            names = "、".join(d.name or d.device_id[:8] for d in info.devices)
            self.other.setText(
                self.tr("Registered grid computers ({n}): {names}").format(
                    n=len(info.devices), names=names or self.tr("none yet")
                )
            )
        elif info.subdistrict is None:
            self.other.setText(
                self.tr("Not done yet: packages cannot be exported until this step is done.")
            )
        else:
            self.other.setText(
                self.tr("Done: {name}, fingerprint {fp}.").format(
                    name=info.subdistrict.name, fp=info.subdistrict.fingerprint
                )
            )

    def _export(self) -> None:
        self.steps.export_public_key()
        self.refresh()

    def _import(self) -> None:
        if self.subdistrict:
            self.steps.devices()
        else:
            self.steps.trust_subdistrict()
        self.refresh()
