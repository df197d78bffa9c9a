"""The result cache through `check`: reuse, revalidation with 304, --refresh, --offline."""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import replace
from pathlib import Path

import pytest

from citecheck.config import Options
from citecheck.letters import collect
from citecheck.models import Report
from citecheck.net.resolve import TableResolver
from citecheck.pipeline import run_check
from citecheck.urls import dedupe_key

from servers import Reply

PAGE = (
    b"<html><head><title>Joint NGO letter ahead of EU-China Summit</title>"
    b"<meta name='citation_publication_date' content='2025/07/17'></head>"
    b"<body><h1>Joint NGO letter ahead of EU-China Summit</h1></body></html>"
)


@pytest.fixture
def site(loopback):  # type: ignore[no-untyped-def]
    server = loopback()

    def page(request):  # type: ignore[no-untyped-def]
        if request.header("if-none-match") == '"v1"':
            return Reply(304, headers=[("ETag", '"v1"')])
        return Reply(200, PAGE, [("Content-Type", "text/html"), ("ETag", '"v1"')])

    server.route("/letter", page)
    return server


def run(tmp_path: Path, site, **options: object) -> Report:  # type: ignore[no-untyped-def]
    letter = tmp_path / "letter.md"
    letter.write_text(
        "As we said before.[^1]\n\n"
        f"[^1]: [Joint NGO letter ahead of EU-China Summit]({site.url('/letter')}), 17 July 2025\n"
    )
    settings = Options(allow_private=True, cache_path=tmp_path / "cache.db", retries=0)
    return run_check(
        collect([str(letter)]), replace(settings, **options), resolver=TableResolver({})
    )


def only(report: Report):  # type: ignore[no-untyped-def]
    assert report.findings is not None and len(report.findings) == 1
    return report.findings[0]


def test_second_run_is_answered_from_the_cache(tmp_path: Path, site) -> None:  # type: ignore[no-untyped-def]
    first = only(run(tmp_path, site))
    assert (first.status.value, first.from_cache) == ("ok", False)
    second = only(run(tmp_path, site))
    assert (second.status.value, second.from_cache) == ("ok", True)
    assert second.meta == first.meta
    assert site.hits("/letter") == 1


def test_stale_entry_is_revalidated_and_304_keeps_the_metadata(tmp_path: Path, site) -> None:  # type: ignore[no-untyped-def]
    first = only(run(tmp_path, site))
    time.sleep(0.05)
    again = only(run(tmp_path, site, max_age=0.01))
    assert site.hits("/letter") == 2
    assert site.requests[-1].header("if-none-match") == '"v1"'
    assert again.status.value == "ok" and again.meta == first.meta
    db = sqlite3.connect(tmp_path / "cache.db")
    key = dedupe_key(site.url("/letter"))
    (checked_at,) = db.execute("SELECT checked_at FROM results WHERE key = ?", (key,)).fetchone()
    db.close()
    assert checked_at > time.time() - 5


def test_refresh_ignores_the_cache(tmp_path: Path, site) -> None:  # type: ignore[no-untyped-def]
    run(tmp_path, site)
    refreshed = only(run(tmp_path, site, refresh=True))
    assert not refreshed.from_cache
    assert site.hits("/letter") == 2
    assert site.requests[-1].header("if-none-match") is None


def test_offline_answers_from_the_cache_only(tmp_path: Path, site) -> None:  # type: ignore[no-untyped-def]
    missing = only(run(tmp_path, site, offline=True))
    assert missing.status.value == "unreachable" and "not in cache" in missing.message
    run(tmp_path, site)
    site.stop()
    cached = only(run(tmp_path, site, offline=True, max_age=0.001))
    assert (cached.status.value, cached.from_cache) == ("ok", True)


def test_no_cache_leaves_no_file(tmp_path: Path, site) -> None:  # type: ignore[no-untyped-def]
    run(tmp_path, site, cache=False)
    assert not (tmp_path / "cache.db").exists()


def test_corrupt_cache_file_is_a_warning_not_a_crash(tmp_path: Path, site) -> None:  # type: ignore[no-untyped-def]
    run(tmp_path, site)
    cache = tmp_path / "cache.db"
    cache.write_bytes(cache.read_bytes()[:100] + b"this is not sqlite" * 300)
    report = run(tmp_path, site)
    assert only(report).status.value == "ok"
    assert any("corrupt" in notice for notice in report.notices)


# --- what a cached result is valid for ---------------------------------------------------------


