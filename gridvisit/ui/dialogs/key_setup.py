"""Guided set-up of the key exchange, in the window: what this computer has done and
what is left, one button a step, instead of four command-line commands.

A grid laptop: 1. export this computer's public key and hand it to the sub-district;
2. import the sub-district's public key. The sub-district: 1. export its public key
for every grid; 2. register each grid computer's key. The steps themselves are the
account menu's (SecurityActions), so the guide adds no second way to do them."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gridvisit.core.access import Action
from gridvisit.core.errors import GridVisitError
from gridvisit.core.services import Services
from gridvisit.ui.dialogs.common import fit_to_screen


class KeySetupDialog(QDialog):
    def __init__(self, services: Services, actions: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.actions = actions
        self.setWindowTitle(self.tr("Key exchange guide"))
        self.subdistrict = services.ctx.can(Action.MANAGE_DEVICES)
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
        if self.subdistrict:
            self.import_button = QPushButton(self.tr("2. Register a grid computer…"), self)
        else:
            self.import_button = QPushButton(
                self.tr("2. Import the sub-district's public key…"), self
            )
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
        layout.addLayout(grid)
        layout.addStretch(1)
        layout.addWidget(close)
        fit_to_screen(self, 640, 300)
        self.refresh()

    def refresh(self) -> None:
        try:
            info = self.services.keys.overview()
        except GridVisitError as exc:
            self.own.setText(str(exc))
            return
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
        self.actions.export_public_key()
        self.refresh()

    def _import(self) -> None:
        if self.subdistrict:
            self.actions.devices()
        else:
            self.actions.trust_subdistrict()
        self.refresh()
