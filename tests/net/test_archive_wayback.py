"""--suggest-archive through the CLI, against a loopback archive that behaves like the Wayback
Machine: ``/web/<ts>/<url>`` redirects to the capture nearest ``<ts>``, 404 when there is none."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from servers import LoopbackServer, Reply, Request

_ASKED = re.compile(r"/web/(\d{14})/(.+)")
# What the archive holds for each cited page (by path): capture times, YYYYMMDDhhmmss.
CAPTURES = {
    "/exact": ["20250716230000", "20250717150000", "20250718010000"],
    "/month": ["20250701000000", "20250715000000", "20250731235900", "20250806000000"],
    "/year": ["20240101000000", "20250101000000", "20250703000000", "20251231000000"],
    "/before-the-month": ["20250629000000", "20250802000000"],
    "/undated": ["20210301000000", "20220301000000", "20230301000000"],
    "/mismatch": ["20190601000000", "20230601000000"],
}


class Wayback(LoopbackServer):
    """A loopback Wayback Machine over ``CAPTURES``; ``/slow/`` pages make it hang, ``/broken/``
    ones make it answer garbage, ``/down/`` ones a 503, ``/elsewhere/`` ones redirect to a login."""

    def _answer(self, request: Request) -> Reply:
        answer = super()._answer(request)  # records the request; unknown paths: 404
        if request.path.startswith("/cdx/search/cdx?"):
            return self._cdx(request)
        asked = _ASKED.fullmatch(request.path)
        if asked is None:
            return answer
        stamp, url = asked.groups()
        path = "/" + url.split("/", 3)[3]
        if path.startswith("/slow/"):
            return Reply(302, headers=[("Location", "/")], delay=3.0)
        if path.startswith("/broken/"):
            return Reply(raw=b"HTTP/1.1 2OO OK\r\nContent-Length: 7\r\n\r\nbroken", reset=True)
        if path.startswith("/down/"):
            return Reply(503, b"Wayback is being upgraded")
        if path.startswith("/elsewhere/"):
            return Reply(302, headers=[("Location", "/login?next=archive")])
        captures = CAPTURES.get(path)
        if not captures:
            return Reply(404, b"Hrm. Wayback Machine has not archived that URL.")
        moment = _moment(stamp)
        nearest = min(captures, key=lambda capture: abs(_moment(capture) - moment))
        if nearest == stamp:
            return Reply(200, b"<title>archived</title>", [("Content-Type", "text/html")])
        return Reply(302, headers=[("Location", self.url(f"/web/{nearest}/{url}"))])

    def _cdx(self, request: Request) -> Reply:
        """The CDX API: the capture closest to ``closest``, header row first; [] for none."""
        query = {key: values[0] for key, values in parse_qs(urlsplit(request.path).query).items()}
        url = query["url"]
        captures = CAPTURES.get(urlsplit(url).path, [])
        if query.get("sort") != "closest" or not captures:
            return Reply(200, b"[]", [("Content-Type", "application/json")])
        moment = _moment(query["closest"])
        nearest = min(captures, key=lambda capture: abs(_moment(capture) - moment))
        header = ["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"]
        row = ["test)/page", nearest, url, "text/html", "200", "SHA1", "1234"]
        return Reply(
            200, json.dumps([header, row]).encode(), [("Content-Type", "application/json")]
        )

    def asked(self) -> list[tuple[str, str]]:
        """(moment asked, cited page's path) of every question put to the archive."""
        found = (_ASKED.fullmatch(request.path) for request in self.requests)
        return [(m[1], "/" + m[2].split("/", 3)[3]) for m in found if m is not None]


def _moment(stamp: str) -> datetime:
    return datetime.strptime(stamp, "%Y%m%d%H%M%S")


@pytest.fixture
def wayback() -> Iterator[Wayback]:
    with Wayback("127.0.0.4") as server:
        yield server


@pytest.fixture
def gone(loopback):  # type: ignore[no-untyped-def]
    """A site where every page is gone (404): the letter's links are all broken."""
    return loopback(host="127.0.0.3")


def write_letter(folder: Path, site: LoopbackServer, dated: dict[str, str]) -> Path:
    """A letter citing ``site``'s pages, each with the date written after it ('' for none)."""
    letter = folder / "letter.md"
    notes = [
        f"[^{n}]: [Report {n}]({site.url(path)}){when}\n"
        for n, (path, when) in enumerate(dated.items())
    ]
    letter.write_text("".join(f"See.[^{n}]\n" for n in range(len(notes))) + "\n" + "".join(notes))
    return letter


Check = Callable[..., dict[str, dict[str, object]]]


@pytest.fixture
def check(cli: Callable[..., Any], wayback: Wayback, tmp_path: Path) -> Check:
    """``citecheck check LETTER --suggest-archive`` against the loopback archive, as JSON: each
    reference's record by its URL's path."""

    def run(letter: Path, *extra: str, endpoint: str = "/") -> dict[str, dict[str, object]]:
        result = cli(
            "check", letter, "--format", "json", "--suggest-archive", "--allow-private",
            "--archive-endpoint", wayback.url(endpoint), "--cache-path", tmp_path / "cache.db",
            "--retries", "0", "--timeout", "0.5", *extra,
        )  # fmt: skip
        assert result.code in (0, 1), result.err  # 1: the letter has problems
        records = json.loads(result.out)["references"]
        return {"/" + r["url"].split("/", 3)[3]: r for r in records}

    return run


def test_the_capture_nearest_an_exact_month_only_and_year_only_cited_date(
    check: Check, wayback: Wayback, gone: LoopbackServer, tmp_path: Path
) -> None:
    dated = {
        "/exact": ", 17 July 2025",
        "/month": ", July 2025",
        "/year": " (2025)",
        "/before-the-month": ", July 2025",
        "/never-archived": ", 17 July 2025",
    }
    found = check(write_letter(tmp_path, gone, dated))
    # The day's noon, the month's middle, the year's middle (2 July): the capture nearest the
    # middle is inside the period whenever one is, at its start (1 Jul) or end (31 Jul) alike.
    assert sorted(wayback.asked()) == sorted(
        [
            ("20250717120000", "/exact"),
            ("20250716120000", "/month"),
            ("20250702120000", "/year"),
            ("20250716120000", "/before-the-month"),
            ("20250717120000", "/never-archived"),
        ]
    )
    suggested = {path: record["suggestion"] for path, record in found.items()}
    assert suggested == {
        "/exact": wayback.url(f"/web/20250717150000/{gone.url('/exact')}"),
        "/month": wayback.url(f"/web/20250715000000/{gone.url('/month')}"),
        "/year": wayback.url(f"/web/20250703000000/{gone.url('/year')}"),
        "/before-the-month": wayback.url(f"/web/20250802000000/{gone.url('/before-the-month')}"),
        "/never-archived": None,
    }
    assert {record["status"] for record in found.values()} == {"broken"}


def test_a_slow_broken_or_failing_archive_is_no_suggestion_and_no_failure(
    cli: Callable[..., Any], check: Check, wayback: Wayback, gone: LoopbackServer, tmp_path: Path
) -> None:
    failed = ["/slow/a", "/broken/b", "/down/c", "/elsewhere/d"]
    dated = dict.fromkeys([*failed, "/exact"], ", 17 July 2025")
    found = check(write_letter(tmp_path, gone, dated))
    assert [(path, r["status"], r["suggestion"]) for path, r in found.items()] == [
        ("/slow/a", "broken", None),
        ("/broken/b", "broken", None),
        ("/down/c", "broken", None),
        ("/elsewhere/d", "broken", None),
        ("/exact", "broken", wayback.url(f"/web/20250717150000/{gone.url('/exact')}")),
    ]
    # A failure is no answer: asked again next run, where the answer found is not.
    check(write_letter(tmp_path, gone, dated))
    assert sorted(path for _, path in wayback.asked()) == sorted([*failed, *failed, "/exact"])


def test_a_rerun_asks_the_archive_nothing_and_offline_never_asks_it(
    check: Check, wayback: Wayback, gone: LoopbackServer, tmp_path: Path
) -> None:
    letter = write_letter(tmp_path, gone, {"/exact": ", 17 July 2025", "/never-archived": ""})
    offline = check(letter, "--offline")
    assert [(r["status"], r["suggestion"]) for r in offline.values()] == [
        ("unreachable", None),
        ("unreachable", None),
    ]
    assert wayback.requests == []
    first = check(letter)
    assert len(wayback.requests) == 2  # one question per (URL, date), the capture not followed
    suggested = {path: record["suggestion"] for path, record in first.items()}
    assert suggested == {
        "/exact": wayback.url(f"/web/20250717150000/{gone.url('/exact')}"),
        "/never-archived": None,
    }
    again = check(letter)
    assert {path: record["suggestion"] for path, record in again.items()} == suggested
    assert len(wayback.requests) == 2
    assert check(letter, "--offline")["/exact"]["suggestion"] == first["/exact"]["suggestion"]
    assert len(wayback.requests) == 2


def test_an_undated_citation_is_looked_up_at_the_letters_last_commit(
    check: Check, wayback: Wayback, gone: LoopbackServer, tmp_path: Path
) -> None:
    letter = write_letter(tmp_path, gone, {"/undated": ""})
    git = ["git", "-C", str(tmp_path), "-c", "user.name=Editor", "-c", "user.email=e@example.org"]
    when = {"GIT_COMMITTER_DATE": "2022-03-04T10:00:00Z", "GIT_AUTHOR_DATE": "2022-03-04T10:00Z"}
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", letter.name], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "letter"], check=True, env={**os.environ, **when})
    (found,) = check(letter).values()
    assert wayback.asked() == [("20220304120000", "/undated")]
    assert found["suggestion"] == wayback.url(f"/web/20220301000000/{gone.url('/undated')}")


def test_an_undated_citation_outside_git_is_looked_up_at_the_letters_modification_day(
    check: Check, wayback: Wayback, gone: LoopbackServer, tmp_path: Path
) -> None:
    letter = write_letter(tmp_path, gone, {"/undated": ""})
    moment = datetime(2021, 2, 20, 18, 30, tzinfo=UTC).timestamp()
    os.utime(letter, (moment, moment))
    (found,) = check(letter).values()
    assert wayback.asked() == [("20210220120000", "/undated")]
    assert found["suggestion"] == wayback.url(f"/web/20210301000000/{gone.url('/undated')}")


def test_a_mismatched_reference_keeps_its_citation_and_gains_the_capture_from_its_date(
    check: Check,
    wayback: Wayback,
    loopback,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    site = loopback(host="127.0.0.3")
    page = b"<html><head><title>Annual report 2023</title></head><body>New.</body></html>"
    site.route("/mismatch", Reply(200, page, [("Content-Type", "text/html")]))
    letter = tmp_path / "letter.md"
    letter.write_text(
        f"See.[^1]\n\n[^1]: [Annual report 2019]({site.url('/mismatch')}), June 2019\n"
    )
    (found,) = check(letter).values()
    capture = wayback.url(f"/web/20190601000000/{site.url('/mismatch')}")
    assert found["status"] == "mismatched"
    assert found["suggestion"] is not None and "Annual report 2023" in str(found["suggestion"])
    assert f"archived copy: {capture}" in str(found["message"])
    assert wayback.asked() == [("20190616000000", "/mismatch")]


def test_a_cdx_endpoint_is_asked_for_the_closest_capture_archived_with_200(
    check: Check, wayback: Wayback, gone: LoopbackServer, tmp_path: Path
) -> None:
    dated = {"/exact": ", 17 July 2025", "/year": " (2025)", "/never-archived": ", 2025"}
    found = check(write_letter(tmp_path, gone, dated), endpoint="/cdx/search/cdx")
    assert {path: record["suggestion"] for path, record in found.items()} == {
        "/exact": wayback.url(f"/web/20250717150000/{gone.url('/exact')}"),
        "/year": wayback.url(f"/web/20250703000000/{gone.url('/year')}"),
        "/never-archived": None,
    }
    asked = [parse_qs(urlsplit(request.path).query) for request in wayback.requests]
    assert sorted((q["url"][0], q["closest"][0]) for q in asked) == [
        (gone.url("/exact"), "20250717120000"),
        (gone.url("/never-archived"), "20250702120000"),
        (gone.url("/year"), "20250702120000"),
    ]
    assert {(q["filter"][0], q["limit"][0], q["output"][0]) for q in asked} == {
        ("statuscode:200", "1", "json")
    }
