"""How travelling records look inside a package, and back.

A record travels as a flat JSON object: every column but the local integer key, with
foreign keys to other travelling records replaced by the referenced record's UUID
(`household_id` → `household`). Codes of reference lists (tiers, categories, urgency)
travel as they are. The same function turns a stored row and an incoming line into
the same canonical text, so "same content" is a string comparison.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cached_property
from typing import Any

from sqlalchemy import Column, Select, Table, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.sqltypes import JSON, Boolean, Date, Integer, String

from gridvisit.core.codes import is_party_member, political_status_for_flag
from gridvisit.core.enums import HouseStatus, RegistrationType, ResidenceType, ResidentStatus
from gridvisit.storage.check import COUNTED_TABLES
from gridvisit.storage.models import SYNC_MODELS, Base
from gridvisit.storage.types import UTCDateTime

# SYNC_MODELS is also the order records are written and applied in: every reference
# points to an earlier table, except self-references, handled in a second pass.
MODELS: tuple[type[Base], ...] = SYNC_MODELS


def table_of(model: type[Base]) -> Table:
    """The model's Table (DeclarativeBase types `__table__` as any FromClause)."""
    return Base.metadata.tables[model.__tablename__]


_TABLES = {table_of(m).name for m in MODELS}
ENTITY_LABELS = {table: label for table, label in COUNTED_TABLES if table in _TABLES} | {
    "resident_move": "迁入迁出记录"
}

CHUNK = 500  # rows per IN (...) query; far below every backend's parameter limit


class RecordError(ValueError):
    """An incoming record that does not fit the schema; the message is Chinese."""


@dataclass(frozen=True)
class Ref:
    column: str  # e.g. "household_id"
    key: str  # e.g. "household"
    target: Table


@dataclass(frozen=True)
class Spec:
    """Everything the exchange needs to know about one travelling table."""

    table: Table
    refs: tuple[Ref, ...]
    plain: tuple[Column[Any], ...]  # columns copied as they are (not id, not refs)

    @property
    def name(self) -> str:
        return self.table.name

    @property
    def label(self) -> str:
        return ENTITY_LABELS[self.name]

    @property
    def self_refs(self) -> tuple[Ref, ...]:
        return tuple(r for r in self.refs if r.target is self.table)

    def select_payload(self) -> Select[Any]:
        """Rows with references already turned into UUIDs by outer joins."""
        cols: list[Any] = [self.table.c.id, *self.plain]
        joins = []
        for ref in self.refs:
            other = aliased(ref.target, name=f"ref_{ref.key}")
            cols.append(other.c.uuid.label(ref.key))
            joins.append((other, other.c.id == self.table.c[ref.column]))
        query = select(*cols).select_from(self.table)
        for other, on in joins:
            query = query.outerjoin(other, on)
        return query

    def payload(self, row: Any) -> dict[str, Any]:
        """A stored row (from `select_payload`) as the JSON object it travels as."""
        mapping = row._mapping
        out: dict[str, Any] = {}
        for col in self.plain:
            out[col.name] = _dump(mapping[col.name])
        for ref in self.refs:
            out[ref.key] = mapping[ref.key]
        return out

    def values(self, payload: dict[str, Any], where: str) -> dict[str, Any]:
        """Column values of an incoming object, references still as UUIDs (`key`)."""
        if not isinstance(payload, dict):
            raise RecordError(f"{where}:不是一个 JSON 对象")
        out: dict[str, Any] = {}
        for name, load in self.loaders:
            try:
                value = payload[name]
            except KeyError:
                if (self.name, name) not in _OPTIONAL:
                    raise RecordError(f"{where}:缺少字段“{name}”") from None
                out[name] = _OPTIONAL[(self.name, name)]
                continue
            out[name] = load(value, where)
        for ref in self.refs:
            value = payload.get(ref.key)
            if value is not None and not (isinstance(value, str) and 0 < len(value) <= 36):
                raise RecordError(f"{where}:字段“{ref.key}”应为编号")
            out[ref.key] = value
        if not out["uuid"]:
            raise RecordError(f"{where}:记录没有 UUID")
        if out["version"] < 1:
            raise RecordError(f"{where}:版本号必须是正整数")
        _derive(self.name, out)
        return out

    def values_many(self, payloads: list[Any], label: str) -> list[dict[str, Any]]:
        """`values` for a whole table, column by column: about three times faster.
        Anything unusual falls back to the row-by-row path and its exact message."""
        try:
            return self._values_columns(payloads)
        except _Unusual:
            return [self.values(p, f"{label}第 {n} 条") for n, p in enumerate(payloads, 1)]

    def _values_columns(self, payloads: list[Any]) -> list[dict[str, Any]]:
        if not all(type(p) is dict for p in payloads):
            raise _Unusual
        names: list[str] = []
        columns: list[list[Any]] = []
        for col in self.plain:
            try:
                vals = [p[col.name] for p in payloads]
            except KeyError:
                raise _Unusual from None
            columns.append(_check_column(col, vals))
            names.append(col.name)
        for ref in self.refs:
            vals = [p.get(ref.key) for p in payloads]
            texts = [v for v in vals if v is not None]
            if not _only(texts, str) or (
                texts and not 0 < min(map(len, texts)) <= max(map(len, texts)) <= 36
            ):
                raise _Unusual
            columns.append(vals)
            names.append(ref.key)
        rows = [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]
        if rows and (not all(r["uuid"] for r in rows) or min(r["version"] for r in rows) < 1):
            raise _Unusual
        for row in rows:
            _derive(self.name, row)
        return rows

    @cached_property
    def loaders(self) -> tuple[tuple[str, Callable[[Any, str], Any]], ...]:
        return tuple((col.name, _loader(col)) for col in self.plain)


