"""``--format csv`` and ``export --format csv``: the citation table, one row per reference.

The columns are SPEC's JSON fields, flat, then ``reason``, ``archived_copy`` and ``accessed``
(``records.table``); ``refs`` has only the reference-model columns.

The file is meant to be opened by a spreadsheet, and titles come from untrusted pages and letters:

- A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be read
  as a formula, so it gets a leading ``'`` (OWASP, "CSV Injection"), and every cell is quoted.
  Numbers are written as they are: the numeric columns (line, column, HTTP status, similarity,
  milliseconds) are never negative, and a number is never a formula anyway.
- The text starts with a UTF-8 byte order mark: without it Excel reads the file in the system's
  code page and garbles every non-ASCII title. Python's ``csv`` and pandas read it with
  ``encoding="utf-8-sig"``.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from citecheck.models import Report
from citecheck.report.records import table, table_fields

BOM = "\ufeff"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def flat(value: Any) -> Any:
    """A cell: redirects become ``url (status) -> url (status)``, None an empty cell, and text
    that a spreadsheet would run as a formula is defused."""
    if value is None:
        return ""
    if isinstance(value, list):
        value = " -> ".join(f"{hop['url']} ({hop['status']})" for hop in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def render(report: Report) -> str:
    out = io.StringIO()
    out.write(BOM)
    writer = csv.DictWriter(
        out, fieldnames=table_fields(report), lineterminator="\n", quoting=csv.QUOTE_ALL
    )
    writer.writeheader()
    writer.writerows({key: flat(value) for key, value in row.items()} for row in table(report))
    return out.getvalue()
