"""Closed vocabularies of the domain. Values are stable ASCII codes stored in the
database and exchanged between devices; `label` gives the Chinese text shown to users."""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class _Labelled(StrEnum):
    @property
    def label(self) -> str:
        # Keyed by class too: StrEnum members equal their value, so ProblemStatus.RESOLVED
        # and EventKind.RESOLVED ("resolved") would collide as plain dict keys.
        return _LABELS_BY_CLASS[(type(self), self.value)]

    @classmethod
    def from_label(cls, text: str) -> Self:
        for member in cls:
            if member.label == text.strip():
                return member
        raise ValueError(text)


class Role(_Labelled):
    GRID_WORKER = "grid_worker"
    COMMUNITY_ADMIN = "community_admin"
    SUBDISTRICT_ADMIN = "subdistrict_admin"


class Gender(_Labelled):
    MALE = "M"
    FEMALE = "F"


class VisitMethod(_Labelled):
    IN_PERSON = "in_person"
    PHONE = "phone"
    VIDEO = "video"
    CHANCE = "chance"


class VisitPurpose(_Labelled):
    ROUTINE = "routine"
    SIX_SITUATIONS = "six_situations"
    SPECIAL_CARE = "special_care"
    PROBLEM_FOLLOWUP = "problem_followup"
    FESTIVAL = "festival"
    POLICY = "policy"
    OTHER = "other"


class HandlingLevel(_Labelled):
    GRID = "grid"
    COMMUNITY = "community"
    SUBDISTRICT = "subdistrict"

    def next_up(self) -> HandlingLevel | None:
        order = list(HandlingLevel)
        i = order.index(self)
        return order[i + 1] if i + 1 < len(order) else None


class ProblemStatus(_Labelled):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"

    @property
    def is_open(self) -> bool:
        """Open = still being handled, so its time limit applies."""
        return self in (ProblemStatus.PENDING, ProblemStatus.IN_PROGRESS)


class Satisfaction(_Labelled):
    SATISFIED = "satisfied"
    BASICALLY = "basically"
    DISSATISFIED = "dissatisfied"


class EventKind(_Labelled):
    CREATED = "created"
    ACCEPTED = "accepted"
    PROGRESS = "progress"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    RETURN_VISIT = "return_visit"
    REOPENED = "reopened"
    # 督办 by a supervisor (community or sub-district admin): no change of status.
    SUPERVISE_YELLOW = "supervise_yellow"
    SUPERVISE_RED = "supervise_red"
    EXPEDITE = "expedite"
    # 延期申请 by the handler, approved or refused by a supervisor. The dates travel in
    # the event's assigned_unit / assigned_person (core/rules.py, extension_fields).
    EXTENSION_REQUESTED = "ext_requested"
    EXTENSION_APPROVED = "ext_approved"
    EXTENSION_REFUSED = "ext_refused"


_LABELS: list[tuple[StrEnum, str]] = [
    (Role.GRID_WORKER, "网格员"),
    (Role.COMMUNITY_ADMIN, "社区管理员"),
    (Role.SUBDISTRICT_ADMIN, "街道管理员"),
    (Gender.MALE, "男"),
    (Gender.FEMALE, "女"),
    (VisitMethod.IN_PERSON, "入户"),
    (VisitMethod.PHONE, "电话"),
    (VisitMethod.VIDEO, "视频"),
    (VisitMethod.CHANCE, "偶遇"),
    (VisitPurpose.ROUTINE, "日常走访"),
    (VisitPurpose.SIX_SITUATIONS, "六情大走访"),
    (VisitPurpose.SPECIAL_CARE, "重点人群关怀"),
    (VisitPurpose.PROBLEM_FOLLOWUP, "问题回访"),
    (VisitPurpose.FESTIVAL, "节日慰问"),
    (VisitPurpose.POLICY, "政策宣传"),
    (VisitPurpose.OTHER, "其他"),
    (HandlingLevel.GRID, "网格"),
    (HandlingLevel.COMMUNITY, "社区"),
    (HandlingLevel.SUBDISTRICT, "街道"),
    (ProblemStatus.PENDING, "待受理"),
    (ProblemStatus.IN_PROGRESS, "办理中"),
    (ProblemStatus.RESOLVED, "已办结"),
    (ProblemStatus.CLOSED, "已回访销号"),
    (Satisfaction.SATISFIED, "满意"),
    (Satisfaction.BASICALLY, "基本满意"),
    (Satisfaction.DISSATISFIED, "不满意"),
    (EventKind.CREATED, "登记"),
    (EventKind.ACCEPTED, "受理派单"),
    (EventKind.PROGRESS, "办理进展"),
    (EventKind.ESCALATED, "上报"),
    (EventKind.RESOLVED, "办结"),
    (EventKind.RETURN_VISIT, "回访"),
    (EventKind.REOPENED, "重新办理"),
    (EventKind.SUPERVISE_YELLOW, "黄牌督办"),
    (EventKind.SUPERVISE_RED, "红牌督办"),
    (EventKind.EXPEDITE, "加急"),
    (EventKind.EXTENSION_REQUESTED, "延期申请"),
    (EventKind.EXTENSION_APPROVED, "同意延期"),
    (EventKind.EXTENSION_REFUSED, "不同意延期"),
]

_LABELS_BY_CLASS: dict[tuple[type, str], str] = {
    (type(member), member.value): text for member, text in _LABELS
}
