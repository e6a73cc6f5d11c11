"""Backups for the window: list, back up now, keep how many, check a restore.

The restore itself happens with the database closed (the app closes the window,
restores, and asks for a login again), so this service only proves the password
and hands back the backup's key."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gridvisit.core import recovery
from gridvisit.core.access import Action, guarded
from gridvisit.core.services.context import ServiceContext
from gridvisit.storage import backups
from gridvisit.storage.backups import Backup, BackupPolicy
from gridvisit.storage.models import Setting

if TYPE_CHECKING:
    from gridvisit.core.auth import LoginThrottle


class BackupService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self.throttle: LoginThrottle | None = None  # tests give their own

    @property
    def available(self) -> bool:
        """Only a database file has backups here; a server keeps its own."""
        return self.ctx.db.path is not None and self.ctx.db.is_sqlite

    @guarded(Action.READ)
    def list(self) -> list[Backup]:
        return backups.list_backups(self.ctx.db.path) if self.ctx.db.path else []

    @guarded(Action.READ)
    def folder(self) -> str:
        return str(backups.backup_dir(self.ctx.db.path)) if self.ctx.db.path else ""

    @guarded(Action.RECORD)
    def create(self) -> Backup | None:
        self.ctx.require_audit_tail()
        made = recovery.backup_now(self.ctx.db)
        if made is not None:
            self.ctx.record("backup.create", file=made.path.name)
        return made

    @guarded(Action.READ)
    def policy(self) -> BackupPolicy:
        return recovery.policy(self.ctx.db)

    @guarded(Action.MANAGE_BACKUPS)
    def set_policy(self, daily: int, weekly: int) -> BackupPolicy:
        with self.ctx.write() as s:
            for key, value in ((backups.SETTING_DAILY, daily), (backups.SETTING_WEEKLY, weekly)):
                s.merge(Setting(key=key, value=str(max(1, value))))
            self.ctx.audit(s, "backup.policy", daily=daily, weekly=weekly)
        return recovery.policy(self.ctx.db)

    @guarded(Action.MANAGE_BACKUPS)
    def unlock(self, backup: Backup, password: str) -> bytes | None:
        """Check that the acting user may restore `backup` (their password in it, an
        admin in it too; wrong passwords count with the logins); returns the key
        that opens it."""
        from gridvisit.core.auth import default_throttle

        assert self.ctx.db.path is not None  # only files have backups
        return recovery.unlock_for_restore(
            self.ctx.db.path,
            backup,
            self.ctx.actor.username,
            password,
            throttle=self.throttle or default_throttle(),
        )
