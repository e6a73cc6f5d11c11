"""File → Holiday schedule (administrators): the dialog that enters a year's
holidays and 调休 working weekends. Problems already recorded keep their limits,
so no page changes."""

from __future__ import annotations

from typing import Any

from gridvisit.ui.actions import ActionGroup


class CalendarActions(ActionGroup):
    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.act_calendar = self.action("calendar", self.tr("&Holiday schedule…"), self.calendar)

    def calendar(self) -> None:
        from gridvisit.ui.dialogs.workdays import CalendarDialog

        if self.still_checking():
            return
        dialog = CalendarDialog(self.services, self.window)
        try:
            if dialog.exec() and dialog.saved is not None:
                self.status(
                    self.tr("Holiday schedule of {year} saved.").format(year=dialog.saved.year)
                )
        finally:
            dialog.deleteLater()
