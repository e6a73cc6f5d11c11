"""The main window. For now a summary of the open database; the household
workspace (tree, table, details) replaces the centre in the main-window issue."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMainWindow, QVBoxLayout, QWidget


@dataclass(frozen=True, slots=True)
class DatabaseSummary:
    path: str
    communities: int
    grids: int
    building_groups: int
    households: int
    user_name: str


class MainWindow(QMainWindow):
    def __init__(self, summary: DatabaseSummary) -> None:
        super().__init__()
        self.setWindowTitle(self.tr("gridvisit — household visits"))
        self.setMinimumSize(720, 480)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title_label = QLabel(self.tr("Household visits and problem list"), central)
        font = self.title_label.font()
        font.setPointSize(font.pointSize() + 8)
        font.setBold(True)
        self.title_label.setFont(font)
        self.title_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.summary_label = QLabel(central)
        self.summary_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.summary_label.setText(
            self.tr(
                "{communities} communities, {grids} grids, {groups} building groups, "
                "{households} households"
            ).format(
                communities=summary.communities,
                grids=summary.grids,
                groups=summary.building_groups,
                households=summary.households,
            )
        )
        self.path_label = QLabel(self.tr("Database: {path}").format(path=summary.path), central)
        self.path_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.path_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.title_label)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.path_label)
        self.setCentralWidget(central)
        self.statusBar().showMessage(self.tr("Signed in as {user}").format(user=summary.user_name))
