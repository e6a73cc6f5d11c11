# The part of chinese-calendar that gridvisit reads (core/workdays.py): the State
# Council's schedule as two dicts, date -> the holiday's name (or None).
from datetime import date

holidays: dict[date, str | None]
workdays: dict[date, str | None]
