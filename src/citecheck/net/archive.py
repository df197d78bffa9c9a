"""Archived-copy suggestions from an availability API in the Internet Archive's form.

``GET {endpoint}?url=<url>&timestamp=YYYYMMDD`` answers with the snapshot nearest that moment:

    {"archived_snapshots": {"closest": {"available": true, "status": "200",
                                        "url": "http://web.archive.org/web/2025…/https://…",
                                        "timestamp": "20250717093000"}}}

A suggestion is a courtesy: whatever goes wrong with the archive (timeout, error status, garbage)
means "no suggestion", never a failed run. ``ArchiveClient.lookup`` tells an answer (a snapshot, or
the archive saying it has none: worth keeping) from a failure to get one (worth asking again).
Asking each (URL, date) once, and caching, is the caller's part.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING
from urllib.parse import urlencode

if TYPE_CHECKING:
    from citecheck.net.fetch import Fetcher

DEFAULT_ENDPOINT = "https://archive.org/wayback/available"

_CITED_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


@dataclass(frozen=True, slots=True)
class Answer:
    """The archive's answer about one URL at one date; ``snapshot`` None: it has no usable one."""

    snapshot: str | None


class ArchiveClient:
    """Asks one availability API, through ``fetcher``, for snapshots near cited dates."""

    def __init__(self, fetcher: Fetcher, endpoint: str = DEFAULT_ENDPOINT) -> None:
        self._fetcher = fetcher
        self._endpoint = endpoint

    async def lookup(self, url: str, stamp: str) -> Answer | None:
        """The archive's answer about ``url`` nearest ``stamp`` (YYYYMMDD); None if it gave none."""
        try:
            # The endpoint is the user's configuration, not a letter's link: no address guard.
            fetched = await self._fetcher.fetch(self.request_url(url, stamp), guard=False)
        except Exception:  # nothing the archive does may break the run
            return None
        if fetched.error is not None or not 200 <= (fetched.http_status or 0) < 300:
            return None
        return read_answer(fetched.body)

    def request_url(self, url: str, stamp: str) -> str:
        """The availability question for ``url`` at ``stamp`` (YYYYMMDD)."""
        separator = "&" if "?" in self._endpoint else "?"
        return f"{self._endpoint}{separator}{urlencode({'url': url, 'timestamp': stamp})}"


def timestamp(cited_date: str | None, today: date) -> str:
    """``YYYYMMDD`` of a cited ISO date (``YYYY-MM``: the 1st, ``YYYY``: 1 January), else today."""
    match = _CITED_DATE.fullmatch(cited_date or "")
    if match is None:
        return today.strftime("%Y%m%d")
    year, month, day = match.group(1), match.group(2) or "01", match.group(3) or "01"
    return f"{year}{month}{day}"


def read_answer(body: bytes) -> Answer | None:
    """The answer in an availability response; None when the body is not one (garbage, an error).

    An object with ``archived_snapshots`` is an answer; its closest snapshot counts when it is
    available, archived with a 2xx or 3xx status and has an http(s) URL.
    """
    try:
        answer = json.loads(body)
    except (ValueError, RecursionError):  # not JSON, not text, or absurdly nested
        return None
    snapshots = answer.get("archived_snapshots") if isinstance(answer, dict) else None
    if not isinstance(snapshots, dict):
        return None
    return Answer(_closest(snapshots))


def _closest(snapshots: dict[str, object]) -> str | None:
    closest = snapshots.get("closest")
    if not isinstance(closest, dict) or closest.get("available") is not True:
        return None
    status, snapshot = str(closest.get("status", "")), closest.get("url")
    if not (status.isdigit() and 200 <= int(status) < 400) or not isinstance(snapshot, str):
        return None
    return snapshot if snapshot.startswith(("https://", "http://")) else None
