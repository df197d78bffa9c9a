"""The editor's view: a progress bar while fetching, then a summary and the problems first.

Everything draws on a Rich Console it is given (tests pass one writing to ``io.StringIO``);
Rich itself honours NO_COLOR, TERM=dumb and the terminal's width.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from citecheck.models import Finding, Report, Status
from citecheck.urls import mask_credentials

STYLES = {
    Status.OK: "green",
    Status.MOVED: "cyan",
    Status.SKIPPED: "dim",
    Status.UNREACHABLE: "yellow",
    Status.BLOCKED: "yellow",
    Status.MISMATCHED: "magenta",
    Status.BROKEN: "bold red",
    Status.PRIVATE: "red",
    Status.PLACEHOLDER: "red",
    Status.INVALID: "red",
}
_QUIET_STATUSES = frozenset({Status.OK, Status.SKIPPED})


@contextmanager
def progress_bar(
    *, enabled: bool = True, console: Console | None = None
) -> Iterator[Callable[[int, int], None] | None]:
    """A progress callback drawing a bar on stderr, or None when stderr is not a terminal."""
    console = console or Console(stderr=True)
    if not enabled or not console.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("Checking links", total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update


def print_notices(report: Report, console: Console | None = None) -> None:
    """Loud run-level notices (such as "no network") on stderr."""
    console = console or Console(stderr=True)
    for notice in report.notices:
        console.print(Text(notice, style="bold yellow reverse"))


def _summary_line(report: Report) -> Text:
    summary = report.summary()
    letters = len(report.letters)
    text = Text(f"{summary['total']} references in {letters} letter{'s' * (letters != 1)}")
    for status in Status:
        count = summary.get(status.value)
        if count:
            text.append(" · ")
            text.append(f"{count} {status.value}", style=STYLES[status])
    return text


def _why(finding: Finding) -> Text:
    """The finding's message (claims.py already names cited against found) and the fix."""
    text = Text(finding.message)
    if finding.suggestion:
        text.append(f"\n→ {mask_credentials(finding.suggestion)}", style="cyan")
    return text


def _references_table(report: Report) -> Table:
    table = Table(title="References", title_justify="left", expand=False)
    for column in ("where", "kind", "footnote", "text", "url", "cited title", "cited date"):
        table.add_column(column, overflow="fold")
    for ref in report.references:
        table.add_row(
            f"{ref.letter}:{ref.line}:{ref.column}",
            ref.kind.value,
            ref.footnote or "",
            escape(mask_credentials(ref.text)),
            escape(mask_credentials(ref.url)),
            escape(ref.cited_title or ""),
            ref.cited_date or "",
        )
    return table


def _findings_table(findings: list[Finding]) -> Table:
    """One letter's findings; ``where`` is line:column in that letter."""
    table = Table(expand=False)
    table.add_column("where", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("text", overflow="fold", ratio=2)
    table.add_column("url", overflow="fold", ratio=2)
    table.add_column("why", overflow="fold", ratio=3)
    for finding in findings:
        ref = finding.reference
        table.add_row(
            f"{ref.line}:{ref.column}",
            Text(finding.status.value, style=STYLES[finding.status]),
            Text(mask_credentials(ref.text)),
            Text(mask_credentials(ref.url)),
            _why(finding),
        )
    return table


def _print_by_letter(console: Console, findings: list[Finding], what: str) -> None:
    """Findings grouped under their letter, in the order the letters were given."""
    letters: dict[str, list[Finding]] = {}
    for finding in findings:
        letters.setdefault(finding.reference.letter, []).append(finding)
    for letter, group in letters.items():
        console.print(Text(f"{what} in {letter}", style="bold"), soft_wrap=True)
        console.print(_findings_table(group))


def print_report(
    report: Report,
    console: Console | None = None,
    *,
    verbose: bool = False,
    quiet: bool = False,
    summary_only: bool = False,
) -> None:
    """The summary and, unless ``summary_only``, the problems (and ok ones with ``verbose``)."""
    console = console or Console()
    if report.findings is None:
        if not summary_only:
            console.print(_references_table(report))
        console.print(_summary_line(report))
        return
    if not summary_only:
        problems = [f for f in report.findings if f.status not in _QUIET_STATUSES]
        _print_by_letter(console, problems, "Problems")
        if verbose:
            rest = [f for f in report.findings if f.status in _QUIET_STATUSES]
            _print_by_letter(console, rest, "OK and skipped")
        elif not quiet and not problems:
            console.print(Text("No problems found.", style="green"))
    console.print(_summary_line(report))


def render_plain(report: Report, *, verbose: bool = False, quiet: bool = False) -> str:
    """The terminal report as plain text, for ``--format rich --output FILE``."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=120, no_color=True, force_terminal=False)
    print_report(report, console, verbose=verbose, quiet=quiet)
    return buffer.getvalue()
