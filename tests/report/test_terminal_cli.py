"""``check`` at a terminal through the real CLI: -q shows less than the default, -v the notes."""

from __future__ import annotations

from pathlib import Path

import pytest

from servers import Reply, redirect

HTML = [("Content-Type", "text/html; charset=utf-8")]
FLAGS = ("--allow-private", "--no-cache", "--timeout", "5", "--retries", "0")


@pytest.fixture
def letter(tmp_path: Path, loopback) -> Path:  # type: ignore[no-untyped-def]
    site = loopback()
    site.route("/page", Reply(200, b"<title>Report</title><h1 id='intro'>Report</h1>", HTML))
    site.route("/old", redirect("/page", 301))
    path = tmp_path / "letter.md"
    path.write_text(
        f"See [the report]({site.url('/page#conclusions')}), [an old link]({site.url('/old')}),\n"
        f"[a gone page]({site.url('/gone')}) and [the minutes](TODO).\n",
        encoding="utf-8",
    )
    return path


def test_quiet_prints_fewer_lines_than_the_default_and_verbose_more(cli, letter: Path) -> None:
    default = cli("check", letter, *FLAGS)
    quiet = cli("check", letter, "-q", *FLAGS)
    verbose = cli("check", letter, "-v", *FLAGS)

    assert default.code == quiet.code == verbose.code == 1
    lines = [len(run.out.splitlines()) for run in (quiet, default, verbose)]
    assert lines[0] < lines[1] < lines[2], lines
    for run in (quiet, default, verbose):
        assert "placeholder" in run.out and "broken" in run.out and "moved" in run.out
    assert "2:1 broken" in quiet.out  # letter:line:column status, one line per problem


def test_notes_are_counted_by_default_and_shown_with_verbose(cli, letter: Path) -> None:
    default = cli("check", letter, *FLAGS)
    verbose = cli("check", letter, "-v", *FLAGS)

    summary = default.out.strip().splitlines()[-1]
    assert "1 note" in summary and "-v" in summary
    assert "#conclusions not found on the page" not in default.out
    assert "#conclusions not found on the page" in verbose.out
    assert "1 note" in verbose.out.strip().splitlines()[-1]
