"""The records that flow through citecheck, one way:

    Letter -> Reference -> Fetched -> PageMeta -> LinkVerdict + ClaimCheck -> Finding -> Report

Every record is a frozen dataclass; derive new ones with ``dataclasses.replace``. This module
imports nothing but the standard library so that every layer may depend on it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum


class Status(StrEnum):
    """A reference's verdict (SPEC "Statuses"); members are listed from worst to best."""

    INVALID = "invalid"
    PLACEHOLDER = "placeholder"
    PRIVATE = "private"
    BROKEN = "broken"
    MISMATCHED = "mismatched"
    BLOCKED = "blocked"
    UNREACHABLE = "unreachable"
    DRIFTED = "drifted"
    MOVED = "moved"
    SKIPPED = "skipped"
    OK = "ok"

    @property
    def severity(self) -> int:
        """Larger is worse; used to pick "the worst that applies"."""
        return len(_ORDER) - _ORDER.index(self)


_ORDER = list(Status)

DEFAULT_FAIL_ON = frozenset(
    {Status.BROKEN, Status.MISMATCHED, Status.PLACEHOLDER, Status.PRIVATE, Status.INVALID}
)


class LetterFormat(StrEnum):
    MARKDOWN = "markdown"
    TEXT = "text"
    HTML = "html"
    DOCX = "docx"


class LinkKind(StrEnum):
    """The link's syntax in the letter."""

    INLINE = "inline"
    REFERENCE = "reference"
    AUTOLINK = "autolink"
    BARE = "bare"


@dataclass(frozen=True, slots=True)
class Letter:
    """One letter as read from disk or standard input.

    ``text`` is the decoded source. A .docx letter keeps its bytes in ``data``, and ``text`` is its
    paragraphs one per line (body, then footnotes, then endnotes): ``line`` = paragraph number.
    """

    path: str
    format: LetterFormat
    text: str
    data: bytes | None = None


@dataclass(frozen=True, slots=True)
class Reference:
    """One link occurrence in a letter, with what the letter claims about it (SPEC).

    ``line`` and ``column`` are 1-based and point at the link's first character in the source.
    """

    letter: str
    line: int
    column: int
    kind: LinkKind
    footnote: str | None
    text: str
    url: str
    cited_title: str | None = None
    cited_date: str | None = None
    cited_date_text: str | None = None


class FetchError(StrEnum):
    """Why a fetch produced no usable HTTP response; classify.py maps each to a status."""

    NAME_NOT_FOUND = "name_not_found"  # DNS says the name does not exist
    NO_NETWORK = "no_network"  # no route, no resolver: nothing could be decided
    REFUSED = "refused"
    TIMEOUT = "timeout"
    TLS = "tls"
    NETWORK = "network"  # other transient connection failures
    PROTOCOL = "protocol"  # the server spoke something that is not HTTP
    REDIRECT_LOOP = "redirect_loop"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    BAD_REDIRECT = "bad_redirect"  # Location missing, malformed or to an unsupported scheme
    PRIVATE_ADDRESS = "private_address"  # the address guard stopped it (also after a redirect)
    INVALID_URL = "invalid_url"  # not an http(s) URL that can be requested


@dataclass(frozen=True, slots=True)
class Redirect:
    """One hop: the URL that answered and the redirect status it answered with."""

    url: str
    status: int


@dataclass(frozen=True, slots=True)
class Fetched:
    """What the network said about one URL.

    ``body`` holds at most the per-URL cap (``truncated`` says whether more was sent) and is empty
    when the record comes from the cache. ``headers`` are the final response's, names lower-cased.
    """

    url: str
    final_url: str | None = None
    http_status: int | None = None
    reason: str | None = None
    redirects: tuple[Redirect, ...] = ()
    content_type: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    truncated: bool = False
    error: FetchError | None = None
    error_detail: str | None = None
    elapsed_ms: int | None = None
    attempts: int = 1

    def header(self, name: str) -> str | None:
        """The first value of a response header, or None."""
        name = name.lower()
        return next((value for key, value in self.headers if key == name), None)


@dataclass(frozen=True, slots=True)
class PageMeta:
    """What a page says about itself; each value keeps the signal it came from.

    ``published`` is ISO ``YYYY-MM-DD`` (or coarser when the page is). ``title_candidates`` holds
    every title the page offers (og:title, citation_title, ``<title>`` and its parts, ``<h1>``…)
    so that a cited title can be matched against the best of them. ``parked`` says why the page
    is a parked or for-sale domain rather than a site's own page (meta/parking.py), or is None.
    ``fingerprint`` is the SimHash of the main text (meta/fingerprint.py), None without text.
    """

    title: str | None = None
    title_source: str | None = None
    title_candidates: tuple[str, ...] = ()
    published: str | None = None
    date_source: str | None = None
    site_name: str | None = None
    canonical: str | None = None
    lang: str | None = None
    description: str | None = None
    headings: tuple[str, ...] = ()
    text_head: str = ""
    anchors: frozenset[str] = frozenset()
    parked: str | None = None
    fingerprint: str | None = None


