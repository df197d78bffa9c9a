"""The result cache through `check`: reuse, revalidation with 304, --refresh, --offline."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest

from citecheck.cache import ResultCache
from citecheck.config import Options
from citecheck.letters import collect
from citecheck.models import Report
from citecheck.pipeline import run_check
from citecheck.resolve import TableResolver
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
    with ResultCache(tmp_path / "cache.db") as cache:
        entry = cache.get(dedupe_key(site.url("/letter")))
    assert entry is not None and entry.checked_at > time.time() - 5


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
    (tmp_path / "cache.db").write_bytes(b"this is not sqlite" * 100)
    report = run(tmp_path, site)
    assert only(report).status.value == "ok"
    assert any("corrupt" in notice for notice in report.notices)
