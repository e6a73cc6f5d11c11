"""SQLAlchemy 2.0 typed models.

Records that travel between laptops and the sub-district (`SyncMixin`) carry a UUID
set once at creation, created/updated timestamps, a version counter bumped on every
change (see `engine._bump_versions`) and the device and user that created them.
Local integer keys are for joins only and never leave the database.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    declared_attr,
    mapped_column,
    relationship,
    validates,
)

from gridvisit.core.clock import utcnow
from gridvisit.core.codes import MASSES, is_party_member, political_status_for_flag
from gridvisit.core.enums import HouseStatus, RegistrationType, ResidenceType, ResidentStatus
from gridvisit.storage.types import UTCDateTime, new_uuid

# Deterministic constraint names so Alembic can alter them on SQLite (batch mode).
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {  # noqa: RUF012
        datetime: UTCDateTime(),
        dict[str, Any]: JSON,
        list[str]: JSON,
    }


class SyncMixin:
    """Columns every travelling record carries."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)
    origin_device: Mapped[str] = mapped_column(String(36), default="")

    @declared_attr
    def created_by_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("app_user.id"), default=None)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        # Optimistic concurrency: every ORM UPDATE or DELETE of a travelling record says
        # `WHERE version = <the version this session loaded>`, so a write on a row that
        # another transaction changed meanwhile matches nothing and fails (StaleDataError,
        # turned into StaleRecordError by `Database.session`) instead of overwriting it.
        # The app sets the new version itself (`engine._bump_versions`, merges keep the
        # incoming one), hence no generator. See docs/architecture.md#several-staff-at-once.
        table = cls.__table__  # type: ignore[attr-defined]  # set on each mapped subclass
        return {"version_id_col": table.c.version, "version_id_generator": False}


# --- reference lists (configurable; seeded by the baseline data) ---------------------


class VisitTier(Base):
    """重点 / 关注 / 一般: how often a household must be visited."""

    __tablename__ = "visit_tier"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(32))
    interval_days: Mapped[int]
    rank: Mapped[int]  # lower = visited more often; the most urgent tier wins


class SpecialGroup(Base):
    """重点人群 tags; each implies a visit tier."""

    __tablename__ = "special_group"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(32))
    tier_code: Mapped[str] = mapped_column(ForeignKey("visit_tier.code"))
    sort: Mapped[int] = mapped_column(default=0)


class ProblemCategory(Base):
    __tablename__ = "problem_category"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(32))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("problem_category.code"))
    sort: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class UrgencyLevel(Base):
    """紧急 / 较急 / 一般 and their time limits in days (0 = same day)."""

    __tablename__ = "urgency_level"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(32))
    limit_days: Mapped[int]
    sort: Mapped[int] = mapped_column(default=0)


class Setting(Base):
    """Local key/value settings of this database (device id, last export...). Never exported."""

    __tablename__ = "setting"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


# --- people and hierarchy -----------------------------------------------------------


class User(SyncMixin, Base):
    __tablename__ = "app_user"
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))
    phone: Mapped[str] = mapped_column(String(32), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # argon2id; "" = no password set yet (a database from before logins). Stays local:
    # the exchange leaves it out of packages.
    password_hash: Mapped[str] = mapped_column(String(128), default="")


class UserGrid(Base):
    """The grids a grid worker is responsible for."""

    __tablename__ = "user_grid"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
    )
    grid_id: Mapped[int] = mapped_column(
        ForeignKey("grid.id", ondelete="CASCADE"), primary_key=True
    )


class UserCommunity(Base):
    """The communities a community admin is responsible for."""

    __tablename__ = "user_community"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
    )
    community_id: Mapped[int] = mapped_column(
        ForeignKey("community.id", ondelete="CASCADE"), primary_key=True
    )


class Community(SyncMixin, Base):
    __tablename__ = "community"
    name: Mapped[str] = mapped_column(String(64), unique=True)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    grids: Mapped[list[Grid]] = relationship(back_populates="community")


class Grid(SyncMixin, Base):
    """网格 / 小区党支部."""

    __tablename__ = "grid"
    __table_args__ = (UniqueConstraint("community_id", "name", name="uq_grid_community_name"),)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    leader_name: Mapped[str] = mapped_column(String(32), default="")  # 网格长
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    community: Mapped[Community] = relationship(back_populates="grids")
    building_groups: Mapped[list[BuildingGroup]] = relationship(back_populates="grid")


