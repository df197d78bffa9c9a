"""Edges of the result cache that test_cache.py leaves open: conditional request headers, each
URL's history of checks, how a corrupt file is moved aside (its name, a name already taken),
upgrades from older schemas, and a file another program filled meanwhile."""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
import types
from pathlib import Path

import pytest

import citecheck.cache
from citecheck.cache import (
    APPLICATION_ID,
    HISTORY_LIMIT,
    ArchiveAnswer,
    CacheEntry,
    ResultCache,
    answer_is_fresh,
    conditions,
    revalidation_headers,
)
from citecheck.errors import ConfigError
from citecheck.models import Check, Fetched, LinkVerdict, Status
from citecheck.net.fetch import FetchOptions

CONDITIONS = "the options of these tests"
NOW = 1_750_000_000.0
DAY = 86400.0
ETAG = '"v1"'
MODIFIED = "Thu, 17 Jul 2025 08:00:00 GMT"


def _entry(
    key: str = "https://ngo.example.org/report",
    status: Status = Status.OK,
    *,
    etag: str | None = ETAG,
    last_modified: str | None = MODIFIED,
) -> CacheEntry:
    return CacheEntry(
        key=key,
        fetched=Fetched(url=key, final_url=key, http_status=200),
        meta=None,
        verdict=LinkVerdict(status, "200 OK"),
        checked_at=NOW,
        etag=etag,
        last_modified=last_modified,
    )


@pytest.fixture
def cache_path(tmp_path: Path) -> Path:
    return tmp_path / "cache" / "results.sqlite3"


def _rows(path: Path, table: str) -> int:
    db = sqlite3.connect(path)
    try:
        return int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        db.close()


# --- revalidation ------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [Status.OK, Status.MOVED])
def test_a_working_page_is_revalidated_with_both_validators(status: Status) -> None:
    assert revalidation_headers(_entry(status=status)) == {
        "If-None-Match": ETAG,
        "If-Modified-Since": MODIFIED,
    }
    assert revalidation_headers(_entry(status=status, etag=None)) == {"If-Modified-Since": MODIFIED}
    assert revalidation_headers(_entry(status=status, last_modified=None)) == {
        "If-None-Match": ETAG
    }


@pytest.mark.parametrize("status", [Status.BROKEN, Status.BLOCKED, Status.UNREACHABLE])
def test_any_other_verdict_is_asked_afresh(status: Status) -> None:
    assert revalidation_headers(_entry(status=status)) == {}


# --- freshness and conditions ------------------------------------------------------------------


def test_an_archive_answer_from_an_hour_ago_is_fresh() -> None:
    answer = ArchiveAnswer("https://archive.test/", "https://a.test/", "20250717", None, NOW)
    assert answer_is_fresh(answer, now=NOW + 3600, max_age=DAY)


def test_host_headers_in_any_mapping_give_the_same_conditions() -> None:
    table = {"b.test": (("Cookie", "b=1"),), "a.test": (("Cookie", "a=1"),)}
    as_dict = conditions(FetchOptions(host_headers=table))
    as_proxy = conditions(FetchOptions(host_headers=types.MappingProxyType(table)))
    assert as_proxy == as_dict


# --- history of checks -------------------------------------------------------------------------


def _check(at: float, status: Status = Status.BROKEN) -> Check:
    return Check(checked_at=at, status=status, http_status=404, failures=1, failing_since=NOW)


def test_the_latest_check_is_read_back_and_the_history_stays_bounded(cache_path: Path) -> None:
    key = "https://ngo.example.org/report"
    checks = [_check(NOW + hour * 3600) for hour in range(HISTORY_LIMIT + 3)]
    with ResultCache(cache_path, conditions=CONDITIONS) as cache:
        cache.add_checks((key, check) for check in checks)
        assert cache.latest_checks([key, "https://other.example.org/"]) == {key: checks[-1]}
        assert cache.warnings == []
    assert _rows(cache_path, "history") == HISTORY_LIMIT
    with ResultCache(cache_path, conditions="other options") as cache:
        assert cache.latest_checks([key]) == {}


