"""Issue 16 in the window: backups rights, the Edit-resident dialog's masked numbers."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from gridvisit.core.enums import Role
from gridvisit.core.records import Actor
from gridvisit.core.services import ServiceContext, Services
from gridvisit.storage import Database
from gridvisit.storage.models import User
from gridvisit.ui.dialogs.backups import BackupDialog


def _as(db: Database, username: str) -> Services:
    with db.read_session() as s:
        user = s.scalar(select(User).where(User.username == username))
        assert user is not None
        actor = Actor(user.id, user.username, user.display_name, Role(user.role))
    return Services(ServiceContext(db, actor))


def test_backups_window_offers_restore_and_keep_only_to_admins(
    qtbot,
    zh,
    demo_db: Database,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    worker = _as(demo_db, "worker1")
    worker.backups.create()
    dialog = BackupDialog(worker)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.model.rowCount() == 1
    assert dialog.backup_button.isVisible()  # backing up stays everybody's
    assert not dialog.restore_button.isVisible()
    assert not dialog.daily.isEnabled() and not dialog.weekly.isEnabled()
    assert not dialog.save_policy_button.isVisible()
    assert "管理员" in dialog.admin_only.text() and dialog.admin_only.isVisible()
    asked: list[object] = []
    monkeypatch.setattr("gridvisit.ui.dialogs.backups.ask_password", lambda *a: asked.append(a))
    dialog.table.doubleClicked.emit(dialog.model.index(0, 0))
    dialog.restore_selected()
    assert asked == []  # not even the question

    admin = _as(demo_db, "community1")
    dialog = BackupDialog(admin)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.restore_button.isVisible() and dialog.daily.isEnabled()
    assert not dialog.admin_only.isVisible()


def test_merge_review_window_shows_conflicting_copies_scrubbed(
    qtbot,
    zh,
    demo_db: Database,
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    import shutil

    from gridvisit import app as app_module
    from gridvisit.exchange.export import export_package
    from gridvisit.exchange.merge import merge_package
    from gridvisit.exchange.package import read_package
    from gridvisit.storage import open_database
    from gridvisit.storage.models import Household
    from gridvisit.ui.dialogs.exchange import ReviewDialog
    from tests.unit.test_masking import WRITTEN, leaked

    with demo_db.read_session() as s:
        hid = s.scalars(select(Household.id).order_by(Household.id)).first()
    halves = (WRITTEN[::2], WRITTEN[1::2])
    packages = []
    for n, half in enumerate(halves):
        path = tmp_path / f"l{n}.db"
        shutil.copy(demo_db.path, path)
        db = open_database(path)
        notes = ";".join(f"电话{w}" for w, _s, _m in half)
        app_module.build_services(db).households.update(hid, notes=notes)
        packages.append(export_package(db, tmp_path / f"l{n}.zip", full=True).path)
        db.dispose()
    for p in packages:
        merge_package(demo_db, read_package(p))
    dialog = ReviewDialog(app_module.build_services(demo_db))
    qtbot.addWidget(dialog)
    assert dialog.copies.rowCount() == 2
    shown = "\n".join(
        dialog.copies.item(r, c).text()
        for r in range(dialog.copies.rowCount())
        for c in range(dialog.copies.columnCount())
    )
    assert "电话" in shown
    for written, secret, _shown in WRITTEN:
        assert not leaked(shown, secret), written


def test_weekly_preview_lives_in_the_private_folder_and_goes_with_the_dialog(
    qtbot,
    zh,
    services: Services,  # type: ignore[no-untyped-def]
) -> None:
    import tempfile
    from pathlib import Path

    from gridvisit import paths
    from gridvisit.ui.dialogs.weekly_report import WeeklyReportDialog

    dialog = WeeklyReportDialog(services)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.finished_building, timeout=20_000) as blocker:
        dialog.show()
    assert blocker.args == [True]
    assert dialog.built is not None
    preview = Path(dialog.built.path)
    assert preview.exists() and preview.parent.parent == paths.scratch_root()
    assert preview.parent.parent != Path(tempfile.gettempdir())
    dialog.reject()
    assert not preview.exists() and not preview.parent.exists()


def _resident_with_numbers(services: Services):  # type: ignore[no-untyped-def]
    from gridvisit.storage.models import Resident

    with services.ctx.read() as s:
        r = s.scalars(
            select(Resident).where(Resident.id_number != "", Resident.phone != "").limit(1)
        ).one()
        household_id = r.household_id
    return next(x for x in services.households.residents(household_id) if x.id_number and x.phone)


def _reveals(services: Services) -> list[str]:
    return [
        e.detail["field"] for e in services.audit_log.entries() if e.action == "resident.reveal"
    ]


def test_edit_resident_shows_numbers_masked_until_revealed_and_keeps_them(
    qtbot,
    zh,
    services: Services,  # type: ignore[no-untyped-def]
) -> None:
    from gridvisit.core.masking import mask_id_number, mask_phone
    from gridvisit.ui.dialogs.edit_dialogs import ResidentDialog

    hs = services.households
    resident = _resident_with_numbers(services)
    full_id, full_phone = resident.id_number, resident.phone

    def open_dialog() -> ResidentDialog:
        dialog = ResidentDialog(
            services.workspace.reference(),
            lambda r: hs.update_resident(resident.id, r),
            title="编辑居民",
            resident=resident,
            reveal=lambda: (hs.reveal(resident.id, "id_number"), hs.reveal(resident.id, "phone")),
        )
        qtbot.addWidget(dialog)
        return dialog

    dialog = open_dialog()
    assert dialog.id_number.text() == mask_id_number(full_id) != full_id
    assert dialog.phone.text() == mask_phone(full_phone) != full_phone
    every_text = " ".join(w.text() for w in dialog.findChildren(type(dialog.id_number)))
    assert full_id not in every_text and full_phone not in every_text
    assert _reveals(services) == []
    # Saved untouched: the stored numbers stay exactly as they were.
    dialog.notes.setText("核实过")
    dialog.save()
    assert dialog.result_value is not None
    [after] = [x for x in hs.residents(resident.household_id) if x.id == resident.id]
    assert (after.id_number, after.phone, after.notes) == (full_id, full_phone, "核实过")
    assert _reveals(services) == []

    # Revealing is the audited "show full numbers"; then the full values are editable.
    dialog = open_dialog()
    assert not dialog.reveal_button.isHidden()
    dialog.reveal_button.click()
    assert (dialog.id_number.text(), dialog.phone.text()) == (full_id, full_phone)
    assert sorted(_reveals(services)) == ["id_number", "phone"]
    assert dialog.reveal_button.isHidden()
    dialog.phone.setText("13700001111")
    dialog.save()
    [after] = [x for x in hs.residents(resident.household_id) if x.id == resident.id]
    assert (after.id_number, after.phone) == (full_id, "13700001111")

    # A masked field typed over is a new value; one left half-edited is refused.
    dialog = open_dialog()
    dialog.id_number.setText(dialog.id_number.text()[:-1])
    dialog.save()
    assert dialog.result_value is None  # the dialog stays open, saying what is wrong
    [after] = [x for x in hs.residents(resident.household_id) if x.id == resident.id]
    assert after.id_number == full_id
