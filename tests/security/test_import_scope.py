"""A roster import writes only inside the importer's area, and its messages say nothing
of what is stored outside it; a ledger export holds only the exporter's area.

The world: 甲社区 with 甲一网格 and 甲二网格, 乙社区 with 乙一网格. 甲一网格 and 乙一网格
each have a building group called 1号楼党小组 (one name in two grids). A grid worker of
甲一网格, a community admin of 甲社区, a sub-district admin. Every record of 乙社区 carries
markers (names, an address, an ID number, a phone, notes) that no output of the worker or
the community admin may contain."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from gridvisit.cli import main
from gridvisit.core.enums import Role
from gridvisit.core.records import Actor, ProblemInput, ResidentInput, VisitInput
from gridvisit.core.services import ServiceContext, Services
from gridvisit.core.services.users import ensure_default_admin
from gridvisit.exchange.ledger import ImportResult
from gridvisit.storage import open_database
from gridvisit.storage.models import BuildingGroup, Community, Grid, Household, Resident

PASSWORD = "gridvisit-demo"
HEADER = ["社区", "网格", "楼栋党小组", "楼栋", "单元", "室", "姓名", "身份证号", "联系电话", "与户主关系"]  # fmt: skip
OWN_ID = "11010519491231002X"  # 张三, 甲一网格 1-1-101
OTHER_ID = "110105194912310046"  # 李秘密, 乙一网格 9-2-909
OTHER_PHONE = "13900001111"
# What no output for 甲一网格's worker (nor 甲社区's admin) may contain.
SECRETS = ("乙社区", "乙一网格", "李秘密", "909", OTHER_ID, OTHER_PHONE, "乙社区的秘密备注")


class World:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = open_database(path, create=True)
        root = Services(
            ServiceContext(
                self.db, ensure_default_admin(ServiceContext(self.db, Actor(None, "system")))
            )
        )
        self.root = root
        h = root.hierarchy
        self.ca, self.cb = h.add_community("甲社区"), h.add_community("乙社区")
        self.a1, self.a2 = h.add_grid(self.ca.id, "甲一网格"), h.add_grid(self.ca.id, "甲二网格")
        self.b1 = h.add_grid(self.cb.id, "乙一网格")
        self.ga1 = h.add_building_group(self.a1.id, "1号楼党小组")
        self.ga2 = h.add_building_group(self.a2.id, "2号楼党小组")
        self.gb1 = h.add_building_group(self.b1.id, "1号楼党小组")  # the same name as ga1's
        own = ResidentInput("张三", id_number=OWN_ID, phone="13912345678", is_head=True)
        self.ha1 = root.households.register(self.ga1.id, "1", "1", "101", residents=(own,))
        secret = ResidentInput(
            "李秘密", id_number=OTHER_ID, phone=OTHER_PHONE, is_head=True, notes="乙社区的秘密备注"
        )
        self.hb1 = root.households.register(
            self.gb1.id, "9", "2", "909", notes="乙社区的秘密备注", residents=(secret,)
        )
        root.visits.record(VisitInput(self.hb1.id, root.ctx.now(), notes="乙社区的秘密备注"))
        root.problems.report(
            self.b1.id,
            ProblemInput("sanitation", "乙社区的秘密备注", location="乙一网格 909 门口"),
        )
        root.visits.record(VisitInput(self.ha1.id, root.ctx.now(), notes="甲一的走访"))
        root.problems.report(self.a1.id, ProblemInput("sanitation", "甲一的问题", location="1号楼"))
        u = root.users
        worker = u.create(
            "w", "网格员甲", Role.GRID_WORKER, grid_ids=[self.a1.id], password=PASSWORD
        )
        cadmin = u.create(
            "c", "社区管理员甲", Role.COMMUNITY_ADMIN, community_ids=[self.ca.id], password=PASSWORD
        )
        self.actors = {
            Role.GRID_WORKER: Actor(worker.id, "w", "", Role.GRID_WORKER),
            Role.COMMUNITY_ADMIN: Actor(cadmin.id, "c", "", Role.COMMUNITY_ADMIN),
            Role.SUBDISTRICT_ADMIN: root.ctx.actor,
        }

    def services(self, role: Role) -> Services:
        return Services(ServiceContext(self.db, self.actors[role]))

    def state(self) -> tuple[Any, ...]:
        """Everything an import may change, to compare before and after."""
        with self.db.read_session() as s:
            return (
                sorted(s.scalars(select(Community.name))),
                sorted(tuple(r) for r in s.execute(select(Grid.community_id, Grid.name))),
                sorted(
                    tuple(r) for r in s.execute(select(BuildingGroup.grid_id, BuildingGroup.name))
                ),
                sorted(
                    tuple(r)
                    for r in s.execute(
                        select(
                            Household.id,
                            Household.building_group_id,
                            Household.building,
                            Household.unit,
                            Household.room,
                            Household.phone,
                            Household.notes,
                            Household.version,
                        )
                    )
                ),
                sorted(
                    tuple(r)
                    for r in s.execute(
                        select(
                            Resident.id,
                            Resident.household_id,
                            Resident.name,
                            Resident.id_number,
                            Resident.phone,
                            Resident.notes,
                            Resident.version,
                        )
                    )
                ),
            )


@pytest.fixture
def world(tmp_path: Path) -> Any:
    w = World(tmp_path / "scope.db")
    yield w
    w.db.dispose()


def roster(path: Path, rows: list[list[object]], header: list[str] = HEADER) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


OWN_ROW = ["甲社区", "甲一网格", "1号楼党小组", "1", "1", "102", "王新", "", "", "户主"]


def _text(result: ImportResult) -> str:
    return "\n".join([*result.report_lines(), result.summary(), result.unused_text()])


def _leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


# -- 1. another grid's building group, and a name that exists in two grids -----------------


@pytest.mark.parametrize(
    "target",
    [
        ["乙社区", "乙一网格", "1号楼党小组"],  # another community's grid, same group name
        ["甲社区", "甲二网格", "2号楼党小组"],  # another grid of the worker's own community
    ],
)
def test_a_grid_worker_cannot_import_into_another_grid(
    world: World, tmp_path: Path, target: list[str]
) -> None:
    before = world.state()
    rows = [
        OWN_ROW,
        [*target, "9", "2", "909", "改名的人", "", "", "户主"],  # an existing address there
        [*target, "5", "", "501", "新来的人", "", "", "户主"],  # a new household there
    ]
    result = world.services(Role.GRID_WORKER).exchange.import_roster(
        roster(tmp_path / "r.xlsx", rows)
    )
    assert not result.imported
    assert world.state() == before  # all or nothing: not even the worker's own row
    assert sorted(e.row for e in result.errors) == [3, 4]
    where = f"{target[0]}/{target[1]}"
    assert all(f"“{where}”不在您负责的网格或社区内" in e.message for e in result.errors)
    # The same message whether or not that place exists: nothing learnt of it.
    assert [e.column for e in result.errors] == ["网格", "网格"]


def test_skipping_invalid_rows_imports_only_the_workers_own(world: World, tmp_path: Path) -> None:
    rows = [OWN_ROW, ["乙社区", "乙一网格", "1号楼党小组", "9", "2", "909", "改名的人", "", "", ""]]
    before = world.state()
    worker = world.services(Role.GRID_WORKER)
    result = worker.exchange.import_roster(roster(tmp_path / "r.xlsx", rows), skip_invalid=True)
    assert result.imported and [e.row for e in result.errors] == [3]
    assert (result.households_added, result.residents_added) == (1, 1)
    after = world.state()
    assert after[:3] == before[:3]  # no hierarchy
    with world.db.read_session() as s:
        assert s.scalar(select(Resident.name).where(Resident.id_number == OTHER_ID)) == "李秘密"
        assert s.scalar(select(func.count()).select_from(Resident).where(Resident.name == "王新"))


def test_the_same_group_name_in_the_workers_own_grid_is_theirs(
    world: World, tmp_path: Path
) -> None:
    rows = [["甲社区", "甲一网格", "1号楼党小组", "1", "1", "101", "张三", OWN_ID, "13800000000", "户主"]]  # fmt: skip
    result = world.services(Role.GRID_WORKER).exchange.import_roster(
        roster(tmp_path / "r.xlsx", rows)
    )
    assert result.imported and result.errors == []
    assert (result.residents_updated, result.residents_added) == (1, 0)
    with world.db.read_session() as s:
        group = s.scalar(
            select(Household.building_group_id)
            .join(Resident, Resident.household_id == Household.id)
            .where(Resident.id_number == OWN_ID)
        )
        assert group == world.ga1.id
        assert s.scalar(select(Resident.phone).where(Resident.id_number == OTHER_ID)) == OTHER_PHONE


# -- 3. no hierarchy outside the area (a grid worker makes none at all) --------------------


@pytest.mark.parametrize(
    ("target", "column"),
    [
        (["新社区", "新网格", "新楼"], "网格"),  # a community nobody has
        (["乙社区", "新网格", "新楼"], "网格"),  # a new grid in another community
        (["乙社区", "乙一网格", "新楼"], "网格"),  # a new group in another community's grid
        (["甲社区", "甲二网格", "新楼"], "网格"),  # a new group in another grid of the community
        (["甲社区", "新网格", "新楼"], "网格"),  # a new grid in the worker's community
        (["甲社区", "甲一网格", "新楼"], "楼栋党小组"),  # a new group in the worker's own grid
    ],
)
def test_a_grid_worker_creates_no_hierarchy(
    world: World, tmp_path: Path, target: list[str], column: str
) -> None:
    before = world.state()
    rows = [[*target, "1", "", "101", "王新", "", "", "户主"]]
    result = world.services(Role.GRID_WORKER).exchange.import_roster(
        roster(tmp_path / "r.xlsx", rows)
    )
    assert not result.imported and world.state() == before
    assert [(e.row, e.column) for e in result.errors] == [(2, column)]
    if column == "楼栋党小组":
        assert "网格员不能通过导入新建楼栋党小组" in result.errors[0].message
    # Only the row's own names come back, the same whether that place exists or not.
    assert not _leaks(_text(result).replace(f"“{target[0]}/{target[1]}”", ""))


# -- 2. a community admin: their communities; a sub-district admin: anywhere -------------


def test_a_community_admin_imports_only_into_their_communities(
    world: World, tmp_path: Path
) -> None:
    cadmin = world.services(Role.COMMUNITY_ADMIN)
    before = world.state()
    outside = [
        ["乙社区", "乙一网格", "1号楼党小组", "9", "2", "909", "改名的人", "", "", "户主"],
        ["乙社区", "新网格", "新楼", "1", "", "1", "甲", "", "", "户主"],
        ["新社区", "新网格", "新楼", "1", "", "1", "乙", "", "", "户主"],
    ]
    inside = [
        ["甲社区", "甲二网格", "2号楼党小组", "3", "", "301", "丙", "", "", "户主"],
        ["甲社区", "甲二网格", "新楼党小组", "4", "", "401", "丁", "", "", "户主"],  # new group
        ["甲社区", "新建网格", "新楼党小组", "5", "", "501", "戊", "", "", "户主"],  # new grid
    ]
    result = cadmin.exchange.import_roster(roster(tmp_path / "r.xlsx", outside + inside))
    assert not result.imported and world.state() == before
    assert sorted(e.row for e in result.errors) == [2, 3, 4]
    assert not _leaks("\n".join(e.message for e in result.errors if "乙社区" not in e.message))
    ok = cadmin.exchange.import_roster(roster(tmp_path / "ok.xlsx", inside))
    assert ok.imported and (ok.households_added, ok.residents_added) == (3, 3)
    with world.db.read_session() as s:
        assert sorted(s.scalars(select(Community.name))) == ["乙社区", "甲社区"]
        grids = set(s.scalars(select(Grid.name).where(Grid.community_id == world.ca.id)))
        assert grids == {"甲一网格", "甲二网格", "新建网格"}
        assert set(s.scalars(select(Grid.name).where(Grid.community_id == world.cb.id))) == {
            "乙一网格"
        }


def test_a_subdistrict_admin_imports_anywhere_and_creates_what_is_named(
    world: World, tmp_path: Path
) -> None:
    admin = world.services(Role.SUBDISTRICT_ADMIN)
    rows = [
        ["乙社区", "乙一网格", "1号楼党小组", "9", "2", "909", "李秘密", OTHER_ID, "", ""],
        ["新社区", "新网格", "新楼", "1", "", "1", "新人", "", "", "户主"],
    ]
    result = admin.exchange.import_roster(roster(tmp_path / "r.xlsx", rows))
    assert result.imported and result.errors == []
    assert (result.residents_unchanged, result.residents_added) == (1, 1)


# -- 4. nothing learnt of what is stored outside the area ---------------------------------


def test_an_id_number_registered_outside_the_area_is_named_neutrally(
    world: World, tmp_path: Path
) -> None:
    """The importer once said 此身份证号已登记在9-2-909的居民“李*”名下: another grid's
    address and the (masked) name of its resident."""
    rows = [["甲社区", "甲一网格", "1号楼党小组", "1", "1", "102", "冒名", OTHER_ID, "", "户主"]]
    for role in (Role.GRID_WORKER, Role.COMMUNITY_ADMIN):
        before = world.state()
        result = world.services(role).exchange.import_roster(roster(tmp_path / "r.xlsx", rows))
        assert not result.imported and world.state() == before
        assert [e.message for e in result.errors] == [
            "该身份证号已在您管辖范围以外登记,请联系社区或街道核实"
        ]
        text = _text(result)
        assert not _leaks(text) and "李" not in text and "9栋" not in text
    # Inside the area the importer still says where (the actor may see it).
    inside = [["甲社区", "甲一网格", "1号楼党小组", "1", "1", "102", "冒名", OWN_ID, "", "户主"]]
    result = world.services(Role.GRID_WORKER).exchange.import_roster(
        roster(tmp_path / "in.xlsx", inside)
    )
    assert not result.imported and "1栋1单元101室" in result.errors[0].message


def test_an_id_number_of_an_archived_household_outside_the_area_is_named_neutrally(
    world: World, tmp_path: Path
) -> None:
    world.root.households.archive(world.hb1.id)
    rows = [["甲社区", "甲一网格", "1号楼党小组", "1", "1", "102", "冒名", OTHER_ID, "", "户主"]]
    result = world.services(Role.GRID_WORKER).exchange.import_roster(
        roster(tmp_path / "r.xlsx", rows)
    )
    messages = [e.message for e in result.errors]
    assert not result.imported
    assert all("已归档" not in m for m in messages), messages
    assert not _leaks(_text(result))


# -- the command line --------------------------------------------------------------------


def test_the_command_line_refuses_a_workers_rows_outside_their_grid(
    world: World,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("GRIDVISIT_PASSWORD", PASSWORD)
    before = world.state()
    rows = [
        OWN_ROW,
        ["乙社区", "乙一网格", "1号楼党小组", "9", "2", "909", "改名的人", "", "", "户主"],
        ["甲社区", "甲一网格", "1号楼党小组", "1", "1", "103", "冒名", OTHER_ID, "", "户主"],
    ]
    path = roster(tmp_path / "r.xlsx", rows)
    db = ["--no-encryption", "--db", str(world.path), "--user", "w"]
    assert main(["ledger", "import", *db, str(path)]) == 1
    out = capsys.readouterr()
    assert "第 3 行“网格”:“乙社区/乙一网格”不在您负责的网格或社区内" in out.err
    assert "第 4 行“身份证号”:该身份证号已在您管辖范围以外登记" in out.err
    assert "未导入任何数据" in out.err
    assert not _leaks(out.err.replace("“乙社区/乙一网格”", "")) and "李" not in out.err
    assert world.state() == before


# -- 5. exports hold only the exporter's area ---------------------------------------------


@pytest.mark.parametrize("kind", ["households", "visits", "problems"])
@pytest.mark.parametrize("role", [Role.GRID_WORKER, Role.COMMUNITY_ADMIN])
def test_a_ledger_export_holds_only_the_exporters_area(
    world: World, tmp_path: Path, kind: str, role: Role
) -> None:
    services = world.services(role)
    exports = [services.exchange.export_ledger(kind, tmp_path / "m.xlsx")]
    if role is Role.COMMUNITY_ADMIN:  # may export unmasked
        exports.append(services.exchange.export_ledger(kind, tmp_path / "u.xlsx", masked=False))
    for result in exports:
        ws = load_workbook(result.path).active
        cells = [str(c) for row in ws.iter_rows(min_row=2, values_only=True) for c in row if c]
        assert result.rows >= 1 and cells
        text = "\n".join(cells)
        assert "甲社区" in text and not _leaks(text), _leaks(text)
    everything = world.services(Role.SUBDISTRICT_ADMIN).exchange.export_ledger(
        kind, tmp_path / "all.xlsx", masked=False
    )
    ws = load_workbook(everything.path).active
    text = "\n".join(str(c) for row in ws.iter_rows(values_only=True) for c in row if c)
    assert "乙社区" in text  # the markers are there to be found


def test_the_command_line_export_of_a_worker_holds_only_their_grid(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRIDVISIT_PASSWORD", PASSWORD)
    out = tmp_path / "h.xlsx"
    db = ["--no-encryption", "--db", str(world.path), "--user", "w"]
    assert main(["ledger", "export", *db, "--kind", "households", "-o", str(out)]) == 0
    ws = load_workbook(out).active
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [r[:3] for r in rows] == [("甲社区", "甲一网格", "1号楼党小组")]


# -- the same promise in the resident form --------------------------------------------


def test_the_resident_form_warns_of_an_id_number_outside_the_area_neutrally(
    world: World,
) -> None:
    """Adding or correcting a resident warned 身份证号 … 已登记在乙一网格 9栋2单元909室 的
    李** 名下: another grid's name and address, and its resident's masked name."""
    worker = world.services(Role.GRID_WORKER).households
    worker.add_resident(world.ha1.id, ResidentInput("王新", id_number=OTHER_ID))
    assert worker.last_warnings == ["该身份证号已在您管辖范围以外登记,请联系社区或街道核实"]
    added = worker.add_resident(world.ha1.id, ResidentInput("钱新"))
    worker.update_resident(added.id, ResidentInput("钱新", id_number=OTHER_ID))
    assert worker.last_warnings == ["该身份证号已在您管辖范围以外登记,请联系社区或街道核实"]
    # Inside the area (and for the sub-district) the warning still says where.
    admin = world.services(Role.SUBDISTRICT_ADMIN).households
    admin.add_resident(world.ha1.id, ResidentInput("赵新", id_number=OTHER_ID))
    assert any("909" in w for w in admin.last_warnings)