class BuildingGroup(SyncMixin, Base):
    """楼栋党小组: one or more buildings."""

    __tablename__ = "building_group"
    __table_args__ = (UniqueConstraint("grid_id", "name", name="uq_building_group_grid_name"),)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grid.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    buildings: Mapped[str] = mapped_column(String(200), default="")  # e.g. "3,4"
    leader_name: Mapped[str] = mapped_column(String(32), default="")  # 党小组长
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    grid: Mapped[Grid] = relationship(back_populates="building_groups")


class Household(SyncMixin, Base):
    """户: address = building / unit / room."""

    __tablename__ = "household"
    __table_args__ = (
        Index("ix_household_group_address", "building_group_id", "building", "unit", "room"),
    )
    building_group_id: Mapped[int] = mapped_column(ForeignKey("building_group.id"))
    building: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str] = mapped_column(String(16), default="")
    room: Mapped[str] = mapped_column(String(16))
    phone: Mapped[str] = mapped_column(String(32), default="")
    tier_code: Mapped[str] = mapped_column(ForeignKey("visit_tier.code"))
    # When set, the tier was chosen by hand and is not recomputed from special groups.
    tier_manual: Mapped[bool] = mapped_column(Boolean, default=False)
    is_party_centre: Mapped[bool] = mapped_column(Boolean, default=False)  # 党员中心户
    # The party centre household that contacts this one.
    centre_household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"), index=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    # 房屋状态 (core.enums.HouseStatus); 空置 once the last resident has left.
    house_status: Mapped[str] = mapped_column(String(16), default=HouseStatus.OWNER_OCCUPIED.value)
    owner_name: Mapped[str] = mapped_column(String(32), default="")  # 房主 (masked like a name)
    owner_phone: Mapped[str] = mapped_column(String(32), default="")
    tenant_count: Mapped[int] = mapped_column(Integer, default=0)  # 出租: 租住人数
    rental_registration: Mapped[str] = mapped_column(String(64), default="")  # 租赁登记备案号
    residents: Mapped[list[Resident]] = relationship(back_populates="household")


class Resident(SyncMixin, Base):
    __tablename__ = "resident"
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    name: Mapped[str] = mapped_column(String(32))
    gender: Mapped[str] = mapped_column(String(1), default="")
    id_number: Mapped[str] = mapped_column(String(18), default="", index=True)
    birth_date: Mapped[date | None] = mapped_column(Date)
    phone: Mapped[str] = mapped_column(String(32), default="")
    relation: Mapped[str] = mapped_column(String(16), default="")  # 与户主关系
    is_head: Mapped[bool] = mapped_column(Boolean, default=False)
    # Derived from political_status (core.codes.is_party_member); kept as a column
    # because many lists and counts read it. See _keep_party_flag below.
    is_party_member: Mapped[bool] = mapped_column(Boolean, default=False)
    special_groups: Mapped[list[str]] = mapped_column(default=list)  # SpecialGroup codes
    notes: Mapped[str] = mapped_column(Text, default="")
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    registration_type: Mapped[str] = mapped_column(  # 户籍类型 (core.enums.RegistrationType)
        String(16), default=RegistrationType.LOCAL.value
    )
    residence_type: Mapped[str] = mapped_column(  # 居住类型 (core.enums.ResidenceType)
        String(16), default=ResidenceType.PERMANENT.value
    )
    ethnicity: Mapped[str] = mapped_column(String(2), default="")  # 民族, GB/T 3304 code
    political_status: Mapped[str] = mapped_column(  # 政治面貌, GB/T 4762 code
        String(2), default=MASSES
    )
    workplace: Mapped[str] = mapped_column(String(100), default="")  # 工作单位或职业
    moved_in_on: Mapped[date | None] = mapped_column(Date, default=None)
    # 在住 / 已迁出 / 已故 (core.enums.ResidentStatus), set by resident_move events.
    status: Mapped[str] = mapped_column(String(16), default=ResidentStatus.PRESENT.value)
    household: Mapped[Household] = relationship(back_populates="residents")

    @validates("political_status")
    def _derive_party_flag(self, _key: str, value: str) -> str:
        self.is_party_member = is_party_member(value)
        return value


@event.listens_for(Resident, "before_insert")
@event.listens_for(Resident, "before_update")
def _keep_party_flag(_mapper: Any, _conn: Any, target: Resident) -> None:
    """A writer that set only the party-member flag (an old package or ledger) means
    中共党员 or 群众; otherwise the flag follows 政治面貌."""
    state = inspect(target)
    flag_changed = state.attrs.is_party_member.history.has_changes()
    status_changed = state.attrs.political_status.history.has_changes()
    current = target.political_status if target.political_status is not None else MASSES
    if flag_changed and not status_changed:
        target.political_status = political_status_for_flag(bool(target.is_party_member), current)
    else:
        target.is_party_member = is_party_member(current)


