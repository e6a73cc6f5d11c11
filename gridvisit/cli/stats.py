"""`gridvisit stats`: every statistics indicator of a scope and period (as JSON for
scripts), and `gridvisit stats targets`: the targets they are measured against."""

from __future__ import annotations

import argparse
import json
import re
from typing import TYPE_CHECKING, Any

from gridvisit.cli import session
from gridvisit.cli.parser import add_db, iso_date, subcommands
from gridvisit.core.errors import GridVisitError, ValidationError

if TYPE_CHECKING:
    from gridvisit.core.indicators import Period, ScopeFigures
    from gridvisit.core.services.stats import StatsReport, StatsRow

BREAKDOWNS = ("community", "grid", "building_group", "worker")
# gridvisit.core.services.stats.Figure, spelt out: parsing imports no SQLAlchemy
# (tests/cli/test_stats.py holds the two equal).
FIGURES = (
    "households_visited", "due", "covered", "uncovered", "overdue_households", "new",
    "resolved", "on_time", "extended", "resolved_late", "overdue_open", "open_at_start", "dissatisfied",
)  # fmt: skip


def _describe() -> str:
    """The keys of the JSON output, from the indicators' own definitions (worked out
    only when the help is shown: parsing loads nothing heavy)."""
    from gridvisit.core.indicators import DEFAULT_TARGETS, INDICATORS, Counts

    lines = [
        "统计某一时期、某一范围(全街道、社区、网格)的走访和问题办理指标,时间按北京时间计。",
        "",
        "--json 输出一个 JSON 对象,键如下:",
        "  period      统计期:kind(week/month/quarter/year/custom)、code、label、from、to(含)",
        "  scope       范围:name、community_id、grid_id、building_group_id",
        "  as_of       统计时点(已结束的时期为最后一刻,进行中的为当前时间),generated_at 生成时间",
        "  targets     目标值(指标键 → 下限,0–1 之间的比例)",
        "  indicators  每个指标:name、unit(count/rate/days)、value、numerator、denominator、"
        "target、meets_target(未达标为 false)、formula(计算公式)。指标键:",
    ]
    for ind in INDICATORS:
        lines.append(f"    {ind.key:<27} {ind.name}:{ind.formula}")
    lines += [
        "  counts      原始计数(可相加):" + "、".join(Counts().as_dict()),
        "  special_groups  各重点人群的走访覆盖:code、name、households、due、covered、coverage、"
        "meets_target(对照走访覆盖率目标)、overdue_households",
        "  categories  各问题大类:code、name、new、resolved、on_time、overdue_open、on_time_rate",
        "  rows        (--by)每个社区/网格/楼栋党小组/网格员一行:breakdown、id、name、parent、"
        "counts、indicators(键 → 值)、below_target",
        "  trends      (--trends)近 12 周和近 12 个月:weekly、monthly,每项 period、counts、"
        "indicators(键 → 值)",
        "  drill       (--drill)figure、kind(household/problem)、items(每项 id、uuid)",
        "",
        "默认目标:"
        + "、".join(f"{k} ≥ {v:.0%}" for k, v in DEFAULT_TARGETS.items())
        + ";用 gridvisit stats targets 查看和修改(仅街道管理员可改)。",
        "网格员只能统计自己负责的网格。",
    ]
    return "\n".join(lines)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "stats",
        help="统计指标(走访覆盖率、办结率、按期办结率等)",
        describe=_describe,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_db(p, required=False)
    period = p.add_argument_group("统计期(选一种)")
    period.add_argument(
        "--from", dest="date_from", type=iso_date, metavar="YYYY-MM-DD", help="开始日期(含)"
    )
    period.add_argument(
        "--to", dest="date_to", type=iso_date, metavar="YYYY-MM-DD", help="结束日期(含)"
    )
    period.add_argument("--week", metavar="YYYY-Www", help="某一周,例如 2026-W47")
    period.add_argument("--month", metavar="YYYY-MM", help="某一月,例如 2026-11")
    period.add_argument("--quarter", metavar="YYYY-Qn", help="某一季度,例如 2026-Q4")
    period.add_argument("--year", metavar="YYYY", help="某一年,例如 2026")
    p.add_argument("--community", metavar="社区", help="只统计这个社区(名称)")
    p.add_argument("--grid", metavar="网格", help="只统计这个网格(名称)")
    p.add_argument(
        "--by", choices=BREAKDOWNS, help="再按社区、网格、楼栋党小组或网格员逐行列出(用于排名)"
    )
    p.add_argument("--trends", action="store_true", help="加上近 12 周和近 12 个月的趋势")
    p.add_argument(
        "--drill",
        choices=FIGURES,
        metavar="数字",
        help="列出某个数字背后的住户或问题(编号和 UUID),可选:" + "、".join(FIGURES),
    )
    p.add_argument("--json", action="store_true", help="以 JSON 输出(键见上)")
    p.set_defaults(handler=_cmd_stats)
    ops = subcommands(p, "stats_op", "操作", required=False)
    t = ops.add_parser(
        "targets",
        help="查看或修改指标目标值",
        description="查看或修改统计指标的目标值(下限)。只有街道管理员可以修改,修改记入操作日志。"
        "值可写成 0.95、95 或 95%;写 none 表示不设目标。",
    )
    add_db(t)
    t.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="指标=值",
        help="例如 --set coverage=95%%(可重复)",
    )
    t.add_argument("--reset", action="store_true", help="恢复默认目标值")
    t.add_argument("--json", action="store_true", help="以 JSON 输出")
    t.set_defaults(handler=_cmd_targets)


