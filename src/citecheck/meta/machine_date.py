"""Machine-readable dates (meta tags, JSON-LD, ``<time datetime>``) -> ISO calendar dates.

The calendar date is kept as written: ``2024-06-13T23:30:00-05:00`` is 2024-06-13, because that is
the day the publisher's own clock showed (converting to UTC could move it to the 14th). Values
that are not ISO-like (``Thu, 13 Jun 2024 10:00:00 GMT``, ``June 13, 2024``) are read by
citecheck.dates. Years outside 1900-2100 are not publication dates (CMS defaults like 0001-01-01).
"""

from __future__ import annotations

import re
from datetime import date

from citecheck.dates import find_date

__all__ = ["machine_date"]

_ISO = re.compile(
    r"\s*(?P<y>\d{4})(?:(?P<sep>[-/.])(?P<m>\d{1,2})(?:(?P=sep)(?P<d>\d{1,2}))?)?"
    r"(?=$|[T\s+Z]|[,;])"
)
_COMPACT = re.compile(r"\s*(?P<y>\d{4})(?P<m>\d\d)(?P<d>\d\d)(?:$|[T\s]|\d{6})")


def machine_date(value: str | None) -> str | None:
    """``YYYY-MM-DD`` (or ``YYYY-MM`` / ``YYYY`` when the value is that coarse), or None."""
    if not value:
        return None
    value = value[:100]
    match = _ISO.match(value) or _COMPACT.match(value)
    if match is not None:
        return _checked(match.group("y"), match.group("m"), match.group("d"))
    found = find_date(value)
    if found is None or found.start > 12:
        return None
    parts = found.iso.split("-")
    return _checked(parts[0], *(parts[1:] + [None, None])[:2])


def _checked(year: str, month: str | None, day: str | None) -> str | None:
    y = int(year)
    if not 1900 <= y <= 2100:
        return None
    if month is None:
        return f"{y:04d}"
    m = int(month)
    if not 1 <= m <= 12:
        return None
    if day is None:
        return f"{y:04d}-{m:02d}"
    try:
        return date(y, m, int(day)).isoformat()
    except ValueError:
        return None
