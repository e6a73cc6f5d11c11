"""Households and residents: register, edit, move; party centre households."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session

from gridvisit.core.access import OUTSIDE_ID, Action, guarded
from gridvisit.core.clock import today_local
from gridvisit.core.codes import (
    ETHNICITY,
    POLITICAL_STATUS,
    RELATION,
    CodeList,
    is_party_member,
    political_status_for_flag,
    relation_name,
)
from gridvisit.core.enums import (
    Gender,
    HouseStatus,
    MoveKind,
    RegistrationType,
    ResidenceType,
    ResidentStatus,
    _Labelled,
)
from gridvisit.core.errors import ConflictError, ValidationError
from gridvisit.core.masking import mask_id_number, mask_name
from gridvisit.core.records import (
    HouseholdRec,
    ResidentInput,
    ResidentMoveRec,
    ResidentRec,
    format_address,
)
from gridvisit.core.rules import resident_current_sql, resident_is_current, tier_for_groups
from gridvisit.core.services.context import ServiceContext
from gridvisit.core.services.hierarchy import household_has_history
from gridvisit.core.validation import check_citizen_id, check_phone, optional_text, require_text
from gridvisit.storage.models import (
    BuildingGroup,
    Grid,
    Household,
    Resident,
    ResidentMove,
    SpecialGroup,
    VisitTier,
)

# Written before the GB/T 4761 list was used; still accepted as they are.
RELATIONS = ("户主", "配偶", "子女", "父母", "孙子女", "祖父母", "兄弟姐妹", "租户", "其他")
HOUSE_FIELDS = ("house_status", "owner_name", "owner_phone", "tenant_count", "rental_registration")


def household_rec(h: Household) -> HouseholdRec:
    return HouseholdRec(
        h.id,
        h.uuid,
        h.building_group_id,
        h.building,
        h.unit,
        h.room,
        h.phone,
        h.tier_code,
        h.tier_manual,
        h.is_party_centre,
        h.centre_household_id,
        h.notes,
        h.version,
        h.house_status,
        h.owner_name,
        h.owner_phone,
        h.tenant_count,
        h.rental_registration,
    )


def resident_rec(r: Resident) -> ResidentRec:
    return ResidentRec(
        r.id,
        r.uuid,
        r.household_id,
        r.name,
        r.gender,
        r.id_number,
        r.birth_date,
        r.phone,
        r.relation,
        r.is_head,
        r.is_party_member,
        tuple(r.special_groups or ()),
        r.notes,
        r.registration_type,
        r.residence_type,
        r.ethnicity,
        r.political_status,
        r.workplace,
        r.moved_in_on,
        r.status,
        r.version,
    )


def move_rec(m: ResidentMove, name: str = "") -> ResidentMoveRec:
    return ResidentMoveRec(
        m.id, m.uuid, m.resident_id, m.household_id, MoveKind(m.kind), m.moved_on, m.note, name
    )


def _closed(errors: dict[str, str], key: str, label: str, kind: type[_Labelled], text: str) -> str:
    """A closed vocabulary's code, given its code or its Chinese label."""
    value = str(text).strip()
    for member in kind:
        if value in (member.value, member.label):
            return member.value
    errors[key] = f"{label}“{value}”不在可选范围内:{'、'.join(m.label for m in kind)}"
    return value


def _listed(errors: dict[str, str], key: str, codes: CodeList, text: str) -> str:
    """A standard list's code, given its code or name ("" stays "")."""
    if not str(text).strip():
        return ""
    found = codes.lookup(text)
    if found is None:
        errors[key] = f"{codes.title}“{text}”不是标准代码表中的代码或名称"
        return str(text)
    return found.code


