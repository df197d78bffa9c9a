"""The editor's view: a progress line while fetching, then the problems and a summary.

Everything draws on a Rich Console it is given (tests pass one writing to ``io.StringIO``);
Rich itself honours NO_COLOR, TERM=dumb and the terminal's width.

A URL is never cut in two by a line break: a copied half is a dead link. Each one stays on one
line, moved to a line of its own when it does not fit where it stands, and shortened in the
middle with "…" only when it is wider than the whole column; it is then a terminal hyperlink
(OSC 8) to the whole address, so clicking or copying the link still gives all of it.
"""

from __future__ import annotations

import io
import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.style import Style
from rich.table import Table
from rich.text import Text

from citecheck.models import Finding, Progress, Reference, Report, Status
from citecheck.report.common import QUIET, problems, tally, where
from citecheck.urls import mask_credentials

STYLES = {
    Status.OK: "green",
    Status.MOVED: "cyan",
    Status.DRIFTED: "blue",
    Status.SKIPPED: "dim",
    Status.UNREACHABLE: "yellow",
    Status.BLOCKED: "yellow",
    Status.MISMATCHED: "magenta",
    Status.BROKEN: "bold red",
    Status.PRIVATE: "red",
    Status.PLACEHOLDER: "red",
    Status.INVALID: "red",
}
_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")
_MIN_URL_WIDTH = 24  # narrower than this, a shortened URL no longer says where it goes
_T = TypeVar("_T")
_CARD_INDENT = 32  # columns left of a card's text: where, status, the gaps, a lead-in ("→ ")
PROGRESS_DELAY = 1.0  # seconds: a run quicker than this draws no progress at all


def shorten(url: str, width: int) -> str:
    """``url`` in at most ``width`` characters, its middle replaced by "…" if need be.

    The start (scheme, host, first path segments) and the end (the document's own name) are
    what a reader recognises, so they are kept; two thirds of the room go to the start.
    """
    if len(url) <= width:
        return url
    room = max(width, 2) - 1
    tail = room // 3
    return url[: room - tail] + "…" + (url[-tail:] if tail else "")


