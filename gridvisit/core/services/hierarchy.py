"""Community → grid → building group: add, rename, move, delete or archive."""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import Session

from gridvisit.core.access import Action, guarded, node_action
from gridvisit.core.errors import ConflictError, ValidationError
from gridvisit.core.records import NodeRec
from gridvisit.core.services.context import ServiceContext
from gridvisit.core.validation import require_text
from gridvisit.storage.models import BuildingGroup, Community, Grid, Household, Problem, Visit

_KINDS: dict[str, type[Community] | type[Grid] | type[BuildingGroup]] = {
    "community": Community,
    "grid": Grid,
    "building_group": BuildingGroup,
}
_LABELS = {"community": "社区", "grid": "网格", "building_group": "楼栋党小组"}


def _node(kind: str, obj: Community | Grid | BuildingGroup) -> NodeRec:
    parent = getattr(obj, "community_id", None) or getattr(obj, "grid_id", None)
    return NodeRec(kind, obj.id, obj.uuid, obj.name, parent, obj.version)


class HierarchyService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    # -- create -------------------------------------------------------------------
    @guarded(Action.ADD_COMMUNITY)
    def add_community(self, name: str) -> NodeRec:
        name = self._name(name, "community")
        with self.ctx.write() as s:
            self._unique(s, Community, name, Community.name == name)
            obj = Community(name=name)
            s.add(obj)
            s.flush()
            self.ctx.audit(s, "community.add", obj, name=name)
            return _node("community", obj)

    @guarded(Action.EDIT_HIERARCHY)
    def add_grid(self, community_id: int, name: str, leader_name: str = "") -> NodeRec:
        name = self._name(name, "grid")
        with self.ctx.write() as s:
            self.ctx.get(s, Community, community_id)
            self._unique(s, Grid, name, Grid.community_id == community_id, Grid.name == name)
            obj = Grid(community_id=community_id, name=name, leader_name=leader_name.strip())
            s.add(obj)
            s.flush()
            self.ctx.audit(s, "grid.add", obj, name=name)
            return _node("grid", obj)

    @guarded(Action.EDIT_HIERARCHY)
    def add_building_group(
        self, grid_id: int, name: str, buildings: str = "", leader_name: str = ""
    ) -> NodeRec:
        name = self._name(name, "building_group")
        with self.ctx.write() as s:
            self.ctx.get(s, Grid, grid_id)
            self._unique(
                s, BuildingGroup, name, BuildingGroup.grid_id == grid_id, BuildingGroup.name == name
            )
            obj = BuildingGroup(
                grid_id=grid_id,
                name=name,
                buildings=buildings.strip(),
                leader_name=leader_name.strip(),
            )
            s.add(obj)
            s.flush()
            self.ctx.audit(s, "building_group.add", obj, name=name)
            return _node("building_group", obj)

    @guarded(Action.READ)
    def node(self, kind: str, node_id: int) -> NodeRec:
        """One community, grid or building group as stored (with its version)."""
        model = _KINDS.get(kind)
        if model is None:
            raise ValidationError({"kind": f"未知的层级:{kind}"})
        with self.ctx.read() as s:
            return _node(kind, self.ctx.get(s, model, node_id))

    # -- change -------------------------------------------------------------------
    @guarded(Action.EDIT_HIERARCHY)
    def rename(
        self, kind: str, node_id: int, new_name: str, *, version: int | None = None
    ) -> NodeRec:
        model = _KINDS[kind]
        self._require_kind(kind)
        name = self._name(new_name, kind)
        with self.ctx.write() as s:
            obj = self.ctx.get(s, model, node_id, version=version)
            if obj.name == name:
                return _node(kind, obj)
            siblings = [model.name == name, model.id != node_id]
            if isinstance(obj, Grid):
                siblings.append(Grid.community_id == obj.community_id)
            elif isinstance(obj, BuildingGroup):
                siblings.append(BuildingGroup.grid_id == obj.grid_id)
            self._unique(s, model, name, *siblings)
            old = obj.name
            obj.name = name
            self.ctx.audit(s, f"{kind}.rename", obj, old=old, new=name)
            return _node(kind, obj)

    @guarded(Action.ADD_COMMUNITY)
    def move_grid(self, grid_id: int, community_id: int) -> NodeRec:
        with self.ctx.write() as s:
            grid = self.ctx.get(s, Grid, grid_id)
            self.ctx.get(s, Community, community_id)
            self._unique(
                s,
                Grid,
                grid.name,
                Grid.community_id == community_id,
                Grid.name == grid.name,
                Grid.id != grid_id,
            )
            old = grid.community_id
            grid.community_id = community_id
            self.ctx.audit(s, "grid.move", grid, from_community=old, to_community=community_id)
            return _node("grid", grid)

    @guarded(Action.EDIT_HIERARCHY)
    def move_building_group(self, group_id: int, grid_id: int) -> NodeRec:
        with self.ctx.write() as s:
            group = self.ctx.get(s, BuildingGroup, group_id)
            self.ctx.get(s, Grid, grid_id)
            self._unique(
                s,
                BuildingGroup,
                group.name,
                BuildingGroup.grid_id == grid_id,
                BuildingGroup.name == group.name,
                BuildingGroup.id != group_id,
            )
            old = group.grid_id
            group.grid_id = grid_id
            # Problems follow their building group to its new grid.
            for problem in s.scalars(select(Problem).where(Problem.building_group_id == group_id)):
                problem.grid_id = grid_id
            self.ctx.audit(s, "building_group.move", group, from_grid=old, to_grid=grid_id)
            return _node("building_group", group)

    @guarded(Action.EDIT_HIERARCHY)
    def delete(self, kind: str, node_id: int) -> None:
        """Delete an empty node. One that still holds anything is refused with the reason;
        one whose households have visit or problem history can only be archived."""
        model = _KINDS[kind]
        self._require_kind(kind)
        with self.ctx.write() as s:
            obj = self.ctx.get(s, model, node_id)
            label = _LABELS[kind]
            children = self._child_count(s, kind, node_id)
            if children:
                raise ConflictError(
                    f"{label}“{obj.name}”下还有 {children} 个下级单位或住户,不能删除。",
                    hint="请先移走或删除其下级,或改为归档。",
                )
            if kind == "grid" and s.scalar(select(exists().where(Problem.grid_id == node_id))):
                raise ConflictError(
                    f"网格“{obj.name}”有问题记录,不能删除。", hint="有历史记录的网格只能归档。"
                )
            if kind == "building_group" and s.scalar(
                select(exists().where(Problem.building_group_id == node_id))
            ):
                raise ConflictError(
                    f"楼栋党小组“{obj.name}”有问题记录,不能删除。", hint="有历史记录的只能归档。"
                )
            self.ctx.audit(s, f"{kind}.delete", obj, name=obj.name)
            s.delete(obj)

    @guarded(Action.EDIT_HIERARCHY)
    def archive(self, kind: str, node_id: int) -> None:
        model = _KINDS[kind]
        self._require_kind(kind)
        with self.ctx.write() as s:
            obj = self.ctx.get(s, model, node_id)
            if kind != "building_group" and self._child_count(s, kind, node_id):
                raise ConflictError(
                    f"{_LABELS[kind]}“{obj.name}”下还有未归档的下级,不能归档。",
                    hint="请先归档或移走其下级。",
                )
            if kind == "building_group":
                active = s.scalar(
                    select(func.count()).where(
                        Household.building_group_id == node_id, Household.archived.is_(False)
                    )
                )
                if active:
                    raise ConflictError(
                        f"楼栋党小组“{obj.name}”下还有 {active} 户住户,不能归档。",
                        hint="请先把住户移到其他楼栋党小组。",
                    )
            obj.archived = True
            self.ctx.audit(s, f"{kind}.archive", obj, name=obj.name)

    # -- read ---------------------------------------------------------------------
    @guarded(Action.READ)
    def communities(self) -> list[NodeRec]:
        with self.ctx.read() as s:
            q = select(Community).where(Community.archived.is_(False)).order_by(Community.name)
            area = self.ctx.area(s)
            if area is not None:
                q = q.where(Community.id.in_(select(Grid.community_id).where(Grid.id.in_(area))))
            return [_node("community", c) for c in s.scalars(q)]

    @guarded(Action.READ)
    def grids(self, community_id: int | None = None) -> list[NodeRec]:
        with self.ctx.read() as s:
            q = select(Grid).where(Grid.archived.is_(False)).order_by(Grid.name)
            if community_id is not None:
                q = q.where(Grid.community_id == community_id)
            area = self.ctx.area(s)
            if area is not None:
                q = q.where(Grid.id.in_(area))
            return [_node("grid", g) for g in s.scalars(q)]

    @guarded(Action.READ)
    def building_groups(self, grid_id: int | None = None) -> list[NodeRec]:
        with self.ctx.read() as s:
            q = select(BuildingGroup).where(BuildingGroup.archived.is_(False))
            if grid_id is not None:
                q = q.where(BuildingGroup.grid_id == grid_id)
            area = self.ctx.area(s)
            if area is not None:
                q = q.where(BuildingGroup.grid_id.in_(area))
            return [_node("building_group", b) for b in s.scalars(q.order_by(BuildingGroup.id))]

    # -- helpers ------------------------------------------------------------------
    def _require_kind(self, kind: str) -> None:
        # Communities themselves are the sub-district's to change (core/access.py).
        self.ctx.require(node_action(kind))

    @staticmethod
    def _name(value: str, kind: str) -> str:
        errors: dict[str, str] = {}
        name = require_text(errors, "name", f"{_LABELS[kind]}名称", value, max_len=64)
        if errors:
            raise ValidationError(errors)
        return name

    @staticmethod
    def _unique(s: Session, model: type, name: str, *where: ColumnElement[bool]) -> None:
        if s.scalar(select(exists().where(*where))):
            raise ConflictError(f"已经有名为“{name}”的同级单位。", hint="请换一个名称。")

    @staticmethod
    def _child_count(s: Session, kind: str, node_id: int) -> int:
        if kind == "community":
            q = select(func.count()).where(Grid.community_id == node_id, Grid.archived.is_(False))
        elif kind == "grid":
            q = select(func.count()).where(
                BuildingGroup.grid_id == node_id, BuildingGroup.archived.is_(False)
            )
        else:
            q = select(func.count()).where(Household.building_group_id == node_id)
        return int(s.scalar(q) or 0)


def household_has_history(s: Session, household_id: int) -> bool:
    return bool(
        s.scalar(select(exists().where(Visit.household_id == household_id)))
        or s.scalar(select(exists().where(Problem.household_id == household_id)))
    )
