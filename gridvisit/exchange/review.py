"""What merges leave for a supervisor: conflicts and possible duplicates, and settling them.

Settling a conflict by choosing a copy writes that copy back as a new version (so it
travels on and wins everywhere by the normal rules); keeping the current copy only
closes the conflict. Both go through the merge itself, so references are checked the
same way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gridvisit.core.clock import utcnow
from gridvisit.core.errors import NotFoundError
from gridvisit.core.masking import mask_name, scrub_text
from gridvisit.core.records import format_address
from gridvisit.exchange.merge import merge_package
from gridvisit.exchange.package import Manifest, Package
from gridvisit.exchange.records import ENTITY_LABELS, SPEC_BY_NAME, canonical
from gridvisit.storage.engine import Database
from gridvisit.storage.models import (
    BuildingGroup,
    Device,
    Grid,
    Household,
    MergeConflict,
    PossibleDuplicate,
)

DUPLICATE_LABELS = {
    "resident": "身份证号相同的居民",
    "app_user": "同名用户",
    "community": "同名社区",
    "grid": "同名网格",
    "building_group": "同名楼栋党小组",
}


@dataclass(frozen=True)
class ConflictCopy:
    payload_hash: str
    payload: dict[str, Any]
    source: str
    current: bool  # the copy the table holds now
    laptop: str = ""  # the computer whose package brought this copy ("" if stored before)

    @property
    def version(self) -> int:
        value = self.payload.get("version")
        return value if isinstance(value, int) else 0

    @property
    def package(self) -> str:
        """The package file it came in (merge writes "NAME (device)"), or ""."""
        return self.source.rsplit(" (", 1)[0] if self.source else ""


@dataclass(frozen=True)
class Conflict:
    entity: str
    uuid: str
    version: int
    detected_at: datetime
    copies: tuple[ConflictCopy, ...]
    place: str = ""  # where the record is: grid and address

    @property
    def label(self) -> str:
        return ENTITY_LABELS.get(self.entity, self.entity)

    @property
    def description(self) -> str:
        text = describe(self.entity, self.copies[0].payload)
        if not self.place or self.place == text:
            return text
        return self.place if text in self.place else f"{text}({self.place})"


@dataclass(frozen=True)
class Duplicate:
    id: int
    kind: str
    uuid_a: str
    uuid_b: str
    detected_at: datetime
    text_a: str
    text_b: str

    @property
    def label(self) -> str:
        return DUPLICATE_LABELS.get(self.kind, self.kind)


def describe(entity: str, payload: dict[str, Any]) -> str:
    """A short, masked description of a record for lists."""
    match entity:
        case "household":
            return scrub_text(
                format_address(
                    str(payload.get("building", "")),
                    str(payload.get("unit", "")),
                    str(payload.get("room", "")),
                )
            )
        case "resident":
            return mask_name(str(payload.get("name", "")))
        case "visit":
            return f"{str(payload.get('visited_at', ''))[:10]} 走访"
        case "problem":
            return _short(scrub_text(str(payload.get("description", ""))))
        case "problem_event":
            return _short(scrub_text(str(payload.get("note", "") or payload.get("kind", ""))))
        case "app_user":
            return str(payload.get("display_name", ""))
    return scrub_text(str(payload.get("name", "")))


def copy_text(entity: str, payload: dict[str, Any]) -> str:
    """One copy of a conflicting record as the review window shows it: its
    description and its notes, scrubbed like every other output (scrubbed whole,
    then shortened, so a number is never cut in half and left readable)."""
    notes = payload.get("notes") or payload.get("description") or ""
    names = [str(payload.get("name", ""))] if entity == "resident" else []
    return f"{describe(entity, payload)} {scrub_text(str(notes), names)}".strip()


def _short(text: str, width: int = 24) -> str:
    return text if len(text) <= width else text[:width] + "…"


def laptop_names(s: Session, own_device: str) -> dict[str, str]:
    """Registered computers by device id, and this one."""
    names = {d: n or "未命名的电脑" for d, n in s.execute(select(Device.device_id, Device.name))}
    names[own_device] = "本机"
    return names


def _sender(source: str, laptops: dict[str, str]) -> str:
    """The computer named in a conflict copy's source, "PACKAGE (device prefix)"."""
    if not source.endswith(")") or " (" not in source:
        return ""
    prefix = source.rsplit(" (", 1)[1][:-1]
    found = [name for device, name in laptops.items() if prefix and device.startswith(prefix)]
    return found[0] if len(found) == 1 else "未登记的电脑"


def place(s: Session, entity: str, payload: dict[str, Any]) -> str:
    """Where a record is, to tell two alike apart: grid and address."""
    household_uuid = None
    if entity == "household":
        group = s.execute(
            select(Grid.name)
            .join(BuildingGroup, BuildingGroup.grid_id == Grid.id)
            .where(BuildingGroup.uuid == payload.get("building_group"))
        ).scalar()
        return f"{group or ''} {describe('household', payload)}".strip()
    if entity in ("resident", "visit", "problem"):
        household_uuid = payload.get("household")
    if not household_uuid:
        return ""
    row = s.execute(
        select(Grid.name, Household.building, Household.unit, Household.room)
        .join(BuildingGroup, BuildingGroup.grid_id == Grid.id)
        .join(Household, Household.building_group_id == BuildingGroup.id)
        .where(Household.uuid == household_uuid)
    ).first()
    if row is None:
        return ""
    return f"{row[0]} {format_address(row[1], row[2], row[3])}"


