"""Query pieces the services and the exchange share: limiting household and problem
queries to a part of the hierarchy, each household's last visit, the problem
categories' labels. Plain SQL over the models, no access rules (those are the
services')."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVarTuple

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from gridvisit.core.records import Scope
from gridvisit.storage.models import (
    BuildingGroup,
    Grid,
    Household,
    Problem,
    ProblemCategory,
    Visit,
)

# Any query: the pieces keep its columns.
Ts = TypeVarTuple("Ts")


def households_in(q: Select[*Ts], scope: Scope) -> Select[*Ts]:
    if scope.grid_ids is not None:
        allowed = select(BuildingGroup.id).where(BuildingGroup.grid_id.in_(scope.grid_ids))
        q = q.where(Household.building_group_id.in_(allowed))
    if scope.building_group_id is not None:
        return q.where(Household.building_group_id == scope.building_group_id)
    if scope.grid_id is not None:
        groups = select(BuildingGroup.id).where(BuildingGroup.grid_id == scope.grid_id)
        return q.where(Household.building_group_id.in_(groups))
    if scope.community_id is not None:
        groups = (
            select(BuildingGroup.id)
            .join(Grid, BuildingGroup.grid_id == Grid.id)
            .where(Grid.community_id == scope.community_id)
        )
        return q.where(Household.building_group_id.in_(groups))
    return q


def problems_in(q: Select[*Ts], scope: Scope) -> Select[*Ts]:
    if scope.grid_ids is not None:
        q = q.where(Problem.grid_id.in_(scope.grid_ids))
    if scope.building_group_id is not None:
        return q.where(Problem.building_group_id == scope.building_group_id)
    if scope.grid_id is not None:
        return q.where(Problem.grid_id == scope.grid_id)
    if scope.community_id is not None:
        grids = select(Grid.id).where(Grid.community_id == scope.community_id)
        return q.where(Problem.grid_id.in_(grids))
    return q


def last_visits(before: datetime | None = None) -> Select[int, datetime]:
    """household_id and its latest visited_at (as `last`), optionally before a moment."""
    q = select(Visit.household_id, func.max(Visit.visited_at).label("last")).where(
        Visit.archived.is_(False)  # a deleted visit does not count
    )
    if before is not None:
        q = q.where(Visit.visited_at < before)
    return q.group_by(Visit.household_id)


def category_labels(categories: list[tuple[str, str, str | None]]) -> dict[str, str]:
    """code -> "物业管理 / 电梯" (parent / child) or the top-level name itself."""
    names = {code: name for code, name, _parent in categories}
    return {
        code: f"{names[parent]} / {name}" if parent in names else name
        for code, name, parent in categories
    }


def load_category_labels(s: Session) -> dict[str, str]:
    return category_labels(
        [
            (code, name, parent)
            for code, name, parent in s.execute(
                select(ProblemCategory.code, ProblemCategory.name, ProblemCategory.parent_code)
            )
        ]
    )
