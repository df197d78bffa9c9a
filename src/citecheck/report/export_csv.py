"""``export --format csv``: the researchers' citation table, one row per reference.

Each row puts what the letter claims (anchor text, cited title and date) beside what was found
(the page's title, site and publication date, the access date, the status, where the link ends up
and any suggested replacement). ``rows`` is that table; the JSON export shares it.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from citecheck.models import Report
from citecheck.report.records import finding_record, reference_record

COLUMNS = (
    "letter", "line", "footnote", "text", "url", "cited_title", "cited_date",
    "title", "site_name", "published", "accessed", "status", "final_url", "suggestion",
)  # fmt: skip


def rows(report: Report) -> list[dict[str, Any]]:
    """The citation table: one dict per reference, keys ``COLUMNS``, None where nothing is known.

    URLs come from ``records`` and so have any credentials masked.
    """
    if report.findings is None:
        return [
            {column: reference_record(ref).get(column) for column in COLUMNS}
            for ref in report.references
        ]
    table = []
    for finding in report.findings:
        record = finding_record(finding)
        record["accessed"] = finding.accessed
        table.append({column: record[column] for column in COLUMNS})
    return table


def render(report: Report) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(
        {key: "" if value is None else value for key, value in row.items()} for row in rows(report)
    )
    return out.getvalue()
