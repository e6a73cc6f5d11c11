"""What every service needs: the database, the acting user, a clock, and audit writing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridvisit.core.access import Action, allowed, denied, out_of_area
from gridvisit.core.clock import utcnow
from gridvisit.core.enums import Role
from gridvisit.core.errors import NotFoundError, StaleRecordError
from gridvisit.core.records import Actor, Scope
from gridvisit.storage.audit import append_audit, read_tail, tail_refused
from gridvisit.storage.engine import Database
from gridvisit.storage.models import (
    Base,
    BuildingGroup,
    Community,
    Grid,
    Household,
    Problem,
    Resident,
    User,
    UserCommunity,
    UserGrid,
    Visit,
)

M = TypeVar("M", bound=Base)

_ENTITY_LABELS = {
    "Community": "社区",
    "Grid": "网格",
    "BuildingGroup": "楼栋党小组",
    "Household": "住户",
    "Resident": "居民",
    "Visit": "走访记录",
    "Problem": "问题",
    "User": "用户",
}


@dataclass
class ServiceContext:
    db: Database
    actor: Actor
    clock: Callable[[], datetime] = field(default=utcnow)

    def now(self) -> datetime:
        return self.clock()

    @contextmanager
    def write(self) -> Iterator[Session]:
        with self.db.session(actor_id=self.actor.user_id, clock=self.clock) as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self.db.read_session() as session:
            yield session

    # -- access ---------------------------------------------------------------------
    def can(self, action: Action) -> bool:
        return allowed(self.actor.role, action)

    def require(self, action: Action) -> None:
        if not self.can(action):
            raise denied(self.actor.role, action)

    def area(self, s: Session) -> frozenset[int] | None:
        """Ids of the grids the actor works in; None = every grid (sub-district)."""
        role = Role(self.actor.role)
        if role is Role.SUBDISTRICT_ADMIN:
            return None
        if self.actor.user_id is None:
            return frozenset()
        if role is Role.COMMUNITY_ADMIN:
            mine = self.communities(s) or frozenset()
            return frozenset(s.scalars(select(Grid.id).where(Grid.community_id.in_(mine))))
        return frozenset(
            s.scalars(select(UserGrid.grid_id).where(UserGrid.user_id == self.actor.user_id))
        )

    def communities(self, s: Session) -> frozenset[int] | None:
        """Communities the actor may manage (None = all); grid workers manage none."""
        role = Role(self.actor.role)
        if role is Role.SUBDISTRICT_ADMIN:
            return None
        if role is Role.COMMUNITY_ADMIN and self.actor.user_id is not None:
            return frozenset(
                s.scalars(
                    select(UserCommunity.community_id).where(
                        UserCommunity.user_id == self.actor.user_id
                    )
                )
            )
        return frozenset()

    def get(
        self, s: Session, model: type[M], ident: int | None, *, version: int | None = None
    ) -> M:
        """`get_or_404`, then refused unless the record lies in the actor's area.

        `version`: the version the form was filled from. A record stored at another
        version was changed behind the form (another window on the server, a merge):
        refused with StaleRecordError rather than overwritten. The UPDATE itself is
        guarded too (`version_id_col`, storage/models.py), for a change that commits
        between this read and the write. docs/architecture.md#several-staff-at-once"""
        obj = get_or_404(s, model, ident)
        self.check_area(s, obj)
        if version is not None and getattr(obj, "version", version) != version:
            raise StaleRecordError(_ENTITY_LABELS.get(model.__name__, ""))
        return obj

    def check_id(self, s: Session, model: type[Base], ident: int | None) -> None:
        """For reads by id: refused if the record exists outside the actor's area (a
        missing one simply yields nothing)."""
        obj = s.get(model, ident) if ident is not None else None
        if obj is not None:
            self.check_area(s, obj)

    def check_area(self, s: Session, obj: Any) -> None:
        area = self.area(s)
        if area is None:
            return
        if isinstance(obj, Community):
            communities = self.communities(s)
            inside = (communities is not None and obj.id in communities) or bool(
                area & set(s.scalars(select(Grid.id).where(Grid.community_id == obj.id)))
            )
            if not inside:
                raise out_of_area()
            return
        if isinstance(obj, User):
            if obj.id != self.actor.user_id and not self._manages_user(s, obj):
                raise out_of_area()
            return
        if _grid_of(s, obj) not in area:
            raise out_of_area()

    def _manages_user(self, s: Session, user: User) -> bool:
        communities = self.communities(s)
        if communities is None:
            return True
        if not communities or user.role != Role.GRID_WORKER.value:
            return False
        grids = select(UserGrid.grid_id).where(UserGrid.user_id == user.id)
        theirs = set(s.scalars(select(Grid.community_id).where(Grid.id.in_(grids))))
        return bool(theirs) and theirs <= communities

    def narrow(self, s: Session, scope: Scope) -> Scope:
        """The scope limited to the actor's area; a node outside it is refused."""
        area = self.area(s)
        if area is None:
            return scope
        if scope.building_group_id is not None:
            self.check_area(s, get_or_404(s, BuildingGroup, scope.building_group_id))
        elif scope.grid_id is not None and scope.grid_id not in area:
            raise out_of_area()
        elif scope.community_id is not None:
            self.check_area(s, get_or_404(s, Community, scope.community_id))
        limit = area if scope.grid_ids is None else area & scope.grid_ids
        return replace(scope, grid_ids=frozenset(limit))

    def require_audit_tail(self) -> None:
        """For work that writes its audit entry afterwards (a file written, a package
        merged, a backup made): refused before it starts when the entry could not be
        appended (storage.audit), so nothing is done unaudited and then reported as
        failed."""
        with self.read() as s:
            problem = read_tail(s).problem
        if problem is not None:
            raise tail_refused(problem)

    def record(self, action: str, **detail: Any) -> None:
        """An audit entry in its own transaction, for reading or sending data (a reveal
        is audited with its read, in the same transaction, through `audit`)."""
        with self.write() as s:
            self.audit(s, action, **detail)

    def audit(
        self,
        session: Session,
        action: str,
        obj: Any = None,
        *,
        entity: str = "",
        entity_uuid: str = "",
        **detail: Any,
    ) -> None:
        """`obj` names the record; for a record not loaded as one (a merge conflict
        names its table and UUID), `entity` and `entity_uuid` do."""
        append_audit(
            session,
            at=self.now(),
            device=self.db.device_id,
            actor_id=self.actor.user_id,
            actor_name=self.actor.username,
            action=action,
            entity=type(obj).__tablename__ if obj is not None else entity,
            entity_uuid=getattr(obj, "uuid", "") if obj is not None else entity_uuid,
            detail=_jsonable(detail),
        )


