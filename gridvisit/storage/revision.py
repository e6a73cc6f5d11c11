"""Developer tool: autogenerate the next Alembic revision from the models, against a
scratch database migrated to the current head (docs/architecture.md#how-to-add-a-migration).

    python -m gridvisit.storage.revision "what changed" [--output-dir DIR]

The revision is numbered after the newest one (0005 → 0006_what_changed.py) and
written to gridvisit/storage/migrations/versions/, or to DIR. It is tidied with
ruff (when installed) so it passes `make lint`; review it before committing."""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import Script, ScriptDirectory

from gridvisit.storage.engine import MIGRATIONS_DIR, _make_engine, _migrate

_PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def next_revision_id(script: ScriptDirectory) -> str | None:
    """The next number in the 0001, 0002, ... sequence; None (Alembic's random id)
    if some revision does not follow it."""
    ids = [rev.revision for rev in script.walk_revisions()]
    if not ids:
        return "0001"
    if not all(rev.isdigit() for rev in ids):
        return None
    return f"{max(int(rev) for rev in ids) + 1:04d}"


def _tidy(path: Path) -> None:
    """Lint-fix and format the new file the way `make lint` checks it."""
    if importlib.util.find_spec("ruff") is None:
        print(f"ruff is not installed: run `ruff format {path}` before committing")
        return
    config = ["--config", str(_PYPROJECT)] if _PYPROJECT.is_file() else []
    for args in (["check", "--fix", "--quiet"], ["format", "--quiet"]):
        subprocess.run([sys.executable, "-m", "ruff", *args, *config, str(path)], check=False)


def generate(message: str, output_dir: Path | None = None) -> Path | None:
    """Write the next revision and return its path (None if Alembic wrote nothing).
    Alembic works in a copy of the migrations folder, so nothing but the new file
    lands anywhere, and only in `output_dir` (default: the package's versions/)."""
    target = output_dir if output_dir is not None else MIGRATIONS_DIR / "versions"
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "migrations"
        shutil.copytree(MIGRATIONS_DIR, work, ignore=shutil.ignore_patterns("__pycache__"))
        cfg = Config()
        cfg.set_main_option("script_location", str(work))
        script = ScriptDirectory.from_config(cfg)
        engine, path = _make_engine(Path(tmp) / "scratch.db", create=True, key=None)
        try:
            if script.get_current_head():
                _migrate(engine, path, backup=False, key=None)
            with engine.connect() as conn:
                cfg.attributes["connection"] = conn
                written = command.revision(
                    cfg, message=message, autogenerate=True, rev_id=next_revision_id(script)
                )
                conn.rollback()
        finally:
            engine.dispose()
        scripts = written if isinstance(written, list) else [written]
        new = [s for s in scripts if isinstance(s, Script)]
        if not new:
            return None
        source = Path(new[0].path)
        target.mkdir(parents=True, exist_ok=True)
        dest = target / source.name
        shutil.move(source, dest)
    _tidy(dest)
    return dest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m gridvisit.storage.revision",
        description="Autogenerate the next Alembic revision from gridvisit/storage/models.py.",
    )
    parser.add_argument("message", nargs="+", help="what changed, e.g. add visit duration")
    parser.add_argument(
        "--output-dir",
        type=Path,
        help="write the revision here instead of gridvisit/storage/migrations/versions/",
    )
    args = parser.parse_args(argv)
    dest = generate(" ".join(args.message), args.output_dir)
    if dest is None:
        print("Alembic wrote no revision", file=sys.stderr)
        return 1
    print(f"wrote {dest}: review it, then commit it with the model change")
    return 0


if __name__ == "__main__":
    sys.exit(main())
