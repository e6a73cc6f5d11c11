"""Developer tool: autogenerate an Alembic revision against a scratch database
at the current head. Usage: python -m gridvisit.storage.revision "message"."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory

from gridvisit.storage.engine import _make_engine, _migrate, alembic_config


def main(message: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine, path = _make_engine(Path(tmp) / "scratch.db", create=True, key=None)
        if ScriptDirectory.from_config(alembic_config()).get_current_head():
            _migrate(engine, path, backup=False, key=None)
        with engine.connect() as conn:
            command.revision(alembic_config(conn), message=message, autogenerate=True)
            conn.commit()
        engine.dispose()


if __name__ == "__main__":
    main(" ".join(sys.argv[1:]) or "change")
