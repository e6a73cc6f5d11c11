"""The exchange behind the access rules: what the CLI and the GUI call. Each method
checks the role and area, seals or unseals packages, and writes an audit entry."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridvisit.core.access import Action, guarded
from gridvisit.core.clock import to_local
from gridvisit.core.errors import GridVisitError, NotFoundError, PackageSecurityError
from gridvisit.core.recovery import backup_now
from gridvisit.core.services.context import ServiceContext
from gridvisit.exchange import keys as keyring
from gridvisit.exchange.anchor import AuditRewritten
from gridvisit.exchange.export import (
    PACKAGE_SUFFIX,
    ExportResult,
    acknowledge_audit,
    export_package,
    export_per_grid,
    export_return,
    safe_file_name,
)
from gridvisit.exchange.ledger import (
    ImportArea,
    ImportResult,
    LedgerResult,
    export_ledger,
    import_roster,
)
from gridvisit.exchange.merge import MergeStats, Progress, merge_package
from gridvisit.exchange.package import Package
from gridvisit.exchange.review import (
    Conflict,
    Duplicate,
    open_conflicts,
    open_duplicates,
    resolve_conflict,
    resolve_duplicate,
)
from gridvisit.exchange.trust import Sender
from gridvisit.storage.backups import Reason
from gridvisit.storage.models import (
    Community,
    Device,
    DeviceCommunity,
    DeviceGrid,
    Grid,
    PossibleDuplicate,
)

DEVICE_NAME_KEY = "device.name"


class ExchangeService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def _area(self) -> frozenset[int] | None:
        with self.ctx.read() as s:
            return self.ctx.area(s)

    def _import_area(self) -> ImportArea | None:
        with self.ctx.read() as s:
            grids = self.ctx.area(s)
            if grids is None:
                return None
            may_build = self.ctx.can(Action.EDIT_HIERARCHY)
            communities = (self.ctx.communities(s) or frozenset()) if may_build else frozenset()
            return ImportArea(grids, communities)

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
        # safe_file_name also cuts the stem to what every file system takes.
        return safe_file_name("_".join(p for p in parts if p) + PACKAGE_SUFFIX)

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

    @guarded(Action.RECORD)
    def merge(
        self,
        path: Path,
        *,
        recheck: bool = False,
        progress: Progress | None = None,
        backup: bool = True,
    ) -> tuple[Package, MergeStats]:
        """Whatever package this is: the sub-district's return package (any user of
        the laptop), or a grid package (the sub-district's merge right)."""
        if keyring.signed_by_subdistrict(self.ctx.db, path):
            return self.merge_return(path, progress=progress, backup=backup)
        return self.merge_file(path, recheck=recheck, progress=progress, backup=backup)

    @guarded(Action.MERGE)
    def merge_file(
        self,
        path: Path,
        *,
        recheck: bool = False,
        progress: Progress | None = None,
        backup: bool = True,
    ) -> tuple[Package, MergeStats]:
        """A grid's package at the sub-district, verified and decrypted first, from a
        registered device and only within its area. With `backup` (the first package
        of a batch), the database is backed up before. A refusal is audited."""
        self.ctx.require_audit_tail()
        return self._refusals_audited(
            path,
            lambda: self._merge(
                path, keyring.read_sealed(self.ctx.db, path), "device", recheck, progress, backup
            ),
        )

    @guarded(Action.RECORD)
    def merge_return(
        self, path: Path, *, progress: Progress | None = None, backup: bool = True
    ) -> tuple[Package, MergeStats]:
        """The sub-district's return package, on a laptop: only what is addressed to
        grids this laptop holds."""
        self.ctx.require_audit_tail()
        package, stats = self._refusals_audited(
            path,
            lambda: self._merge(
                path,
                keyring.read_sealed(self.ctx.db, path, expect="return"),
                "subdistrict",
                False,
                progress,
                backup,
            ),
        )
        acknowledge_audit(self.ctx.db, package.manifest.audit_held)
        return package, stats

    def _merge(
        self,
        path: Path,
        package: Package,
        kind: str,
        recheck: bool,
        progress: Progress | None,
        backup: bool,
    ) -> tuple[Package, MergeStats]:
        if backup:
            backup_now(self.ctx.db, Reason.MERGE)
        sender = Sender("device" if kind == "device" else "subdistrict", package.manifest.device_id)
        stats = merge_package(
            self.ctx.db, package, recheck=recheck, progress=progress, sender=sender
        )
        self.ctx.record(
            "package.merge",
            file=Path(path).name,
            device=package.manifest.device_id,
            **stats.as_dict(),
        )
        return package, stats

    def _refusals_audited(
        self, path: Path, merge: Callable[[], tuple[Package, MergeStats]]
    ) -> tuple[Package, MergeStats]:
        try:
            return merge()
        except GridVisitError as exc:
            device = _device_named_in(exc)
            if isinstance(exc, AuditRewritten) and device:
                keyring.flag_device(self.ctx.db, device, exc.message)
                self.ctx.record("device.audit_flagged", device=device, reason=exc.message)
            self.ctx.record(
                "package.refused", file=Path(path).name, device=device, reason=exc.message
            )
            raise

    @guarded(Action.EXPORT_RETURN)
    def export_return(
        self, path: Path, grid_id: int, device: str | None = None
    ) -> tuple[ExportResult, keyring.PublicKey]:
        self.ctx.require_audit_tail()
        to = keyring.find_device(self.ctx.db, device)
        with self.ctx.read() as s:
            if grid_id not in _device_grids(s, to.device_id):
                grid = s.get(Grid, grid_id)
                raise PackageSecurityError(
                    f"网格“{grid.name if grid else grid_id}”不在电脑“{to.name or to.device_id[:8]}”"
                    "登记的负责范围内,不能把它的回传包发给这台电脑。",
                    hint="请选对电脑(--device),或先调整这台电脑的负责范围(keys set-area)。",
                )
            known = s.get(Device, to.device_id)
            held = (
                {"tip": known.audit_tip_id, "hash": known.audit_tip_hash}
                if known is not None and known.audit_tip_id
                else None
            )
        result = export_return(
            self.ctx.db,
            path,
            grid_id,
            exported_by=self.ctx.actor.username,
            sealer=lambda data: keyring.seal(self.ctx.db, data, [to]),
            audit_held=held,
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
        """Within the actor's area: their grids' households and residents; new grids
        and building groups only in communities they manage (EDIT_HIERARCHY), new
        communities only for the sub-district (docs/security.md#roster-import-scope-issue-20)."""
        self.ctx.require_audit_tail()
        outcome = import_roster(
            self.ctx.db,
            path,
            skip_invalid=skip_invalid,
            actor_id=self.ctx.actor.user_id,
            area=self._import_area(),
        )
        if outcome.imported:
            self.ctx.record(
                "roster.import",
                file=Path(path).name,
                households_added=outcome.households_added,
                households_updated=outcome.households_updated,
                residents_added=outcome.residents_added,
                residents_updated=outcome.residents_updated,
            )
        return outcome

    # -- the merge review: conflicts and possible duplicates merges left ---------------
    # Settled by whoever may merge grid packages (the sub-district), as the menu says;
    # a laptop's user who merged a return package is refused, the lists included
    # (they span every grid).
    @guarded(Action.MERGE)
    def conflicts(self) -> list[Conflict]:
        return open_conflicts(self.ctx.db)

    @guarded(Action.MERGE)
    def duplicates(self) -> list[Duplicate]:
        return open_duplicates(self.ctx.db)

    @guarded(Action.MERGE)
    def resolve_conflict(self, conflict: Conflict, chosen_hash: str | None) -> None:
        """Keep the current copy (None) or make the chosen one current; audited in the
        transaction that closes the conflict, on the service clock."""
        self.ctx.require_audit_tail()
        resolve_conflict(
            self.ctx.db,
            conflict,
            chosen_hash,
            clock=self.ctx.clock,
            write=self.ctx.write,
            audit=lambda s: self.ctx.audit(
                s,
                "review.resolve_conflict",
                entity=conflict.entity,
                entity_uuid=conflict.uuid,
                version=conflict.version,
                chosen=(chosen_hash or "")[:12],
            ),
        )

    @guarded(Action.MERGE)
    def resolve_duplicate(self, duplicate_id: int, same: bool) -> None:
        def audit(s: Session, pair: PossibleDuplicate) -> None:
            self.ctx.audit(
                s,
                "review.resolve_duplicate",
                entity=pair.kind,
                entity_uuid=pair.uuid_a,
                kind=pair.kind,
                same=same,
            )

        resolve_duplicate(
            self.ctx.db,
            duplicate_id,
            same,
            clock=self.ctx.clock,
            write=self.ctx.write,
            audit=audit,
        )


def _device_named_in(exc: GridVisitError) -> str:
    return exc.device_id if isinstance(exc, PackageSecurityError) else ""


def _device_grids(s: Session, device_id: str) -> set[int]:
    grids = set(s.scalars(select(DeviceGrid.grid_id).where(DeviceGrid.device_id == device_id)))
    communities = select(DeviceCommunity.community_id).where(DeviceCommunity.device_id == device_id)
    return grids | set(s.scalars(select(Grid.id).where(Grid.community_id.in_(communities))))


@dataclass(frozen=True)
class KeyOverview:
    own: keyring.PublicKey
    subdistrict: keyring.PublicKey | None
    devices: list[keyring.DeviceInfo]
    copy_problem: str | None  # this file may be a copy of another device's (binding)


class KeyService:
    """Keys and trust. Whatever decides whom this database trusts, or what it signs
    as, needs MANAGE_DEVICES (administrators); handing out this device's public key
    does not."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    @guarded(Action.EXPORT_PACKAGE)
    def create(self, path: Path, name: str, *, new_key: bool = False) -> keyring.PublicKey:
        """This database's key pair (made once) and its public key file; `new_key`
        replaces the pair (after a revocation), which only an administrator may do."""
        self.ctx.require_audit_tail()
        if new_key:
            self.ctx.require(Action.MANAGE_DEVICES)
            keyring.require_own_identity(self.ctx.db)
            old = keyring.identity(self.ctx.db).public().fingerprint
            keyring.new_key_pair(self.ctx.db)
        public = keyring.write_public_file(self.ctx.db, path, name.strip())
        if name.strip():
            # Names this computer's packages (default_package_name).
            self.ctx.db.set_setting(DEVICE_NAME_KEY, name.strip())
        if new_key:
            self.ctx.record("keys.new_key", old=old, fingerprint=public.fingerprint)
        else:
            self.ctx.record("keys.create", fingerprint=public.fingerprint)
        return public

    @guarded(Action.MANAGE_DEVICES)
    def trust_subdistrict(self, key_file: Path) -> keyring.PublicKey:
        self.ctx.require_audit_tail()
        public = keyring.read_public_file(key_file)
        keyring.trust_subdistrict(self.ctx.db, public)
        self.ctx.record("keys.trust_subdistrict", fingerprint=public.fingerprint, name=public.name)
        return public

    @guarded(Action.MANAGE_DEVICES)
    def register_device(
        self,
        key_file: Path,
        grids: Sequence[tuple[str, str]] = (),
        communities: Sequence[str] = (),
        *,
        create_missing: bool = False,
    ) -> tuple[keyring.PublicKey, keyring.Outcome]:
        """Register a laptop for its grids ((community, grid) names) or, for a
        community laptop, its communities. `create_missing` creates named nodes this
        database does not have yet."""
        self.ctx.require_audit_tail()
        public = keyring.read_public_file(key_file)
        keyring.check_registration(self.ctx.db, public)
        grid_ids, community_ids = self._area_ids(grids, communities, create_missing)
        outcome = keyring.register_device(
            self.ctx.db,
            public,
            by=self.ctx.actor.username,
            grid_ids=grid_ids,
            community_ids=community_ids,
        )
        if outcome != "unchanged":
            self.ctx.record(
                "keys.register_device",
                device=public.device_id,
                name=public.name,
                fingerprint=public.fingerprint,
                outcome=outcome,
                grids=[f"{c}/{g}" for c, g in grids],
                communities=list(communities),
            )
        return public, outcome

    @guarded(Action.MANAGE_DEVICES)
    def set_area(
        self,
        device: str,
        grids: Sequence[tuple[str, str]] = (),
        communities: Sequence[str] = (),
        *,
        create_missing: bool = False,
    ) -> keyring.DeviceInfo:
        self.ctx.require_audit_tail()
        info = keyring.find_any_device(self.ctx.db, device)
        grid_ids, community_ids = self._area_ids(grids, communities, create_missing)
        keyring.set_device_area(self.ctx.db, info.device_id, grid_ids, community_ids)
        self.ctx.record(
            "keys.device_area",
            device=info.device_id,
            name=info.name,
            grids=[f"{c}/{g}" for c, g in grids],
            communities=list(communities),
        )
        return keyring.find_any_device(self.ctx.db, info.device_id)

    @guarded(Action.MANAGE_DEVICES)
    def revoke_device(self, device: str) -> keyring.DeviceInfo:
        """Refuse every package this device signs from now on (it may come back with a
        new key)."""
        self.ctx.require_audit_tail()
        info = keyring.find_any_device(self.ctx.db, device)
        keyring.revoke_device(self.ctx.db, info.device_id, by=self.ctx.actor.username)
        self.ctx.record(
            "keys.revoke_device",
            device=info.device_id,
            name=info.name,
            fingerprint=info.fingerprint,
        )
        return keyring.find_any_device(self.ctx.db, info.device_id)

    @guarded(Action.MANAGE_DEVICES)
    def new_identity(self, *, force: bool = False) -> tuple[str, str]:
        """A copied database becomes a device of its own (new id and key pair). A
        sub-district database (one with registered computers) keeps its identity
        unless `force`: every laptop encrypts to it."""
        self.ctx.require_audit_tail()
        active = [d for d in keyring.devices(self.ctx.db) if d.revoked_at is None]
        if active and not force:
            raise PackageSecurityError(
                f"这是街道的数据库(登记了 {len(active)} 台电脑):换了身份,这些电脑导出的数据包"
                "就都打不开了,它们要重新导入街道公钥。",
                hint="如果只是把数据库搬到了新位置或新服务器,请用 keys confirm-device 保留身份;"
                "确要换身份,请加 --force。",
            )
        old, new = keyring.new_identity(self.ctx.db)
        self.ctx.record("keys.new_identity", old=old, new=new)
        return old, new

    @guarded(Action.MANAGE_DEVICES)
    def confirm_device(self) -> None:
        """The same device whose file was moved or restored here keeps its identity."""
        self.ctx.require_audit_tail()
        problem = keyring.binding_problem(self.ctx.db)
        keyring.confirm_device(self.ctx.db)
        if problem:
            self.ctx.record("keys.confirm_device", device=self.ctx.db.device_id)

    @guarded(Action.READ)
    def overview(self) -> KeyOverview:
        return KeyOverview(
            keyring.identity(self.ctx.db).public(),
            keyring.subdistrict_key(self.ctx.db),
            keyring.devices(self.ctx.db),
            keyring.binding_problem(self.ctx.db),
        )

    def _area_ids(
        self, grids: Sequence[tuple[str, str]], communities: Sequence[str], create: bool
    ) -> tuple[list[int], list[int]]:
        """Local ids of the named nodes, creating missing ones when asked (audited like
        any hierarchy change); otherwise a missing name is an error."""
        grid_ids, community_ids = [], []
        with self.ctx.write() as s:
            for name in communities:
                community_ids.append(self._community(s, name, create).id)
            for community, grid in grids:
                parent = self._community(s, community, create)
                found = s.scalar(
                    select(Grid).where(Grid.community_id == parent.id, Grid.name == grid.strip())
                )
                if found is None:
                    if not create or not grid.strip():
                        raise NotFoundError(
                            f"本数据库里没有网格“{community}/{grid}”。",
                            hint="请检查名称,或加 --create 新建这个网格。",
                        )
                    found = Grid(community_id=parent.id, name=grid.strip()[:64])
                    s.add(found)
                    s.flush()
                    self.ctx.audit(s, "grid.add", found, name=found.name)
                grid_ids.append(found.id)
        return grid_ids, community_ids

    def _community(self, s: Session, name: str, create: bool) -> Community:
        name = name.strip()
        found = s.scalar(select(Community).where(Community.name == name))
        if found is None:
            if not create or not name:
                raise NotFoundError(
                    f"本数据库里没有社区“{name}”。",
                    hint="请检查名称,或加 --create 新建这个社区。",
                )
            found = Community(name=name[:64])
            s.add(found)
            s.flush()
            self.ctx.audit(s, "community.add", found, name=found.name)
        return found
