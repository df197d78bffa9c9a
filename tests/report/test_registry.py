"""The registry of formats: what the commands offer, every format reached through it, and formats
that share through ``common``, ``records`` and ``citations`` rather than through each other."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from citecheck.config import OUTPUT_FORMATS
from citecheck.report import REGISTRY, Command, formats, renderer

from factories import every_status, report

REPORT = Path(__file__).parents[2] / "src" / "citecheck" / "report"
FORMAT_MODULES = {entry.module for entry in REGISTRY}


def test_check_and_refs_offer_the_formats_the_settings_accept() -> None:
    assert tuple(formats(Command.CHECK)) == OUTPUT_FORMATS
    # docx comments on what check found: refs finds nothing to comment on.
    assert tuple(formats(Command.REFS)) == tuple(n for n in OUTPUT_FORMATS if n != "docx")
    assert list(formats(Command.EXPORT)) == ["csv", "json", "bibtex", "csl-json"]


@pytest.mark.parametrize(
    ("command", "name"),
    [
        (c, name)
        for c in Command
        for name, entry in formats(c).items()
        if not entry.drawn and not entry.annotates
    ],
)
def test_every_text_format_is_reached_through_the_registry(command: Command, name: str) -> None:
    assert renderer(name, command)(report(every_status())).strip()


@pytest.mark.parametrize("module", sorted(FORMAT_MODULES))
def test_no_format_imports_another(module: str) -> None:
    tree = ast.parse((REPORT / f"{module}.py").read_text(encoding="utf-8"))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module == "citecheck.report":
            names = [f"citecheck.report.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        else:
            continue
        imported |= {
            n.removeprefix("citecheck.report.") for n in names if n.startswith("citecheck.report.")
        }
    assert not imported & (FORMAT_MODULES - {module})
