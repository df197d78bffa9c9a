"""Fixtures shared by the whole suite."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest

from citecheck.cli import main

pytest_plugins = ["servers"]  # the loopback server fixtures, for every test folder

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "letters" / "2026-05-19-meps-china-visit.txt"
SCHEMA = json.loads((Path(__file__).parent / "schemas" / "report-v1.schema.json").read_text())


@pytest.fixture(autouse=True)
def _private_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test reads or writes the user's real cache folder."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> dict:  # type: ignore[type-arg]
        return json.loads(self.out)


@pytest.fixture
def cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Result]:
    """Run the real CLI entry point in-process: ``cli("refs", path, stdin=b"…")``."""

    def run(*args: str, stdin: bytes | None = None) -> Result:
        if stdin is not None:
            import io
            import sys

            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
        capsys.readouterr()
        with pytest.raises(SystemExit) as exit_info:
            main([str(arg) for arg in args])
        captured = capsys.readouterr()
        code = exit_info.value.code
        return Result(code if isinstance(code, int) else 0, captured.out, captured.err)

    return run


def validate_report(document: dict) -> None:  # type: ignore[type-arg]
    """Fail with the first schema error when ``document`` breaks report-v1."""
    jsonschema.Draft202012Validator(SCHEMA).validate(document)
