"""Nothing leaked: credentials in URLs never reach any output or export, nor another host.

The letter cites URLs with ``user:password@`` (inline, bare and autolink) that answer 200, move
and redirect to a second host; every command, format and export is run through the real CLI and
the passwords are searched for in everything it printed or wrote. What each server received is
read from its request log.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest

from servers import LoopbackServer, Reply, redirect

HTML = [("Content-Type", "text/html; charset=utf-8")]
PAGE = b"<!doctype html><title>Detention report</title><h1>Detention report</h1>"
SECRET = "SECRET"  # part of every password below, so one search finds them all
PASSWORDS = ("pa55-SECRET-inline", "pa55-SECRET-bare", "pa55-SECRET-auto", "pa55-SECRET-moved")
FLAGS = ("--allow-private", "--no-cache", "--timeout", "2", "--retries", "0")


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.fixture
def sites(loopback) -> tuple[LoopbackServer, LoopbackServer]:  # type: ignore[no-untyped-def]
    home, elsewhere = loopback(), loopback()
    home.route("/page", Reply(200, PAGE, HTML))
    home.route("/moved", redirect("/page", 301))
    home.route("/away", redirect(elsewhere.url("/landing"), 302))
    home.route("/gone", Reply(404, b"<title>Not here</title>", HTML))
    elsewhere.route("/landing", Reply(200, PAGE, HTML))
    return home, elsewhere


def _with_credentials(server: LoopbackServer, user: str, password: str, path: str) -> str:
    return f"http://{user}:{password}@{server.host}:{server.port}{path}"


@pytest.fixture
def letter(tmp_path: Path, sites) -> Path:  # type: ignore[no-untyped-def]
    home, _ = sites
    inline = _with_credentials(home, "alice", PASSWORDS[0], "/away")
    bare = _with_credentials(home, "bob", PASSWORDS[1], "/gone")
    auto = _with_credentials(home, "carol", PASSWORDS[2], "/page")
    moved = _with_credentials(home, "dave", PASSWORDS[3], "/moved")
    text = (
        "# Letter to the committee\n\n"
        f"Footnotes follow.\n\n"
        f"1. [Detention report]({inline}), 17 July 2025.\n"
        f"2. Also at {bare} (as of 2024).\n"
        f"3. See <{auto}>.\n"
        f"4. [Detention report]({moved}), 13 June 2024.\n"
    )
    path = tmp_path / "letter.md"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """A wide console, so a leaked password could not hide behind a line wrap."""
    monkeypatch.setenv("COLUMNS", "400")


def _leaks(*texts: str) -> list[str]:
    """Every place a password shows up, whitespace and table borders removed first."""
    found = []
    for text in texts:
        squeezed = re.sub(r"[\s│┃|]", "", text)
        found += [
            match.group(0) for match in re.finditer(rf"\S{{0,40}}{SECRET}\S{{0,10}}", squeezed)
        ]
    return found


FORMATS = ("rich", "json", "csv", "markdown", "github", "sarif", "html")


@pytest.mark.parametrize("fmt", FORMATS)
def test_check_output_never_shows_a_password(cli, letter: Path, fmt: str) -> None:
    result = cli("check", letter, "--format", fmt, "--verbose", *FLAGS)

    assert result.code in (0, 1), result.err
    assert "detention" in result.out.lower() or fmt == "github"  # the report is really there
    assert _leaks(result.out, result.err) == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_check_output_file_never_holds_a_password(
    cli, letter: Path, tmp_path: Path, fmt: str
) -> None:
    target = tmp_path / f"report.{fmt}"

    result = cli("check", letter, "--format", fmt, "--output", target, *FLAGS)

    assert result.code in (0, 1), result.err
    assert _leaks(target.read_text(encoding="utf-8"), result.out, result.err) == []


@pytest.mark.parametrize("fmt", ["csv", "json", "bibtex", "csl-json"])
def test_exports_never_hold_a_password(cli, letter: Path, tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"export.{fmt}"

    result = cli("export", letter, "--format", fmt, "--output", target, *FLAGS)

    assert result.code == 0, result.err
    written = target.read_text(encoding="utf-8")
    assert "127.0.0.2" in written  # the URLs are there, masked
    assert _leaks(written, result.out, result.err) == []


@pytest.mark.parametrize("fmt", ["rich", "json", "csv", "markdown", "github", "sarif", "html"])
def test_refs_output_never_shows_a_password(cli, letter: Path, fmt: str) -> None:
    result = cli("refs", letter, "--format", fmt)

    assert result.code == 0, result.err
    assert _leaks(result.out, result.err) == []


def test_credentials_go_to_their_own_host_only(cli, letter: Path, sites) -> None:  # type: ignore[no-untyped-def]
    home, elsewhere = sites

    cli("check", letter, "--format", "json", *FLAGS)

    away = [request for request in home.requests if request.path == "/away"]
    assert [request.header("authorization") for request in away] == [_basic("alice", PASSWORDS[0])]
    assert [request.header("authorization") for request in elsewhere.requests] == [None]
    assert all(SECRET not in request.path for request in home.requests + elsewhere.requests)


def test_secret_headers_are_not_carried_to_another_host(cli, tmp_path: Path, sites) -> None:  # type: ignore[no-untyped-def]
    home, elsewhere = sites
    path = tmp_path / "letter.md"
    path.write_text(f"See [the report]({home.url('/away')}).\n", encoding="utf-8")

    result = cli(
        "check",
        path,
        "--format",
        "json",
        "--header",
        "Authorization: Bearer token-SECRET",
        "--header",
        "Cookie: session=cookie-SECRET",
        "--header",
        "X-Plain: yes",
        *FLAGS,
    )

    assert result.code == 0, result.err
    (first,) = home.requests
    (second,) = elsewhere.requests
    assert first.header("authorization") == "Bearer token-SECRET"
    assert first.header("cookie") == "session=cookie-SECRET"
    assert (second.header("authorization"), second.header("cookie")) == (None, None)
    assert second.header("x-plain") == "yes"  # ordinary headers do follow
    assert _leaks(result.out, result.err) == []