def test_a_result_cached_with_allow_private_does_not_pass_a_run_without_it(
    tmp_path: Path,
    site,  # type: ignore[no-untyped-def]
) -> None:
    assert only(run(tmp_path, site)).status.value == "ok"
    guarded = only(run(tmp_path, site, allow_private=False))
    assert (guarded.status.value, guarded.from_cache) == ("private", False)
    assert site.hits("/letter") == 1  # the guard refused before connecting


def test_adding_allow_private_checks_a_link_cached_as_private(tmp_path: Path, site) -> None:  # type: ignore[no-untyped-def]
    assert only(run(tmp_path, site, allow_private=False)).status.value == "private"
    assert site.hits("/letter") == 0
    allowed = only(run(tmp_path, site))
    assert (allowed.status.value, allowed.from_cache) == ("ok", False)
    assert site.hits("/letter") == 1


def _members_only(request):  # type: ignore[no-untyped-def]
    """A page for people who accepted cookies, or for browsers; 403 for everyone else."""
    consent = request.header("cookie") == "consent=yes"
    browser = (request.header("user-agent") or "").startswith("Mozilla/")
    if consent or browser:
        return Reply(200, PAGE, [("Content-Type", "text/html")])
    return Reply(403, b"members only")


@pytest.mark.parametrize("setting", ["header", "host_headers", "user_agent"])
def test_a_result_cached_with_other_request_headers_is_fetched_again(
    tmp_path: Path,
    site,  # type: ignore[no-untyped-def]
    setting: str,
) -> None:
    site.route("/letter", _members_only)
    cookie = (("Cookie", "consent=yes"),)
    passing = {
        "header": {"header": cookie},
        "host_headers": {"host_headers": {site.host: cookie}},
        "user_agent": {"user_agent": "Mozilla/5.0 (editor's browser)"},
    }[setting]
    assert only(run(tmp_path, site, **passing)).status.value == "ok"
    plain = only(run(tmp_path, site))
    assert (plain.status.value, plain.from_cache) == ("blocked", False)
    again = only(run(tmp_path, site, **passing))
    assert (again.status.value, again.from_cache) == ("ok", False)
    assert site.hits("/letter") == 3
    assert [request.header("cookie") is None for request in site.requests] == [
        setting == "user_agent",
        True,
        setting == "user_agent",
    ]


def test_accept_is_decided_again_from_the_cached_answer_without_a_request(
    tmp_path: Path,
    site,  # type: ignore[no-untyped-def]
) -> None:
    site.route("/letter", Reply(403, b"members only"))
    accepted = only(run(tmp_path, site, accept=frozenset({403})))
    assert (accepted.status.value, accepted.from_cache) == ("ok", False)
    refused = only(run(tmp_path, site))
    assert (refused.status.value, refused.from_cache) == ("blocked", True)
    assert "403" in refused.message
    accepted_again = only(run(tmp_path, site, accept=frozenset({403})))
    assert (accepted_again.status.value, accepted_again.from_cache) == ("ok", True)
    assert accepted_again.message == accepted.message
    assert site.hits("/letter") == 1


def test_offline_does_not_answer_with_a_result_cached_under_other_options(
    tmp_path: Path,
    site,  # type: ignore[no-untyped-def]
) -> None:
    assert only(run(tmp_path, site)).status.value == "ok"
    offline = only(run(tmp_path, site, user_agent="another-agent/1", offline=True))
    assert offline.status.value == "unreachable"
    assert "--offline" in offline.message
    assert site.hits("/letter") == 1


_SCHEMA_1 = """
CREATE TABLE results (
    key TEXT PRIMARY KEY,
    checked_at REAL NOT NULL,
    etag TEXT,
    last_modified TEXT,
    fetched TEXT NOT NULL,
    meta TEXT,
    verdict TEXT NOT NULL
)
"""


def test_results_cached_before_their_options_were_recorded_are_checked_again(
    tmp_path: Path,
    site,  # type: ignore[no-untyped-def]
) -> None:
    # A cache as the previous citecheck wrote it, saying "ok" a minute ago for a page now gone.
    site.route("/letter", Reply(404, b"gone"))
    url = site.url("/letter")
    db = sqlite3.connect(tmp_path / "cache.db")
    db.execute(_SCHEMA_1)
    db.execute(
        "INSERT INTO results VALUES (?, ?, NULL, NULL, ?, NULL, ?)",
        (
            dedupe_key(url),
            time.time() - 60,
            json.dumps({"url": url, "http_status": 200, "reason": "OK"}),
            json.dumps({"status": "ok", "message": "200 OK"}),
        ),
    )
    db.execute("PRAGMA application_id = 1128483633")  # "CCK1", as every citecheck cache has it
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    found = only(run(tmp_path, site))
    assert (found.status.value, found.from_cache) == ("broken", False)
    assert site.hits("/letter") == 1
