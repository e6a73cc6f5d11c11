from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from gridvisit.demo.generate import generate_demo
from gridvisit.exchange.records import SPECS, canonical
from gridvisit.storage import Database, open_database
from gridvisit.storage.models import MergeConflict, PossibleDuplicate

# Tables a round trip must reproduce exactly. Users travel only when referred to.
CONTENT_TABLES = [s.name for s in SPECS if s.name != "app_user"]


def dump(db: Database, tables: list[str] | None = None) -> dict[str, dict[str, str]]:
    """Every travelling record by UUID, in its canonical package form."""
    out: dict[str, dict[str, str]] = {}
    with db.read_session() as s:
        for spec in SPECS:
            if tables is not None and spec.name not in tables:
                continue
            out[spec.name] = {}
            for row in s.execute(spec.select_payload()):
                payload = spec.payload(row)
                out[spec.name][payload["uuid"]] = canonical(payload)
    return out


def review_state(db: Database) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    with db.read_session() as s:
        conflicts = set(
            s.execute(
                select(
                    MergeConflict.entity,
                    MergeConflict.uuid,
                    MergeConflict.version,
                    MergeConflict.payload_hash,
                )
            ).all()
        )
        duplicates = set(
            s.execute(
                select(PossibleDuplicate.kind, PossibleDuplicate.uuid_a, PossibleDuplicate.uuid_b)
            ).all()
        )
    return conflicts, duplicates


@pytest.fixture(scope="session")
def demo_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small sub-district: 2 communities, a few grids, two months of visits."""
    path = tmp_path_factory.mktemp("demo") / "source.db"
    # Ends two days ago, so nothing in it looks changed after "now".
    generate_demo(path, households=1200, weeks=6, seed=11, end=date.today() - timedelta(days=2))
    return path


@pytest.fixture
def source(demo_source: Path, tmp_path: Path) -> Iterator[Database]:
    copy = tmp_path / "source.db"
    shutil.copy(demo_source, copy)
    db = open_database(copy)
    yield db
    db.dispose()


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
             "-o", f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off", "start"],
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
