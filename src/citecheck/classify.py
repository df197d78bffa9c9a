"""Every rule that yields a status (pure): the URL, the options and the evidence -> a verdict.

Before any request, ``offline_verdict`` settles what needs no network (placeholders, schemes,
--exclude/--include, a non-public IP literal, a --remap target's own pre-check), and
``not_in_cache`` what --offline cannot answer. The URL-level verdict (``link_verdict``) depends
only on what the server said, so it is computed once per URL and cached (``accepted`` re-reads it
under --accept); the reference-level verdict (``finding``) adds what one letter claims, weighed
by ``claims.compare`` when ``weighed_claims`` finds a page to weigh them against. ``drifted``
weighs a working page against what the letter's citation lock froze.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from citecheck.claims import compare
from citecheck.models import (
    Check,
    ClaimCheck,
    Fetched,
    FetchError,
    Finding,
    LinkVerdict,
    LockedCitation,
    PageMeta,
    Reference,
    Status,
    Thresholds,
)
from citecheck.urls import (
    FETCHED_SCHEMES,
    SCHEMELESS,
    SYNTAX_ONLY_SCHEMES,
    address_of,
    dedupe_key,
    http_syntax_problem,
    placeholder_reason,
    scheme_of,
    split_fragment,
    well_formed_address,
)

if TYPE_CHECKING:
    from citecheck.config import Options

_ERROR_STATUS = {
    FetchError.NAME_NOT_FOUND: (Status.BROKEN, "DNS: the name {host} does not exist"),
    FetchError.NO_NETWORK: (Status.UNREACHABLE, "no network: could not look up {host}"),
    FetchError.REFUSED: (Status.BROKEN, "connection refused by {host}"),
    FetchError.TIMEOUT: (Status.UNREACHABLE, "timed out"),
    FetchError.TLS: (Status.BROKEN, "TLS failure"),
    FetchError.NETWORK: (Status.UNREACHABLE, "network error"),
    FetchError.PROTOCOL: (Status.BROKEN, "the server's answer is not valid HTTP"),
    FetchError.REDIRECT_LOOP: (Status.BROKEN, "redirect loop"),
    FetchError.TOO_MANY_REDIRECTS: (Status.BROKEN, "too many redirects"),
    FetchError.BAD_REDIRECT: (Status.BROKEN, "bad redirect"),
    FetchError.PRIVATE_ADDRESS: (Status.PRIVATE, "not a public address"),
    FetchError.INVALID_URL: (Status.INVALID, "not a URL that can be fetched"),
}

PERMANENT_REDIRECTS = frozenset({301, 308})
_BLOCKING_CODES = frozenset({401, 403, 407, 429, 451, 999})

# A 200 page that says it is not there. Matched against the title and main headings only:
# body text mentions "not found" far too often in legitimate pages.
_SOFT_404 = re.compile(
    r"\b(?:404|page (?:was )?not found|not found|page (?:does not|doesn't) exist"
    r"|no longer available"
    r"|page introuvable|seite nicht gefunden|página no encontrada|pagina niet gevonden"
    r"|pagina non trovata|página não encontrada|nothing (?:was )?found|error 404)\b",
    re.IGNORECASE,
)
_LOGIN_PATH = re.compile(
    r"/(?:log-?in|sign-?in|signin|auth|sso|account/login|users?/sign_in)\b", re.I
)
_LOGIN_TITLE = re.compile(r"^\s*(?:log ?in|sign ?in|anmelden|connexion|iniciar sesión)\b", re.I)

# Markers of anti-bot interstitials (Cloudflare, Akamai, Imperva/Incapsula, PerimeterX, DataDome,
# Sucuri): a page a person would pass, so the source may well exist.
_CHALLENGE_MARKERS = (
    b"cf-chl-",
    b"challenge-platform",
    b"Just a moment...",
    b"Attention Required! | Cloudflare",
    b"_Incapsula_Resource",
    b"px-captcha",
    b"captcha-delivery.com",
    b"datadome",
    b"Sucuri WebSite Firewall",
    b"Access Denied</title>",
)


def precheck(url: str) -> LinkVerdict | None:
    """The verdict ``url``'s text alone earns (placeholder, invalid, skipped), or None to fetch."""
    reason = placeholder_reason(url)
    if reason:
        return LinkVerdict(Status.PLACEHOLDER, reason)
    text = url.strip()
    if text.startswith("#"):
        return LinkVerdict(Status.SKIPPED, "link within the letter")
    scheme = scheme_of(text)
    if scheme is None and SCHEMELESS.match(text):
        fixed = f"https://{text}"
        return LinkVerdict(Status.INVALID, f"no scheme: add https:// ({fixed})", fixed)
    if scheme is None:
        return LinkVerdict(
            Status.INVALID, "not an absolute URL: readers have no page to resolve it"
        )
    if scheme in SYNTAX_ONLY_SCHEMES:
        address = address_of(text)
        if well_formed_address(scheme, address):
            return LinkVerdict(Status.SKIPPED, f"{scheme}: links are only syntax-checked")
        return LinkVerdict(Status.INVALID, f"malformed {scheme}: address {address!r}")
    if scheme not in FETCHED_SCHEMES:
        return LinkVerdict(Status.INVALID, f"unsupported scheme {scheme!r}")
    problem = http_syntax_problem(text)
    if problem:
        return LinkVerdict(Status.INVALID, problem)
    return None


