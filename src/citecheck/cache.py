"""The result cache: URL-level verdicts kept in SQLite, so that a re-run skips recent checks.

One row per normalised URL (the caller computes the key) holds the response without its body, the
page's metadata and the URL-level verdict, each as JSON, and the *conditions* it was decided under.
A second table keeps the archive's answers, by endpoint, URL and date; a third, each URL's last
``HISTORY_LIMIT`` checks (``Check``: when, what the answer was), from which a link that worked and
now fails is told from one that has always failed. The file is shared safely by
several processes at once (WAL journal, a busy timeout, one short transaction per write).

What a cached verdict is valid for is decided here, so that a cached result never answers for a
run it would not be the same in:

* ``conditions(fetch_options)`` fingerprints everything that shapes the server's answer or the
  reading of it (the address guard, headers for every host or one, the user agent, caps, redirect
  limit, citecheck's version). A cache is opened for one fingerprint: rows stored under another
  are invisible (a miss: fetched again, and replaced).
* ``accept`` is not in it: verdicts are stored as decided without ``accept``, and the caller applies
  ``accept`` to cached and new verdicts alike (an accepted code needs only the status line).
* The claim thresholds are not in it either: claims are weighed at report time from the stored
  ``PageMeta``. ``remap`` changes the URL fetched, so it changes the key.

Only a file that is recognisably a citecheck cache is ever opened, written or moved: an existing
file without citecheck's mark (SQLite ``application_id``) in its header is refused with a
``ConfigError`` and left byte for byte as it was, before SQLite opens it. Besides that, the cache is
an optimisation, never a reason for a check to fail; every other problem becomes one line in
``ResultCache.warnings``:

* a citecheck cache found corrupt is renamed ``<name>.corrupt-<time>`` and a fresh one is created;
* a cache written by a newer citecheck (higher schema version) is left untouched and not used;
* a place that cannot be written (read-only folder, a file where a folder should be, a full disk)
  or any other SQLite failure turns the cache off for the rest of the run.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import sqlite3
import threading
import time
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

import platformdirs

from citecheck import __version__
from citecheck.errors import ConfigError
from citecheck.models import Check, Fetched, LinkVerdict, PageMeta, Status

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

__all__ = [
    "APPLICATION_ID",
    "HISTORY_LIMIT",
    "ArchiveAnswer",
    "CacheEntry",
    "ResultCache",
    "answer_is_fresh",
    "conditions",
    "default_cache_path",
    "is_fresh",
    "revalidation_headers",
]

# "CCK1": marks the file as ours (every citecheck cache ever written has it), so that a stranger's
# file is never read, written or moved as a cache.
APPLICATION_ID = 0x43434B31
# Bump when the stored rows change incompatibly; older caches are then emptied.
# 2: each result records the conditions it was decided under; the archive's answers are kept.
# 3: each URL's recent checks are kept (the results and answers of version 2 stay valid).
SCHEMA_VERSION = 3
BUSY_TIMEOUT_S = 10.0
# A broken link is re-checked this many times sooner than a working one: sites come back.
BROKEN_AGE_DIVISOR = 4
# Checks kept per URL. Enough to read a flapping link's recent past; the rule itself needs only
# the latest (each check carries its run of failures).
HISTORY_LIMIT = 10

_SCHEMA = (
    """
    CREATE TABLE IF NOT EXISTS results (
        key TEXT PRIMARY KEY,
        conditions TEXT NOT NULL,
        checked_at REAL NOT NULL,
        etag TEXT,
        last_modified TEXT,
        fetched TEXT NOT NULL,
        meta TEXT,
        verdict TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS archive (
        endpoint TEXT NOT NULL,
        url TEXT NOT NULL,
        stamp TEXT NOT NULL,
        checked_at REAL NOT NULL,
        snapshot TEXT,
        PRIMARY KEY (endpoint, url, stamp)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS history (
        key TEXT NOT NULL,
        conditions TEXT NOT NULL,
        checked_at REAL NOT NULL,
        outcome TEXT NOT NULL,
        PRIMARY KEY (key, conditions, checked_at)
    )
    """,
    # The bound lives in the file, so that every writer keeps it, whatever its conditions.
    f"""
    CREATE TRIGGER IF NOT EXISTS history_bound AFTER INSERT ON history BEGIN
        DELETE FROM history WHERE key = NEW.key AND checked_at < (
            SELECT checked_at FROM history WHERE key = NEW.key
            ORDER BY checked_at DESC LIMIT 1 OFFSET {HISTORY_LIMIT - 1}
        );
    END
    """,
)
_COLUMNS = "key, checked_at, etag, last_modified, fetched, meta, verdict"
# An older result never overwrites a newer one that another process wrote meanwhile.
_UPSERT = f"""
INSERT INTO results (conditions, {_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT(key) DO UPDATE SET
    conditions = excluded.conditions, checked_at = excluded.checked_at, etag = excluded.etag,
    last_modified = excluded.last_modified, fetched = excluded.fetched,
    meta = excluded.meta, verdict = excluded.verdict
WHERE excluded.checked_at >= results.checked_at
"""
# One statement and one parameter for any number of keys (no host-parameter limit to hit).
_SELECT_MANY = (
    f"SELECT {_COLUMNS} FROM results "
    "WHERE key IN (SELECT value FROM json_each(?)) AND conditions = ?"
)
_UPSERT_ANSWER = """
INSERT INTO archive (endpoint, url, stamp, checked_at, snapshot) VALUES (?, ?, ?, ?, ?)
ON CONFLICT(endpoint, url, stamp) DO UPDATE SET
    checked_at = excluded.checked_at, snapshot = excluded.snapshot
WHERE excluded.checked_at >= archive.checked_at
"""
_SELECT_ANSWERS = """
SELECT url, stamp, checked_at, snapshot FROM archive
WHERE endpoint = ? AND (url, stamp) IN (
    SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?)
)
"""

_INSERT_CHECK = """
INSERT OR REPLACE INTO history (key, conditions, checked_at, outcome) VALUES (?, ?, ?, ?)
"""
# SQLite takes a bare column of a max() aggregate from the row holding the maximum.
_SELECT_LATEST = """
SELECT key, outcome, max(checked_at) FROM history
WHERE key IN (SELECT value FROM json_each(?)) AND conditions = ?
GROUP BY key
"""

_CORRUPT_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})


@dataclass(frozen=True, slots=True)
class CacheEntry:
    """One cached URL check; ``fetched`` is stored without its body."""

    key: str
    fetched: Fetched
    meta: PageMeta | None
    verdict: LinkVerdict
    checked_at: float
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class ArchiveAnswer:
    """What an archive answered about ``url`` at ``stamp`` (YYYYMMDD); ``snapshot`` None: none."""

    endpoint: str
    url: str
    stamp: str
    snapshot: str | None
    checked_at: float


# What decides whether and when an answer arrives, not what it says: a run with other limits or
# timing may reuse a result (a failure to get an answer, ``unreachable`` or 429, is never reused).
_PACING = frozenset(
    {
        "timeout",
        "deadline",
        "retries",
        "backoff",
        "retry_after_cap",
        "max_concurrency",
        "per_host",
        "rate",
    }
)


def conditions(options: DataclassInstance) -> str:
    """The fingerprint of what a URL's verdict depends on besides the server, for ``options``
    (net.fetch's FetchOptions: any dataclass, so the cache needs no import of the fetch engine).

    Every fetch option but the pacing ones, so that a new option counts until it is shown not
    to, and citecheck's version, whose rules read the answer. A digest, not the values: headers
    may carry cookies and tokens, which have no place in a cache file.
    """
    facts: dict[str, Any] = {"citecheck": __version__}
    for option in dataclasses.fields(options):
        if option.name not in _PACING:
            value = getattr(options, option.name)
            facts[option.name] = sorted(value.items()) if isinstance(value, Mapping) else value
    text = json.dumps(facts, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def default_cache_path() -> Path:
    """The per-user cache file: ``<user cache dir>/citecheck/results.sqlite3``."""
    return platformdirs.user_cache_path("citecheck") / "results.sqlite3"


def revalidation_headers(entry: CacheEntry) -> dict[str, str]:
    """The conditional request headers that ask whether ``entry``'s page changed (a 304 keeps it).

    Only a working page (``ok``, ``moved``) is worth revalidating: any other verdict is decided
    afresh from a full answer.
    """
    headers: dict[str, str] = {}
    if entry.verdict.status in (Status.OK, Status.MOVED):
        if entry.etag:
            headers["If-None-Match"] = entry.etag
        if entry.last_modified:
            headers["If-Modified-Since"] = entry.last_modified
    return headers


def is_fresh(entry: CacheEntry, *, now: float, max_age: float) -> bool:
    """Whether ``entry`` may answer for its URL at time ``now`` instead of a new request.

    Transient verdicts (``unreachable``; ``blocked`` by a 429) are never fresh: they decided
    nothing. A ``broken`` verdict stays fresh for ``max_age / 4``, every other one for ``max_age``.
    An entry stamped in the future (the clock moved back) counts as that far away from ``now``.
    """
    verdict = entry.verdict
    if verdict.status is Status.UNREACHABLE:
        return False
    if verdict.status is Status.BLOCKED and entry.fetched.http_status == 429:
        return False
    limit = max_age / BROKEN_AGE_DIVISOR if verdict.status is Status.BROKEN else max_age
    return abs(now - entry.checked_at) < limit


def lacks_fingerprint(entry: CacheEntry) -> bool:
    """Whether ``entry`` holds a page read without the fingerprint of its text (no lock asked
    for one then): it cannot serve a run that writes or compares a citation lock."""
    return entry.meta is not None and entry.meta.fingerprint is None


def answer_is_fresh(answer: ArchiveAnswer, *, now: float, max_age: float) -> bool:
    """Whether an archive's answer may stand in for asking again at ``now``: for ``max_age``.

    Only answers are stored (a snapshot, or the archive saying it has none); a failure to ask
    decided nothing and is not.
    """
    return abs(now - answer.checked_at) < max_age


_SQLITE_MAGIC = b"SQLite format 3\x00"
_HEADER_SIZE = 100
_APPLICATION_ID_AT = 68  # offset of the big-endian application_id in the database header


def _not_ours(path: Path) -> str | None:
    """Why the existing file at ``path`` is no citecheck cache, or None when it may be used.

    Read from the header alone, before SQLite opens the file: opening a stranger's database can
    already change it (a journal or WAL replayed into it). An empty file is SQLite's own new
    database (another process creating the cache) and holds nothing to lose.
    """
    try:
        if not path.is_file():
            return None  # absent, or a folder: SQLite creates the file or says what is wrong
        with path.open("rb") as handle:
            header = handle.read(_HEADER_SIZE)
    except OSError:
        return None  # unreadable: SQLite cannot use it either, and says so
    if not header:
        return None
    if len(header) < _HEADER_SIZE or not header.startswith(_SQLITE_MAGIC):
        return "it is not an SQLite database"
    mark = int.from_bytes(header[_APPLICATION_ID_AT : _APPLICATION_ID_AT + 4], "big")
    if mark != APPLICATION_ID:
        return "it is an SQLite database of another program"
    return None


def _refusal(path: Path, reason: str) -> ConfigError:
    return ConfigError(
        f"cache file {path} is not a citecheck cache ({reason}); it was left as it is: "
        "choose another --cache-path, or use --no-cache"
    )


class _Corrupt(Exception):
    """Our cache file is corrupt and must be moved aside."""


class _NewerCache(Exception):
    """The cache was written by a newer citecheck; it is left alone."""


class ResultCache:
    """The result cache in one SQLite file, for one set of ``conditions``; one per run.

    A context manager, safe to use from several threads of one process and from several processes
    at once. Entries are read and written for ``conditions`` (see ``conditions()``): a row stored
    under others is a miss. Raises ``ConfigError`` for an existing file that is not a citecheck
    cache, which is left untouched; any other bad file or location is a line in ``warnings``.
    Keys are normalised URLs; a key holding a NUL or a lone surrogate (never a real URL) is never
    cached.
    """

    def __init__(self, path: Path, *, conditions: str) -> None:
        self.path = Path(path)
        self.conditions = conditions
        self.warnings: list[str] = []
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = self._open()

    @property
    def enabled(self) -> bool:
        """False once the cache is closed or turned off by a problem named in ``warnings``."""
        return self._conn is not None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def get(self, key: str) -> CacheEntry | None:
        """The entry stored for ``key``, or None."""
        return self.get_many([key]).get(key)

    def get_many(self, keys: Iterable[str]) -> dict[str, CacheEntry]:
        """The entries stored for any of ``keys`` under this cache's conditions, by key."""
        wanted = json.dumps([key for key in dict.fromkeys(keys) if _cacheable(key)])
        rows = self._read(_SELECT_MANY, (wanted, self.conditions))
        entries = (_row_to_entry(row) for row in rows)
        return {entry.key: entry for entry in entries if entry is not None}

    def put(self, entry: CacheEntry) -> None:
        """Store ``entry``, replacing an older one for the same key."""
        self.put_many([entry])

    def put_many(self, entries: Iterable[CacheEntry]) -> None:
        """Store ``entries``, decided under this cache's conditions, in one transaction."""
        rows = [
            (self.conditions, *_entry_to_row(entry)) for entry in entries if _cacheable(entry.key)
        ]
        self._write(_UPSERT, rows)

    def get_answers(
        self, endpoint: str, questions: Iterable[tuple[str, str]]
    ) -> dict[tuple[str, str], ArchiveAnswer]:
        """The answers ``endpoint`` gave about any of ``questions`` (URL, stamp), by question."""
        wanted = json.dumps([list(q) for q in dict.fromkeys(questions) if all(map(_cacheable, q))])
        rows = self._read(_SELECT_ANSWERS, (endpoint, wanted))
        return {
            (url, stamp): ArchiveAnswer(endpoint, url, stamp, snapshot, checked_at)
            for url, stamp, checked_at, snapshot in rows
        }

    def put_answers(self, answers: Iterable[ArchiveAnswer]) -> None:
        """Store archive answers in one transaction."""
        rows = [
            (a.endpoint, a.url, a.stamp, a.checked_at, a.snapshot)
            for a in answers
            if all(map(_cacheable, (a.endpoint, a.url, a.stamp, a.snapshot or "")))
        ]
        self._write(_UPSERT_ANSWER, rows)

    def latest_checks(self, keys: Iterable[str]) -> dict[str, Check]:
        """The newest check kept for any of ``keys`` under this cache's conditions, by key.

        Only the newest: it carries its URL's run of failures, and decoding whole histories
        would cost a warm run of thousands of links more than the rest of it.
        """
        wanted = json.dumps([key for key in dict.fromkeys(keys) if _cacheable(key)])
        found: dict[str, Check] = {}
        for key, outcome, _ in self._read(_SELECT_LATEST, (wanted, self.conditions)):
            try:
                found[key] = _decoder(Check)(json.loads(outcome))
            except (ValueError, TypeError, KeyError):
                continue  # written by another version of the record: as if never checked
        return found

    def add_checks(self, checks: Iterable[tuple[str, Check]]) -> None:
        """Add each (key, check) to its URL's history, which keeps the newest ``HISTORY_LIMIT``."""
        rows = [
            (key, self.conditions, check.checked_at, _dumps(_encode(check)))
            for key, check in checks
            if _cacheable(key)
        ]
        self._write(_INSERT_CHECK, rows)

    def _read(self, query: str, parameters: tuple[str, ...]) -> list[Any]:
        with self._lock:
            if self._conn is None:
                return []
            try:
                return self._conn.execute(query, parameters).fetchall()
            except sqlite3.Error as exc:
                self._failed(exc)
                return []

    def _write(self, statement: str, rows: list[tuple[Any, ...]]) -> None:
        with self._lock:
            if self._conn is None or not rows:
                return
            try:
                with self._conn:
                    self._conn.execute("BEGIN IMMEDIATE")
                    self._conn.executemany(statement, rows)
            except sqlite3.Error as exc:
                self._failed(exc)

    def close(self) -> None:
        """Close the file; further reads miss and writes are dropped."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _warn(self, message: str) -> None:
        self.warnings.append(message)

    def _open(self) -> sqlite3.Connection | None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self._warn(
                f"cache folder {self.path.parent} cannot be created ({exc.strerror or exc}); "
                "running without a cache"
            )
            return None
        reason = _not_ours(self.path)
        if reason is not None:
            raise _refusal(self.path, reason)
        # Bounded: one more try after moving a corrupt cache aside.
        for _ in range(2):
            try:
                return self._connect()
            except _Corrupt:
                if not self._move_aside():
                    return None
            except _NewerCache:
                self._warn(
                    f"cache file {self.path} was written by a newer citecheck; "
                    "running without a cache"
                )
                return None
            except sqlite3.Error as exc:
                self._warn(
                    f"cache file {self.path} cannot be used ({exc}); running without a cache"
                )
                return None
        self._warn(f"cache file {self.path} is still unusable; running without a cache")
        return None

    def _connect(self) -> sqlite3.Connection:
        """Open the file and make sure it holds our schema; raise _Corrupt if it cannot."""
        conn = sqlite3.connect(
            self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
        try:
            # The check and the creation share one write transaction, so that two processes
            # opening a new file at once cannot both create it.
            with conn:
                conn.execute("BEGIN IMMEDIATE")
                _ensure_schema(conn, self.path)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.DatabaseError as exc:
            conn.close()
            if getattr(exc, "sqlite_errorcode", None) in _CORRUPT_CODES:
                raise _Corrupt from exc
            raise
        except BaseException:
            conn.close()
            raise
        return conn

    def _move_aside(self) -> bool:
        """Rename our corrupt file (and its WAL files) out of the way; False if that failed.

        Only ever called for a file that carries our mark or that this run opened as a cache.
        """
        stamp = time.strftime("%Y%m%dT%H%M%S")
        target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        for n in range(1, 100):
            if not target.exists():
                break
            target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{n}")
        try:
            self.path.rename(target)
        except FileNotFoundError:
            # Another process moved it first; the fresh file is what we want.
            return True
        except OSError as exc:
            self._warn(
                f"cache file {self.path} was corrupt and cannot be moved aside "
                f"({exc.strerror or exc}); running without a cache"
            )
            return False
        # A stale WAL left beside a new file would be replayed into it, so it goes along.
        for suffix in ("-wal", "-shm"):
            sidecar = self.path.with_name(self.path.name + suffix)
            try:
                sidecar.rename(target.with_name(target.name + suffix))
            except FileNotFoundError:
                pass
            except OSError:
                sidecar.unlink(missing_ok=True)
        self._warn(f"cache file {self.path} was corrupt; moved aside to {target}")
        return True

    def _failed(self, exc: sqlite3.Error) -> None:
        """After a failed read or write: replace a corrupt file, else turn the cache off."""
        assert self._conn is not None
        self._conn.close()
        self._conn = None
        if getattr(exc, "sqlite_errorcode", None) in _CORRUPT_CODES:
            if self._move_aside():
                self._conn = self._open()
        else:
            self._warn(f"cache file {self.path} failed ({exc}); running without a cache")


def _cacheable(key: str) -> bool:
    """Whether SQLite can match ``key`` exactly: no NUL and no lone surrogate in it."""
    if "\x00" in key:
        return False
    if key.isascii():
        return True
    try:
        key.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _ensure_schema(conn: sqlite3.Connection, path: Path) -> None:
    """Create our schema in an empty file, upgrade an older one, reject anything else."""
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    if app_id != APPLICATION_ID and (tables or app_id or version):
        # Filled by another program since its header was read: still not ours to change.
        raise _refusal(path, "it is an SQLite database of another program")
    if version > SCHEMA_VERSION:
        raise _NewerCache
    if version < SCHEMA_VERSION:
        if version < 2:
            # Older results were stored in a shape this version cannot read, or without what
            # they are valid for; it is only a cache, so they are dropped and fetched again.
            for table in ("results", "archive", "history"):
                conn.execute(f"DROP TABLE IF EXISTS {table}")
        # Tables and trigger are created only where missing: from version 2, the history is added.
        for statement in _SCHEMA:
            conn.execute(statement)
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


_Row = tuple[str, float, str | None, str | None, str, str | None, str]


def _entry_to_row(entry: CacheEntry) -> _Row:
    return (
        entry.key,
        entry.checked_at,
        entry.etag,
        entry.last_modified,
        _dumps(_encode(entry.fetched, omit=frozenset({"body"}))),
        None if entry.meta is None else _dumps(_encode(entry.meta)),
        _dumps(_encode(entry.verdict)),
    )


def _row_to_entry(row: _Row) -> CacheEntry | None:
    """The entry in ``row``, or None when it no longer fits the records (then it is a miss)."""
    key, checked_at, etag, last_modified, fetched, meta, verdict = row
    try:
        return CacheEntry(
            key=key,
            fetched=_decoder(Fetched)(json.loads(fetched)),
            meta=None if meta is None else _decoder(PageMeta)(json.loads(meta)),
            verdict=_decoder(LinkVerdict)(json.loads(verdict)),
            checked_at=checked_at,
            etag=etag,
            last_modified=last_modified,
        )
    except (ValueError, TypeError, KeyError):
        return None


def _dumps(value: Any) -> str:
    # ASCII escapes keep even lone surrogates (from undecodable pages) exact and storable.
    return json.dumps(value, separators=(",", ":"), allow_nan=False)


_PLAIN = frozenset({str, int, float, bool, type(None)})


def _encode(value: Any, omit: frozenset[str] = frozenset()) -> Any:
    """A JSON-ready form of a record: dataclasses as objects, enums by value, sets sorted."""
    kind: type = type(value)
    # Exact types first: most values are plain, and an enum member is also a str.
    if kind in _PLAIN:
        return value
    if isinstance(value, Enum):
        return value.value
    if kind is tuple or kind is list:
        return [_encode(item) for item in value]
    if kind is frozenset or kind is set:
        return sorted(_encode(item) for item in value)
    if dataclasses.is_dataclass(value):
        return {
            name: _encode(getattr(value, name)) for name in _field_names(kind) if name not in omit
        }
    raise TypeError(f"the cache does not store {kind.__name__}")


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


_Decoder = Callable[[Any], Any]


@functools.cache
def _decoder(annotation: Any) -> _Decoder:
    """A function rebuilding a value of type ``annotation`` from its ``_encode`` form.

    Built once per type, because a warm run decodes thousands of records. Data of the wrong
    shape raises TypeError, ValueError or KeyError (the row is then a miss).
    """
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (types.UnionType, typing.Union):
        (inner,) = (_decoder(arg) for arg in args if arg is not type(None))
        if type(None) not in args:
            return inner
        return lambda data: None if data is None else inner(data)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = _decoder(args[0])
        return lambda data: tuple(map(item, _items(data)))
    if origin is tuple:
        parts = tuple(_decoder(arg) for arg in args)
        return lambda data: tuple(
            part(value) for part, value in zip(parts, _items(data, len(parts)), strict=True)
        )
    if origin is frozenset:
        member = _decoder(args[0])
        return lambda data: frozenset(map(member, _items(data)))
    if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
        return _record_decoder(annotation)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return annotation
    if annotation is float:
        return _float
    if annotation in (str, int, bool):
        return functools.partial(_exact, annotation)
    # Such a field (Fetched.body) is never stored, so a row holding it does not fit.
    return functools.partial(_unstorable, annotation)


def _record_decoder(cls: type[Any]) -> _Decoder:
    fields = {name: _decoder(hint) for name, hint in typing.get_type_hints(cls).items()}

    def decode(data: Any) -> Any:
        if not isinstance(data, dict):
            raise TypeError(f"{cls.__name__} expects an object")
        # An unknown field name raises KeyError: the record changed since the row was written.
        return cls(**{name: fields[name](value) for name, value in data.items()})

    return decode


def _items(data: Any, length: int | None = None) -> list[Any]:
    if not isinstance(data, list) or (length is not None and len(data) != length):
        raise TypeError("expected a list" if length is None else f"expected {length} items")
    return data


def _float(data: Any) -> float:
    if isinstance(data, bool) or not isinstance(data, int | float):
        raise TypeError(f"expected a number, found {type(data).__name__}")
    return float(data)


def _unstorable(kind: Any, data: Any) -> Any:
    raise TypeError(f"the cache does not store {kind}")


def _exact(kind: type, data: Any) -> Any:
    if type(data) is not kind:
        raise TypeError(f"expected {kind.__name__}, found {type(data).__name__}")
    return data
