"""Orchestration: letters -> references -> (cache | fetch) -> metadata -> verdicts -> Report.

Everything that can be decided without the network (placeholders, schemes, exclusions, the cache)
is decided first; each distinct URL is then fetched once however often the letters cite it.
The core never touches the terminal: progress goes through the ``on_progress`` callback.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from citecheck import classify, consistency
from citecheck.models import (
    Fetched,
    FetchError,
    Finding,
    Letter,
    LetterInfo,
    LinkVerdict,
    PageMeta,
    Reference,
    Report,
    Status,
)
from citecheck.net.addresses import non_public_reason, parse_host_address
from citecheck.parse import extract
from citecheck.urls import dedupe_key, precheck, split_fragment

if TYPE_CHECKING:
    from citecheck.cache import CacheEntry, ResultCache
    from citecheck.config import Options
    from citecheck.net.fetch import Fetcher, FetchOptions
    from citecheck.net.resolve import Resolver


@dataclass(frozen=True, slots=True)
class Progress:
    """How far the fetching is: URLs done of ``total``, and the hosts still owing answers.

    ``waiting`` is (host, URLs not yet answered) for every such host, most first: near the end
    of a run, these are the hosts the per-host limit makes everyone wait for.
    """

    done: int
    total: int
    waiting: tuple[tuple[str, int], ...] = ()


ProgressCallback = Callable[[Progress], None]

NO_NETWORK_NOTICE = (
    "NO NETWORK: {count} link(s) could not be checked because this machine cannot reach the "
    "network; they are marked unreachable, not broken."
)


def list_references(letters: Sequence[Letter]) -> Report:
    """The references of ``letters``, in order, with no network at all."""
    infos, references = [], []
    for letter in letters:
        found = extract(letter)
        infos.append(LetterInfo(letter.path, letter.format, len(found), letter.text))
        references.extend(found)
    return Report(tuple(infos), tuple(references), notes=consistency.notes(letters, references))


@dataclass(frozen=True, slots=True)
class _Outcome:
    """What is known about one distinct URL."""

    fetched: Fetched | None
    meta: PageMeta | None
    verdict: LinkVerdict
    from_cache: bool
    checked_at: float


def run_check(
    letters: Sequence[Letter],
    options: Options,
    *,
    on_progress: ProgressCallback | None = None,
    resolver: Resolver | None = None,
) -> Report:
    """Check every reference of ``letters`` (blocking wrapper around ``check``)."""
    reports: list[Report] = []

    # The report is handed out through a list, not as the main task's result: on Python 3.11,
    # asyncio.run's SIGINT bookkeeping ends up formatting repr(main task), result included, and
    # the repr of a 3,000-finding Report costs ~0.1 s (twice).
    async def main() -> None:
        reports.append(await check(letters, options, on_progress=on_progress, resolver=resolver))

    # The objects alive now (modules, the letters) outlive the run: frozen, the collector stops
    # re-scanning them in every full collection while thousands of fetches allocate.
    gc.freeze()
    try:
        asyncio.run(main())
    finally:
        gc.unfreeze()
    return reports[0]


async def check(
    letters: Sequence[Letter],
    options: Options,
    *,
    on_progress: ProgressCallback | None = None,
    resolver: Resolver | None = None,
) -> Report:
    """Check every reference of ``letters`` and return the Report."""
    listed = list_references(letters)
    decided: dict[int, LinkVerdict] = {}
    targets: dict[int, str] = {}
    wanted: dict[str, str] = {}  # dedupe key -> URL to fetch
    for index, reference in enumerate(listed.references):
        verdict = _decide_offline(reference.url, options)
        if verdict is not None:
            decided[index] = verdict
            continue
        target = _remap(reference.url, options)
        remapped = precheck(target) if target != reference.url else None
        if remapped is not None:
            decided[index] = replace(remapped, message=f"after --remap: {remapped.message}")
            continue
        base, _ = split_fragment(target)
        key = dedupe_key(base)
        targets[index] = key
        wanted.setdefault(key, base)

    cache = _open_cache(options)
    try:
        outcomes = await _outcomes(wanted, options, cache, on_progress, resolver)
        findings = _findings(listed.references, decided, targets, outcomes, options)
        if options.suggest_archive:
            findings = await _with_archive_suggestions(findings, options, cache, resolver)
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
    notices = (*notices, *cache_warnings)
    return replace(listed, findings=tuple(findings), notices=notices, fail_on=options.fail_on)


def _decide_offline(url: str, options: Options) -> LinkVerdict | None:
    """The verdict settled before any request: placeholders, schemes, configuration."""
    verdict = precheck(url)
    if verdict is not None:
        return verdict
    if any(pattern.search(url) for pattern in options.exclude):
        return LinkVerdict(Status.SKIPPED, "excluded by --exclude")
    if options.include and not any(pattern.search(url) for pattern in options.include):
        return LinkVerdict(Status.SKIPPED, "not matched by --include")
    if not options.allow_private:
        return _private_literal(url)
    return None


def _private_literal(url: str) -> LinkVerdict | None:
    """A host written as a non-public IP address is private with no lookup, so --offline (the
    pre-commit hook) knows it too; the fetch guard would say the same."""
    ip = parse_host_address(urlsplit(url).hostname or "")
    reason = non_public_reason(ip) if ip is not None else None
    if reason is None:
        return None
    return LinkVerdict(Status.PRIVATE, f"not a public address: {ip} is {reason}")


def _remap(url: str, options: Options) -> str:
    for remap in options.remap:
        if remap.pattern.search(url):
            return remap.pattern.sub(remap.replacement, url, count=1)
    return url


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
    resolver: Resolver | None,
) -> dict[str, _Outcome]:
    """An outcome for every wanted URL: from the cache where fresh, else from the network."""
    now = time.time()
    # --refresh uses no stored entry (not even its validators): skip reading and decoding them.
    entries = cache.get_many(wanted) if cache is not None and not options.refresh else {}
    outcomes, stale = _from_cache(wanted, entries, options, now)
    if stale:
        fresh = await _fetch_all(stale, entries, options, on_progress, resolver)
        outcomes.update(fresh)
        if cache is not None:
            cache.put_many(_entry(key, outcome) for key, outcome in fresh.items())
    return outcomes


def _from_cache(
    wanted: dict[str, str], entries: dict[str, CacheEntry], options: Options, now: float
) -> tuple[dict[str, _Outcome], dict[str, str]]:
    """Split the wanted URLs into answered-by-cache and still-to-fetch."""
    from citecheck.cache import is_fresh

    outcomes: dict[str, _Outcome] = {}
    stale: dict[str, str] = {}
    for key, url in wanted.items():
        entry = entries.get(key)  # none at all under --refresh
        if entry is not None and (
            options.offline or is_fresh(entry, now=now, max_age=options.max_age)
        ):
            outcomes[key] = _Outcome(
                entry.fetched, entry.meta, entry.verdict, True, entry.checked_at
            )
        elif options.offline:
            # A result cached under other options (guard, headers, user agent) is no answer.
            missing = LinkVerdict(Status.UNREACHABLE, "not in cache for these options (--offline)")
            outcomes[key] = _Outcome(None, None, missing, False, now)
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
    resolver: Resolver | None,
) -> dict[str, _Outcome]:
    from citecheck.net.fetch import Fetcher

    total, done = len(stale), 0
    pending = Counter(_host(url) for url in stale.values())

    def tell() -> None:
        if on_progress:
            waiting = sorted(pending.items(), key=lambda item: (-item[1], item[0]))
            on_progress(Progress(done, total, tuple(waiting)))

    tell()

    async def one(fetcher: Fetcher, key: str, url: str) -> tuple[str, _Outcome]:
        nonlocal done
        outcome = await _fetch_one(fetcher, url, entries.get(key))
        done += 1
        host = _host(url)
        pending[host] -= 1
        if not pending[host]:
            del pending[host]
        tell()
        return key, outcome

    async with Fetcher(_fetch_options(options), resolver=resolver) as fetcher:
        results = await asyncio.gather(*(one(fetcher, key, url) for key, url in stale.items()))
    return dict(results)


async def _fetch_one(fetcher: Fetcher, url: str, entry: CacheEntry | None) -> _Outcome:
    validators = {}
    if entry is not None and entry.verdict.status in (Status.OK, Status.MOVED):
        if entry.etag:
            validators["If-None-Match"] = entry.etag
        if entry.last_modified:
            validators["If-Modified-Since"] = entry.last_modified
    fetched = await fetcher.fetch(url, validators=validators or None)
    now = time.time()
    if fetched.http_status == 304 and entry is not None:
        # Revalidated: the stored page still holds; keep its metadata and verdict.
        return _Outcome(entry.fetched, entry.meta, entry.verdict, False, now)
    if len(fetched.body) > _BIG_PAGE:
        # Reading a big page takes long enough (0.3 s for 2 MB of small elements) to starve the
        # event loop: the other fetches' timers would expire with their data already arrived.
        meta = await asyncio.to_thread(_page_meta, fetched)
    else:
        meta = _page_meta(fetched)
    # Decided without --accept, so that the cached verdict serves any --accept (_accepted).
    verdict = classify.link_verdict(fetched, meta)
    # The body has served its purpose (metadata, challenge markers): up to 2 MB a URL is too
    # much to hold for thousands of URLs until the report is written.
    return _Outcome(replace(fetched, body=b""), meta, verdict, False, now)


_BIG_PAGE = 256 * 1024  # bytes of body from which the metadata is read in a worker thread


def _page_meta(fetched: Fetched) -> PageMeta | None:
    if fetched.error is not None or not fetched.body:
        return None
    if not 200 <= (fetched.http_status or 0) < 300:
        return None
    from citecheck import meta

    charset = _charset(fetched.header("content-type"))
    return meta.extract(
        fetched.body, fetched.content_type, fetched.final_url or fetched.url, charset=charset
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
    from citecheck.claims import check as check_claims

    today = date.today().isoformat()
    findings = []
    for index, reference in enumerate(references):
        if index in decided:
            findings.append(classify.finding(reference, decided[index]))
            continue
        outcome = outcomes[targets[index]]
        verdict = _accepted(outcome, options.accept)
        claims = None
        if outcome.meta is not None and verdict.status in (Status.OK, Status.MOVED):
            claims = check_claims(reference, outcome.meta, options.thresholds)
        accessed = (
            datetime.fromtimestamp(outcome.checked_at, UTC).date().isoformat()
            if outcome.from_cache
            else today
        )
        findings.append(
            classify.finding(
                reference,
                verdict,
                fetched=outcome.fetched,
                meta=outcome.meta,
                claims=claims,
                from_cache=outcome.from_cache,
                accessed=accessed,
            )
        )
    return findings


def _accepted(outcome: _Outcome, accept: frozenset[int]) -> LinkVerdict:
    """The URL's verdict under ``--accept``, for a new and a cached outcome alike.

    Outcomes hold the verdict decided without ``accept``. An accepted code is decided from the
    status line alone (no body, which the cache does not keep), so this is exact either way.
    """
    fetched = outcome.fetched
    if fetched is None or fetched.error is not None or fetched.http_status not in accept:
        return outcome.verdict
    return classify.link_verdict(fetched, outcome.meta, accept)


async def _with_archive_suggestions(
    findings: list[Finding], options: Options, cache: ResultCache | None, resolver: Resolver | None
) -> list[Finding]:
    """Archived copies near the cited date for broken and moved references."""
    from citecheck.net.archive import timestamp

    wanted = [i for i, f in enumerate(findings) if f.status in (Status.BROKEN, Status.MOVED)]
    if not wanted:
        return findings
    today = date.today()
    questions = {
        i: (findings[i].reference.url, timestamp(findings[i].reference.cited_date, today))
        for i in wanted
    }
    snapshots = await _archived(set(questions.values()), options, cache, resolver)
    result = list(findings)
    for index, question in questions.items():
        snapshot = snapshots.get(question)
        if snapshot is None:
            continue
        found = result[index]
        if found.status is Status.BROKEN or found.suggestion is None:
            result[index] = replace(found, suggestion=snapshot)
        else:
            result[index] = replace(found, message=f"{found.message}; archived copy: {snapshot}")
    return result


async def _archived(
    questions: set[tuple[str, str]],
    options: Options,
    cache: ResultCache | None,
    resolver: Resolver | None,
) -> dict[tuple[str, str], str | None]:
    """The archive's snapshot for each (URL, stamp) it answered about, cached answers first.

    Like results: a fresh cached answer is not asked again, ``--refresh`` asks again, and
    ``--offline`` uses any cached answer and asks nothing, since nothing may connect.
    """
    from citecheck.cache import ArchiveAnswer, answer_is_fresh
    from citecheck.net.archive import ArchiveClient
    from citecheck.net.fetch import Fetcher

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
    async with Fetcher(_fetch_options(options), resolver=resolver) as fetcher:
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
