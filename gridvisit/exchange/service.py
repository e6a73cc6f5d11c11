"""The exchange behind the access rules: what the CLI and the GUI call. Each method
checks the role and area, seals or unseals packages, and writes an audit entry."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from gridvisit.core.access import Action, guarded
from gridvisit.core.clock import to_local
from gridvisit.core.errors import PackageSecurityError
from gridvisit.core.recovery import backup_now
from gridvisit.core.services.context import ServiceContext
from gridvisit.exchange import keys as keyring
from gridvisit.exchange.export import (
    PACKAGE_SUFFIX,
    ExportResult,
    export_package,
    export_per_grid,
    export_return,
    safe_file_name,
)
from gridvisit.exchange.ledger import ImportResult, LedgerResult, export_ledger, import_roster
from gridvisit.exchange.merge import MergeStats, Progress, merge_package
from gridvisit.exchange.package import Package
from gridvisit.storage.backups import Reason
from gridvisit.storage.models import Grid

DEVICE_NAME_KEY = "device.name"


class ExchangeService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def _area(self) -> frozenset[int] | None:
        with self.ctx.read() as s:
            return self.ctx.area(s)

    @guarded(Action.EXPORT_PACKAGE)
    def export_package(self, path: Path, *, full: bool = False) -> ExportResult:
        self.ctx.require_audit_tail()
        sealer = keyring.export_sealer(self.ctx.db)
        result = export_package(
            self.ctx.db,
            path,
            full=full,
            exported_by=self.ctx.actor.username,
            sealer=sealer,
            grid_ids=self._area(),
        )
        self.ctx.record("package.export", file=Path(path).name, full=full)
        return result

    @guarded(Action.EXPORT_PACKAGE)
    def default_package_name(self) -> str:
        """A file name that says whose package it is: the grids, this computer's name
        (from its public key) and the moment, e.g. 锦绣花园网格_网格电脑A_20261202-0945."""
        with self.ctx.read() as s:
            q = select(Grid.name).where(Grid.archived.is_(False)).order_by(Grid.id)
            area = self.ctx.area(s)
            if area is not None:
                q = q.where(Grid.id.in_(area))
            grids = list(s.scalars(q))
        if len(grids) > 2:
            grids = [grids[0], f"等{len(grids)}个网格"]
        laptop = self.ctx.db.setting(DEVICE_NAME_KEY) or self.ctx.actor.display_name or ""
        stamp = f"{to_local(self.ctx.now()):%Y%m%d-%H%M}"
        parts = [*grids, laptop, stamp]
        stem = "_".join(p for p in parts if p)[:120]  # far below every file system's limit
        return safe_file_name(stem + PACKAGE_SUFFIX)

    @guarded(Action.EXPORT_PACKAGE)
    def export_per_grid(
        self, folder: Path, *, full: bool = False, progress: Progress | None = None
    ) -> list[ExportResult]:
        self.ctx.require_audit_tail()
        sealer = keyring.export_sealer(self.ctx.db)
        results = export_per_grid(
            self.ctx.db,
            folder,
            full=full,
            exported_by=self.ctx.actor.username,
            progress=progress,
            sealer=sealer,
            grid_ids=self._area(),
        )
        self.ctx.record("package.export", folder=str(folder), packages=len(results), full=full)
        return results

    @guarded(Action.MERGE)
    def merge_file(
        self,
        path: Path,
        *,
        recheck: bool = False,
        progress: Progress | None = None,
        backup: bool = True,
    ) -> tuple[Package, MergeStats]:
        """A grid's package at the sub-district, verified and decrypted first. With
        `backup` (the first package of a batch), the database is backed up before."""
        self.ctx.require_audit_tail()
        package = keyring.read_sealed(self.ctx.db, path)
        return package, self._merge(path, package, recheck, progress, backup)

    @guarded(Action.RECORD)
    def merge_return(
        self, path: Path, *, progress: Progress | None = None, backup: bool = True
    ) -> tuple[Package, MergeStats]:
        """The sub-district's return package, on a laptop."""
        self.ctx.require_audit_tail()
        package = keyring.read_sealed(self.ctx.db, path)
        if package.manifest.kind != "return":
            raise PackageSecurityError(
                f"“{Path(path).name}”不是街道发来的回传包。",
                hint="网格电脑只能合并回传包;网格数据包由街道合并。",
            )
        return package, self._merge(path, package, False, progress, backup)

    def _merge(
        self,
        path: Path,
        package: Package,
        recheck: bool,
        progress: Progress | None,
        backup: bool,
    ) -> MergeStats:
        if backup:
            backup_now(self.ctx.db, Reason.MERGE)
        stats = merge_package(self.ctx.db, package, recheck=recheck, progress=progress)
        self.ctx.record("package.merge", file=Path(path).name, **stats.as_dict())
        return stats

    @guarded(Action.EXPORT_RETURN)
    def export_return(
        self, path: Path, grid_id: int, device: str | None = None
    ) -> tuple[ExportResult, keyring.PublicKey]:
        self.ctx.require_audit_tail()
        to = keyring.find_device(self.ctx.db, device)
        result = export_return(
            self.ctx.db,
            path,
            grid_id,
            exported_by=self.ctx.actor.username,
            sealer=lambda data: keyring.seal(self.ctx.db, data, [to]),
        )
        self.ctx.record(
            "package.export_return", file=Path(path).name, grid=grid_id, device=to.device_id
        )
        return result, to

    @guarded(Action.READ)
    def export_ledger(self, kind: str, path: Path, *, masked: bool = True) -> LedgerResult:
        if not masked:
            self.ctx.require(Action.EXPORT_UNMASKED)
            self.ctx.require_audit_tail()
        result = export_ledger(self.ctx.db, kind, path, masked=masked, grid_ids=self._area())
        if not masked:
            self.ctx.record(
                "ledger.export_unmasked", kind=kind, file=Path(path).name, rows=result.rows
            )
        return result

    @guarded(Action.IMPORT_ROSTER)
    def import_roster(self, path: Path, *, skip_invalid: bool = False) -> ImportResult:
        self.ctx.require_audit_tail()
        outcome = import_roster(
            self.ctx.db, path, skip_invalid=skip_invalid, actor_id=self.ctx.actor.user_id
        )
        if outcome.imported:
            self.ctx.record(
                "roster.import",
                file=Path(path).name,
                households=outcome.households,
                residents=outcome.residents,
            )
        return outcome


