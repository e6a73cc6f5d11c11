"""Supervisor statistics (issue 19): periods, the additive counts behind every figure,
and each indicator's formula, in one place with the Chinese text reports print
(docs/architecture.md, "Statistics").

Pure domain: no database. `core/services/stats.py` fills `Counts` with SQL aggregates
(the membership rules it uses are in `core/rules.py`); everything here turns counts
into indicators, so the page, the PDF, the Excel sheet and `gridvisit stats --json`
print the same figure from the same formula.

Counts are additive: the counts of a community are the sum of its grids', a worker's
the sum of the grids assigned to them. That is why the service aggregates once per
building group and sums upward."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from enum import StrEnum

from gridvisit.core.clock import IsoWeek, local_date, local_midnight
from gridvisit.core.errors import ValidationError

# --- periods ------------------------------------------------------------------------


class PeriodKind(StrEnum):
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    CUSTOM = "custom"


@dataclass(frozen=True, slots=True)
class Period:
    """Local calendar days `first` to `last` inclusive, Beijing time: from `first`
    00:00 to the midnight after `last` (exclusive)."""

    kind: PeriodKind
    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValidationError({"period": f"结束日期 {self.last} 早于开始日期 {self.first}"})

    @property
    def start(self) -> datetime:
        return local_midnight(self.first)

    @property
    def end(self) -> datetime:
        return local_midnight(self.last + timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def label(self) -> str:
        """Chinese name of the period, as titles print it."""
        f = self.first
        if self.kind is PeriodKind.WEEK:
            iso = f.isocalendar()
            return f"{iso.year}年第{iso.week}周"
        if self.kind is PeriodKind.MONTH:
            return f"{f.year}年{f.month}月"
        if self.kind is PeriodKind.QUARTER:
            return f"{f.year}年第{(f.month - 1) // 3 + 1}季度"
        if self.kind is PeriodKind.YEAR:
            return f"{f.year}年"
        return f"{self.first.isoformat()}至{self.last.isoformat()}"

    @property
    def code(self) -> str:
        """Machine form: 2026-W47, 2026-11, 2026-Q4, 2026, or 2026-11-01..2026-11-30."""
        f = self.first
        if self.kind is PeriodKind.WEEK:
            return str(IsoWeek.containing(f))
        if self.kind is PeriodKind.MONTH:
            return f"{f.year}-{f.month:02d}"
        if self.kind is PeriodKind.QUARTER:
            return f"{f.year}-Q{(f.month - 1) // 3 + 1}"
        if self.kind is PeriodKind.YEAR:
            return str(f.year)
        return f"{self.first.isoformat()}..{self.last.isoformat()}"

    # -- constructors ----------------------------------------------------------------
    @classmethod
    def week(cls, week: IsoWeek) -> Period:
        return cls(PeriodKind.WEEK, week.monday, week.sunday)

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        _check_year(year)
        if not 1 <= month <= 12:
            raise ValidationError({"period": f"月份 {month} 不在 1–12 之间"})
        nxt = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
        return cls(PeriodKind.MONTH, date(year, month, 1), nxt - timedelta(days=1))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        _check_year(year)
        if not 1 <= quarter <= 4:
            raise ValidationError({"period": f"季度 {quarter} 不在 1–4 之间"})
        first = date(year, 3 * quarter - 2, 1)
        last = Period.month(year, 3 * quarter).last
        return cls(PeriodKind.QUARTER, first, last)

    @classmethod
    def year(cls, year: int) -> Period:
        _check_year(year)
        return cls(PeriodKind.YEAR, date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def custom(cls, first: date, last: date) -> Period:
        return cls(PeriodKind.CUSTOM, first, last)

    @classmethod
    def containing(cls, kind: PeriodKind, day: date) -> Period:
        if kind is PeriodKind.WEEK:
            return cls.week(IsoWeek.containing(day))
        if kind is PeriodKind.MONTH:
            return cls.month(day.year, day.month)
        if kind is PeriodKind.QUARTER:
            return cls.quarter(day.year, (day.month - 1) // 3 + 1)
        if kind is PeriodKind.YEAR:
            return cls.year(day.year)
        return cls.custom(day, day)

    @classmethod
    def parse(cls, text: str) -> Period:
        """2026-W47, 2026-11, 2026-Q4 or 2026 (what the reports' options take)."""
        t = (text or "").strip()
        if m := re.fullmatch(r"(\d{4})-?[Ww](\d{1,2})", t):
            return cls.week(IsoWeek(int(m.group(1)), int(m.group(2))))
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})", t):
            return cls.month(int(m.group(1)), int(m.group(2)))
        if m := re.fullmatch(r"(\d{4})-?[Qq](\d)", t):
            return cls.quarter(int(m.group(1)), int(m.group(2)))
        if m := re.fullmatch(r"(\d{4})", t):
            return cls.year(int(m.group(1)))
        raise ValidationError(
            {"period": f"统计期“{text}”格式不对,应写成 2026-11、2026-Q4、2026 或 2026-W47"}
        )

    def previous(self) -> Period:
        """The period of the same kind just before (a custom range: as many days)."""
        if self.kind is PeriodKind.CUSTOM:
            return Period.custom(
                self.first - timedelta(days=self.days), self.first - timedelta(days=1)
            )
        return Period.containing(self.kind, self.first - timedelta(days=1))

    def as_of(self, now: datetime) -> datetime:
        """The moment the period's state figures are taken at: a finished period at its
        last instant (so a problem due "by the last day" is not late on it), the
        current one now (docs/architecture.md, "As of when")."""
        # core.rules loads SQLAlchemy; `gridvisit stats --help` reads this module
        # without it (tests/cli/test_main.py).
        from gridvisit.core.rules import last_instant_before

        return now if now < self.end else last_instant_before(self.end)