def offline_verdict(
    url: str, options: Options, non_public: str | None = None
) -> LinkVerdict | None:
    """The verdict settled before any request, or None to fetch ``remap_target(url, options)``.

    ``non_public`` is the address guard's finding on a host written as an IP literal ("10.0.0.1
    is private"): such a host is private with no lookup, so --offline (the pre-commit hook) knows
    it too; the fetch guard would say the same.
    """
    verdict = precheck(url)
    if verdict is not None:
        return verdict
    if any(pattern.search(url) for pattern in options.exclude):
        return LinkVerdict(Status.SKIPPED, "excluded by --exclude")
    if options.include and not any(pattern.search(url) for pattern in options.include):
        return LinkVerdict(Status.SKIPPED, "not matched by --include")
    if not options.allow_private and non_public is not None:
        return LinkVerdict(Status.PRIVATE, f"not a public address: {non_public}")
    target = remap_target(url, options)
    remapped = precheck(target) if target != url else None
    if remapped is not None:
        return replace(remapped, message=f"after --remap: {remapped.message}")
    return None


def remap_target(url: str, options: Options) -> str:
    """``url`` as the first matching --remap rewrites it (unchanged when none matches)."""
    for remap in options.remap:
        if remap.pattern.search(url):
            return remap.pattern.sub(remap.replacement, url, count=1)
    return url


def not_in_cache() -> LinkVerdict:
    """The verdict under --offline for a URL the cache cannot answer."""
    # A result cached under other options (guard, headers, user agent) is no answer.
    return LinkVerdict(Status.UNREACHABLE, "not in cache for these options (--offline)")


def is_challenge(fetched: Fetched) -> bool:
    """Whether the response is an anti-bot challenge rather than the page."""
    if (fetched.header("cf-mitigated") or "").lower() == "challenge":
        return True
    head = fetched.body[:32_768]
    return any(marker in head for marker in _CHALLENGE_MARKERS)


def _host(url: str) -> str:
    try:
        return urlsplit(url).hostname or url
    except ValueError:
        return url


def _status_line(fetched: Fetched) -> str:
    reason = f" {fetched.reason}" if fetched.reason else ""
    return f"{fetched.http_status}{reason}"


