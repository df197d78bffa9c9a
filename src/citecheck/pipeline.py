"""Sequencing only: letters -> references -> offline verdicts -> (cache | fetch) -> metadata ->
verdicts -> Report; every status is decided in ``classify``.

Everything that can be decided without the network (placeholders, schemes, exclusions, the cache)
is decided first; each distinct URL is then fetched once however often the letters cite it.
The core never touches the terminal: progress goes through the ``on_progress`` callback.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from citecheck import classify, consistency
from citecheck.models import (
    Check,
    Fetched,
    FetchError,
    Finding,
    Letter,
    LetterInfo,
    LinkVerdict,
    LockedCitation,
    PageMeta,
    Progress,
    Reference,
    Report,
)
from citecheck.net.addresses import parse_host_address
from citecheck.parse import read
from citecheck.urls import dedupe_key, split_fragment

if TYPE_CHECKING:
    from citecheck.cache import CacheEntry, ResultCache
    from citecheck.config import Options
    from citecheck.net.addresses import AddressReason
    from citecheck.net.fetch import FetchOptions, Network
    from citecheck.net.resolve import Resolver


ProgressCallback = Callable[[Progress], None]
Clock = Callable[[], float]  # seconds since the epoch, as time.time

NO_NETWORK_NOTICE = (
    "NO NETWORK: {count} link(s) could not be checked because this machine cannot reach the "
    "network; they are marked unreachable, not broken."
)


def list_references(letters: Sequence[Letter]) -> Report:
    """The references of ``letters``, in order, with no network at all."""
    infos: list[LetterInfo] = []
    references: list[Reference] = []
    notices: list[str] = []
    for letter in letters:
        found = read(letter)
        infos.append(LetterInfo(letter.path, letter.format, len(found.references), letter.text))
        references.extend(found.references)
        notices.extend(found.notices)
    return Report(
        tuple(infos),
        tuple(references),
        notices=tuple(notices),
        notes=consistency.notes(letters, references),
    )


@dataclass(frozen=True, slots=True)
class _Outcome:
    """What is known about one distinct URL; ``check``: its latest check (this one if fetched)."""

    fetched: Fetched | None
    meta: PageMeta | None
    verdict: LinkVerdict
    from_cache: bool
    checked_at: float
    check: Check | None = None


def run_check(
    letters: Sequence[Letter],
    options: Options,
    *,
    on_progress: ProgressCallback | None = None,
    resolver: Resolver | None = None,
    address_reason: AddressReason | None = None,
    clock: Clock = time.time,
    locking: bool = False,
) -> Report:
    """Check every reference of ``letters`` (blocking wrapper around ``check_letters``)."""
    reports: list[Report] = []

    # The report is handed out through a list, not as the main task's result: on Python 3.11,
    # asyncio.run's SIGINT bookkeeping ends up formatting repr(main task), result included, and
    # the repr of a 3,000-finding Report costs ~0.1 s (twice).
    async def main() -> None:
        reports.append(
            await check_letters(
                letters,
                options,
                on_progress=on_progress,
                resolver=resolver,
                address_reason=address_reason,
                clock=clock,
                locking=locking,
            )
        )

    asyncio.run(main())
    return reports[0]


async def check_letters(
    letters: Sequence[Letter],
    options: Options,
    *,
    on_progress: ProgressCallback | None = None,
    resolver: Resolver | None = None,
    address_reason: AddressReason | None = None,
    clock: Clock = time.time,
    locking: bool = False,
) -> Report:
    """Check every reference of ``letters`` and return the Report; ``clock`` dates the checks.

    A letter's citation lock, when it has one, turns a working page that changed since into
    ``drifted``. ``locking`` is for writing the locks instead: the pages are reported as they
    are now, and with --suggest-archive every page that answered gets its archived copy.
    ``resolver`` and ``address_reason`` replace the system's resolver and the address guard's
    rule (see ``net.fetch.Network``); tests pass tables.
    """
    from citecheck.net.fetch import Network

    network = (
        Network(resolver)
        if address_reason is None
        else Network(resolver, address_reason=address_reason)
    )
    listed = list_references(letters)
    decided: dict[int, LinkVerdict] = {}
    targets: dict[int, str] = {}
    wanted: dict[str, str] = {}  # dedupe key -> URL to fetch
    for index, reference in enumerate(listed.references):
        url = reference.url
        verdict = classify.offline_verdict(
            url, options, _non_public_literal(url, network.address_reason)
        )
        if verdict is not None:
            decided[index] = verdict
            continue
        base, _ = split_fragment(classify.remap_target(url, options))
        key = dedupe_key(base)
        targets[index] = key
        wanted.setdefault(key, base)

    cache = _open_cache(options)
    try:
        # Only a lock needs the pages' text fingerprints, which cost half of reading a page.
        locks = {} if locking else _read_locks(letters)
        fingerprints = locking or any(locks.values())
        outcomes = await _outcomes(
            wanted, options, cache, on_progress, network, clock, fingerprints
        )
        findings = _findings(listed.references, decided, targets, outcomes, options)
        if options.suggest_archive:
            findings = await _with_archive_suggestions(
                findings, options, cache, network, every=locking
            )
    finally:
        if cache is not None:
            cache.close()
    cache_warnings = cache.warnings if cache is not None else []
    offline = sum(
        1
        for outcome in outcomes.values()
        if outcome.fetched is not None and outcome.fetched.error is FetchError.NO_NETWORK
    )
    notices = (NO_NETWORK_NOTICE.format(count=offline),) if offline else ()
    notices = (*listed.notices, *notices, *cache_warnings)
    if not locking:
        findings = _against_locks(findings, options, locks)
    return replace(listed, findings=tuple(findings), notices=notices, fail_on=options.fail_on)


def _read_locks(letters: Sequence[Letter]) -> dict[str, dict[str, LockedCitation] | None]:
    """Each letter's citation lock, None for a letter without one."""
    from citecheck import lock
    from citecheck.letters import STDIN

    return {
        letter.path: None if letter.path == STDIN else lock.read_lock(letter.path)
        for letter in letters
    }