class _Linked:
    """Text in which every URL stays whole on one line, as a hyperlink to the full address."""

    def __init__(self, text: str, style: str = "", highlights: Iterable[str] = ()) -> None:
        self.text = text
        self.style = style
        self.highlights = tuple(highlights)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        words = self.text.split()
        longest = max(
            (min(len(w), _MIN_URL_WIDTH) if _URL.search(w) else len(w) for w in words), default=0
        )
        widest = max((len(line) for line in self.text.splitlines()), default=0)
        return Measurement(longest, widest).clamp(max_width=options.max_width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.render(options.max_width)

    def render(self, width: int) -> Text:
        """The text for a column ``width`` wide: URLs shortened to fit it, and linked."""
        text = Text(style=self.style)
        position = 0
        for match in _URL.finditer(self.text):
            text.append(self.text[position : match.start()])
            url = match.group()
            # After a short lead-in ("→ ") a long URL is shortened to stay beside it.
            lead = len(self.text[: match.start()].rpartition("\n")[2])
            room = width - lead if lead < width // 4 else width
            text.append(shorten(url, room), style=Style(link=url))
            position = match.end()
        text.append(self.text[position:])
        if self.highlights:  # no words at all would match the empty string everywhere
            text.highlight_words(self.highlights, "yellow")
        return text


def print_notices(report: Report, console: Console | None = None) -> None:
    """Loud run-level notices (such as "no network") on stderr."""
    console = console or Console(stderr=True)
    for notice in report.notices:
        console.print(Text(notice, style="bold yellow reverse"))


def notes_count(report: Report) -> int:
    """The notes on all findings (remarks that did not decide a status) and on the letters."""
    return sum(len(finding.notes) for finding in report.findings or ()) + len(report.notes)


def _print_letter_notes(console: Console, report: Report) -> None:
    """The notes on the letters as a whole (consistency), under their letter."""
    for letter, group in _by_letter(report.notes, lambda note: note.letter).items():
        console.print(Text(f"Notes on {letter}", style="bold"), soft_wrap=True)
        for note in group:
            line = Text(f"{note.line}:{note.column} ")
            line.append("note", style="yellow")
            line.append(f" {mask_credentials(note.message)}")
            console.print(line, soft_wrap=True)
        console.print()


class _Summary:
    """The summary line: "12 references in 1 letter · 2 broken · … · 3 notes", wrapped between
    its items, never inside one ("1" at the end of a line and "mismatched" on the next)."""

    def __init__(self, items: list[Text]) -> None:
        self.items = items

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        line = Text()
        for item in self.items:
            if line and len(line) + 3 + len(item) > options.max_width:
                yield line
                line = Text()
            if line:
                line.append(" · ")
            line.append_text(item)
        yield line


def _summary_line(report: Report, *, verbose: bool = False) -> _Summary:
    parts = tally(report)
    items = [Text(f"{parts.references} in {parts.letters}")]
    items += [Text(count, style=STYLES[status]) for status, count in parts.counts]
    notes = notes_count(report)
    if notes:
        item = Text(f"{notes} note{'s' * (notes != 1)}", style="yellow")
        if not verbose:
            item.append(" (-v shows them)", style="dim")
        items.append(item)
    return _Summary(items)


def _shown_message(finding: Finding) -> str:
    """The message, without the new address a moved finding shows on its own line."""
    message = mask_credentials(finding.message)
    if finding.status is Status.MOVED and finding.suggestion:
        message = message.replace(mask_credentials(finding.suggestion), "the new address")
    return message


def _card(finding: Finding) -> Group:
    """What an editor needs about one reference: its words, its address, why, and the fix."""
    ref = finding.reference
    lines = _words_and_address(ref)
    lines.append(_Linked(_shown_message(finding), highlights=finding.notes))
    if finding.suggestion:
        lines.append(_Linked(f"→ {mask_credentials(finding.suggestion)}", style="cyan"))
    return Group(*lines)


def _findings_table(findings: Iterable[Finding]) -> Table:
    """One letter's findings as cards; ``where`` is line:column in that letter."""
    # A box only for the blank line between cards (``leading``): its lines are all spaces.
    table = Table(box=box.SIMPLE, show_header=False, show_edge=False, padding=(0, 1), leading=1)
    table.add_column("where", no_wrap=True, justify="right")
    table.add_column("status", no_wrap=True)
    table.add_column("details")
    for finding in findings:
        ref = finding.reference
        table.add_row(
            f"{ref.line}:{ref.column}",
            Text(finding.status.value, style=STYLES[finding.status]),
            _card(finding),
        )
    return table


def _by_letter(items: Iterable[_T], letter: Callable[[_T], str]) -> dict[str, list[_T]]:
    """``items`` grouped under their letter, in the order the letters were given."""
    letters: dict[str, list[_T]] = {}
    for item in items:
        letters.setdefault(letter(item), []).append(item)
    return letters


def _print_by_letter(console: Console, findings: list[Finding], what: str) -> None:
    """Findings grouped under their letter, in the order the letters were given."""
    for letter, group in _by_letter(findings, lambda finding: finding.reference.letter).items():
        console.print(Text(f"{what} in {letter}", style="bold"), soft_wrap=True)
        console.print(_findings_table(group))
        console.print()


def _print_quiet(console: Console, found: list[Finding]) -> None:
    """One line per problem: where, status, address and why, for a glance or a grep."""
    for finding in found:
        ref = finding.reference
        line = Text(f"{where(ref)} ")
        line.append(finding.status.value, style=STYLES[finding.status])
        line.append(" ")
        url = mask_credentials(ref.url)
        line.append(url, style=Style(link=url))
        line.append(f" — {_shown_message(finding)}")
        if finding.suggestion:
            line.append(f" → {mask_credentials(finding.suggestion)}", style="cyan")
        # soft_wrap: the terminal folds a long line itself, and a copied line stays whole.
        console.print(line, soft_wrap=True)


def _words_and_address(ref: Reference) -> list[RenderableType]:
    """A card's first lines: the link's words (unless they are the address) and its address."""
    url = mask_credentials(ref.url)
    text = mask_credentials(ref.text)
    lines: list[RenderableType] = []
    if text and text != url:
        lines.append(_Linked(text, style="bold"))
    lines.append(_Linked(url))
    return lines


def _reference_card(ref: Reference) -> Group:
    """A reference as ``refs`` lists it: its words, its address, and what the letter cites."""
    lines = _words_and_address(ref)
    cited = [part for part in (ref.cited_title, ref.cited_date_text or ref.cited_date) if part]
    if cited:
        lines.append(_Linked(f"cited: {', '.join(cited)}", style="dim"))
    return Group(*lines)


def _references_table(references: list[Reference]) -> Table:
    """One letter's references; ``where`` is line:column in that letter, then the footnote."""
    table = Table(box=box.SIMPLE, show_header=False, show_edge=False, padding=(0, 1), leading=1)
    table.add_column("where", no_wrap=True, justify="right")
    table.add_column("footnote", no_wrap=True)
    table.add_column("reference")
    for ref in references:
        footnote = f"note {ref.footnote}" if ref.footnote else ""
        table.add_row(f"{ref.line}:{ref.column}", footnote, _reference_card(ref))
    return table


def print_report(
    report: Report,
    console: Console | None = None,
    *,
    verbose: bool = False,
    quiet: bool = False,
    summary_only: bool = False,
) -> None:
    """The problems (and ok ones with ``verbose``, one line each with ``quiet``), then the summary.

    ``summary_only`` prints the summary line alone.
    """
    console = console or Console()
    if report.findings is None:
        if not summary_only:
            for letter, references in _by_letter(report.references, lambda ref: ref.letter).items():
                console.print(Text(f"References in {letter}", style="bold"), soft_wrap=True)
                console.print(_references_table(references))
                console.print()
            _print_letter_notes(console, report)  # a listing shows everything: no -v needed
        console.print(_summary_line(report, verbose=True))
        return
    if not summary_only:
        found = problems(report)
        if quiet:
            _print_quiet(console, found)
        else:
            _print_by_letter(console, found, "Problems")
            if verbose:
                rest = [f for f in report.findings if f.status in QUIET]
                _print_by_letter(console, rest, "OK and skipped")
                _print_letter_notes(console, report)
            elif not found:
                console.print(Text("No problems found.", style="green"))
    console.print(_summary_line(report, verbose=verbose or summary_only))


def render_plain(report: Report, *, verbose: bool = False, quiet: bool = False) -> str:
    """The terminal report as plain text, for ``--format rich --output FILE``.

    A file has no hyperlinks to carry a shortened URL's full address, so it is rendered wide
    enough for the longest URL to stand whole.
    """
    texts = [text for ref in report.references for text in (ref.url, ref.text)]
    for finding in report.findings or ():
        texts += [finding.message, finding.suggestion or ""]
    longest = max((len(m.group()) for t in texts for m in _URL.finditer(t)), default=0)
    buffer = io.StringIO()
    width = max(120, longest + _CARD_INDENT)
    console = Console(file=buffer, width=width, no_color=True, force_terminal=False)
    print_report(report, console, verbose=verbose, quiet=quiet)
    return buffer.getvalue()


# Progress


def progress_wanted(console: Console) -> bool:
    """Whether to draw progress: only for a person at a terminal, never into a CI log.

    CI services set ``CI=true``; some also give the job a pseudo-terminal, or FORCE_COLOR makes
    Rich treat the log as one, where the redrawn line would fill the log with frames.
    """
    if os.environ.get("CI", "").lower() not in ("", "0", "false"):
        return False
    isatty = getattr(console.file, "isatty", None)
    return bool(isatty and isatty()) and console.is_terminal and not console.is_dumb_terminal


def progress_text(progress: Progress, hosts: int = 3) -> str:
    """ "412/3000 · waiting on 3 hosts: hrw.org (38), un.org (12), eeas.europa.eu (2)"."""
    text = f"{progress.done}/{progress.total}"
    if progress.waiting:
        count = len(progress.waiting)
        shown = ", ".join(f"{host} ({n})" for host, n in progress.waiting[:hosts])
        more = "…" if count > hosts else ""
        text += f" · waiting on {count} host{'s' * (count != 1)}: {shown}{more}"
    return text


@contextmanager
def progress_bar(
    *, enabled: bool = True, console: Console | None = None, delay: float = PROGRESS_DELAY
) -> Iterator[Callable[[Progress], None] | None]:
    """A progress callback drawing one line on stderr once a run has taken ``delay`` seconds;
    None when progress is not wanted (see ``progress_wanted``)."""
    console = console or Console(stderr=True)
    if not enabled or not progress_wanted(console):
        yield None
        return
    from rich.progress import BarColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as Bar

    bar = Bar(
        TextColumn("Checking links"),
        BarColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    task = bar.add_task("", total=None)
    # Started from a timer, not from the callback: a run stuck on slow hosts sends no callback.
    timer = threading.Timer(delay, bar.start)
    timer.daemon = True
    timer.start()

    def update(progress: Progress) -> None:
        bar.update(
            task, completed=progress.done, total=progress.total, description=progress_text(progress)
        )

    try:
        yield update
    finally:
        timer.cancel()
        timer.join()
        bar.stop()
