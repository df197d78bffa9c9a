"""Every option that changes fetching or verdicts takes effect end to end, not just parses.

Each one is set twice, as a flag and as a key in a configuration file (``citecheck.toml`` or
``[tool.citecheck]`` in ``pyproject.toml``, found from the current folder), and run through the
real CLI against loopback servers that record what reached them. The assertions are about what
the server saw (requests, headers, how many at once) and the statuses the user gets, never how
long anything took.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from servers import LoopbackServer, Reply, Request

HTML = [("Content-Type", "text/html; charset=utf-8")]
PAGE = Reply(200, b"<!doctype html><title>Report on detention</title><h1>Report</h1>", HTML)
QUICK = ("--no-cache", "--format", "json")


def article(title: str, published: str) -> bytes:
    return (
        f"<!doctype html><html><head><title>{title}</title>"
        f"<meta property='article:published_time' content='{published}T09:00:00Z'>"
        f"</head><body><h1>{title}</h1></body></html>"
    ).encode()


class Setting:
    """One way to set options: flags on the command line, or the same as a configuration file."""

    def __init__(self, where: str) -> None:
        self.where = where

    def __repr__(self) -> str:
        return self.where


FLAG, CITECHECK_TOML, PYPROJECT = Setting("flag"), Setting("citecheck.toml"), Setting("pyproject")
BOTH = [FLAG, CITECHECK_TOML]
ALL = [FLAG, CITECHECK_TOML, PYPROJECT]


@pytest.fixture
def run(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:  # type: ignore[no-untyped-def]
    """``run(setting, letter_text, flags=[...], toml="key = value")`` -> (exit code, JSON, stderr).

    ``flags`` are used with FLAG, ``toml`` (the same settings) otherwise, ``always`` in both;
    ``--allow-private`` is given too, since every server here is on loopback, unless
    ``private=False``. Each run starts with no configuration file but its own.
    """
    monkeypatch.chdir(tmp_path)

    def go(
        setting: Setting,
        letter: str,
        *,
        flags: Sequence[str] = (),
        toml: str = "",
        private: bool = True,
        always: Sequence[str] = (),
    ) -> tuple[int, dict[str, Any], str]:
        path = tmp_path / "letter.md"
        path.write_text(letter, encoding="utf-8")
        for name in ("citecheck.toml", "pyproject.toml"):
            (tmp_path / name).unlink(missing_ok=True)
        if setting is CITECHECK_TOML:
            (tmp_path / "citecheck.toml").write_text(toml + "\n", encoding="utf-8")
        elif setting is PYPROJECT:
            text = f"[project]\nname = 'letters'\n\n[tool.citecheck]\n{toml}\n"
            (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
        args = [*QUICK, *(("--allow-private",) if private else ()), *always]
        if setting is FLAG:
            args.extend(flags)
        result = cli("check", path, *args)
        assert result.code in (0, 1), result.err
        return result.code, result.json(), result.err

    return go


def statuses(document: dict[str, Any]) -> list[str]:
    return [reference["status"] for reference in document["references"]]


def links(urls: Sequence[str]) -> str:
    return "# Letter\n\n" + "".join(f"- See [source {i}]({url}).\n" for i, url in enumerate(urls))


class Overlap:
    """A route that counts how many requests it holds at once, across every server it serves.

    Each request is held ``hold`` seconds; ``peak`` can only be lowered by a stall of the machine,
    never raised, so ``peak <= limit`` is a safe assertion.
    """

    def __init__(self, hold: float = 0.2) -> None:
        self.hold = hold
        self.now = self.peak = 0
        self._lock = threading.Lock()

    def __call__(self, _request: Request) -> Reply:
        with self._lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
        time.sleep(self.hold)
        with self._lock:
            self.now -= 1
        return PAGE


# --- limits -----------------------------------------------------------------------------------


@pytest.mark.parametrize("setting", ALL, ids=repr)
def test_per_host_caps_requests_in_flight_to_one_host(run, loopback, setting: Setting) -> None:  # type: ignore[no-untyped-def]
    site: LoopbackServer = loopback()
    overlap = Overlap()
    site.route("/", overlap)
    urls = [site.url(f"/?n={n}") for n in range(6)]

    code, document, _ = run(setting, links(urls), flags=["--per-host", "2"], toml="per-host = 2")

    assert statuses(document) == ["ok"] * 6
    assert site.hits("/") == 6
    assert overlap.peak <= 2  # the default (4) would let up to 4 in


@pytest.mark.parametrize("setting", BOTH, ids=repr)
def test_max_concurrency_caps_requests_in_flight_across_hosts(run, loopback, setting) -> None:  # type: ignore[no-untyped-def]
    overlap = Overlap()
    sites = [loopback() for _ in range(3)]
    for site in sites:
        site.route("/", overlap)
    urls = [site.url(f"/?n={n}") for n in range(2) for site in sites]

    _, document, _ = run(
        setting, links(urls), flags=["--max-concurrency", "2"], toml="max-concurrency = 2"
    )

    assert statuses(document) == ["ok"] * 6
    assert [site.hits("/") for site in sites] == [2, 2, 2]
    assert overlap.peak <= 2  # three hosts at the default per-host 4 would reach 6


@pytest.mark.parametrize("setting", BOTH, ids=repr)
def test_rate_spaces_the_requests_to_one_host(run, loopback, setting) -> None:  # type: ignore[no-untyped-def]
    site = loopback()
    site.route("/", PAGE)
    urls = [site.url(f"/?n={n}") for n in range(4)]

    _, document, _ = run(setting, links(urls), flags=["--rate", "4/s"], toml="rate = '4/s'")

    assert statuses(document) == ["ok"] * 4
    times = sorted(request.time for request in site.requests)
    # At 4/s the fourth request goes out 0.75 s after the first; a stall of the machine can
    # bunch requests together but not shorten the span by more than its length (0.5 s here).
    # Without the rate all four leave at once.
    assert times[-1] - times[0] >= 0.75 - 0.5


# --- what is sent -----------------------------------------------------------------------------


@pytest.mark.parametrize("setting", ALL, ids=repr)
def test_header_is_sent_with_every_request(run, loopback, setting) -> None:  # type: ignore[no-untyped-def]
    first, second = loopback(), loopback()
    for site in (first, second):
        site.route("/", PAGE)

    run(
        setting,
        links([first.url("/"), second.url("/")]),
        flags=["-H", "X-Letter: 2026-05", "--header", "Accept-Language: fr"],
        toml="header = ['X-Letter: 2026-05', 'Accept-Language: fr']",
    )

    for site in (first, second):
        (request,) = site.requests
        assert request.header("x-letter") == "2026-05"
        assert request.header("accept-language") == "fr"  # replaces ours, not added to it
        assert [name for name, _ in request.headers].count("accept-language") == 1


@pytest.mark.parametrize("setting", [CITECHECK_TOML, PYPROJECT], ids=repr)
def test_host_headers_go_to_their_host_only(run, loopback, setting) -> None:  # type: ignore[no-untyped-def]
    # A configuration-file setting only: it has no flag.
    consent, other = loopback(), loopback()
    for site in (consent, other):
        site.route("/", PAGE)
    table = "host-headers" if setting is CITECHECK_TOML else "tool.citecheck.host-headers"

    run(
        setting,
        links([consent.url("/"), other.url("/")]),
        toml=f"[{table}]\n'{consent.host}' = ['Cookie: consent=yes', 'X-Token: t1']",
    )

    (seen,) = consent.requests
    assert (seen.header("cookie"), seen.header("x-token")) == ("consent=yes", "t1")
    (unseen,) = other.requests
    assert (unseen.header("cookie"), unseen.header("x-token")) == (None, None)


@pytest.mark.parametrize("setting", ALL, ids=repr)
def test_user_agent_replaces_ours(run, loopback, setting) -> None:  # type: ignore[no-untyped-def]
    site = loopback()
    site.route("/", PAGE)

    run(
        setting,
        links([site.url("/")]),
        flags=["--user-agent", "Mozilla/5.0 (letters desk)"],
        toml="user-agent = 'Mozilla/5.0 (letters desk)'",
    )

    (request,) = site.requests
    assert request.header("user-agent") == "Mozilla/5.0 (letters desk)"


def test_without_user_agent_ours_is_sent(run, loopback) -> None:  # type: ignore[no-untyped-def]
    site = loopback()
    site.route("/", PAGE)

    run(FLAG, links([site.url("/")]))

    (request,) = site.requests
    assert (request.header("user-agent") or "").startswith("citecheck/")


# --- verdicts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("setting", [CITECHECK_TOML, PYPROJECT], ids=repr)
def test_accept_turns_a_status_code_into_ok(run, loopback, setting) -> None:  # type: ignore[no-untyped-def]
    # A configuration-file setting only: it has no flag.
    site = loopback()
    site.route("/members", Reply(403, b"<title>Members only</title>", HTML))
    site.route("/gone", Reply(410))
    letter = links([site.url("/members"), site.url("/gone")])

    code, document, _ = run(setting, letter, toml="accept = [403, 401]")

    assert statuses(document) == ["ok", "broken"]
    assert "accepted by configuration" in document["references"][0]["message"]
    assert code == 1  # the 410 still fails the run
    before = run(FLAG, letter)[1]
    assert statuses(before) == ["blocked", "broken"]


@pytest.mark.parametrize("setting", [CITECHECK_TOML, PYPROJECT], ids=repr)
def test_thresholds_change_the_claim_verdict(run, loopback, setting) -> None:  # type: ignore[no-untyped-def]
    # A configuration-file setting only: it has no flag. The page is dated three days before
    # the letter's footnote: a mismatch at the default tolerance (1 day), fine at 5 days.
    site = loopback()
    title = "Joint NGO letter ahead of EU-China Summit"
    site.route("/letter", Reply(200, article(title, "2025-07-14"), HTML))
    letter = f"As we wrote.[^1]\n\n[^1]: [{title}]({site.url('/letter')}), 17 July 2025.\n"
    table = "thresholds" if setting is CITECHECK_TOML else "tool.citecheck.thresholds"

    default_code, default, _ = run(FLAG, letter)
    code, document, _ = run(setting, letter, toml=f"[{table}]\ndate-tolerance-days = 5")

    assert statuses(default) == ["mismatched"] and default_code == 1
    assert statuses(document) == ["ok"] and code == 0


@pytest.mark.parametrize("setting", BOTH, ids=repr)
def test_timeout_gives_up_on_a_slow_server(run, loopback, setting) -> None:  # type: ignore[no-untyped-def]
    # The server answers after 3 s; the default timeout (10 s) would wait for it.
    site = loopback()
    site.route("/slow", Reply(200, b"<title>late</title>", HTML, delay=3.0))
    site.route("/fast", PAGE)
    letter = links([site.url("/slow"), site.url("/fast")])

    _, document, _ = run(
        setting,
        letter,
        flags=["--timeout", "0.5", "--retries", "0"],
        toml="timeout = 0.5\nretries = 0",
    )

    assert statuses(document) == ["unreachable", "ok"]
    assert document["references"][0]["http_status"] is None
    assert site.hits("/slow") == 1


@pytest.mark.parametrize("setting", ALL, ids=repr)
def test_retries_set_how_often_a_failing_server_is_asked(run, loopback, setting) -> None:  # type: ignore[no-untyped-def]
    # Retry-After: 0 keeps the retries immediate.
    site = loopback()
    site.route("/down", Reply(503, headers=[("Retry-After", "0")]))

    _, document, _ = run(
        setting, links([site.url("/down")]), flags=["--retries", "3"], toml="retries = 3"
    )

    assert statuses(document) == ["broken"]
    assert site.hits("/down") == 4  # the first try and three retries (the default is two)


def test_retries_zero_asks_once(run, loopback) -> None:  # type: ignore[no-untyped-def]
    site = loopback()
    site.route("/down", Reply(503, headers=[("Retry-After", "0")]))

    run(FLAG, links([site.url("/down")]), flags=["--retries", "0"])

    assert site.hits("/down") == 1


@pytest.mark.parametrize("setting", ALL, ids=repr)
def test_exclude_and_include_decide_what_is_fetched(run, loopback, setting) -> None:  # type: ignore[no-untyped-def]
    site = loopback()
    for path in ("/news/a", "/news/internal-b", "/blog/c"):
        site.route(path, PAGE)
    letter = links([site.url("/news/a"), site.url("/news/internal-b"), site.url("/blog/c")])

    _, document, _ = run(
        setting,
        letter,
        flags=["--include", "/news/", "--exclude", "internal"],
        toml="include = ['/news/']\nexclude = 'internal'",
    )

    assert statuses(document) == ["ok", "skipped", "skipped"]
    messages = [reference["message"] for reference in document["references"]]
    assert "--exclude" in messages[1] and "--include" in messages[2]
    assert [request.path for request in site.requests] == ["/news/a"]


@pytest.mark.parametrize("setting", ALL, ids=repr)
def test_remap_fetches_the_mirror_and_reports_the_original(run, loopback, setting) -> None:  # type: ignore[no-untyped-def]
    mirror = loopback()
    mirror.route("/news/a", PAGE)
    rule = f"^https://www\\.ngo\\.test {mirror.url('')}"
    letter = links(["https://www.ngo.test/news/a"])

    _, document, _ = run(setting, letter, flags=["--remap", rule], toml=f"remap = '{rule}'")

    (reference,) = document["references"]
    assert reference["status"] == "ok"
    assert reference["url"] == "https://www.ngo.test/news/a"  # as the letter wrote it
    assert [request.path for request in mirror.requests] == ["/news/a"]


@pytest.mark.parametrize("setting", ALL, ids=repr)
def test_allow_private_lets_loopback_be_fetched(run, loopback, setting) -> None:  # type: ignore[no-untyped-def]
    site = loopback()
    site.route("/", PAGE)
    letter = links([site.url("/")])

    guarded_code, guarded, _ = run(FLAG, letter, private=False)
    assert statuses(guarded) == ["private"] and guarded_code == 1
    assert site.requests == []  # the guard decides before connecting

    if setting is FLAG:
        code, document, _ = run(FLAG, letter)
    else:
        code, document, _ = run(setting, letter, toml="allow-private = true", private=False)
    assert statuses(document) == ["ok"] and code == 0
    assert site.hits("/") == 1


def test_flags_win_over_the_configuration_file(run, loopback) -> None:  # type: ignore[no-untyped-def]
    site = loopback()
    site.route("/down", Reply(503, headers=[("Retry-After", "0")]))
    letter = links([site.url("/down")])
    toml = "retries = 4\nuser-agent = 'from-file'"

    run(CITECHECK_TOML, letter, toml=toml)
    from_file = site.hits("/down")
    run(CITECHECK_TOML, letter, toml=toml, always=["--retries", "1", "--user-agent", "from-flag"])

    assert from_file == 5
    assert site.hits("/down") - from_file == 2
    agents = [request.header("user-agent") for request in site.requests]
    assert agents == ["from-file"] * 5 + ["from-flag"] * 2
