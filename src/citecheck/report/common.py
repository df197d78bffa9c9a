"""What every format says alike about a report, decided once so that no two formats disagree.

Which findings are problems (``problems``, ``QUIET``), why a finding has its status
(``explanation``), where a reference stands (``where``, ``letter_path``), what a summary line counts
(``tally``), the level of a problem (``level``) and how many of the ``github`` format's annotations
GitHub leaves out (``annotations_cut``, ``cut_sentence``: the ``markdown`` format says so too).
Formats import this module and ``records``, never each other.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path, PurePath

from citecheck.models import DEFAULT_FAIL_ON, Finding, Reference, Report, Status

QUIET = frozenset({Status.OK, Status.SKIPPED})

# GitHub drops a step's annotations beyond the first 10 errors and the first 10 warnings (its
# documented limit per step), without a word in the log.
ANNOTATION_LIMIT = 10


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


def where(reference: Reference) -> str:
    """``letter:line:column``, the place a reader (or an editor's go-to) finds the reference."""
    return f"{reference.letter}:{reference.line}:{reference.column}"


def letter_path(letter: str) -> str:
    """The letter's path as CI tools want it: relative to the working directory when it lies
    inside it (annotations attach to repository paths), with forward slashes."""
    path = PurePath(letter)
    if path.is_absolute():
        try:
            path = path.relative_to(Path.cwd())
        except ValueError:
            return path.as_posix()
    return path.as_posix()


def level(status: Status, fail_on: frozenset[Status] = DEFAULT_FAIL_ON) -> str:
    """The level of a problem status: an error when it fails the run, else a warning."""
    return "error" if status in fail_on else "warning"


@dataclass(frozen=True, slots=True)
class Tally:
    """What a summary line says, in words each format dresses its own way."""

    references: str  # "12 references"
    letters: str  # "1 letter", "3 letters"
    counts: tuple[tuple[Status, str], ...]  # (status, "2 broken") for the statuses present


def tally(report: Report) -> Tally:
    """The summary line's parts: references, letters, then each status present, worst first."""
    summary = report.summary()
    letters = len(report.letters)
    counts = tuple(
        (status, f"{summary[status.value]} {status.value}")
        for status in Status
        if summary.get(status.value)
    )
    return Tally(
        f"{summary['total']} references", f"{letters} letter{'s' * (letters != 1)}", counts
    )


def annotations_cut(report: Report) -> dict[str, int]:
    """How many of ``--format github``'s errors and warnings GitHub will not show, by kind.

    Counted as that format annotates: at ``level`` for each problem, a warning for each run-level
    notice.
    """
    levels = Counter(level(finding.status, report.fail_on) for finding in problems(report))
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
