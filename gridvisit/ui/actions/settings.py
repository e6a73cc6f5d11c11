"""设置: visit tiers and which special groups set them, and the statistics targets
(a sub-district admin edits; everybody may look)."""

from __future__ import annotations

from typing import Any

from gridvisit.core.access import Action, allowed
from gridvisit.ui.actions import ActionGroup
from gridvisit.ui.changes import Changes


class SettingsActions(ActionGroup):
    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.act_tiers = self.action("visit_tiers", self.tr("Visit &tiers…"), self.edit_tiers)
        self.act_targets = self.action(
            "stats_targets", self.tr("Statistics tar&gets…"), self.edit_targets
        )

    def edit_tiers(self) -> None:
        from gridvisit.ui.dialogs.tiers import TierDialog

        editable = allowed(self.services.ctx.actor.role, Action.EDIT_TIERS)
        if editable and self.still_checking():
            return
        if TierDialog(self.services.tiers, editable=editable, parent=self.window).run():
            # Tiers change rows, the due list and the tree's overdue counts everywhere.
            self.notify(Changes.everything())
            self.status(self.tr("Visit tiers saved."))

    def edit_targets(self) -> None:
        from gridvisit.ui.dialogs.targets import TargetsDialog

        editable = allowed(self.services.ctx.actor.role, Action.MANAGE_TARGETS)
        if editable and self.still_checking():
            return
        if TargetsDialog(self.services.stats, editable=editable, parent=self.window).run():
            # The 统计 page marks each figure against its target: load it again.
            self.notify(Changes(targets=True))
            self.status(self.tr("Statistics targets saved."))
