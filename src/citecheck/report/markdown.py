"""``--format markdown``: a summary and a table of problems, for a pull-request comment or
``$GITHUB_STEP_SUMMARY``.

ok and skipped references are folded into a ``<details>`` block. Every table cell goes through
``cell`` so that text from a letter (anchor text, titles) cannot break the table or inject markup.
GitHub shows only the first ``common.ANNOTATION_LIMIT`` annotations of each kind per step; when the
``github`` format's annotations go beyond that, the summary says how many were cut, and its table
(which lists every problem) is where the rest can be read.
"""

from __future__ import annotations

import re

from citecheck.models import Finding, Report
from citecheck.report.common import QUIET, cut_sentence, explanation, problems, tally, where
from citecheck.report.records import reference_record
from citecheck.urls import mask_credentials

# Backslash-escaping is defined for every ASCII punctuation character in CommonMark; these are
# the ones that can start markup inside a table cell (links, code, emphasis, HTML, entities, pipes).
_MARKUP = re.compile(r"([\\`*_\[\]<>|#!~&])")
_NEWLINES = re.compile(r"\r\n|\r|\n")


def cell(text: str | None) -> str:
    """``text`` as inert content of one GFM table cell: markup escaped, newlines as ``<br>``."""
    if not text:
        return ""
    return "<br>".join(_MARKUP.sub(r"\\\1", line) for line in _NEWLINES.split(text))


def _row(values: list[str]) -> str:
    return "| " + " | ".join(values) + " |"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return [_row(header), _row(["---"] * len(header)), *(_row(row) for row in rows)]


def _where(finding: Finding) -> str:
    return cell(where(finding.reference))


def _summary(report: Report) -> str:
    parts = tally(report)
    line = f"**{parts.references}** in {parts.letters}"
    counts = [count for _, count in parts.counts]
    return f"{line}: {' · '.join(counts)}" if counts else line


def _problem_table(found: list[Finding]) -> list[str]:
    rows = [
        [
            _where(finding),
            f"**{finding.status.value}**",
            cell(mask_credentials(finding.reference.text)),
            cell(mask_credentials(finding.reference.url)),
            cell("\n".join(explanation(finding))),
            cell(mask_credentials(finding.suggestion) if finding.suggestion else None),
        ]
        for finding in sorted(found, key=lambda f: -f.status.severity)
    ]
    return _table(["where", "status", "text", "url", "why", "suggestion"], rows)


def _quiet_block(findings: list[Finding]) -> list[str]:
    rows = [
        [
            _where(f),
            f.status.value,
            cell(mask_credentials(f.reference.text)),
            cell(mask_credentials(f.reference.url)),
        ]
        for f in findings
    ]
    noun = "reference" if len(findings) == 1 else "references"
    return [
        f"<details><summary>{len(findings)} ok or skipped {noun}</summary>",
        "",
        *_table(["where", "status", "text", "url"], rows),
        "",
        "</details>",
    ]


def _references_table(report: Report) -> list[str]:
    rows = []
    for reference in report.references:
        record = reference_record(reference)
        rows.append(
            [
                cell(where(reference)),
                record["kind"],
                cell(record["footnote"]),
                cell(record["text"]),
                cell(record["url"]),
                cell(record["cited_title"]),
                cell(record["cited_date"]),
            ]
        )
    header = ["where", "kind", "footnote", "text", "url", "cited title", "cited date"]
    return _table(header, rows)


def render(report: Report) -> str:
    lines = ["## citecheck", "", _summary(report), ""]
    lines += [f"> **Warning:** {cell(notice)}" for notice in report.notices]
    if report.notices:
        lines.append("")
    if report.findings is None:
        if report.references:
            lines += [*_references_table(report), ""]
        return "\n".join(lines)
    found = problems(report)
    cut = cut_sentence(report)
    if cut:
        lines += [f"> **Note:** {cut}; every problem is in the table below.", ""]
    lines += [*_problem_table(found), ""] if found else ["No problems found.", ""]
    quiet = [finding for finding in report.findings if finding.status in QUIET]
    if quiet:
        lines += [*_quiet_block(quiet), ""]
    return "\n".join(lines)