class ResidentMove(SyncMixin, Base):
    """迁入 / 迁出 / 死亡 / 户内变更: a dated event in a resident's history (append-only,
    archived rather than deleted so a correction travels like any other change)."""

    __tablename__ = "resident_move"
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # core.enums.MoveKind
    moved_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    archived: Mapped[bool] = mapped_column(Boolean, default=False)


# --- visits and problems ------------------------------------------------------------


class Visit(SyncMixin, Base):
    __tablename__ = "visit"
    # Covering for "each household's latest live visit" (the tree's overdue counts,
    # the due list): archived is in the index, so no visit row is read (issue 18).
    __table_args__ = (Index("ix_visit_household_last", "household_id", "visited_at", "archived"),)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"))
    worker_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    visited_at: Mapped[datetime] = mapped_column(index=True)
    method: Mapped[str] = mapped_column(String(16))
    purpose: Mapped[str] = mapped_column(String(32))
    notes: Mapped[str] = mapped_column(Text, default="")
    present_resident_uuids: Mapped[list[str]] = mapped_column(default=list)
    # A deleted visit is kept, archived, so that the deletion travels to the
    # sub-district like any other change (a newer version of the same record).
    archived: Mapped[bool] = mapped_column(Boolean, default=False)


class Problem(SyncMixin, Base):
    """问题 / 诉求, raised during a visit or for a public area of a grid."""

    __tablename__ = "problem"
    __table_args__ = (Index("ix_problem_status_due", "status", "due_at"),)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grid.id"), index=True)
    building_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("building_group.id"), index=True
    )
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"), index=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visit.id"), index=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"))
    location: Mapped[str] = mapped_column(String(100), default="")  # for public areas
    category_code: Mapped[str] = mapped_column(ForeignKey("problem_category.code"))
    description: Mapped[str] = mapped_column(Text)
    urgency_code: Mapped[str] = mapped_column(ForeignKey("urgency_level.code"))
    level: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    reported_at: Mapped[datetime] = mapped_column(index=True)
    due_at: Mapped[datetime]
    assigned_unit: Mapped[str] = mapped_column(String(64), default="")
    assigned_person: Mapped[str] = mapped_column(String(32), default="")
    resolution: Mapped[str] = mapped_column(Text, default="")
    resolved_at: Mapped[datetime | None] = mapped_column(index=True)
    satisfaction: Mapped[str] = mapped_column(String(16), default="")
    closed_at: Mapped[datetime | None]
    events: Mapped[list[ProblemEvent]] = relationship(
        back_populates="problem", order_by="ProblemEvent.at, ProblemEvent.id"
    )