@dataclass(frozen=True)
class KeyOverview:
    own: keyring.PublicKey
    subdistrict: keyring.PublicKey | None
    devices: list[keyring.PublicKey]


class KeyService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    @guarded(Action.EXPORT_PACKAGE)
    def create(self, path: Path, name: str) -> keyring.PublicKey:
        """This database's key pair (made once) and its public key file."""
        self.ctx.require_audit_tail()
        public = keyring.write_public_file(self.ctx.db, path, name.strip())
        if name.strip():
            # Names this computer's packages (default_package_name).
            self.ctx.db.set_setting(DEVICE_NAME_KEY, name.strip())
        self.ctx.record("keys.create", fingerprint=public.fingerprint)
        return public

    @guarded(Action.EXPORT_PACKAGE)
    def trust_subdistrict(self, key_file: Path) -> keyring.PublicKey:
        self.ctx.require_audit_tail()
        public = keyring.read_public_file(key_file)
        keyring.trust_subdistrict(self.ctx.db, public)
        self.ctx.record("keys.trust_subdistrict", fingerprint=public.fingerprint, name=public.name)
        return public

    @guarded(Action.MANAGE_DEVICES)
    def register_device(self, key_file: Path) -> tuple[keyring.PublicKey, bool]:
        self.ctx.require_audit_tail()
        public = keyring.read_public_file(key_file)
        new = keyring.register_device(self.ctx.db, public, by=self.ctx.actor.username)
        if new:
            self.ctx.record(
                "keys.register_device",
                device=public.device_id,
                name=public.name,
                fingerprint=public.fingerprint,
            )
        return public, new

    @guarded(Action.READ)
    def overview(self) -> KeyOverview:
        return KeyOverview(
            keyring.identity(self.ctx.db).public(),
            keyring.subdistrict_key(self.ctx.db),
            keyring.registered_devices(self.ctx.db),
        )