def open_conflicts(db: Database) -> list[Conflict]:
    with db.read_session() as s:
        rows = s.execute(
            select(
                MergeConflict.entity,
                MergeConflict.uuid,
                MergeConflict.version,
                MergeConflict.payload_hash,
                MergeConflict.payload,
                MergeConflict.source,
                MergeConflict.detected_at,
            )
            .where(MergeConflict.resolved_at.is_(None))
            .order_by(MergeConflict.detected_at, MergeConflict.id)
        ).all()
        current: dict[tuple[str, str], str] = {}
        for entity, uuid in {(r.entity, r.uuid) for r in rows}:
            spec = SPEC_BY_NAME[entity]
            row = s.execute(spec.select_payload().where(spec.table.c.uuid == uuid)).first()
            if row is not None:
                text = canonical(spec.payload(row))
                current[(entity, uuid)] = hashlib.sha256(text.encode()).hexdigest()
        laptops = laptop_names(s, db.device_id)
        groups: dict[tuple[str, str, int], list[Any]] = {}
        for r in rows:
            groups.setdefault((r.entity, r.uuid, r.version), []).append(r)
        out = []
        for (entity, uuid, version), copies in groups.items():
            out.append(
                Conflict(
                    entity,
                    uuid,
                    version,
                    min(c.detected_at for c in copies),
                    tuple(
                        ConflictCopy(
                            c.payload_hash,
                            c.payload,
                            c.source,
                            current.get((entity, uuid)) == c.payload_hash,
                            _sender(c.source, laptops),
                        )
                        for c in copies
                    ),
                    place(s, entity, copies[0].payload),
                )
            )
    return out


def open_duplicates(db: Database) -> list[Duplicate]:
    with db.read_session() as s:
        rows = s.execute(
            select(
                PossibleDuplicate.id,
                PossibleDuplicate.kind,
                PossibleDuplicate.uuid_a,
                PossibleDuplicate.uuid_b,
                PossibleDuplicate.detected_at,
            )
            .where(PossibleDuplicate.resolved_at.is_(None))
            .order_by(PossibleDuplicate.detected_at, PossibleDuplicate.id)
        ).all()
        laptops = laptop_names(s, db.device_id)
        out = []
        for r in rows:
            texts = []
            for uuid in (r.uuid_a, r.uuid_b):
                spec = SPEC_BY_NAME[r.kind]
                row = s.execute(spec.select_payload().where(spec.table.c.uuid == uuid)).first()
                if row is None:
                    texts.append("(本库没有这条记录)")
                    continue
                payload = spec.payload(row)
                # Enough to decide: who, where, and from which computer.
                parts = [describe(r.kind, payload), place(s, r.kind, payload)]
                parts.append(laptops.get(str(payload.get("origin_device", "")), "未登记的电脑"))
                texts.append(" · ".join(p for p in parts if p))
            out.append(Duplicate(r.id, r.kind, r.uuid_a, r.uuid_b, r.detected_at, *texts))
    return out


Audit = Callable[[Session], None]


def resolve_conflict(
    db: Database,
    conflict: Conflict,
    chosen_hash: str | None,
    *,
    clock: Callable[[], datetime] = utcnow,
    write: Callable[[], AbstractContextManager[Session]] | None = None,
    audit: Audit | None = None,
) -> None:
    """Close a conflict; with `chosen_hash`, make that copy the current one. Called by
    ExchangeService.resolve_conflict, which checks the role and passes its write
    transaction and `audit` (written in the transaction that closes the conflict)."""
    now = clock()
    if chosen_hash is not None:
        copy = next((c for c in conflict.copies if c.payload_hash == chosen_hash), None)
        if copy is None:
            raise NotFoundError("找不到所选的版本,可能已被处理。", hint="请刷新列表。")
        spec = SPEC_BY_NAME[conflict.entity]
        with db.read_session() as s:
            version = s.scalar(
                select(spec.table.c.version).where(spec.table.c.uuid == conflict.uuid)
            )
        payload = dict(copy.payload)
        payload["version"] = max(version or 0, conflict.version) + 1
        payload["updated_at"] = now.isoformat()
        text = canonical(payload)
        package = Package(
            Manifest(
                kind="export",
                app_version="",
                device_id=db.device_id,
                exported_by="",
                created_at=now.isoformat(),
                since=None,
                until=now.isoformat(),
                grids=[],
            ),
            {conflict.entity: [payload]},
            hashlib.sha256(text.encode()).hexdigest(),
            "冲突处理",
        )
        merge_package(db, package, clock=clock, recheck=True)
    with (write or db.session)() as s:
        s.execute(
            update(MergeConflict)
            .where(
                MergeConflict.entity == conflict.entity,
                MergeConflict.uuid == conflict.uuid,
                MergeConflict.version == conflict.version,
            )
            .values(resolved_at=now)
        )
        if audit is not None:
            audit(s)


def resolve_duplicate(
    db: Database,
    duplicate_id: int,
    same: bool,
    *,
    clock: Callable[[], datetime] = utcnow,
    write: Callable[[], AbstractContextManager[Session]] | None = None,
    audit: Callable[[Session, PossibleDuplicate], None] | None = None,
) -> None:
    """Record a supervisor's verdict; merging the two records is left to the editors.
    Called by ExchangeService.resolve_duplicate (role check, audit entry)."""
    with (write or db.session)() as s:
        pair = s.get(PossibleDuplicate, duplicate_id)
        if pair is None or pair.resolved_at is not None:
            raise NotFoundError("找不到这对可能重复的记录,可能已被处理。", hint="请刷新列表。")
        pair.resolved_at = clock()
        pair.resolution = "same" if same else "different"
        if audit is not None:
            audit(s, pair)