def _grid_of(s: Session, obj: Any) -> int | None:
    if isinstance(obj, Grid):
        return obj.id
    if isinstance(obj, BuildingGroup | Problem):
        return obj.grid_id
    if isinstance(obj, Household):
        return s.scalar(
            select(BuildingGroup.grid_id).where(BuildingGroup.id == obj.building_group_id)
        )
    if isinstance(obj, Resident | Visit):
        household = s.get(Household, obj.household_id)
        return _grid_of(s, household) if household is not None else None
    raise TypeError(f"no area rule for {type(obj).__name__}")


def get_or_404(session: Session, model: type[M], ident: int | None) -> M:
    obj = session.get(model, ident) if ident is not None else None
    if obj is None or getattr(obj, "archived", False):
        label = _ENTITY_LABELS.get(model.__name__, "记录")
        raise NotFoundError(
            f"找不到这条{label}(编号 {ident}),可能已被删除或归档。", hint="请刷新列表后重试。"
        )
    return obj


def _jsonable(detail: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in detail.items():
        if isinstance(value, datetime):
            out[key] = value.isoformat()
        elif isinstance(value, (str, int, float, bool)) or value is None:
            out[key] = value
        elif isinstance(value, (list, tuple)):
            out[key] = [str(v) for v in value]
        else:
            out[key] = str(value)
    return out
