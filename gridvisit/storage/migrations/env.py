"""Alembic environment. The app passes its open connection in
`config.attributes["connection"]`; developers generate revisions with
`python -m gridvisit.storage.revision "message"`."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext

from gridvisit.storage.models import Base

config = context.config
target_metadata = Base.metadata


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    # Our UTCDateTime decorator is stored as a plain timezone-aware DateTime.
    from gridvisit.storage.types import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("gridvisit migrations run through storage.open_database()")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite can only alter tables by rebuilding them
        render_item=render_item,
        compare_type=True,
        # SQLite DDL is transactional: a failed migration leaves the file as it was.
        transactional_ddl=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