def _check_year(year: int) -> None:
    if not 1 <= year <= 9998:
        raise ValidationError({"period": f"年份 {year} 不在有效范围内"})


def last_periods(kind: PeriodKind, count: int, now: datetime) -> list[Period]:
    """The `count` periods of `kind` ending with the one that contains `now`, oldest
    first (the trends: the last 12 weeks, the last 12 months)."""
    current = Period.containing(kind, local_date(now))
    out = [current]
    while len(out) < count:
        out.append(out[-1].previous())
    return out[::-1]


# --- counts -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Counts:
    """The raw, additive figures of one scope and period. Definitions (the SQL in
    core/services/stats.py, the rules in core/rules.py):

    visits              visits made in the period to households on the register (deleted
                        visits and archived households left out)
    households_visited  households with at least one of them
    due                 应访户数: active households registered by the as-of moment whose
                        next visit (from the last visit before the period) falls due on
                        or before the as-of day (the last day of a finished period)
    covered             按期走访户数: due households visited in the period and not overdue
                        on the as-of day (every visit their interval asks for was made)
    overdue_households  households overdue for a visit on the as-of day (the tree's rule)
    new                 problems reported in the period
    resolved            problems 办结 as of the as-of moment with their last 办结 in the
                        period (core.rules.resolution_as_of, the weekly list's rule: from
                        the problem events, so a later reopen changes no past period)
    on_time             of those, 按期: resolved within the original limit (core.rules'
                        resolution_timeliness: before the limit in force at the as-of
                        moment, due_at_as_of, and before the limit an approved extension
                        replaced)
    extended            of those, 延期后按期: within the limit only as an approved extension
                        moved it (counted apart, as on the weekly list)
    overdue_open        problems past their limit in force and 未办结 at the as-of moment
                        (status as of then, from the events)
    open_at_start       problems reported before the period and 未办结 at its start (as
                        of its last instant before it, from the events)
    return_visits       return visits (回访) in the period, and their answers
    days_to_resolve     the sum of (last 办结 as of the moment − reported_at) in days over
                        `resolved`
    settled_*           `resolved` by the level that resolved them (Problem.level)"""

    visits: int = 0
    households_visited: int = 0
    due: int = 0
    covered: int = 0
    overdue_households: int = 0
    new: int = 0
    resolved: int = 0
    on_time: int = 0
    overdue_open: int = 0
    open_at_start: int = 0
    return_visits: int = 0
    satisfied: int = 0
    basically_satisfied: int = 0
    dissatisfied: int = 0
    days_to_resolve: float = 0.0
    settled_grid: int = 0
    settled_community: int = 0
    settled_subdistrict: int = 0
    extended: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(Counts)))

    @staticmethod
    def total(items: Iterable[Counts]) -> Counts:
        out = Counts()
        for c in items:
            out = out + c
        return out

    @property
    def resolved_late(self) -> int:
        return self.resolved - self.on_time - self.extended

    def as_dict(self) -> dict[str, int | float]:
        out: dict[str, int | float] = {f.name: getattr(self, f.name) for f in fields(Counts)}
        out["resolved_late"] = self.resolved_late
        out["days_to_resolve"] = round(self.days_to_resolve, 4)
        return out


