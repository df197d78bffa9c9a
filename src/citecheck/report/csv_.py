"""``--format csv``: the citation table, one row per reference, the JSON fields as flat columns."""

from __future__ import annotations

import csv
import io
from typing import Any

from citecheck.models import Report
from citecheck.report.records import fields, records


def flat(value: Any) -> Any:
    """A cell: redirects become ``url (status) -> url (status)``, None an empty cell."""
    if value is None:
        return ""
    if isinstance(value, list):
        return " -> ".join(f"{hop['url']} ({hop['status']})" for hop in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def render(report: Report) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields(report), lineterminator="\n")
    writer.writeheader()
    writer.writerows({key: flat(value) for key, value in row.items()} for row in records(report))
    return out.getvalue()
