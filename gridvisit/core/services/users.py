"""Users (grid workers and admins). Passwords and login come with the security work."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select

from gridvisit.core.enums import Role
from gridvisit.core.errors import ConflictError, ValidationError
from gridvisit.core.records import Actor, UserRec
from gridvisit.core.services.context import ServiceContext, get_or_404
from gridvisit.core.validation import require_text
from gridvisit.storage.models import Grid, User, UserCommunity, UserGrid


def _rec(user: User) -> UserRec:
    return UserRec(user.id, user.uuid, user.username, user.display_name, Role(user.role))


class UserService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def create(
        self,
        username: str,
        display_name: str,
        role: Role,
        *,
        grid_ids: Iterable[int] = (),
        community_ids: Iterable[int] = (),
    ) -> UserRec:
        errors: dict[str, str] = {}
        username = require_text(errors, "username", "用户名", username, max_len=64)
        display_name = require_text(errors, "display_name", "姓名", display_name, max_len=64)
        if errors:
            raise ValidationError(errors)
        with self.ctx.write() as s:
            if s.scalar(select(func.count()).where(User.username == username)):
                raise ConflictError(f"用户名“{username}”已被使用。", hint="请换一个用户名。")
            user = User(username=username, display_name=display_name, role=role.value)
            s.add(user)
            s.flush()
            for gid in grid_ids:
                get_or_404(s, Grid, gid)
                s.add(UserGrid(user_id=user.id, grid_id=gid))
            for cid in community_ids:
                s.add(UserCommunity(user_id=user.id, community_id=cid))
            self.ctx.audit(s, "user.create", user, username=username, role=role.value)
            return _rec(user)

    def list(self) -> list[UserRec]:
        with self.ctx.read() as s:
            return [_rec(u) for u in s.scalars(select(User).where(User.active).order_by(User.id))]

    def get(self, user_id: int) -> UserRec:
        with self.ctx.read() as s:
            return _rec(get_or_404(s, User, user_id))


def ensure_default_admin(ctx: ServiceContext) -> Actor:
    """Until login exists, the app acts as the first sub-district admin, created on first start."""
    with ctx.write() as s:
        user = s.scalars(
            select(User)
            .where(User.role == Role.SUBDISTRICT_ADMIN.value, User.active)
            .order_by(User.id)
            .limit(1)
        ).first()
        if user is None:
            user = User(username="admin", display_name="管理员", role=Role.SUBDISTRICT_ADMIN.value)
            s.add(user)
            s.flush()
            ctx.audit(s, "user.create", user, username="admin", role=user.role)
        return Actor(user.id, user.username, user.display_name, Role(user.role))
