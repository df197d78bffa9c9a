"""The terminal report as an editor reads it, at 80, 120 and 200 columns.

Snapshots: ``snapshots/terminal-<width>.txt`` hold the plain text of ``print_report`` (with
``--verbose``, so every status shows) for the letter of ``letter_of_every_status``, rendered to a
Console of that width writing to ``io.StringIO``. Trailing spaces (Rich pads table cells) are
ignored. After an intended change of the layout, regenerate them and review the diff::

    CITECHECK_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/report/test_terminal.py -n 0
    git diff tests/report/snapshots/
"""

from __future__ import annotations

import io
import os
import re
from dataclasses import replace
from pathlib import Path

import pytest
from rich.console import Console

from citecheck.models import Report, Status
from citecheck.report.terminal import print_report, render_plain

from letter_of_every_status import LONG_URL, NEW_URL, findings, report

SNAPSHOTS = Path(__file__).parent / "snapshots"
WIDTHS = (80, 120, 200)


def plain(report: Report, width: int, **flags: bool) -> str:
    """What a terminal ``width`` columns wide shows, without colours or links."""
    console = Console(file=io.StringIO(), width=width, color_system=None, force_terminal=False)
    print_report(report, console, **flags)
    text = console.file.getvalue()  # type: ignore[attr-defined]
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


@pytest.mark.parametrize("width", WIDTHS)
def test_terminal_report_matches_its_snapshot(width: int) -> None:
    shown = plain(report(), width, verbose=True)
    snapshot = SNAPSHOTS / f"terminal-{width}.txt"
    if os.environ.get("CITECHECK_UPDATE_SNAPSHOTS"):
        snapshot.parent.mkdir(exist_ok=True)
        snapshot.write_text(shown, encoding="utf-8")
    assert shown == snapshot.read_text(encoding="utf-8")
    assert all(len(line) <= width for line in shown.splitlines())
    statuses = {status.value for status in Status} - {"drifted"}
    assert {f.status.value for f in findings()} == statuses  # the letter has every status
    assert all(re.search(rf"\b{status}\b", shown) for status in statuses)


def _urls(report: Report) -> set[str]:
    urls = set()
    for finding in report.findings or ():
        if "://" in finding.reference.url:
            urls.add(finding.reference.url)
        if finding.suggestion and "://" in finding.suggestion:
            urls.add(finding.suggestion)
    return urls


def _on_one_line(shown: str, url: str) -> bool:
    """Whether ``url`` is shown whole, or shortened to start…end, within one line."""
    for line in shown.splitlines():
        if url in line:
            return True
        for head, tail in re.findall(r"(\S+)…(\S+)", line):
            if url.startswith(head) and url.endswith(tail):
                return True
    return False


@pytest.mark.parametrize("width", WIDTHS)
def test_refs_never_breaks_a_url(width: int) -> None:
    checked = report()
    listed = replace(checked, findings=None)
    shown = plain(listed, width)
    for url in _urls(checked):
        if url in {ref.url for ref in listed.references}:
            assert _on_one_line(shown, url), f"{url} at {width} columns:\n{shown}"


@pytest.mark.parametrize("width", WIDTHS)
def test_no_url_is_broken_across_lines(width: int) -> None:
    shown = plain(report(), width, verbose=True)
    for url in _urls(report()):
        whole = [line for line in shown.splitlines() if url in line]
        shortened = [
            line
            for line in shown.splitlines()
            if (m := re.search(r"(\S+)…(\S+)", line))
            and url.startswith(m[1])
            and url.endswith(m[2])
        ]
        assert whole or shortened, f"{url} is not on one line at {width} columns:\n{shown}"
    # A long address is shortened only where it cannot fit; at 200 columns it is whole.
    assert LONG_URL in plain(report(), 200, verbose=True)
    assert LONG_URL not in plain(report(), 80, verbose=True)


def test_a_report_written_to_a_file_keeps_every_url_whole() -> None:
    written = render_plain(report(), verbose=True)  # --format rich --output FILE
    for url in _urls(report()):
        assert any(url in line for line in written.splitlines()), url
    assert "…" not in written


def test_a_shortened_url_still_links_to_the_whole_address() -> None:
    console = Console(file=io.StringIO(), width=80, color_system="standard", force_terminal=True)
    print_report(report(), console, verbose=True)
    shown = console.file.getvalue()  # type: ignore[attr-defined]
    links = re.findall(r"\x1b\]8;id=[^;]*;([^\x1b]*)\x1b\\([^\x1b]*)", shown)
    targets = {target: text for target, text in links if target}
    head, tail = targets[LONG_URL].split("…")  # shown shortened, linked whole
    assert LONG_URL.startswith(head) and LONG_URL.endswith(tail)
    assert len(head) > 30 and len(tail) > 10


def test_shorten_keeps_start_and_end_within_the_width() -> None:
    from citecheck.report.terminal import shorten

    url = "https://www.example.org/" + "a" * 50 + "/report.pdf"
    short = shorten(url, 40)
    assert len(short) == 40
    head, tail = short.split("…")
    assert url.startswith(head) and url.endswith(tail) and tail.endswith("report.pdf")
    assert shorten("https://a.org/", 40) == "https://a.org/"


@pytest.mark.parametrize("width", WIDTHS)
def test_a_moved_link_shows_its_new_address_once(width: int) -> None:
    shown = plain(report(), width)
    head = NEW_URL[:20]
    assert shown.count(head) == 1, shown
    assert "301 permanent redirect to the new address" in shown


def test_notes_are_counted_in_the_summary_and_shown_with_verbose() -> None:
    default = plain(report(), 120)
    verbose = plain(report(), 120, verbose=True)
    summary = default.strip().splitlines()[-1]
    assert "2 notes" in summary  # a missing #fragment and a date that cannot be verified
    assert "#paragraph-12 not found on the page" not in default
    assert "#paragraph-12 not found on the page" in verbose
    assert "date not verifiable" in verbose


def test_quiet_prints_less_than_the_default_and_still_every_problem() -> None:
    default = plain(report(), 120)
    quiet = plain(report(), 120, quiet=True)
    problems = [f for f in findings() if f.status not in (Status.OK, Status.SKIPPED)]
    assert len(quiet.splitlines()) < len(default.splitlines())
    for finding in problems:
        ref = finding.reference
        assert f"{ref.letter}:{ref.line}:{ref.column} {finding.status.value}" in quiet
    assert "EU-China dialogue: press release, 16 June 2023" in quiet  # what to cite instead
