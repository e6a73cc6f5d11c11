"""A few crash trials in every run; the 100-trial run is `make crash-test`."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

from tests.reliability import crash


@pytest.fixture(scope="module")
def plain_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return crash.make_database(tmp_path_factory.mktemp("crash"), encrypted=False)


def test_killed_saves_lose_nothing_acknowledged(tmp_path: Path) -> None:
    results = crash.run(4, seed=7, folder=tmp_path, out=lambda _line: None)
    assert [t.problems for t in results] == [[]] * 4
    assert all(t.acked > 0 for t in results)  # the kills really hit a working child


def test_the_checker_finds_what_it_looks_for(plain_db: Path) -> None:
    """The verdict above would mean nothing if the checker could not fail."""
    trial = crash.run_trial(plain_db, 99, random.Random(3), encrypted=False)
    assert trial.problems == [] and trial.acked
    assert crash.verify(plain_db, [("no-such-visit", 0)]) == [
        "acknowledged visit no-such-visit is missing"
    ]
    with sqlite3.connect(plain_db) as conn:  # take one problem away from a visit
        visit_id, notes = conn.execute(
            "SELECT v.id, v.notes FROM visit v JOIN problem p ON p.visit_id = v.id "
            "WHERE v.notes LIKE 'crash %' LIMIT 1"
        ).fetchone()
        conn.execute(
            "DELETE FROM problem WHERE id = (SELECT min(id) FROM problem WHERE visit_id = ?)",
            (visit_id,),
        )
    found = crash.verify(plain_db, [])
    assert len(found) == 1 and "half a save" in found[0] and notes in found[0]
