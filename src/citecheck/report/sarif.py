"""``--format sarif``: SARIF 2.1.0 for code scanning (GitHub's upload-sarif and friends).

One rule per problem status (``citecheck/broken``…), at level ``error`` for the statuses of the
default ``--fail-on`` and ``warning`` for the others; one result per problem, located at the link's
line and column in the letter (a path relative to ``%SRCROOT%``; columns count code points).
``partialFingerprints`` hash letter, URL and status, so a problem keeps its identity across runs
while the letter is edited around it. Run-level notices become tool execution notifications.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import quote

from citecheck import __version__
from citecheck.models import Finding, Report, Status
from citecheck.report.common import QUIET, explanation, letter_path, level, problems
from citecheck.urls import mask_credentials

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://github.com/citecheck/citecheck"
FINGERPRINT = "citecheckReference/v1"

# SPEC "Statuses", in the words a code-scanning alert shows.
DESCRIPTIONS = {
    Status.INVALID: "Not a URL that can work (malformed, unsupported scheme).",
    Status.PLACEHOLDER: "The link was never filled in (#, empty, example.com, TODO…).",
    Status.PRIVATE: "Points at a loopback, private or link-local address readers cannot reach.",
    Status.BROKEN: "The cited page is gone (404/410, 5xx, unknown host, refused, soft 404…).",
    Status.MISMATCHED: "The page disagrees with the letter's cited title, date or anchor text.",
    Status.BLOCKED: "The server refuses automated checks (401, 403, 429, bot challenge).",
    Status.UNREACHABLE: "Timeout or transient network failure: could not decide.",
    Status.MOVED: "Works through a permanent redirect or another canonical address: update it.",
    Status.DRIFTED: "Works, but its title or main text changed since the letter's citation lock.",
}
RULES = [status for status in Status if status not in QUIET]


def rule_id(status: Status) -> str:
    """The SARIF rule id of a status, e.g. ``citecheck/broken``."""
    return f"citecheck/{status.value}"


def fingerprint(finding: Finding) -> str:
    """A stable identity for a problem: the hash of letter path, (masked) URL and status."""
    ref = finding.reference
    key = "\0".join((letter_path(ref.letter), mask_credentials(ref.url), finding.status.value))
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _rule(status: Status) -> dict[str, Any]:
    return {
        "id": rule_id(status),
        "name": status.value.capitalize(),
        "shortDescription": {"text": f"Reference {status.value}"},
        "fullDescription": {"text": DESCRIPTIONS[status]},
        "defaultConfiguration": {"level": level(status)},
    }


def _message(finding: Finding) -> str:
    ref = finding.reference
    lines = [
        f"{finding.status.value}: {mask_credentials(ref.text)} <{mask_credentials(ref.url)}>",
        *explanation(finding),
    ]
    if finding.suggestion:
        lines.append(f"suggestion: {mask_credentials(finding.suggestion)}")
    return "\n".join(lines)


def _result(finding: Finding, fail_on: frozenset[Status]) -> dict[str, Any]:
    ref = finding.reference
    return {
        "ruleId": rule_id(finding.status),
        "ruleIndex": RULES.index(finding.status),
        "level": level(finding.status, fail_on),
        "message": {"text": _message(finding)},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {
                        "uri": quote(letter_path(ref.letter), safe="/"),
                        "uriBaseId": "%SRCROOT%",
                    },
                    "region": {"startLine": ref.line, "startColumn": ref.column},
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT: fingerprint(finding)},
    }


def sarif_log(report: Report) -> dict[str, Any]:
    """The SARIF log as a JSON-ready dict: one run, its rules and its results."""
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if report.notices:
        invocation["toolExecutionNotifications"] = [
            {"level": "warning", "message": {"text": notice}} for notice in report.notices
        ]
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "citecheck",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule(status) for status in RULES],
                    }
                },
                "invocations": [invocation],
                "columnKind": "unicodeCodePoints",
                "results": [_result(finding, report.fail_on) for finding in problems(report)],
            }
        ],
    }


def render(report: Report) -> str:
    return json.dumps(sarif_log(report), ensure_ascii=False, indent=2) + "\n"