def test_keys_that_are_no_url_get_no_history(cache_path: Path) -> None:
    with ResultCache(cache_path, conditions=CONDITIONS) as cache:
        cache.add_checks([("a\x00b", _check(NOW))])
        cache.put(_entry("a\x00b"))
        assert cache.latest_checks(["a\x00b"]) == {}
    assert _rows(cache_path, "history") == 0
    assert _rows(cache_path, "results") == 0


@pytest.mark.parametrize(
    "stored",
    [
        {"checked_at": True, "status": "broken"},  # a boolean is no time
        {"checked_at": "yesterday", "status": "broken"},
        {"checked_at": NOW, "status": "gone"},
        {"checked_at": NOW, "status": "broken", "colour": "red"},
    ],
)
def test_a_check_that_no_longer_fits_is_skipped_not_the_rest(
    cache_path: Path, stored: object
) -> None:
    first, second = "https://a.example.org/", "https://b.example.org/"
    with ResultCache(cache_path, conditions=CONDITIONS) as cache:
        cache.add_checks([(first, _check(NOW)), (second, _check(NOW + 1))])
    db = sqlite3.connect(cache_path)
    with db:
        db.execute("UPDATE history SET outcome = ? WHERE key = ?", (json.dumps(stored), first))
    db.close()
    with ResultCache(cache_path, conditions=CONDITIONS) as cache:
        assert cache.latest_checks([first, second]) == {second: _check(NOW + 1)}


def test_a_check_stored_with_a_whole_number_time_reads_back_as_float(cache_path: Path) -> None:
    key = "https://a.example.org/"
    with ResultCache(cache_path, conditions=CONDITIONS) as cache:
        cache.add_checks([(key, _check(NOW))])
    db = sqlite3.connect(cache_path)
    with db:
        db.execute(
            "UPDATE history SET outcome = ?",
            (json.dumps({"checked_at": 1_750_000_000, "status": "ok"}),),
        )
    db.close()
    with ResultCache(cache_path, conditions=CONDITIONS) as cache:
        (check,) = cache.latest_checks([key]).values()
    assert check == Check(checked_at=NOW, status=Status.OK)
    assert isinstance(check.checked_at, float)


# --- a failed write ----------------------------------------------------------------------------


def test_a_failed_write_names_sqlites_reason(cache_path: Path) -> None:
    with ResultCache(cache_path, conditions=CONDITIONS) as cache:
        # Stands in for a file made read-only during the run, as in test_cache.py.
        cache._conn.execute("PRAGMA query_only = 1")  # type: ignore[union-attr]
        cache.put(_entry())
        assert cache.warnings == [
            f"cache file {cache_path} failed (attempt to write a readonly database); "
            "running without a cache"
        ]


# --- a corrupt file moved aside ----------------------------------------------------------------


def _corrupt(path: Path) -> None:
    with ResultCache(path, conditions=CONDITIONS) as cache:
        cache.put_many(_entry(f"https://ngo.example.org/{i}") for i in range(50))
    data = path.read_bytes()
    path.write_bytes(data[:100] + bytes(b % 7 + 0xA0 for b in range(len(data) - 100)))


def _new_asides(path: Path, before: set[Path]) -> list[Path]:
    return sorted(set(path.parent.glob(f"{path.name}.corrupt-*")) - before)


def test_the_aside_is_named_with_the_time_it_was_moved(cache_path: Path) -> None:
    _corrupt(cache_path)
    with ResultCache(cache_path, conditions=CONDITIONS) as cache:
        (aside,) = _new_asides(cache_path, set())
        assert re.fullmatch(r"results\.sqlite3\.corrupt-\d{8}T\d{6}", aside.name)
        assert cache.warnings == [f"cache file {cache_path} was corrupt; moved aside to {aside}"]


def test_an_aside_already_there_is_never_overwritten(cache_path: Path) -> None:
    _corrupt(cache_path)
    # Asides for this second and the next two: the new one cannot take the plain name.
    start = time.time()
    taken = {
        cache_path.with_name(
            f"{cache_path.name}.corrupt-{time.strftime('%Y%m%dT%H%M%S', time.localtime(at))}"
        )
        for at in (start, start + 1, start + 2)
    }
    for path in taken:
        path.write_text(f"an earlier aside: {path.name}")
    with ResultCache(cache_path, conditions=CONDITIONS) as cache:
        (aside,) = _new_asides(cache_path, taken)
        assert aside.with_name(aside.name.removesuffix("-1")) in taken
        assert cache.enabled
    for path in taken:
        assert path.read_text() == f"an earlier aside: {path.name}"