# --- stats ------------------------------------------------------------------------


def _period(args: argparse.Namespace) -> Period:
    from gridvisit.core.clock import IsoWeek
    from gridvisit.core.indicators import Period

    named = [
        (flag, value)
        for flag, value in (
            ("--week", args.week),
            ("--month", args.month),
            ("--quarter", args.quarter),
            ("--year", args.year),
        )
        if value
    ]
    custom = args.date_from is not None or args.date_to is not None
    if len(named) + custom > 1:
        given = [f for f, _ in named] + (["--from/--to"] if custom else [])
        raise GridVisitError(
            f"统计期只能指定一种,现在给了:{'、'.join(given)}。",
            hint="例如 --month 2026-11,或 --from 2026-11-01 --to 2026-11-30",
        )
    try:
        if custom:
            if args.date_from is None or args.date_to is None:
                raise GridVisitError(
                    "--from 和 --to 要一起给出。", hint="例如 --from 2026-11-01 --to 2026-11-30"
                )
            return Period.custom(args.date_from, args.date_to)
        if not named:
            raise GridVisitError(
                "请指定统计期。",
                hint="--month 2026-11、--quarter 2026-Q4、--year 2026、--week 2026-W47,"
                "或 --from 2026-11-01 --to 2026-11-30",
            )
        flag, value = named[0]
        if flag == "--week":
            return Period.week(IsoWeek.parse(value))
        pattern = {"--month": r"\d{4}-\d{1,2}", "--quarter": r"\d{4}-?[Qq]\d", "--year": r"\d{4}"}
        if not re.fullmatch(pattern[flag], value.strip()):
            raise ValidationError({"period": f"{flag} 的值“{value}”格式不对"})
        return Period.parse(value)
    except ValidationError as exc:
        raise GridVisitError(
            ";".join(exc.errors.values()) + "。",
            hint="统计期的写法:--month 2026-11、--quarter 2026-Q4、--year 2026、--week 2026-W47",
        ) from None


