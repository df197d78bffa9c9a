"""Archived-copy suggestions from an availability API in the Internet Archive's form.

``GET {endpoint}?url=<url>&timestamp=YYYYMMDD`` answers with the snapshot nearest that moment:

    {"archived_snapshots": {"closest": {"available": true, "status": "200",
                                        "url": "http://web.archive.org/web/2025…/https://…",
                                        "timestamp": "20250717093000"}}}

A suggestion is a courtesy: whatever goes wrong with the archive (timeout, error status, garbage,
another shape) means "no suggestion", never a failed run. ``ArchiveClient`` holds the fetcher, the
endpoint and a memo, so that a URL cited several times with the same date is asked about once per
run, even when the questions are asked concurrently.
"""

from __future__ import annotations

import asyncio
import json
import re
from datetime import date
from typing import TYPE_CHECKING
from urllib.parse import urlencode

if TYPE_CHECKING:
    from citecheck.fetch import Fetcher

DEFAULT_ENDPOINT = "https://archive.org/wayback/available"

_CITED_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


class ArchiveClient:
    """Asks one availability API, through ``fetcher``, for snapshots near cited dates."""

    def __init__(self, fetcher: Fetcher, endpoint: str = DEFAULT_ENDPOINT) -> None:
        self._fetcher = fetcher
        self._endpoint = endpoint
        self._asked: dict[tuple[str, str], asyncio.Task[str | None]] = {}

    async def suggest(self, url: str, cited_date: str | None, *, today: date) -> str | None:
        """The URL of the snapshot of ``url`` nearest ``cited_date`` (else ``today``), or None."""
        stamp = timestamp(cited_date, today)
        task = self._asked.get((url, stamp))
        if task is None:
            task = asyncio.ensure_future(self._ask(url, stamp))
            self._asked[(url, stamp)] = task
        return await task

    def request_url(self, url: str, stamp: str) -> str:
        """The availability question for ``url`` at ``stamp`` (YYYYMMDD)."""
        separator = "&" if "?" in self._endpoint else "?"
        return f"{self._endpoint}{separator}{urlencode({'url': url, 'timestamp': stamp})}"

    async def _ask(self, url: str, stamp: str) -> str | None:
        try:
            # The endpoint is the user's configuration, not a letter's link: no address guard.
            fetched = await self._fetcher.fetch(self.request_url(url, stamp), guard=False)
        except Exception:  # nothing the archive does may break the run
            return None
        if fetched.error is not None or not 200 <= (fetched.http_status or 0) < 300:
            return None
        return snapshot_url(fetched.body)


def timestamp(cited_date: str | None, today: date) -> str:
    """``YYYYMMDD`` of a cited ISO date (``YYYY-MM``: the 1st, ``YYYY``: 1 January), else today."""
    match = _CITED_DATE.fullmatch(cited_date or "")
    if match is None:
        return today.strftime("%Y%m%d")
    year, month, day = match.group(1), match.group(2) or "01", match.group(3) or "01"
    return f"{year}{month}{day}"


def snapshot_url(body: bytes) -> str | None:
    """The closest available snapshot's URL in an availability answer; None for anything else."""
    try:
        answer = json.loads(body)
    except (ValueError, RecursionError):  # not JSON, not text, or absurdly nested
        return None
    snapshots = answer.get("archived_snapshots") if isinstance(answer, dict) else None
    closest = snapshots.get("closest") if isinstance(snapshots, dict) else None
    if not isinstance(closest, dict) or closest.get("available") is not True:
        return None
    status, snapshot = str(closest.get("status", "")), closest.get("url")
    if not (status.isdigit() and 200 <= int(status) < 400) or not isinstance(snapshot, str):
        return None
    return snapshot if snapshot.startswith(("https://", "http://")) else None
