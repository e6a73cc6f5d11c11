"""Visit tiers (走访等级) and which special groups set them, edited by a sub-district
admin (issue 20, item 5). The due rules read them from the database
(core/rules.py tier_for_groups, next_visit_due)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridvisit.core.access import Action, guarded
from gridvisit.core.errors import NotFoundError, ValidationError
from gridvisit.core.rules import resident_current_sql, tier_for_groups
from gridvisit.core.services.context import ServiceContext
from gridvisit.core.validation import require_text
from gridvisit.storage.models import Household, Resident, SpecialGroup, VisitTier

MAX_INTERVAL_DAYS = 730


@dataclass(frozen=True, slots=True)
class TierRec:
    code: str
    name: str
    interval_days: int
    rank: int  # 1 = visited most often; the most urgent tier of a household wins


@dataclass(frozen=True, slots=True)
class GroupTierRec:
    code: str
    name: str
    tier_code: str


class TierService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    @guarded(Action.READ)
    def tiers(self) -> list[TierRec]:
        with self.ctx.read() as s:
            return [
                TierRec(t.code, t.name, t.interval_days, t.rank)
                for t in s.scalars(select(VisitTier).order_by(VisitTier.rank, VisitTier.code))
            ]

    @guarded(Action.READ)
    def groups(self) -> list[GroupTierRec]:
        with self.ctx.read() as s:
            return [
                GroupTierRec(g.code, g.name, g.tier_code)
                for g in s.scalars(select(SpecialGroup).order_by(SpecialGroup.sort))
            ]

    @guarded(Action.EDIT_TIERS)
    def update_tier(
        self, code: str, *, name: str | None = None, interval_days: int | None = None
    ) -> TierRec:
        """Rename a tier or change its interval (1 to 730 days). Ranks follow the
        intervals, so the tier visited most often still wins for a household."""
        with self.ctx.write() as s:
            tier = self._tier(s, code)
            errors: dict[str, str] = {}
            new_name = tier.name
            if name is not None:
                new_name = require_text(errors, "name", "等级名称", name, max_len=32)
                taken = s.scalar(
                    select(VisitTier.code).where(VisitTier.name == new_name, VisitTier.code != code)
                )
                if taken:
                    errors["name"] = f"已经有名为“{new_name}”的走访等级"
            new_interval = tier.interval_days
            if interval_days is not None:
                if (
                    not isinstance(interval_days, int)
                    or isinstance(interval_days, bool)
                    or not 1 <= interval_days <= MAX_INTERVAL_DAYS
                ):
                    errors["interval_days"] = f"走访周期应为 1 到 {MAX_INTERVAL_DAYS} 天"
                else:
                    new_interval = interval_days
            if errors:
                raise ValidationError(errors)
            before = (tier.name, tier.interval_days)
            tier.name, tier.interval_days = new_name, new_interval
            s.flush()
            ranks_changed = self._rerank(s)
            if before != (new_name, new_interval):
                self.ctx.audit(
                    s, "tier.update", entity="visit_tier", entity_uuid=code,
                    name=new_name, interval_days=new_interval,
                    before={"name": before[0], "interval_days": before[1]},
                )  # fmt: skip
            if ranks_changed:
                self._recompute_households(s)
            return TierRec(tier.code, tier.name, tier.interval_days, tier.rank)

    @guarded(Action.EDIT_TIERS)
    def set_group_tier(self, group_code: str, tier_code: str) -> GroupTierRec:
        """Which tier a special group sets; every household whose tier is not chosen by
        hand is worked out again."""
        with self.ctx.write() as s:
            group = s.get(SpecialGroup, group_code)
            if group is None:
                raise NotFoundError(f"没有代码为“{group_code}”的重点人群类别。")
            self._tier(s, tier_code)
            if group.tier_code != tier_code:
                before = group.tier_code
                group.tier_code = tier_code
                s.flush()
                changed = self._recompute_households(s)
                self.ctx.audit(
                    s, "tier.group", entity="special_group", entity_uuid=group_code,
                    tier=tier_code, before=before, households=changed,
                )  # fmt: skip
            return GroupTierRec(group.code, group.name, group.tier_code)

    # -- helpers --------------------------------------------------------------------
    @staticmethod
    def _tier(s: Session, code: str) -> VisitTier:
        tier = s.get(VisitTier, code)
        if tier is None:
            raise NotFoundError(f"没有代码为“{code}”的走访等级。")
        return tier

    @staticmethod
    def _rerank(s: Session) -> bool:
        tiers = list(s.scalars(select(VisitTier).order_by(VisitTier.interval_days, VisitTier.rank)))
        changed = False
        for rank, tier in enumerate(tiers, 1):
            if tier.rank != rank:
                tier.rank, changed = rank, True
        return changed

    @staticmethod
    def _recompute_households(s: Session) -> int:
        """Tiers of the households not set by hand, from their current residents'
        special groups (the rule in core/rules.py). Returns how many changed."""
        group_tier = dict(s.execute(select(SpecialGroup.code, SpecialGroup.tier_code)).all())
        tier_rank = dict(s.execute(select(VisitTier.code, VisitTier.rank)).all())
        groups: dict[int, list[str]] = {}
        for hid, codes in s.execute(
            select(Resident.household_id, Resident.special_groups).where(
                resident_current_sql(Resident.status, Resident.archived)
            )
        ):
            groups.setdefault(hid, []).extend(codes or ())
        changed = 0
        for h in s.scalars(
            select(Household).where(Household.tier_manual.is_(False), Household.archived.is_(False))
        ):
            tier = tier_for_groups(groups.get(h.id, ()), group_tier, tier_rank)
            if h.tier_code != tier:
                h.tier_code = tier
                changed += 1
        return changed
