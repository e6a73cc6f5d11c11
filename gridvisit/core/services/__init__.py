"""Domain services. Each opens its own short transaction on the Database it was given;
records come back as frozen dataclasses so no session leaks out."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gridvisit.core.services.audit import AuditService
from gridvisit.core.services.backups import BackupService
from gridvisit.core.services.calendar import CalendarService
from gridvisit.core.services.context import ServiceContext
from gridvisit.core.services.hierarchy import HierarchyService
from gridvisit.core.services.households import HouseholdService
from gridvisit.core.services.problems import ProblemService
from gridvisit.core.services.stats import StatsService
from gridvisit.core.services.users import UserService
from gridvisit.core.services.visits import VisitService
from gridvisit.core.services.weekly import WeeklyReportService
from gridvisit.core.services.workspace import WorkspaceService

if TYPE_CHECKING:
    from gridvisit.core.services.exchange import ExchangeService, KeyService


class Services:
    """All services for one acting user on one database."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self.users = UserService(ctx)
        self.hierarchy = HierarchyService(ctx)
        self.households = HouseholdService(ctx)
        self.visits = VisitService(ctx)
        self.problems = ProblemService(ctx)
        self.workspace = WorkspaceService(ctx)
        self.weekly = WeeklyReportService(ctx)
        self.stats = StatsService(ctx)
        self.audit_log = AuditService(ctx)
        self.backups = BackupService(ctx)
        self.calendar = CalendarService(ctx)

    # Packages, merges, ledgers and keys behind the same access rules. Imported when
    # first asked for: the first paint needs none of the exchange (docs/architecture.md,
    # "Start-up: what the first paint needs").
    @property
    def exchange(self) -> ExchangeService:
        from gridvisit.core.services.exchange import ExchangeService

        return ExchangeService(self.ctx)

    @property
    def keys(self) -> KeyService:
        from gridvisit.core.services.exchange import KeyService

        return KeyService(self.ctx)


__all__ = [
    "AuditService",
    "BackupService",
    "CalendarService",
    "HierarchyService",
    "HouseholdService",
    "ProblemService",
    "ServiceContext",
    "Services",
    "StatsService",
    "UserService",
    "VisitService",
    "WeeklyReportService",
    "WorkspaceService",
]