def _against_locks(
    findings: list[Finding],
    options: Options,
    locks: dict[str, dict[str, LockedCitation] | None],
) -> list[Finding]:
    """The findings weighed against their letters' citation locks, where there are any."""
    result = []
    for found in findings:
        locked = (locks.get(found.reference.letter) or {}).get(found.reference.url)
        if locked is not None:
            found = classify.drifted(found, locked, options.thresholds)
        result.append(found)
    return result


def _non_public_literal(url: str, address_reason: AddressReason) -> str | None:
    """ "<ip> is <reason>" when the host is written as an address the guard refuses, else None."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:  # a malformed URL: classify finds it invalid whatever this says
        return None
    ip = parse_host_address(host)
    reason = address_reason(ip) if ip is not None else None
    return f"{ip} is {reason}" if reason is not None else None


def _fetch_options(options: Options) -> FetchOptions:
    from citecheck.net.fetch import FetchOptions

    fetch_options = FetchOptions(
        timeout=options.timeout,
        deadline=max(options.timeout * 3, options.timeout + 5),
        retries=options.retries,
        max_concurrency=options.max_concurrency,
        per_host=options.per_host,
        rate=options.rate,
        headers=options.header,
        host_headers=options.host_headers,
        allow_private=options.allow_private,
    )
    if options.user_agent:
        fetch_options = replace(fetch_options, user_agent=options.user_agent)
    return fetch_options


def _open_cache(options: Options) -> ResultCache | None:
    """The cache for this run's conditions, or None; refuses a file that is no citecheck cache."""
    if not (options.cache or options.offline):
        return None
    from citecheck.cache import ResultCache, conditions, default_cache_path

    return ResultCache(
        options.cache_path or default_cache_path(),
        conditions=conditions(_fetch_options(options)),
    )


