"""Archived copies nearest a date, asked of a Wayback Machine the way it answers reliably.

The endpoint's shape picks how it is asked:

* any other address, such as ``https://web.archive.org`` (config's default): ``GET
  {endpoint}/web/<ts>/<url>`` redirects to the capture nearest ``<ts>`` (YYYYMMDDhhmmss); a 404
  means no capture. The capture is the redirect's Location, ``…/web/<capture ts>/<url>``, read
  without following it (an exact hit answers 200 with the capture itself).
* a path ending in ``/cdx/search/cdx``: the CDX API, asked for one capture with status 200, the one
  closest to ``<ts>``; its copy is ``<site>/web/<timestamp>/<original>``.
* a path ending in ``/wayback/available``: the older availability API, kept because it is cheap; it
  often says "none" for pages that are archived, so it is no longer the default.

A suggestion is a courtesy: whatever goes wrong with the archive (timeout, error status, garbage)
means "no suggestion", never a failed run. ``ArchiveClient.lookup`` tells an answer (a capture, or
the archive saying it has none: worth keeping) from a failure to get one (worth asking again).
Asking each (URL, date) once, and caching, is the caller's part.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urljoin, urlsplit

if TYPE_CHECKING:
    from citecheck.models import Fetched
    from citecheck.net.fetch import Fetcher

_CDX_PATH = "/cdx/search/cdx"
_AVAILABLE_PATH = "/wayback/available"
_CITED_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
# A capture address: /web/<14 digits>, maybe a replay flag such as id_, then the archived URL.
_CAPTURE = re.compile(r"/web/(\d{14})(?:[a-z]{2}_)?/\S")
_STAMP = re.compile(r"\d{14}")


@dataclass(frozen=True, slots=True)
class Answer:
    """The archive's answer about one URL at one date; ``snapshot`` None: it has no usable one."""

    snapshot: str | None


class ArchiveClient:
    """Asks one archive, through ``fetcher``, for the captures nearest cited dates."""

    def __init__(self, fetcher: Fetcher, endpoint: str) -> None:
        self._fetcher = fetcher
        self._endpoint = endpoint.rstrip("/")
        path = urlsplit(self._endpoint).path
        self._form = next(
            (form for form in (_CDX_PATH, _AVAILABLE_PATH) if path.endswith(form)), ""
        )

    async def lookup(self, url: str, stamp: str) -> Answer | None:
        """The answer about ``url`` nearest ``stamp`` (YYYYMMDDhhmmss); None if none came."""
        try:
            # The endpoint is the user's configuration, not a letter's link: no address guard.
            fetched = await self._fetcher.fetch(
                self.request_url(url, stamp), guard=False, follow_redirects=bool(self._form)
            )
        except Exception:  # nothing the archive does may break the run
            return None
        if fetched.error is not None:
            return None
        if not self._form:
            return read_redirect(fetched)
        if not 200 <= (fetched.http_status or 0) < 300:
            return None
        if self._form == _CDX_PATH:
            return read_cdx(fetched.body, self._endpoint.removesuffix(_CDX_PATH))
        return read_answer(fetched.body)

    def request_url(self, url: str, stamp: str) -> str:
        """The question for ``url`` at ``stamp`` (YYYYMMDDhhmmss), in the endpoint's form."""
        url = url.split("#", 1)[0]  # a fragment is never sent, so never archived either
        if not self._form:
            return f"{self._endpoint}/web/{stamp}/{url}"
        query = {"url": url, "timestamp": stamp}
        if self._form == _CDX_PATH:
            query = {"url": url, "closest": stamp, "sort": "closest"}
            query |= {"filter": "statuscode:200", "limit": "1", "output": "json"}
        separator = "&" if "?" in self._endpoint else "?"
        return f"{self._endpoint}{separator}{urlencode(query)}"


def timestamp(cited_date: str | None, fallback: date) -> str:
    """``YYYYMMDDhhmmss`` (UTC) at the middle of the period a cited ISO date names, else of
    ``fallback``'s day.

    The middle of a day is noon; of ``YYYY-MM``, half-way through the month; of ``YYYY``, half-way
    through the year (2 July). It is the one moment whose nearest capture is always inside the
    period when the archive has any capture inside it: such a capture is at most half the period
    away, any capture outside is further.
    """
    match = _CITED_DATE.fullmatch(cited_date or "")
    try:
        if match is None:
            raise ValueError
        year, month, day = int(match[1]), int(match[2] or 0), int(match[3] or 0)
        start = datetime(year, month or 1, day or 1, tzinfo=UTC)
    except ValueError:  # no cited date, or one no calendar has
        year, month, day = fallback.year, fallback.month, fallback.day
        start = datetime(year, month, day, tzinfo=UTC)
    if day:
        end = start + timedelta(days=1)
    elif month:
        end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
    else:
        end = datetime(year + 1, 1, 1, tzinfo=UTC)
    return (start + (end - start) / 2).strftime("%Y%m%d%H%M%S")


def read_redirect(fetched: Fetched) -> Answer | None:
    """The answer to ``/web/<ts>/<url>``: the capture its redirect names, or none (404).

    The redirect is not followed: its Location is the answer, and replaying the capture would
    cost the archive a second request. A 200 is the capture itself, asked at its exact moment.
    """
    status = fetched.http_status or 0
    if status in (404, 410):
        return Answer(None)
    if 300 <= status < 400:
        location = fetched.header("location")
        capture = urljoin(fetched.url, location.strip()) if location else None
    elif 200 <= status < 300:
        capture = fetched.url
    else:
        return None  # an archive in trouble says nothing about the page: ask again another time
    if capture is None or not capture.startswith(("https://", "http://")):
        return None
    if not _CAPTURE.search(urlsplit(capture).path):
        return None  # sent somewhere that is no capture (a login page, a notice): no answer
    return Answer(capture)


def read_cdx(body: bytes, site: str) -> Answer | None:
    """The answer in a CDX ``output=json`` response: a header row, then at most one capture.

    Only a capture archived with status 200 counts, even if the server ignored the filter.
    """
    try:
        rows = json.loads(body)
    except (ValueError, RecursionError):
        return None
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        return None
    if len(rows) < 2:
        return Answer(None)  # [] or a header alone: no capture
    header, row = rows[0], rows[1]
    fields = dict(zip(header, row, strict=False))
    stamp, original = fields.get("timestamp"), fields.get("original")
    if not isinstance(stamp, str) or not _STAMP.fullmatch(stamp) or not isinstance(original, str):
        return None
    if str(fields.get("statuscode", "200")) != "200":
        return Answer(None)
    if not original.startswith(("https://", "http://")):
        return None
    return Answer(f"{site}/web/{stamp}/{original}")


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
