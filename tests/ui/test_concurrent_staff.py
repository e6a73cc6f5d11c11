"""Several staff at once (issue 21, item 2): an edit on an out-of-date copy is refused
in the window with the user's input kept; on a PostgreSQL server two windows see each
other's changes through NOTIFY, and a merge while a window is open refreshes it."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox
from sqlalchemy import select

from gridvisit.core.auth import default_throttle, login
from gridvisit.core.errors import STALE_MESSAGE, StaleRecordError
from gridvisit.core.services import ServiceContext, Services
from gridvisit.demo.generate import DEMO_PASSWORD
from gridvisit.exchange.export import export_package
from gridvisit.exchange.merge import merge_package
from gridvisit.exchange.package import read_package
from gridvisit.storage import Database, open_database
from gridvisit.storage.models import Household
from gridvisit.ui.changes import Changes
from gridvisit.ui.dialogs import common
from gridvisit.ui.dialogs.edit_dialogs import HouseholdDialog
from gridvisit.ui.main_window import MainWindow
from gridvisit.ui.remote import changes_for
from tests.conftest import copy_to_server
from tests.ui.conftest import on_next_modal

PHONE = "13912345678"


def on_modal(handler: Callable[[QDialog], None], *, not_this: QDialog | None = None) -> None:
    """`handler` on the next modal dialog other than `not_this` (a dialog that is
    closing may still be the active one for an instant)."""

    def poll() -> None:
        widget = QApplication.activeModalWidget()
        if widget is None or widget is not_this or not widget.isVisible():
            QTimer.singleShot(10, poll)
            return
        try:
            handler(widget)
        finally:
            if widget.isVisible():
                QDialog.reject(widget)

    QTimer.singleShot(0, poll)


class Box:
    """Stands in for the stale-record message box: records what it was told and
    answers from `answers` (True: reload the record)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.told: list[tuple[str, bool]] = []
        self.answers: list[bool] = []
        monkeypatch.setattr(common, "stale_record", self._ask)

    def _ask(self, _parent: Any, exc: StaleRecordError, *, reloadable: bool) -> bool:
        self.told.append((exc.message, reloadable))
        return self.answers.pop(0)


def _package_changing(db: Database, hid: int, tmp_path: Path, **fields: Any) -> Path:
    """A package from a copy of `db` in which household `hid` was edited: merged into
    `db`, it changes that household (a newer version of the same record)."""
    assert db.path is not None
    copy = tmp_path / "laptop.db"
    shutil.copy(db.path, copy)
    laptop = open_database(copy)
    try:
        with laptop.session() as s:
            h = s.get(Household, hid)
            assert h is not None
            for key, value in fields.items():
                setattr(h, key, value)
        return export_package(laptop, tmp_path / "laptop.zip", full=True).path
    finally:
        laptop.dispose()


# --- SQLite: a merge behind an open form ------------------------------------------------


