"""What every service needs: the database, the acting user, a clock, and audit writing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from gridvisit.core.clock import utcnow
from gridvisit.core.errors import NotFoundError
from gridvisit.core.records import Actor
from gridvisit.storage.audit import append_audit
from gridvisit.storage.engine import Database
from gridvisit.storage.models import Base

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

    def audit(self, session: Session, action: str, obj: Any = None, **detail: Any) -> None:
        append_audit(
            session,
            at=self.now(),
            device=self.db.device_id,
            actor_id=self.actor.user_id,
            actor_name=self.actor.username,
            action=action,
            entity=type(obj).__tablename__ if obj is not None else "",
            entity_uuid=getattr(obj, "uuid", "") if obj is not None else "",
            detail=_jsonable(detail),
        )


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
