"""督办 and 延期 across the exchange (issue 22): supervisors' events travel in
packages both ways, and a grid laptop (whose users all hold its key, whatever role
they claim on it) cannot forge a supervisor's mark or approval, nor move a limit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from gridvisit.core.enums import EventKind
from gridvisit.core.errors import PackageSecurityError
from gridvisit.storage.models import Grid, Problem, ProblemEvent
from tests.exchange.conftest import dump
from tests.security.test_exchange_trust import Parties


@pytest.fixture
def parties(tmp_path: Path) -> Iterator[Parties]:
    p = Parties(tmp_path)
    yield p
    p.close()


def _laptop_problem(p: Parties) -> int:
    with p.laptop.read_session() as s:
        pid = s.scalar(select(Problem.id))
    assert pid is not None
    p.lsvc.problems.accept(pid, "物业服务中心")
    return pid


def _sub_events(p: Parties) -> list[str]:
    with p.sub.read_session() as s:
        return list(s.scalars(select(ProblemEvent.kind).order_by(ProblemEvent.id)))


def test_a_grid_laptop_cannot_send_a_supervisors_mark(parties: Parties) -> None:
    pid = _laptop_problem(parties)
    parties.merge(parties.export())  # the dispatch arrives
    # The laptop's administrator account may mark it there, but the sub-district
    # registered the laptop for a grid: the mark is refused with the whole package.
    parties.lsvc.problems.supervise(pid, EventKind.SUPERVISE_RED, "限期办结")
    before = dump(parties.sub)
    with pytest.raises(PackageSecurityError, match=r"红牌督办.*只有社区或街道的督办人"):
        parties.merge(parties.export())
    assert dump(parties.sub) == before


def test_a_grid_laptop_cannot_approve_or_move_a_limit(parties: Parties) -> None:
    pid = _laptop_problem(parties)
    parties.merge(parties.export())
    due = parties.lsvc.problems.get(pid).due_at
    parties.lsvc.problems.request_extension(pid, date.today() + timedelta(days=60), "采购配件")
    parties.merge(parties.export())  # a request is the handler's: it merges
    assert _sub_events(parties)[-1] == EventKind.EXTENSION_REQUESTED.value
    # Forged in the file: the limit moved without any approval.
    with parties.laptop.session() as s:
        row = s.get(Problem, pid)
        assert row is not None
        row.due_at = due + timedelta(days=30)
    before = dump(parties.sub)
    with pytest.raises(PackageSecurityError, match="改动了办理时限"):
        parties.merge(parties.signed())
    assert dump(parties.sub) == before


def test_a_community_laptop_and_the_subdistrict_supervise(parties: Parties) -> None:
    pid = _laptop_problem(parties)
    parties.ssvc.keys.set_area(parties.laptop.device_id[:8], communities=["甲社区"])
    parties.lsvc.problems.supervise(pid, EventKind.SUPERVISE_YELLOW, "请加快")
    asked = date.today() + timedelta(days=60)
    parties.lsvc.problems.request_extension(pid, asked, "等待业委会")
    parties.merge(parties.export())
    assert _sub_events(parties)[-2:] == ["supervise_yellow", "ext_requested"]
    # The sub-district approves; the return package moves the laptop's limit.
    with parties.sub.read_session() as s:
        spid = s.scalar(
            select(Problem.id).where(Problem.uuid == parties.lsvc.problems.get(pid).uuid)
        )
        a1 = s.scalar(select(Grid.id).where(Grid.name == "甲一网格"))
    assert spid is not None and a1 is not None
    approved = parties.ssvc.problems.decide_extension(spid, True, "同意")
    good = parties.ssvc.exchange.export_return(parties.tmp / "r.gvpkg", a1)[0].path
    parties.lsvc.exchange.merge_return(good)
    mine = parties.lsvc.problems.get(pid)
    assert mine.due_at == approved.due_at and mine.events[-1].kind is EventKind.EXTENSION_APPROVED
    assert mine.original_due_at < mine.due_at


def test_a_grid_laptop_behind_an_approval_is_not_refused(parties: Parties) -> None:
    """The laptop kept working on the old limit while the sub-district approved an
    extension: its package carries the limit the approval replaced, which is no
    forgery (the versions meet in the merge's conflict review as before)."""
    pid = _laptop_problem(parties)
    parties.lsvc.problems.request_extension(pid, date.today() + timedelta(days=60), "采购")
    parties.merge(parties.export())
    with parties.sub.read_session() as s:
        spid = s.scalar(
            select(Problem.id).where(Problem.uuid == parties.lsvc.problems.get(pid).uuid)
        )
    assert spid is not None
    parties.ssvc.problems.decide_extension(spid, True)
    parties.lsvc.problems.add_progress(pid, "配件已到")
    parties.merge(parties.export())  # no PackageSecurityError
    assert "progress" in _sub_events(parties)
