"""The statement's dates: Distribution Date rolled to a Business Day, Record Date, Determination Date.

The waterfall works on the nominal 25th (``rmbs.waterfall.engine.distribution_date``); rolling to a Business Day
is a reporting concern. Business Day here is a weekday that is not a U.S. federal banking holiday (the PSAs add
state bank holidays of North Carolina, New York and the servicer's and trustee's states, which this calendar does
not know).
"""

from __future__ import annotations

import calendar as cal
from datetime import date, timedelta
from functools import cache

from rmbs.waterfall.engine import distribution_date


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    d = first + timedelta(days=(weekday - first.weekday()) % 7)
    return d + timedelta(weeks=n - 1)


def _last_weekday(year: int, month: int, weekday: int) -> date:
    last = date(year, month, cal.monthrange(year, month)[1])
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _observed(d: date) -> date:
    if d.weekday() == 5:
        return d - timedelta(days=1)
    if d.weekday() == 6:
        return d + timedelta(days=1)
    return d


@cache
def holidays(year: int) -> frozenset[date]:
    return frozenset(
        {
            _observed(date(year, 1, 1)),
            _nth_weekday(year, 1, 0, 3),  # Martin Luther King Jr. Day
            _nth_weekday(year, 2, 0, 3),  # Washington's Birthday
            _last_weekday(year, 5, 0),  # Memorial Day
            _observed(date(year, 7, 4)),
            _nth_weekday(year, 9, 0, 1),  # Labor Day
            _nth_weekday(year, 10, 0, 2),  # Columbus Day
            _observed(date(year, 11, 11)),
            _nth_weekday(year, 11, 3, 4),  # Thanksgiving
            _observed(date(year, 12, 25)),
        }
    )


def is_business_day(d: date) -> bool:
    return d.weekday() < 5 and d not in holidays(d.year)


def roll_forward(d: date) -> date:
    while not is_business_day(d):
        d += timedelta(days=1)
    return d


def roll_back(d: date) -> date:
    while not is_business_day(d):
        d -= timedelta(days=1)
    return d


def statement_dates(first: date, period: int) -> dict[str, date]:
    """Distribution, Determination and Record Dates of the ``period``-th Distribution Date."""
    nominal = distribution_date(first, period)
    dd = roll_forward(nominal)
    month_start = nominal.replace(day=1)
    prior_month_end = month_start - timedelta(days=1)
    return {
        "distribution_date": dd,
        "determination_date": roll_back(nominal.replace(day=16)),
        "record_date": roll_back(prior_month_end),
        "due_date": month_start,
        "collection_period_start": prior_month_end.replace(day=1),
        "collection_period_end": prior_month_end,
    }
