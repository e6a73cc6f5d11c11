from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QEventLoop, QTimer
from sqlalchemy import select

from gridvisit import app as app_module
from gridvisit.exchange.export import export_package
from gridvisit.exchange.keys import read_sealed
from gridvisit.exchange.merge import merge_package
from gridvisit.exchange.package import read_package
from gridvisit.storage import Database, open_database
from gridvisit.storage.models import Household
from gridvisit.ui.dialogs.exchange import Ask, ReviewDialog
from gridvisit.ui.main_window import MainWindow
from tests.conftest import link_for_exchange


class Script:
    """Answers the exchange actions' questions and records what they say. Waits in a
    QEventLoop (not a polling loop, which starves the worker thread)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, **answers: Any) -> None:
        self.answers = answers
        self.told: list[tuple[str, str, bool]] = []
        self.loop = QEventLoop()
        monkeypatch.setattr(Ask, "choose", staticmethod(lambda *a: answers.get("choose", 0)))
        monkeypatch.setattr(Ask, "save_file", staticmethod(lambda *a: answers["save"]))
        monkeypatch.setattr(Ask, "open_files", staticmethod(lambda *a: answers["open"]))
        monkeypatch.setattr(Ask, "confirm", staticmethod(self._confirm))
        monkeypatch.setattr(Ask, "tell", staticmethod(self._tell))

    def _confirm(self, _parent: Any, _title: str, text: str, details: str = "") -> bool:
        self.told.append((text, details, False))
        self.loop.quit()
        return bool(self.answers.get("confirm", False))

    def _tell(self, _p: Any, _t: str, text: str, details: str = "", *, error: bool = False) -> None:
        self.told.append((text, details, error))
        self.loop.quit()

    def run(self, action: Any) -> tuple[str, str, bool]:
        QTimer.singleShot(60_000, self.loop.quit)
        action.trigger()
        self.loop.exec()
        assert self.told, "the action never reported back"
        return self.told[-1]


def test_export_package_from_the_menu(
    window: MainWindow, demo_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.gvpkg"
    script = Script(monkeypatch, choose=1, save=target)
    # No sub-district key yet: a clear refusal, no file.
    text, _details, error = script.run(window.act_export)
    assert error and "还没有导入街道的公钥" in text and not target.exists()
    sub = open_database(tmp_path / "sub.db", create=True)
    try:
        link_for_exchange(demo_db, sub)
        text, details, error = script.run(window.act_export)
        assert not error and "已保存" in text and "住户" in details
        package = read_sealed(sub, target)
    finally:
        sub.dispose()
    assert package.manifest.since is None and package.records["household"]


def test_merge_from_the_menu_updates_and_reports(
    window: MainWindow, demo_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    laptop_path = tmp_path / "laptop.db"
    shutil.copy(demo_db.path, laptop_path)
    laptop = open_database(laptop_path)
    link_for_exchange(laptop, demo_db)
    svc = app_module.build_services(laptop)
    with laptop.read_session() as s:
        hid = s.scalars(select(Household.id).order_by(Household.id)).first()
    svc.households.update(hid, notes="网格员回访:已安装扶手")
    package = svc.exchange.export_package(tmp_path / "l.gvpkg", full=True).path
    laptop.dispose()
    bad = tmp_path / "bad.gvpkg"
    bad.write_bytes(package.read_bytes()[:-3])
    script = Script(monkeypatch, open=[package, bad])
    text, details, error = script.run(window.act_merge)
    assert "已处理 2 个数据包" in text and "1 个数据包未能合并" in text and error
    assert "更新 1" in details and "bad.gvpkg" in details
    with demo_db.read_session() as s:
        assert s.get(Household, hid).notes == "网格员回访:已安装扶手"


def test_review_window_settles_a_conflict(
    qtbot,
    zh,
    demo_db: Database,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    with demo_db.read_session() as s:
        hid = s.scalars(select(Household.id).order_by(Household.id)).first()
    packages = []
    for n, note in enumerate(("甲的备注", "乙的备注")):
        path = tmp_path / f"l{n}.db"
        shutil.copy(demo_db.path, path)
        db = open_database(path)
        app_module.build_services(db).households.update(hid, notes=note)
        packages.append(export_package(db, tmp_path / f"l{n}.zip", full=True).path)
        db.dispose()
    for p in packages:
        merge_package(demo_db, read_package(p))
    dialog = ReviewDialog(app_module.build_services(demo_db))
    qtbot.addWidget(dialog)
    assert dialog.conflicts.rowCount() == 1 and dialog.copies.rowCount() == 2
    assert dialog.tabs.tabText(0) == "冲突(1)"
    # Both copies were edited from the same version: the table says so, and names the
    # computers and packages instead of hex ids.
    versions = {dialog.copies.item(r, 1).text() for r in range(2)}
    assert versions == {"2"}
    came = {dialog.copies.item(r, 3).text() for r in range(2)}
    assert len(came) == 2 and "(此前合并或本机录入)" in came
    assert any(text.startswith(("l0.zip · ", "l1.zip · ")) for text in came), came
    assert "栋" in dialog.conflicts.item(0, 1).text()
    current = next(i for i, c in enumerate(dialog.conflict_at(0).copies) if c.current)
    other = 1 - current
    chosen_note = dialog.conflict_at(0).copies[other].payload["notes"]
    dialog.copies.selectRow(other)
    dialog.use_copy.click()
    with demo_db.read_session() as s:
        assert s.get(Household, hid).notes == chosen_note
    assert dialog.conflicts.rowCount() == 0 and dialog.tabs.tabText(0) == "冲突(0)"
    # Settled through the guarded service: audited under the acting user.
    with demo_db.read_session() as s:
        from gridvisit.storage.models import AuditEntry

        entry = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "review.resolve_conflict")
        ).one()
        assert entry.entity == "household" and entry.actor_name


def test_export_ledger_from_the_menu(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "visits.xlsx"
    script = Script(monkeypatch, choose=1, save=target)
    text, _details, error = script.run(window.act_ledger)
    assert not error and "已打码" in text
    assert load_workbook(target).active["A1"].value == "走访时间"


def test_review_shows_enough_to_decide_and_opens_where_the_work_is(
    qtbot,
    zh,
    demo_db: Database,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    import uuid

    from gridvisit.core.records import ResidentInput
    from gridvisit.storage.models import Device

    with demo_db.read_session() as s:
        hids = s.scalars(select(Household.id).order_by(Household.id).limit(2)).all()
    packages, addresses = [], []
    for n, hid in enumerate(hids):
        path = tmp_path / f"l{n}.db"
        shutil.copy(demo_db.path, path)
        db = open_database(path)
        device = str(uuid.uuid4())
        db.set_setting("device_id", device)
        db.dispose()
        db = open_database(path)
        services = app_module.build_services(db)
        services.households.add_resident(
            hid, ResidentInput(name="王小明", id_number="11010519491231002X")
        )
        addresses.append(services.households.get(hid).address)
        packages.append(export_package(db, tmp_path / f"l{n}.zip").path)
        db.dispose()
        with demo_db.session() as s:
            s.add(
                Device(device_id=device, name=f"网格电脑{'甲乙'[n]}", sign_public="", box_public="")
            )
    for p in packages:
        merge_package(demo_db, read_package(p))
    dialog = ReviewDialog(app_module.build_services(demo_db))
    qtbot.addWidget(dialog)
    assert dialog.conflicts.rowCount() == 0 and dialog.duplicates.rowCount() == 1
    assert dialog.tabs.currentIndex() == 1  # not 冲突(0)
    a, b = (dialog.duplicates.item(0, c).text() for c in (1, 2))
    for text in (a, b):
        assert "王**" in text and "网格" in text
    assert {addresses[0] in a + b, addresses[1] in a + b} == {True}
    assert "网格电脑甲" in a + b and "网格电脑乙" in a + b


def test_import_roster_from_the_menu_reports_counts_unused_columns_and_masked_rows(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger, masked = tmp_path / "h.xlsx", tmp_path / "masked.xlsx"
    rows = window.services.exchange.export_ledger("households", ledger, masked=False).rows
    window.services.exchange.export_ledger("households", masked)
    script = Script(monkeypatch, open=[ledger])
    text, details, error = script.run(window.act_roster)  # its own ledger: nothing new
    assert not error and f"未变 {rows}" in text and "新增 0" in text
    assert "未使用的列" in details and "人数" in details
    script = Script(monkeypatch, open=[masked], confirm=False)
    text, details, _error = script.run(window.act_roster)
    assert f"{rows}" in text and details.count("姓名已打码") == 1


def test_a_grid_workers_roster_import_from_the_menu_stays_in_their_grid(
    qtbot: Any,
    zh: None,
    services: Any,
    settings: Any,
    demo_db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The window calls the same scoped service: rows of another grid and an ID number
    registered there are refused without naming anything stored outside the grid."""
    from openpyxl import Workbook
    from sqlalchemy import func

    from gridvisit.core.enums import Role
    from gridvisit.core.masking import mask_name
    from gridvisit.core.records import Actor
    from gridvisit.core.services import ServiceContext, Services
    from gridvisit.storage.models import BuildingGroup, Community, Grid, Resident

    with demo_db.read_session() as s:
        groups = s.execute(
            select(BuildingGroup.id, BuildingGroup.name, Grid.id, Grid.name, Community.name)
            .join(Grid, Grid.id == BuildingGroup.grid_id)
            .join(Community, Community.id == Grid.community_id)
            .order_by(BuildingGroup.id)
        ).all()
        _mine, group_name, grid_id, mine_g, mine_c = groups[0]
        other, other_name, _other_grid, other_g, other_c = next(
            g for g in groups if g[2] != grid_id
        )
        other_id, other_person = s.execute(
            select(Resident.id_number, Resident.name)
            .join(Household, Household.id == Resident.household_id)
            .where(Household.building_group_id == other, Resident.id_number != "")
            .limit(1)
        ).one()
        count = s.scalar(select(func.count()).select_from(Resident))
    worker = services.users.create("w-ui", "网格员", Role.GRID_WORKER, grid_ids=[grid_id])
    actor = Actor(worker.id, "w-ui", "", Role.GRID_WORKER)
    mine_services = Services(ServiceContext(demo_db, actor))
    win = MainWindow(mine_services, db_label="demo.db", settings=settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(win.is_loaded, timeout=10_000)
    assert win.act_roster.isEnabled()
    wb = Workbook()
    ws = wb.active
    ws.append(["社区", "网格", "楼栋党小组", "楼栋", "单元", "室", "姓名", "身份证号"])
    ws.append([other_c, other_g, other_name, "1", "", "1", "越界", ""])
    ws.append([mine_c, mine_g, group_name, "99", "", "9901", "冒名", other_id])
    wb.save(tmp_path / "r.xlsx")
    script = Script(monkeypatch, open=[tmp_path / "r.xlsx"], confirm=False)
    text, details, _error = script.run(win.act_roster)
    assert "2" in text
    assert f"“{other_c}/{other_g}”不在您负责的网格或社区内" in details
    assert "该身份证号已在您管辖范围以外登记,请联系社区或街道核实" in details
    assert other_person not in details and mask_name(other_person) not in details
    with demo_db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(Resident)) == count
