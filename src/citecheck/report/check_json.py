"""``--format json``: the SPEC document, version 1 (validated by the tests against the schema)."""

from __future__ import annotations

import json

from citecheck import __version__
from citecheck.models import Report
from citecheck.report.records import document


def render(report: Report) -> str:
    """The document with one reference per line.

    ``json.dumps(indent=…)`` runs Python's pure-Python encoder, which for 100,000 references
    took seconds and half a gigabyte; encoding each record on its own uses the C encoder.
    """
    doc = document(report, __version__)
    references = doc.pop("references")
    head = json.dumps(doc, ensure_ascii=False, indent=2)
    records = ",\n    ".join(json.dumps(record, ensure_ascii=False) for record in references)
    body = f"[\n    {records}\n  ]" if references else "[]"
    return f'{head[:-2]},\n  "references": {body}\n}}\n'
