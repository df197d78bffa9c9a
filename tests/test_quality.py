"""The linters the project promises are clean, checked by the suite so CI enforces them."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff_lint_and_format() -> None:
    lint = run(str(BIN / "ruff"), "check", "src", "tests", "bench")
    assert lint.returncode == 0, lint.stdout + lint.stderr
    fmt = run(str(BIN / "ruff"), "format", "--check", "src", "tests", "bench")
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def test_mypy_strict() -> None:
    result = run(str(BIN / "mypy"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_lint_imports_layers() -> None:
    """The import-linter contracts in pyproject.toml (the layers of docs/architecture.md) hold."""
    result = run(str(BIN / "lint-imports"))
    assert result.returncode == 0, result.stdout + result.stderr


# A report format module's ``render`` is the registry's protocol (report/__init__.py): the one
# name every format shares by design.
_PROTOCOL_NAMES = {("citecheck.report", "render")}


def test_no_two_modules_share_a_public_function_name() -> None:
    """A name found in a traceback or a grep leads to one function: no public top-level function
    name is defined in two modules of the package."""
    package = ROOT / "src" / "citecheck"
    homes: dict[str, list[str]] = {}
    for path in sorted(package.rglob("*.py")):
        module = ".".join(path.relative_to(package.parent).with_suffix("").parts)
        module = module.removesuffix(".__init__")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if node.name.startswith("_"):
                continue
            parent = module.rpartition(".")[0]
            if (parent, node.name) in _PROTOCOL_NAMES:
                continue
            homes.setdefault(node.name, []).append(module)
    shared = {name: modules for name, modules in homes.items() if len(modules) > 1}
    assert shared == {}
