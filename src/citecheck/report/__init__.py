"""Output formats: one module per format, and ``REGISTRY``, the one table that says which
commands offer each, how it is written and which module renders it.

A format module has ``render(report) -> str``, reached only through this table (``renderer``),
so adding a format is one module and one entry. ``rich`` is the exception: it is drawn on a Rich
Console at the terminal (``report/terminal.py``), and written to a file as plain text by
``render_plain``. What formats share lives in ``common`` (what is said about findings),
``records`` (the flat record) and ``citations`` (the sources a bibliography cites); no format
imports another.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import cast

from citecheck.models import Report

Renderer = Callable[[Report], str]


class Command(StrEnum):
    """The commands that write a report."""

    CHECK = "check"
    REFS = "refs"
    EXPORT = "export"


_OUTPUTS = frozenset({Command.CHECK, Command.REFS})


@dataclass(frozen=True, slots=True)
class Format:
    """One entry of the registry: a ``--format`` name, where it is offered and who renders it."""

    name: str
    module: str  # under citecheck.report
    commands: frozenset[Command]
    drawn: bool = False  # drawn on the terminal; every other format is a text for a file or stdout
    bibliography: bool = False  # cites only the sources a reader can follow (``citations``)
    annotates: bool = False  # writes a copy of the letter itself, not a text (``docx_comments``)


REGISTRY: tuple[Format, ...] = (
    Format("rich", "terminal", _OUTPUTS, drawn=True),
    Format("json", "check_json", _OUTPUTS),
    # `export --format csv` is the very table `check --format csv` writes.
    Format("csv", "check_csv", _OUTPUTS | {Command.EXPORT}),
    Format("markdown", "markdown", _OUTPUTS),
    Format("github", "github", _OUTPUTS),
    Format("sarif", "sarif", _OUTPUTS),
    Format("html", "html", _OUTPUTS),
    Format("docx", "docx_comments", frozenset({Command.CHECK}), annotates=True),
    Format("json", "export_json", frozenset({Command.EXPORT})),
    Format("bibtex", "bibtex", frozenset({Command.EXPORT}), bibliography=True),
    Format("csl-json", "csljson", frozenset({Command.EXPORT}), bibliography=True),
)


def formats(command: Command) -> dict[str, Format]:
    """The formats ``command`` offers, by ``--format`` name, in the registry's order."""
    return {entry.name: entry for entry in REGISTRY if command in entry.commands}


def renderer(name: str, command: Command = Command.CHECK) -> Renderer:
    """The ``render`` function of the format ``command`` offers as ``name`` (not a drawn one).

    The module is imported on first use, so that ``refs`` stays light.
    """
    module = importlib.import_module(f"citecheck.report.{formats(command)[name].module}")
    return cast(Renderer, module.render)


# The names `export --format` accepts, for the settings' validation.
EXPORT_FORMATS = tuple(formats(Command.EXPORT))


def nothing_to_export(report: Report, export: Format) -> str | None:
    """Why ``export`` of ``report`` would be empty (one line for the user), else None.

    The tables keep every reference; a bibliography only the sources a reader can follow.
    """
    letters = (
        report.letters[0].path if len(report.letters) == 1 else f"{len(report.letters)} letters"
    )
    if not report.references:
        return f"nothing to export: no references found in {letters}"
    if not export.bibliography:
        return None
    from citecheck.report.citations import citations

    if citations(report):
        return None
    found = ", ".join(
        f"{count} {status}" for status, count in report.summary().items() if status != "total"
    )
    return (
        f"nothing to export as {export.name}: none of the {len(report.references)} reference(s) "
        f"in {letters} is a source a reader can follow ({found})"
    )
