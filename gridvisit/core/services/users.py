"""Users: grid workers and admins, their areas, passwords and key slots."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from gridvisit.core.access import Action, guarded
from gridvisit.core.auth import check_new_password, hash_password, password_matches
from gridvisit.core.enums import Role
from gridvisit.core.errors import AuthError, ConflictError, PermissionDeniedError, ValidationError
from gridvisit.core.records import Actor, UserRec
from gridvisit.core.services.context import ServiceContext, get_or_404
from gridvisit.core.validation import require_text
from gridvisit.storage.keystore import KeyStore, keys_path
from gridvisit.storage.models import Community, Grid, User, UserCommunity, UserGrid


def _rec(user: User) -> UserRec:
    return UserRec(user.id, user.uuid, user.username, user.display_name, Role(user.role))


class UserService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    @guarded(Action.MANAGE_USERS)
    def create(
        self,
        username: str,
        display_name: str,
        role: Role,
        *,
        password: str = "",
        grid_ids: Iterable[int] = (),
        community_ids: Iterable[int] = (),
    ) -> UserRec:
        errors: dict[str, str] = {}
        username = require_text(errors, "username", "用户名", username, max_len=64)
        display_name = require_text(errors, "display_name", "姓名", display_name, max_len=64)
        if errors:
            raise ValidationError(errors)
        if password or self.ctx.db.encrypted:
            check_new_password(password)
        grid_ids, community_ids = list(grid_ids), list(community_ids)
        with self.ctx.write() as s:
            self._may_grant(s, role, grid_ids, community_ids)
            if s.scalar(select(func.count()).where(User.username == username)):
                raise ConflictError(f"用户名“{username}”已被使用。", hint="请换一个用户名。")
            user = User(
                username=username,
                display_name=display_name,
                role=role.value,
                password_hash=hash_password(password) if password else "",
            )
            s.add(user)
            s.flush()
            for gid in grid_ids:
                get_or_404(s, Grid, gid)
                s.add(UserGrid(user_id=user.id, grid_id=gid))
            for cid in community_ids:
                get_or_404(s, Community, cid)
                s.add(UserCommunity(user_id=user.id, community_id=cid))
            self.ctx.audit(s, "user.create", user, username=username, role=role.value)
            self._set_slot(username, password)
            return _rec(user)

    @guarded(Action.MANAGE_USERS)
    def list(self) -> list[UserRec]:
        with self.ctx.read() as s:
            users = s.scalars(select(User).where(User.active).order_by(User.id))
            return [_rec(u) for u in users if self._visible(s, u)]

    @guarded(Action.READ)
    def get(self, user_id: int) -> UserRec:
        with self.ctx.read() as s:
            user = self.ctx.get(s, User, user_id)
            return _rec(user)

    @guarded(Action.READ)
    def change_own_password(self, old: str, new: str) -> None:
        check_new_password(new, "new_password")
        with self.ctx.write() as s:
            user = get_or_404(s, User, self.ctx.actor.user_id)
            if not password_matches(user.password_hash, old):
                raise AuthError("原密码不正确。", hint="请重新输入原密码。")
            user.password_hash = hash_password(new)
            self.ctx.audit(s, "user.password", user, by="self")
            self._set_slot(user.username, new)

    @guarded(Action.MANAGE_USERS)
    def reset_password(self, user_id: int, new: str) -> None:
        """An admin sets another user's password (forgotten, or after encryption)."""
        check_new_password(new)
        with self.ctx.write() as s:
            user = self.ctx.get(s, User, user_id)
            user.password_hash = hash_password(new)
            self.ctx.audit(s, "user.password", user, by="admin")
            self._set_slot(user.username, new)

    @guarded(Action.MANAGE_USERS)
    def deactivate(self, user_id: int) -> None:
        if user_id == self.ctx.actor.user_id:
            raise ConflictError("不能停用自己的账号。")
        with self.ctx.write() as s:
            user = self.ctx.get(s, User, user_id)
            user.active = False
            s.execute(delete(UserGrid).where(UserGrid.user_id == user_id))
            self.ctx.audit(s, "user.deactivate", user)
            if self.ctx.db.encrypted and self.ctx.db.path is not None:
                KeyStore.load(keys_path(self.ctx.db.path)).remove_slot(user.username)

    # -- helpers ------------------------------------------------------------------
    def _set_slot(self, username: str, password: str) -> None:
        # Written inside the transaction: if the key file cannot be written, the
        # password change rolls back with it.
        db = self.ctx.db
        if db.encrypted and db.path is not None and password:
            assert db.key is not None
            KeyStore.load(keys_path(db.path)).set_slot(username, password, db.key)

    def _visible(self, s: Session, user: User) -> bool:
        try:
            self.ctx.check_area(s, user)
        except PermissionDeniedError:
            return False
        return True

    def _may_grant(
        self, s: Session, role: Role, grid_ids: Sequence[int], community_ids: Sequence[int]
    ) -> None:
        """A community admin creates grid workers for grids of their own communities."""
        if self.ctx.communities(s) is None:
            return
        if role is not Role.GRID_WORKER or community_ids:
            raise PermissionDeniedError(
                "社区管理员只能为本社区的网格添加网格员。", hint="其他角色请由街道管理员添加。"
            )
        for gid in grid_ids:
            self.ctx.get(s, Grid, gid)


def ensure_default_admin(ctx: ServiceContext) -> Actor:
    """The first sub-district admin, created on first start if there is none. Used for
    internal work and by tests; people log in through core.auth."""
    with ctx.write() as s:
        user = s.scalars(
            select(User)
            .where(User.role == Role.SUBDISTRICT_ADMIN.value, User.active)
            .order_by(User.id)
            .limit(1)
        ).first()
        if user is None:
            # A merged user (who has no rights here) may hold the name already.
            taken = set(s.scalars(select(User.username).where(User.username.like("admin%"))))
            name = next(
                n for n in ("admin", *(f"admin{i}" for i in range(2, 10**6))) if n not in taken
            )
            user = User(username=name, display_name="管理员", role=Role.SUBDISTRICT_ADMIN.value)
            s.add(user)
            s.flush()
            ctx.audit(s, "user.create", user, username=name, role=user.role)
        return Actor(user.id, user.username, user.display_name, Role(user.role))