def link_verdict(
    fetched: Fetched, meta: PageMeta | None, accept: Collection[int] = ()
) -> LinkVerdict:
    """The status of a URL from the network's answer and the page's own metadata."""
    if fetched.error is not None:
        status, template = _ERROR_STATUS[fetched.error]
        message = template.format(host=_host(fetched.final_url or fetched.url))
        if fetched.error_detail:
            message = f"{message}: {fetched.error_detail}"
        if fetched.redirects:
            message += f" (after {len(fetched.redirects)} redirect(s))"
        return LinkVerdict(status, message)
    code = fetched.http_status or 0
    line = _status_line(fetched)
    if code in accept:
        return LinkVerdict(Status.OK, f"{line} (accepted by configuration)")
    challenge = is_challenge(fetched)
    if code in _BLOCKING_CODES or challenge:
        what = "a bot challenge" if challenge else "access refused"
        return LinkVerdict(Status.BLOCKED, f"{line}: {what}; a person should check it")
    if code in (404, 410):
        return LinkVerdict(Status.BROKEN, line)
    if code >= 500:
        retried = f" after {fetched.attempts} attempts" if fetched.attempts > 1 else ""
        return LinkVerdict(Status.BROKEN, f"{line}{retried}")
    if not 200 <= code < 300:
        return LinkVerdict(Status.BROKEN, line)
    if meta is not None and meta.parked:
        # A stranger's page now: the letter would send readers to a parking or sale page.
        return LinkVerdict(Status.BROKEN, f"{line}: domain parked or sold; {meta.parked}")
    soft = soft_404(fetched, meta)
    if soft:
        return LinkVerdict(Status.BROKEN, f"{line} but {soft}")
    return _moved_or_ok(fetched, meta, line)


def accepted(
    verdict: LinkVerdict, fetched: Fetched | None, meta: PageMeta | None, accept: Collection[int]
) -> LinkVerdict:
    """The URL's ``verdict`` (decided without ``accept``) under ``--accept``.

    An accepted code is decided from the status line alone (no body, which the cache does not
    keep), so this is exact for a new and a cached outcome alike, and the cache serves any
    --accept.
    """
    if fetched is None or fetched.error is not None or fetched.http_status not in accept:
        return verdict
    return link_verdict(fetched, meta, accept)


# Failures that say little about the page itself: the server, or the way to it, may well be back.
_TRANSIENT_ERRORS = frozenset({FetchError.TIMEOUT, FetchError.NETWORK, FetchError.REFUSED})
# Failures closer together than this are one look at the same outage: only failures this far
# apart confirm a dead link (Wikipedia's archive bot also spaces its checks before saying so).
CONFIRM_SPACING_S = 3600.0


def _transient(fetched: Fetched) -> bool:
    if fetched.error is not None:
        return fetched.error in _TRANSIENT_ERRORS
    code = fetched.http_status or 0
    return code >= 500 or code == 429


def next_check(
    last: Check | None, fetched: Fetched, verdict: LinkVerdict, checked_at: float
) -> Check:
    """The check just made (``verdict`` from ``fetched``, decided without ``accept``), carrying on
    the run of failures of the URL's ``last`` check."""
    check = Check(checked_at, verdict.status, fetched.error, fetched.http_status)
    if fetched.error is FetchError.NO_NETWORK:
        # Our network failed, not the link: the run stands as it was.
        if last is None:
            return check
        return replace(
            last,
            checked_at=checked_at,
            status=verdict.status,
            error=fetched.error,
            http_status=fetched.http_status,
        )
    if verdict.status in (Status.OK, Status.MOVED):
        return replace(check, worked_at=checked_at)
    if not _transient(fetched) or last is None or last.worked_at is None:
        return check  # a failure, but not after a check that worked: nothing to wait for
    if not last.failures or last.confirmed_at is None:
        return replace(
            check,
            worked_at=last.worked_at,
            failing_since=checked_at,
            failures=1,
            confirmed=1,
            confirmed_at=checked_at,
        )
    counts = checked_at - last.confirmed_at >= CONFIRM_SPACING_S
    return replace(
        check,
        worked_at=last.worked_at,
        failing_since=last.failing_since,
        failures=last.failures + 1,
        confirmed=last.confirmed + counts,
        confirmed_at=checked_at if counts else last.confirmed_at,
    )


def _failing_run(last: Check | None) -> Check | None:
    """The URL's ``last`` check when it failed transiently after the URL had worked, else None."""
    if last is None or last.worked_at is None or last.failing_since is None:
        return None
    if not last.failures or last.error is FetchError.NO_NETWORK:
        return None
    return last


def unconfirmed(last: Check | None, confirm_dead: int) -> bool:
    """Whether the URL's ``last`` check is a failure that fewer than ``confirm_dead`` spaced
    failures confirm: its result decided nothing yet, so it is checked again, not reused."""
    run = _failing_run(last)
    return run is not None and run.confirmed < confirm_dead