class ProblemEvent(SyncMixin, Base):
    """流转记录: append-only history of a problem."""

    __tablename__ = "problem_event"
    problem_id: Mapped[int] = mapped_column(ForeignKey("problem.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    from_status: Mapped[str] = mapped_column(String(16), default="")
    to_status: Mapped[str] = mapped_column(String(16), default="")
    from_level: Mapped[str] = mapped_column(String(16), default="")
    to_level: Mapped[str] = mapped_column(String(16), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    assigned_unit: Mapped[str] = mapped_column(String(64), default="")
    assigned_person: Mapped[str] = mapped_column(String(32), default="")
    satisfaction: Mapped[str] = mapped_column(String(16), default="")
    problem: Mapped[Problem] = relationship(back_populates="events")


class AuditEntry(Base):
    """Who changed what, when, from which device. Append-only."""

    __tablename__ = "audit_entry"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    device: Mapped[str] = mapped_column(String(36), default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    actor_name: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[str] = mapped_column(String(48))
    entity: Mapped[str] = mapped_column(String(32), default="")
    entity_uuid: Mapped[str] = mapped_column(String(36), default="", index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Hash chain (storage/audit.py): the previous entry's hash, and this one's.
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    hash: Mapped[str] = mapped_column(String(64), default="")


# --- exchange with the sub-district (local bookkeeping; never exported) --------------


class MergeConflict(Base):
    """One competing copy of a travelling record: two or more copies of the same UUID
    and version with different content. Every copy is kept here, the winner too, until
    a supervisor settles it."""

    __tablename__ = "merge_conflict"
    __table_args__ = (
        UniqueConstraint(
            "entity", "uuid", "version", "payload_hash", name="uq_merge_conflict_copy"
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity: Mapped[str] = mapped_column(String(32))
    uuid: Mapped[str] = mapped_column(String(36), index=True)
    version: Mapped[int]
    payload_hash: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column()
    source: Mapped[str] = mapped_column(String(200), default="")
    detected_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)


class PossibleDuplicate(Base):
    """Two records that may be the same person or place, for a supervisor to review:
    residents sharing a citizen ID number, or same-named users and hierarchy nodes."""

    __tablename__ = "possible_duplicate"
    __table_args__ = (
        UniqueConstraint("kind", "uuid_a", "uuid_b", name="uq_possible_duplicate_pair"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # a table name
    uuid_a: Mapped[str] = mapped_column(String(36))  # uuid_a < uuid_b
    uuid_b: Mapped[str] = mapped_column(String(36))
    detected_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    resolution: Mapped[str] = mapped_column(String(16), default="")


class UuidAlias(Base):
    """A hierarchy node another device created under the same name: references to the
    alias UUID resolve to the node already here."""

    __tablename__ = "uuid_alias"
    entity: Mapped[str] = mapped_column(String(32), primary_key=True)
    alias: Mapped[str] = mapped_column(String(36), primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36))


class RecordVersion(Base):
    """Content of a version a merge replaced, so a late copy of that version with other
    content is still recognised as a conflict whatever order packages arrive in."""

    __tablename__ = "record_version"
    entity: Mapped[str] = mapped_column(String(32), primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    version: Mapped[int] = mapped_column(primary_key=True)
    payload_hash: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column()


class MergeLog(Base):
    """Every package merged into this database."""

    __tablename__ = "merge_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    package_sha256: Mapped[str] = mapped_column(String(64), index=True)
    file_name: Mapped[str] = mapped_column(String(255), default="")
    kind: Mapped[str] = mapped_column(String(16))
    device: Mapped[str] = mapped_column(String(36), default="")
    created_at: Mapped[datetime]
    merged_at: Mapped[datetime] = mapped_column(default=utcnow)
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Device(Base):
    """A laptop the sub-district accepts packages from: its public keys (Ed25519 to
    verify signatures, X25519 to encrypt return packages to it)."""

    __tablename__ = "device"
    device_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), default="")
    sign_public: Mapped[str] = mapped_column(String(64))
    box_public: Mapped[str] = mapped_column(String(64))
    registered_at: Mapped[datetime] = mapped_column(default=utcnow)
    registered_by: Mapped[str] = mapped_column(String(64), default="")
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_by: Mapped[str] = mapped_column(String(64), default="")
    # The newest entry of the laptop's audit chain this database holds (0: none yet);
    # every later package's chain must extend it (exchange/anchor.py).
    audit_tip_id: Mapped[int] = mapped_column(default=0)
    audit_tip_hash: Mapped[str] = mapped_column(String(64), default="")
    # Set when a package's audit chain did not extend the tip: history was rewritten.
    flagged_at: Mapped[datetime | None] = mapped_column(default=None)
    flag_reason: Mapped[str] = mapped_column(Text, default="")


class DeviceGrid(Base):
    """The grids a registered laptop serves: it may change records of these only."""

    __tablename__ = "device_grid"
    device_id: Mapped[str] = mapped_column(
        ForeignKey("device.device_id", ondelete="CASCADE"), primary_key=True
    )
    grid_id: Mapped[int] = mapped_column(
        ForeignKey("grid.id", ondelete="CASCADE"), primary_key=True
    )


class DeviceCommunity(Base):
    """A community laptop: every grid of the community, and new grids in it."""

    __tablename__ = "device_community"
    device_id: Mapped[str] = mapped_column(
        ForeignKey("device.device_id", ondelete="CASCADE"), primary_key=True
    )
    community_id: Mapped[int] = mapped_column(
        ForeignKey("community.id", ondelete="CASCADE"), primary_key=True
    )


class DeviceAuditEntry(Base):
    """A laptop's audit entries as its packages brought them: append-only, kept as the
    laptop wrote them (its own numbering, hashes and user ids)."""

    __tablename__ = "device_audit_entry"
    device_id: Mapped[str] = mapped_column(ForeignKey("device.device_id"), primary_key=True)
    entry_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(index=True)
    device: Mapped[str] = mapped_column(String(36), default="")
    actor_id: Mapped[int | None] = mapped_column(Integer, default=None)  # the laptop's id
    actor_name: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[str] = mapped_column(String(48))
    entity: Mapped[str] = mapped_column(String(32), default="")
    entity_uuid: Mapped[str] = mapped_column(String(36), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    hash: Mapped[str] = mapped_column(String(64), default="")
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    package_sha256: Mapped[str] = mapped_column(String(64), default="")


# In dependency order: every reference points to an earlier model (or to its own).
SYNC_MODELS: tuple[type[Base], ...] = (
    User,
    Community,
    Grid,
    BuildingGroup,
    Household,
    Resident,
    ResidentMove,
    Visit,
    Problem,
    ProblemEvent,
)
