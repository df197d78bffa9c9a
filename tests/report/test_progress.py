"""Progress while fetching: done/total and the hosts still owed answers, on a terminal only.

The terminal tests run the real CLI on a pseudo-terminal (``pty``) against a loopback server that
holds its answers until the test has seen what it waits for, so nothing depends on timing.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from citecheck.config import Options
from citecheck.letters import collect
from citecheck.pipeline import Progress, run_check
from citecheck.report.terminal import PROGRESS_DELAY, progress_text

from servers import Reply, Request

HTML = [("Content-Type", "text/html; charset=utf-8")]


def test_progress_text_names_the_busiest_hosts_first() -> None:
    waiting = (("hrw.org", 38), ("un.org", 12), ("eeas.europa.eu", 2), ("ohchr.org", 1))
    assert progress_text(Progress(412, 3000, waiting)) == (
        "412/3000 · waiting on 4 hosts: hrw.org (38), un.org (12), eeas.europa.eu (2)…"
    )
    assert progress_text(Progress(3, 3, ())) == "3/3"


def test_the_pipeline_reports_per_host_waits(tmp_path: Path, loopback) -> None:  # type: ignore[no-untyped-def]
    busy, quiet = loopback(), loopback()
    for path in ("/a", "/b"):
        busy.route(path, Reply(200, b"<title>A page</title>", HTML))
    quiet.route("/c", Reply(200, b"<title>Another</title>", HTML))
    letter = tmp_path / "letter.md"
    letter.write_text(
        f"[a]({busy.url('/a')}) [b]({busy.url('/b')}) [c]({quiet.url('/c')})\n", encoding="utf-8"
    )
    seen: list[Progress] = []
    options = replace(Options(), allow_private=True, cache=False, retries=0)

    run_check(collect([str(letter)]), options, on_progress=seen.append)

    assert seen[0] == Progress(0, 3, ((busy.host, 2), (quiet.host, 1)))
    assert [p.done for p in seen] == [0, 1, 2, 3]
    assert seen[-1] == Progress(3, 3, ())
    # Each answer takes one URL off its host's count.
    assert all(sum(n for _, n in p.waiting) == p.total - p.done for p in seen)


def _held(release: threading.Event):  # type: ignore[no-untyped-def]
    def answer(_request: Request) -> Reply:
        release.wait(30)
        return Reply(200, b"<title>A page</title>", HTML)

    return answer


def _run_on_a_terminal(
    letter: Path, env: dict[str, str], release: threading.Event, until: Callable[[bytes], bool]
) -> bytes:
    """The CLI's output on a pseudo-terminal; the server is released once ``until(output)``."""
    master, slave = pty.openpty()
    command = [sys.executable, "-m", "citecheck", "check", str(letter), "--allow-private"]
    command += ["--no-cache", "--retries", "0", "--timeout", "60"]
    process = subprocess.Popen(command, stdin=slave, stdout=slave, stderr=slave, env=env)
    os.close(slave)
    output = b""
    started = time.monotonic()
    try:
        while True:
            if not release.is_set() and until(output):
                release.set()
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the other side closed: the run is over
                    break
                if not chunk:
                    break
                output += chunk
            elif process.poll() is not None:
                break
            assert time.monotonic() - started < 60, output  # a bound, not a measurement
    finally:
        release.set()
        process.wait(timeout=60)
        os.close(master)
    return output


def _environment(**changes: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "NO_COLOR", "FORCE_COLOR")}
    env.update(TERM="xterm-256color", COLUMNS="120", LINES="40", **changes)
    return env


@pytest.fixture
def slow_letter(tmp_path: Path, loopback):  # type: ignore[no-untyped-def]
    release = threading.Event()
    site = loopback()
    site.route("/a", _held(release))
    site.route("/b", _held(release))
    letter = tmp_path / "letter.md"
    letter.write_text(f"[a]({site.url('/a')}) and [b]({site.url('/b')}).\n", encoding="utf-8")
    yield letter, site, release
    release.set()


def test_progress_shows_on_a_terminal_with_the_hosts_waited_on(slow_letter) -> None:  # type: ignore[no-untyped-def]
    letter, site, release = slow_letter
    wanted = f"0/2 · waiting on 1 host: {site.host} (2)".encode()

    output = _run_on_a_terminal(letter, _environment(), release, lambda out: wanted in out)

    assert wanted in output
    assert b"2 references in 1 letter" in output  # and the run then finished normally
    assert site.hits("/a") == 1 and site.hits("/b") == 1


@pytest.mark.parametrize("ci", ["true"])
def test_no_progress_in_ci_even_on_a_terminal(slow_letter, ci: str) -> None:  # type: ignore[no-untyped-def]
    letter, site, release = slow_letter
    fetching_since: list[float] = []

    def long_enough(_output: bytes) -> bool:
        # Both requests are being held: the run is fetching; a progress line would show by now.
        if not fetching_since and site.hits("/a") + site.hits("/b") == 2:
            fetching_since.append(time.monotonic())
        return bool(fetching_since) and time.monotonic() - fetching_since[0] > PROGRESS_DELAY + 1

    output = _run_on_a_terminal(letter, _environment(CI=ci), release, long_enough)

    assert b"2 references in 1 letter" in output
    assert b"waiting on" not in output and b"Checking links" not in output