# Columns added by later schema versions get a default when an older package lacks them.
# (table, column): a package from before deleted visits travelled holds live visits.
# Format 2 (before issue 20) had no house status, resident registers or moves: its
# houses are 自住, its residents 在住 本地户籍 常住, and 政治面貌 follows the party-member
# flag (`_derive`).
_OPTIONAL: dict[tuple[str, str], Any] = {
    ("visit", "archived"): False,
    ("household", "house_status"): HouseStatus.OWNER_OCCUPIED.value,
    ("household", "owner_name"): "",
    ("household", "owner_phone"): "",
    ("household", "tenant_count"): 0,
    ("household", "rental_registration"): "",
    ("resident", "registration_type"): RegistrationType.LOCAL.value,
    ("resident", "residence_type"): ResidenceType.PERMANENT.value,
    ("resident", "ethnicity"): "",
    ("resident", "political_status"): None,  # from is_party_member, below
    ("resident", "workplace"): "",
    ("resident", "moved_in_on"): None,
    ("resident", "status"): ResidentStatus.PRESENT.value,
}


def _derive(table: str, values: dict[str, Any]) -> None:
    """Columns derived from others: a resident's party-member flag follows 政治面貌
    (core.codes), whatever a package says; an old package's flag gives 政治面貌."""
    if table != "resident":
        return
    status = values.get("political_status")
    if status is None:
        values["political_status"] = political_status_for_flag(bool(values["is_party_member"]))
    else:
        values["is_party_member"] = is_party_member(status)


