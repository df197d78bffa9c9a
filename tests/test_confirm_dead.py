"""Flapping links: a link that worked and now fails transiently says since when, and under
--confirm-dead N stays `unreachable` until N failed checks an hour apart confirm it.

Runs are days and hours apart by an injected clock (``run_check(clock=…)``), never by sleeping;
the server is a real loopback one and every request it gets is counted.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from citecheck.cache import HISTORY_LIMIT
from citecheck.config import Options
from citecheck.letters import collect
from citecheck.models import Finding
from citecheck.net.resolve import TableResolver
from citecheck.pipeline import run_check
from citecheck.urls import dedupe_key

from servers import LoopbackServer, Reply

PAGE = b"<html><head><title>Annual report</title></head><body><h1>Annual report</h1></body></html>"
HOUR = 3600.0


class Clock:
    """The time the pipeline sees; a test moves it."""

    def __init__(self, when: str) -> None:
        self.now = datetime.fromisoformat(when).replace(tzinfo=UTC).timestamp()

    def __call__(self) -> float:
        return self.now

    def at(self, when: str) -> None:
        self.now = datetime.fromisoformat(when).replace(tzinfo=UTC).timestamp()


class Site:
    """A loopback page whose answer the test switches: "ok", a status code, or nothing."""

    def __init__(self, server: LoopbackServer) -> None:
        self.server = server
        self.answer: int = 200
        server.route("/report", lambda _request: self._reply())

    def _reply(self) -> Reply:
        if self.answer == 200:
            return Reply(200, PAGE, [("Content-Type", "text/html")])
        return Reply(self.answer, b"unavailable")

    @property
    def url(self) -> str:
        return self.server.url("/report")

    @property
    def requests(self) -> int:
        return self.server.hits("/report")


@pytest.fixture
def site(loopback) -> Site:  # type: ignore[no-untyped-def]
    return Site(loopback())


def check(
    tmp_path: Path, url: str, clock: Clock, resolver: TableResolver | None = None, **options: object
) -> Finding:
    letter = tmp_path / "letter.md"
    letter.write_text(f"See [the annual report]({url}).\n")
    settings = Options(allow_private=True, cache_path=tmp_path / "cache.db", retries=0)
    report = run_check(
        collect([str(letter)]),
        replace(settings, **options),
        resolver=resolver or TableResolver({}),
        clock=clock,
    )
    assert report.findings is not None and len(report.findings) == 1
    return report.findings[0]


def test_confirm_dead_3_keeps_a_failing_link_unreachable_until_it_recovers(
    tmp_path: Path, site: Site
) -> None:
    clock = Clock("2026-12-02T09:00")
    assert check(tmp_path, site.url, clock, confirm_dead=3).status.value == "ok"
    site.answer = 503
    seen = []
    for when in ("2026-12-04T09:00", "2026-12-04T10:05", "2026-12-04T10:30"):
        clock.at(when)
        found = check(tmp_path, site.url, clock, confirm_dead=3)
        seen.append((found.status.value, found.message, site.requests))
    assert seen == [
        (
            "unreachable",
            "503 Service Unavailable; worked on 2 Dec; failing since 4 Dec, 1 check; "
            "not called dead before 3 failed checks an hour apart (1 so far, --confirm-dead)",
            2,
        ),
        (
            "unreachable",
            "503 Service Unavailable; worked on 2 Dec; failing since 4 Dec, 2 checks; "
            "not called dead before 3 failed checks an hour apart (2 so far, --confirm-dead)",
            3,
        ),
        # 25 minutes after the previous failure: checked, but it does not count toward 3.
        (
            "unreachable",
            "503 Service Unavailable; worked on 2 Dec; failing since 4 Dec, 3 checks; "
            "not called dead before 3 failed checks an hour apart (2 so far, --confirm-dead)",
            4,
        ),
    ]
    site.answer = 200
    clock.at("2026-12-04T11:40")
    recovered = check(tmp_path, site.url, clock, confirm_dead=3)
    assert (recovered.status.value, recovered.message, site.requests) == (
        "ok",
        "200 OK",
        5,
    )


def test_the_third_failure_an_hour_apart_confirms_the_link_broken(
    tmp_path: Path, site: Site
) -> None:
    clock = Clock("2026-12-02T09:00")
    check(tmp_path, site.url, clock, confirm_dead=3)
    site.answer = 503
    statuses = []
    for when in ("2026-12-04T09:00", "2026-12-04T10:01", "2026-12-04T11:02"):
        clock.at(when)
        statuses.append(check(tmp_path, site.url, clock, confirm_dead=3).status.value)
    assert statuses == ["unreachable", "unreachable", "broken"]
    assert site.requests == 4
    clock.at("2026-12-04T12:00")
    confirmed = check(tmp_path, site.url, clock, confirm_dead=3)
    # Confirmed broken is a decided verdict: reused like any broken one, not asked again.
    assert (confirmed.status.value, confirmed.from_cache, site.requests) == ("broken", True, 4)
    assert confirmed.message == (
        "503 Service Unavailable; worked on 2 Dec; failing since 4 Dec, 3 checks"
    )
    site.answer = 200
    clock.at("2026-12-04T18:00")  # the broken result has aged out (a quarter of --max-age 1d)
    assert check(tmp_path, site.url, clock, confirm_dead=3).status.value == "ok"
    assert site.requests == 5


def test_a_404_after_working_is_broken_at_once(tmp_path: Path, site: Site) -> None:
    clock = Clock("2026-12-02T09:00")
    check(tmp_path, site.url, clock, confirm_dead=3)
    site.answer = 404
    clock.at("2026-12-04T09:00")
    found = check(tmp_path, site.url, clock, confirm_dead=3)
    assert (found.status.value, found.message, site.requests) == ("broken", "404 Not Found", 2)


def test_a_name_that_no_longer_exists_is_broken_at_once(tmp_path: Path, site: Site) -> None:
    url = site.server.url("/report", host="ngo.test")
    clock = Clock("2026-12-02T09:00")
    known = TableResolver({"ngo.test": [site.server.host]})
    assert check(tmp_path, url, clock, known, confirm_dead=3).status.value == "ok"
    clock.at("2026-12-04T09:00")
    found = check(tmp_path, url, clock, TableResolver({}), confirm_dead=3)
    assert found.status.value == "broken"
    assert found.message.startswith("DNS: the name ngo.test does not exist")


def test_by_default_a_failure_after_working_is_reported_at_once_and_says_since_when(
    tmp_path: Path, site: Site
) -> None:
    clock = Clock("2025-12-30T09:00")
    check(tmp_path, site.url, clock)
    site.answer = 500
    clock.at("2026-01-02T09:00")
    first = check(tmp_path, site.url, clock)
    clock.at("2026-01-03T09:00")  # a broken result is reused for 6 hours only
    second = check(tmp_path, site.url, clock)
    assert (first.status.value, first.message) == (
        "broken",
        "500 Internal Server Error; worked on 30 Dec 2025; failing since 2 Jan, 1 check",
    )
    assert (second.status.value, second.message) == (
        "broken",
        "500 Internal Server Error; worked on 30 Dec 2025; failing since 2 Jan, 2 checks",
    )
    assert site.requests == 3


def test_a_link_that_never_worked_is_not_called_flapping(tmp_path: Path, site: Site) -> None:
    site.answer = 503
    found = check(tmp_path, site.url, Clock("2026-12-04T09:00"), confirm_dead=3)
    assert (found.status.value, found.message) == ("broken", "503 Service Unavailable")


def test_a_rate_limited_link_that_worked_waits_for_confirmation(tmp_path: Path, site: Site) -> None:
    clock = Clock("2026-12-02T09:00")
    check(tmp_path, site.url, clock, confirm_dead=2)
    site.answer = 429
    clock.at("2026-12-04T09:00")
    first = check(tmp_path, site.url, clock, confirm_dead=2)
    clock.at("2026-12-04T10:00")
    second = check(tmp_path, site.url, clock, confirm_dead=2)
    assert (first.status.value, second.status.value) == ("unreachable", "blocked")
    assert "worked on 2 Dec; failing since 4 Dec, 2 checks" in second.message
    assert site.requests == 3


def test_the_history_keeps_the_last_checks_of_each_url(tmp_path: Path, site: Site) -> None:
    clock = Clock("2026-12-01T00:00")
    for run in range(HISTORY_LIMIT + 3):
        site.answer = 200 if run % 2 else 503
        clock.now += 2 * HOUR
        check(tmp_path, site.url, clock, refresh=True)
    db = sqlite3.connect(tmp_path / "cache.db")
    rows = db.execute(
        "SELECT checked_at FROM history WHERE key = ? ORDER BY checked_at",
        (dedupe_key(site.url),),
    ).fetchall()
    db.close()
    assert len(rows) == HISTORY_LIMIT == 10
    assert rows[-1][0] == clock.now
    assert site.requests == HISTORY_LIMIT + 3


# --- through the command line -------------------------------------------------------------------


def test_cli_confirm_dead_holds_back_a_new_failure_and_1_reports_it(
    tmp_path: Path,
    site: Site,
    cli,  # type: ignore[no-untyped-def]
) -> None:
    letter = tmp_path / "letter.md"
    letter.write_text(f"See [the annual report]({site.url}).\n")
    common = ("check", letter, "--allow-private", "--retries", "0", "--format", "json")
    common += ("--cache-path", tmp_path / "cache.db")
    assert cli(*common).code == 0
    site.answer = 503
    held = cli(*common, "--refresh", "--confirm-dead", "3")
    (found,) = held.json()["references"]
    assert (held.code, found["status"]) == (0, "unreachable")
    assert "failing since" in found["message"] and "1 so far, --confirm-dead" in found["message"]
    at_once = cli(*common, "--refresh")
    (found,) = at_once.json()["references"]
    assert (at_once.code, found["status"]) == (1, "broken")
    assert "failing since" in found["message"] and "2 checks" in found["message"]
    assert site.requests == 3


@pytest.mark.parametrize(
    ("value", "why"),
    [("0", "expected a whole number >= 1, got 0"), ("-2", "expected a whole number >= 1, got -2")],
)
def test_cli_rejects_a_bad_confirm_dead(
    tmp_path: Path,
    value: str,
    why: str,
    cli,  # type: ignore[no-untyped-def]
) -> None:
    letter = tmp_path / "letter.md"
    letter.write_text("No links.\n")
    result = cli("check", letter, f"--confirm-dead={value}")
    assert result.code == 2
    assert result.err.strip().splitlines() == [f"citecheck: error: --confirm-dead: {why}"]


def test_confirm_dead_is_read_from_the_configuration(
    tmp_path: Path,
    site: Site,
    cli,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (tmp_path / "citecheck.toml").write_text(
        'confirm-dead = 2\nallow-private = true\nretries = 0\ncache-path = "cache.db"\n'
    )
    (tmp_path / "letter.md").write_text(f"See [the annual report]({site.url}).\n")
    monkeypatch.chdir(tmp_path)
    cli("check", "letter.md")
    site.answer = 502
    (found,) = cli("check", "letter.md", "--refresh", "--format", "json").json()["references"]
    assert found["status"] == "unreachable" and "before 2 failed checks" in found["message"]
    (tmp_path / "citecheck.toml").write_text("confirm-dead = 0\n")
    bad = cli("check", "letter.md")
    assert bad.code == 2 and "confirm-dead" in bad.err and "Traceback" not in bad.err


# --- the cache file ------------------------------------------------------------------------------

_SCHEMA_2 = """
CREATE TABLE results (
    key TEXT PRIMARY KEY, conditions TEXT NOT NULL, checked_at REAL NOT NULL, etag TEXT,
    last_modified TEXT, fetched TEXT NOT NULL, meta TEXT, verdict TEXT NOT NULL
)
"""


def test_a_cache_of_the_previous_version_keeps_its_results_and_gains_a_history(
    tmp_path: Path, site: Site
) -> None:
    clock = Clock("2026-12-02T09:00")
    check(tmp_path, site.url, clock)
    db = sqlite3.connect(tmp_path / "cache.db")
    db.execute("DROP TABLE history")
    db.execute("PRAGMA user_version = 2")  # as citecheck wrote it before the history
    db.commit()
    db.close()
    clock.at("2026-12-02T10:00")
    again = check(tmp_path, site.url, clock)
    assert (again.status.value, again.from_cache, site.requests) == ("ok", True, 1)
    site.answer = 503
    clock.at("2026-12-03T10:00")
    check(tmp_path, site.url, clock)
    db = sqlite3.connect(tmp_path / "cache.db")
    (version,) = db.execute("PRAGMA user_version").fetchone()
    (checks,) = db.execute("SELECT count(*) FROM history").fetchone()
    db.close()
    assert (version, checks) == (3, 1)