def test_a_merge_behind_an_open_edit_dialog_is_refused_and_the_input_kept(
    window: MainWindow, demo_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hid = window.households.model.row_at(0).id
    package = _package_changing(demo_db, hid, tmp_path, notes="合并来的备注")
    box = Box(monkeypatch)
    seen: dict[str, Any] = {}

    def stored() -> tuple[str, str]:
        with demo_db.read_session() as s:
            h = s.get(Household, hid)
            assert h is not None
            return h.phone, h.notes

    def second(dialog: QDialog) -> None:
        assert isinstance(dialog, HouseholdDialog)
        seen["reloaded_notes"] = dialog.notes.toPlainText()
        dialog.phone.setText(PHONE)
        dialog.save()
        seen["second_saved"] = not dialog.isVisible()

    def first(dialog: QDialog) -> None:
        assert isinstance(dialog, HouseholdDialog)
        dialog.phone.setText(PHONE)
        merge_package(demo_db, read_package(package))  # the record changes behind the form
        box.answers.append(False)  # "keep my input"
        dialog.save()
        seen["still_open"] = dialog.isVisible()
        seen["typed"] = dialog.phone.text()
        seen["stored"] = stored()
        box.answers.append(True)  # now "reload the record"
        on_modal(second, not_this=dialog)
        dialog.save()

    on_next_modal(first)
    window.household_actions.edit_household(hid)
    assert box.told and all(STALE_MESSAGE in text for text, _reloadable in box.told)
    assert box.told[0][1] is True  # the box offered to reload
    # Refused: the dialog stayed open with the typed phone, nothing was overwritten.
    assert seen["still_open"] and seen["typed"] == PHONE
    assert seen["stored"][1] == "合并来的备注" and seen["stored"][0] != PHONE
    # Reloaded: the form showed the merged notes, and the edit made again went through.
    assert seen["reloaded_notes"] == "合并来的备注" and seen["second_saved"]
    assert stored() == (PHONE, "合并来的备注")


def test_the_stale_box_says_what_happened_and_offers_to_reload(qtbot, zh) -> None:  # type: ignore[no-untyped-def]
    seen: dict[str, Any] = {}

    def look(box: QDialog) -> None:
        assert isinstance(box, QMessageBox)
        seen["text"] = box.text()
        seen["more"] = box.informativeText()
        seen["buttons"] = [b.text() for b in box.buttons()]
        reload = next(b for b in box.buttons() if "重新载入" in b.text())
        reload.click()

    on_next_modal(look)
    assert common.stale_record(None, StaleRecordError("住户"), reloadable=True)  # type: ignore[arg-type]
    assert STALE_MESSAGE in seen["text"]
    assert "没有保存" in seen["more"] and "复制" in seen["more"]
    assert any("保留" in b for b in seen["buttons"])


def test_remote_notices_become_changes_for_what_the_window_shows() -> None:
    def n(**kw: Any) -> dict[str, Any]:
        base: dict[str, Any] = {
            "src": "x", "all": False, "h": frozenset(), "g": frozenset(),
            "p": frozenset(), "f": frozenset(),
        }  # fmt: skip
        return {**base, **{k: frozenset(v) if isinstance(v, set) else v for k, v in kw.items()}}

    shown = {"shown_households": {1, 2}, "shown_problems": {7}, "current_groups": {5}}
    c = changes_for([n(h={1, 3}, g={5}, f={"visits"}), n(p={7, 8}, g={6})], **shown)
    assert c == Changes(
        households=frozenset({1}), groups=frozenset({5, 6}), problems=frozenset({7}), visits=True
    )
    # Households added in a group this window does not show: only the tree's counts.
    assert changes_for([n(h={9}, g={6}, f={"household_list"})], **shown) == Changes(
        groups=frozenset({6})
    )
    assert changes_for([n(h={9}, g={5}, f={"household_list"})], **shown) == Changes(
        groups=frozenset({5}), household_list=True
    )
    assert changes_for([n(f={"hierarchy"})], **shown) == Changes(hierarchy=True)
    assert changes_for([n(), n(all=True)], **shown) == Changes.everything()
    assert changes_for([n()], **shown) is None


# --- PostgreSQL: two windows on one server ----------------------------------------------


@pytest.fixture
def demo_url(demo_template: Path, pg_url: str) -> str:
    copy_to_server(demo_template, pg_url)
    return pg_url


def _window(qtbot: Any, url: str, tmp_path: Path, name: str) -> MainWindow:
    session = login(url, "admin", DEMO_PASSWORD, encrypted=True, throttle=default_throttle())
    settings = QSettings(str(tmp_path / f"{name}.ini"), QSettings.Format.IniFormat)
    window = MainWindow(Services(ServiceContext(session.db, session.actor)), settings=settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(window.is_loaded, timeout=30_000)
    assert window.remote.active
    assert window.remote.listener is not None
    assert window.remote.listener.listening.wait(10)
    return window


@pytest.fixture
def two_windows(
    qtbot: Any, zh: None, demo_url: str, tmp_path: Path
) -> Iterator[tuple[MainWindow, MainWindow]]:
    a = _window(qtbot, demo_url, tmp_path, "a")
    b = _window(qtbot, demo_url, tmp_path, "b")
    yield a, b
    for w in (a, b):
        w.close()
        w.services.ctx.db.dispose()


def test_two_windows_edit_the_same_household_the_second_is_refused(
    two_windows: tuple[MainWindow, MainWindow], monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = two_windows
    hid = a.households.model.row_at(0).id
    box = Box(monkeypatch)
    # Both forms open at once (loaded at the same version), A saves, then B.
    dialogs: dict[str, HouseholdDialog] = {}
    results: dict[str, Any] = {}

    def open_b(dialog: QDialog) -> None:
        assert isinstance(dialog, HouseholdDialog)
        dialogs["b"] = dialog
        dialog.notes.setPlainText("乙写的备注")
        dialogs["a"].save()
        results["a_saved"] = not dialogs["a"].isVisible()
        box.answers.append(False)
        dialog.save()
        results["b_open"] = dialog.isVisible()
        results["b_typed"] = dialog.notes.toPlainText()

    def open_a(dialog: QDialog) -> None:
        assert isinstance(dialog, HouseholdDialog)
        dialogs["a"] = dialog
        dialog.notes.setPlainText("甲写的备注")
        on_modal(open_b, not_this=dialog)
        b.household_actions.edit_household(hid)  # B's form, on top, same version

    on_next_modal(open_a)
    a.household_actions.edit_household(hid)
    assert results["a_saved"], results
    assert results["b_open"] and results["b_typed"] == "乙写的备注"
    assert box.told and STALE_MESSAGE in box.told[0][0]
    with a.services.ctx.db.read_session() as s:
        h = s.get(Household, hid)
        assert h is not None and h.notes == "甲写的备注"  # nothing overwritten


def _room(window: MainWindow, hid: int) -> str | None:
    pos = window.households.model.position_of(hid)
    return window.households.model.rows()[pos].room if pos is not None else None


def test_a_change_in_one_window_appears_in_the_other_through_notify(
    qtbot: Any, two_windows: tuple[MainWindow, MainWindow]
) -> None:
    a, b = two_windows
    row = b.households.model.row_at(0)
    assert _room(a, row.id) == row.room  # both show the same building group
    applied: list[float] = []
    b.remote.applied.connect(lambda _c: applied.append(time.monotonic()))
    figures = []
    for n in range(3):
        room = f"99{n:02d}"
        start = time.monotonic()
        a.services.households.update(row.id, room=room)
        committed = time.monotonic()
        qtbot.waitUntil(lambda room=room: _room(b, row.id) == room, timeout=5_000)
        arrived = b.remote.first_arrival or committed
        figures.append(
            f"write {1000 * (committed - start):.0f} ms, notice on the GUI thread "
            f"{1000 * (arrived - committed):.0f} ms after, refreshed "
            f"{1000 * (applied[-1] - arrived):.0f} ms later"
        )
    print("NOTIFY figures:", "; ".join(figures))
    # A visit recorded in A: B's row and B's tree count the visit.
    from gridvisit.core.records import VisitInput

    before = b.households.model.rows()[b.households.model.position_of(row.id)].last_visit
    a.services.visits.record(VisitInput(row.id, a.services.ctx.now(), notes="甲走访"))
    qtbot.waitUntil(
        lambda: (
            b.households.model.rows()[b.households.model.position_of(row.id)].last_visit != before
        ),
        timeout=5_000,
    )


def test_a_merge_into_the_server_while_a_window_is_open(
    qtbot: Any,
    zh: None,
    demo_template: Path,
    demo_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A package merged into the server (another program, e.g. `gridvisit merge`)
    while a window is open and its user keeps saving: no deadlock, no error, the
    window refreshes after the NOTIFY, and a form loaded before the merge is refused."""
    warnings: list[str] = []
    monkeypatch.setattr(
        "gridvisit.ui.main_window.QMessageBox.warning",
        lambda *a, **_k: warnings.append(str(a[2] if len(a) > 2 else a)),
    )
    window = _window(qtbot, demo_url, tmp_path, "w")
    rows = window.households.model.rows()
    target, other = rows[0].id, rows[1].id
    laptop_copy = tmp_path / "template.db"
    shutil.copy(demo_template, laptop_copy)
    package = _package_changing(
        open_database(laptop_copy), target, tmp_path, room="8801", notes="合并来的"
    )
    loaded = window.services.households.get(target)  # a form open on it
    server = open_database(demo_url)
    failures: list[str] = []

    def merge() -> None:
        try:
            merge_package(server, read_package(package))
        except Exception as exc:  # anything is a failure here
            failures.append(f"{type(exc).__name__}: {exc}")

    try:
        thread = threading.Thread(target=merge)
        thread.start()
        saves = 0
        deadline = time.monotonic() + 60
        while thread.is_alive() and time.monotonic() < deadline:
            # The user keeps working meanwhile: saves wait for the merge, none fails.
            window.services.households.update(other, notes=f"同时保存 {saves}")
            saves += 1
            qtbot.wait(20)
        thread.join(5)
        assert not thread.is_alive(), "the merge is stuck"
        assert not failures, failures
        qtbot.waitUntil(lambda: _room(window, target) == "8801", timeout=10_000)
        qtbot.waitUntil(window.is_loaded, timeout=20_000)
        assert not warnings, warnings
        with pytest.raises(StaleRecordError):
            window.services.households.update(target, version=loaded.version, notes="旧表单")
        with server.read_session() as s:
            h = s.get(Household, target)
            assert h is not None and (h.room, h.notes) == ("8801", "合并来的")
            assert s.scalar(select(Household.notes).where(Household.id == other)).startswith(
                "同时保存"
            )
        print(f"saves during the merge: {saves}")
        # The same file merged again changes nothing and refreshes no window.
        applied: list[Changes] = []
        window.remote.applied.connect(applied.append)
        assert merge_package(server, read_package(package)).merged_before is not None
        qtbot.wait(1_000)
        assert applied == []
    finally:
        server.dispose()
        window.close()
        window.services.ctx.db.dispose()
