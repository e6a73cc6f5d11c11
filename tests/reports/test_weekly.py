"""Weekly problem list: which problem lands where, the summary, masking, and the PDF.

Week under test: 2026-W47, Monday 2026-11-16 00:00 to Monday 2026-11-23 00:00,
Beijing time. The report is made on 2026-11-25, after the week ended, so every
status is replayed to Sunday 24:00.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from gridvisit.core.clock import LOCAL_TZ, IsoWeek
from gridvisit.core.enums import ProblemStatus, Satisfaction
from gridvisit.core.errors import NotFoundError, OutputError
from gridvisit.core.records import ProblemInput, ResidentInput, Scope, VisitInput
from gridvisit.core.services import Services
from gridvisit.core.services.weekly import WeeklyReport
from gridvisit.reports import weekly as pdf
from tests.conftest import Clock

WEEK = IsoWeek(2026, 47)


def at(text: str) -> datetime:
    """Local Beijing time, e.g. "11-16 00:00:00"."""
    return datetime.strptime(f"2026-{text}", "%Y-%m-%d %H:%M:%S").replace(tzinfo=LOCAL_TZ)


class World:
    """Two communities, three building groups, and problems placed around the week."""

    def __init__(self, services: Services, clock: Clock) -> None:
        self.s, self.clock = services, clock
        h = services.hierarchy
        east = h.add_community("城东社区")
        west = h.add_community("西池社区")
        g1 = h.add_grid(east.id, "锦绣花园网格")
        g2 = h.add_grid(west.id, "阳光小区网格")
        self.group10 = h.add_building_group(g1.id, "10号楼党小组").id
        self.group2 = h.add_building_group(g1.id, "2号楼党小组").id
        self.group_w = h.add_building_group(g2.id, "1号楼党小组").id
        self.clock.now = at("10-01 09:00:00")
        self.home = services.households.register(
            self.group2,
            "2",
            "1",
            "301",
            residents=(
                ResidentInput("张三丰", is_head=True, phone="13812345678"),
                ResidentInput("欧阳娜娜", relation="配偶"),
            ),
        )
        self.zhang = next(r.id for r in services.households.residents(self.home.id))
        self.home10 = services.households.register(self.group10, "10", "1", "101").id
        self.home_w = services.households.register(self.group_w, "1", "1", "101").id
        services.households.register(self.group_w, "1", "1", "102")  # never visited
        self.ids: dict[str, int] = {}

    def raise_(self, key: str, when: str, *, home: int | None = None, **kw: object) -> int:
        self.clock.now = at(when)
        problem = ProblemInput("sanitation", f"问题{key}", **kw)  # type: ignore[arg-type]
        visit = self.s.visits.record(
            VisitInput(home or self.home10, self.clock.now, problems=(problem,))
        )
        self.ids[key] = visit.problem_ids[0]
        return self.ids[key]

    def act(self, when: str, action: str, key: str, *args: object) -> None:
        self.clock.now = at(when)
        getattr(self.s.problems, action)(self.ids[key], *args)

    def resolve(self, when: str, key: str) -> None:
        self.act(when, "accept", key, "物业服务中心", "王经理")
        self.act(when, "resolve", key, f"已处理{key}")

    def report(self, scope: Scope | None = None, name: str = "同安街道") -> WeeklyReport:
        self.clock.now = at("11-25 10:00:00")
        return self.s.weekly.build(WEEK, scope or Scope(), name)


@pytest.fixture
def world(services: Services, clock: Clock) -> World:
    w = World(services, clock)
    w.raise_("A", "11-15 23:59:59")  # Sunday before: carried over
    w.raise_("B", "11-16 00:00:00")  # Monday 00:00: new
    w.raise_("C", "11-22 23:59:59")  # Sunday 24:00 minus a second: new
    w.raise_("D", "11-23 00:00:00")  # next Monday: not in this list
    w.raise_("E", "11-01 09:00:00")
    w.resolve("11-16 00:00:00", "E")  # resolved at Monday 00:00: this week
    w.raise_("F", "11-01 09:00:00")
    w.resolve("11-15 23:59:59", "F")  # resolved the Sunday before: nowhere
    w.raise_("G", "11-02 09:00:00")
    w.resolve("11-18 09:00:00", "G")
    w.act("11-19 09:00:00", "return_visit", "G", Satisfaction.SATISFIED, "很满意")
    w.raise_("H", "11-03 09:00:00")
    w.resolve("11-17 09:00:00", "H")
    w.act("11-20 09:00:00", "reopen", "H", "居民反映仍漏水")  # open again: carried over
    w.raise_("I", "11-17 09:00:00", home=w.home_w)
    w.resolve("11-19 09:00:00", "I")  # new and resolved in the same week
    w.raise_("J", "11-05 09:00:00", home=w.home.id)
    w.resolve("11-24 09:00:00", "J")  # resolved after the week: still open on Sunday
    return w


def keys(world: World, items: tuple) -> set[str]:  # type: ignore[type-arg]
    by_id = {v: k for k, v in world.ids.items()}
    return {by_id[p.id] for p in items}


def test_sections_follow_the_dates_and_the_replayed_history(world: World) -> None:
    report = world.report()
    assert keys(world, report.new) == {"B", "C", "I"}
    assert keys(world, report.carried_over) == {"A", "H", "J"}
    assert keys(world, report.resolved) == {"E", "G", "I"}
    j = next(p for p in report.carried_over if p.id == world.ids["J"])
    assert j.status is ProblemStatus.PENDING  # as of Sunday 24:00, not as of today
    g = next(p for p in report.resolved if p.id == world.ids["G"])
    assert g.status is ProblemStatus.CLOSED and g.satisfaction is Satisfaction.SATISFIED


def test_summary_counts(world: World) -> None:
    s = world.report().summary
    assert (s.new, s.resolved, s.carried_over) == (3, 3, 3)
    # Open at Monday 00:00: A, E (resolved at 00:00 exactly, after the instant), G, H, J.
    assert s.open_at_start == 5
    assert s.resolution_rate == pytest.approx(3 / 8)
    # Visits in the week: B, C, I (A is the second before, D the second after).
    assert (s.visits, s.households_visited) == (3, 2)
    assert (s.return_visits, s.satisfied, s.satisfaction_rate) == (1, 1, 1.0)
    # Due by Sunday (normal tier: 90 days after the last visit before Monday, or at
    # once if never visited): 1-1-101 in 西池 (visited this week, I) and 1-1-102 (not).
    assert (s.due_households, s.due_visited) == (2, 1)
    assert s.coverage == 0.5


def test_overdue_is_counted_as_of_sunday_night(world: World) -> None:
    # 较急 is 3 working days: K (reported Tuesday 11-17) was due by Friday 11-20 and is
    # still open on Sunday: 2 days late, the first working day late not come yet.
    world.raise_("K", "11-17 09:00:00", urgency_code="pressing")
    report = world.report()
    # Normal limit is 15 working days: A (reported Sunday 11-15) is due by 12-04, and
    # J (reported Thursday 11-05) by Thursday 11-26: neither is late on Sunday.
    j = next(p for p in report.carried_over if p.id == world.ids["J"])
    a = next(p for p in report.carried_over if p.id == world.ids["A"])
    k = next(p for p in report.new if p.id == world.ids["K"])
    assert (j.overdue_days, a.overdue_days, k.overdue_days) == (0, 0, 2)
    assert k.workdays is not None and k.workdays.overdue == 1
    assert j.workdays is not None and j.workdays.left == 4  # Mon 23 to Thu 26
    assert report.summary.overdue == sum(
        1 for p in report.new + report.carried_over if p.overdue_days
    )


def test_scope_limits_rows_and_names_the_title(world: World, services: Services) -> None:
    scope, name = services.weekly.scope_for("西池社区", None)
    report = world.report(scope, name)
    assert name == "西池社区"
    assert keys(world, report.new) == {"I"} and not report.carried_over
    scope, name = services.weekly.scope_for(None, "锦绣花园网格")
    assert name == "城东社区锦绣花园网格"
    with pytest.raises(NotFoundError, match="北门社区") as info:
        services.weekly.scope_for("北门社区", None)
    assert "城东社区" in info.value.hint


# --- the PDF ------------------------------------------------------------------------


def pdf_text(path: Path) -> tuple[PdfReader, list[str]]:
    reader = PdfReader(path)
    return reader, [page.extract_text() for page in reader.pages]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_pdf_title_dates_sections_and_grouping(world: World, tmp_path: Path) -> None:
    out = tmp_path / "w47.pdf"
    pdf.write_weekly_pdf(world.report(), out)
    _reader, pages = pdf_text(out)
    text = squash("".join(pages))
    assert "同安街道第47周问题清单" in text
    assert "2026年11月16日(星期一)至2026年11月22日(星期日)" in text
    new, carried, resolved = (
        text.index(h) for h in ("一、本周新增", "二、结转未办结", "三、本周办结")
    )

    def section_of(key: str) -> set[str]:
        found = set()
        for m in re.finditer(f"问题{key}(?![A-Z])", text):
            found.add(
                "new" if m.start() < carried else "carried" if m.start() < resolved else "resolved"
            )
        return found

    assert new < carried < resolved
    assert section_of("B") == section_of("C") == {"new"}
    assert section_of("I") == {"new", "resolved"}
    assert section_of("A") == section_of("H") == section_of("J") == {"carried"}
    assert section_of("E") == section_of("G") == {"resolved"}
    assert section_of("D") == section_of("F") == set()
    assert "(3件)" in text[new:carried]
    # community → grid → building group, with 2号楼 before 10号楼
    order = [text.index(g, carried) for g in ("2号楼党小组", "10号楼党小组")]
    assert order == sorted(order)
    assert text.index("城东社区›锦绣花园网格", new) < text.index("西池社区›阳光小区网格", new)


def test_pdf_masks_personal_data_unless_full_names(
    world: World, services: Services, tmp_path: Path
) -> None:
    world.clock.now = at("11-18 09:00:00")
    visit = services.visits.record(
        VisitInput(
            world.home.id,
            world.clock.now,
            problems=(
                ProblemInput(
                    "sanitation",
                    "张三丰说楼道灯坏了,身份证110105194912310021,电话13812345678",
                    resident_id=world.zhang,
                ),
            ),
        )
    )
    assert visit.problem_ids
    masked, full = tmp_path / "masked.pdf", tmp_path / "full.pdf"
    pdf.write_weekly_pdf(world.report(), masked)
    pdf.write_weekly_pdf(world.report(), full, full_names=True)

    _r, pages = pdf_text(masked)
    text = squash("".join(pages))
    assert "张**" in text and "138****5678" in text
    assert "张三丰" not in text and "13812345678" not in text
    assert "110105194912310021" not in text and "身份证号已隐去" in text
    assert not any("个人信息" in page for page in pages)

    _r, pages = pdf_text(full)
    assert "张三丰" in squash("".join(pages))
    assert "110105194912310021" not in squash("".join(pages))
    assert all("含居民个人信息" in squash(page) for page in pages)


def test_pdf_pages_numbered_header_repeated_font_embedded(world: World, tmp_path: Path) -> None:
    for n in range(60):
        world.raise_(f"X{n}", "11-18 09:00:00", home=world.home10)
    out = tmp_path / "long.pdf"
    pdf.write_weekly_pdf(world.report(), out)
    reader, pages = pdf_text(out)
    total = len(pages)
    assert total >= 3
    for number, page in enumerate(pages, start=1):
        assert f"第{number}页共{total}页" in squash(page)
        assert "生成时间:2026-11-25" in squash(page)
    table_pages = [p for p in pages[1:] if "问题X" in p]
    assert table_pages and all("问题描述" in p and "责任单位/责任人" in p for p in table_pages)
    fonts = {
        font.get_object()["/BaseFont"]: font.get_object()
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts and all(re.match(r"/[A-Z]{6}\+WenQuanYi", name) for name in fonts)
    assert all("/FontFile2" in f["/FontDescriptor"] for f in fonts.values())
    assert all(word in squash(pages[-1]) for word in ("填报人", "审核人", "日期"))


def test_pdf_for_an_empty_week_says_so(services: Services, clock: Clock, tmp_path: Path) -> None:
    services.hierarchy.add_community("城东社区")
    report = services.weekly.build(IsoWeek(2026, 10), Scope(), "同安街道")
    assert report.is_empty
    out = tmp_path / "empty.pdf"
    pdf.write_weekly_pdf(report, out)
    _r, pages = pdf_text(out)
    assert len(pages) == 1
    assert "本周没有新增、结转或办结的问题" in squash(pages[0])


def test_pdf_survives_huge_and_marked_up_text(world: World, tmp_path: Path) -> None:
    world.raise_("L", "11-18 09:00:00")
    report = world.report()
    line = next(p for p in report.new if p.id == world.ids["L"])
    # ReportLab cannot lay out a row taller than a page: such text must be cut.
    huge = replace(
        line,
        description="<b>漏水&</b>" + "很长的描述" * 3000,
        progress="\n".join(["一行"] * 400),
    )
    report = replace(report, new=(*report.new, huge))
    out = tmp_path / "huge.pdf"
    pdf.write_weekly_pdf(report, out)
    text = squash("".join(pdf_text(out)[1]))
    assert "<b>漏水&</b>" in text and "全文见系统" in text


def test_failed_write_leaves_no_file_and_keeps_the_old_one(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "w47.pdf"
    out.write_bytes(b"old")

    def broken(report: WeeklyReport, fh, **kw: object) -> None:  # type: ignore[no-untyped-def]
        fh.write(b"%PDF-1.4 half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pdf, "render_weekly", broken)
    with pytest.raises(OutputError, match="磁盘空间不足"):
        pdf.write_weekly_pdf(world.report(), out)
    assert out.read_bytes() == b"old"
    assert [p.name for p in folder.iterdir()] == ["w47.pdf"]
    with pytest.raises(OutputError, match="文件夹"):
        pdf.write_weekly_pdf(world.report(), folder)
    with pytest.raises(OutputError, match="不存在"):
        pdf.write_weekly_pdf(world.report(), folder / "missing" / "x.pdf")


def test_week_boundaries_are_beijing_midnights() -> None:
    assert WEEK.start == at("11-16 00:00:00")
    assert WEEK.end - timedelta(seconds=1) == at("11-22 23:59:59")


def test_paged_table_splits_by_page_and_keeps_group_headings_with_their_rows() -> None:
    st = pdf._styles()
    rows = []
    for g in range(12):
        rows.append(([pdf._Cell(f"组{g}", st["group"])], pdf._GROUP))
        for i in range(g % 4 + 1):
            cells = [pdf._Cell(f"{g}-{i}", st["cell"]) for _c in pdf.COLUMNS]
            cells[3] = pdf._Cell("很长的问题描述" * (i * 6 + 1), st["cell"])  # 1 to 12 lines
            rows.append((cells, pdf._PLAIN))
    header = [pdf._Cell(h, st["head"]) for h, _w in pdf.COLUMNS]
    for room in (200, 260, 330, 500):
        table: object = pdf._PagedTable(header, list(rows))
        placed = 0
        while isinstance(table, pdf._PagedTable):
            parts = table.split(800, room)
            assert parts, f"nothing fits in {room} pt"
            first = parts[0]
            count = len(first._cellvalues) - 1
            assert first.wrap(800, room)[1] <= room
            assert table.rows[count - 1][1] != pdf._GROUP  # a heading never ends a page
            placed += count
            table = parts[1] if len(parts) > 1 else None
        assert placed == len(rows)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdftotext_reads_the_chinese(world: World, tmp_path: Path) -> None:
    out = tmp_path / "w47.pdf"
    pdf.write_weekly_pdf(world.report(), out)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "同安街道 第47周问题清单" in text
    assert "结转未办结" in text and "问题A" in text


def test_a_source_date_from_another_year_says_the_year(world: World, tmp_path: Path) -> None:
    report = world.report()
    carried = report.carried_over[0]
    last_year = replace(carried, reported_at=carried.reported_at.replace(year=2025))
    report = replace(report, carried_over=(last_year, *report.carried_over[1:]))
    out = tmp_path / "w47.pdf"
    pdf.write_weekly_pdf(report, out)
    text = squash("".join(pdf_text(out)[1]))
    assert f"2025-{carried.reported_at.astimezone(LOCAL_TZ):%m-%d}走访" in text or (
        f"2025-{carried.reported_at.astimezone(LOCAL_TZ):%m-%d}登记" in text
    )


def test_render_reports_pages_and_can_be_stopped(world: World, tmp_path: Path) -> None:
    report = world.report()
    pages: list[int] = []
    pdf.render_weekly(report, str(tmp_path / "a.pdf"), on_page=lambda n: pages.append(n) or True)
    assert pages and pages == sorted(pages) and pages[0] == 1
    assert pdf.estimated_pages(report) >= 1
    with pytest.raises(pdf.BuildCancelled):
        pdf.render_weekly(report, str(tmp_path / "b.pdf"), on_page=lambda n: False)


def _supervised(world: World, services: Services) -> None:
    """K: 较急, reported Tuesday 11-17 (due by Friday 11-20), dispatched; the handler asks
    on 11-18 to extend it to 11-27, the sub-district admin agrees on 11-19, and it is
    resolved on Saturday 11-21: 延期后按期. H (reopened on 11-20) gets a red card on 11-21."""
    from gridvisit.core.enums import EventKind, Role
    from gridvisit.core.records import Actor
    from gridvisit.core.services import ServiceContext

    worker = services.users.create("handler", "办理人", Role.SUBDISTRICT_ADMIN)
    handler = Services(
        ServiceContext(
            services.ctx.db,
            Actor(worker.id, "handler", "", Role.SUBDISTRICT_ADMIN),
            clock=world.clock,
        )
    )
    world.raise_("K", "11-17 09:00:00", urgency_code="pressing")
    world.act("11-17 10:00:00", "accept", "K", "物业服务中心")
    world.clock.now = at("11-18 09:00:00")
    handler.problems.request_extension(world.ids["K"], at("11-27 00:00:00").date(), "需要采购配件")
    world.act("11-21 10:00:00", "supervise", "H", EventKind.SUPERVISE_RED, "限期办结")
    world.act("11-19 09:00:00", "decide_extension", "K", True, "同意")
    world.act("11-21 09:00:00", "resolve", "K", "已更换水泵")


def test_supervision_and_extensions_on_the_weekly_list(world: World, services: Services) -> None:
    from gridvisit.core.enums import EventKind
    from gridvisit.core.rules import Timeliness

    _supervised(world, services)
    report = world.report()
    k = next(p for p in report.resolved if p.id == world.ids["K"])
    h = next(p for p in report.carried_over if p.id == world.ids["H"])
    assert k.timeliness is Timeliness.EXTENDED and k.original_due_at == at("11-21 00:00:00")
    assert k.due_at == at("11-28 00:00:00")
    assert h.marks == (EventKind.SUPERVISE_RED,)
    s = report.summary
    # 本周办结: E and G on time (I too), K only thanks to its extension.
    assert (s.on_time, s.extended, s.late, s.red_cards) == (3, 1, 0, 1)
    # The list of the week before (W46) knew no mark and no extension yet.
    world.clock.now = at("11-25 10:00:00")
    before = world.s.weekly.build(IsoWeek(2026, 46), Scope(), "同安街道")
    assert all(not p.marks for p in before.carried_over + before.new)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdf_shows_supervision_extensions_and_working_days(
    world: World, services: Services, tmp_path: Path
) -> None:
    _supervised(world, services)
    out = tmp_path / "w47.pdf"
    pdf.write_weekly_pdf(world.report(), out)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = re.sub(r"\s+", "", text)
    assert "红牌督办" in flat
    assert "已延期(原11-20)" in flat
    assert "延期后按期" in flat
    assert "剩4个工作日" in flat  # J on Sunday: Monday 23 to Thursday 26
    assert "按期3件、延期后按期1件、超期办结0件" in flat
    assert "督办中红牌1件" in flat
