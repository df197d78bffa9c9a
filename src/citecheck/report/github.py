"""``--format github``: GitHub Actions workflow commands, one per problem, shown as annotations.

``::error`` for the statuses of the default ``--fail-on``, ``::warning`` for the other problems
(moved, blocked, unreachable), nothing for ok and skipped; run-level notices (such as "no network")
become a ``::warning`` without a file. Values are escaped as GitHub's toolkit does. When there are
more than GitHub shows per step, one ``::notice`` says how many were cut and where the rest are.
"""

from __future__ import annotations

from citecheck.models import DEFAULT_FAIL_ON, Finding, Report, Status
from citecheck.report.common import cut_sentence, explanation, letter_path, level, problems
from citecheck.urls import mask_credentials

_DATA_ESCAPES = {"%": "%25", "\r": "%0D", "\n": "%0A"}
_PROPERTY_ESCAPES = {**_DATA_ESCAPES, ":": "%3A", ",": "%2C"}


def escape_data(text: str) -> str:
    """A command's message: ``%``, CR and LF percent-encoded."""
    return "".join(_DATA_ESCAPES.get(char, char) for char in text)


def escape_property(text: str) -> str:
    """A command's property value: as ``escape_data``, plus ``:`` and ``,``."""
    return "".join(_PROPERTY_ESCAPES.get(char, char) for char in text)


def _message(finding: Finding) -> str:
    ref = finding.reference
    lines = [*explanation(finding), f"{mask_credentials(ref.text)} <{mask_credentials(ref.url)}>"]
    if finding.suggestion:
        lines.append(f"suggestion: {mask_credentials(finding.suggestion)}")
    return "\n".join(lines)


def command(finding: Finding, fail_on: frozenset[Status] = DEFAULT_FAIL_ON) -> str:
    """The workflow command annotating ``finding`` at its place in the letter."""
    ref = finding.reference
    properties = {
        "file": letter_path(ref.letter),
        "line": str(ref.line),
        "col": str(ref.column),
        "title": f"citecheck: {finding.status.value}",
    }
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{level(finding.status, fail_on)} {props}::{escape_data(_message(finding))}"


def render(report: Report) -> str:
    lines = [f"::warning title=citecheck::{escape_data(notice)}" for notice in report.notices]
    lines += [command(finding, report.fail_on) for finding in problems(report)]
    cut = cut_sentence(report)
    if cut:
        where = f"{cut}; the job summary (--format markdown) lists every problem"
        lines.append(f"::notice title=citecheck::{escape_data(where)}")
    return "".join(f"{line}\n" for line in lines)
