"""Export packages (laptop → sub-district) and return packages (sub-district → laptop).

A package is self-contained: besides the records chosen, it holds every record they
refer to (the household of a visit, the grid of a household, the user who made it...)
so that it can be merged into an empty database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from gridvisit import __version__
from gridvisit.core.clock import to_local, utcnow
from gridvisit.core.errors import OutputError
from gridvisit.core.files import safe_file_name, unique_path, write_file
from gridvisit.exchange.package import Manifest, build_package
from gridvisit.exchange.records import SPECS, Spec, canonical, chunks
from gridvisit.storage.engine import Database
from gridvisit.storage.models import (
    AuditEntry,
    BuildingGroup,
    Community,
    Grid,
    Household,
    Problem,
    Setting,
)

LAST_EXPORT_KEY = "exchange.last_export_at"
# "id:hash" of the newest audit entry the sub-district confirmed holding (return
# packages say so): grid packages carry the entries after it. Not "after the last
# export": a package refused or lost on the way would leave a gap no later package
# could fill. Entries are small, and the sub-district skips those it holds.
AUDIT_ACK_KEY = "exchange.audit_acknowledged"

Progress = Callable[[str], None]


@dataclass(frozen=True)
class ExportResult:
    path: Path
    grids: str
    counts: dict[str, int]
    since: datetime | None
    audit: dict[str, Any] | None = None  # the audit entries carried (grid packages)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _scope(spec: Spec, grid_ids: AbstractSet[int] | None) -> ColumnElement[bool] | None:
    """Rows of `spec` that belong to the grids (None: every grid)."""
    if grid_ids is None:
        return None
    ids = sorted(grid_ids)
    t = spec.table
    groups = select(BuildingGroup.id).where(BuildingGroup.grid_id.in_(ids))
    households = select(Household.id).where(Household.building_group_id.in_(groups))
    match t.name:
        case "community":
            return t.c.id.in_(select(Grid.community_id).where(Grid.id.in_(ids)))
        case "grid":
            return t.c.id.in_(ids)
        case "building_group":
            return t.c.grid_id.in_(ids)
        case "household":
            return t.c.building_group_id.in_(groups)
        case "resident" | "visit":
            return t.c.household_id.in_(households)
        case "problem":
            return t.c.grid_id.in_(ids)
        case "problem_event":
            return t.c.problem_id.in_(select(Problem.id).where(Problem.grid_id.in_(ids)))
    return None  # users travel only when something refers to them


_RETURN_TABLES = {"community", "grid", "building_group", "problem", "problem_event"}


def collect(
    session: Session,
    grid_ids: AbstractSet[int] | None,
    since: datetime | None,
    *,
    tables: set[str] | None = None,
) -> dict[str, set[int]]:
    """Ids per table: rows of the grids changed since `since`, plus everything they
    refer to, transitively."""
    chosen: dict[str, set[int]] = {s.name: set() for s in SPECS}
    refs_of: dict[str, dict[int, tuple[Any, ...]]] = {s.name: {} for s in SPECS}
    for spec in SPECS:
        if tables is not None and spec.name not in tables:
            continue
        cond = _scope(spec, grid_ids)
        if cond is None and spec.name == "app_user":
            continue
        t = spec.table
        query = select(t.c.id, *(t.c[r.column] for r in spec.refs))
        if cond is not None:
            query = query.where(cond)
        if since is not None:
            query = query.where(t.c.updated_at >= since)
        for row in session.execute(query):
            chosen[spec.name].add(row[0])
            refs_of[spec.name][row[0]] = tuple(row[1:])
    # Close over references, latest table first: every reference points to an earlier
    # table or to the same one (handled by looping until nothing new turns up).
    for spec in reversed(SPECS):
        t = spec.table
        done: set[int] = set()
        while pending := chosen[spec.name] - done:
            unknown = [i for i in pending if i not in refs_of[spec.name]]
            for batch in chunks(unknown):
                query = select(t.c.id, *(t.c[r.column] for r in spec.refs))
                for row in session.execute(query.where(t.c.id.in_(batch))):
                    refs_of[spec.name][row[0]] = tuple(row[1:])
            for ident in pending:
                for ref, target_id in zip(
                    spec.refs, refs_of[spec.name].get(ident, ()), strict=False
                ):
                    if target_id is not None:
                        chosen[ref.target.name].add(target_id)
            done |= pending
    return chosen


def package_lines(session: Session, chosen: dict[str, set[int]]) -> dict[str, list[str]]:
    lines: dict[str, list[str]] = {}
    for spec in SPECS:
        ids = sorted(chosen[spec.name])
        out: list[str] = []
        base = spec.select_payload()
        for batch in chunks(ids, 900):
            rows = session.execute(base.where(spec.table.c.id.in_(batch)).order_by(spec.table.c.id))
            out.extend(canonical(spec.payload(r)) for r in rows)
        lines[spec.name] = out
    return lines


def audit_entry_payload(e: AuditEntry) -> dict[str, Any]:
    """An audit entry as it travels: every field its hash covers, in its exact form."""
    return {
        "id": e.id,
        "at": e.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "device": e.device,
        "actor_id": e.actor_id,
        "actor_name": e.actor_name,
        "action": e.action,
        "entity": e.entity,
        "entity_uuid": e.entity_uuid,
        "detail": e.detail,
        "prev_hash": e.prev_hash,
        "hash": e.hash,
    }


def audit_section(session: Session, after: int) -> tuple[list[str], dict[str, Any]]:
    """The audit entries after `after`, as lines, and the manifest's note of them."""
    lines: list[str] = []
    tip_id, tip_hash = after, ""
    if after:
        tip_hash = session.scalar(select(AuditEntry.hash).where(AuditEntry.id == after)) or ""
    last = after
    while True:
        batch = list(
            session.scalars(
                select(AuditEntry).where(AuditEntry.id > last).order_by(AuditEntry.id).limit(5000)
            )
        )
        if not batch:
            break
        for e in batch:
            lines.append(canonical(audit_entry_payload(e)))
        last, tip_id, tip_hash = batch[-1].id, batch[-1].id, batch[-1].hash
        session.expunge_all()
    return lines, {"first": after + 1, "tip": tip_id, "tip_hash": tip_hash}


