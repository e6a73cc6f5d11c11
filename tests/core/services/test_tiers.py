"""Issue 20 item 5: the 半年 and 年 tiers, and a sub-district admin editing tiers and
which special groups set them; the due rules follow."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from gridvisit.core.enums import Role
from gridvisit.core.errors import PermissionDeniedError, ValidationError
from gridvisit.core.records import Actor, Scope, VisitInput
from gridvisit.core.services import ServiceContext, Services
from gridvisit.storage.models import AuditEntry
from tests.conftest import Clock
from tests.core.services.conftest import Area


def test_half_year_and_year_tiers_exist_in_rank_order(services: Services) -> None:
    tiers = services.tiers.tiers()
    assert [(t.code, t.name, t.interval_days) for t in tiers] == [
        ("key", "重点", 7),
        ("watch", "关注", 30),
        ("normal", "一般", 90),
        ("semiannual", "半年", 182),
        ("annual", "年", 365),
    ]


def test_a_group_on_the_half_year_tier_and_due_dates_follow(
    services: Services, area: Area, clock: Clock
) -> None:
    t = services.tiers
    # 一般 households twice a year: the interval of the default tier.
    t.update_tier("normal", interval_days=182)
    services.visits.record(VisitInput(area.family.id, clock.now - timedelta(days=100)))
    assert services.visits.due(Scope(building_group_id=area.group.id), until=clock.now.date()) == [
        d
        for d in services.visits.due(Scope(building_group_id=area.group.id), until=clock.now.date())
        if d.household_id != area.family.id
    ]
    row = services.workspace.household_row(area.family.id)
    assert row is not None and row.next_due == (clock.now - timedelta(days=100)).date() + timedelta(
        days=182
    )
    # 独居老人 set to 关注: the elder's household is worked out again.
    rec = t.set_group_tier("living_alone_elderly", "watch")
    assert rec.tier_code == "watch"
    elder = services.workspace.household_row(area.elder.id)
    assert elder is not None and elder.tier_code == "watch" and elder.tier_name == "关注"
    # A group never makes visits rarer than an ordinary household's (the most demanding
    # tier wins, core/rules.tier_for_groups): on 年 it leaves the elder at 一般. A house
    # can still be put on 半年 or 年 by hand.
    t.set_group_tier("living_alone_elderly", "annual")
    assert services.workspace.household_row(area.elder.id).tier_code == "normal"  # type: ignore[union-attr]
    services.households.update(area.elder.id, tier_code="annual")
    assert services.workspace.household_row(area.elder.id).tier_name == "年"  # type: ignore[union-attr]
    with services.ctx.read() as s:
        actions = list(s.scalars(select(AuditEntry.action).where(AuditEntry.action.like("tier.%"))))
    assert actions == ["tier.update", "tier.group", "tier.group"]


def test_intervals_reorder_ranks_and_bad_input_is_refused(services: Services) -> None:
    t = services.tiers
    t.update_tier("watch", name="关注户", interval_days=400)  # now the longest
    assert [x.code for x in t.tiers()] == ["key", "normal", "semiannual", "annual", "watch"]
    with pytest.raises(ValidationError) as bad:
        t.update_tier("key", name="一般", interval_days=0)
    assert set(bad.value.errors) == {"name", "interval_days"}


def test_only_a_subdistrict_admin_edits_tiers(services: Services, area: Area, clock: Clock) -> None:
    cadmin = services.users.create(
        "c", "社区管理员", Role.COMMUNITY_ADMIN, community_ids=[area.community.id]
    )
    c = Services(
        ServiceContext(
            services.ctx.db, Actor(cadmin.id, "c", "", Role.COMMUNITY_ADMIN), clock=clock
        )
    )
    assert [x.code for x in c.tiers.tiers()][:1] == ["key"]  # reading is fine
    with pytest.raises(PermissionDeniedError):
        c.tiers.update_tier("normal", interval_days=30)
    with pytest.raises(PermissionDeniedError):
        c.tiers.set_group_tier("veteran", "key")
