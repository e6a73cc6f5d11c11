"""The building view's commands: open a room's household (the household dialog of
HouseholdActions), and its prints (一户一档, 走访清单, 楼栋图) in a preview that prints
or saves them. ReportLab and QtPdf load when a print is first asked for."""

from __future__ import annotations

from typing import Any

from gridvisit.core.access import Action
from gridvisit.core.clock import IsoWeek, today_local
from gridvisit.ui.actions import ActionGroup


class BuildingActions(ActionGroup):
    def __init__(self, window: Any) -> None:
        super().__init__(window)
        page = window.buildings
        # The households page's request: HouseholdActions opens the household dialog.
        page.household_requested.connect(window.households.edit_household_requested)
        page.print_chart_requested.connect(self.print_chart)
        page.print_sweep_requested.connect(self.print_sweep)
        page.print_card_requested.connect(self.print_card)

    def _group(self) -> int | None:
        node = self.window.tree.current_node()
        return node.id if node is not None and node.kind == "building_group" else None

    def _preview(self, title: str, build: Any, *, offer_full_names: bool = True) -> None:
        from gridvisit.ui.dialogs.print_preview import PdfPreviewDialog

        dialog = PdfPreviewDialog(
            self.services, title, build, offer_full_names=offer_full_names, parent=self.window
        )
        dialog.exec()
        dialog.deleteLater()

    def _audit_full(self, full: bool, what: str, **details: Any) -> None:
        if full:
            self.services.ctx.require(Action.EXPORT_UNMASKED)
            self.services.audit_log.record("report.full_names", report=what, **details)

    def print_chart(self) -> None:
        group = self._group()
        if group is None:
            return
        services = self.services
        by_visit = self.window.buildings.by_visit.isChecked()
        labels = dict(self.window.buildings.house_labels)

        def build(path: str, _full: bool) -> tuple[str, bool]:
            from gridvisit.reports import buildings as rb

            chart = services.buildings.chart(group)
            rb.render_chart(chart, path, by_visit=by_visit, house_labels=labels)
            return rb.chart_file_name(chart), rb.chart_is_landscape(chart)

        self._preview(self.tr("Building chart"), build, offer_full_names=False)

    def print_sweep(self) -> None:
        group = self._group()
        if group is None:
            return
        services = self.services
        week = IsoWeek.containing(today_local(services.ctx.now()))

        def build(path: str, full: bool) -> tuple[str, bool]:
            from gridvisit.reports import buildings as rb

            sweep = services.buildings.sweep(week, building_group_id=group)
            self._audit_full(full, "sweep", week=str(week), scope=sweep.title)
            rb.render_sweep(sweep, path, full_names=full)
            return rb.sweep_file_name(sweep), False

        self._preview(self.tr("Sweep list"), build)

    def print_card(self, household_id: int) -> None:
        services = self.services
        labels = dict(self.window.buildings.house_labels)

        def build(path: str, full: bool) -> tuple[str, bool]:
            from gridvisit.reports import buildings as rb

            card = services.buildings.card(household_id)
            self._audit_full(full, "household", household=card.room.uuid)
            rb.render_household_card(card, path, full_names=full, house_labels=labels)
            return rb.card_file_name(card), False

        self._preview(self.tr("Household card"), build)
