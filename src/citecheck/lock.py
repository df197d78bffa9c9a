"""The citation lock: what a letter cited, frozen beside it in ``<letter>.citations.json``.

The file (README "Citation lock") is JSON with keys in a fixed order and one entry per distinct
URL the letter cites, sorted by URL, so that a re-lock changes only the lines of what changed and
git shows a readable diff::

    {
      "version": 1,
      "letter": "letter.md",
      "references": [
        {"url": ..., "final_url": ..., "status": "ok", "title": ..., "published": ...,
         "fingerprint": "<16 hex digits>", "checked_at": "2026-12-06T21:05:00Z", "archived": ...}
      ]
    }

``merged`` decides what a re-lock keeps: without ``update`` an entry already locked stays as it
was (the lock is what the letter cited, and only an editor who has looked may move it), new URLs
are added and URLs the letter no longer cites are dropped; with ``update`` every entry is taken
from this run, except that an entry saying the same as before keeps its ``checked_at`` (so that the
diff shows only what changed) and an archived copy already found is kept.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from citecheck.errors import InputError
from citecheck.models import Finding, LockedCitation, Status
from citecheck.output import write_atomic

VERSION = 1
SUFFIX = ".citations.json"
# The entry's keys, in the order written.
_FIELDS = (
    "url",
    "final_url",
    "status",
    "title",
    "published",
    "fingerprint",
    "checked_at",
    "archived",
)


def lock_path(letter: str) -> Path:
    """Where the lock of ``letter`` lives: beside it, its whole file name + ``.citations.json``."""
    return Path(letter + SUFFIX)


@dataclass(frozen=True, slots=True)
class Relock:
    """What writing one letter's lock did, counted in entries."""

    path: Path
    added: int
    kept: int
    updated: int
    dropped: int


def read_lock(letter: str) -> dict[str, LockedCitation] | None:
    """The lock of ``letter`` by URL, or None when it has none; a damaged lock is an InputError."""
    path = lock_path(letter)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the citation lock ({exc})") from exc
    try:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("version") != VERSION:
            raise ValueError(f"not a version {VERSION} citation lock")
        entries = [_entry(item) for item in data["references"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path}: not a citation lock citecheck can read ({exc})") from exc
    return {entry.url: entry for entry in entries}


def _entry(item: Any) -> LockedCitation:
    if not isinstance(item, dict) or not isinstance(item.get("url"), str):
        raise TypeError("an entry without a url")
    texts: dict[str, str | None] = {}
    for name in _FIELDS[1:]:
        value = item.get(name)
        if value is not None and not isinstance(value, str):
            raise TypeError(f"{name} of {item['url']} is not text")
        texts[name] = value
    if texts["fingerprint"] is not None:
        int(texts["fingerprint"], 16)  # a ValueError if it is no fingerprint
    return LockedCitation(
        url=item["url"],
        status=Status(item["status"]),  # a ValueError for an unknown status
        final_url=texts["final_url"],
        title=texts["title"],
        published=texts["published"],
        fingerprint=texts["fingerprint"],
        checked_at=texts["checked_at"],
        archived=texts["archived"],
    )


def entries(findings: Iterable[Finding]) -> dict[str, LockedCitation]:
    """One entry per distinct URL of ``findings``: its first citation's, with the first archived
    copy any of its citations has."""
    found: dict[str, LockedCitation] = {}
    for finding in findings:
        url = finding.reference.url
        entry = found.get(url) or _locked(finding)
        found[url] = replace(entry, archived=entry.archived or finding.archived)
    return found


def _locked(finding: Finding) -> LockedCitation:
    fetched, meta = finding.fetched, finding.meta
    checked = finding.checked_at
    return LockedCitation(
        url=finding.reference.url,
        status=finding.status,
        final_url=fetched.final_url if fetched else None,
        title=meta.title if meta else None,
        published=meta.published if meta else None,
        fingerprint=meta.fingerprint if meta else None,
        checked_at=(
            datetime.fromtimestamp(checked, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            if checked is not None
            else None
        ),
    )


def merged(
    old: dict[str, LockedCitation] | None, new: dict[str, LockedCitation], *, update: bool
) -> tuple[list[LockedCitation], dict[str, int]]:
    """The entries to write, sorted by URL, and how many were added, kept, updated, dropped."""
    old = old or {}
    counts = {"added": 0, "kept": 0, "updated": 0, "dropped": len(old.keys() - new.keys())}
    result = []
    for url in sorted(new):
        if url not in old:
            counts["added"] += 1
            result.append(new[url])
        elif update:
            # The copy nearest the cited date does not depend on the page now: keep it.
            entry = replace(new[url], archived=new[url].archived or old[url].archived)
            changed = _changed(old[url], entry)
            counts["updated" if changed else "kept"] += 1
            # An entry that says the same keeps its time too: the diff shows only what changed.
            result.append(entry if changed else old[url])
        else:
            counts["kept"] += 1
            result.append(old[url])
    return result, counts


def render(letter: str, locked: Sequence[LockedCitation]) -> str:
    """The lock file's text: fixed key order, two-space indent, a final newline."""
    document = {
        "version": VERSION,
        "letter": Path(letter).name,
        "references": [
            {name: _plain(getattr(entry, name)) for name in _FIELDS} for entry in locked
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def write(letter: str, findings: Iterable[Finding], *, update: bool) -> Relock:
    """Write (atomically) the lock of ``letter`` from this run's findings; see the module doc."""
    locked, counts = merged(read_lock(letter), entries(findings), update=update)
    path = lock_path(letter)
    write_atomic(path, render(letter, locked))
    return Relock(path, **counts)


def _changed(old: LockedCitation, new: LockedCitation) -> bool:
    """Whether an update changes what the entry says of the page (the time aside)."""
    return replace(old, checked_at=None) != replace(new, checked_at=None)


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Status) else value
