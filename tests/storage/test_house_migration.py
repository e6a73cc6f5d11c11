"""Revision 0007 on a database made at revision 0006: every record is kept, party members
become 中共党员 and everyone else 群众, houses are 自住, and the 半年/年 tiers appear."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command

from gridvisit.demo.generate import generate_demo
from gridvisit.storage import open_database
from gridvisit.storage.engine import alembic_config

TABLES = ("household", "resident", "visit", "problem", "problem_event", "app_user", "grid")


def _snapshot(conn: sqlite3.Connection) -> dict[str, list[tuple[object, ...]]]:
    out = {}
    for table in TABLES:
        out[table] = conn.execute(f"SELECT uuid, version FROM {table} ORDER BY uuid").fetchall()
    out["resident_detail"] = conn.execute(
        "SELECT uuid, name, id_number, relation, is_party_member, archived FROM resident"
        " ORDER BY uuid"
    ).fetchall()
    return out


def test_records_survive_0007_and_party_members_map(tmp_path: Path) -> None:
    path = tmp_path / "grid.db"
    generate_demo(path, households=60, weeks=4, seed=5, encrypted=False)
    db = open_database(path)
    with db.engine.connect() as conn:
        conn.connection.driver_connection.execute("PRAGMA foreign_keys = OFF")
        command.downgrade(alembic_config(conn), "0006")
        conn.commit()
    db.dispose()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0006",)
        columns = [r[1] for r in conn.execute("PRAGMA table_info(resident)")]
        assert "political_status" not in columns
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert "resident_move" not in tables
        assert conn.execute("SELECT COUNT(*) FROM visit_tier").fetchone() == (3,)
        before = _snapshot(conn)
        party = conn.execute("SELECT COUNT(*) FROM resident WHERE is_party_member").fetchone()[0]
    assert party > 0 and len(before["resident"]) > party

    open_database(path).dispose()

    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0007",)
        assert _snapshot(conn) == before
        statuses = dict(
            conn.execute(
                "SELECT political_status, COUNT(*) FROM resident GROUP BY political_status"
            ).fetchall()
        )
        assert statuses == {"01": party, "13": len(before["resident"]) - party}
        assert conn.execute(
            "SELECT COUNT(*) FROM resident WHERE is_party_member != (political_status = '01')"
        ).fetchone() == (0,)
        assert conn.execute(
            "SELECT DISTINCT status, registration_type, residence_type FROM resident"
        ).fetchall() == [("present", "local", "permanent")]
        assert conn.execute("SELECT DISTINCT house_status FROM household").fetchall() == [
            ("owner_occupied",)
        ]
        tiers = dict(conn.execute("SELECT code, interval_days FROM visit_tier").fetchall())
        assert tiers == {"key": 7, "watch": 30, "normal": 90, "semiannual": 182, "annual": 365}
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("SELECT COUNT(*) FROM resident_move").fetchone() == (0,)