# --- older schemas -----------------------------------------------------------------------------


def test_a_version_2_cache_keeps_its_results_and_gains_a_history(cache_path: Path) -> None:
    with ResultCache(cache_path, conditions=CONDITIONS) as cache:
        cache.put(_entry())
    db = sqlite3.connect(cache_path)
    with db:
        db.execute("DROP TRIGGER history_bound")
        db.execute("DROP TABLE history")
        db.execute("PRAGMA user_version = 2")
    db.close()
    with ResultCache(cache_path, conditions=CONDITIONS) as cache:
        assert cache.get(_entry().key) == _entry()
        cache.add_checks([(_entry().key, _check(NOW))])
        assert cache.latest_checks([_entry().key]) == {_entry().key: _check(NOW)}
        assert cache.warnings == []


def test_a_version_1_cache_has_every_table_replaced(cache_path: Path) -> None:
    cache_path.parent.mkdir(parents=True)
    db = sqlite3.connect(cache_path)
    with db:
        db.execute("CREATE TABLE results (key TEXT PRIMARY KEY, data TEXT)")
        db.execute("CREATE TABLE archive (url TEXT, snapshot TEXT)")
        db.execute("CREATE TABLE history (key TEXT, outcome TEXT)")
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        db.execute("PRAGMA user_version = 1")
    db.close()
    answer = ArchiveAnswer("https://archive.test/", "https://a.test/", "20250717", None, NOW)
    with ResultCache(cache_path, conditions=CONDITIONS) as cache:
        cache.put(_entry())
        cache.put_answers([answer])
        cache.add_checks([(_entry().key, _check(NOW))])
        assert cache.get(_entry().key) == _entry()
        assert cache.get_answers(answer.endpoint, [(answer.url, answer.stamp)]) == {
            (answer.url, answer.stamp): answer
        }
        assert cache.latest_checks([_entry().key]) == {_entry().key: _check(NOW)}
        assert cache.warnings == []


# --- a file another program filled meanwhile ---------------------------------------------------


@pytest.mark.parametrize(
    "statements",
    [
        ["CREATE TABLE users (name TEXT)"],
        ["PRAGMA application_id = 7"],
        ["PRAGMA user_version = 5"],
    ],
    ids=["tables", "application-id", "user-version"],
)
def test_a_database_filled_by_another_program_after_the_header_was_read_is_refused(
    cache_path: Path, monkeypatch: pytest.MonkeyPatch, statements: list[str]
) -> None:
    cache_path.parent.mkdir(parents=True)
    db = sqlite3.connect(cache_path)
    with db:
        for statement in statements:
            db.execute(statement)
    db.close()
    before = cache_path.read_bytes()
    # The race itself cannot be staged: the header is read as it was a moment earlier (empty).
    monkeypatch.setattr(citecheck.cache, "_not_ours", lambda path: None)
    with pytest.raises(ConfigError) as refused:
        ResultCache(cache_path, conditions=CONDITIONS)
    assert str(refused.value) == (
        f"cache file {cache_path} is not a citecheck cache (it is an SQLite database of another "
        "program); it was left as it is: choose another --cache-path, or use --no-cache"
    )
    assert cache_path.read_bytes() == before


# --- threads and places ------------------------------------------------------------------------


def test_a_cache_opened_in_one_thread_serves_another(cache_path: Path) -> None:
    with ResultCache(cache_path, conditions=CONDITIONS) as cache:
        worker = threading.Thread(target=cache.put, args=(_entry(),))
        worker.start()
        worker.join()
        assert cache.get(_entry().key) == _entry()
        assert cache.warnings == []
        assert cache.enabled


def test_a_folder_that_cannot_be_made_is_named_with_the_systems_reason(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be\n")
    path = blocker / "citecheck" / "results.sqlite3"
    with ResultCache(path, conditions=CONDITIONS) as cache:
        assert cache.warnings == [
            f"cache folder {path.parent} cannot be created (Not a directory); "
            "running without a cache"
        ]