def _grid_entries(session: Session, grid_ids: Iterable[int]) -> list[dict[str, str]]:
    rows = session.execute(
        select(Grid.uuid, Grid.name, Community.name)
        .join(Community, Community.id == Grid.community_id)
        .where(Grid.id.in_(sorted(grid_ids)))
        .order_by(Community.name, Grid.name)
    )
    return [{"uuid": u, "name": g, "community": c} for u, g, c in rows]


def _all_grid_ids(session: Session) -> set[int]:
    return set(session.scalars(select(Grid.id)))


# Sealed packages are not zip files any more; their own suffix says so.
PACKAGE_SUFFIX = ".gvpkg"

# Turns the plain package into what is written (keys.seal: encrypted and signed).
Sealer = Callable[[bytes], bytes]


def _last_export(db: Database) -> datetime | None:
    value = db.setting(LAST_EXPORT_KEY)
    return datetime.fromisoformat(value) if value else None


def _audit_after(db: Database, full: bool) -> int:
    value = "" if full else (db.setting(AUDIT_ACK_KEY) or "").partition(":")[0]
    return int(value) if value.isdigit() else 0


def acknowledge_audit(db: Database, held: Any) -> bool:
    """A return package says which of this laptop's audit entries the sub-district
    holds ({"tip": id, "hash": hash}); later packages start after it. Only when that
    entry is here with the same hash: otherwise this chain is not the one the
    sub-district holds (an older backup, or a rewrite), and everything keeps going."""
    if not isinstance(held, dict):
        return False
    tip, digest = held.get("tip"), held.get("hash")
    if type(tip) is not int or type(digest) is not str or tip < 1:
        return False
    if tip <= _audit_after(db, False):
        return False
    with db.session() as s:
        if s.scalar(select(AuditEntry.hash).where(AuditEntry.id == tip)) != digest:
            return False
        s.merge(Setting(key=AUDIT_ACK_KEY, value=f"{tip}:{digest}"))
    return True


