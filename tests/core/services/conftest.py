from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from gridvisit.core.records import ResidentInput
from gridvisit.core.services import Services


@dataclass
class Area:
    community: Any
    grid: Any
    group: Any
    other_group: Any
    elder: Any  # a household with a resident living alone: the 重点 tier (7 days)
    family: Any  # the 一般 tier (90 days)
    elsewhere: Any  # in the other building group


@pytest.fixture
def area(services: Services) -> Area:
    h = services.hierarchy
    community = h.add_community("甲社区")
    grid = h.add_grid(community.id, "甲一网格")
    group = h.add_building_group(grid.id, "1号楼")
    other = h.add_building_group(grid.id, "2号楼")
    register = services.households.register
    elder = register(
        group.id, "1", "1", "101",
        residents=(ResidentInput("张三", special_groups=("living_alone_elderly",), is_head=True),),
    )  # fmt: skip
    family = register(group.id, "1", "1", "102", residents=(ResidentInput("李四", is_head=True),))
    elsewhere = register(other.id, "2", "", "201", residents=(ResidentInput("王五"),))
    return Area(community, grid, group, other, elder, family, elsewhere)