def _cmd_stats(args: argparse.Namespace) -> int:
    if not args.db:
        raise GridVisitError(
            "缺少 --db:请指定数据库文件。", hint="例如 gridvisit stats --db 街道.db --month 2026-11"
        )
    period = _period(args)  # before touching anything
    try:
        return _run_stats(args, period)
    except ValidationError as exc:
        raise GridVisitError(";".join(exc.errors.values()) + "。") from None


def _run_stats(args: argparse.Namespace, period: Period) -> int:
    from gridvisit.core.indicators import PeriodKind
    from gridvisit.core.services.stats import Breakdown, Figure

    with session.logged_in(args) as s:
        stats = s.services.stats
        scope, name = s.services.weekly.scope_for(args.community, args.grid)
        by = Breakdown(args.by) if args.by else None
        report = stats.report(period, scope, name, by=by)
        rows = list(report.rows) if by else None
        drill = None
        if args.drill:
            items = stats.drill(period, scope, Figure(args.drill))
            drill = {
                "figure": args.drill,
                "kind": "household" if Figure(args.drill).of_households else "problem",
                "items": [{"id": d.id, "uuid": d.uuid} for d in items],
            }
        trends = None
        if args.trends:
            until = report.summary.as_of
            trends = {
                "weekly": stats.trend(scope, PeriodKind.WEEK, 12, until),
                "monthly": stats.trend(scope, PeriodKind.MONTH, 12, until),
            }
    if args.json:
        out = _as_json(report, rows, trends)
        if drill is not None:
            out["drill"] = drill
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        _print_text(report, rows)
        if drill is not None:
            kind = "户" if drill["kind"] == "household" else "件"
            print(f"\n{args.drill}:{len(drill['items'])} {kind}")
            for item in drill["items"]:
                print(f"  {item['id']}  {item['uuid']}")
    return 0


def _figures_json(f: ScopeFigures, *, full: bool) -> dict[str, Any]:
    from gridvisit.core.indicators import meets_target

    if full:
        return {
            "indicators": {k: v.as_dict() for k, v in f.indicators.items()},
            "counts": f.counts.as_dict(),
            "special_groups": [
                {
                    "code": g.code,
                    "name": g.name,
                    "households": g.households,
                    "due": g.due,
                    "covered": g.covered,
                    "coverage": g.coverage,
                    # Against the coverage target, as the whole scope's coverage is.
                    "meets_target": meets_target(g.coverage, f.indicators["coverage"].target),
                    "overdue_households": g.overdue_households,
                }
                for g in f.special_groups
            ],
            "categories": [
                {
                    "code": c.code,
                    "name": c.name,
                    "new": c.new,
                    "resolved": c.resolved,
                    "on_time": c.on_time,
                    "overdue_open": c.overdue_open,
                    "on_time_rate": c.on_time_rate,
                }
                for c in sorted(f.categories, key=lambda c: (-c.new, c.code))
            ],
        }
    return {
        "counts": f.counts.as_dict(),
        "indicators": {k: v.value for k, v in f.indicators.items()},
        "below_target": f.below_target(),
    }


def _period_json(p: Period) -> dict[str, str]:
    return {
        "kind": p.kind.value,
        "code": p.code,
        "label": p.label,
        "from": p.first.isoformat(),
        "to": p.last.isoformat(),
    }


def _as_json(
    report: StatsReport, rows: list[StatsRow] | None, trends: dict[str, Any] | None
) -> dict[str, Any]:
    s = report.summary
    out: dict[str, Any] = {
        "period": _period_json(s.period),
        "scope": {
            "name": s.scope_name,
            "community_id": s.scope.community_id,
            "grid_id": s.scope.grid_id,
            "building_group_id": s.scope.building_group_id,
        },
        "as_of": s.as_of.isoformat(),
        "generated_at": s.generated_at.isoformat(),
        "targets": s.targets,
        **_figures_json(s.figures, full=True),
    }
    if rows is not None:
        out["rows"] = [
            {
                "breakdown": r.breakdown.value,
                "id": r.id,
                "name": r.name,
                "parent": r.parent,
                **_figures_json(r.figures, full=False),
            }
            for r in rows
        ]
    if trends is not None:
        out["trends"] = {
            kind: [
                {"period": _period_json(t.period), **_figures_json(t.figures, full=False)}
                for t in points
            ]
            for kind, points in trends.items()
        }
    return out


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "rate":
        return f"{value:.1%}"
    if unit == "days":
        return f"{value:.1f}"
    return f"{int(value)}"


