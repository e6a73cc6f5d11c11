"""gridvisit/cli/stats.py: `gridvisit stats` and `gridvisit stats targets`."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from gridvisit.cli import main
from gridvisit.core.indicators import DEFAULT_TARGETS, INDICATORS

BASE = ["--no-encryption", "stats"]


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli-stats") / "demo.db"
    argv = ["demo", "--no-encryption", "--db", str(path), "--households", "1600"]
    assert main([*argv, "--end-date", "2026-11-20"]) == 0
    return path


def _query(db: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _json(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_stats_json_has_every_indicator(
    small_demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*BASE, "--db", str(small_demo), "--month", "2026-10", "--json"]) == 0
    out = _json(capsys)
    assert out["period"] == {
        "kind": "month",
        "code": "2026-10",
        "label": "2026年10月",
        "from": "2026-10-01",
        "to": "2026-10-31",
    }
    indicators = out["indicators"]
    assert isinstance(indicators, dict)
    assert list(indicators) == [i.key for i in INDICATORS]
    coverage = indicators["coverage"]
    assert coverage["target"] == DEFAULT_TARGETS["coverage"]
    assert coverage["meets_target"] == (coverage["value"] >= coverage["target"])
    assert coverage["formula"].startswith("按期走访户数 ÷ 应访户数")
    counts = out["counts"]
    assert isinstance(counts, dict)
    assert coverage["numerator"] == counts["covered"] and coverage["denominator"] == counts["due"]
    # The same figures as the service gives, and as a plain count of problems.
    (new,) = _query(
        small_demo,
        "SELECT count(*) FROM problem WHERE reported_at >= '2026-09-30 16:00'"
        " AND reported_at < '2026-10-31 16:00'",
    )[0]
    assert counts["new"] == new
    assert {g["code"] for g in out["special_groups"]} >= {"living_alone_elderly"}  # type: ignore[attr-defined,index]
    for g in out["special_groups"]:  # type: ignore[attr-defined]
        assert g["meets_target"] == (None if g["coverage"] is None else g["coverage"] >= 0.95)


def test_stats_by_grid_with_custom_range_and_trends(
    small_demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [*BASE, "--db", str(small_demo), "--from", "2026-10-01", "--to", "2026-10-31"]
    assert main([*argv, "--by", "grid", "--trends", "--json"]) == 0
    out = _json(capsys)
    assert out["period"]["kind"] == "custom"  # type: ignore[index]
    rows = out["rows"]
    assert isinstance(rows, list) and len(rows) == len(_query(small_demo, "SELECT id FROM grid"))
    assert sum(r["counts"]["new"] for r in rows) == out["counts"]["new"]  # type: ignore[index]
    assert main([*argv, "--drill", "overdue_open", "--json"]) == 0
    drill = _json(capsys)["drill"]
    assert drill["kind"] == "problem"  # type: ignore[index]
    assert len(drill["items"]) == out["counts"]["overdue_open"]  # type: ignore[index,arg-type]
    trends = out["trends"]
    assert [len(trends["weekly"]), len(trends["monthly"])] == [12, 12]  # type: ignore[index]
    assert trends["monthly"][-1]["period"]["code"] == "2026-10"  # type: ignore[index]


def test_a_worker_sees_only_their_grid(
    small_demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ((worker, grid, community),) = _query(
        small_demo,
        "SELECT u.username, g.name, c.name FROM app_user u JOIN user_grid ug ON ug.user_id = u.id"
        " JOIN grid g ON g.id = ug.grid_id JOIN community c ON c.id = g.community_id"
        " WHERE u.username = 'worker1'",
    )
    ((other_grid, other_community),) = _query(
        small_demo,
        "SELECT g.name, c.name FROM grid g JOIN community c ON c.id = g.community_id"
        f" WHERE g.name != '{grid}' ORDER BY g.id LIMIT 1",
    )
    argv = ["--user", str(worker), *BASE, "--db", str(small_demo), "--month", "2026-10"]
    assert main([*argv, "--by", "grid", "--json"]) == 0
    out = _json(capsys)
    assert [r["name"] for r in out["rows"]] == [grid]  # type: ignore[attr-defined,index]
    assert main([*argv, "--json", "--community", str(community), "--grid", str(grid)]) == 0
    assert _json(capsys)["counts"] == out["counts"]
    code = main([*argv, "--community", str(other_community), "--grid", str(other_grid)])
    assert code == 1
    assert "不在您负责的网格" in capsys.readouterr().err


def test_targets_only_a_subdistrict_admin_changes_them(
    small_demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    targets = [*BASE, "targets", "--db", str(small_demo)]
    assert main(["--user", "worker1", *targets, "--set", "coverage=80%"]) == 1
    assert "设置统计指标的目标值" in capsys.readouterr().err
    assert main(["--user", "community1", *targets, "--set", "coverage=80%"]) == 1
    capsys.readouterr()
    assert main([*targets, "--set", "coverage=98%", "--set", "办结率=0.8", "--json"]) == 0
    assert _json(capsys) == {**DEFAULT_TARGETS, "coverage": 0.98, "resolution_rate": 0.8}
    assert _query(
        small_demo, "SELECT count(*) FROM audit_entry WHERE action = 'stats.targets'"
    ) == [(1,)]
    assert main([*BASE, "--db", str(small_demo), "--month", "2026-10", "--json"]) == 0
    indicators = _json(capsys)["indicators"]
    assert indicators["coverage"]["target"] == 0.98  # type: ignore[index]
    assert main([*targets, "--reset", "--json"]) == 0
    assert _json(capsys) == DEFAULT_TARGETS
    assert main([*targets]) == 0
    assert "走访覆盖率" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ([], "请指定统计期"),
        (["--month", "2026-13"], "月份 13 不在 1–12 之间"),
        (["--month", "11"], "格式不对"),
        (["--quarter", "2026-Q5"], "季度 5 不在 1–4 之间"),
        (["--month", "2026-11", "--year", "2026"], "统计期只能指定一种"),
        (["--from", "2026-11-01"], "--from 和 --to 要一起给出"),
        (["--from", "2026-11-02", "--to", "2026-11-01"], "早于开始日期"),
        (["--month", "2026-11", "--community", "没有的社区"], "找不到名为“没有的社区”的社区"),
        (["--year", "2999"], "统计期 2999年尚未开始"),
    ],
)
def test_bad_input_is_a_chinese_message_and_exit_1(
    small_demo: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    assert main([*BASE, "--db", str(small_demo), *extra]) == 1
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("setting", "message"),
    [("visits=5", "不是可以设目标的指标"), ("coverage=abc", "不是数字"), ("coverage", "写法不对"),
     ("coverage=150%", "不在 0–100% 之间")],
)  # fmt: skip
def test_bad_targets_are_refused(
    small_demo: Path, capsys: pytest.CaptureFixture[str], setting: str, message: str
) -> None:
    assert main([*BASE, "targets", "--db", str(small_demo), "--set", setting]) == 1
    assert message in capsys.readouterr().err


def test_no_db_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*BASE, "--month", "2026-11"]) == 1
    assert "缺少 --db" in capsys.readouterr().err


def test_the_drill_choices_are_the_figures() -> None:
    from gridvisit.cli.stats import FIGURES
    from gridvisit.core.services.stats import Figure

    assert tuple(f.value for f in Figure) == FIGURES
