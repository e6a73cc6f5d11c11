from __future__ import annotations

import contextlib
import gc
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from gridvisit.core.records import Actor
from gridvisit.core.services import ServiceContext, Services
from gridvisit.core.services.users import ensure_default_admin
from gridvisit.storage import Database, open_database


@pytest.fixture(autouse=True)
def _private_user_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never touch the real user's data, config or log folders."""
    home = tmp_path_factory.mktemp("home")
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(var, str(home / var.lower()))


_GC_THRESHOLD = gc.get_threshold()


@pytest.fixture(autouse=True)
def _garbage_on_the_gui_thread(request: pytest.FixtureRequest) -> Iterator[None]:
    """As in the app (gridvisit/ui/collector.py): with a QApplication, cycles are
    collected on the main thread only; between tests, what is due is collected."""
    if "qapp" in request.fixturenames:
        from gridvisit.ui import collector

        collector.install(request.getfixturevalue("qapp"))
    yield
    if not gc.isenabled():
        from gridvisit.ui.collector import collect_due

        collect_due(_GC_THRESHOLD)


class Clock:
    """A controllable clock for services."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(tmp_path / "test.db", create=True)
    yield database
    database.dispose()


@pytest.fixture
def clock() -> Clock:
    # Wednesday 2026-11-18 10:00 Beijing time.
    return Clock(datetime(2026, 11, 18, 2, 0, tzinfo=UTC))


@pytest.fixture
def services(db: Database, clock: Clock) -> Services:
    actor = ensure_default_admin(ServiceContext(db, Actor(None, "system")))
    return Services(ServiceContext(db, actor, clock=clock))


def link_for_exchange(
    laptop: Database,
    subdistrict: Database,
    *,
    communities: list[str] | None = None,
    name: str = "网格电脑",
) -> None:
    """What the key commands do once by hand: a copied laptop gets its own identity,
    the laptop trusts the sub-district's public key, and the sub-district registers
    the laptop as serving its communities (all of them unless named; missing ones are
    created at the sub-district, as `register-device --create` does)."""
    from sqlalchemy import select

    from gridvisit.exchange import keys
    from gridvisit.storage.models import Community

    if keys.binding_problem(laptop):
        keys.new_identity(laptop)
    keys.trust_subdistrict(laptop, keys.identity(subdistrict).public("街道"))
    if communities is None:
        with laptop.read_session() as s:
            communities = list(s.scalars(select(Community.name)))
    ids = []
    with subdistrict.session() as s:
        for name in communities:
            found = s.scalar(select(Community).where(Community.name == name))
            if found is None:
                found = Community(name=name)
                s.add(found)
                s.flush()
            ids.append(found.id)
    keys.register_device(
        subdistrict, keys.identity(laptop).public(name), by="test", community_ids=ids
    )


# --- PostgreSQL ----------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if found:
        return Path(found[-1]).parent
    which = shutil.which("pg_ctl")
    return Path(which).parent if which else None


def _tls_options(root: Path, prefix: list[str]) -> str:
    """TLS for the test server, with a self-signed certificate for 127.0.0.1, so that
    `sslmode=` in a URL is tried for real (tests/cli/test_server.py)."""
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    crt, pem = root / "server.crt", root / "server.key"
    crt.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    os.chmod(pem, 0o600)
    if prefix:
        for path in (crt, pem):
            shutil.chown(path, "postgres")
    return f" -c ssl=on -c ssl_cert_file={crt} -c ssl_key_file={pem}"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A throwaway PostgreSQL server on loopback: GRIDVISIT_TEST_PG_URL if set, else
    one started here from Debian's postgresql binaries. Skips, saying why, if neither."""
    url = os.environ.get("GRIDVISIT_TEST_PG_URL")
    if url:
        yield url
        return
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip("PostgreSQL tests skipped: the psycopg driver is not installed")
    bindir = _pg_bin()
    if bindir is None:
        pytest.skip(
            "PostgreSQL tests skipped: no PostgreSQL server binaries (install Debian's "
            "postgresql, as .ci/run does, or set GRIDVISIT_TEST_PG_URL)"
        )
    # Not under pytest's temp folder: that one is private to us, and the server may
    # have to run as another user.
    root = Path(tempfile.mkdtemp(prefix="gridvisit-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    prefix: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        runuser = shutil.which("runuser")
        if runuser is None:
            pytest.skip("PostgreSQL tests skipped: running as root and no runuser to drop it")
        prefix = [runuser, "-u", "postgres", "--"]
        for path in (root, sock):
            shutil.chown(path, "postgres")
        os.chmod(root, 0o755)
    port = _free_port()
    log = root / "server.log"
    try:
        subprocess.run(
            [*prefix, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
             "-E", "UTF8", "--locale=C"],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        if prefix:
            log.touch()
            shutil.chown(log, "postgres")
        subprocess.run(
            [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60",
             "-o", f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off"
             f"{_tls_options(root, prefix)}", "start"],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        pytest.skip(
            f"PostgreSQL tests skipped: could not start a server ({exc}; "
            f"{detail.decode(errors='replace').strip()[:300]})"
        )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        with contextlib.suppress(Exception):
            subprocess.run(
                [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                capture_output=True,
                timeout=60,
            )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A fresh, empty database on the server for one test."""
    import psycopg

    name = f"gv_{int(time.time() * 1000) % 10**9}_{os.getpid()}"
    admin = pg_server.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield pg_server.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def copy_to_server(source: Path, url: str) -> None:
    """Every row of the SQLite database `source` into the empty server database `url`
    (its schema made first), sequences moved past the copied ids: a demo sub-district
    on the server without building packages for it."""
    from sqlalchemy import delete, insert, select, text

    from gridvisit.storage.models import Base

    # Read from a copy: opening `source` itself would write its device binding into it
    # (trust on first use), and copies of a template made later would then all look
    # moved (tests/ui/test_day_in_window.py's key tests refuse them).
    scratch = Path(tempfile.mkdtemp(prefix="gridvisit-copy-")) / source.name
    shutil.copy(source, scratch)
    server = open_database(url, create=True)
    local = open_database(scratch)
    try:
        with local.read_session() as s, server.engine.begin() as conn:
            # The migrations' reference rows (categories, tiers) and the new device id.
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(delete(table))
            for table in Base.metadata.sorted_tables:
                rows = [dict(row) for row in s.execute(select(table)).mappings()]
                if rows:
                    conn.execute(insert(table), rows)
                if "id" in table.c and table.c.id.autoincrement is not False and rows:
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                            f"(SELECT max(id) FROM {table.name}))"
                        )
                    )
    finally:
        local.dispose()
        server.dispose()
        shutil.rmtree(scratch.parent, ignore_errors=True)


@pytest.fixture
def pg_roles(pg_server: str) -> Iterator[tuple[str, str]]:
    """A new database owned by an owner role, and a second login role for the app, as
    README "街道服务器" makes them: (owner URL, app URL). The app role has no
    privileges until `server init --grant` (or `server grants --grant`) gives them."""
    import psycopg

    tag = f"{int(time.time() * 1000) % 10**9}_{os.getpid()}"
    owner, app, name = f"gv_owner_{tag}", f"gv_app_{tag}", f"gv_roles_{tag}"
    admin = pg_server.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE ROLE "{owner}" LOGIN')
        conn.execute(f'CREATE ROLE "{app}" LOGIN')
        conn.execute(f'CREATE DATABASE "{name}" OWNER "{owner}"')
    hostport = pg_server.split("@", 1)[1].rsplit("/", 1)[0]
    yield (
        f"postgresql+psycopg://{owner}@{hostport}/{name}",
        f"postgresql+psycopg://{app}@{hostport}/{name}",
    )
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'DROP ROLE IF EXISTS "{app}"')
        conn.execute(f'DROP ROLE IF EXISTS "{owner}"')