def _dump(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


class _Unusual(Exception):
    """The fast column check saw something it leaves to the row-by-row check."""


def _only(values: list[Any], kind: type) -> bool:
    return all(type(v) is kind for v in values)


def _check_column(col: Column[Any], vals: list[Any]) -> list[Any]:
    kind = col.type
    present = vals if not col.nullable else [v for v in vals if v is not None]
    if len(present) != len(vals) and not col.nullable:
        raise _Unusual
    if isinstance(kind, UTCDateTime | Date):
        if not _only(present, str):
            raise _Unusual
        parse = datetime.fromisoformat if isinstance(kind, UTCDateTime) else date.fromisoformat
        try:
            out = [parse(v) if v is not None else None for v in vals]
        except ValueError:
            raise _Unusual from None
        # Our packages write UTC; any other offset goes the slow way and is converted.
        if isinstance(kind, UTCDateTime) and not all(
            isinstance(m, datetime) and m.tzinfo is UTC for m in out if m is not None
        ):
            raise _Unusual
        return out
    if isinstance(kind, Boolean):
        ok = _only(present, bool)
    elif isinstance(kind, Integer):
        ok = _only(present, int)
    elif isinstance(kind, String):
        ok = _only(present, str) and (
            kind.length is None or not present or max(map(len, present)) <= kind.length
        )
    elif isinstance(kind, JSON):
        ok = _only(present, list) and all(type(x) is str for v in present for x in v)
    else:
        ok = False
    if not ok:
        raise _Unusual
    return vals


def _loader(col: Column[Any]) -> Callable[[Any, str], Any]:
    """A checking converter for one column, built once per column."""
    name, kind, nullable = col.name, col.type, col.nullable

    def none(where: str) -> None:
        if not nullable:
            raise RecordError(f"{where}:字段“{name}”不能为空")

    def bad(where: str, what: str) -> RecordError:
        return RecordError(f"{where}:字段“{name}”{what}")

    if isinstance(kind, UTCDateTime | Date):
        parse = datetime.fromisoformat if isinstance(kind, UTCDateTime) else date.fromisoformat

        def load_time(value: Any, where: str) -> Any:
            if value is None:
                return none(where)
            try:
                moment = parse(value)
            except (TypeError, ValueError):
                raise bad(where, f"的时间“{value}”格式不对") from None
            if isinstance(moment, datetime):
                if moment.tzinfo is None:
                    raise bad(where, f"的时间“{value}”缺少时区")
                return moment.astimezone(UTC)
            return moment

        return load_time
    if isinstance(kind, Boolean | Integer):
        want = bool if isinstance(kind, Boolean) else int
        what = "应为是/否" if want is bool else "应为整数"

        def load_scalar(value: Any, where: str) -> Any:
            if value is None:
                return none(where)
            if type(value) is not want:
                raise bad(where, what)
            return value

        return load_scalar
    if isinstance(kind, String):  # Text too
        limit = kind.length

        def load_text(value: Any, where: str) -> Any:
            if value is None:
                return none(where)
            if type(value) is not str:
                raise bad(where, "应为文字")
            if limit is not None and len(value) > limit:
                raise bad(where, f"超过 {limit} 个字")
            return value

        return load_text
    if isinstance(kind, JSON):

        def load_list(value: Any, where: str) -> Any:
            if value is None:
                return none(where)
            if type(value) is not list or not all(type(v) is str for v in value):
                raise bad(where, "应为文字列表")
            return value

        return load_list
    raise AssertionError(f"unhandled column type {kind!r}")  # a new column type: teach _loader


# Columns that never leave the database they were written in: a user's password and
# rights belong to the database they log in to (exchange/trust.py). Older packages
# still carry role and active; they are not read.
LOCAL_COLUMNS = {("app_user", "password_hash"), ("app_user", "role"), ("app_user", "active")}


def _spec(model: type[Base]) -> Spec:
    table = table_of(model)
    refs: list[Ref] = []
    plain: list[Column[Any]] = []
    for col in table.columns:
        if col.name == "id" or (table.name, col.name) in LOCAL_COLUMNS:
            continue
        fks = list(col.foreign_keys)
        target = fks[0].column.table if fks else None
        if target is not None and "uuid" in target.c:
            refs.append(Ref(col.name, col.name.removesuffix("_id"), target))
        else:
            plain.append(col)
    return Spec(table, tuple(refs), tuple(plain))


SPECS: tuple[Spec, ...] = tuple(_spec(m) for m in MODELS)
SPEC_BY_NAME: dict[str, Spec] = {s.name: s for s in SPECS}


def canonical(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def chunks(items: Sequence[Any] | Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
