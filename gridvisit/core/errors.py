"""Known errors: things a user can cause or meet. Each carries a Chinese message.

Anything that is not a GridVisitError is a bug: it is logged with its trace.
"""

from __future__ import annotations


class GridVisitError(Exception):
    """Base class for errors shown to the user as they are."""

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}" if self.hint else self.message


class ValidationError(GridVisitError):
    """One or more fields are invalid. `errors` maps field name to a Chinese reason."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        text = ";".join(f"{reason}" for reason in self.errors.values())
        super().__init__(f"输入有误:{text}", hint="请修改标出的字段后再保存。")


class WorkflowError(GridVisitError):
    """An illegal problem-workflow transition."""


class NotFoundError(GridVisitError):
    """A record the user referred to does not exist (or was archived)."""


class ConflictError(GridVisitError):
    """The request clashes with existing data (duplicate name, record still in use...)."""


STALE_MESSAGE = "该记录已被他人修改,请刷新后再改。"


class StaleRecordError(ConflictError):
    """An edit made on an out-of-date copy: someone else (another window on the same
    server, or a merge) changed the record after the form loaded it. Nothing is
    written (docs/architecture.md#several-staff-at-once)."""

    def __init__(self, what: str = "") -> None:
        message = f"{what}:{STALE_MESSAGE}" if what else STALE_MESSAGE
        super().__init__(message, hint="请先复制需要保留的内容,再重新载入这条记录。")


class StorageError(GridVisitError):
    """The database file cannot be used: missing, not a database, damaged, too new, locked."""


class DatabaseNotFoundError(StorageError):
    pass


class NotADatabaseError(StorageError):
    pass


class DatabaseTooNewError(StorageError):
    pass


class DatabaseCorruptError(StorageError):
    pass


class OutputError(GridVisitError):
    """A file the user asked for (a PDF, an export) cannot be written there."""


class AuthError(GridVisitError):
    """Login failed: unknown user, wrong password, too many attempts."""


class PermissionDeniedError(GridVisitError):
    """The acting user's role or area does not allow this."""


class EncryptedDatabaseError(StorageError):
    """The database is encrypted and needs a password (or its key file is missing)."""


class PackageSecurityError(GridVisitError):
    """A package is unsigned, tampered with, from an unknown device or for someone else."""

    # The device that signed the package, once known: named in the audit entry.
    device_id: str = ""


class AuditTailError(StorageError):
    """The newest audit entries were deleted or changed outside the app: nothing more
    is appended (which would hide it) until an administrator has looked."""
