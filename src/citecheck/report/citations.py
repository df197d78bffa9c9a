"""The sources a letter cites, one ``Citation`` per distinct URL a reader can follow: what the
bibliography exports (``bibtex``, ``csl-json``) share, so that both cite alike.

What counts as one source: URLs equal under ``urls.dedupe_key`` (a URL cited five times, or with
different ``#fragments``, is one citation). Only URLs a reader could follow are cited:
placeholders, invalid URLs, ``mailto:``/``tel:``, in-letter ``#anchors`` and ``private`` addresses
are left out (the CSV and JSON exports keep every row). The title is the letter's cited title,
else the page's title, else the anchor text; the date the letter's cited date, else the page's
publication date. What a page says about itself is used only while the page works (ok, moved,
mismatched): a broken link's citation never takes an error page's title or date.

Keys are ``<site or host><year><first title word>`` in lower-case ASCII (``hrw2025china``; the
year is left out when unknown), with ``a``, ``b``, ``c``… appended to every key that would
otherwise repeat; the same input always gives the same keys (BibTeX keys, CSL-JSON ids).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from itertools import count, product
from string import ascii_lowercase
from urllib.parse import urlsplit

from citecheck.classify import precheck
from citecheck.models import Finding, Reference, Report, Status
from citecheck.report.records import accessed
from citecheck.urls import dedupe_key, mask_credentials

_ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_WORD = re.compile(r"[a-z0-9]+")
_STOPWORDS = frozenset(
    {"a", "an", "and", "at", "by", "for", "from", "in", "of", "on", "the", "to", "with"}
)
_WORKING = frozenset({Status.OK, Status.MOVED, Status.MISMATCHED})


@dataclass(frozen=True, slots=True)
class Citation:
    """One cited source, merged from every reference to its URL."""

    key: str
    url: str
    title: str
    site: str  # the site's name, else its host
    date: str | None = None
    accessed: str | None = None
    content_type: str | None = None
    note: str | None = None

    @property
    def date_parts(self) -> tuple[int, ...]:
        """``date`` as (year[, month[, day]]), empty when unknown."""
        return date_parts(self.date)


def date_parts(iso: str | None) -> tuple[int, ...]:
    """(year[, month[, day]]) of an ISO date as precise as it is, or () when it is not one."""
    match = _ISO_DATE.match(iso or "")
    if not match:
        return ()
    year, month, day = (int(part) if part else 0 for part in match.groups())
    if not 1 <= month <= 12:
        return (year,)
    if not 1 <= day <= 31:
        return (year, month)
    return (year, month, day)


def _ascii_words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return _WORD.findall(folded)


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").removeprefix("www.")


def _host_label(host: str) -> str:
    labels = host.split(".")
    # "hrw.org" -> "hrw"; an address or a one-label host keeps every label
    if len(labels) >= 2 and not labels[-1].isdigit():
        return labels[-2]
    return host


def _base_key(citation: Citation, site_name: str | None) -> str:
    site = "".join(_ascii_words(site_name or _host_label(_host(citation.url))))[:24]
    parts = citation.date_parts
    year = str(parts[0]) if parts else ""
    word = next((w for w in _ascii_words(citation.title) if w not in _STOPWORDS), "")
    return f"{site or 'source'}{year}{word[:20]}"


def _suffixes() -> Iterator[str]:
    """a, b, …, z, aa, ab, …: as many as a key needs."""
    for length in count(1):
        for letters in product(ascii_lowercase, repeat=length):
            yield "".join(letters)


def _unique_keys(bases: list[str]) -> list[str]:
    repeats = Counter(bases)
    used = {base for base in bases if repeats[base] == 1}
    keys = []
    for base in bases:
        key = base
        if repeats[base] > 1:
            key = next(base + suffix for suffix in _suffixes() if base + suffix not in used)
        used.add(key)
        keys.append(key)
    return keys


def _first(values: list[str | None]) -> str | None:
    return next((value for value in values if value), None)


def _merge(group: list[tuple[Reference, Finding | None]]) -> tuple[Citation, str | None]:
    """The group's citation (still without key) and the site name its key is made from."""
    refs = [ref for ref, _ in group]
    findings = [finding for _, finding in group if finding is not None]
    # Only a page that works is the cited source: a 404 or soft-404 page's title ("Page not
    # found"), date and site name describe the error page.
    metas = [f.meta for f in findings if f.meta is not None and f.status in _WORKING]
    url = mask_credentials(refs[0].url)
    site_name = _first([meta.site_name for meta in metas])
    title = (
        _first([ref.cited_title for ref in refs])
        or _first([meta.title for meta in metas])
        or _first([mask_credentials(ref.text) for ref in refs])
        or url
    )
    dates = [ref.cited_date for ref in refs] + [meta.published for meta in metas]
    read_on = sorted(day for day in map(accessed, findings) if day and date_parts(day))
    worst = max(findings, key=lambda f: f.status.severity, default=None)
    note = None
    if worst is not None and worst.status not in (Status.OK, Status.SKIPPED):
        note = f"citecheck: {worst.status.value} ({worst.message})"
        if worst.suggestion:
            note += f"; suggestion: {mask_credentials(worst.suggestion)}"
    citation = Citation(
        key="",
        url=url,
        title=" ".join(title.split()),
        site=site_name or _host(url) or url,
        date=next((d for d in dates if d and date_parts(d)), None),
        accessed=read_on[-1] if read_on else None,
        content_type=_first([f.fetched.content_type for f in findings if f.fetched]),
        note=note,
    )
    return citation, site_name


def _citable(group: list[tuple[Reference, Finding | None]]) -> bool:
    return not any(finding and finding.status is Status.PRIVATE for _, finding in group)


def citations(report: Report) -> list[Citation]:
    """One Citation per distinct followable URL, in order of first citation, with unique keys."""
    pairs: list[tuple[Reference, Finding | None]] = (
        [(finding.reference, finding) for finding in report.findings]
        if report.findings is not None
        else [(reference, None) for reference in report.references]
    )
    groups: dict[str, list[tuple[Reference, Finding | None]]] = {}
    for ref, finding in pairs:
        if precheck(ref.url) is None:
            groups.setdefault(dedupe_key(ref.url), []).append((ref, finding))
    merged = [_merge(group) for group in groups.values() if _citable(group)]
    keys = _unique_keys([_base_key(citation, site_name) for citation, site_name in merged])
    return [replace(citation, key=key) for key, (citation, _) in zip(keys, merged, strict=True)]
