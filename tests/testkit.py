"""Constants and checks shared by test modules (conftest modules are not importable by name:
every test folder may have its own)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "letters" / "2026-05-19-meps-china-visit.txt"
SCHEMA = json.loads((Path(__file__).parent / "schemas" / "report-v1.schema.json").read_text())


def validate_report(document: dict[str, Any]) -> None:
    """Fail with the first schema error when ``document`` breaks report-v1."""
    jsonschema.Draft202012Validator(SCHEMA).validate(document)
