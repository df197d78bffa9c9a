"""``export --format json``: the researchers' citation table as one JSON object.

The document is ``{"version": 1, "tool": {"name", "version"}, "letters": [paths…],
"summary": {…}, "references": [row…]}``; each row is an object with the CSV table's columns
(``records.table``: SPEC's JSON fields, then ``reason``, ``archived_copy``, ``accessed``) as keys,
in that order, and ``null`` where nothing is known. Unlike the CSV, numbers stay numbers and
``redirects`` a list. The metadata sits beside the rows so that a file read years later still
says which tool and which letters produced it.
"""

from __future__ import annotations

import json

from citecheck import __version__
from citecheck.models import Report
from citecheck.report.records import table


def render(report: Report) -> str:
    document = {
        "version": 1,
        "tool": {"name": "citecheck", "version": __version__},
        "letters": [info.path for info in report.letters],
        "summary": report.summary(),
        "references": table(report),
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
