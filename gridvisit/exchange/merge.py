"""Merging packages into a database (SQLite or PostgreSQL), by UUID.

Rules, per record:
- unknown UUID: inserted;
- a newer version than the stored one: the stored one is replaced, and its content is
  kept in `record_version`;
- the same content: unchanged;
- the same version with other content: a conflict. Every competing copy goes into
  `merge_conflict` for a supervisor; the table keeps the copy edited last (ties broken
  by content), so the result never depends on the order packages arrive in;
- an older version: unchanged, unless `record_version` knows that version with other
  content, which is a conflict too.
Problem events are append-only, so the same rules union them. Residents sharing a
citizen ID number under different UUIDs, and same-named users or hierarchy nodes made
on different devices, are listed in `possible_duplicate`. A hierarchy node named like
one already here is taken to be that node: its UUID becomes an alias.

Each package is applied in one transaction: all of it or nothing. With a `sender`
(every package the app merges), the sender's area decides what the package may change
(exchange/trust.py) and a grid package's audit trail must extend what this database
holds for its device (exchange/anchor.py); anything else refuses the whole package.

On PostgreSQL several merges may run at once (one per clerk or script). Each takes one
transaction-scoped advisory lock first, so merges run one after another: a merge reads
before it writes (names already here, stored versions, conflicts, the audit anchor),
and making every one of those reads safe against a concurrent writer would mean
retrying whole packages. One lock gives the sequential end state by construction;
merges are batch work, and waiting for the one before costs nothing a user sees.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Table, bindparam, insert, select, text, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gridvisit.core.clock import to_local, utcnow
from gridvisit.core.errors import PackageSecurityError
from gridvisit.exchange import anchor, trust
from gridvisit.exchange.package import Package, PackageError
from gridvisit.exchange.records import (
    ENTITY_LABELS,
    SPEC_BY_NAME,
    SPECS,
    RecordError,
    Spec,
    _dump,
    canonical,
    chunks,
    content_hash,
    table_of,
)
from gridvisit.storage.engine import MERGE_LOCK, Database
from gridvisit.storage.models import (
    Device,
    MergeConflict,
    MergeLog,
    PossibleDuplicate,
    ProblemCategory,
    RecordVersion,
    Resident,
    SpecialGroup,
    UrgencyLevel,
    UuidAlias,
    VisitTier,
)

Progress = Callable[[str], None]

# Natural keys of the tables whose names are unique: (unique columns).
_NATURAL = {
    "app_user": ("username",),
    "community": ("name",),
    "grid": ("community_id", "name"),
    "building_group": ("grid_id", "name"),
}
_CODES: dict[str, tuple[type[VisitTier] | type[ProblemCategory] | type[UrgencyLevel], str]] = {
    "tier_code": (VisitTier, "走访等级"),
    "category_code": (ProblemCategory, "问题类别"),
    "urgency_code": (UrgencyLevel, "紧急程度"),
}


@dataclass
class TableStats:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicts: int = 0


@dataclass
class MergeStats:
    package: str = ""
    tables: dict[str, TableStats] = field(default_factory=dict)
    duplicates: int = 0
    merged_before: datetime | None = None  # set when the same file was merged already

    def _sum(self, name: str) -> int:
        return sum(getattr(t, name) for t in self.tables.values())

    @property
    def inserted(self) -> int:
        return self._sum("inserted")

    @property
    def updated(self) -> int:
        return self._sum("updated")

    @property
    def unchanged(self) -> int:
        return self._sum("unchanged")

    @property
    def conflicts(self) -> int:
        return self._sum("conflicts")

    def as_dict(self) -> dict[str, int]:
        return {
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "conflicts": self.conflicts,
            "duplicates": self.duplicates,
        }

    def summary(self) -> str:
        if self.merged_before is not None:
            when = to_local(self.merged_before)
            return f"已于 {when:%Y-%m-%d %H:%M} 合并过同一文件,{self.unchanged} 条记录均未变"
        return (
            f"新增 {self.inserted},更新 {self.updated},未变 {self.unchanged},"
            f"冲突 {self.conflicts},疑似重复 {self.duplicates}"
        )


def _insert_ignore(session: Session, table: Table) -> Any:
    """INSERT that skips rows clashing with a unique key, on SQLite and PostgreSQL."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table).on_conflict_do_nothing()
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table).on_conflict_do_nothing()


