"""The statistics' SQL on PostgreSQL (a sub-district may keep its data on a server):
the hand-built cases of tests/core/services/test_stats.py, run on a server database.
Skipped, saying why, where no PostgreSQL server can be started."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from gridvisit.core.records import Actor
from gridvisit.core.services import ServiceContext, Services
from gridvisit.core.services.users import ensure_default_admin
from gridvisit.storage import open_database
from tests.conftest import Clock
from tests.core.services import test_stats as cases


@pytest.fixture
def pg_world(pg_url: str) -> Iterator[tuple[cases.World, Clock]]:
    db = open_database(pg_url, create=True)
    clock = Clock(cases.bj(2026, 12, 2, 10))
    actor = ensure_default_admin(ServiceContext(db, Actor(None, "system")))
    try:
        yield cases.World(Services(ServiceContext(db, actor, clock=clock)), db), clock
    finally:
        db.dispose()


CASES: dict[str, Callable[[cases.World, Clock], Any]] = {
    "problems at the end of the month": cases.test_problems_at_the_end_of_the_month,
    "coverage at the edges of the interval": lambda w, _c: (
        cases.test_visit_coverage_at_the_edges_of_the_interval(w)
    ),
    "week edges": lambda w, _c: cases.test_week_edges(w),
    "a worker's area": cases.test_a_worker_sees_only_their_grids_and_cannot_set_targets,
    "an extension": lambda w, _c: cases.test_an_approved_extension_is_counted_apart(w),
}


@pytest.mark.parametrize("case", list(CASES))
def test_statistics_on_postgresql(pg_world: tuple[cases.World, Clock], case: str) -> None:
    world, clock = pg_world
    CASES[case](world, clock)
