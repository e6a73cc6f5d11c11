"""帮助 → 使用说明 (F1): the Chinese user guide, shown inside the app (no browser or
Markdown viewer needed on the laptop), pictures included."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from gridvisit import paths
from gridvisit.ui.dialogs.common import fit_to_screen


class GuideDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("User guide"))
        self.browser = QTextBrowser(self)
        self.browser.setOpenExternalLinks(True)
        guide = paths.user_guide()
        if guide is None:
            self.browser.setPlainText(
                self.tr("The user guide is missing from this installation: please reinstall.")
            )
        else:
            # Pictures are named relative to the guide (screenshots/…).
            self.browser.setSearchPaths([str(guide.parent)])
            self.browser.setMarkdown(guide.read_text(encoding="utf-8"))
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(close)
        fit_to_screen(self, 900, 760)

    @classmethod
    def open_for(cls, parent: QWidget | None) -> GuideDialog:
        dialog = cls(parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog
