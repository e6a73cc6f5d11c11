"""Users: grid workers and admins, their areas, passwords and key slots.

Who manages whom (docs/security.md, "Users"): a sub-district admin manages everyone;
a community admin manages the grid workers of their own communities only (creates
them, edits them, assigns them grids of those communities, deactivates them, resets
their passwords), and changes nothing of their own role or area. The last active
sub-district admin can be neither deactivated nor given another role, so nobody is
locked out. Every change writes an audit entry."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from gridvisit.core.access import Action, guarded
from gridvisit.core.auth import check_new_password, hash_password, password_matches
from gridvisit.core.enums import Role
from gridvisit.core.errors import (
    AuthError,
    ConflictError,
    PermissionDeniedError,
    ValidationError,
)
from gridvisit.core.passwords import generate_password
from gridvisit.core.records import Actor, UserRec
from gridvisit.core.services.context import ServiceContext, get_or_404
from gridvisit.core.validation import check_phone, require_text
from gridvisit.storage.keystore import KeyStore, keys_path
from gridvisit.storage.models import AuditEntry, Community, Grid, User, UserCommunity, UserGrid

if TYPE_CHECKING:
    from gridvisit.exchange.ledger import RowError


def _rec(user: User) -> UserRec:
    return UserRec(user.id, user.uuid, user.username, user.display_name, Role(user.role))


@dataclass(frozen=True, slots=True)
class UserRow:
    """One line of the user management window."""

    id: int
    uuid: str
    username: str
    display_name: str
    role: Role
    phone: str
    active: bool
    grids: tuple[tuple[int, str], ...]  # (grid id, "社区/网格")
    communities: tuple[tuple[int, str], ...]  # (community id, name)
    last_login: datetime | None  # the newest user.login entry of this database's log

    @property
    def area_text(self) -> str:
        names = [n for _, n in self.grids] + [n for _, n in self.communities]
        return "、".join(names)


# The list of new users (bulk add): field → headers that name it.
USER_COLUMNS: dict[str, tuple[str, ...]] = {
    "username": ("用户名", "登录名", "账号"),
    "display_name": ("姓名",),
    "role": ("角色",),
    "area": ("网格/社区", "网格或社区", "负责网格", "管理社区", "网格", "社区"),
    "phone": ("电话", "联系电话", "手机", "手机号"),
}
USER_REQUIRED = ("username", "display_name", "role")
MAX_USER_ROWS = 1000
_SPLIT = re.compile(r"[、,,;;\n]+")


@dataclass(frozen=True, slots=True)
class NewUser:
    """A user added by a bulk add, with the initial password to hand over (once)."""

    username: str
    display_name: str
    role: Role
    area: str
    password: str


@dataclass
class UserImportResult:
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    created: list[NewUser] = field(default_factory=list)
    imported: bool = False

    @property
    def invalid_rows(self) -> int:
        return len({e.row for e in self.errors})

    def report_lines(self) -> list[str]:
        from gridvisit.exchange.ledger import grouped_lines

        return grouped_lines(self.errors)

    def write_handout(self, path: Path) -> None:
        """The new users and their initial passwords as an .xlsx sheet for the admin to
        hand out (owner-only on POSIX; to be deleted once handed out)."""
        from gridvisit.core.files import tighten, write_file
        from gridvisit.exchange.ledger import write_ledger

        headers = ["用户名", "姓名", "角色", "网格/社区", "初始密码"]
        rows: list[list[Any]] = [
            [n.username, n.display_name, n.role.label, n.area, n.password] for n in self.created
        ]
        write_file(
            path, lambda fh: write_ledger(headers, rows, "新用户初始密码", fh), what="密码单"
        )
        tighten(path)


# Written here: inside UserService, `list` is the method.
_Ids = dict[int, list[int]]
_Plan = list[tuple[str, str, Role, str, list[int], list[int], str]]


class UserService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    # -- create -------------------------------------------------------------------
    @guarded(Action.MANAGE_USERS)
    def create(
        self,
        username: str,
        display_name: str,
        role: Role,
        *,
        password: str = "",
        phone: str = "",
        grid_ids: Iterable[int] = (),
        community_ids: Iterable[int] = (),
    ) -> UserRec:
        role = Role(role)
        username, display_name, phone = _checked(username, display_name, phone)
        if password or self.ctx.db.encrypted:
            check_new_password(password)
        grid_ids, community_ids = sorted(set(grid_ids)), sorted(set(community_ids))
        _check_assignment(role, grid_ids, community_ids)
        with self.ctx.write() as s:
            self._may_grant(s, role, grid_ids, community_ids)
            user = self._add(
                s, username, display_name, role, phone, grid_ids, community_ids, password
            )
            self.ctx.audit(
                s,
                "user.create",
                user,
                username=username,
                role=role.value,
                grids=grid_ids,
                communities=community_ids,
            )
            self._set_slot(username, password)
            return _rec(user)

    def _add(
        self,
        s: Session,
        username: str,
        display_name: str,
        role: Role,
        phone: str,
        grid_ids: Sequence[int],
        community_ids: Sequence[int],
        password: str = "",
    ) -> User:
        if s.scalar(select(func.count()).where(User.username == username)):
            raise ConflictError(f"用户名“{username}”已被使用。", hint="请换一个用户名。")
        user = User(
            username=username,
            display_name=display_name,
            role=role.value,
            phone=phone,
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
        return user

    # -- read ---------------------------------------------------------------------
    @guarded(Action.MANAGE_USERS)
    def rows(self) -> list[UserRow]:
        """Every user the actor manages (themselves too), active or not, with their
        grids or communities and their last login on this database."""
        with self.ctx.read() as s:
            users = [u for u in s.scalars(select(User).order_by(User.id)) if self._visible(s, u)]
            ids = [u.id for u in users]
            grid_names = {
                g.id: f"{c.name}/{g.name}"
                for g, c in s.execute(
                    select(Grid, Community).join(Community, Grid.community_id == Community.id)
                )
            }
            community_names = {i: n for i, n in s.execute(select(Community.id, Community.name))}
            grids: _Ids = {}
            for uid, gid in s.execute(
                select(UserGrid.user_id, UserGrid.grid_id).where(UserGrid.user_id.in_(ids))
            ):
                grids.setdefault(uid, []).append(gid)
            communities: _Ids = {}
            for uid, cid in s.execute(
                select(UserCommunity.user_id, UserCommunity.community_id).where(
                    UserCommunity.user_id.in_(ids)
                )
            ):
                communities.setdefault(uid, []).append(cid)
            last = {
                uid: at
                for uid, at in s.execute(
                    select(AuditEntry.actor_id, func.max(AuditEntry.at))
                    .where(AuditEntry.action == "user.login", AuditEntry.actor_id.in_(ids))
                    .group_by(AuditEntry.actor_id)
                )
            }
            return [
                UserRow(
                    u.id,
                    u.uuid,
                    u.username,
                    u.display_name,
                    Role(u.role),
                    u.phone,
                    bool(u.active),
                    tuple(
                        sorted(
                            ((g, grid_names.get(g, "?")) for g in grids.get(u.id, [])),
                            key=lambda x: x[1],
                        )
                    ),
                    tuple(
                        sorted(
                            ((c, community_names.get(c, "?")) for c in communities.get(u.id, [])),
                            key=lambda x: x[1],
                        )
                    ),
                    last.get(u.id),
                )
                for u in users
            ]

    # Below rows(): from here on, `list` in this class body names this method.
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

    # -- change -------------------------------------------------------------------
    @guarded(Action.MANAGE_USERS)
    def update(
        self,
        user_id: int,
        *,
        display_name: str | None = None,
        phone: str | None = None,
        role: Role | None = None,
        grid_ids: Iterable[int] | None = None,
        community_ids: Iterable[int] | None = None,
    ) -> UserRec:
        """Change a user's name, phone, role or area; None leaves a field as it is."""
        with self.ctx.write() as s:
            user = self.ctx.get(s, User, user_id)
            old_role = Role(user.role)
            new_role = old_role if role is None else Role(role)
            old_grids = sorted(
                s.scalars(select(UserGrid.grid_id).where(UserGrid.user_id == user_id))
            )
            old_communities = sorted(
                s.scalars(
                    select(UserCommunity.community_id).where(UserCommunity.user_id == user_id)
                )
            )
            grids = old_grids if grid_ids is None else sorted(set(grid_ids))
            communities = old_communities if community_ids is None else sorted(set(community_ids))
            if new_role is not Role.GRID_WORKER and grid_ids is None:
                grids = []
            if new_role is not Role.COMMUNITY_ADMIN and community_ids is None:
                communities = []
            name, tel = _checked(
                user.username,
                user.display_name if display_name is None else display_name,
                user.phone if phone is None else phone,
            )[1:]
            changed: dict[str, Any] = {}
            if name != user.display_name:
                changed["display_name"] = name
            if tel != user.phone:
                changed["phone"] = "changed"  # the number itself stays out of the log
            area_changed = (
                new_role is not old_role or grids != old_grids or communities != old_communities
            )
            if area_changed:
                _check_assignment(new_role, grids, communities)
                if user.id == self.ctx.actor.user_id and self.ctx.communities(s) is not None:
                    raise PermissionDeniedError(
                        "不能修改自己的角色或负责范围。", hint="请由街道管理员调整。"
                    )
                self._may_grant(s, new_role, grids, communities)
                if old_role is Role.SUBDISTRICT_ADMIN and new_role is not old_role:
                    self._keep_an_admin(s, user)
                s.execute(delete(UserGrid).where(UserGrid.user_id == user_id))
                s.execute(delete(UserCommunity).where(UserCommunity.user_id == user_id))
                s.flush()
                for gid in grids:
                    get_or_404(s, Grid, gid)
                    s.add(UserGrid(user_id=user_id, grid_id=gid))
                for cid in communities:
                    get_or_404(s, Community, cid)
                    s.add(UserCommunity(user_id=user_id, community_id=cid))
                user.role = new_role.value
                if new_role is not old_role:
                    changed["role"] = new_role.value
                if grids != old_grids:
                    changed["grids"] = grids
                if communities != old_communities:
                    changed["communities"] = communities
            if not changed:
                return _rec(user)
            user.display_name, user.phone = name, tel
            self.ctx.audit(s, "user.update", user, username=user.username, **changed)
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
        """The user can no longer log in; their grids or communities are kept, so a
        reactivation gives them back and a community admin still sees the worker."""
        if user_id == self.ctx.actor.user_id:
            raise ConflictError("不能停用自己的账号。", hint="如需停用,请由另一位管理员操作。")
        with self.ctx.write() as s:
            user = self.ctx.get(s, User, user_id)
            if not user.active:
                return
            if user.role == Role.SUBDISTRICT_ADMIN.value:
                self._keep_an_admin(s, user)
            user.active = False
            self.ctx.audit(s, "user.deactivate", user, username=user.username)
            if self.ctx.db.encrypted and self.ctx.db.path is not None:
                KeyStore.load(keys_path(self.ctx.db.path)).remove_slot(user.username)

    @guarded(Action.MANAGE_USERS)
    def reactivate(self, user_id: int) -> bool:
        """The user may log in again. On an encrypted file their key slot went with the
        deactivation: True when they need a new password before they can log in."""
        with self.ctx.write() as s:
            user = self.ctx.get(s, User, user_id)
            if user.active:
                return False
            user.active = True
            self.ctx.audit(s, "user.reactivate", user, username=user.username)
            return self.ctx.db.encrypted or not user.password_hash

    # -- bulk add -----------------------------------------------------------------
    @guarded(Action.MANAGE_USERS)
    def import_list(self, path: Path) -> UserImportResult:
        """Add the users of an .xlsx list (用户名, 姓名, 角色, 网格/社区, 电话), all or
        nothing: any invalid row and none is added, every row error is reported as the
        roster import reports its own. Each new user gets a generated password,
        returned once in the result (and never stored in clear)."""
        from gridvisit.exchange.ledger import RowError, read_table

        table = read_table(
            path,
            USER_COLUMNS,
            USER_REQUIRED,
            what="用户名单",
            max_rows=MAX_USER_ROWS,
            hint="第一行应为表头,需包含:用户名、姓名、角色;可选:网格/社区(网格员填“社区/网格”,"
            "社区管理员填社区名,多个用顿号分开)、电话。",
        )
        result = UserImportResult(rows=len(table.rows))
        label = table.label
        planned: _Plan = []
        with self.ctx.read() as s:
            taken = set(s.scalars(select(User.username)))
            mine = self.ctx.communities(s)
            grid_paths, community_names = _places(s)
            seen: dict[str, int] = {}
            for row in table.rows:
                v = row.values
                errors: list[RowError] = []

                def bad(
                    col: str, message: str, n: int = row.number, out: list[RowError] = errors
                ) -> None:
                    out.append(RowError(n, label(col), message))

                username = v.get("username", "")
                if not username:
                    bad("username", "不能为空")
                elif len(username) > 64:
                    bad("username", "过长(最多 64 个字)")
                elif username in taken:
                    bad("username", f"用户名“{username}”已被使用")
                elif username in seen:
                    bad("username", f"与第 {seen[username]} 行重复")
                else:
                    seen[username] = row.number
                name = v.get("display_name", "")
                if not name:
                    bad("display_name", "不能为空")
                elif len(name) > 64:
                    bad("display_name", "过长(最多 64 个字)")
                role: Role | None = None
                text = v.get("role", "")
                try:
                    role = Role(text) if text in {r.value for r in Role} else Role.from_label(text)
                except ValueError:
                    bad("role", "应为“网格员”“社区管理员”或“街道管理员”")
                phone = v.get("phone", "")
                if phone:
                    check = check_phone(phone)
                    if check.ok:
                        phone = check.normalized
                    else:
                        bad("phone", check.error)
                grid_ids: list[int] = []
                community_ids: list[int] = []
                parts = [p.strip() for p in _SPLIT.split(v.get("area", "")) if p.strip()]
                if role is Role.GRID_WORKER:
                    for part in parts:
                        found = _find_grid(part, grid_paths)
                        if found is None:
                            bad("area", f"找不到网格“{part}”(应写“社区/网格”)")
                        elif mine is not None and found[1] not in mine:
                            bad("area", f"网格“{part}”不在您管理的社区内")
                        else:
                            grid_ids.append(found[0])
                    if mine is not None and not parts:
                        bad("area", "请填写网格员负责的网格(“社区/网格”)")
                elif role is Role.COMMUNITY_ADMIN:
                    for part in parts:
                        cid = community_names.get(part)
                        if cid is None:
                            bad("area", f"找不到社区“{part}”")
                        else:
                            community_ids.append(cid)
                elif role is Role.SUBDISTRICT_ADMIN and parts:
                    bad("area", "街道管理员管理全部社区,不填网格或社区")
                if role is not None and role is not Role.GRID_WORKER and mine is not None:
                    bad("role", "社区管理员只能添加本社区的网格员")
                result.errors += errors
                if not errors and role is not None:
                    area = "、".join(parts)
                    planned.append((username, name, role, phone, grid_ids, community_ids, area))
        if result.errors or not planned:
            return result
        with self.ctx.write() as s:
            for username, name, role, phone, grids, communities, area in planned:
                password = generate_password()
                self._may_grant(s, role, grids, communities)
                user = self._add(s, username, name, role, phone, grids, communities, password)
                self.ctx.audit(
                    s,
                    "user.create",
                    user,
                    username=username,
                    role=role.value,
                    grids=grids,
                    communities=communities,
                    by="import",
                )
                self._set_slot(username, password)
                result.created.append(NewUser(username, name, role, area, password))
            self.ctx.audit(s, "user.import", entity="app_user", file=Path(path).name,
                           users=len(planned))  # fmt: skip
        result.imported = True
        return result

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

    def _keep_an_admin(self, s: Session, user: User) -> None:
        """Refused if `user` is the last active sub-district admin."""
        others = s.scalar(
            select(func.count()).where(
                User.role == Role.SUBDISTRICT_ADMIN.value, User.active, User.id != user.id
            )
        )
        if not others:
            raise ConflictError(
                f"“{user.username}”是最后一位在用的街道管理员,不能停用或改为其他角色。",
                hint="请先添加另一位街道管理员。",
            )

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
        if not grid_ids:
            raise ValidationError({"grids": "请至少选择一个本社区的网格"})
        for gid in grid_ids:
            self.ctx.get(s, Grid, gid)


def _checked(username: str, display_name: str, phone: str) -> tuple[str, str, str]:
    errors: dict[str, str] = {}
    username = require_text(errors, "username", "用户名", username, max_len=64)
    display_name = require_text(errors, "display_name", "姓名", display_name, max_len=64)
    phone = (phone or "").strip()
    if phone:
        check = check_phone(phone)
        if check.ok:
            phone = check.normalized
        else:
            errors["phone"] = check.error
    if errors:
        raise ValidationError(errors)
    return username, display_name, phone


def _check_assignment(role: Role, grid_ids: Sequence[int], community_ids: Sequence[int]) -> None:
    """Grids belong to grid workers, communities to community admins."""
    errors: dict[str, str] = {}
    if grid_ids and role is not Role.GRID_WORKER:
        errors["grids"] = f"{role.label}不分配网格(网格只分配给网格员)"
    if community_ids and role is not Role.COMMUNITY_ADMIN:
        errors["communities"] = f"{role.label}不分配社区(社区只分配给社区管理员)"
    if errors:
        raise ValidationError(errors)


def _places(s: Session) -> tuple[dict[str, tuple[int, int]], dict[str, int]]:
    """ "社区/网格" → (grid id, community id), and community name → id (not archived)."""
    grids: dict[str, tuple[int, int]] = {}
    for g, c in s.execute(
        select(Grid, Community)
        .join(Community, Grid.community_id == Community.id)
        .where(Grid.archived.is_(False), Community.archived.is_(False))
    ):
        grids[f"{c.name}/{g.name}"] = (g.id, c.id)
    communities = {
        name: cid
        for name, cid in s.execute(
            select(Community.name, Community.id).where(Community.archived.is_(False))
        )
    }
    return grids, communities


def _find_grid(text: str, grids: dict[str, tuple[int, int]]) -> tuple[int, int] | None:
    key = re.sub(r"\s*[/／]\s*", "/", text.strip())
    if key in grids:
        return grids[key]
    # A grid name alone, if only one community has a grid of that name.
    matches = [v for k, v in grids.items() if k.rsplit("/", 1)[-1] == key]
    return matches[0] if len(matches) == 1 else None


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
