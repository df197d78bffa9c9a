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

# `citecheck export --format …`
EXPORT_FORMATS: dict[str, str] = {
    "csv": "export_csv",
    "json": "export_json",
    "bibtex": "bibtex",
    "csl-json": "csljson",
}


def renderer(name: str, table: dict[str, str] = FORMATS) -> Renderer:
    """The ``render`` function of the named format."""
    module = importlib.import_module(f"citecheck.report.{table[name]}")
    return cast(Renderer, module.render)
