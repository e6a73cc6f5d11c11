from __future__ import annotations

from pathlib import Path

from gridvisit.core.auth import LoginThrottle, create_database, login
from gridvisit.ui.dialogs.security import FirstAdminDialog, LoginDialog


def test_first_admin_then_login_dialogs(qtbot, zh, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "new.db"
    first = FirstAdminDialog(lambda u, n, p: create_database(path, u, n, p, encrypted=True))
    qtbot.addWidget(first)
    first.display_name.setText("张主任")
    first.password.setText("good password 1")
    first.again.setText("good password 2")
    first.try_create()
    assert first.error.text() == "两次输入的密码不一致。" and not path.exists()
    first.again.setText("good password 1")
    first.try_create()
    assert first.result_login is not None and first.result_login.actor.display_name == "张主任"
    first.result_login.db.dispose()
    assert not path.read_bytes().startswith(b"SQLite format 3")

    throttle = LoginThrottle(tmp_path / "t.json")
    dialog = LoginDialog(
        "new.db", lambda u, p: login(path, u, p, encrypted=True, throttle=throttle), "admin"
    )
    qtbot.addWidget(dialog)
    dialog.password.setText("wrong password")
    dialog.try_login()
    assert dialog.result_login is None and "用户名或密码不正确" in dialog.error.text()
    dialog.password.setText("good password 1")
    dialog.try_login()
    assert dialog.result_login is not None
    dialog.result_login.db.dispose()
