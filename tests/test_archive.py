"""Archived-copy suggestions, against a fake availability API on loopback."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest

from citecheck.archive import ArchiveClient
from citecheck.fetch import Fetcher, FetchOptions

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
    closest = {"available": True, "status": "200", "timestamp": f"{stamp}093000",
               "url": f"http://web.archive.org/web/{stamp}093000/{url}"}  # fmt: skip
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


def suggest_all(endpoint: str, asks: list[tuple[str, str | None]]) -> list[str | None]:
    """``ArchiveClient.suggest`` for each (url, cited_date), concurrently, through one client."""

    async def run() -> list[str | None]:
        options = FetchOptions(timeout=0.5, deadline=1.0, retries=0)
        async with Fetcher(options) as fetcher:
            client = ArchiveClient(fetcher, endpoint)
            asking = (client.suggest(url, cited, today=TODAY) for url, cited in asks)
            return list(await asyncio.gather(*asking))

    return asyncio.run(run())


@pytest.mark.parametrize(
    ("cited_date", "stamp"),
    [("2025-07-17", "20250717"), ("2025-07", "20250701"), ("2025", "20250101"), (None, "20260519")],
)
def test_snapshot_nearest_the_cited_date_is_suggested(
    archive: LoopbackServer, cited_date: str | None, stamp: str
) -> None:
    assert suggest_all(archive.url(PATH), [(CITED, cited_date)]) == [
        f"http://web.archive.org/web/{stamp}093000/{CITED}"
    ]
    assert [query(request) for request in archive.requests] == [{"url": CITED, "timestamp": stamp}]


def test_each_url_and_date_is_asked_once_per_run(archive: LoopbackServer) -> None:
    other = "https://www.amnesty.org/en/latest/"
    asks = [(CITED, "2025-07-17"), (CITED, "2025-07-17"), (other, None), (CITED, "2024")]
    suggestions = suggest_all(archive.url(PATH), asks)
    assert suggestions[0] == suggestions[1] is not None
    assert sorted((q["url"], q["timestamp"]) for q in map(query, archive.requests)) == [
        (other, "20260519"),
        (CITED, "20240101"),
        (CITED, "20250717"),
    ]


@pytest.mark.parametrize(
    "url",
    [
        "https://slow.example.org/page",
        "https://server-error.example.org/page",
        "https://garbage.example.org/page",
        "https://wrong-shape.example.org/page",
        "https://not-archived.example.org/page",
        "https://archived-404.example.org/page",
    ],
)
def test_a_failing_or_empty_archive_gives_no_suggestion(archive: LoopbackServer, url: str) -> None:
    assert suggest_all(archive.url(PATH), [(url, "2025-07-17")]) == [None]
    assert archive.hits(PATH) == 1  # asked, and the failure was not retried into a pile


def test_an_archive_that_is_not_listening_gives_no_suggestion() -> None:
    endpoint = f"http://127.0.0.3:{closed_port('127.0.0.3')}{PATH}"
    assert suggest_all(endpoint, [(CITED, None)]) == [None]
