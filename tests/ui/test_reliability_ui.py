"""Reliability as a user meets it: a full disk while saving a visit, a damaged
database at login, and the backups window."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog, QMessageBox
from sqlalchemy import func, select

from gridvisit import app as app_module
from gridvisit.core.recovery import backup_now
from gridvisit.core.services import Services
from gridvisit.demo.generate import DEMO_PASSWORD, generate_demo
from gridvisit.storage import backups
from gridvisit.storage.models import Household, Visit
from gridvisit.ui.dialogs import backups as backups_ui
from gridvisit.ui.dialogs.backups import BackupDialog
from gridvisit.ui.dialogs.security import LoginDialog
from gridvisit.ui.dialogs.visit_dialog import VisitDialog
from tests.reliability.conftest import PASSWORD, dump
from tests.reliability.test_damage import damage, key_of
from tests.reliability.test_hostile import disk_full, injected
from tests.ui.conftest import on_next_modal


def _visits(services: Services) -> int:
    with services.ctx.read() as s:
        return int(s.scalar(select(func.count()).select_from(Visit)) or 0)


def test_full_disk_keeps_the_visit_dialog_open_with_what_was_typed(
    qtbot,
    zh,
    services: Services,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: shown.append(text))
    reference = services.workspace.reference()
    with services.ctx.read() as s:
        household_id = s.scalars(select(Household.id)).first()
    assert household_id is not None
    dialog = VisitDialog(services, reference, household_id, "3号楼 2单元 301", [])
    qtbot.addWidget(dialog)
    typed = "老人说楼道灯坏了三天" * 60
    dialog.notes.setPlainText(typed)
    problem = dialog.add_problem()
    problem.category.setCurrentIndex(problem.category.findData("elevator"))
    problem.description.setText("电梯停运")
    before = _visits(services)
    db = services.ctx.db
    with injected(db, disk_full(db)):
        dialog.save()
    assert len(shown) == 1 and "磁盘空间已满" in shown[0] and "已保存的数据不受影响" in shown[0]
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.notes.toPlainText() == typed  # nothing the user typed is lost
    assert _visits(services) == before
    dialog.save()  # space freed: the same dialog saves
    assert dialog.saved is not None and _visits(services) == before + 1


@pytest.fixture(params=[True, False], ids=["encrypted", "plain"])
def damaged_with_backup(
    request: pytest.FixtureRequest, tmp_path: Path
) -> tuple[Path, dict[str, list[tuple[object, ...]]]]:
    path = tmp_path / "grid.db"
    encrypted = request.param
    generate_demo(path, households=30, weeks=3, password=PASSWORD, encrypted=encrypted)
    from tests.reliability.conftest import log_in

    session = log_in(path, encrypted=encrypted)
    taken = backup_now(session.db)
    session.db.dispose()
    assert taken is not None
    good = dump(taken.path, key_of(path))
    damage(path, key_of(path))
    return path, good


def test_damaged_database_is_restored_from_the_login(
    qtbot,  # type: ignore[no-untyped-def]
    zh,
    damaged_with_backup: tuple[Path, dict[str, list[tuple[object, ...]]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path, good = damaged_with_backup
    asked: list[str] = []

    def answer(_parent: object, title: str, text: str) -> QMessageBox.StandardButton:
        asked.append(f"{title}|{text}")
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer)

    def log_in(dialog: QDialog) -> None:
        assert isinstance(dialog, LoginDialog)
        dialog.username.setText("admin")
        dialog.password.setText(PASSWORD)
        dialog.try_login()

    state = on_next_modal(log_in)
    encrypted = key_of(path) is not None
    login = app_module._login_gui(path, create=False, encrypted=encrypted, interactive=True)
    assert not state["left_open"]
    assert login is not None
    try:
        assert len(asked) == 1 and "数据库已损坏" in asked[0] and "完好的备份" in asked[0]
        assert login.actor.username == "admin"
    finally:
        login.db.dispose()
    restored = dump(path, key_of(path))
    assert restored["household"] == good["household"] and restored["visit"] == good["visit"]
    kinds = [b.reason for b in backups.list_backups(path)]
    assert backups.Reason.REPLACED in kinds  # the damaged file is kept


def test_declining_the_restore_leaves_the_file_alone(
    qtbot,  # type: ignore[no-untyped-def]
    zh,
    damaged_with_backup: tuple[Path, dict[str, list[tuple[object, ...]]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path, _good = damaged_with_backup
    before = path.read_bytes()[4096:]
    monkeypatch.setattr(QMessageBox, "question", lambda *_a: QMessageBox.StandardButton.No)
    errors: list[str] = []

    def log_in(dialog: QDialog) -> None:
        dialog.username.setText("admin")  # type: ignore[attr-defined]
        dialog.password.setText(PASSWORD)  # type: ignore[attr-defined]
        dialog.try_login()  # type: ignore[attr-defined]
        errors.append(dialog.error.text())  # type: ignore[attr-defined]
        dialog.reject()

    on_next_modal(log_in)
    encrypted = key_of(path) is not None
    assert app_module._login_gui(path, create=False, encrypted=encrypted, interactive=True) is None
    assert "已损坏" in errors[0] and "禁止写入" in errors[0]
    assert path.read_bytes()[4096:] == before


def test_backups_window_backs_up_and_chooses_a_restore(
    qtbot,
    zh,
    services: Services,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setattr(QMessageBox, "information", lambda *_a: None)
    monkeypatch.setattr(QMessageBox, "question", lambda *_a: QMessageBox.StandardButton.Yes)
    dialog = BackupDialog(services)
    qtbot.addWidget(dialog)
    assert dialog.model.rowCount() == 0 and dialog.empty.isVisibleTo(dialog)
    dialog.back_up_now()
    assert dialog.model.rowCount() == 1 and not dialog.empty.isVisibleTo(dialog)
    assert dialog.model.row_at(0).reason is backups.Reason.MANUAL  # type: ignore[union-attr]
    dialog.daily.setValue(3)
    dialog.weekly.setValue(2)
    dialog.save_policy()
    assert services.backups.policy() == backups.BackupPolicy(3, 2)

    chosen: list[object] = []
    dialog.restore_requested.connect(lambda b, key: chosen.append((b, key)))
    failures: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: failures.append(text))
    monkeypatch.setattr(backups_ui, "ask_password", lambda *_a: "wrong password")
    dialog.restore_selected()
    assert chosen == [] and "密码不对" in failures[0]
    monkeypatch.setattr(backups_ui, "ask_password", lambda *_a: DEMO_PASSWORD)
    dialog.restore_selected()
    assert len(chosen) == 1 and chosen[0][0].reason is backups.Reason.MANUAL  # type: ignore[index]
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_the_window_hands_the_chosen_backup_to_the_app(window) -> None:  # type: ignore[no-untyped-def]
    backup = backup_now(window.services.ctx.db)
    window.request_restore(backup, None)
    assert window.pending_restore == (backup, None) and not window.isVisible()


def test_run_gui_restores_between_two_sessions(
    qapp,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    """The window closes with a chosen backup; the app restores it with the database
    closed, then logs in again and records the restore."""
    from tests.reliability.conftest import log_in

    path = tmp_path / "grid.db"
    generate_demo(path, households=20, weeks=2, password=PASSWORD, encrypted=True)
    session = log_in(path, encrypted=True)
    taken = backup_now(session.db)
    key = session.db.key
    session.db.dispose()
    before = dump(path, key)["visit"]
    from gridvisit.storage.models import Setting

    session = log_in(path, encrypted=True)
    with session.db.session() as s:  # a change made after the backup
        s.add(Setting(key="after.backup", value="1"))
    session.db.dispose()
    assert taken is not None

    calls: list[object] = []

    def fake_session(
        *_a: object, restored_from: object = None, defer_checks: bool = True
    ) -> tuple[int, object]:
        calls.append(restored_from)
        if len(calls) == 1:
            assert "after.backup" in str(dump(path, key)["setting"])
            return 0, (taken, key)  # the user chose the backup in the window
        assert "after.backup" not in str(dump(path, key)["setting"])
        return 0, None

    monkeypatch.setattr(app_module, "_session", fake_session)
    monkeypatch.setattr(QMessageBox, "information", lambda *_a: None)
    assert app_module.run_gui(path, create=False) == 0
    assert calls == [None, taken]
    assert dump(path, key)["visit"] == before
