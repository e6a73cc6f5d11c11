from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gridvisit.core.auth import Login, LoginThrottle, login
from gridvisit.demo.generate import generate_demo
from gridvisit.storage.engine import connect_raw

PASSWORD = "reliable-pass"


def log_in(path: Path, *, encrypted: bool, user: str = "admin") -> Login:
    throttle = LoginThrottle(path.with_name("throttle.json"))
    return login(path, user, PASSWORD, encrypted=encrypted, throttle=throttle)


def dump(path: Path, key: bytes | None) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, in rowid order: what "identical data" means."""
    conn = connect_raw(path, key, readonly=True)
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {t: conn.execute(f'SELECT * FROM "{t}" ORDER BY rowid').fetchall() for t in tables}
    finally:
        conn.close()


@pytest.fixture(params=[False, True], ids=["plain", "encrypted"])
def demo(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Path, bool]]:
    path = tmp_path / "grid.db"
    generate_demo(path, households=30, weeks=3, password=PASSWORD, encrypted=request.param)
    yield path, request.param
