"""The window's side of exchange trust (issue 15): registering a computer for its
grids, revoking it, reading its audit trail, and giving a copied database its own
identity. The dialogs ask; KeyService decides (tests/security/test_exchange_trust.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from gridvisit import app as app_module
from gridvisit.core.services import Services
from gridvisit.exchange import keys
from gridvisit.exchange.export import export_package
from gridvisit.storage import Database, open_database
from gridvisit.ui.dialogs.devices import AreaDialog, DeviceAsk, DevicesDialog, IdentityDialog
from gridvisit.ui.dialogs.security import AuditDialog
from gridvisit.ui.main_window import MainWindow
from tests.ui.conftest import on_next_modal


class Told:
    def __init__(self, monkeypatch: pytest.MonkeyPatch, **answers: Any) -> None:
        self.said: list[tuple[str, bool]] = []
        monkeypatch.setattr(DeviceAsk, "open_key", staticmethod(lambda *a: answers.get("key")))
        monkeypatch.setattr(
            DeviceAsk, "confirm", staticmethod(lambda *a: bool(answers.get("confirm")))
        )
        monkeypatch.setattr(
            DeviceAsk,
            "tell",
            staticmethod(lambda _p, _t, text, error=False: self.said.append((text, error))),
        )


def _fits(widget: Any) -> None:
    """Inside a 1366x768 screen's usual available area (a task bar takes ~40 px)."""
    size = widget.frameGeometry().size()
    assert size.width() <= 1366 and size.height() <= 728, size


def _laptop(demo_db: Database, tmp_path: Path) -> tuple[Database, Path]:
    path = tmp_path / "laptop.db"
    demo_db.backup_to(path)  # with what the open file still holds in its WAL
    laptop = open_database(path)
    keys.new_identity(laptop)  # a copy of the demo, made a device of its own
    keys.write_public_file(laptop, tmp_path / "laptop.pub", "城东一号电脑")
    return laptop, tmp_path / "laptop.pub"


def _tick(dialog: AreaDialog, community: str, grid: str | None) -> None:
    tree = dialog.tree
    for i in range(tree.topLevelItemCount()):
        top = tree.topLevelItem(i)
        if top.data(0, Qt.ItemDataRole.UserRole)[1] != community:
            continue
        if grid is None:
            top.setCheckState(0, Qt.CheckState.Checked)
            return
        for j in range(top.childCount()):
            if top.child(j).text(0) == grid:
                top.child(j).setCheckState(0, Qt.CheckState.Checked)
                return
    raise AssertionError(f"{community}/{grid} not in the tree")


def test_register_revoke_and_read_a_computers_trail(
    qtbot,  # type: ignore[no-untyped-def]
    zh: None,
    demo_db: Database,
    services: Services,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    laptop, pub = _laptop(demo_db, tmp_path)
    community = services.hierarchy.communities()[0]
    grid = services.hierarchy.grids(community.id)[0]
    told = Told(monkeypatch, key=pub, confirm=True)
    dialog = DevicesDialog(services)
    qtbot.addWidget(dialog)
    dialog.show()
    _fits(dialog)
    assert dialog.model.rowCount() == 0 and not dialog.revoke_button.isEnabled()

    def choose(area: Any) -> None:
        assert isinstance(area, AreaDialog)
        _fits(area)
        ok = next(b for b in area.findChildren(QPushButton) if b.text() == "确定")
        ok.click()  # nothing ticked: refused, says why
        assert area.isVisible() and area.error.text() == "请至少勾选一个网格或社区。"
        _tick(area, community.name, grid.name)
        ok.click()

    state = on_next_modal(choose)
    dialog.register_button.click()
    assert not state["left_open"] and told.said and not told.said[-1][1], told.said
    (row,) = dialog.model.rows()
    assert row.name == "城东一号电脑" and row.area_label == f"{community.name}/{grid.name}"
    # The laptop sends its grid; the sub-district reads its trail in the audit dialog.
    keys.trust_subdistrict(laptop, keys.identity(demo_db).public("街道"))

    path = export_package(
        laptop, tmp_path / "p.gvpkg", grid_ids={grid.id}, sealer=keys.export_sealer(laptop)
    ).path
    services.exchange.merge_file(path, backup=False)
    dialog.reload()
    dialog.table.selectRow(0)
    assert dialog.model.rows()[0].audit_entries > 0
    trail = AuditDialog(services, device=row.device_id)
    qtbot.addWidget(trail)
    assert trail.source.currentData() == row.device_id
    assert trail.model.rowCount() == dialog.model.rows()[0].audit_entries
    trail.source.setCurrentIndex(0)  # back to the sub-district's own log
    assert any(line.action == "package.merge" for line in trail.model.rows())
    # Revoked: shown so, and no more area changes.
    dialog.revoke_button.click()
    assert dialog.model.rows()[0].state_label.startswith("已吊销")
    dialog.table.selectRow(0)
    assert not dialog.revoke_button.isEnabled() and not dialog.area_button.isEnabled()
    laptop.dispose()


def test_identity_dialog_gives_a_copy_its_own_identity(
    qtbot,  # type: ignore[no-untyped-def]
    zh: None,
    demo_db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "copy.db"
    demo_db.backup_to(path)  # with what the open file still holds in its WAL
    copy = open_database(path)
    services = app_module.build_services(copy)
    Told(monkeypatch, confirm=True)
    dialog = IdentityDialog(services)
    qtbot.addWidget(dialog)
    dialog.show()
    _fits(dialog)
    assert "复制或搬过来" in dialog.state.text() and dialog.new_button.isVisible()
    before = copy.device_id
    dialog.new_button.click()
    assert copy.device_id != before and dialog.device.text() == copy.device_id
    assert not dialog.new_button.isVisible() and "一切正常" in dialog.state.text()
    copy.dispose()


def test_account_menu_offers_trust_to_administrators_only(
    qtbot,  # type: ignore[no-untyped-def]
    zh: None,
    window: MainWindow,
    demo_db: Database,
) -> None:
    assert window.act_register.isVisible() and window.act_identity.isVisible()
    assert window.act_register.text() == "登记的电脑…"
    from sqlalchemy import select

    from gridvisit.core.auth import actor_for
    from gridvisit.core.services import ServiceContext
    from gridvisit.storage.models import User

    with demo_db.read_session() as s:
        worker = s.scalar(select(User).where(User.role == "grid_worker").limit(1))
        actor = actor_for(worker)
    worker_window = MainWindow(Services(ServiceContext(demo_db, actor)), db_label="demo.db")
    qtbot.addWidget(worker_window)
    worker_window.show()
    qtbot.waitUntil(worker_window.is_loaded, timeout=10_000)
    for act in (worker_window.act_register, worker_window.act_identity, worker_window.act_trust):
        assert not act.isVisible()
    worker_window.tasks.wait(5000)