def validate_resident(
    data: ResidentInput, known_groups: set[str], prefix: str = "", today: date = date.max
) -> tuple[ResidentInput, list[str]]:
    """Normalised input and warnings, or a ValidationError naming every bad field.
    Codes of the standard lists may be given by code or by name; the clean input holds
    codes (与户主关系: its name), and is_party_member agrees with 政治面貌."""
    errors: dict[str, str] = {}
    warnings: list[str] = []
    name = require_text(errors, f"{prefix}name", "姓名", data.name, max_len=32)
    id_number, birth, gender = "", data.birth_date, data.gender
    if data.id_number.strip():
        check = check_citizen_id(data.id_number)
        if check.ok:
            id_number, birth = check.normalized, check.birth_date
            warnings.extend(check.warnings)
            if gender and check.gender and gender != check.gender.value:
                errors[f"{prefix}gender"] = (
                    f"性别与身份证号不符:身份证号显示为{check.gender.label}性"
                )
            gender = check.gender.value if check.gender else gender
        else:
            errors[f"{prefix}id_number"] = check.error
    if gender and gender not in {g.value for g in Gender}:
        errors[f"{prefix}gender"] = "性别只能是男或女"
    phone = ""
    if data.phone.strip():
        pc = check_phone(data.phone)
        if pc.ok:
            phone = pc.normalized
        else:
            errors[f"{prefix}phone"] = pc.error
    relation = relation_name(data.relation)
    if relation and relation not in RELATIONS and RELATION.lookup(relation) is None:
        errors[f"{prefix}relation"] = (
            f"与户主关系“{relation}”不在 GB/T 4761 家庭关系代码表中(可写名称或代码)"
        )
    registration = _closed(
        errors, f"{prefix}registration_type", "户籍类型", RegistrationType, data.registration_type
    )
    residence = _closed(
        errors, f"{prefix}residence_type", "居住类型", ResidenceType, data.residence_type
    )
    ethnicity = _listed(errors, f"{prefix}ethnicity", ETHNICITY, data.ethnicity)
    if data.political_status.strip():
        political = _listed(
            errors, f"{prefix}political_status", POLITICAL_STATUS, data.political_status
        )
    else:
        political = political_status_for_flag(data.is_party_member)
    workplace = optional_text(
        errors, f"{prefix}workplace", "工作单位或职业", data.workplace, max_len=100
    )
    if data.moved_in_on is not None and data.moved_in_on > today:
        errors[f"{prefix}moved_in_on"] = "迁入日期不能晚于今天"
    unknown = [g for g in data.special_groups if g not in known_groups]
    if unknown:
        errors[f"{prefix}special_groups"] = f"未知的重点人群类别:{'、'.join(unknown)}"
    notes = optional_text(errors, f"{prefix}notes", "备注", data.notes)
    if errors:
        raise ValidationError(errors)
    clean = replace(
        data,
        name=name,
        id_number=id_number,
        birth_date=birth,
        gender=gender,
        phone=phone,
        relation=relation or ("户主" if data.is_head else ""),
        notes=notes,
        registration_type=registration,
        residence_type=residence,
        ethnicity=ethnicity,
        political_status=political,
        is_party_member=is_party_member(political),
        workplace=workplace,
        special_groups=tuple(dict.fromkeys(data.special_groups)),
    )
    return clean, warnings


