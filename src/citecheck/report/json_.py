"""``--format json``: the SPEC document, version 1 (validated by the tests against the schema)."""

from __future__ import annotations

import json

from citecheck import __version__
from citecheck.models import Report
from citecheck.report.records import document


def render(report: Report) -> str:
    return json.dumps(document(report, __version__), ensure_ascii=False, indent=2) + "\n"