@dataclass(frozen=True, slots=True)
class LinkVerdict:
    """The verdict on a URL alone, before any letter's claims are weighed; cacheable per URL."""

    status: Status
    message: str
    suggestion: str | None = None


@dataclass(frozen=True, slots=True)
class Check:
    """One past check of a URL as the cache's history keeps it, and where the URL's run of
    transient failures stood after it (``classify.next_check``).

    The run's facts ride on every check, so that the flapping rule never needs a check that the
    history's bound has dropped. ``status`` is the URL's verdict from that answer alone.
    ``worked_at`` is None unless the run follows a check that worked (a failure, not flapping);
    ``failures`` counts the run's failed checks, ``confirmed`` those an hour or more after the
    previous one that counted, the latest at ``confirmed_at``.
    """

    checked_at: float
    status: Status
    error: FetchError | None = None
    http_status: int | None = None
    worked_at: float | None = None
    failing_since: float | None = None
    failures: int = 0
    confirmed: int = 0
    confirmed_at: float | None = None


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The knobs of claim checking; claims.py's docstring says what each one does.

    ``drift_bits`` is the drift rule's: more differing fingerprint bits than this since the lock
    is a changed text (classify.drifted, README "Citation lock").
    """

    title_similarity: float = 0.8
    date_tolerance_days: int = 1
    shortening_min_words: int = 4
    prose_min_words: int = 2
    prose_min_page_words: int = 30
    drift_bits: int = 10


@dataclass(frozen=True, slots=True)
class ClaimCheck:
    """How a page compares with what the letter claims about it (claims.py).

    ``reasons`` are the notes that make it mismatched; ``suggestion`` is then what the letter
    should cite instead (the page's title and date, in the letter's own style), ready to paste.
    """

    mismatched: bool = False
    notes: tuple[str, ...] = ()
    title_similarity: float | None = None
    reasons: tuple[str, ...] = ()
    suggestion: str | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    """A reference with its one status and the evidence for it.

    ``notes`` are the remarks that did not decide the status (a missing ``#fragment``, a date
    that cannot be verified…); the message includes them too.
    """

    reference: Reference
    status: Status
    message: str
    fetched: Fetched | None = None
    meta: PageMeta | None = None
    title_similarity: float | None = None
    suggestion: str | None = None
    from_cache: bool = False
    accessed: str | None = None  # ISO date the source was checked (the cache's date when reused)
    checked_at: float | None = None  # when the source was checked (epoch seconds); for the lock
    archived: str | None = None  # the archived copy nearest the cited date, when one was asked
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LockedCitation:
    """What a letter's citation lock froze about one cited URL (lock.py, README "Citation lock").

    ``checked_at`` is an ISO 8601 UTC time; ``archived`` the archived copy nearest the cited
    date, when ``--suggest-archive`` found one at lock time.
    """

    url: str
    status: Status
    final_url: str | None = None
    title: str | None = None
    published: str | None = None
    fingerprint: str | None = None
    checked_at: str | None = None
    archived: str | None = None


@dataclass(frozen=True, slots=True)
class LetterInfo:
    """A letter in the report; ``text`` is its source, where (line, column) point.

    For a .docx letter ``text`` is one paragraph per line (body, then footnotes, then endnotes).
    """

    path: str
    format: LetterFormat
    references: int
    text: str = ""


@dataclass(frozen=True, slots=True)
class LetterNote:
    """A remark on how the letters cite, not on any one link (consistency.py): the same page
    cited under two titles, a note number used twice, a note mark with no note…

    ``line`` and ``column`` point at the occurrence the remark is about, as a Reference's do.
    """

    letter: str
    line: int
    column: int
    message: str


@dataclass(frozen=True, slots=True)
class Report:
    """The outcome of a run; ``findings`` is None for ``refs``, which fetches nothing."""

    letters: tuple[LetterInfo, ...]
    references: tuple[Reference, ...]
    findings: tuple[Finding, ...] | None = None
    notices: tuple[str, ...] = field(default=())
    fail_on: frozenset[Status] = DEFAULT_FAIL_ON  # the statuses that fail this run (errors)
    notes: tuple[LetterNote, ...] = ()  # remarks on the letters as a whole; never a failure

    def summary(self) -> dict[str, int]:
        """``{"total": n, <status>: count, …}`` for the statuses present, worst first."""
        counts: dict[str, int] = {"total": len(self.references)}
        if self.findings is not None:
            present = Counter(finding.status for finding in self.findings)
            counts.update((status.value, present[status]) for status in Status if present[status])
        return counts


@dataclass(frozen=True, slots=True)
class Progress:
    """How far the fetching is: URLs done of ``total``, and the hosts still owing answers.

    ``waiting`` is (host, URLs not yet answered) for every such host, most first: near the end
    of a run, these are the hosts the per-host limit makes everyone wait for.
    """

    done: int
    total: int
    waiting: tuple[tuple[str, int], ...] = ()
