from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from gridvisit.core.records import Actor
from gridvisit.core.services import ServiceContext, Services
from gridvisit.core.services.users import ensure_default_admin
from gridvisit.storage import Database, open_database


@pytest.fixture(autouse=True)
def _private_user_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never touch the real user's data, config or log folders."""
    home = tmp_path_factory.mktemp("home")
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(var, str(home / var.lower()))


_GC_THRESHOLD = gc.get_threshold()


@pytest.fixture(autouse=True)
def _garbage_on_the_gui_thread(request: pytest.FixtureRequest) -> Iterator[None]:
    """As in the app (gridvisit/ui/collector.py): with a QApplication, cycles are
    collected on the main thread only; between tests, what is due is collected."""
    if "qapp" in request.fixturenames:
        from gridvisit.ui import collector

        collector.install(request.getfixturevalue("qapp"))
    yield
    if not gc.isenabled():
        from gridvisit.ui.collector import collect_due

        collect_due(_GC_THRESHOLD)


class Clock:
    """A controllable clock for services."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(tmp_path / "test.db", create=True)
    yield database
    database.dispose()


@pytest.fixture
def clock() -> Clock:
    # Wednesday 2026-11-18 10:00 Beijing time.
    return Clock(datetime(2026, 11, 18, 2, 0, tzinfo=UTC))


@pytest.fixture
def services(db: Database, clock: Clock) -> Services:
    actor = ensure_default_admin(ServiceContext(db, Actor(None, "system")))
    return Services(ServiceContext(db, actor, clock=clock))


def link_for_exchange(
    laptop: Database,
    subdistrict: Database,
    *,
    communities: list[str] | None = None,
    name: str = "网格电脑",
) -> None:
    """What the key commands do once by hand: a copied laptop gets its own identity,
    the laptop trusts the sub-district's public key, and the sub-district registers
    the laptop as serving its communities (all of them unless named; missing ones are
    created at the sub-district, as `register-device --create` does)."""
    from sqlalchemy import select

    from gridvisit.exchange import keys
    from gridvisit.storage.models import Community

    if keys.binding_problem(laptop):
        keys.new_identity(laptop)
    keys.trust_subdistrict(laptop, keys.identity(subdistrict).public("街道"))
    if communities is None:
        with laptop.read_session() as s:
            communities = list(s.scalars(select(Community.name)))
    ids = []
    with subdistrict.session() as s:
        for name in communities:
            found = s.scalar(select(Community).where(Community.name == name))
            if found is None:
                found = Community(name=name)
                s.add(found)
                s.flush()
            ids.append(found.id)
    keys.register_device(
        subdistrict, keys.identity(laptop).public(name), by="test", community_ids=ids
    )