async def _outcomes(
    wanted: dict[str, str],
    options: Options,
    cache: ResultCache | None,
    on_progress: ProgressCallback | None,
    network: Network,
    clock: Clock,
    fingerprints: bool,
) -> dict[str, _Outcome]:
    """An outcome for every wanted URL: from the cache where fresh, else from the network;
    ``fingerprints``: a citation lock needs the pages' text fingerprints."""
    now = clock()
    # --refresh uses no stored entry (not even its validators): skip reading and decoding them.
    entries = cache.get_many(wanted) if cache is not None and not options.refresh else {}
    if fingerprints and not options.offline:
        from citecheck.cache import lacks_fingerprint

        entries = {key: entry for key, entry in entries.items() if not lacks_fingerprint(entry)}
    # Read even under --refresh: a new answer does not erase that the link worked before.
    checks = cache.latest_checks(wanted) if cache is not None else {}
    outcomes, stale = _from_cache(wanted, entries, checks, options, now)
    if stale:
        fresh = await _fetch_all(stale, entries, options, on_progress, network, clock, fingerprints)
        fresh = {key: _checked(outcome, checks.get(key)) for key, outcome in fresh.items()}
        outcomes.update(fresh)
        if cache is not None:
            cache.put_many(_entry(key, outcome) for key, outcome in fresh.items())
            cache.add_checks(
                (key, outcome.check) for key, outcome in fresh.items() if outcome.check
            )
    return outcomes


def _checked(outcome: _Outcome, last: Check | None) -> _Outcome:
    """A fetched ``outcome`` with its check, which carries on from the URL's ``last`` one."""
    assert outcome.fetched is not None  # every fetched outcome has its answer
    check = classify.next_check(last, outcome.fetched, outcome.verdict, outcome.checked_at)
    return replace(outcome, check=check)


def _from_cache(
    wanted: dict[str, str],
    entries: dict[str, CacheEntry],
    checks: dict[str, Check],
    options: Options,
    now: float,
) -> tuple[dict[str, _Outcome], dict[str, str]]:
    """Split the wanted URLs into answered-by-cache and still-to-fetch."""
    from citecheck.cache import is_fresh

    outcomes: dict[str, _Outcome] = {}
    stale: dict[str, str] = {}
    for key, url in wanted.items():
        entry = entries.get(key)  # none at all under --refresh
        check = checks.get(key)
        if entry is not None and (
            options.offline
            or (
                is_fresh(entry, now=now, max_age=options.max_age)
                and not classify.unconfirmed(check, options.confirm_dead)
            )
        ):
            outcomes[key] = _Outcome(
                entry.fetched, entry.meta, entry.verdict, True, entry.checked_at, check
            )
        elif options.offline:
            outcomes[key] = _Outcome(None, None, classify.not_in_cache(), False, now)
        else:
            stale[key] = url
    return outcomes, stale


def _entry(key: str, outcome: _Outcome) -> CacheEntry:
    from citecheck.cache import CacheEntry

    fetched = outcome.fetched or Fetched(url=key)
    return CacheEntry(
        key=key,
        fetched=replace(fetched, body=b""),
        meta=outcome.meta,
        verdict=outcome.verdict,
        checked_at=outcome.checked_at,
        etag=fetched.header("etag"),
        last_modified=fetched.header("last-modified"),
    )


