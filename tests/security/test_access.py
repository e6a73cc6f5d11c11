"""The role × action matrix and the area rules, enforced in the service layer."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from gridvisit.core.access import PERMISSIONS, Action
from gridvisit.core.auth import LoginThrottle, create_database, login
from gridvisit.core.enums import EventKind, Role
from gridvisit.core.errors import AuthError, PermissionDeniedError, ValidationError
from gridvisit.core.records import Actor, ResidentInput, Scope
from gridvisit.core.services import ServiceContext, Services
from gridvisit.storage import Database

# Written out by hand: the table the product promises, checked against the code.
EXPECTED = {
    # A roster import writes only inside the importer's area (security/test_import_scope.py).
    Role.GRID_WORKER: {
        "read",
        "record",
        "reveal",
        "weekly_report",
        "export_package",
        "import_roster",
    },
    Role.COMMUNITY_ADMIN: {
        "read",
        "record",
        "reveal",
        "weekly_report",
        "export_package",
        "import_roster",
        "edit_hierarchy",
        "manage_users",
        "view_audit",
        "export_unmasked",
        "manage_backups",
        "supervise",
        "manage_calendar",
    },
    Role.SUBDISTRICT_ADMIN: {a.value for a in Action},
}


class World:
    """Two communities with a grid each (plus a second grid in the first); a worker of
    grid A1, an admin of community A, a sub-district admin."""

    def __init__(self, db: Database) -> None:
        from gridvisit.core.services.users import ensure_default_admin

        root = Services(
            ServiceContext(db, ensure_default_admin(ServiceContext(db, Actor(None, "system"))))
        )
        h = root.hierarchy
        self.ca, self.cb = h.add_community("甲社区"), h.add_community("乙社区")
        self.a1, self.a2 = h.add_grid(self.ca.id, "甲一网格"), h.add_grid(self.ca.id, "甲二网格")
        self.b1 = h.add_grid(self.cb.id, "乙一网格")
        self.ga1 = h.add_building_group(self.a1.id, "甲一1号楼")
        self.gb1 = h.add_building_group(self.b1.id, "乙一1号楼")
        resident = ResidentInput("张三", id_number="11010519491231002X", phone="13912345678")
        self.ha1 = root.households.register(self.ga1.id, "1", "", "101", residents=(resident,))
        self.hb1 = root.households.register(self.gb1.id, "9", "", "909", residents=(resident,))
        u = root.users
        worker = u.create("w", "网格员甲", Role.GRID_WORKER, grid_ids=[self.a1.id])
        cadmin = u.create("c", "社区管理员甲", Role.COMMUNITY_ADMIN, community_ids=[self.ca.id])
        self.actors = {
            Role.GRID_WORKER: Actor(worker.id, "w", "", Role.GRID_WORKER),
            Role.COMMUNITY_ADMIN: Actor(cadmin.id, "c", "", Role.COMMUNITY_ADMIN),
            Role.SUBDISTRICT_ADMIN: root.ctx.actor,
        }
        self.db = db

    def services(self, role: Role) -> Services:
        return Services(ServiceContext(self.db, self.actors[role]))


@pytest.fixture
def world(db: Database) -> World:
    return World(db)


def test_permission_table_is_the_promised_one() -> None:
    assert {role: {a.value for a in acts} for role, acts in PERMISSIONS.items()} == EXPECTED


def _attempt(world: World, role: Role, action: Action, tmp: Path) -> Callable[[], Any]:
    s = world.services(role)
    own_household = world.ha1.id
    calls: dict[Action, Callable[[], Any]] = {
        Action.READ: lambda: s.households.get(own_household),
        Action.RECORD: lambda: s.households.update(own_household, notes="已核实"),
        Action.REVEAL: lambda: s.households.reveal(
            s.households.residents(own_household)[0].id, "id_number"
        ),
        Action.WEEKLY_REPORT: lambda: s.weekly.scope_for("甲社区", "甲一网格"),
        Action.EXPORT_PACKAGE: lambda: s.keys.create(tmp / f"{role.value}.pub", "电脑"),
        Action.EDIT_HIERARCHY: lambda: s.hierarchy.add_building_group(
            world.a1.id, f"新楼{role.value}"
        ),
        Action.ADD_COMMUNITY: lambda: s.hierarchy.add_community(f"新社区{role.value}"),
        Action.MANAGE_USERS: lambda: s.users.create(
            f"new-{role.value}", "新人", Role.GRID_WORKER, grid_ids=[world.a1.id]
        ),
        Action.VIEW_AUDIT: lambda: s.audit_log.entries(),
        Action.EXPORT_UNMASKED: lambda: s.exchange.export_ledger(
            "households", tmp / f"{role.value}.xlsx", masked=False
        ),
        Action.IMPORT_ROSTER: lambda: s.exchange.import_roster(tmp / "missing.xlsx"),
        Action.MERGE: lambda: s.exchange.merge_file(tmp / "missing.gvpkg"),
        Action.EXPORT_RETURN: lambda: s.exchange.export_return(tmp / "r.gvpkg", world.a1.id),
        Action.MANAGE_DEVICES: lambda: s.keys.register_device(tmp / "missing.pub"),
        Action.MANAGE_BACKUPS: lambda: s.backups.set_policy(7, 4),
        Action.SUPERVISE: lambda: s.problems.supervise(0, EventKind.SUPERVISE_RED, "限期办结"),
        Action.MANAGE_CALENDAR: lambda: s.calendar.set_year(
            2027, frozenset({date(2027, 1, 1)}), frozenset()
        ),
        Action.MANAGE_TARGETS: lambda: s.stats.set_targets({"coverage": 0.9}),
    }
    return calls[action]


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(Action))
def test_role_action_matrix(world: World, role: Role, action: Action, tmp_path: Path) -> None:
    call = _attempt(world, role, action, tmp_path)
    if action.value in EXPECTED[role]:
        try:
            call()
        except PermissionDeniedError as exc:  # pragma: no cover - the failure we look for
            pytest.fail(f"{role} was refused {action}: {exc}")
        except Exception:
            pass  # missing input files, unregistered devices: failures after the check
    else:
        with pytest.raises(PermissionDeniedError):
            call()


# Every way of changing whom a database trusts, or what it signs as (issue 15).
TRUST_CHANGES: dict[str, Callable[[Services, Path], Any]] = {
    "trust-subdistrict": lambda s, tmp: s.keys.trust_subdistrict(tmp / "k.pub"),
    "register-device": lambda s, tmp: s.keys.register_device(
        tmp / "k.pub", [("甲社区", "甲一网格")]
    ),
    "set-area": lambda s, tmp: s.keys.set_area("电脑", [("甲社区", "甲一网格")]),
    "revoke-device": lambda s, tmp: s.keys.revoke_device("电脑"),
    "new-identity": lambda s, tmp: s.keys.new_identity(),
    "confirm-device": lambda s, tmp: s.keys.confirm_device(),
    "create --new-key": lambda s, tmp: s.keys.create(tmp / "n.pub", "电脑", new_key=True),
}


@pytest.mark.parametrize("change", list(TRUST_CHANGES))
@pytest.mark.parametrize("role", list(Role))
def test_only_an_administrator_changes_trust(
    world: World, role: Role, change: str, tmp_path: Path
) -> None:
    from gridvisit.exchange import keys

    admin = world.services(Role.SUBDISTRICT_ADMIN)
    other = tmp_path / "other.db"
    from gridvisit.storage import open_database

    laptop = open_database(other, create=True)
    keys.write_public_file(laptop, tmp_path / "k.pub", "电脑")
    laptop.dispose()
    if change in ("set-area", "revoke-device"):
        admin.keys.register_device(tmp_path / "k.pub", [("甲社区", "甲一网格")])
    before = (keys.subdistrict_key(world.db), keys.devices(world.db), world.db.device_id)
    call = TRUST_CHANGES[change]
    if role is Role.SUBDISTRICT_ADMIN:
        call(world.services(role), tmp_path)
        return
    with pytest.raises(PermissionDeniedError, match="管理密钥和登记设备"):
        call(world.services(role), tmp_path)
    assert (keys.subdistrict_key(world.db), keys.devices(world.db), world.db.device_id) == before


def _exposed_services(services: Services) -> dict[str, Any]:
    """Every service the real Services object hands out, attributes and properties."""
    out: dict[str, Any] = {}
    for name in dir(services):
        if name.startswith("_") or name == "ctx":
            continue
        value = getattr(services, name)
        if hasattr(value, "ctx"):
            out[name] = value
    return out


def _public_methods(service: Any) -> list[str]:
    return [
        name
        for name, fn in inspect.getmembers(type(service), callable)
        if not name.startswith("_") and inspect.isfunction(inspect.unwrap(fn))
    ]


def test_the_walk_sees_every_service(db: Database) -> None:
    """The walk below is only as good as what it finds: every service class, the
    exchange and keys (imported when first asked for) included."""
    found = _exposed_services(Services(ServiceContext(db, Actor(None, "system"))))
    assert set(found) >= {
        "audit_log", "backups", "calendar", "exchange", "hierarchy", "households", "keys",
        "problems", "stats", "users", "visits", "weekly", "workspace",
    }  # fmt: skip
    assert sum(len(_public_methods(s)) for s in found.values()) > 60


def test_every_public_service_method_declares_its_action(db: Database) -> None:
    """Deny by default: a method without a declared action is a test failure."""
    services = Services(ServiceContext(db, Actor(None, "system")))
    unmarked = [
        f"{name}.{method}"
        for name, service in _exposed_services(services).items()
        for method in _public_methods(service)
        if not hasattr(getattr(type(service), method), "__action__")
    ]
    assert unmarked == []


def test_every_public_service_method_checks_the_role_first(db: Database) -> None:
    """Called by someone whose role holds nothing, every public method of every service
    is refused before it reads its arguments or touches the database: a method that
    forgets the check (or declares an action it does not check) fails here."""
    nobody = Services(ServiceContext(db, Actor(None, "nobody", "", "nobody")))  # type: ignore[arg-type]
    unchecked = []
    for name, service in _exposed_services(nobody).items():
        for method in _public_methods(service):
            fn = getattr(service, method)
            params = inspect.signature(fn).parameters.values()
            args = [
                None
                for p in params
                if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
            ]
            try:
                fn(*args)
            except PermissionDeniedError:
                continue
            except Exception as exc:
                unchecked.append(f"{name}.{method}: {type(exc).__name__}")
            else:
                unchecked.append(f"{name}.{method}: ran")
    assert unchecked == []


# Public module functions in the service and exchange layers that write to the
# database. Each either runs behind a guarded service method (and no front end may
# call it: the front ends reach writes through Services), or runs before anyone has
# logged in, for the reason given. A new writer must be put in one of the two.
BEHIND_A_SERVICE = {
    "gridvisit.exchange.export.acknowledge_audit": "ExchangeService.merge_return",
    "gridvisit.exchange.export.export_package": "ExchangeService.export_package",
    "gridvisit.exchange.export.export_per_grid": "ExchangeService.export_per_grid",
    "gridvisit.exchange.keys.confirm_device": "KeyService.confirm_device",
    "gridvisit.exchange.keys.flag_device": "ExchangeService.merge_file",
    "gridvisit.exchange.keys.new_identity": "KeyService.new_identity",
    "gridvisit.exchange.keys.new_key_pair": "KeyService.create",
    "gridvisit.exchange.keys.register_device": "KeyService.register_device",
    "gridvisit.exchange.keys.revoke_device": "KeyService.revoke_device",
    "gridvisit.exchange.keys.set_device_area": "KeyService.set_area",
    "gridvisit.exchange.keys.trust_subdistrict": "KeyService.trust_subdistrict",
    "gridvisit.exchange.ledger.import_roster": "ExchangeService.import_roster",
    "gridvisit.exchange.merge.merge_package": "ExchangeService.merge_*",
    "gridvisit.exchange.review.resolve_conflict": "ExchangeService.resolve_conflict",
    "gridvisit.exchange.review.resolve_duplicate": "ExchangeService.resolve_duplicate",
    "gridvisit.core.services.visits.add_problem": "VisitService.record, ProblemService.report",
}
BEFORE_LOGIN = {
    "gridvisit.core.auth.set_first_admin": "a new database has no user to check yet",
    "gridvisit.core.auth.finish_login": "the rest of a login whose password was checked: "
    "its audit entry and the daily backup, behind the window",
    "gridvisit.core.services.users.ensure_default_admin": "the system actor of a new file",
    "gridvisit.exchange.keys.identity": "this device's key pair, made once on first use",
}
FRONT_ENDS = ("ui", "cli", "cli.py", "app.py", "selftest.py")
_WRITES = {"session", "set_setting"}  # Database.session opens a write transaction
_CTX_WRITES = {"write", "record", "audit"}  # ServiceContext's


def _module_writers() -> dict[str, set[str]]:
    """Public module-level functions in core/ and exchange/ that write, by module:
    found in the source, so a new one is seen without being listed anywhere."""
    import ast

    import gridvisit

    root = Path(gridvisit.__file__).parent
    found: dict[str, set[str]] = {}
    for path in sorted([*root.glob("core/**/*.py"), *root.glob("exchange/**/*.py")]):
        module = ".".join(path.relative_to(root.parent).with_suffix("").parts)
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
                continue
            for ref in ast.walk(node):
                if not isinstance(ref, ast.Attribute):
                    continue
                receiver = ast.unparse(ref.value)
                # Called or handed on (`(write or db.session)()` counts too).
                if ref.attr in _WRITES or (ref.attr in _CTX_WRITES and receiver.endswith("ctx")):
                    found.setdefault(module, set()).add(node.name)
                    break
    return found


def test_every_module_function_that_writes_is_behind_a_service_or_before_login() -> None:
    writers = {f"{m}.{f}" for m, fs in _module_writers().items() for f in fs}
    assert "gridvisit.exchange.review.resolve_conflict" in writers  # the scan sees writes
    assert writers - BEHIND_A_SERVICE.keys() - BEFORE_LOGIN.keys() == set()
    assert BEHIND_A_SERVICE.keys() | BEFORE_LOGIN.keys() <= writers  # no stale entries


def test_no_front_end_calls_a_writer_that_belongs_behind_a_service() -> None:
    """The merge review window once settled conflicts through review.resolve_conflict
    on a raw Database: no role check, no audit entry, the wall clock."""
    import ast

    import gridvisit

    root = Path(gridvisit.__file__).parent
    behind: dict[str, set[str]] = {}
    for qualified in BEHIND_A_SERVICE:
        module, name = qualified.rsplit(".", 1)
        behind.setdefault(module, set()).add(name)
    calls = []
    paths = [p for f in FRONT_ENDS for p in ((root / f).rglob("*.py") if (root / f).is_dir()
             else [root / f] if (root / f).exists() else [])]  # fmt: skip
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = {a.name for a in node.names}
                if node.module in behind and names & behind[node.module]:
                    calls.append(
                        f"{path.name}: {node.module} {sorted(names & behind[node.module])}"
                    )
                parent = node.module
                for a in node.names:  # from gridvisit.exchange import review
                    if f"{parent}.{a.name}" in behind:
                        calls.append(f"{path.name}: {parent}.{a.name}")
            elif isinstance(node, ast.Import):
                calls += [f"{path.name}: {a.name}" for a in node.names if a.name in behind]
    assert len(paths) > 20
    assert calls == []


def test_grid_worker_is_refused_another_grids_household_by_uuid(world: World) -> None:
    worker = world.services(Role.GRID_WORKER)
    assert worker.households.get_by_uuid(world.ha1.uuid).id == world.ha1.id
    with pytest.raises(PermissionDeniedError, match="不在您负责"):
        worker.households.get_by_uuid(world.hb1.uuid)
    with pytest.raises(PermissionDeniedError):
        worker.households.residents(world.hb1.id)
    with pytest.raises(PermissionDeniedError):
        worker.households.update(world.hb1.id, notes="x")
    with pytest.raises(PermissionDeniedError):
        worker.workspace.household_rows(Scope(grid_id=world.b1.id))


def test_lists_and_tree_hold_only_the_actors_area(world: World) -> None:
    worker = world.services(Role.GRID_WORKER)
    rows = worker.workspace.household_rows(Scope())
    assert [r.id for r in rows] == [world.ha1.id]
    tree = worker.workspace.tree()
    assert [c.name for c in tree.children] == ["甲社区"]
    assert [g.name for g in tree.children[0].children] == ["甲一网格"]
    cadmin = world.services(Role.COMMUNITY_ADMIN)
    assert {g.name for g in cadmin.hierarchy.grids()} == {"甲一网格", "甲二网格"}
    with pytest.raises(PermissionDeniedError):
        cadmin.hierarchy.add_building_group(world.b1.id, "越界的楼")
    everyone = world.services(Role.SUBDISTRICT_ADMIN).workspace.household_rows(Scope())
    assert len(everyone) == 2


def test_reveal_is_audited_and_lists_stay_masked(world: World) -> None:
    worker = world.services(Role.GRID_WORKER)
    resident = worker.households.residents(world.ha1.id)[0]
    assert worker.households.reveal(resident.id, "id_number") == "11010519491231002X"
    assert worker.households.reveal(resident.id, "phone") == "13912345678"
    other = world.services(Role.SUBDISTRICT_ADMIN).households.residents(world.hb1.id)[0]
    with pytest.raises(PermissionDeniedError):
        worker.households.reveal(other.id, "id_number")
    log = world.services(Role.SUBDISTRICT_ADMIN).audit_log.entries()
    reveals = [e for e in log if e.action == "resident.reveal"]
    assert [e.detail["field"] for e in reveals] == ["phone", "id_number"]
    assert all(e.actor == "w" for e in reveals)
    # The audit entry names the field, never the value.
    assert not any("11010519491231002X" in str(e.detail) for e in log)


# -- login --------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_login_wrong_password_and_throttle(tmp_path: Path) -> None:
    clock = Clock()
    throttle = LoginThrottle(tmp_path / "failures.json", clock)
    made = create_database(tmp_path / "l.db", "admin", "管理员", "good password 1", encrypted=True)
    made.db.dispose()
    ok = login(tmp_path / "l.db", "admin", "good password 1", encrypted=True, throttle=throttle)
    assert ok.actor.role is Role.SUBDISTRICT_ADMIN
    ok.db.dispose()
    for _ in range(3):
        with pytest.raises(AuthError, match="用户名或密码不正确"):
            login(tmp_path / "l.db", "admin", "wrong", encrypted=True, throttle=throttle)
    # Past three failures even the right password waits.
    with pytest.raises(AuthError, match="秒后再试"):
        login(tmp_path / "l.db", "admin", "good password 1", encrypted=True, throttle=throttle)
    clock.now += timedelta(seconds=3)
    ok = login(tmp_path / "l.db", "admin", "good password 1", encrypted=True, throttle=throttle)
    ok.db.dispose()
    assert throttle.wait_seconds(str((tmp_path / "l.db").resolve()), "admin") == 0


def test_passwords_are_argon2id_at_owasp_parameters(tmp_path: Path) -> None:
    made = create_database(tmp_path / "p.db", "admin", "管理员", "good password 1", encrypted=False)
    try:
        from sqlalchemy import select

        from gridvisit.storage.models import User

        with made.db.read_session() as s:
            stored = s.scalar(select(User.password_hash).where(User.username == "admin"))
    finally:
        made.db.dispose()
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    with pytest.raises(ValidationError, match="至少要 8 个字符"):
        create_database(tmp_path / "q.db", "admin", "管理员", "short", encrypted=False)
