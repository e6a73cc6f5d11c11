"""`python -m gridvisit.storage.revision`, the tool the developers' guide names for
every schema change (docs/architecture.md#how-to-add-a-migration)."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from gridvisit.storage.engine import MIGRATIONS_DIR, head_revision

ROOT = Path(__file__).resolve().parents[2]


def _function_body(source: str, name: str) -> list[ast.stmt]:
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return node.body
    raise AssertionError(f"no {name}() in the revision")


def test_revision_writes_an_empty_next_revision_alembic_accepts(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    before = sorted(p.name for p in (MIGRATIONS_DIR / "versions").glob("*.py"))
    try:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "gridvisit.storage.revision",
                "what changed",
                "--output-dir",
                str(out),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
        )
    finally:
        # Whatever the tool did, the package's folder is left as it was.
        strays = [p for p in (MIGRATIONS_DIR / "versions").glob("*.py") if p.name not in before]
        for stray in strays:
            stray.unlink()
    assert result.returncode == 0, result.stderr
    # Nothing landed in the package: the output folder was given.
    assert strays == []
    files = list(out.glob("*.py"))
    assert len(files) == 1, files
    generated = files[0]
    head = head_revision()
    # The numbering the existing revisions follow: 0005 → 0006, file 0006_<slug>.py.
    next_rev = f"{int(head) + 1:04d}"
    assert generated.name == f"{next_rev}_what_changed.py"
    assert str(generated) in result.stdout

    # Models and migrations agree today, so both directions are empty.
    source = generated.read_text(encoding="utf-8")
    for name in ("upgrade", "downgrade"):
        body = _function_body(source, name)
        assert [type(stmt) for stmt in body] == [ast.Pass], (name, source)

    # The file passes the project's own lint, as committed revisions must.
    for args in (["check"], ["format", "--check"]):
        lint = subprocess.run(
            [
                sys.executable,
                "-m",
                "ruff",
                *args,
                "--config",
                str(ROOT / "pyproject.toml"),
                str(generated),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert lint.returncode == 0, (args, lint.stdout, lint.stderr, source)

    # Alembic accepts it: in a copy of the migrations folder it becomes the one head,
    # chained to today's head, and a database upgrades through it.
    copy = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(generated, copy / "versions" / generated.name)
    engine = create_engine(f"sqlite:///{tmp_path / 'scratch.db'}")
    try:
        with engine.connect() as conn:
            cfg = Config()
            cfg.set_main_option("script_location", str(copy))
            cfg.attributes["connection"] = conn
            script = ScriptDirectory.from_config(cfg)
            assert script.get_heads() == [next_rev]
            new = script.get_revision(next_rev)
            assert new is not None and new.down_revision == head
            command.upgrade(cfg, "head")
            conn.commit()
            assert MigrationContext.configure(conn).get_current_revision() == next_rev
    finally:
        engine.dispose()
