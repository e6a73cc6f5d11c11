"""Plain records the services hand out. Frozen: nothing here is bound to a session."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from gridvisit.core.enums import (
    EventKind,
    HandlingLevel,
    HouseStatus,
    MoveKind,
    ProblemStatus,
    RegistrationType,
    ResidenceType,
    ResidentStatus,
    Role,
    VisitMethod,
    VisitPurpose,
)
from gridvisit.core.rules import (
    Timeliness,
    original_due_at,
    pending_extension,
    problem_is_overdue,
    resolution_timeliness,
    supervision_marks,
)


def format_address(building: str, unit: str, room: str) -> str:
    """3 / 2 / 301 → 3栋2单元301室 (the unit is optional)."""
    unit_text = f"{unit}单元" if unit else ""
    return f"{building}栋{unit_text}{room}室"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting: written on every change and every audit entry."""

    user_id: int | None
    username: str
    display_name: str = ""
    role: Role = Role.SUBDISTRICT_ADMIN


@dataclass(frozen=True, slots=True)
class UserRec:
    id: int
    uuid: str
    username: str
    display_name: str
    role: Role


@dataclass(frozen=True, slots=True)
class NodeRec:
    """A community, grid or building group."""

    kind: str  # "community" | "grid" | "building_group"
    id: int
    uuid: str
    name: str
    parent_id: int | None
    version: int = 0  # the stored version when read (0: not known)


@dataclass(frozen=True, slots=True)
class ResidentInput:
    name: str
    gender: str = ""
    id_number: str = ""
    phone: str = ""
    relation: str = ""
    is_head: bool = False
    is_party_member: bool = False
    special_groups: tuple[str, ...] = ()
    notes: str = ""
    birth_date: date | None = None
    registration_type: str = RegistrationType.LOCAL.value  # 户籍类型: code or label
    residence_type: str = ResidenceType.PERMANENT.value  # 居住类型: code or label
    ethnicity: str = ""  # 民族: GB/T 3304 code or name
    # 政治面貌: GB/T 4762 code or name; "" = from is_party_member (中共党员 / 群众).
    political_status: str = ""
    workplace: str = ""  # 工作单位或职业
    moved_in_on: date | None = None


@dataclass(frozen=True, slots=True)
class ResidentRec:
    id: int
    uuid: str
    household_id: int
    name: str
    gender: str
    id_number: str
    birth_date: date | None
    phone: str
    relation: str
    is_head: bool
    is_party_member: bool
    special_groups: tuple[str, ...]
    notes: str
    registration_type: str = RegistrationType.LOCAL.value
    residence_type: str = ResidenceType.PERMANENT.value
    ethnicity: str = ""
    political_status: str = "13"
    workplace: str = ""
    moved_in_on: date | None = None
    status: str = ResidentStatus.PRESENT.value
    version: int = 0  # the stored version when read (0: not known)

    @property
    def is_current(self) -> bool:
        return self.status == ResidentStatus.PRESENT


@dataclass(frozen=True, slots=True)
class ResidentMoveRec:
    """迁入 / 迁出 / 死亡 / 户内变更 of one resident."""

    id: int
    uuid: str
    resident_id: int
    household_id: int
    kind: MoveKind
    moved_on: date
    note: str
    resident_name: str = ""


@dataclass(frozen=True, slots=True)
class HouseholdRec:
    id: int
    uuid: str
    building_group_id: int
    building: str
    unit: str
    room: str
    phone: str
    tier_code: str
    tier_manual: bool
    is_party_centre: bool
    centre_household_id: int | None
    notes: str
    version: int
    house_status: str = HouseStatus.OWNER_OCCUPIED.value
    owner_name: str = ""
    owner_phone: str = ""
    tenant_count: int = 0
    rental_registration: str = ""

    @property
    def address(self) -> str:
        return format_address(self.building, self.unit, self.room)


@dataclass(frozen=True, slots=True)
class ProblemInput:
    category_code: str
    description: str
    urgency_code: str = "normal"
    level: HandlingLevel = HandlingLevel.GRID
    resident_id: int | None = None
    location: str = ""


@dataclass(frozen=True, slots=True)
class VisitInput:
    household_id: int
    visited_at: datetime
    method: VisitMethod = VisitMethod.IN_PERSON
    purpose: VisitPurpose = VisitPurpose.ROUTINE
    notes: str = ""
    present_resident_ids: tuple[int, ...] = ()
    problems: tuple[ProblemInput, ...] = ()
    worker_id: int | None = None  # defaults to the acting user


@dataclass(frozen=True, slots=True)
class VisitRec:
    id: int
    uuid: str
    household_id: int
    worker_id: int
    visited_at: datetime
    method: VisitMethod
    purpose: VisitPurpose
    notes: str
    problem_ids: tuple[int, ...] = ()
    version: int = 0  # the stored version when read (0: not known)


@dataclass(frozen=True, slots=True)
class ProblemEventRec:
    id: int
    uuid: str
    kind: EventKind
    at: datetime
    actor_id: int | None
    from_status: str
    to_status: str
    from_level: str
    to_level: str
    note: str
    assigned_unit: str
    assigned_person: str
    satisfaction: str


@dataclass(frozen=True, slots=True)
class ProblemRec:
    id: int
    uuid: str
    grid_id: int
    building_group_id: int | None
    household_id: int | None
    visit_id: int | None
    category_code: str
    description: str
    urgency_code: str
    level: HandlingLevel
    status: ProblemStatus
    reported_at: datetime
    due_at: datetime
    assigned_unit: str
    assigned_person: str
    resolution: str
    resolved_at: datetime | None
    satisfaction: str
    closed_at: datetime | None
    version: int
    events: tuple[ProblemEventRec, ...] = field(default=())

    def is_overdue(self, now: datetime) -> bool:
        return problem_is_overdue(self.status, self.due_at, now)

    # The next four read `events` (a record loaded with_events).
    @property
    def marks(self) -> tuple[EventKind, ...]:
        """督办 marks: 红牌督办 or 黄牌督办, and 加急."""
        return supervision_marks(e.kind for e in self.events)

    @property
    def pending_extension(self) -> ProblemEventRec | None:
        found = pending_extension(self.events)
        return found if isinstance(found, ProblemEventRec) else None

    @property
    def original_due_at(self) -> datetime:
        return original_due_at(self.due_at, self.events)

    @property
    def timeliness(self) -> Timeliness | None:
        """按期 / 延期后按期 / 超期办结 of a resolved problem."""
        if self.resolved_at is None:
            return None
        return resolution_timeliness(self.resolved_at, self.due_at, self.original_due_at)


@dataclass(frozen=True, slots=True)
class DueVisit:
    household_id: int
    building_group_id: int
    address: str
    tier_code: str
    last_visit: datetime | None
    due: date
    days_overdue: int  # > 0 overdue, 0 due today, < 0 due later this week
    head: str = ""  # the head of the household, to know whom to ask for
    phone: str = ""  # full: the page masks it


@dataclass(frozen=True, slots=True)
class Scope:
    """Part of the hierarchy a query is limited to; all None = everything."""

    community_id: int | None = None
    grid_id: int | None = None
    building_group_id: int | None = None
    # The actor's area (ServiceContext.narrow): None = not limited.
    grid_ids: frozenset[int] | None = None