@dataclass(frozen=True, slots=True)
class GroupCoverage:
    """Visit coverage among households with a resident in one special group."""

    code: str
    name: str
    due: int = 0
    covered: int = 0
    overdue_households: int = 0
    households: int = 0

    @property
    def coverage(self) -> float | None:
        return ratio(self.covered, self.due)

    def __add__(self, other: GroupCoverage) -> GroupCoverage:
        return GroupCoverage(
            self.code,
            self.name,
            self.due + other.due,
            self.covered + other.covered,
            self.overdue_households + other.overdue_households,
            self.households + other.households,
        )


@dataclass(frozen=True, slots=True)
class CategoryCounts:
    """Problems of one top-level category (大类)."""

    code: str
    name: str
    new: int = 0
    resolved: int = 0
    on_time: int = 0
    overdue_open: int = 0

    @property
    def on_time_rate(self) -> float | None:
        return ratio(self.on_time, self.resolved)

    def __add__(self, other: CategoryCounts) -> CategoryCounts:
        return CategoryCounts(
            self.code,
            self.name,
            self.new + other.new,
            self.resolved + other.resolved,
            self.on_time + other.on_time,
            self.overdue_open + other.overdue_open,
        )


def ratio(numerator: float, denominator: float) -> float | None:
    """None when nothing was there to count (shown as "—", never as 0 % or 100 %)."""
    return numerator / denominator if denominator else None


# --- indicators ---------------------------------------------------------------------


class Unit(StrEnum):
    COUNT = "count"  # 次 / 户 / 件: an integer
    RATE = "rate"  # a share, 0..1 (printed as %)
    DAYS = "days"


@dataclass(frozen=True, slots=True)
class Indicator:
    key: str
    name: str
    unit: Unit
    formula: str  # the Chinese text reports print
    numerator: str = ""  # Counts fields (or "+"-joined sums of them) for a rate
    denominator: str = ""
    suffix: str = ""  # 次, 户, 件, 天


def _sum(c: Counts, expr: str) -> float:
    """A numerator or denominator: the Counts fields named, "+"-joined (an int when
    they are counts, so JSON shows 13571 rather than 13571.0)."""
    total: float = sum(getattr(c, name) for name in expr.split("+")) if expr else 0
    return total


