"""Every file dialog of the app: Qt's own, in Chinese, opening in Documents, and never
reading the files it lists.

Why never reading: SQLite's locks on Linux and macOS are POSIX advisory locks, which
belong to the process, and closing ANY descriptor of a file drops all of that
process's locks on it. Qt's file dialog opens every file of the folder it shows to
sniff its type (for the icon and the type column) — the open database, its -wal and
-shm included — and so silently took the window's locks away. The next `gridvisit`
command then believed nobody else had the file open, checkpointed and deleted the WAL
and its index under the window, and the window's next write failed ("disk I/O error",
"database disk image is malformed") while what it wrote went to a deleted file. The
provider below names icons and types from the file name alone. Native dialogs (GTK's,
macOS's) sniff in-process too, so only Windows, whose locks belong to handles, keeps its
native dialog.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QFileInfo, QStandardPaths
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QFileDialog, QFileIconProvider, QWidget

_last_folder: dict[str, Path] = {}


class NameOnlyIconProvider(QFileIconProvider):
    """Icons and type names from the file name, without opening the file."""

    def icon(self, what: object) -> QIcon:
        if isinstance(what, QFileInfo):
            kind = (
                QFileIconProvider.IconType.Folder
                if what.isDir()
                else QFileIconProvider.IconType.File
            )
            return super().icon(kind)
        if isinstance(what, QFileIconProvider.IconType):
            return super().icon(what)
        return QIcon()  # Qt asks by file or by icon type only

    def type(self, info: QFileInfo) -> str:
        if info.isDir():
            return QCoreApplication.translate("files", "Folder")
        suffix = info.suffix()
        if not suffix:
            return QCoreApplication.translate("files", "File")
        return QCoreApplication.translate("files", "{suffix} file").format(suffix=suffix.upper())


def documents_folder() -> Path:
    """The user's Documents folder (their home if it has none)."""
    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    folder = Path(found) if found else Path.home()
    return folder if folder.is_dir() else Path.home()


def start_folder(purpose: str) -> Path:
    """Where a dialog opens: the folder last used for the same purpose, else Documents."""
    last = _last_folder.get(purpose)
    return last if last is not None and last.is_dir() else documents_folder()


def _remember(purpose: str, path: Path) -> None:
    _last_folder[purpose] = path.parent


_provider: NameOnlyIconProvider | None = None


def file_dialog(parent: QWidget | None, title: str, folder: Path, pattern: str) -> QFileDialog:
    """The app's file dialog, set up but not shown (the functions below run it)."""
    global _provider
    dialog = QFileDialog(parent, title, str(folder), pattern)
    # Qt 6's own Chinese catalogue lacks these two (their source strings gained a
    # mnemonic), so Qt's dialog showed "Look in:" and "Files of type:" in English.
    dialog.setLabelText(
        QFileDialog.DialogLabel.LookIn, QCoreApplication.translate("files", "&Look in:")
    )
    dialog.setLabelText(
        QFileDialog.DialogLabel.FileType, QCoreApplication.translate("files", "Files of &type:")
    )
    if sys.platform != "win32":
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        if _provider is None:
            _provider = NameOnlyIconProvider()
        dialog.setIconProvider(_provider)
    return dialog


def open_files(
    parent: QWidget | None, title: str, pattern: str, *, purpose: str = "open"
) -> list[Path]:
    dialog = file_dialog(parent, title, start_folder(purpose), pattern)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
    try:
        if not dialog.exec():
            return []
        chosen = [Path(p) for p in dialog.selectedFiles()]
    finally:
        dialog.deleteLater()
    if chosen:
        _remember(purpose, chosen[0])
    return chosen


def open_file(
    parent: QWidget | None, title: str, pattern: str, *, purpose: str = "open"
) -> Path | None:
    dialog = file_dialog(parent, title, start_folder(purpose), pattern)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    chosen = _first_choice(dialog)
    if chosen is not None:
        _remember(purpose, chosen)
    return chosen


def _first_choice(dialog: QFileDialog) -> Path | None:
    """Run the dialog; the path chosen, or None when cancelled."""
    try:
        if not dialog.exec() or not dialog.selectedFiles():
            return None
        return Path(dialog.selectedFiles()[0])
    finally:
        dialog.deleteLater()


def save_file(
    parent: QWidget | None,
    title: str,
    name: str,
    pattern: str,
    *,
    suffix: str = "",
    purpose: str = "save",
) -> Path | None:
    """A path to save to; `suffix` (".pdf") is added when the user typed none."""
    dialog = file_dialog(parent, title, start_folder(purpose), pattern)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    if suffix:
        dialog.setDefaultSuffix(suffix.lstrip("."))
    dialog.selectFile(name)
    chosen = _first_choice(dialog)
    if chosen is None:
        return None
    if suffix and chosen.suffix.lower() != suffix.lower():
        chosen = chosen.with_name(chosen.name + suffix)
    _remember(purpose, chosen)
    return chosen