async def _fetch_all(
    stale: dict[str, str],
    entries: dict[str, CacheEntry],
    options: Options,
    on_progress: ProgressCallback | None,
    network: Network,
    clock: Clock,
    fingerprints: bool,
) -> dict[str, _Outcome]:

    total, done = len(stale), 0
    pending = Counter(_host(url) for url in stale.values())

    def tell() -> None:
        if on_progress:
            waiting = sorted(pending.items(), key=lambda item: (-item[1], item[0]))
            on_progress(Progress(done, total, tuple(waiting)))

    tell()

    keys = list(stale)
    requests = [(stale[key], _validators(entries.get(key))) for key in keys]
    outcomes: dict[str, _Outcome] = {}

    async def deliver(index: int, fetched: Fetched) -> None:
        nonlocal done
        key = keys[index]
        outcomes[key] = await _outcome(fetched, entries.get(key), clock(), fingerprints)
        done += 1
        host = _host(stale[key])
        pending[host] -= 1
        if not pending[host]:
            del pending[host]
        tell()

    async with network.fetcher(_fetch_options(options)) as fetcher:
        await fetcher.fetch_each(requests, deliver)
    return outcomes


def _validators(entry: CacheEntry | None) -> dict[str, str] | None:
    """The conditional headers that ask whether ``entry``'s page changed, if there is one."""
    if entry is None:
        return None
    from citecheck.cache import revalidation_headers  # an entry: the cache is loaded already

    return revalidation_headers(entry) or None


async def _outcome(
    fetched: Fetched, entry: CacheEntry | None, now: float, fingerprints: bool
) -> _Outcome:
    if fetched.http_status == 304 and entry is not None:
        # Revalidated: the stored page still holds; keep its metadata and verdict.
        return _Outcome(entry.fetched, entry.meta, entry.verdict, False, now)
    if len(fetched.body) > _BIG_PAGE:
        # Reading a big page takes long enough (0.3 s for 2 MB of small elements) to starve the
        # event loop: the other fetches' timers would expire with their data already arrived.
        meta = await asyncio.to_thread(_page_meta, fetched, fingerprints)
    else:
        meta = _page_meta(fetched, fingerprints)
    # Decided without --accept, so that the cached verdict serves any --accept (classify.accepted).
    verdict = classify.link_verdict(fetched, meta)
    # The body has served its purpose (metadata, challenge markers): up to 2 MB a URL is too
    # much to hold for thousands of URLs until the report is written.
    return _Outcome(replace(fetched, body=b""), meta, verdict, False, now)


_BIG_PAGE = 256 * 1024  # bytes of body from which the metadata is read in a worker thread


def _page_meta(fetched: Fetched, fingerprint: bool) -> PageMeta | None:
    if fetched.error is not None or not fetched.body:
        return None
    if not 200 <= (fetched.http_status or 0) < 300:
        return None
    from citecheck import meta

    charset = _charset(fetched.header("content-type"))
    return meta.page_meta(
        fetched.body,
        fetched.content_type,
        fetched.final_url or fetched.url,
        charset=charset,
        fingerprint=fingerprint,
    )


def _charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    for part in content_type.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset" and value:
            return value.strip("\"' ")
    return None


def _host(url: str) -> str:
    try:
        return urlsplit(url).hostname or url
    except ValueError:
        return url


def _findings(
    references: Sequence[Reference],
    decided: dict[int, LinkVerdict],
    targets: dict[int, str],
    outcomes: dict[str, _Outcome],
    options: Options,
) -> list[Finding]:
    today = date.today().isoformat()
    findings = []
    for index, reference in enumerate(references):
        if index in decided:
            findings.append(classify.finding(reference, decided[index]))
            continue
        outcome = outcomes[targets[index]]
        verdict = classify.flapping(outcome.verdict, outcome.check, options.confirm_dead)
        verdict = classify.accepted(verdict, outcome.fetched, outcome.meta, options.accept)
        claims = classify.weighed_claims(reference, verdict, outcome.meta, options.thresholds)
        accessed = (
            datetime.fromtimestamp(outcome.checked_at, UTC).date().isoformat()
            if outcome.from_cache
            else today
        )
        found = classify.finding(
            reference,
            verdict,
            fetched=outcome.fetched,
            meta=outcome.meta,
            claims=claims,
            from_cache=outcome.from_cache,
            accessed=accessed,
        )
        findings.append(replace(found, checked_at=outcome.checked_at))
    return findings


