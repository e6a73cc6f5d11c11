"""The user management window (Account → User management): what each admin sees and
may do in it, through the real services. Set GRIDVISIT_SCREENSHOTS=folder to save
its screenshots at 1366×768 (docs/user-guide.zh-CN.md)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QPushButton
from sqlalchemy import select

from gridvisit.core.enums import Role
from gridvisit.core.passwords import password_matches
from gridvisit.core.records import Actor
from gridvisit.core.services import ServiceContext, Services
from gridvisit.storage import Database, open_database
from gridvisit.storage.models import User
from gridvisit.ui.dialogs.users import UserForm, UsersDialog
from tests.conftest import copy_to_server
from tests.ui.conftest import on_next_modal


@pytest.fixture(params=["sqlite", "postgresql"])
def any_demo(request: pytest.FixtureRequest, demo_db: Database) -> Iterator[Database]:
    """The demo sub-district as a file, and copied to a PostgreSQL server."""
    if request.param == "sqlite":
        yield demo_db
        return
    url = request.getfixturevalue("pg_url")
    copy_to_server(request.getfixturevalue("demo_template"), url)
    db = open_database(url)
    yield db
    db.dispose()


def _as(db: Database, username: str) -> Services:
    with db.read_session() as s:
        u = s.scalar(select(User).where(User.username == username))
        assert u is not None
        actor = Actor(u.id, u.username, u.display_name, Role(u.role))
    return Services(ServiceContext(db, actor))


def _shoot(dialog: QDialog, name: str) -> None:
    folder = os.environ.get("GRIDVISIT_SCREENSHOTS")
    if not folder or dialog.services.ctx.db.path is None:  # type: ignore[attr-defined]
        return
    QApplication.processEvents()
    dialog.grab().save(str(Path(folder) / name))


def test_a_subdistrict_admin_sees_everyone(qtbot, zh, any_demo: Database) -> None:  # type: ignore[no-untyped-def]
    services = _as(any_demo, "admin")
    services.ctx.record("user.login")  # what a login of this admin writes
    worker2 = next(r for r in services.users.rows() if r.username == "worker2")
    services.users.deactivate(worker2.id)
    dialog = UsersDialog(services)
    qtbot.addWidget(dialog)
    dialog.resize(1366, 768)
    dialog.show()
    rows = dialog.model.all_rows()
    assert {r.role for r in rows} == set(Role)
    assert len(rows) == len(services.users.rows())
    assert next(r for r in rows if r.username == "admin").last_login is not None
    assert not next(r for r in rows if r.username == "worker2").active
    dialog.show_inactive.setChecked(False)
    assert "worker2" not in {r.username for r in dialog.model.rows()}
    dialog.show_inactive.setChecked(True)
    _shoot(dialog, "users-subdistrict.png")
    form = UserForm(services, None, dialog)
    qtbot.addWidget(form)
    assert form.role.count() == 3


def test_a_community_admin_manages_their_workers_only(qtbot, zh, any_demo: Database) -> None:  # type: ignore[no-untyped-def]
    demo_db = any_demo
    services = _as(demo_db, "community1")
    mine = {c.name for c in services.hierarchy.communities()}
    dialog = UsersDialog(services)
    qtbot.addWidget(dialog)
    dialog.resize(1366, 768)
    dialog.show()
    rows = dialog.model.all_rows()
    assert {r.role for r in rows} == {Role.GRID_WORKER, Role.COMMUNITY_ADMIN}
    assert [r.username for r in rows if r.role is Role.COMMUNITY_ADMIN] == ["community1"]
    for r in rows:
        if r.role is Role.GRID_WORKER:
            assert {n.split("/")[0] for _, n in r.grids} <= mine
    _shoot(dialog, "users-community.png")

    # Add a worker: only 网格员 offered, only their communities' grids to tick.
    grid = services.hierarchy.grids()[0]
    added: dict[str, str] = {}

    def fill(form: QDialog) -> None:
        assert isinstance(form, UserForm)
        assert form.role.count() == 1 and form.role.currentData() == Role.GRID_WORKER.value
        assert {
            form.area.topLevelItem(i).text(0) for i in range(form.area.topLevelItemCount())
        } == mine  # type: ignore[union-attr]
        form.username.setText("new-worker")
        form.display_name.setText("新来的网格员")
        form.set_checked("grid", {grid.id})
        _shoot(form, "users-community-add.png")

        def read_password(box: QDialog) -> None:
            assert isinstance(box, QMessageBox)
            added["text"] = box.text()
            box.accept()

        on_next_modal(read_password)
        form.save()

    state = on_next_modal(fill)
    dialog.add_user()
    assert not state["left_open"]
    row = next(r for r in dialog.model.all_rows() if r.username == "new-worker")
    assert [g for g, _ in row.grids] == [grid.id]
    password = added["text"].split("\n\n")[1]
    with demo_db.read_session() as s:
        stored = s.scalar(select(User.password_hash).where(User.username == "new-worker"))
    assert stored and password_matches(stored, password)

    # Deactivate and reactivate from the window; not themselves.
    dialog.select(row.id)
    assert dialog.toggle_button.isEnabled()
    on_next_modal(lambda box: box.button(QMessageBox.StandardButton.Yes).click())  # type: ignore[attr-defined]
    dialog.toggle_active()
    assert not next(r for r in dialog.model.all_rows() if r.id == row.id).active
    me = next(r for r in rows if r.username == "community1")
    dialog.select(me.id)
    assert not dialog.toggle_button.isEnabled()


def test_the_account_menu_opens_it_for_admins(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    act = window.findChild(QAction, "action_manage_users")
    assert act is not None and act.isVisible()
    seen: list[int] = []

    def look(dialog: QDialog) -> None:
        assert isinstance(dialog, UsersDialog)
        seen.append(dialog.model.total_count())
        close = [b for b in dialog.findChildren(QPushButton) if b.text() in ("Close", "关闭")]
        assert close
        dialog.reject()

    on_next_modal(look)
    act.trigger()
    assert seen and seen[0] > 3


def test_reset_password_and_bulk_add_from_the_window(  # type: ignore[no-untyped-def]
    qtbot, zh, demo_db: Database, tmp_path: Path, monkeypatch
) -> None:
    from openpyxl import Workbook, load_workbook

    from gridvisit.ui.dialogs.exchange import Ask

    services = _as(demo_db, "admin")
    dialog = UsersDialog(services)
    qtbot.addWidget(dialog)
    worker = next(r for r in dialog.model.all_rows() if r.username == "worker1")
    dialog.select(worker.id)
    shown: list[str] = []

    def yes_then_read(box: QDialog) -> None:
        box.button(QMessageBox.StandardButton.Yes).click()  # type: ignore[attr-defined]

        def read(b: QDialog) -> None:
            shown.append(b.text())  # type: ignore[attr-defined]
            b.accept()

        on_next_modal(read)

    on_next_modal(yes_then_read)
    dialog.reset_password()
    password = shown[0].split("\n\n")[1]
    with demo_db.read_session() as s:
        stored = s.scalar(select(User.password_hash).where(User.username == "worker1"))
    assert stored and password_matches(stored, password)

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["用户名", "姓名", "角色", "网格/社区", "电话"])
    grid = worker.grids[0][1]
    ws.append(["zhao", "赵网格", "网格员", grid, ""])
    ws.append(["qian", "钱社区", "社区管理员", grid.split("/")[0], ""])
    wb.save(tmp_path / "list.xlsx")
    handout = tmp_path / "初始密码单.xlsx"
    monkeypatch.setattr(Ask, "open_files", staticmethod(lambda *a: [tmp_path / "list.xlsx"]))
    monkeypatch.setattr(Ask, "save_file", staticmethod(lambda *a: handout))
    told: list[str] = []
    monkeypatch.setattr(
        Ask, "tell", staticmethod(lambda _p, _t, text, details="", **k: told.append(details))
    )
    on_next_modal(lambda box: box.accept())  # "Saved …"
    dialog.import_list()
    assert {"zhao", "qian"} <= {r.username for r in dialog.model.all_rows()}
    sheet = load_workbook(handout).active
    assert sheet is not None
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(i for i, row in enumerate(values) if row[0] == "用户名")
    assert [r[0] for r in values[header + 1 :]] == ["zhao", "qian"]
    assert all(r[4] in told[0] for r in values[header + 1 :])
    if os.name == "posix":
        assert handout.stat().st_mode & 0o077 == 0
