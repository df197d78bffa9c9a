"""``--format sarif``: valid against the published SARIF 2.1.0 schema, useful to code scanning."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from citecheck import __version__
from citecheck.models import DEFAULT_FAIL_ON, Report, Status
from citecheck.report.sarif import render

from factories import SECRET, every_status, finding, reference, refs_report, report

SCHEMA = json.loads((Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json").read_text())
VALIDATOR = jsonschema.Draft7Validator(
    SCHEMA, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
)
PROBLEMS = [s for s in Status if s not in (Status.OK, Status.SKIPPED)]


def sarif(checked: Report) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(render(checked))
    VALIDATOR.validate(document)
    return document


def test_valid_log_with_one_rule_per_problem_status() -> None:
    document = sarif(report(every_status()))
    assert document["version"] == "2.1.0"
    (run,) = document["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "citecheck"
    assert driver["version"] == __version__
    assert driver["informationUri"].startswith("https://")
    rules = {rule["id"]: rule for rule in driver["rules"]}
    assert set(rules) == {f"citecheck/{status.value}" for status in PROBLEMS}
    for status in PROBLEMS:
        rule = rules[f"citecheck/{status.value}"]
        assert rule["shortDescription"]["text"]
        level = "error" if status in DEFAULT_FAIL_ON else "warning"
        assert rule["defaultConfiguration"]["level"] == level


def test_one_result_per_problem_located_in_the_letter() -> None:
    findings = every_status()
    (run,) = sarif(report(findings))["runs"]
    problems = [f for f in findings if f.status in PROBLEMS]
    assert len(run["results"]) == len(problems)
    rules = run["tool"]["driver"]["rules"]
    for result, item in zip(run["results"], problems, strict=True):
        assert result["ruleId"] == f"citecheck/{item.status.value}"
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] == ("error" if item.status in DEFAULT_FAIL_ON else "warning")
        assert item.message in result["message"]["text"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"] == {
            "uri": item.reference.letter,
            "uriBaseId": "%SRCROOT%",
        }
        assert physical["region"] == {
            "startLine": item.reference.line,
            "startColumn": item.reference.column,
        }


def test_fingerprints_are_stable_across_runs_and_edits() -> None:
    findings = every_status()
    first = sarif(report(findings))["runs"][0]["results"]
    again = sarif(report(findings))["runs"][0]["results"]
    assert [r["partialFingerprints"] for r in first] == [r["partialFingerprints"] for r in again]
    prints = [next(iter(r["partialFingerprints"].values())) for r in first]
    assert len(set(prints)) == len(prints)
    # the letter was edited above the link: same problem, same fingerprint
    moved_down = [
        replace(f, reference=replace(f.reference, line=f.reference.line + 7)) for f in findings
    ]
    shifted = sarif(report(moved_down))["runs"][0]["results"]
    assert [r["partialFingerprints"] for r in shifted] == [r["partialFingerprints"] for r in first]
    assert shifted[0]["locations"] != first[0]["locations"]


def test_clean_report_is_a_valid_log_without_results() -> None:
    (run,) = sarif(report([finding(Status.OK)]))["runs"]
    assert run["results"] == []


def test_paths_become_uri_references_and_credentials_are_masked() -> None:
    item = finding(
        Status.BROKEN,
        reference(f"https://u:{SECRET}@ngo.test/x", letter="letters/my letter #2.md"),
        "404 Not Found",
    )
    text = render(report([item]))
    assert SECRET not in text
    (result,) = sarif(report([item]))["runs"][0]["results"]
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "letters/my%20letter%20%232.md"
    assert "https://***@ngo.test/x" in result["message"]["text"]


def test_notices_are_tool_notifications() -> None:
    (run,) = sarif(report(every_status(), notices=("No network",)))["runs"]
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is True
    assert invocation["toolExecutionNotifications"][0]["message"]["text"] == "No network"


def test_refs_report_is_a_valid_log_without_results() -> None:
    (run,) = sarif(refs_report([reference()]))["runs"]
    assert run["results"] == []


def test_the_shipped_schema_rejects_a_broken_log() -> None:
    document = json.loads(render(report(every_status())))
    document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    with pytest.raises(jsonschema.ValidationError):
        VALIDATOR.validate(document)
