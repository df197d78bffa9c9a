"""``--format markdown``: a summary and a table of problems, for a pull-request comment or
``$GITHUB_STEP_SUMMARY``.

ok and skipped references are folded into a ``<details>`` block. Every table cell goes through
``cell`` so that text from a letter (anchor text, titles) cannot break the table or inject markup.
``problems`` and ``explanation`` are shared with the ``github`` and ``sarif`` formats, so the three
say the same thing about a reference. GitHub shows only the first ``ANNOTATION_LIMIT`` annotations
of each kind per step; when the ``github`` format's annotations go beyond that, the summary says
how many were cut, and its table (which lists every problem) is where the rest can be read.
"""

from __future__ import annotations

import re
from collections import Counter

from citecheck.models import Finding, Report, Status
from citecheck.report.records import reference_record
from citecheck.urls import mask_credentials

QUIET = frozenset({Status.OK, Status.SKIPPED})

# GitHub drops a step's annotations beyond the first 10 errors and the first 10 warnings (its
# documented limit per step), without a word in the log.
ANNOTATION_LIMIT = 10

# Backslash-escaping is defined for every ASCII punctuation character in CommonMark; these are
# the ones that can start markup inside a table cell (links, code, emphasis, HTML, entities, pipes).
_MARKUP = re.compile(r"([\\`*_\[\]<>|#!~&])")
_NEWLINES = re.compile(r"\r\n|\r|\n")


def problems(report: Report) -> list[Finding]:
    """The findings worth a reader's attention (neither ok nor skipped), in the letters' order."""
    return [finding for finding in report.findings or () if finding.status not in QUIET]


def explanation(finding: Finding) -> list[str]:
    """Why a finding has its status: the message, then cited-versus-found details if any."""
    lines = [finding.message]
    ref, meta = finding.reference, finding.meta
    if finding.status is Status.MISMATCHED and meta is not None:
        if ref.cited_title:
            lines.append(f"cited title: {ref.cited_title}")
            lines.append(f"found title: {meta.title or '(none)'}")
        if ref.cited_date:
            lines.append(f"cited date: {ref.cited_date_text or ref.cited_date}")
            lines.append(f"found date: {meta.published or '(none)'}")
    return lines


def annotations_cut(report: Report) -> dict[str, int]:
    """How many of ``--format github``'s errors and warnings GitHub will not show, by kind.

    Counted as that format annotates: an error for a status in ``fail_on``, a warning for the other
    problems and for each run-level notice.
    """
    levels = Counter(
        "error" if finding.status in report.fail_on else "warning" for finding in problems(report)
    )
    levels["warning"] += len(report.notices)
    return {
        kind: levels[kind] - ANNOTATION_LIMIT
        for kind in ("error", "warning")
        if levels[kind] > ANNOTATION_LIMIT
    }


def cut_sentence(report: Report) -> str | None:
    """The sentence saying which annotations GitHub leaves out, or None when it shows them all."""
    cut = annotations_cut(report)
    if not cut:
        return None
    counts = " and ".join(f"{count} {kind}{'s' * (count != 1)}" for kind, count in cut.items())
    return (
        f"GitHub shows only the first {ANNOTATION_LIMIT} annotations of each kind per step: "
        f"{counts} {'is' if sum(cut.values()) == 1 else 'are'} not annotated"
    )


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
    ref = finding.reference
    return cell(f"{ref.letter}:{ref.line}:{ref.column}")


def _summary(report: Report) -> str:
    summary = report.summary()
    letters = len(report.letters)
    line = f"**{summary['total']} references** in {letters} letter{'s' * (letters != 1)}"
    counts = [f"{summary[status.value]} {status.value}" for status in Status if status in summary]
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
                cell(f"{reference.letter}:{reference.line}:{reference.column}"),
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
    lines += [
        f"> **Note:** {cell(f'{n.letter}:{n.line}:{n.column}')}: {cell(n.message)}"
        for n in report.notes
    ]
    if report.notes:
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