def _print_text(report: StatsReport, rows: list[StatsRow] | None) -> None:
    s = report.summary
    print(f"{s.scope_name} {s.period.label}({s.period.first} 至 {s.period.last})")
    for ind in s.figures.indicators.values():
        mark = ""
        if ind.target is not None:
            mark = f"  目标 ≥ {ind.target:.0%}" + (
                "" if ind.meets_target is not False else "  未达标"
            )
        print(f"  {ind.name:<10} {_fmt(ind.value, ind.unit.value):>8}{mark}")
    if rows:
        print()
        for r in rows:
            f = r.figures
            print(
                f"  {r.parent + ' ' if r.parent else ''}{r.name}:"
                f"覆盖率 {_fmt(f.value('coverage'), 'rate')},"
                f"按期办结率 {_fmt(f.value('on_time_rate'), 'rate')},"
                f"满意率 {_fmt(f.value('satisfaction_rate'), 'rate')}"
                + ("(未达标)" if f.below_target() else "")
            )


# --- targets ----------------------------------------------------------------------


def _parse_setting(text: str) -> tuple[str, float | None]:
    from gridvisit.core.indicators import BY_KEY, TARGETABLE

    key, sep, raw = text.partition("=")
    key, raw = key.strip(), raw.strip()
    by_name = {BY_KEY[k].name: k for k in TARGETABLE}
    key = by_name.get(key, key)
    if not sep or not key:
        raise GridVisitError(f"“{text}”的写法不对。", hint="例如 --set coverage=95%")
    if key not in TARGETABLE:
        names = "、".join(f"{k}({BY_KEY[k].name})" for k in TARGETABLE)
        raise GridVisitError(f"“{key}”不是可以设目标的指标。", hint=f"可以设目标的指标:{names}")
    if raw.lower() in ("none", "无", ""):
        return key, None
    percent = raw.endswith("%")
    try:
        value = float(raw.rstrip("%"))
    except ValueError:
        raise GridVisitError(f"目标值“{raw}”不是数字。", hint="写成 0.95、95 或 95%") from None
    if percent or value > 1.0:  # 95% or 95: a percentage
        if not 0.0 <= value <= 100.0:
            raise GridVisitError(
                f"{BY_KEY[key].name}的目标值 {raw} 不在 0–100% 之间。", hint="写成 0.95、95 或 95%"
            )
        value = value / 100.0
    return key, value


def _cmd_targets(args: argparse.Namespace) -> int:
    from gridvisit.core.indicators import BY_KEY, TARGETABLE

    changes = dict(_parse_setting(t) for t in args.set)  # before touching anything
    if changes and args.reset:
        raise GridVisitError("--set 和 --reset 不能同时使用。")
    with session.logged_in(args) as s:
        stats = s.services.stats
        try:
            if args.reset:
                targets = stats.reset_targets()
            elif changes:
                targets = stats.set_targets(changes)
            else:
                targets = stats.targets()
        except ValidationError as exc:
            raise GridVisitError(";".join(exc.errors.values()) + "。") from None
    if args.json:
        print(json.dumps(targets, ensure_ascii=False, indent=2))
        return 0
    if changes or args.reset:
        print("已保存目标值:")
    for key in TARGETABLE:
        value = targets.get(key)
        shown = f"≥ {value:.1%}" if value is not None else "不设目标"
        print(f"  {key:<27} {BY_KEY[key].name:<8} {shown}")
    return 0
