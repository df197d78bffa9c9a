"""`--cache-path` at a file the user owns: only a citecheck cache is opened, moved or written."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from citecheck.cache import APPLICATION_ID

from servers import Reply

PAGE = b"<html><head><title>Joint NGO letter</title></head><body>Dear President</body></html>"


def _the_letter(folder: Path) -> Path:
    return folder / "letter.md"


def _notes(folder: Path) -> Path:
    path = folder / "notes.txt"
    path.write_text("Call the embassy on Monday.\n")
    return path


def _random(folder: Path) -> Path:
    path = folder / "data.bin"
    path.write_bytes(os.urandom(8192))
    return path


def _sqlite(folder: Path, *, wal: bool = False, application_id: int = 0) -> Path:
    path = folder / "contacts.sqlite"
    db = sqlite3.connect(path)
    if wal:
        db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE contacts (name TEXT, email TEXT)")
    db.execute("INSERT INTO contacts VALUES ('Ada', 'ada@example.org')")
    if application_id:
        db.execute(f"PRAGMA application_id = {application_id}")
    db.commit()
    db.close()
    return path


def _sqlite_header_only(folder: Path) -> Path:
    path = folder / "half.sqlite"
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4080)
    return path


MAKERS: dict[str, Callable[[Path], Path]] = {
    "the-letter-itself": _the_letter,
    "a-text-file": _notes,
    "random-bytes": _random,
    "another-programs-sqlite": _sqlite,
    "another-programs-sqlite-in-wal-mode": lambda folder: _sqlite(folder, wal=True),
    "sqlite-marked-by-another-program": lambda folder: _sqlite(folder, application_id=0x4D504B47),
    "sqlite-header-and-garbage": _sqlite_header_only,
}


@pytest.mark.parametrize("make", MAKERS.values(), ids=MAKERS.keys())
def test_cache_path_at_a_file_that_is_no_citecheck_cache_exits_2_and_leaves_it_alone(
    tmp_path: Path,
    cli,  # type: ignore[no-untyped-def]
    loopback,  # type: ignore[no-untyped-def]
    make: Callable[[Path], Path],
) -> None:
    site = loopback()
    site.route("/page", Reply(200, PAGE, [("Content-Type", "text/html")]))
    letter = tmp_path / "letter.md"
    letter.write_text(f"Dear President, see [our letter]({site.url('/page')}).\n")
    target = make(tmp_path)
    before = target.read_bytes()
    listing = sorted(path.name for path in tmp_path.iterdir())

    result = cli("check", letter, "--allow-private", "--cache-path", target)

    assert result.code == 2
    assert result.err.endswith("\n") and result.err.count("\n") == 1
    assert result.err.startswith(f"citecheck: error: cache file {target} ")
    assert "not a citecheck cache" in result.err
    assert target.read_bytes() == before
    assert sorted(path.name for path in tmp_path.iterdir()) == listing  # nothing renamed or added
    assert site.requests == []  # refused before any link was checked


def test_a_corrupt_citecheck_cache_is_still_moved_aside(
    tmp_path: Path,
    cli,  # type: ignore[no-untyped-def]
    loopback,  # type: ignore[no-untyped-def]
) -> None:
    site = loopback()
    site.route("/page", Reply(200, PAGE, [("Content-Type", "text/html")]))
    letter = tmp_path / "letter.md"
    letter.write_text(f"Dear President, see [our letter]({site.url('/page')}).\n")
    cache = tmp_path / "cache.db"
    assert cli("check", letter, "--allow-private", "--cache-path", cache).code == 0
    marked = sqlite3.connect(cache)
    assert marked.execute("PRAGMA application_id").fetchone() == (APPLICATION_ID,)
    marked.close()
    damaged = cache.read_bytes()[:100] + b"\xa5" * (cache.stat().st_size - 100)
    cache.write_bytes(damaged)

    result = cli("check", letter, "--allow-private", "--cache-path", cache)

    assert result.code == 0
    (aside,) = tmp_path.glob("cache.db.corrupt-*")
    assert aside.read_bytes() == damaged
    assert f"cache file {cache} was corrupt; moved aside to {aside}" in result.err
    assert site.hits("/page") == 2