class HouseholdService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self.last_warnings: list[str] = []

    # -- households -----------------------------------------------------------------
    @guarded(Action.RECORD)
    def register(
        self,
        building_group_id: int,
        building: str,
        unit: str,
        room: str,
        *,
        phone: str = "",
        notes: str = "",
        residents: tuple[ResidentInput, ...] = (),
    ) -> HouseholdRec:
        errors: dict[str, str] = {}
        building, unit, room, phone, notes = self._address(
            errors, building, unit, room, phone, notes
        )
        with self.ctx.write() as s:
            known = self._known_groups(s)
            clean: list[ResidentInput] = []
            warnings: list[str] = []
            for i, r in enumerate(residents):
                try:
                    c, w = validate_resident(
                        r, known, prefix=f"residents[{i}].", today=today_local(self.ctx.now())
                    )
                    clean.append(c)
                    warnings.extend(w)
                except ValidationError as exc:
                    errors.update(exc.errors)
            if errors:
                raise ValidationError(errors)
            self.ctx.get(s, BuildingGroup, building_group_id)
            self._address_free(s, building_group_id, building, unit, room)
            h = Household(
                building_group_id=building_group_id,
                building=building,
                unit=unit,
                room=room,
                phone=phone,
                notes=notes,
                tier_code="normal",
            )
            s.add(h)
            s.flush()
            for data in clean:
                s.add(self._new_resident(h.id, data))
            s.flush()
            self._recompute_tier(s, h)
            self.ctx.audit(
                s, "household.register", h, address=household_rec(h).address, residents=len(clean)
            )
            self.last_warnings = warnings
            return household_rec(h)

    @guarded(Action.RECORD)
    def update(
        self, household_id: int, *, version: int | None = None, **fields: Any
    ) -> HouseholdRec:
        """Change address, phone, notes, a manual tier (`tier_code`, or None to go back
        to the tier implied by special groups) or the house: `house_status` (code or
        label), `owner_name`, `owner_phone`, and for a rental `tenant_count` and
        `rental_registration` (cleared when the house is no longer 出租). `version`: the
        one the form loaded (refused with StaleRecordError if the household changed since)."""
        allowed = {"building", "unit", "room", "phone", "notes", "tier_code", *HOUSE_FIELDS}
        bad = set(fields) - allowed
        if bad:
            raise ValueError(f"unknown household fields: {bad}")
        with self.ctx.write() as s:
            h = self.ctx.get(s, Household, household_id, version=version)
            errors: dict[str, str] = {}
            building, unit, room, phone, notes = self._address(
                errors,
                fields.get("building", h.building),
                fields.get("unit", h.unit),
                fields.get("room", h.room),
                fields.get("phone", h.phone),
                fields.get("notes", h.notes),
            )
            if (
                "tier_code" in fields
                and fields["tier_code"] is not None
                and s.get(VisitTier, fields["tier_code"]) is None
            ):
                errors["tier_code"] = f"未知的走访等级:{fields['tier_code']}"
            house = self._house(errors, h, fields)
            if errors:
                raise ValidationError(errors)
            if (building, unit, room) != (h.building, h.unit, h.room):
                self._address_free(s, h.building_group_id, building, unit, room)
            before = household_rec(h)
            h.building, h.unit, h.room, h.phone, h.notes = building, unit, room, phone, notes
            for key, value in house.items():
                setattr(h, key, value)
            if "tier_code" in fields:
                if fields["tier_code"] is None:
                    h.tier_manual = False
                    self._recompute_tier(s, h)
                else:
                    h.tier_code, h.tier_manual = fields["tier_code"], True
            after = household_rec(h)
            changed = {
                k: v for k, v in fields.items() if k not in HOUSE_FIELDS and getattr(before, k) != v
            }
            # The owner's name and phone are personal data: their field names only.
            changed.update(
                {
                    k: getattr(after, k)
                    for k in ("house_status", "tenant_count")
                    if getattr(before, k) != getattr(after, k)
                }
            )
            owner = [
                k
                for k in ("owner_name", "owner_phone", "rental_registration")
                if getattr(before, k) != getattr(after, k)
            ]
            if owner:
                changed["fields"] = owner
            if changed:
                self.ctx.audit(s, "household.update", h, **changed)
            return household_rec(h)

    @guarded(Action.RECORD)
    def move(self, household_id: int, building_group_id: int) -> HouseholdRec:
        with self.ctx.write() as s:
            h = self.ctx.get(s, Household, household_id)
            self.ctx.get(s, BuildingGroup, building_group_id)
            if h.building_group_id == building_group_id:
                return household_rec(h)
            self._address_free(s, building_group_id, h.building, h.unit, h.room)
            old = h.building_group_id
            h.building_group_id = building_group_id
            self.ctx.audit(s, "household.move", h, from_group=old, to_group=building_group_id)
            return household_rec(h)

    @guarded(Action.RECORD)
    def delete(self, household_id: int) -> None:
        """Delete a household registered by mistake; with history it is refused."""
        with self.ctx.write() as s:
            h = self.ctx.get(s, Household, household_id)
            if household_has_history(s, household_id):
                raise ConflictError(
                    f"住户“{household_rec(h).address}”已有走访或问题记录,不能删除。",
                    hint="如住户已搬走,请改为归档,历史记录会保留。",
                )
            for r in list(h.residents):
                s.delete(r)
            for other in s.scalars(
                select(Household).where(Household.centre_household_id == household_id)
            ):
                other.centre_household_id = None
            self.ctx.audit(s, "household.delete", h, address=household_rec(h).address)
            s.delete(h)

    @guarded(Action.RECORD)
    def archive(self, household_id: int) -> None:
        with self.ctx.write() as s:
            h = self.ctx.get(s, Household, household_id)
            h.archived = True
            for other in s.scalars(
                select(Household).where(Household.centre_household_id == household_id)
            ):
                other.centre_household_id = None
            self.ctx.audit(s, "household.archive", h, address=household_rec(h).address)

    @guarded(Action.READ)
    def get(self, household_id: int) -> HouseholdRec:
        with self.ctx.read() as s:
            return household_rec(self.ctx.get(s, Household, household_id))

    @guarded(Action.READ)
    def get_by_uuid(self, uuid: str) -> HouseholdRec:
        with self.ctx.read() as s:
            found = s.scalar(select(Household.id).where(Household.uuid == uuid))
            return household_rec(self.ctx.get(s, Household, found))

    @guarded(Action.READ)
    def in_group(self, building_group_id: int) -> list[HouseholdRec]:
        with self.ctx.read() as s:
            self.ctx.check_id(s, BuildingGroup, building_group_id)
            q = select(Household).where(
                Household.building_group_id == building_group_id, Household.archived.is_(False)
            )
            return [
                household_rec(h)
                for h in s.scalars(q.order_by(Household.building, Household.unit, Household.room))
            ]

    # -- party centre households ----------------------------------------------------
    @guarded(Action.RECORD)
    def set_party_centre(self, household_id: int, is_centre: bool) -> HouseholdRec:
        with self.ctx.write() as s:
            h = self.ctx.get(s, Household, household_id)
            if h.is_party_centre == is_centre:
                return household_rec(h)
            h.is_party_centre = is_centre
            if not is_centre:
                for other in s.scalars(
                    select(Household).where(Household.centre_household_id == household_id)
                ):
                    other.centre_household_id = None
            self.ctx.audit(s, "household.party_centre", h, value=is_centre)
            return household_rec(h)

    @guarded(Action.RECORD)
    def assign_centre(self, household_id: int, centre_id: int | None) -> HouseholdRec:
        """Make `centre_id` the party centre household that contacts this household."""
        with self.ctx.write() as s:
            h = self.ctx.get(s, Household, household_id)
            if centre_id is not None:
                centre = self.ctx.get(s, Household, centre_id)
                if not centre.is_party_centre:
                    raise ConflictError(
                        f"“{household_rec(centre).address}”不是党员中心户。",
                        hint="请先把它设为党员中心户。",
                    )
                if centre_id == household_id:
                    raise ConflictError("党员中心户不能联系自己。")

                def grid_of(hh: Household) -> int:
                    return s.get_one(BuildingGroup, hh.building_group_id).grid_id

                if grid_of(centre) != grid_of(h):
                    raise ConflictError("党员中心户只能联系同一网格内的住户。")
            h.centre_household_id = centre_id
            self.ctx.audit(s, "household.assign_centre", h, centre=centre_id)
            return household_rec(h)

    @guarded(Action.READ)
    def contacted_by(self, centre_id: int) -> list[HouseholdRec]:
        with self.ctx.read() as s:
            self.ctx.check_id(s, Household, centre_id)
            q = select(Household).where(
                Household.centre_household_id == centre_id, Household.archived.is_(False)
            )
            return [household_rec(h) for h in s.scalars(q.order_by(Household.id))]

    # -- residents ------------------------------------------------------------------
    @guarded(Action.RECORD)
    def add_resident(self, household_id: int, data: ResidentInput) -> ResidentRec:
        with self.ctx.write() as s:
            h = self.ctx.get(s, Household, household_id)
            clean, self.last_warnings = validate_resident(
                data, self._known_groups(s), today=today_local(self.ctx.now())
            )
            self.last_warnings += self._same_id_elsewhere(s, clean.id_number, h.id, None)
            r = self._new_resident(h.id, clean)
            s.add(r)
            s.flush()
            if clean.moved_in_on is not None:
                # A resident added with a move-in date moved in: the event is its history.
                s.add(
                    ResidentMove(
                        resident_id=r.id,
                        household_id=h.id,
                        kind=MoveKind.MOVE_IN.value,
                        moved_on=clean.moved_in_on,
                        note="",
                    )
                )
            if h.house_status == HouseStatus.VACANT:
                h.house_status = HouseStatus.OWNER_OCCUPIED.value
            s.expire(h, ["residents"])
            self._recompute_tier(s, h)
            self.ctx.audit(s, "resident.add", r, household=h.uuid)
            return resident_rec(r)

    def _same_id_elsewhere(
        self, s: Session, id_number: str, household_id: int, resident_id: int | None
    ) -> list[str]:
        """A warning for each other household where this ID number is registered: one
        person in two households is usually a typing error or a move not recorded."""
        if not id_number:
            return []
        q = (
            select(Resident.id, Resident.name, Household.building, Household.unit,
                   Household.room, Grid.name, Grid.id)
            .join(Household, Resident.household_id == Household.id)
            .join(BuildingGroup, Household.building_group_id == BuildingGroup.id)
            .join(Grid, BuildingGroup.grid_id == Grid.id)
            .where(Resident.id_number == id_number, Resident.archived.is_(False),
                   Household.archived.is_(False), Household.id != household_id)
        )  # fmt: skip
        warnings = []
        area = self.ctx.area(s)
        for rid, name, building, unit, room, grid, grid_id in s.execute(q):
            if rid == resident_id:
                continue
            if area is not None and grid_id not in area:
                # Never where, nor whose, outside the actor's area (docs/security.md).
                if OUTSIDE_ID not in warnings:
                    warnings.append(OUTSIDE_ID)
                continue
            warnings.append(
                f"身份证号 {mask_id_number(id_number)} 已登记在{grid} "
                f"{format_address(building, unit, room)} 的 {mask_name(name)} 名下。"
                "请核对是否同一人:如已搬家,请在原住户里把他标记为迁出。"
            )
        return warnings

    @guarded(Action.RECORD)
    def update_resident(
        self, resident_id: int, data: ResidentInput, *, version: int | None = None
    ) -> ResidentRec:
        with self.ctx.write() as s:
            r = self.ctx.get(s, Resident, resident_id, version=version)
            clean, self.last_warnings = validate_resident(
                data, self._known_groups(s), today=today_local(self.ctx.now())
            )
            if clean.id_number != r.id_number:
                self.last_warnings += self._same_id_elsewhere(
                    s, clean.id_number, r.household_id, r.id
                )
            changed = []
            for key in (
                "name",
                "gender",
                "id_number",
                "birth_date",
                "phone",
                "relation",
                "is_head",
                "political_status",
                "registration_type",
                "residence_type",
                "ethnicity",
                "workplace",
                "moved_in_on",
                "notes",
            ):
                if getattr(r, key) != getattr(clean, key):
                    setattr(r, key, getattr(clean, key))
                    changed.append(key)
            if tuple(r.special_groups or ()) != clean.special_groups:
                r.special_groups = list(clean.special_groups)
                changed.append("special_groups")
            s.flush()
            self._recompute_tier(s, r.household)
            if changed:
                # Field names only: the audit log must not copy personal data around.
                self.ctx.audit(s, "resident.update", r, fields=changed)
            return resident_rec(r)

    @guarded(Action.RECORD)
    def move_resident(self, resident_id: int, household_id: int) -> ResidentRec:
        with self.ctx.write() as s:
            r = self.ctx.get(s, Resident, resident_id)
            target = self.ctx.get(s, Household, household_id)
            source = r.household
            if source.id == target.id:
                return resident_rec(r)
            r.household_id = target.id
            r.is_head = False
            s.flush()
            s.expire(source, ["residents"])
            s.expire(target, ["residents"])
            self._recompute_tier(s, source)
            self._recompute_tier(s, target)
            self.ctx.audit(
                s, "resident.move", r, from_household=source.uuid, to_household=target.uuid
            )
            return resident_rec(r)

    @guarded(Action.RECORD)
    def remove_resident(self, resident_id: int) -> None:
        """Residents who moved away are archived, so visits that named them stay readable."""
        with self.ctx.write() as s:
            r = self.ctx.get(s, Resident, resident_id)
            r.archived = True
            s.flush()
            self._recompute_tier(s, r.household)
            self.ctx.audit(s, "resident.remove", r)

    @guarded(Action.READ)
    def residents(self, household_id: int, *, former: bool = False) -> list[ResidentRec]:
        """The household's current residents; with `former`, those who moved out or
        died instead (its history)."""
        with self.ctx.read() as s:
            self.ctx.check_id(s, Household, household_id)
            current = resident_current_sql(Resident.status, Resident.archived)
            q = select(Resident).where(
                Resident.household_id == household_id,
                and_(Resident.archived.is_(False), ~current) if former else current,
            )
            return [
                resident_rec(r) for r in s.scalars(q.order_by(Resident.is_head.desc(), Resident.id))
            ]

    # -- moves ----------------------------------------------------------------------
    @guarded(Action.RECORD)
    def record_move(
        self,
        resident_id: int,
        kind: MoveKind | str,
        moved_on: date,
        note: str = "",
        *,
        relation: str | None = None,
    ) -> ResidentMoveRec:
        """Record 迁入 / 迁出 / 死亡 / 户内变更 of a resident and apply it in the same
        transaction: one who moved out or died leaves the lists, counts, tier and due
        visits but stays in the history; a household left without residents becomes
        空置; one who moves (back) in is current again, and a 空置 house becomes 自住.
        A 户内变更 may give the new 与户主关系 (`relation`, by name or code)."""
        errors: dict[str, str] = {}
        kind_code = _closed(errors, "kind", "变动类型", MoveKind, str(kind))
        if errors:
            raise ValidationError(errors)
        move = MoveKind(kind_code)
        note = optional_text(errors, "note", "说明", note)
        today = today_local(self.ctx.now())
        if moved_on > today:
            errors["moved_on"] = "变动日期不能晚于今天"
        new_relation = relation_name(relation) if relation is not None else None
        if new_relation and new_relation not in RELATIONS and RELATION.lookup(new_relation) is None:
            errors["relation"] = f"与户主关系“{new_relation}”不在 GB/T 4761 家庭关系代码表中"
        if errors:
            raise ValidationError(errors)
        with self.ctx.write() as s:
            r = self.ctx.get(s, Resident, resident_id)
            h = r.household
            status = move.leaves
            current = r.status == ResidentStatus.PRESENT
            if status is not None and status != ResidentStatus.PRESENT and not current:
                raise ConflictError(
                    f"{mask_name(r.name)}的状态已是“{ResidentStatus(r.status).label}”。"
                )
            if move is MoveKind.MOVE_IN and current:
                raise ConflictError(f"{mask_name(r.name)}现在就住在这户。")
            if move is MoveKind.INTERNAL and not current:
                raise ConflictError(f"{mask_name(r.name)}已不在这户居住,不能做户内变更。")
            m = ResidentMove(
                resident_id=r.id, household_id=h.id, kind=move.value, moved_on=moved_on, note=note
            )
            s.add(m)
            if status is not None and r.status != status.value:
                r.status = status.value
            if status is ResidentStatus.PRESENT:
                r.moved_in_on = moved_on
                if h.house_status == HouseStatus.VACANT:
                    h.house_status = HouseStatus.OWNER_OCCUPIED.value
            elif status is not None and r.is_head:
                r.is_head = False
            if new_relation is not None and new_relation != r.relation:
                r.relation = new_relation
                r.is_head = new_relation == "户主"
            s.flush()
            s.expire(h, ["residents"])
            if status not in (None, ResidentStatus.PRESENT) and not any(
                resident_is_current(x.status, x.archived) for x in h.residents
            ):
                h.house_status = HouseStatus.VACANT.value
            self._recompute_tier(s, h)
            # The kind and date only: the note may name people.
            self.ctx.audit(
                s, "resident.move_event", m, kind=move.value, moved_on=moved_on.isoformat(),
                resident=r.uuid, household=h.uuid,
            )  # fmt: skip
            return move_rec(m, r.name)

    @guarded(Action.READ)
    def moves(self, household_id: int) -> list[ResidentMoveRec]:
        """The household's move events, newest first."""
        with self.ctx.read() as s:
            self.ctx.check_id(s, Household, household_id)
            q = (
                select(ResidentMove, Resident.name)
                .join(Resident, Resident.id == ResidentMove.resident_id)
                .where(ResidentMove.household_id == household_id, ResidentMove.archived.is_(False))
                .order_by(ResidentMove.moved_on.desc(), ResidentMove.id.desc())
            )
            return [move_rec(m, name) for m, name in s.execute(q)]

    @guarded(Action.REVEAL)
    def reveal(self, resident_id: int, field: str) -> str:
        """One resident's full ID number or phone, shown on purpose; audited (which
        field, never the value)."""
        if field not in ("id_number", "phone"):
            raise ValueError(f"not a revealable field: {field}")
        with self.ctx.write() as s:
            r = self.ctx.get(s, Resident, resident_id)
            self.ctx.audit(s, "resident.reveal", r, field=field)
            return str(getattr(r, field))

    # -- helpers --------------------------------------------------------------------
    @staticmethod
    def _address(
        errors: dict[str, str], building: str, unit: str, room: str, phone: str, notes: str
    ) -> tuple[str, str, str, str, str]:
        building = require_text(errors, "building", "楼栋", building, max_len=16)
        unit = optional_text(errors, "unit", "单元", unit, max_len=16)
        room = require_text(errors, "room", "室号", room, max_len=16)
        notes = optional_text(errors, "notes", "备注", notes)
        if phone and phone.strip():
            pc = check_phone(phone)
            if pc.ok:
                phone = pc.normalized
            else:
                errors["phone"] = pc.error
        else:
            phone = ""
        return building, unit, room, phone, notes

    @staticmethod
    def _house(errors: dict[str, str], h: Household, fields: dict[str, Any]) -> dict[str, Any]:
        """The house fields of an update, checked and normalised."""
        out: dict[str, Any] = {}
        status = h.house_status
        if "house_status" in fields:
            status = _closed(
                errors, "house_status", "房屋状态", HouseStatus, fields["house_status"]
            )
            out["house_status"] = status
        if "owner_name" in fields:
            out["owner_name"] = optional_text(
                errors, "owner_name", "房主姓名", fields["owner_name"], max_len=32
            )
        if "owner_phone" in fields:
            phone = str(fields["owner_phone"] or "").strip()
            if phone:
                pc = check_phone(phone)
                phone = pc.normalized if pc.ok else phone
                if not pc.ok:
                    errors["owner_phone"] = pc.error
            out["owner_phone"] = phone
        rented = status == HouseStatus.RENTED
        if "tenant_count" in fields:
            count = fields["tenant_count"]
            if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= 999:
                errors["tenant_count"] = "租住人数应为 0 到 999 的整数"
            elif count and not rented:
                errors["tenant_count"] = "只有出租房屋才填写租住人数"
            else:
                out["tenant_count"] = count
        if "rental_registration" in fields:
            number = optional_text(
                errors, "rental_registration", "租赁登记备案号", fields["rental_registration"],
                max_len=64,
            )  # fmt: skip
            if number and not rented:
                errors["rental_registration"] = "只有出租房屋才填写租赁登记备案号"
            out["rental_registration"] = number
        if not rented:  # no longer a rental: its tenants go with it
            out.setdefault("tenant_count", 0)
            out.setdefault("rental_registration", "")
        return out

    @staticmethod
    def _address_free(s: Session, group_id: int, building: str, unit: str, room: str) -> None:
        taken = s.scalar(
            select(
                exists().where(
                    Household.building_group_id == group_id,
                    Household.building == building,
                    Household.unit == unit,
                    Household.room == room,
                    Household.archived.is_(False),
                )
            )
        )
        if taken:
            raise ConflictError(
                f"{format_address(building, unit, room)}已经登记过了。",
                hint="请在列表中找到这户并编辑,不要重复登记。",
            )

    @staticmethod
    def _known_groups(s: Session) -> set[str]:
        return set(s.scalars(select(SpecialGroup.code)))

    def _new_resident(self, household_id: int, data: ResidentInput) -> Resident:
        return Resident(
            household_id=household_id,
            name=data.name,
            gender=data.gender,
            id_number=data.id_number,
            birth_date=data.birth_date,
            phone=data.phone,
            relation=data.relation,
            is_head=data.is_head,
            is_party_member=data.is_party_member,
            special_groups=list(data.special_groups),
            notes=data.notes,
            political_status=data.political_status
            or political_status_for_flag(data.is_party_member),
            registration_type=data.registration_type,
            residence_type=data.residence_type,
            ethnicity=data.ethnicity,
            workplace=data.workplace,
            moved_in_on=data.moved_in_on,
        )

    @staticmethod
    def _recompute_tier(s: Session, h: Household) -> None:
        if h.tier_manual:
            return
        group_tier = dict(s.execute(select(SpecialGroup.code, SpecialGroup.tier_code)).all())
        tier_rank = dict(s.execute(select(VisitTier.code, VisitTier.rank)).all())
        groups = [
            g
            for r in h.residents
            if resident_is_current(r.status, r.archived)
            for g in (r.special_groups or ())
        ]
        tier = tier_for_groups(groups, group_tier, tier_rank)
        if h.tier_code != tier:
            h.tier_code = tier
