"""Archived-copy suggestions, against a fake availability API (the older form) on loopback."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from citecheck.config import Options
from citecheck.letters import collect
from citecheck.models import Finding
from citecheck.net.archive import Answer, ArchiveClient, timestamp
from citecheck.net.fetch import Fetcher, FetchOptions
from citecheck.pipeline import run_check

from servers import LoopbackServer, Reply, Request, closed_port

TODAY = date(2026, 5, 19)
CITED = "https://www.hrw.org/news/2025/07/17/joint-ngo-letter"
PATH = "/wayback/available"


def query(request: Request) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(request.path).query).items()}


def availability(request: Request) -> Reply:
    """Answers like archive.org/wayback/available; the URL asked about picks the behaviour."""
    asked = query(request)
    url, stamp = asked.get("url", ""), asked.get("timestamp", "")
    closest = {"available": True, "status": "200", "timestamp": f"{stamp[:8]}093000",
               "url": f"http://web.archive.org/web/{stamp[:8]}093000/{url}"}  # fmt: skip
    answers = {
        "slow": Reply(200, json.dumps({"archived_snapshots": {}}).encode(), delay=2.0),
        "server-error": Reply(500, b'{"error": "down"}'),
        "garbage": Reply(200, b"<html><body>Wayback is being upgraded</body></html>"),
        "wrong-shape": Reply(200, json.dumps({"archived_snapshots": {"closest": ["no"]}}).encode()),
        "not-archived": Reply(200, json.dumps({"url": url, "archived_snapshots": {}}).encode()),
        "archived-404": Reply(
            200,
            json.dumps({"archived_snapshots": {"closest": {**closest, "status": "404"}}}).encode(),
        ),
    }
    found = next((reply for key, reply in answers.items() if f"//{key}." in url), None)
    snapshot = json.dumps({"url": url, "archived_snapshots": {"closest": closest}}).encode()
    return found or Reply(200, snapshot, [("Content-Type", "application/json")])


@pytest.fixture
def archive() -> Iterator[LoopbackServer]:
    with LoopbackServer("127.0.0.2") as server:
        server.route(PATH, availability)
        yield server


def lookup_all(endpoint: str, asks: list[tuple[str, str | None]]) -> list[Answer | None]:
    """``ArchiveClient.lookup`` for each (url, cited_date), concurrently, through one client."""

    async def run() -> list[Answer | None]:
        options = FetchOptions(timeout=0.5, deadline=1.0, retries=0)
        async with Fetcher(options) as fetcher:
            client = ArchiveClient(fetcher, endpoint)
            asking = (client.lookup(url, timestamp(cited, TODAY)) for url, cited in asks)
            return list(await asyncio.gather(*asking))

    return asyncio.run(run())


@pytest.mark.parametrize(
    ("cited_date", "stamp"),
    [
        ("2025-07-17", "20250717120000"),
        ("2025-07", "20250716120000"),
        ("2025", "20250702120000"),
        (None, "20260519120000"),
    ],
)
def test_snapshot_nearest_the_cited_date_is_suggested(
    archive: LoopbackServer, cited_date: str | None, stamp: str
) -> None:
    assert lookup_all(archive.url(PATH), [(CITED, cited_date)]) == [
        Answer(f"http://web.archive.org/web/{stamp[:8]}093000/{CITED}")
    ]
    assert [query(request) for request in archive.requests] == [{"url": CITED, "timestamp": stamp}]


@pytest.mark.parametrize(
    ("url", "answer"),
    [
        ("https://slow.example.org/page", None),
        ("https://server-error.example.org/page", None),
        ("https://garbage.example.org/page", None),
        ("https://wrong-shape.example.org/page", Answer(None)),
        ("https://not-archived.example.org/page", Answer(None)),
        ("https://archived-404.example.org/page", Answer(None)),
    ],
)
def test_a_failing_or_empty_archive_gives_no_suggestion(
    archive: LoopbackServer, url: str, answer: Answer | None
) -> None:
    # An archive that answered "none" said something worth keeping; one that failed did not.
    assert lookup_all(archive.url(PATH), [(url, "2025-07-17")]) == [answer]
    assert archive.hits(PATH) == 1  # asked, and the failure was not retried into a pile


def test_an_archive_that_is_not_listening_gives_no_suggestion() -> None:
    endpoint = f"http://127.0.0.3:{closed_port('127.0.0.3')}{PATH}"
    assert lookup_all(endpoint, [(CITED, None)]) == [None]


# --- through `check`: answers cached, nothing asked --offline ----------------------------------


def _archive_for_letters(request: Request) -> Reply:
    """A snapshot for every URL but those whose path says otherwise."""
    asked = query(request)
    url, stamp = asked.get("url", ""), asked.get("timestamp", "")
    if "/archive-down" in url:
        return Reply(503, b"down for maintenance")
    snapshots: dict[str, object] = {}
    if "/never-archived" not in url:
        snapshot = f"http://web.archive.org/web/{stamp[:8]}093000/{url}"
        snapshots["closest"] = {"available": True, "status": "200", "url": snapshot}
    return Reply(200, json.dumps({"url": url, "archived_snapshots": snapshots}).encode())


def check_letter(
    tmp_path: Path, archive: LoopbackServer, urls: list[str], **settings: object
) -> list[Finding]:
    """``check`` a letter citing ``urls`` (17 July 2025) with --suggest-archive and a cache."""
    letter = tmp_path / "letter.md"
    notes = (f"[^{n}]: [Joint NGO letter {n}]({url}), 17 July 2025\n" for n, url in enumerate(urls))
    letter.write_text("".join(f"See.[^{n}]\n" for n in range(len(urls))) + "\n" + "".join(notes))
    options = Options(
        allow_private=True,
        cache_path=tmp_path / "cache.db",
        retries=0,
        suggest_archive=True,
        archive_endpoint=archive.url(PATH),
    )
    report = run_check(collect([str(letter)]), replace(options, **settings))
    assert report.findings is not None
    return list(report.findings)


@pytest.fixture
def gone(archive: LoopbackServer, loopback):  # type: ignore[no-untyped-def]
    """A site where every page is gone (404), and an archive that knows most of them."""
    archive.route(PATH, _archive_for_letters)
    return loopback(host="127.0.0.3")


def test_archive_answers_are_cached_so_a_rerun_asks_the_archive_nothing(
    tmp_path: Path,
    archive: LoopbackServer,
    gone,  # type: ignore[no-untyped-def]
) -> None:
    urls = [gone.url("/report"), gone.url("/never-archived")]
    first = check_letter(tmp_path, archive, urls)
    expected = f"http://web.archive.org/web/20250717093000/{urls[0]}"
    assert [(f.status.value, f.suggestion) for f in first] == [
        ("broken", expected),
        ("broken", None),
    ]
    assert archive.hits(PATH) == 2
    second = check_letter(tmp_path, archive, urls)
    assert [f.suggestion for f in second] == [expected, None]
    assert archive.hits(PATH) == 2
    assert gone.hits("/report") == 1


def test_each_url_and_date_is_asked_once_per_run(
    tmp_path: Path,
    archive: LoopbackServer,
    gone,  # type: ignore[no-untyped-def]
) -> None:
    urls = [gone.url("/report"), gone.url("/report"), gone.url("/other")]
    findings = check_letter(tmp_path, archive, urls, cache=False)
    assert findings[0].suggestion == findings[1].suggestion is not None
    assert sorted(query(request)["url"] for request in archive.requests) == [urls[2], urls[0]]


def test_an_archive_that_failed_is_asked_again_next_run(
    tmp_path: Path,
    archive: LoopbackServer,
    gone,  # type: ignore[no-untyped-def]
) -> None:
    urls = [gone.url("/archive-down"), gone.url("/never-archived")]
    for _ in range(2):
        assert [f.suggestion for f in check_letter(tmp_path, archive, urls)] == [None, None]
    asked = [query(request)["url"] for request in archive.requests]
    assert sorted(asked) == sorted([urls[0], urls[0], urls[1]])


def test_offline_asks_the_archive_nothing(
    tmp_path: Path,
    archive: LoopbackServer,
    gone,  # type: ignore[no-untyped-def]
) -> None:
    urls = [gone.url("/report")]
    check_letter(tmp_path, archive, urls, suggest_archive=False)
    (offline,) = check_letter(tmp_path, archive, urls, offline=True)
    assert (offline.status.value, offline.suggestion) == ("broken", None)
    assert archive.requests == []
    assert gone.hits("/report") == 1


def test_offline_suggests_the_cached_archived_copy(
    tmp_path: Path,
    archive: LoopbackServer,
    gone,  # type: ignore[no-untyped-def]
) -> None:
    urls = [gone.url("/report")]
    (online,) = check_letter(tmp_path, archive, urls)
    assert online.suggestion is not None
    (offline,) = check_letter(tmp_path, archive, urls, offline=True, max_age=0.0)
    assert (offline.status.value, offline.suggestion) == ("broken", online.suggestion)
    assert archive.hits(PATH) == 1
    assert gone.hits("/report") == 1
