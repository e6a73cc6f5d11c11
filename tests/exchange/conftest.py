from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from gridvisit.demo.generate import generate_demo
from gridvisit.exchange.records import SPECS, canonical
from gridvisit.storage import Database, open_database
from gridvisit.storage.models import MergeConflict, PossibleDuplicate

# Tables a round trip must reproduce exactly. Users travel only when referred to.
CONTENT_TABLES = [s.name for s in SPECS if s.name != "app_user"]


def dump(db: Database, tables: list[str] | None = None) -> dict[str, dict[str, str]]:
    """Every travelling record by UUID, in its canonical package form."""
    out: dict[str, dict[str, str]] = {}
    with db.read_session() as s:
        for spec in SPECS:
            if tables is not None and spec.name not in tables:
                continue
            out[spec.name] = {}
            for row in s.execute(spec.select_payload()):
                payload = spec.payload(row)
                out[spec.name][payload["uuid"]] = canonical(payload)
    return out


def review_state(db: Database) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    with db.read_session() as s:
        conflicts = set(
            s.execute(
                select(
                    MergeConflict.entity,
                    MergeConflict.uuid,
                    MergeConflict.version,
                    MergeConflict.payload_hash,
                )
            ).all()
        )
        duplicates = set(
            s.execute(
                select(PossibleDuplicate.kind, PossibleDuplicate.uuid_a, PossibleDuplicate.uuid_b)
            ).all()
        )
    return conflicts, duplicates


@pytest.fixture(scope="session")
def demo_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small sub-district: 2 communities, a few grids, two months of visits."""
    path = tmp_path_factory.mktemp("demo") / "source.db"
    # Ends two days ago, so nothing in it looks changed after "now".
    generate_demo(path, households=1200, weeks=6, seed=11, end=date.today() - timedelta(days=2))
    return path


@pytest.fixture
def source(demo_source: Path, tmp_path: Path) -> Iterator[Database]:
    copy = tmp_path / "source.db"
    shutil.copy(demo_source, copy)
    db = open_database(copy)
    yield db
    db.dispose()