class _Incoming:
    __slots__ = ("_text", "number", "spec", "values")

    def __init__(self, spec: Spec, values: dict[str, Any], number: int) -> None:
        self.spec = spec
        self.values = values  # column values; references as UUIDs under their keys
        self.number = number
        self._text: str | None = None

    @property
    def where(self) -> str:
        return f"{self.spec.label}第 {self.number} 条"

    @property
    def uuid(self) -> str:
        uuid: str = self.values["uuid"]  # checked against its String column on reading
        return uuid

    @property
    def version(self) -> int:
        version: int = self.values["version"]  # checked against its Integer column
        return version

    @property
    def text(self) -> str:
        """Canonical JSON, made only when a conflict or an update needs it."""
        if self._text is None:
            norm = {c.name: _dump(self.values[c.name]) for c in self.spec.plain}
            norm.update({ref.key: self.values[ref.key] for ref in self.spec.refs})
            self._text = canonical(norm)
        return self._text

    def rank(self) -> tuple[str, str]:
        return (_dump(self.values["updated_at"]), self.text)


class _Merge:
    def __init__(
        self, session: Session, package: Package, now: datetime, guard: trust.Guard | None = None
    ) -> None:
        self.s = session
        self.package = package
        self.now = now
        self.guard = guard
        self.source = f"{package.name} ({package.manifest.device_id[:8]})"
        self.ids: dict[str, dict[str, int]] = {spec.name: {} for spec in SPECS}
        self.aliases: dict[str, dict[str, str]] = {}
        for entity, alias, target in session.execute(
            select(UuidAlias.entity, UuidAlias.alias, UuidAlias.uuid)
        ):
            self.aliases.setdefault(entity, {})[alias] = target
        self.codes = {
            col: set(session.scalars(select(model.code))) for col, (model, _) in _CODES.items()
        }
        self.groups = set(session.scalars(select(SpecialGroup.code)))
        self.stats = MergeStats(package=package.name)

    # --- lookups ---------------------------------------------------------------------

    def _known(self, spec: Spec, uuids: Iterable[str]) -> dict[str, tuple[Any, ...]]:
        """Stored rows of these UUIDs, as tuples in `_columns` order (id first, then
        every column, references as local ids)."""
        t = spec.table
        query = select(*(t.c[c] for c in _columns(spec)))
        out: dict[str, tuple[Any, ...]] = {}
        uuid_at = _columns(spec).index("uuid")
        for batch in chunks(list(uuids)):
            for row in self.s.execute(query.where(t.c.uuid.in_(batch))).all():
                out[row[uuid_at]] = tuple(row)
        return out

    @staticmethod
    def _same(spec: Spec, r: _Incoming, stored: tuple[Any, ...]) -> bool:
        """Same content? Column values, references as local ids: far cheaper than text."""
        incoming = r.values
        for name, mine in zip(_columns(spec)[1:], stored[1:], strict=True):
            if incoming[name] != mine:
                if name == "username" and incoming[name] == _login_name(mine, incoming["uuid"]):
                    continue
                return False
        return True

    def _stored(self, spec: Spec, uuids: Iterable[str]) -> dict[str, str]:
        """Canonical text of stored rows."""
        out: dict[str, str] = {}
        base = spec.select_payload()
        for batch in chunks(list(uuids)):
            for row in self.s.execute(base.where(spec.table.c.uuid.in_(batch))):
                payload = spec.payload(row)
                if spec.name == "app_user":  # see _match_names
                    payload["username"] = _login_name(payload["username"], payload["uuid"])
                out[payload["uuid"]] = canonical(payload)
        return out

    def _resolve(self, spec: Spec, rows: list[_Incoming], *, self_refs: bool) -> None:
        """Turn reference UUIDs into local ids, in place (`<column>` keys)."""
        for ref in spec.refs:
            if (ref.target is spec.table) != self_refs:
                continue
            target = ref.target.name
            cache = self.ids[target]
            alias = self.aliases.get(target, {})
            wanted = {
                alias.get(r.values[ref.key], r.values[ref.key])
                for r in rows
                if r.values[ref.key] is not None
            }
            missing = [u for u in wanted if u not in cache]
            if missing:
                t = ref.target
                for batch in chunks(missing):
                    for uuid, ident in self.s.execute(
                        select(t.c.uuid, t.c.id).where(t.c.uuid.in_(batch))
                    ):
                        cache[uuid] = ident
            for r in rows:
                key = r.values[ref.key]
                if key is None:
                    r.values[ref.column] = None
                    continue
                ident = cache.get(alias.get(key, key))
                if ident is None:
                    raise RecordError(
                        f"{r.where}:引用的{_label(target)}({key})在数据包和本数据库中都不存在"
                    )
                r.values[ref.column] = ident

    def _row(self, spec: Spec, r: _Incoming, *, with_self_refs: bool) -> dict[str, Any]:
        out = {c.name: r.values[c.name] for c in spec.plain}
        for ref in spec.refs:
            if ref.target is spec.table and not with_self_refs:
                continue
            out[ref.column] = r.values[ref.column]
        return out

    # --- applying --------------------------------------------------------------------

    def apply(self, spec: Spec, payloads: list[dict[str, Any]]) -> None:
        stats = self.stats.tables.setdefault(spec.name, TableStats())
        rows = [
            _Incoming(spec, values, n)
            for n, values in enumerate(spec.values_many(payloads, spec.label), 1)
        ]
        self._check_codes(spec, rows)
        if len({r.uuid for r in rows}) != len(rows):
            seen: set[str] = set()
            for r in rows:
                if r.uuid in seen:
                    raise RecordError(f"{r.where}:UUID 在数据包中重复")
                seen.add(r.uuid)
        alias = self.aliases.get(spec.name, {})
        skipped = [r for r in rows if r.uuid in alias]
        stats.unchanged += len(skipped)
        rows = [r for r in rows if r.uuid not in alias]
        known = self._known(spec, (r.uuid for r in rows))
        for uuid, stored in known.items():
            self.ids[spec.name][uuid] = stored[0]
        self._resolve(spec, rows, self_refs=False)
        new = [r for r in rows if r.uuid not in known]
        old = [r for r in rows if r.uuid in known]
        if self.guard is not None and new:
            self.guard.screen_new(spec.name, new)
        written = self._insert(spec, new) if new else []
        stats.inserted += len(written)
        if spec.self_refs:  # targets may be rows just inserted
            self._resolve(spec, rows, self_refs=True)
        if self.guard is not None and old:
            old, dropped = self.guard.screen_known(
                spec.name, old, known, _columns(spec), lambda r, st: self._same(spec, r, st)
            )
            stats.unchanged += dropped
        if old:
            written += self._reconcile(spec, old, known, stats)
        self._set_self_refs(spec, written)

    def _check_codes(self, spec: Spec, rows: list[_Incoming]) -> None:
        for col, (_, label) in _CODES.items():
            if rows and col in rows[0].values:
                known = self.codes[col]
                for r in rows:
                    if r.values[col] not in known:
                        code = r.values[col]
                        raise RecordError(f"{r.where}:{label}代码“{code}”在本数据库中不存在")
        if spec.name == "resident":
            for r in rows:
                unknown = [g for g in r.values["special_groups"] if g not in self.groups]
                if unknown:
                    raise RecordError(f"{r.where}:重点人群代码“{unknown[0]}”在本数据库中不存在")

    def _insert(self, spec: Spec, rows: list[_Incoming]) -> list[_Incoming]:
        t = spec.table
        natural = _NATURAL.get(spec.name)
        if natural:
            rows = self._match_names(spec, rows, natural)
        if not rows:
            return []
        if self.guard is not None and spec.name != "app_user" and natural:
            for r in rows:
                self.guard.create(spec.name, r)
        # Rights never travel (trust.py): a user new here can do nothing until an
        # administrator here gives them a role, an area and a password.
        extra = trust.NO_RIGHTS if spec.name == "app_user" else {}
        # Plain executemany, then one query for the new ids: several times faster than
        # INSERT ... RETURNING, which SQLAlchemy runs row by row through its compiler.
        for batch in chunks(rows, 5000):
            self.s.execute(
                insert(t), [{**self._row(spec, r, with_self_refs=False), **extra} for r in batch]
            )
        cache = self.ids[spec.name]
        for batch in chunks([r.uuid for r in rows]):
            for uuid, ident in self.s.execute(select(t.c.uuid, t.c.id).where(t.c.uuid.in_(batch))):
                cache[uuid] = ident
        if self.guard is not None:
            self.guard.created(spec.name, ((r, cache[r.uuid]) for r in rows))
        return rows

    def _match_names(
        self, spec: Spec, rows: list[_Incoming], natural: tuple[str, ...]
    ) -> list[_Incoming]:
        t = spec.table
        here = {
            tuple(row[1:]): (row[0], ident)
            for ident, *row in self.s.execute(select(t.c.id, t.c.uuid, *(t.c[c] for c in natural)))
        }
        keep = []
        for r in rows:
            key = tuple(r.values[c] for c in natural)
            if key not in here:
                keep.append(r)
                continue
            other_uuid, ident = here[key]
            if self.guard is not None and spec.name != "app_user":
                self.guard.alias(spec.name, r, ident)
            self._flag_duplicate(spec.name, r.uuid, other_uuid)
            if spec.name == "app_user":
                # Two people may well share a login name on different laptops: keep both.
                r.values["username"] = _renamed_login(r.values["username"], r.uuid)
                keep.append(r)
                continue
            self.s.add(UuidAlias(entity=spec.name, alias=r.uuid, uuid=other_uuid))
            self.aliases.setdefault(spec.name, {})[r.uuid] = other_uuid
            self.ids[spec.name][r.uuid] = ident
            self.stats.tables[spec.name].unchanged += 1
        return keep

    def _reconcile(
        self,
        spec: Spec,
        rows: list[_Incoming],
        known: dict[str, tuple[Any, ...]],
        stats: TableStats,
    ) -> list[_Incoming]:
        """Update, keep or flag rows already here; returns the rows written."""
        differ = [
            r
            for r in rows
            if r.version != _version(spec, known[r.uuid]) or not self._same(spec, r, known[r.uuid])
        ]
        stats.unchanged += len(rows) - len(differ)
        rows = differ
        stored = self._stored(
            spec, (r.uuid for r in rows if r.version >= _version(spec, known[r.uuid]))
        )
        older = [r for r in rows if r.version < _version(spec, known[r.uuid])]
        history = self._history(spec, older)
        replace: list[_Incoming] = []
        for r in rows:
            version = _version(spec, known[r.uuid])
            if r.version > version:
                self._remember(spec, r.uuid, version, stored[r.uuid])
                replace.append(r)
            elif r.version == version:
                mine = stored[r.uuid]
                if self._conflict(spec, r, mine):
                    stats.conflicts += 1
                else:
                    stats.unchanged += 1
                if r.rank() > (_updated_at(mine), mine):
                    replace.append(r)
            else:
                before = history.get((r.uuid, r.version))
                if before is None:
                    # Remember it: a later copy of this version with other content must
                    # be a conflict whether it comes before or after this one.
                    self._remember(spec, r.uuid, r.version, r.text)
                    stats.unchanged += 1
                elif before != r.text and self._conflict(spec, r, before):
                    stats.conflicts += 1
                else:
                    stats.unchanged += 1
        stats.updated += sum(1 for r in replace if r.version > _version(spec, known[r.uuid]))
        if replace:
            t = spec.table
            if spec.name == "app_user":
                self._keep_logins_unique(replace)
            stmt = update(t).where(t.c.id == bindparam("_id"))
            params = []
            for r in replace:
                row = self._row(spec, r, with_self_refs=False)
                row["_id"] = known[r.uuid][0]
                params.append(row)
            for batch in chunks(params, 2000):
                self.s.execute(stmt, batch)
        return replace

    def _keep_logins_unique(self, rows: list[_Incoming]) -> None:
        """A user renamed elsewhere to a login name someone here has: renamed as on
        insert (see `_match_names`)."""
        t = SPEC_BY_NAME["app_user"].table
        names = [r.values["username"] for r in rows]
        taken = dict(
            self.s.execute(select(t.c.username, t.c.uuid).where(t.c.username.in_(names))).all()
        )
        for r in rows:
            holder = taken.get(r.values["username"])
            if holder is not None and holder != r.uuid:
                r.values["username"] = _renamed_login(r.values["username"], r.uuid)

    def _history(self, spec: Spec, rows: list[_Incoming]) -> dict[tuple[str, int], str]:
        out: dict[tuple[str, int], str] = {}
        keys = [(r.uuid, r.version) for r in rows]
        for batch in chunks(keys):
            for uuid, version, payload in self.s.execute(
                select(RecordVersion.uuid, RecordVersion.version, RecordVersion.payload).where(
                    RecordVersion.entity == spec.name,
                    tuple_(RecordVersion.uuid, RecordVersion.version).in_(batch),
                )
            ):
                out[(uuid, version)] = canonical(payload)
        return out

    def _remember(self, spec: Spec, uuid: str, version: int, text: str) -> None:
        self.s.execute(
            _insert_ignore(self.s, table_of(RecordVersion)),
            [
                {
                    "entity": spec.name,
                    "uuid": uuid,
                    "version": version,
                    "payload_hash": content_hash(text),
                    "payload": json.loads(text),
                }
            ],
        )

    def _conflict(self, spec: Spec, incoming: _Incoming, other_text: str) -> bool:
        """Record both copies; True when this conflict was not known before."""
        added = 0
        table = table_of(MergeConflict)
        for copy in (other_text, incoming.text):
            # RETURNING, not rowcount: PostgreSQL drivers may report -1 for a count.
            result = self.s.execute(
                _insert_ignore(self.s, table).returning(table.c.id),
                {
                    "entity": spec.name,
                    "uuid": incoming.uuid,
                    "version": incoming.version,
                    "payload_hash": content_hash(copy),
                    "payload": json.loads(copy),
                    "source": self.source if copy is incoming.text else "",
                    "detected_at": self.now,
                    "resolved_at": None,
                },
            )
            added += len(result.all())
        return added > 0

    def _set_self_refs(self, spec: Spec, rows: list[_Incoming]) -> None:
        refs = spec.self_refs
        if not refs or not rows:
            return
        self._resolve(spec, rows, self_refs=True)
        t = spec.table
        cache = self.ids[spec.name]
        stmt = update(t).where(t.c.id == bindparam("_id"))
        # Written rows only, NULLs too: an update must also clear a reference.
        params = [
            {"_id": cache[r.uuid], **{ref.column: r.values[ref.column] for ref in refs}}
            for r in rows
        ]
        for batch in chunks(params, 2000):
            self.s.execute(stmt, batch)

    def _flag_duplicate(self, kind: str, a: str, b: str) -> None:
        first, second = sorted((a, b))
        table = table_of(PossibleDuplicate)
        result = self.s.execute(
            _insert_ignore(self.s, table).returning(table.c.id),
            {
                "kind": kind,
                "uuid_a": first,
                "uuid_b": second,
                "detected_at": self.now,
                "resolved_at": None,
                "resolution": "",
            },
        )
        self.stats.duplicates += len(result.all())

    def flag_resident_duplicates(self, payloads: list[dict[str, Any]]) -> None:
        """Residents sharing a citizen ID number under different UUIDs."""
        numbers = sorted({p["id_number"] for p in payloads if p.get("id_number")})
        t = Resident.__table__
        holders: dict[str, list[str]] = {}
        for batch in chunks(numbers):
            for uuid, number in self.s.execute(
                select(t.c.uuid, t.c.id_number).where(t.c.id_number.in_(batch))
            ):
                holders.setdefault(number, []).append(uuid)
        for uuids in holders.values():
            uuids.sort()
            for i, a in enumerate(uuids):
                for b in uuids[i + 1 :]:
                    self._flag_duplicate("resident", a, b)


