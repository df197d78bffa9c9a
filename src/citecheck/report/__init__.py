"""Output formats: one module per format, each with ``render(report) -> str``.

Adding a format is one module and one entry in ``FORMATS`` (``terminal`` is the exception: it draws
on a Rich Console it is given, see ``report/terminal.py``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import cast

from citecheck.models import Report

Renderer = Callable[[Report], str]

# format name -> module under citecheck.report; imported on first use so `refs` stays light.
FORMATS: dict[str, str] = {
    "json": "json_",
    "csv": "csv_",
    "markdown": "markdown",
    "github": "github",
    "sarif": "sarif",
    "html": "html",
}

# Formats that write an annotated copy of the letter, not a report: name -> module.
ANNOTATED_FORMATS: dict[str, str] = {"docx": "docx_comments"}

# `citecheck export --format …`; its csv is the very table `check --format csv` writes.
EXPORT_FORMATS: dict[str, str] = {
    "csv": "csv_",
    "json": "export_json",
    "bibtex": "bibtex",
    "csl-json": "csljson",
}


def nothing_to_export(report: Report, name: str) -> str | None:
    """Why the ``name`` export of ``report`` would be empty (one line for the user), else None.

    The tables keep every reference; a bibliography only the sources a reader can follow.
    """
    letters = (
        report.letters[0].path if len(report.letters) == 1 else f"{len(report.letters)} letters"
    )
    if not report.references:
        return f"nothing to export: no references found in {letters}"
    if name not in ("bibtex", "csl-json"):
        return None
    from citecheck.report.bibtex import citations

    if citations(report):
        return None
    found = ", ".join(
        f"{count} {status}" for status, count in report.summary().items() if status != "total"
    )
    return (
        f"nothing to export as {name}: none of the {len(report.references)} reference(s) in "
        f"{letters} is a source a reader can follow ({found})"
    )


def renderer(name: str, table: dict[str, str] = FORMATS) -> Renderer:
    """The ``render`` function of the named format."""
    module = importlib.import_module(f"citecheck.report.{table[name]}")
    return cast(Renderer, module.render)