def flapping(verdict: LinkVerdict, last: Check | None, confirm_dead: int) -> LinkVerdict:
    """The URL's ``verdict`` from its ``last`` check, when that check failed transiently after the
    URL had worked: ``unreachable`` until ``confirm_dead`` failures an hour apart confirm it, then
    ``verdict`` itself; either way the message says since when it fails."""
    run = _failing_run(last)
    if run is None or verdict.status in (Status.OK, Status.MOVED):
        return verdict
    assert run.worked_at is not None and run.failing_since is not None  # by _failing_run
    year = _day(run.checked_at).year
    checks = f"{run.failures} check{'s' if run.failures != 1 else ''}"
    story = (
        f"worked on {_date(run.worked_at, year)}; "
        f"failing since {_date(run.failing_since, year)}, {checks}"
    )
    if run.confirmed >= confirm_dead:
        return replace(verdict, message=f"{verdict.message}; {story}")
    return LinkVerdict(
        Status.UNREACHABLE,
        f"{verdict.message}; {story}; not called dead before {confirm_dead} failed checks "
        f"an hour apart ({run.confirmed} so far, --confirm-dead)",
    )


def _day(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _date(seconds: float, this_year: int) -> str:
    """``2 Dec``, with the year when it is not ``this_year``'s."""
    day = _day(seconds)
    return f"{day.day} {day:%b}" + (f" {day.year}" if day.year != this_year else "")


def soft_404(fetched: Fetched, meta: PageMeta | None) -> str | None:
    """Why a 200 answer is really a missing page, or None."""
    if meta is not None:
        for text in (meta.title, *meta.headings[:1]):
            if text and len(text) < 120 and _SOFT_404.search(text):
                return f"the page says {text.strip()!r}"
    if fetched.redirects and fetched.final_url:
        start, end = urlsplit(fetched.url), urlsplit(fetched.final_url)
        if start.path.strip("/") and not end.path.strip("/") and not end.query:
            return f"it redirects to the site's home page {fetched.final_url}"
        title = meta.title if meta else None
        if _LOGIN_PATH.search(end.path) or (title and _LOGIN_TITLE.match(title)):
            return f"it redirects to a login page {fetched.final_url}"
    return None


def _same_address(a: str, b: str) -> bool:
    """Equal but for scheme, a ``www.`` prefix, a trailing slash or the fragment."""

    def key(url: str) -> str:
        normal = dedupe_key(url)
        normal = normal.split("://", 1)[-1].rstrip("/")
        return normal.removeprefix("www.")

    try:
        return key(a) == key(b)
    except ValueError:
        return False


def _moved_or_ok(fetched: Fetched, meta: PageMeta | None, line: str) -> LinkVerdict:
    final = fetched.final_url or fetched.url
    permanent = [hop for hop in fetched.redirects if hop.status in PERMANENT_REDIRECTS]
    if permanent and not _same_address(fetched.url, final):
        return LinkVerdict(
            Status.MOVED, f"{permanent[0].status} permanent redirect to {final}", final
        )
    if meta and meta.canonical and not _same_address(meta.canonical, final):
        canonical = meta.canonical
        if urlsplit(canonical).scheme in ("http", "https"):
            return LinkVerdict(
                Status.MOVED, f"{line}; the page names {canonical} as its address", canonical
            )
    if fetched.redirects:
        return LinkVerdict(Status.OK, f"{line} (redirects to {final})")
    return LinkVerdict(Status.OK, line)


def fragment_note(url: str, meta: PageMeta | None) -> str | None:
    """A note when the URL's ``#fragment`` names no id or anchor on the page."""
    _, fragment = split_fragment(url)
    if not fragment or meta is None or not meta.anchors:
        return None
    # Single-page-app routes, text fragments and "top" are not element ids.
    if fragment.startswith(("!", "/", ":~:")) or fragment.lower() == "top":
        return None
    if fragment in meta.anchors or unquote(fragment) in meta.anchors:
        return None
    return f"#{fragment} not found on the page"


def weighed_claims(
    reference: Reference, verdict: LinkVerdict, meta: PageMeta | None, thresholds: Thresholds
) -> ClaimCheck | None:
    """The letter's claims against the page, when there is a page that answered for them."""
    if meta is None or verdict.status not in (Status.OK, Status.MOVED):
        return None
    return compare(reference, meta, thresholds)


def wants_archive(found: Finding) -> bool:
    """Whether an archived copy is worth suggesting for this finding: a mismatched page's
    capture from the cited date is often the very version cited."""
    return found.status in (Status.BROKEN, Status.MOVED, Status.MISMATCHED)


def with_archive(found: Finding, snapshot: str) -> Finding:
    """``found`` with an archived copy: the suggestion for a broken link (or one without any),
    else a remark beside the new address a moved link already suggests. A finding that wants no
    archive (a working page being locked) only records it."""
    found = replace(found, archived=snapshot)
    if not wants_archive(found):
        return found
    if found.status is Status.BROKEN or found.suggestion is None:
        return replace(found, suggestion=snapshot)
    return replace(found, message=f"{found.message}; archived copy: {snapshot}")


def finding(
    reference: Reference,
    verdict: LinkVerdict,
    *,
    fetched: Fetched | None = None,
    meta: PageMeta | None = None,
    claims: ClaimCheck | None = None,
    from_cache: bool = False,
    accessed: str | None = None,
) -> Finding:
    """One reference's finding: the URL's verdict, made worse by the letter's claims if need be."""
    status, message = verdict.status, verdict.message
    suggestion = verdict.suggestion
    notes: list[str] = []
    remarks: list[str] = []  # the notes that did not decide the status
    if claims is not None:
        notes.extend(claims.notes)
        if claims.mismatched and Status.MISMATCHED.severity > status.severity:
            status = Status.MISMATCHED
            # The letter's fix is the citation; a new address stays in the message.
            suggestion = claims.suggestion or suggestion
        remarks.extend(
            n for n in claims.notes if status is not Status.MISMATCHED or n not in claims.reasons
        )
    if status in (Status.OK, Status.MOVED, Status.MISMATCHED):
        note = fragment_note(reference.url, meta)
        if note:
            notes.append(note)
            remarks.append(note)
    if notes:
        message = (
            "; ".join([*notes, message])
            if status is Status.MISMATCHED
            else ("; ".join([message, *notes]))
        )
    return Finding(
        reference=reference,
        status=status,
        message=message,
        fetched=fetched,
        meta=meta,
        title_similarity=claims.title_similarity if claims else None,
        suggestion=suggestion,
        from_cache=from_cache,
        accessed=accessed,
        notes=tuple(remarks),
    )


_WORKS = (Status.OK, Status.MOVED)


def drifted(found: Finding, locked: LockedCitation, thresholds: Thresholds) -> Finding:
    """``found`` as ``drifted`` when its page works but changed since the citation lock.

    Changed means: the title differs from the locked one (whitespace and case aside), or more
    than ``thresholds.drift_bits`` of the 64 bits of the main text's SimHash differ. Only a page
    that worked at lock time and works now is compared; any worse status stands.
    """
    meta = found.meta
    if found.status not in _WORKS or locked.status not in _WORKS or meta is None:
        return found
    changes = []
    if locked.title and _folded(locked.title) != _folded(meta.title or ""):
        changes.append(f"title was {locked.title!r}, now {meta.title or '(none)'!r}")
    if locked.fingerprint and meta.fingerprint:
        bits = (int(locked.fingerprint, 16) ^ int(meta.fingerprint, 16)).bit_count()
        if bits > thresholds.drift_bits:
            changes.append(
                f"main text changed ({bits} of 64 fingerprint bits differ, "
                f"more than {thresholds.drift_bits})"
            )
    if not changes:
        return found
    since = f" since the lock of {locked.checked_at[:10]}" if locked.checked_at else ""
    message = f"changed{since}: {'; '.join(changes)}"
    if locked.archived:
        message += f"; archived copy: {locked.archived}"
    message += f" ({found.message})"
    return replace(
        found,
        status=Status.DRIFTED,
        message=message,
        suggestion=found.suggestion or locked.archived,
        archived=found.archived or locked.archived,
    )


def _folded(title: str) -> str:
    return " ".join(title.split()).casefold()