def _columns(spec: Spec) -> tuple[str, ...]:
    return _column_names(spec.name)


@cache
def _column_names(table: str) -> tuple[str, ...]:
    spec = SPEC_BY_NAME[table]
    return ("id", *(c.name for c in spec.plain), *(r.column for r in spec.refs))


def _version(spec: Spec, stored: tuple[Any, ...]) -> int:
    version: int = stored[_columns(spec).index("version")]  # an Integer column
    return version


def _updated_at(text: str) -> str:
    updated_at: str = json.loads(text)["updated_at"]  # canonical JSON we wrote
    return updated_at


def _renamed_login(username: str, uuid: str) -> str:
    """How a user whose login name is taken here is stored (see `_match_names`)."""
    return f"{username}~{uuid[:8]}"


def _login_name(stored: str, uuid: str) -> str:
    """The login name a stored user travels with: without the rename suffix."""
    return stored.removesuffix(_renamed_login("", uuid))


def _label(table: str) -> str:
    return ENTITY_LABELS.get(table, table)


def merge_package(
    db: Database,
    package: Package,
    *,
    clock: Callable[[], datetime] = utcnow,
    progress: Progress | None = None,
    recheck: bool = False,
    sender: trust.Sender | None = None,
) -> MergeStats:
    """Apply one verified package in one transaction.

    `sender` is who signed it; the app always names one, and then the package may
    change only what the sender's area holds (None: no limit, for tests and tools
    that build packages themselves). A file merged before (same SHA-256) is not
    applied again unless `recheck`: the rules make a second merge change nothing, so
    only the record-by-record check is saved."""
    now = clock()
    try:
        with db.session(keep_versions=True) as s:
            _serialize(s)
            if not recheck:
                before = s.scalar(
                    select(MergeLog.merged_at)
                    .where(MergeLog.package_sha256 == package.sha256)
                    .order_by(MergeLog.id)
                    .limit(1)
                )
                if before is not None:
                    stats = MergeStats(package=package.name, merged_before=before)
                    for table, rows in package.records.items():
                        stats.tables[table] = TableStats(unchanged=len(rows))
                    return stats
            guard = None
            if sender is not None:
                if sender.kind == "device":
                    area = trust.device_area(s, sender.device_id)
                    device = s.get(Device, sender.device_id)
                    assert device is not None  # device_area refuses an unknown one
                    anchor.anchor(s, device, package, now)
                else:
                    area = trust.return_area(s, package.manifest)
                guard = trust.Guard(s, area, sender)
            merge = _Merge(s, package, now, guard)
            for spec in SPECS:
                if progress:
                    progress(f"正在合并{spec.label}……")
                merge.apply(spec, package.records.get(spec.name, []))
            merge.flag_resident_duplicates(package.records.get("resident", []))
            m = package.manifest
            s.add(
                MergeLog(
                    package_sha256=package.sha256,
                    file_name=package.name[:255],
                    kind=m.kind,
                    device=m.device_id[:36],
                    created_at=_parse_time(m.created_at, now),
                    merged_at=now,
                    counts=merge.stats.as_dict(),
                )
            )
    except PackageSecurityError as exc:
        if sender is not None:
            exc.device_id = sender.device_id  # for the audit
        raise
    except trust.OutsideArea as exc:
        refused = PackageSecurityError(
            f"数据包“{package.name}”被拒收:{exc}。",
            hint="整个数据包都没有合并。如果这台电脑确实负责那里,请街道管理员调整它登记的负责范围"
            "(gridvisit keys set-area);否则请核实那台电脑上的数据。",
        )
        refused.device_id = sender.device_id if sender else ""
        raise refused from None
    except RecordError as exc:
        raise PackageError(
            f"数据包“{package.name}”内容有误:{exc}。",
            hint="整个数据包都没有合并。请向发送方重新索取数据包。",
        ) from None
    except IntegrityError as exc:
        raise PackageError(
            f"数据包“{package.name}”与本数据库的数据不相容,无法合并({exc.orig})。",
            hint="整个数据包都没有合并。请把数据包和这条信息发给技术支持。",
        ) from None
    return merge.stats


def _serialize(session: Session) -> None:
    """One merge at a time on PostgreSQL (see the module's notes); SQLite's writer
    lock (BEGIN IMMEDIATE) does the same there."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MERGE_LOCK})


def _parse_time(text: str, fallback: datetime) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return fallback
    return moment if moment.tzinfo else fallback