INDICATORS: tuple[Indicator, ...] = (
    Indicator("visits", "走访次数", Unit.COUNT, "本期对在册住户的走访记录数(已删除的不计)", suffix="次"),
    Indicator("households_visited", "走访户数", Unit.COUNT, "本期至少走访一次的住户数", suffix="户"),
    Indicator(
        "due",
        "应访户数",
        Unit.COUNT,
        "截至统计时点按走访周期应当走访的在册住户数(以期初前最后一次走访推算下次应访日)",
        suffix="户",
    ),
    Indicator(
        "coverage",
        "走访覆盖率",
        Unit.RATE,
        "按期走访户数 ÷ 应访户数;按期走访:本期内走访过且统计时点未逾期",
        "covered",
        "due",
    ),
    Indicator(
        "overdue_households", "期末逾期未访户数", Unit.COUNT, "统计时点已过应访日仍未走访的住户数",
        suffix="户",
    ),
    Indicator("new", "新增问题", Unit.COUNT, "本期登记的问题数", suffix="件"),
    Indicator(
        "resolved", "办结", Unit.COUNT, "截至统计时点已办结、且最近一次办结在本期内的问题数(以统计时点的办理记录为准,之后重新办理不改变本期数)",
        suffix="件",
    ),
    Indicator(
        "on_time", "按期办结", Unit.COUNT, "本期办结且在原办理时限(统计时点有效的时限)内办结的问题数", suffix="件"
    ),
    Indicator(
        "extended", "延期后按期", Unit.COUNT,
        "本期办结,超过原时限但在批准延期后的时限内办结的问题数", suffix="件",
    ),
    Indicator("resolved_late", "超期办结", Unit.COUNT, "本期办结但超过统计时点有效的办理时限的问题数", suffix="件"),
    Indicator(
        "overdue_open", "超期未办结", Unit.COUNT, "统计时点已过当时有效的办理时限、当时仍未办结的问题数", suffix="件"
    ),
    Indicator(
        "resolution_rate",
        "办结率",
        Unit.RATE,
        "本期办结数 ÷(期初未办结数 + 本期新增数)",
        "resolved",
        "open_at_start+new",
    ),
    Indicator(
        "on_time_rate", "按期办结率", Unit.RATE,
        "按期办结数 ÷ 本期办结数(延期后按期不计为按期)", "on_time", "resolved",
    ),
    Indicator(
        "on_time_with_extension_rate", "含延期按期办结率", Unit.RATE,
        "(按期办结数 + 延期后按期数)÷ 本期办结数", "on_time+extended", "resolved",
    ),
    Indicator(
        "satisfaction_rate",
        "回访满意率",
        Unit.RATE,
        "(满意 + 基本满意)÷ 本期回访次数",
        "satisfied+basically_satisfied",
        "return_visits",
    ),
    Indicator(
        "avg_days_to_resolve",
        "平均办结天数",
        Unit.DAYS,
        "本期办结问题的(办结时间 − 登记时间)之和 ÷ 本期办结数",
        "days_to_resolve",
        "resolved",
        suffix="天",
    ),
    Indicator(
        "settled_grid_share", "网格办结占比", Unit.RATE, "在网格层级办结的问题数 ÷ 本期办结数",
        "settled_grid", "resolved",
    ),
    Indicator(
        "settled_community_share", "社区办结占比", Unit.RATE,
        "在社区层级办结的问题数 ÷ 本期办结数", "settled_community", "resolved",
    ),
    Indicator(
        "settled_subdistrict_share", "街道办结占比", Unit.RATE,
        "在街道层级办结的问题数 ÷ 本期办结数", "settled_subdistrict", "resolved",
    ),
    Indicator(
        "settled_below_subdistrict",
        "基层解决率",
        Unit.RATE,
        "(网格办结数 + 社区办结数)÷ 本期办结数(小事不出社区、大事不出街道)",
        "settled_grid+settled_community",
        "resolved",
    ),
)  # fmt: skip
BY_KEY: dict[str, Indicator] = {i.key: i for i in INDICATORS}


# --- targets ------------------------------------------------------------------------

# Every target is a lower bound ("≥"); an admin changes them (StatsService.set_targets).
DEFAULT_TARGETS: dict[str, float] = {
    "coverage": 0.95,
    "on_time_rate": 0.90,
    "satisfaction_rate": 0.95,
    "settled_below_subdistrict": 0.90,
}
# Indicators that may carry a target: the rates.
TARGETABLE: tuple[str, ...] = tuple(i.key for i in INDICATORS if i.unit is Unit.RATE)
SETTING_PREFIX = "stats.target."


