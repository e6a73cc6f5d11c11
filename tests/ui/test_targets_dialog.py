"""设置 → 统计目标 (issue 19): an admin sets the targets, audited; others only look."""

from __future__ import annotations

from PySide6.QtCore import QRect
from sqlalchemy import select

from gridvisit.core.indicators import DEFAULT_TARGETS
from gridvisit.core.services import Services
from gridvisit.storage.models import AuditEntry
from gridvisit.ui.dialogs import common
from gridvisit.ui.dialogs.targets import TargetsDialog
from tests.ui.test_role_menus import _services_as


def test_an_admin_sets_coverage_to_90_percent(qtbot, zh, services: Services) -> None:  # type: ignore[no-untyped-def]
    dialog = TargetsDialog(services.stats, editable=True)
    qtbot.addWidget(dialog)
    dialog.spins["coverage"].setValue(90.0)
    dialog.save()
    assert dialog.changed
    assert services.stats.targets()["coverage"] == 0.90
    with services.ctx.read() as s:
        assert s.scalars(select(AuditEntry).where(AuditEntry.action == "stats.targets")).first()


def test_restore_defaults(qtbot, zh, services: Services) -> None:  # type: ignore[no-untyped-def]
    services.stats.set_targets({"coverage": 0.5, "on_time_rate": 0.6})
    dialog = TargetsDialog(services.stats, editable=True)
    qtbot.addWidget(dialog)
    assert dialog.spins["coverage"].value() == 50.0
    dialog.defaults_button.click()
    dialog.save()
    assert services.stats.targets() == DEFAULT_TARGETS


def test_a_grid_worker_only_looks(qtbot, zh, demo_db) -> None:  # type: ignore[no-untyped-def]
    from gridvisit.core.enums import Role

    worker = _services_as(demo_db, Role.GRID_WORKER)
    dialog = TargetsDialog(worker.stats, editable=False)
    qtbot.addWidget(dialog)
    assert not any(spin.isEnabled() for spin in dialog.spins.values())
    assert not dialog.save_button.isEnabled()
    assert "只有街道管理员可以修改" in dialog.note.text()
    dialog.save()
    assert worker.stats.targets() == DEFAULT_TARGETS


def test_it_fits_a_1366x768_screen(qtbot, zh, services: Services, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    laptop = QRect(0, 0, 1366, 728)
    monkeypatch.setattr(common, "available_area", lambda _w: QRect(laptop))
    dialog = TargetsDialog(services.stats, editable=True)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert laptop.contains(dialog.frameGeometry().adjusted(0, 0, 0, 32))