def _write(
    db: Database,
    path: Path,
    grid_ids: AbstractSet[int] | None,
    since: datetime | None,
    *,
    kind: str,
    exported_by: str,
    until: datetime,
    sealer: Sealer | None,
    audit_after: int | None = None,
    audit_held: dict[str, Any] | None = None,
) -> ExportResult:
    with db.read_session() as s:
        chosen = collect(s, grid_ids, since, tables=_RETURN_TABLES if kind == "return" else None)
        lines = package_lines(s, chosen)
        grids = _grid_entries(s, grid_ids if grid_ids is not None else _all_grid_ids(s))
        audit_lines, audit = (
            audit_section(s, audit_after) if audit_after is not None else (None, None)
        )
    manifest = Manifest(
        kind=kind,
        app_version=__version__,
        device_id=db.device_id,
        exported_by=exported_by,
        created_at=until.isoformat(),
        since=since.isoformat() if since else None,
        until=until.isoformat(),
        grids=grids,
        audit=audit,
        audit_held=audit_held,
    )
    data = build_package(manifest, lines, audit_lines)
    if sealer is not None:
        data = sealer(data)
    write_file(path, lambda fh: fh.write(data), what="数据包")
    counts = {t: n for t, n in manifest.counts.items() if n}
    return ExportResult(Path(path), manifest.grid_names, counts, since, audit)


def export_package(
    db: Database,
    path: Path,
    *,
    full: bool = False,
    exported_by: str = "",
    clock: Callable[[], datetime] = utcnow,
    sealer: Sealer | None = None,
    grid_ids: AbstractSet[int] | None = None,
) -> ExportResult:
    """Everything changed since the last successful export (all with `full`), one file;
    `grid_ids` limits it to those grids (the exporting user's area)."""
    until = clock()
    since = None if full else _last_export(db)
    result = _write(
        db,
        path,
        grid_ids,
        since,
        kind="export",
        exported_by=exported_by,
        until=until,
        sealer=sealer,
        audit_after=_audit_after(db, full),
    )
    db.set_setting(LAST_EXPORT_KEY, until.isoformat())
    return result


def export_per_grid(
    db: Database,
    folder: Path,
    *,
    full: bool = False,
    exported_by: str = "",
    clock: Callable[[], datetime] = utcnow,
    progress: Progress | None = None,
    sealer: Sealer | None = None,
    grid_ids: AbstractSet[int] | None = None,
) -> list[ExportResult]:
    """One package per grid in `folder`, as each grid's laptop would send it."""
    folder = Path(folder)
    if not folder.is_dir():
        raise OutputError(
            f"“{folder}”不是一个已存在的文件夹。", hint="按网格导出时 -o 要给出文件夹。"
        )
    until = clock()
    since = None if full else _last_export(db)
    with db.read_session() as s:
        grids = s.execute(
            select(Grid.id, Grid.name, Community.name)
            .join(Community, Community.id == Grid.community_id)
            .where(~Grid.archived)
            .order_by(Community.name, Grid.name)
        ).all()
    if grid_ids is not None:
        grids = [g for g in grids if g[0] in grid_ids]
    stamp = f"{to_local(until):%Y%m%d-%H%M}"
    audit_after = _audit_after(db, full)
    results = []
    # Two grids whose names clean to the same file name ("A:B", "A?B") get two files.
    taken: set[str] = set()
    for n, (gid, grid, community) in enumerate(grids, 1):
        if progress:
            progress(f"正在导出 {community} {grid}({n}/{len(grids)})……")
        path = unique_path(folder, f"{community}_{grid}_{stamp}{PACKAGE_SUFFIX}", taken)
        results.append(
            _write(
                db,
                path,
                {gid},
                since,
                kind="export",
                exported_by=exported_by,
                until=until,
                sealer=sealer,
                audit_after=audit_after,
            )
        )
    db.set_setting(LAST_EXPORT_KEY, until.isoformat())
    return results


def export_return(
    db: Database,
    path: Path,
    grid_id: int,
    *,
    exported_by: str = "",
    clock: Callable[[], datetime] = utcnow,
    sealer: Sealer | None = None,
    audit_held: dict[str, Any] | None = None,
) -> ExportResult:
    """The grid's hierarchy and all its problems with their events, for its laptop;
    `audit_held` tells it the newest of its audit entries held here."""
    return _write(
        db,
        path,
        {grid_id},
        None,
        kind="return",
        exported_by=exported_by,
        until=clock(),
        sealer=sealer,
        audit_held=audit_held,
    )


__all__ = [
    "ExportResult",
    "collect",
    "export_package",
    "export_per_grid",
    "export_return",
    "package_lines",
    "safe_file_name",
]