async def _with_archive_suggestions(
    findings: list[Finding],
    options: Options,
    cache: ResultCache | None,
    network: Network,
    *,
    every: bool = False,
) -> list[Finding]:
    """Archived copies nearest the cited date for broken, moved and mismatched references
    (``every``: for every reference that was fetched, to lock them).

    Without a cited date, the date the letter last changed stands in (the version its author saw
    is older than that), else today. A mismatched reference keeps its paste-ready citation as
    the suggestion: the capture from the cited date, often the very version cited, joins the
    message.
    """
    from citecheck.net.archive import timestamp

    wanted = [
        i
        for i, found in enumerate(findings)
        if classify.wants_archive(found) or (every and found.fetched is not None)
    ]
    if not wanted:
        return findings
    today = date.today()
    changed: dict[str, date | None] = {}
    questions: dict[int, tuple[str, str]] = {}
    for index in wanted:
        reference = findings[index].reference
        fallback = today
        if reference.cited_date is None:
            if reference.letter not in changed:
                changed[reference.letter] = _letter_changed(reference.letter)
            fallback = changed[reference.letter] or today
        questions[index] = (reference.url, timestamp(reference.cited_date, fallback))
    snapshots = await _archived(set(questions.values()), options, cache, network)
    result = list(findings)
    for index, question in questions.items():
        snapshot = snapshots.get(question)
        if snapshot is not None:
            result[index] = classify.with_archive(result[index], snapshot)
    return result


_REDIRECT_READ = 65_536


def _letter_changed(path: str) -> date | None:
    """The day (UTC) ``path`` last changed: its last commit's, in a git work tree (a checkout
    resets modification times), else its modification time's; None when neither is known."""
    import subprocess
    from pathlib import Path

    letter = Path(path)
    try:
        modified = letter.stat().st_mtime
    except (OSError, ValueError):  # standard input, or a letter that is gone
        return None
    try:
        committed = subprocess.run(
            ["git", "log", "-1", "--format=%ct", "--", letter.name],
            cwd=letter.parent,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):  # no git, or one that hangs
        committed = ""
    seconds = int(committed) if committed.isdigit() else modified
    return datetime.fromtimestamp(seconds, UTC).date()


async def _archived(
    questions: set[tuple[str, str]],
    options: Options,
    cache: ResultCache | None,
    network: Network,
) -> dict[tuple[str, str], str | None]:
    """The archive's snapshot for each (URL, stamp) it answered about, cached answers first.

    Like results: a fresh cached answer is not asked again, ``--refresh`` asks again, and
    ``--offline`` uses any cached answer and asks nothing, since nothing may connect.
    """
    from citecheck.cache import ArchiveAnswer, answer_is_fresh
    from citecheck.net.archive import ArchiveClient

    endpoint, now = options.archive_endpoint, time.time()
    known = cache.get_answers(endpoint, questions) if cache and not options.refresh else {}
    snapshots = {
        question: answer.snapshot
        for question, answer in known.items()
        if options.offline or answer_is_fresh(answer, now=now, max_age=options.max_age)
    }
    missing = sorted(questions - snapshots.keys())
    if not missing or options.offline:
        return snapshots
    # A capture is known by its address: a page the archive replays (an exact hit) is not read.
    capped = replace(_fetch_options(options), html_cap=_REDIRECT_READ, pdf_cap=_REDIRECT_READ)
    async with network.fetcher(capped) as fetcher:
        client = ArchiveClient(fetcher, endpoint)
        answers = await asyncio.gather(*(client.lookup(url, stamp) for url, stamp in missing))
    answered = {q: a.snapshot for q, a in zip(missing, answers, strict=True) if a is not None}
    if cache is not None:
        now = time.time()
        cache.put_answers(
            ArchiveAnswer(endpoint, url, stamp, snapshot, now)
            for (url, stamp), snapshot in answered.items()
        )
    return snapshots | answered
