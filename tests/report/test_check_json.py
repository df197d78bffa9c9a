"""``--format json`` is exactly the SPEC document, one reference per line."""

from __future__ import annotations

import json

from citecheck import __version__
from citecheck.models import Report
from citecheck.report.check_json import render
from citecheck.report.records import document

from factories import every_status, report
from testkit import validate_report


def test_render_is_the_document() -> None:
    full = report(every_status())
    text = render(full)
    assert json.loads(text) == document(full, __version__)
    validate_report(json.loads(text))
    assert text.count('\n    {"letter"') == len(full.references)  # one reference per line


def test_an_empty_report() -> None:
    empty = Report(letters=(), references=())
    assert json.loads(render(empty))["references"] == []
