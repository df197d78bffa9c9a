"""``export --format json``: the researchers' citation table as one JSON object.

The document is ``{"version": 1, "tool": {"name", "version"}, "letters": [paths…],
"summary": {…}, "references": [row…]}``; each row is an object with the CSV export's columns
(``export_csv.COLUMNS``) as keys, in that order, and ``null`` where nothing is known. Unlike the
CSV, ``line`` is a number. The metadata sits beside the rows so that a file read years later
still says which tool and which letters produced it.
"""

from __future__ import annotations

import json

from citecheck import __version__
from citecheck.models import Report
from citecheck.report.export_csv import rows


def render(report: Report) -> str:
    document = {
        "version": 1,
        "tool": {"name": "citecheck", "version": __version__},
        "letters": [info.path for info in report.letters],
        "summary": report.summary(),
        "references": rows(report),
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
