"""Working days in England, for statutory clocks such as the Rapid Review's 15 days."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

RAPID_REVIEW_WORKING_DAYS = 15
PANEL_NOTIFICATION_WORKING_DAYS = 5


@cache
def _bank_holidays(year: int) -> frozenset[date]:
    # Imported here: the holidays package is large and only a few screens need it.
    import holidays

    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=[year]).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (the start day itself does not count)."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def rapid_review_due(notification: date) -> date:
    """A Rapid Review is due 15 working days after the notification to the national panel."""
    return add_working_days(notification, RAPID_REVIEW_WORKING_DAYS)
