"""The result cache: hits, freshness policy, exact round trips, bad files and shared use."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citecheck.cache import (
    ArchiveAnswer,
    CacheEntry,
    ResultCache,
    answer_is_fresh,
    conditions,
    default_cache_path,
    is_fresh,
)
from citecheck.errors import ConfigError
from citecheck.models import Fetched, FetchError, LinkVerdict, PageMeta, Redirect, Status
from citecheck.net.fetch import FetchOptions

SRC = Path(__file__).resolve().parent.parent / "src"
CONDITIONS = "the options of these tests"
HOUR = 3600.0
DAY = 86400.0


def make_entry(
    key: str = "https://www.hrw.org/news/2025/07/17/china-eu-summit",
    *,
    status: Status = Status.OK,
    http_status: int | None = 200,
    checked_at: float = 1_750_000_000.0,
) -> CacheEntry:
    """A cache entry with every field of every record filled in."""
    fetched = Fetched(
        url=key,
        final_url=key + "?lang=en",
        http_status=http_status,
        reason="OK",
        redirects=(Redirect(key.replace("https:", "http:"), 301), Redirect(key, 308)),
        content_type="text/html; charset=utf-8",
        headers=(("content-type", "text/html; charset=utf-8"), ("etag", '"abc"')),
        truncated=True,
        error=None,
        error_detail=None,
        elapsed_ms=183,
        attempts=2,
    )
    meta = PageMeta(
        title="China: Arbitrary Detention – “Uyghurs” ✓",
        title_source="og:title",
        title_candidates=("China: Arbitrary Detention", "Human Rights Watch"),
        published="2025-07-17",
        date_source="article:published_time",
        site_name="Human Rights Watch",
        canonical=key,
        lang="en",
        description="Joint NGO letter ahead of the EU-China Summit.",
        headings=("Joint letter", "Recommendations"),
        text_head="Dear President…\x00 with a NUL",
        anchors=frozenset({"fn1", "recommendations", "top"}),
    )
    verdict = LinkVerdict(status=status, message=f"{http_status} OK", suggestion=key + "/new")
    return CacheEntry(
        key=key,
        fetched=fetched,
        meta=meta,
        verdict=verdict,
        checked_at=checked_at,
        etag='"abc"',
        last_modified="Thu, 17 Jul 2025 08:00:00 GMT",
    )


@pytest.fixture
def cache_path(tmp_path: Path) -> Path:
    return tmp_path / "nested" / "folder" / "results.sqlite3"


# --- hits and misses ---------------------------------------------------------------------------


def test_hit_after_put_and_miss_for_unknown_key(cache_path: Path) -> None:
    entry = make_entry()
    with ResultCache(cache_path, conditions=CONDITIONS) as cache:
        cache.put(entry)
        assert cache.get(entry.key) == entry
        assert cache.get("https://www.hrw.org/other") is None
        assert cache.warnings == []
    assert cache_path.is_file()  # parent folders were created


def test_entries_survive_reopening(cache_path: Path) -> None:
    entry = make_entry()
    with ResultCache(cache_path, conditions=CONDITIONS) as cache:
        cache.put(entry)
    with ResultCache(cache_path, conditions=CONDITIONS) as cache:
        assert cache.get(entry.key) == entry


def test_body_is_not_stored(cache_path: Path) -> None:
    entry = make_entry()
    with_body = replace(entry, fetched=replace(entry.fetched, body=b"<html>" * 1000))
    with ResultCache(cache_path, conditions=CONDITIONS) as cache:
        cache.put(with_body)
        assert cache.get(entry.key) == entry
        assert cache.get(entry.key).fetched.body == b""  # type: ignore[union-attr]


def test_entry_without_meta_and_with_fetch_error(cache_path: Path) -> None:
    entry = CacheEntry(
        key="https://gone.example.org/",
        fetched=Fetched(
            url="https://gone.example.org/",
            error=FetchError.NAME_NOT_FOUND,
            error_detail="[Errno -2] Name or service not known",
        ),
        meta=None,
        verdict=LinkVerdict(Status.BROKEN, "name not found"),
        checked_at=12.5,
        etag=None,
        last_modified=None,
    )
    with ResultCache(cache_path, conditions=CONDITIONS) as cache:
        cache.put(entry)
        assert cache.get(entry.key) == entry


def test_newer_result_is_not_overwritten_by_older(cache_path: Path) -> None:
    newer = make_entry(checked_at=2000.0, status=Status.BROKEN, http_status=404)
    older = make_entry(checked_at=1000.0)
    with ResultCache(cache_path, conditions=CONDITIONS) as cache:
        cache.put(newer)
        cache.put(older)
        assert cache.get(newer.key) == newer
        latest = make_entry(checked_at=3000.0)
        cache.put(latest)
        assert cache.get(newer.key) == latest


def test_closed_cache_misses_and_drops_writes(cache_path: Path) -> None:
    cache = ResultCache(cache_path, conditions=CONDITIONS)
    cache.close()
    cache.close()  # closing twice is harmless
    assert not cache.enabled
    cache.put(make_entry())
    assert cache.get(make_entry().key) is None
    assert cache.get_many([make_entry().key]) == {}


# --- round trip --------------------------------------------------------------------------------


def test_round_trip_is_exact_with_types_restored(cache_path: Path) -> None:
    entry = make_entry()
    with ResultCache(cache_path, conditions=CONDITIONS) as cache:
        cache.put(entry)
        back = cache.get(entry.key)
    assert back == entry
    assert back is not None and back.meta is not None
    assert isinstance(back.verdict.status, Status)
    assert isinstance(back.fetched.redirects, tuple)
    assert isinstance(back.fetched.redirects[0], Redirect)
    assert isinstance(back.fetched.headers[0], tuple)
    assert isinstance(back.meta.anchors, frozenset)
    assert isinstance(back.meta.title_candidates, tuple)
    assert back.fetched.header("etag") == '"abc"'


_text = st.text(max_size=30)
_opt_text = st.none() | _text
_fetched = st.builds(
    Fetched,
    url=_text,
    final_url=_opt_text,
    http_status=st.none() | st.integers(100, 599),
    reason=_opt_text,
    redirects=st.lists(
        st.builds(Redirect, url=_text, status=st.integers(300, 399)), max_size=3
    ).map(tuple),
    content_type=_opt_text,
    headers=st.lists(st.tuples(_text, _text), max_size=3).map(tuple),
    truncated=st.booleans(),
    error=st.none() | st.sampled_from(FetchError),
    error_detail=_opt_text,
    elapsed_ms=st.none() | st.integers(0, 10**6),
    attempts=st.integers(1, 5),
)
_meta = st.builds(
    PageMeta,
    title=_opt_text,
    title_source=_opt_text,
    title_candidates=st.lists(_text, max_size=3).map(tuple),
    published=_opt_text,
    date_source=_opt_text,
    site_name=_opt_text,
    canonical=_opt_text,
    lang=_opt_text,
    description=_opt_text,
    headings=st.lists(_text, max_size=3).map(tuple),
    text_head=_text,
    anchors=st.frozensets(_text, max_size=4),
)
_entries = st.builds(
    CacheEntry,
    key=_text.filter(lambda key: "\x00" not in key),
    fetched=_fetched,
    meta=st.none() | _meta,
    verdict=st.builds(
        LinkVerdict, status=st.sampled_from(Status), message=_text, suggestion=_opt_text
    ),
    checked_at=st.floats(0, 4e9, allow_nan=False),
    etag=_opt_text,
    last_modified=_opt_text,
)


@settings(max_examples=60, deadline=None)
@given(entry=_entries)
def test_round_trip_of_any_entry(
    tmp_path_factory: pytest.TempPathFactory, entry: CacheEntry
) -> None:
    path = tmp_path_factory.mktemp("prop") / "results.sqlite3"
    with ResultCache(path, conditions=CONDITIONS) as cache:
        cache.put(entry)
        assert cache.get(entry.key) == entry


def test_lone_surrogate_survives(cache_path: Path) -> None:
    entry = make_entry()
    odd = replace(entry, meta=replace(entry.meta, title="bad \udcff byte"))  # type: ignore[type-var]
    with ResultCache(cache_path, conditions=CONDITIONS) as cache:
        cache.put(odd)
        assert cache.get(entry.key) == odd


def test_keys_that_are_no_url_are_never_cached_and_never_crash(cache_path: Path) -> None:
    with ResultCache(cache_path, conditions=CONDITIONS) as cache:
        for key in ("a\x00b", "bad \udcff byte"):
            cache.put(make_entry(key))
            assert cache.get(key) is None
            assert cache.get_many([key, "https://x.example.org/"]) == {}
        assert cache.warnings == []
        assert cache.enabled


# --- many at once ------------------------------------------------------------------------------


def test_put_many_and_get_many_3000_in_one_transaction_and_one_query(cache_path: Path) -> None:
    entries = [make_entry(f"https://site{i % 40}.example.org/page/{i}") for i in range(3000)]
    with ResultCache(cache_path, conditions=CONDITIONS) as cache:
        statements: list[str] = []
        cache._conn.set_trace_callback(statements.append)  # type: ignore[union-attr]
        cache.put_many(entries)
        assert [s for s in statements if s.startswith(("BEGIN", "COMMIT"))] == [
            "BEGIN IMMEDIATE",
            "COMMIT",
        ]

        statements.clear()
        wanted = [entry.key for entry in entries] + ["https://not.cached.example.org/"]
        found = cache.get_many(wanted)
        assert len([s for s in statements if s.startswith("SELECT")]) == 1
        assert len(statements) == 1
    assert found == {entry.key: entry for entry in entries}


def test_get_many_with_nothing_asked(cache_path: Path) -> None:
    with ResultCache(cache_path, conditions=CONDITIONS) as cache:
        cache.put_many([])
        assert cache.get_many([]) == {}


# --- freshness ---------------------------------------------------------------------------------


def test_ok_entry_is_fresh_until_max_age() -> None:
    entry = make_entry(checked_at=1000.0)
    assert is_fresh(entry, now=1000.0, max_age=DAY)
    assert is_fresh(entry, now=1000.0 + DAY - 1, max_age=DAY)
    assert not is_fresh(entry, now=1000.0 + DAY, max_age=DAY)
    assert not is_fresh(entry, now=1000.0, max_age=0)


def test_moved_and_forbidden_follow_max_age() -> None:
    moved = make_entry(status=Status.MOVED, http_status=301, checked_at=0.0)
    forbidden = make_entry(status=Status.BLOCKED, http_status=403, checked_at=0.0)
    for entry in (moved, forbidden):
        assert is_fresh(entry, now=DAY - 1, max_age=DAY)
        assert not is_fresh(entry, now=DAY, max_age=DAY)


def test_broken_is_rechecked_sooner() -> None:
    broken = make_entry(status=Status.BROKEN, http_status=404, checked_at=0.0)
    assert is_fresh(broken, now=DAY / 4 - 1, max_age=DAY)
    assert not is_fresh(broken, now=DAY / 4, max_age=DAY)
    assert is_fresh(make_entry(checked_at=0.0), now=DAY / 4, max_age=DAY)


def test_transient_verdicts_are_never_fresh() -> None:
    unreachable = make_entry(status=Status.UNREACHABLE, http_status=None, checked_at=50.0)
    rate_limited = make_entry(status=Status.BLOCKED, http_status=429, checked_at=50.0)
    for entry in (unreachable, rate_limited):
        assert not is_fresh(entry, now=50.0, max_age=DAY)
        assert not is_fresh(entry, now=51.0, max_age=7 * DAY)


def test_entry_from_the_future_counts_as_that_far_away() -> None:
    entry = make_entry(checked_at=10 * DAY)
    assert is_fresh(entry, now=10 * DAY - HOUR, max_age=DAY)
    assert not is_fresh(entry, now=5 * DAY, max_age=DAY)


def test_archive_answer_is_fresh_for_max_age() -> None:
    answer = ArchiveAnswer("https://archive.test/", "https://a.example.org/", "20250717", None, 0.0)
    assert answer_is_fresh(answer, now=DAY - 1, max_age=DAY)
    assert not answer_is_fresh(answer, now=DAY, max_age=DAY)
    assert not answer_is_fresh(answer, now=-DAY, max_age=DAY)


# --- what an entry is valid for ----------------------------------------------------------------


@pytest.mark.parametrize(
    "changed",
    [
        {"allow_private": True},
        {"headers": (("Cookie", "consent=yes"),)},
        {"headers": (("Cookie", "consent=no"),)},
        {"host_headers": {"www.hrw.org": (("Cookie", "consent=yes"),)}},
        {"user_agent": "Mozilla/5.0"},
        {"max_redirects": 3},
        {"html_cap": 1000},
    ],
)
def test_options_that_shape_the_answer_change_the_conditions(changed: dict[str, object]) -> None:
    default = conditions(FetchOptions())
    assert conditions(replace(FetchOptions(), **changed)) != default  # type: ignore[arg-type]


def test_pacing_does_not_change_the_conditions_and_secrets_are_not_stored() -> None:
    paced = FetchOptions(
        timeout=1.0,
        deadline=2.0,
        retries=0,
        backoff=0.1,
        retry_after_cap=1.0,
        max_concurrency=1,
        per_host=1,
        rate=2.0,
    )
    assert conditions(paced) == conditions(FetchOptions())
    secret = conditions(FetchOptions(headers=(("Authorization", "Bearer s3cr3t-token"),)))
    assert "s3cr3t" not in secret and len(secret) == 64


def test_rows_stored_under_other_conditions_are_misses_and_are_replaced(cache_path: Path) -> None:
    entry = make_entry()
    with ResultCache(cache_path, conditions="guarded") as cache:
        cache.put(entry)
    with ResultCache(cache_path, conditions="private allowed") as cache:
        assert cache.get(entry.key) is None
        assert cache.get_many([entry.key]) == {}
        cache.put(replace(entry, checked_at=entry.checked_at + 1))
    with ResultCache(cache_path, conditions="guarded") as cache:
        assert cache.get(entry.key) is None  # one row per URL: the latest check holds it


def test_archive_answers_round_trip_by_endpoint_url_and_stamp(cache_path: Path) -> None:
    found = ArchiveAnswer(
        "https://archive.test/available",
        "https://www.hrw.org/news/2025/07/17/joint-letter",
        "20250717",
        "http://web.archive.org/web/20250717093000/https://www.hrw.org/news/2025/07/17/joint-letter",
        1000.0,
    )
    none = replace(found, stamp="20240101", snapshot=None)
    with ResultCache(cache_path, conditions=CONDITIONS) as cache:
        cache.put_answers([found, none])
        cache.put_answers([replace(found, snapshot=None, checked_at=500.0)])  # older: ignored
    with ResultCache(cache_path, conditions="other options") as cache:
        asked = [(found.url, "20250717"), (found.url, "20240101"), (found.url, "20260101")]
        assert cache.get_answers(found.endpoint, asked) == {
            (found.url, "20250717"): found,
            (found.url, "20240101"): none,
        }
        assert cache.get_answers("https://other-archive.test/", asked) == {}
        assert cache.get_answers(found.endpoint, []) == {}


# --- bad files and places ----------------------------------------------------------------------


def _asides(path: Path, label: str) -> list[Path]:
    return sorted(
        p
        for p in path.parent.glob(f"{path.name}.{label}-*")
        if not p.name.endswith(("-wal", "-shm"))
    )


def _damaged_cache(path: Path, keep: int) -> bytes:
    """A citecheck cache at ``path`` whose bytes after the first ``keep`` are garbage."""
    with ResultCache(path, conditions=CONDITIONS) as cache:
        cache.put_many(make_entry(f"https://example.org/{i}") for i in range(50))
    size = path.stat().st_size
    damaged = path.read_bytes()[:keep] + bytes(b % 7 + 0xA0 for b in range(size - keep))
    path.write_bytes(damaged)
    return damaged


@pytest.mark.parametrize("keep", [100, 4096], ids=["header-only", "first-page"])
def test_corrupt_cache_is_moved_aside_with_a_warning(cache_path: Path, keep: int) -> None:
    content = _damaged_cache(cache_path, keep)
    with ResultCache(cache_path, conditions=CONDITIONS) as cache:
        cache.get_many([make_entry().key])
        (aside,) = _asides(cache_path, "corrupt")
        assert cache.warnings == [f"cache file {cache_path} was corrupt; moved aside to {aside}"]
        assert aside.read_bytes() == content
        cache.put(make_entry())
        assert cache.get(make_entry().key) == make_entry()
    with ResultCache(cache_path, conditions=CONDITIONS) as cache:
        assert cache.warnings == []


def test_corruption_found_while_reading_is_recovered(cache_path: Path) -> None:
    entries = [make_entry(f"https://example.org/{i}") for i in range(500)]
    with ResultCache(cache_path, conditions=CONDITIONS) as cache:
        cache.put_many(entries)
    data = bytearray(cache_path.read_bytes())
    assert len(data) > 64 * 1024
    data[4096:-4096] = b"\xa5" * (len(data) - 8192)  # every page but the header's and the last
    cache_path.write_bytes(bytes(data))

    with ResultCache(cache_path, conditions=CONDITIONS) as cache:
        found = cache.get_many(entry.key for entry in entries)
        assert found == {}
        assert len(cache.warnings) == 1
        assert "was corrupt; moved aside to" in cache.warnings[0]
        assert cache.enabled
        cache.put(entries[0])
        assert cache.get(entries[0].key) == entries[0]
    assert len(_asides(cache_path, "corrupt")) == 1


def _foreign_sqlite(path: Path) -> None:
    with sqlite3.connect(path) as other:
        other.execute("CREATE TABLE users (name TEXT)")
        other.execute("INSERT INTO users VALUES ('ada')")
    other.close()


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda path: path.write_text("Dear President,\n"), "it is not an SQLite database"),
        (lambda path: path.write_bytes(os.urandom(8192)), "it is not an SQLite database"),
        (lambda path: path.write_bytes(b"SQLite format 3\x00"), "it is not an SQLite database"),
        (_foreign_sqlite, "it is an SQLite database of another program"),
    ],
    ids=["text", "random", "short", "foreign-sqlite"],
)
def test_a_file_that_is_no_citecheck_cache_is_refused_untouched(
    cache_path: Path, make: Callable[[Path], object], reason: str
) -> None:
    cache_path.parent.mkdir(parents=True)
    make(cache_path)
    before = cache_path.read_bytes()
    with pytest.raises(ConfigError) as refused:
        ResultCache(cache_path, conditions=CONDITIONS)
    assert str(refused.value) == (
        f"cache file {cache_path} is not a citecheck cache ({reason}); it was left as it is: "
        "choose another --cache-path, or use --no-cache"
    )
    assert cache_path.read_bytes() == before
    assert [p.name for p in cache_path.parent.iterdir()] == [cache_path.name]


def test_an_empty_file_becomes_a_cache(cache_path: Path) -> None:
    # What SQLite itself leaves while another process is creating the cache.
    cache_path.parent.mkdir(parents=True)
    cache_path.touch()
    with ResultCache(cache_path, conditions=CONDITIONS) as cache:
        cache.put(make_entry())
        assert cache.get(make_entry().key) == make_entry()
        assert cache.warnings == []


def test_cache_of_a_newer_citecheck_is_left_alone(cache_path: Path) -> None:
    with ResultCache(cache_path, conditions=CONDITIONS) as cache:
        cache.put(make_entry())
    with sqlite3.connect(cache_path) as db:
        db.execute("PRAGMA user_version = 99")
    db.close()

    with ResultCache(cache_path, conditions=CONDITIONS) as cache:
        assert not cache.enabled
        assert cache.warnings == [
            f"cache file {cache_path} was written by a newer citecheck; running without a cache"
        ]
        assert cache.get(make_entry().key) is None
    db = sqlite3.connect(cache_path)
    assert db.execute("SELECT count(*) FROM results").fetchone() == (1,)
    db.close()


def test_cache_of_an_older_schema_is_emptied_and_reused(cache_path: Path) -> None:
    with ResultCache(cache_path, conditions=CONDITIONS) as cache:
        cache.put(make_entry())
    with sqlite3.connect(cache_path) as db:
        db.execute("PRAGMA user_version = 0")
    db.close()

    with ResultCache(cache_path, conditions=CONDITIONS) as cache:
        assert cache.warnings == []
        assert cache.get(make_entry().key) is None
        cache.put(make_entry())
        assert cache.get(make_entry().key) == make_entry()


@pytest.mark.parametrize(
    ("column", "stored"),
    [
        ("verdict", {"status": "gone", "message": "?"}),
        ("verdict", {"status": "ok", "message": "OK", "colour": "green"}),
        ("verdict", ["ok", "OK"]),
        ("fetched", {"url": "https://a.example.org/", "redirects": "https://b.example.org/"}),
        ("fetched", {"url": "https://a.example.org/", "http_status": "200"}),
        ("fetched", {"url": "https://a.example.org/", "truncated": 1}),
        ("fetched", {"url": "https://a.example.org/", "body": "PGh0bWw+"}),
        ("fetched", {"url": "https://a.example.org/", "headers": [["etag"]]}),
        ("meta", {"anchors": "fn1"}),
    ],
)
def test_row_that_no_longer_fits_the_records_is_a_miss(
    cache_path: Path, column: str, stored: object
) -> None:
    with ResultCache(cache_path, conditions=CONDITIONS) as cache:
        cache.put(make_entry("https://a.example.org/"))
        cache.put(make_entry("https://b.example.org/"))
    with sqlite3.connect(cache_path) as db:
        db.execute(
            f"UPDATE results SET {column} = ? WHERE key = ?",
            (json.dumps(stored), "https://a.example.org/"),
        )
    db.close()
    with ResultCache(cache_path, conditions=CONDITIONS) as cache:
        found = cache.get_many(["https://a.example.org/", "https://b.example.org/"])
        assert list(found) == ["https://b.example.org/"]
        assert cache.warnings == []


def test_unwritable_location_runs_without_a_cache(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be\n")
    path = blocker / "citecheck" / "results.sqlite3"
    with ResultCache(path, conditions=CONDITIONS) as cache:
        assert not cache.enabled
        (warning,) = cache.warnings
        assert warning.startswith(f"cache folder {path.parent} cannot be created (")
        assert warning.endswith("); running without a cache")
        cache.put(make_entry())
        assert cache.get(make_entry().key) is None


def test_folder_in_place_of_the_file_runs_without_a_cache(cache_path: Path) -> None:
    cache_path.mkdir(parents=True)
    with ResultCache(cache_path, conditions=CONDITIONS) as cache:
        assert not cache.enabled
        (warning,) = cache.warnings
        assert warning.startswith(f"cache file {cache_path} cannot be used (")
        assert cache.get(make_entry().key) is None


def test_failed_write_turns_the_cache_off_with_a_warning(cache_path: Path) -> None:
    with ResultCache(cache_path, conditions=CONDITIONS) as cache:
        cache.put(make_entry("https://a.example.org/"))
        # Stands in for a disk that filled up or a file made read-only during the run.
        cache._conn.execute("PRAGMA query_only = 1")  # type: ignore[union-attr]
        cache.put(make_entry("https://b.example.org/"))
        assert not cache.enabled
        (warning,) = cache.warnings
        assert warning.startswith(f"cache file {cache_path} failed (")
        assert warning.endswith("; running without a cache")
        assert cache.get("https://a.example.org/") is None
    with ResultCache(cache_path, conditions=CONDITIONS) as cache:
        assert cache.get("https://a.example.org/") is not None
        assert cache.get("https://b.example.org/") is None


# Root (as in CI) writes into read-only folders, so the file cannot be made writable-proof by
# permissions; these obstacles stop root as they stop anyone.
@pytest.mark.parametrize(
    ("obstacle", "says"),
    [("folder-at-file", "cache file {path} cannot be used ("), ("file-at-folder", "cache folder")],
)
def test_a_cache_file_that_cannot_be_made_runs_without_a_cache(
    tmp_path: Path, obstacle: str, says: str
) -> None:
    path = tmp_path / "cache" / "results.sqlite3"
    if obstacle == "folder-at-file":
        path.mkdir(parents=True)  # a folder where the database file should be
    else:
        (tmp_path / "cache").write_text("not a folder")  # a file where the folder should be
    with ResultCache(path, conditions=CONDITIONS) as cache:
        assert not cache.enabled
        (warning,) = cache.warnings
        assert warning.startswith(says.format(path=path))
        assert warning.endswith("running without a cache")
        cache.put(make_entry())  # dropped, not raised
        assert cache.get(make_entry().key) is None
    if obstacle == "folder-at-file":  # nothing of the user's is replaced
        assert path.is_dir() and not any(path.iterdir())
    else:
        assert (tmp_path / "cache").read_text() == "not a folder"


def test_default_cache_path_is_in_the_user_cache_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    if sys.platform.startswith("linux"):
        assert default_cache_path() == tmp_path / "citecheck" / "results.sqlite3"
    assert default_cache_path().name == "results.sqlite3"


# --- two processes -----------------------------------------------------------------------------

_WORKER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    sys.path.insert(0, sys.argv[4])
    from test_cache import CONDITIONS, make_entry
    from citecheck.cache import ResultCache

    path, name, other = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    # Both processes start together, so that they also create the new file at the same time.
    (path.parent / f"ready-{name}").touch()
    deadline = time.monotonic() + 20
    while not (path.parent / f"ready-{other}").exists() and time.monotonic() < deadline:
        time.sleep(0.001)
    seen = 0
    with ResultCache(path, conditions=CONDITIONS) as cache:
        for i in range(300):
            cache.put(make_entry(f"https://{name}.example.org/{i}", checked_at=float(i)))
            if i % 10 == 0:
                batch = [make_entry(f"https://{name}.example.org/batch/{i}/{j}") for j in range(20)]
                cache.put_many(batch)
                seen = max(seen, len(cache.get_many(
                    f"https://{other}.example.org/{k}" for k in range(300))))
            assert cache.get(f"https://{name}.example.org/{i}") is not None
    print(json.dumps({"warnings": cache.warnings, "seen": seen}))
    """
)


def test_two_processes_share_one_cache(tmp_path: Path) -> None:
    path = tmp_path / "shared" / "results.sqlite3"
    path.parent.mkdir()
    tests_dir = str(Path(__file__).resolve().parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), tests_dir])}
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, str(path), name, other, tests_dir],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            text=True,
        )
        for name, other in (("alpha", "beta"), ("beta", "alpha"))
    ]
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=60)
        assert worker.returncode == 0, err
        results.append(json.loads(out))
    assert [result["warnings"] for result in results] == [[], []]

    with ResultCache(path, conditions=CONDITIONS) as cache:
        for name in ("alpha", "beta"):
            keys = [f"https://{name}.example.org/{i}" for i in range(300)]
            keys += [
                f"https://{name}.example.org/batch/{i}/{j}"
                for i in range(0, 300, 10)
                for j in range(20)
            ]
            assert len(cache.get_many(keys)) == 900
