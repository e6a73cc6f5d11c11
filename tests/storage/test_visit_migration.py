"""Revision 0005 on a database made by the schema before it: every visit is kept."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command

from gridvisit.demo.generate import generate_demo
from gridvisit.storage import open_database
from gridvisit.storage.engine import alembic_config


def test_visits_survive_the_upgrade_as_live_visits(tmp_path: Path) -> None:
    path = tmp_path / "grid.db"
    generate_demo(path, households=40, weeks=4, seed=3, encrypted=False)
    db = open_database(path)
    with db.engine.connect() as conn:
        conn.connection.driver_connection.execute("PRAGMA foreign_keys = OFF")
        command.downgrade(alembic_config(conn), "0003")
        conn.commit()
    db.dispose()
    with sqlite3.connect(path) as conn:
        columns = [r[1] for r in conn.execute("PRAGMA table_info(visit)")]
        assert "archived" not in columns
        before = conn.execute("SELECT uuid, notes, version FROM visit ORDER BY uuid").fetchall()
    assert before
    upgraded = open_database(path)
    upgraded.dispose()
    with sqlite3.connect(path) as conn:
        after = conn.execute("SELECT uuid, notes, version FROM visit ORDER BY uuid").fetchall()
        archived = conn.execute("SELECT COUNT(*) FROM visit WHERE archived").fetchone()[0]
        fks = conn.execute("PRAGMA foreign_key_check").fetchall()
    assert after == before and archived == 0 and fks == []
