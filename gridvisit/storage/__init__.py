"""Storage: the engine factory (the one place a database is opened), typed models,
Alembic migrations. Never imports Qt."""

from gridvisit.storage.engine import Database, open_database

__all__ = ["Database", "open_database"]
