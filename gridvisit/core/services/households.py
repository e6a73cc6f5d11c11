"""Households and residents: register, edit, move; party centre households."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from gridvisit.core.access import OUTSIDE_ID, Action, guarded
from gridvisit.core.enums import Gender
from gridvisit.core.errors import ConflictError, ValidationError
from gridvisit.core.masking import mask_id_number, mask_name
from gridvisit.core.records import HouseholdRec, ResidentInput, ResidentRec, format_address
from gridvisit.core.rules import tier_for_groups
from gridvisit.core.services.context import ServiceContext
from gridvisit.core.services.hierarchy import household_has_history
from gridvisit.core.validation import check_citizen_id, check_phone, optional_text, require_text
from gridvisit.storage.models import (
    BuildingGroup,
    Grid,
    Household,
    Resident,
    SpecialGroup,
    VisitTier,
)

RELATIONS = ("户主", "配偶", "子女", "父母", "孙子女", "祖父母", "兄弟姐妹", "租户", "其他")


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
        r.version,
    )


def validate_resident(
    data: ResidentInput, known_groups: set[str], prefix: str = ""
) -> tuple[ResidentInput, list[str]]:
    """Normalised input and warnings, or a ValidationError naming every bad field."""
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
    relation = data.relation.strip()
    if relation and relation not in RELATIONS:
        errors[f"{prefix}relation"] = f"与户主关系“{relation}”不在可选范围内:{'、'.join(RELATIONS)}"
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
                    c, w = validate_resident(r, known, prefix=f"residents[{i}].")
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
        """Change address, phone, notes or a manual tier (`tier_code`, or None to go back
        to the tier implied by special groups). `version`: the one the form loaded
        (refused with StaleRecordError if the household changed since)."""
        allowed = {"building", "unit", "room", "phone", "notes", "tier_code"}
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
            if errors:
                raise ValidationError(errors)
            if (building, unit, room) != (h.building, h.unit, h.room):
                self._address_free(s, h.building_group_id, building, unit, room)
            before = household_rec(h)
            h.building, h.unit, h.room, h.phone, h.notes = building, unit, room, phone, notes
            if "tier_code" in fields:
                if fields["tier_code"] is None:
                    h.tier_manual = False
                    self._recompute_tier(s, h)
                else:
                    h.tier_code, h.tier_manual = fields["tier_code"], True
            changed = {k: v for k, v in fields.items() if getattr(before, k) != v}
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
            clean, self.last_warnings = validate_resident(data, self._known_groups(s))
            self.last_warnings += self._same_id_elsewhere(s, clean.id_number, h.id, None)
            r = self._new_resident(h.id, clean)
            s.add(r)
            s.flush()
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
            clean, self.last_warnings = validate_resident(data, self._known_groups(s))
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
                "is_party_member",
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
    def residents(self, household_id: int) -> list[ResidentRec]:
        with self.ctx.read() as s:
            self.ctx.check_id(s, Household, household_id)
            q = select(Resident).where(
                Resident.household_id == household_id, Resident.archived.is_(False)
            )
            return [
                resident_rec(r) for r in s.scalars(q.order_by(Resident.is_head.desc(), Resident.id))
            ]

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
        )

    @staticmethod
    def _recompute_tier(s: Session, h: Household) -> None:
        if h.tier_manual:
            return
        group_tier = dict(s.execute(select(SpecialGroup.code, SpecialGroup.tier_code)).all())
        tier_rank = dict(s.execute(select(VisitTier.code, VisitTier.rank)).all())
        groups = [g for r in h.residents if not r.archived for g in (r.special_groups or ())]
        tier = tier_for_groups(groups, group_tier, tier_rank)
        if h.tier_code != tier:
            h.tier_code = tier