def setting_key(indicator: str) -> str:
    return SETTING_PREFIX + indicator


def parse_targets(stored: Mapping[str, str]) -> dict[str, float]:
    """The defaults overlaid with the stored settings (key → text); an empty text
    removes a default target, a value that is not a share is ignored."""
    out = dict(DEFAULT_TARGETS)
    for key in TARGETABLE:
        text = stored.get(setting_key(key))
        if text is None:
            continue
        if not text.strip():
            out.pop(key, None)
            continue
        try:
            value = float(text)
        except ValueError:
            continue
        if 0.0 <= value <= 1.0:
            out[key] = value
    return out


def check_target(key: str, value: float | None) -> float | None:
    """A target set by an admin: a share 0..1 (a front end turns "95%" into 0.95);
    None removes the target. ValidationError names the indicator."""
    if key not in TARGETABLE:
        names = "、".join(f"{k}({BY_KEY[k].name})" for k in TARGETABLE)
        raise ValidationError({key: f"“{key}”不是可以设目标的指标;可以设目标的指标:{names}"})
    if value is None:
        return None
    if not 0.0 <= value <= 1.0:
        raise ValidationError({key: f"{BY_KEY[key].name}的目标值 {value} 不在 0–100% 之间"})
    return value


# --- values -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IndicatorValue:
    key: str
    name: str
    unit: Unit
    value: float | None  # None: nothing to count (no due households, no resolutions)
    numerator: float | None = None  # for rates and averages
    denominator: float | None = None
    target: float | None = None
    meets_target: bool | None = None  # None when there is no target or no value
    formula: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "unit": self.unit.value,
            "value": None if self.value is None else round(self.value, 6),
            "numerator": self.numerator,
            "denominator": self.denominator,
            "target": self.target,
            "meets_target": self.meets_target,
            "formula": self.formula,
        }


def meets_target(value: float | None, target: float | None) -> bool | None:
    """Every target is a lower bound; None when there is no target or nothing to count
    (shown neither red nor green)."""
    return None if value is None or target is None else value >= target


def evaluate(counts: Counts, targets: Mapping[str, float]) -> dict[str, IndicatorValue]:
    """Every indicator of `counts`, in INDICATORS order, against `targets`."""
    out: dict[str, IndicatorValue] = {}
    for ind in INDICATORS:
        num = den = None
        if ind.denominator:
            num, den = _sum(counts, ind.numerator), _sum(counts, ind.denominator)
            value = ratio(num, den)
            if ind.unit is Unit.COUNT:
                num = den = None
        elif ind.key == "resolved_late":
            value = float(counts.resolved_late)
        else:
            value = float(getattr(counts, ind.key))
        if ind.unit is Unit.COUNT and value is not None:
            value = int(value)
        target = targets.get(ind.key)
        meets = meets_target(value, target)
        out[ind.key] = IndicatorValue(
            ind.key, ind.name, ind.unit, value, num, den, target, meets, ind.formula
        )
    return out


@dataclass(frozen=True, slots=True)
class ScopeFigures:
    """One scope's counts, its indicators, and the breakdowns."""

    counts: Counts
    indicators: dict[str, IndicatorValue]
    special_groups: tuple[GroupCoverage, ...] = ()
    categories: tuple[CategoryCounts, ...] = ()

    def value(self, key: str) -> float | None:
        return self.indicators[key].value

    def below_target(self) -> list[str]:
        return [k for k, v in self.indicators.items() if v.meets_target is False]


def figures(
    counts: Counts,
    targets: Mapping[str, float],
    special_groups: Iterable[GroupCoverage] = (),
    categories: Iterable[CategoryCounts] = (),
) -> ScopeFigures:
    return ScopeFigures(counts, evaluate(counts, targets), tuple(special_groups), tuple(categories))
