"""``Fetcher.fetch_each``: a few workers per host instead of a task per URL, measured on real
loopback servers by what they saw (counts and order of arrival) and what was delivered."""

from __future__ import annotations

import asyncio
import gc
import threading
import warnings
from collections import Counter
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from citecheck.config import Options
from citecheck.letters import collect
from citecheck.models import Fetched, FetchError
from citecheck.net.fetch import Fetcher, FetchOptions
from citecheck.net.resolve import TableResolver
from citecheck.pipeline import run_check

from servers import LoopbackServer, Reply, Request, redirect
from testkit import treat_as_public

OK = Reply(200, b"<title>A page</title>", [("Content-Type", "text/html")])

Requests = Sequence[tuple[str, Mapping[str, str] | None]]


class Gate:
    """Routes, shared by any number of servers, that note the order requests arrive in across all
    of them and hold the first ``width`` until all of them are in (5 s at most).

    While the first ``width`` are held none of them ends, so no slot frees: with ``width`` equal
    to the number of slots, the first arrivals are exactly the requests given the first slots,
    and the peak in flight reaches ``width`` however slow the machine is.
    """

    def __init__(self, width: int, reply: Reply = OK) -> None:
        self.width, self.reply = width, reply
        self.barrier = threading.Barrier(width)
        self.arrivals: list[tuple[str, str]] = []  # (server address, path), in arrival order
        self.lock = threading.Lock()

    def at(self, site: LoopbackServer) -> Callable[[Request], Reply]:
        def answer(request: Request) -> Reply:
            with self.lock:
                self.arrivals.append((site.host, request.path))
                held = len(self.arrivals) <= self.width
            if held:
                try:
                    self.barrier.wait(timeout=5)
                except threading.BrokenBarrierError:
                    pass  # fewer arrived than expected: the assertions say so
            return self.reply

        return answer


def fetch_each(
    requests: Requests, *, names: Mapping[str, Sequence[str]] | None = None, **options: Any
) -> list[tuple[int, Fetched]]:
    """Every (index, Fetched) that ``fetch_each`` delivered, in the order delivered."""
    options.setdefault("allow_private", True)
    options.setdefault("backoff", 0.01)
    delivered: list[tuple[int, Fetched]] = []

    async def deliver(index: int, fetched: Fetched) -> None:
        delivered.append((index, fetched))

    async def main() -> None:
        async with Fetcher(FetchOptions(**options), resolver=TableResolver(names or {})) as f:
            await f.fetch_each(requests, deliver)

    asyncio.run(main())
    return delivered


def gather_in_order(urls: Sequence[str], **options: Any) -> None:
    """The path before fetch_each: a task per URL, started in the order the letter lists them."""
    options.setdefault("allow_private", True)

    async def main() -> None:
        async with Fetcher(FetchOptions(**options), resolver=TableResolver({})) as fetcher:
            await asyncio.gather(*(fetcher.fetch(url) for url in urls))

    asyncio.run(main())


# 1. Every request is delivered once, with its own index.


def test_every_request_is_delivered_once_with_its_index(loopback) -> None:
    one, two = loopback(), loopback()
    one.route("/", OK)
    two.route("/", OK)
    unfetchable = [
        "http://[::1/",  # not a URL at all
        f"ftp://{one.host}:{one.port}/",  # a host that answers, but no http(s)
        "http:///path",  # no host
        "https://",
    ]
    fetchable = [one.url(f"/?n={n}") for n in range(5)] + [two.url(f"/?n={n}") for n in range(3)]
    fetchable.append(one.url("/?n=0"))  # the same URL twice is two requests, two deliveries
    urls = [*unfetchable[:2], *fetchable[:4], *unfetchable[2:], *fetchable[4:]]
    requests: list[tuple[str, Mapping[str, str] | None]] = [(url, None) for url in urls]
    validated = urls.index(one.url("/?n=1"))
    requests[validated] = (urls[validated], {"If-None-Match": '"v1"'})

    delivered = fetch_each(requests, per_host=2, max_concurrency=3)

    assert sorted(index for index, _ in delivered) == list(range(len(urls)))
    assert all(fetched.url == urls[index] for index, fetched in delivered)
    outcome = dict(delivered)
    for url in unfetchable:
        assert outcome[urls.index(url)].error is FetchError.INVALID_URL
    assert [outcome[urls.index(url)].http_status for url in fetchable] == [200] * len(fetchable)
    assert len(one.requests) + len(two.requests) == len(fetchable)
    assert Counter(r.path for r in one.requests) == Counter(
        {"/?n=0": 2, "/?n=1": 1, "/?n=2": 1, "/?n=3": 1, "/?n=4": 1}
    )
    # Each request's validators go with it, and with it only.
    asked = [r.path for r in one.requests + two.requests if r.header("if-none-match") == '"v1"']
    assert asked == ["/?n=1"]


def test_nothing_to_fetch_delivers_nothing() -> None:
    assert fetch_each([]) == []
    assert [index for index, _ in fetch_each([("ftp://127.0.0.2/", None)])] == [0]


# 2. The limits hold through fetch_each, and are reached.


def test_per_host_limit_holds_with_the_spare_workers(loopback) -> None:
    sites = [loopback() for _ in range(3)]
    for site in sites:
        site.route("/", Gate(2).at(site))  # each host's own first two are held together
    urls = [site.url(f"/?n={n}") for site in sites for n in range(7)]

    delivered = fetch_each([(url, None) for url in urls], per_host=2, max_concurrency=6)

    assert len(delivered) == 21
    # Four workers per host (two slots, two spares), and still two requests at a time.
    assert [site.max_in_flight for site in sites] == [2, 2, 2]


def test_global_limit_holds_across_hosts(loopback) -> None:
    site = loopback()
    site.route("/", Gate(5).at(site))
    # Four host names, one server: the server sees the sum over all hosts.
    names = {f"h{n}.test": [site.host] for n in range(4)}
    urls = [site.url(f"/?n={n}", host=f"h{n % 4}.test") for n in range(16)]

    delivered = fetch_each(
        [(url, None) for url in urls], names=names, per_host=4, max_concurrency=5
    )

    assert [fetched.http_status for _, fetched in delivered] == [200] * 16
    assert site.max_in_flight == 5


# 3. The busiest hosts get the first slots, whatever order the letter lists them in.

SIZES = (1, 1, 1, 2, 5, 8)  # links per host, smallest host first as the letter lists them
PER_HOST, SLOTS = 2, 4  # fewer slots than hosts x per_host: someone has to wait


def _hosts_of_every_size(loopback, gate: Gate) -> tuple[list[LoopbackServer], list[str]]:
    sites = [loopback() for _ in SIZES]
    for site in sites:
        site.route("/", gate.at(site))
    urls = [
        site.url(f"/?n={n}") for site, size in zip(sites, SIZES, strict=True) for n in range(size)
    ]
    return sites, urls


def test_the_busiest_hosts_get_the_first_slots(loopback) -> None:
    gate = Gate(SLOTS)
    sites, urls = _hosts_of_every_size(loopback, gate)

    fetch_each([(url, None) for url in urls], per_host=PER_HOST, max_concurrency=SLOTS)

    first = Counter(host for host, _ in gate.arrivals[:SLOTS])
    assert first == {sites[-1].host: PER_HOST, sites[-2].host: PER_HOST}
    assert len(gate.arrivals) == sum(SIZES)


def test_a_task_per_url_serves_the_letter_order_first(loopback) -> None:
    # The path fetch_each replaced, for contrast: each task takes a free slot as it starts, so
    # the one-link hosts listed first hold every slot while the busiest host waits.
    gate = Gate(SLOTS)
    sites, urls = _hosts_of_every_size(loopback, gate)

    gather_in_order(urls, per_host=PER_HOST, max_concurrency=SLOTS)

    first = Counter(host for host, _ in gate.arrivals[:SLOTS])
    assert first == {site.host: 1 for site in sites[:4]}


def test_a_check_asks_the_busiest_hosts_first(tmp_path: Path, loopback) -> None:
    gate = Gate(SLOTS)
    sites, urls = _hosts_of_every_size(loopback, gate)
    letter = tmp_path / "letter.md"
    letter.write_text(
        " ".join(f"[{n}]({url})" for n, url in enumerate(urls)) + "\n", encoding="utf-8"
    )
    options = replace(
        Options(),
        allow_private=True,
        cache=False,
        retries=0,
        per_host=PER_HOST,
        max_concurrency=SLOTS,
    )

    report = run_check(collect([str(letter)]), options)

    assert len(report.findings) == sum(SIZES)
    first = Counter(host for host, _ in gate.arrivals[:SLOTS])
    assert first == {sites[-1].host: PER_HOST, sites[-2].host: PER_HOST}


# 4. A URL waiting out a backoff leaves its host's slot to the next URL.


@pytest.mark.parametrize("failing", [1, 2])
def test_a_url_in_backoff_does_not_hold_up_its_host(loopback, failing: int) -> None:
    # One slot for the host; a plain 500 (no Retry-After) backs off this URL, not the host.
    site = loopback()
    site.route("/fail", Reply(500))
    site.route("/ok", OK)
    urls = [site.url(f"/fail?{n}") for n in range(failing)] + [site.url("/ok?a")]
    urls.append(site.url("/ok?b"))

    delivered = dict(fetch_each([(url, None) for url in urls], per_host=1, retries=1))

    # Each failing URL gave up its slot while it waited, and the next URL took it: with the two
    # spare workers, up to two URLs in backoff still leave one to use the slot.
    order = [request.path for request in site.requests]
    assert order[: failing + 1] == [f"/fail?{n}" for n in range(failing)] + ["/ok?a"]
    assert Counter(order) == {**{f"/fail?{n}": 2 for n in range(failing)}, "/ok?a": 1, "/ok?b": 1}
    statuses = [(delivered[i].http_status, delivered[i].attempts) for i in range(len(urls))]
    assert statuses == [(500, 2)] * failing + [(200, 1), (200, 1)]


def test_more_urls_in_backoff_than_spare_workers_still_leave_the_slot_used(loopback) -> None:
    # Four URLs in backoff at once, more than the two spares: each worker starting a backoff hires
    # another, so the host's one slot goes on to its other URLs meanwhile.
    site = loopback()
    site.route("/fail", Reply(500))
    site.route("/ok", OK)
    failing = [site.url(f"/fail?{n}") for n in range(4)]
    fine = [site.url(f"/ok?{n}") for n in range(4)]

    fetch_each([(url, None) for url in failing + fine], per_host=1, retries=1, backoff=1.0)

    # Every first attempt and every good URL came before any failing URL was asked again (a
    # second attempt waits at least a second; without the hiring, the third failing URL would
    # hold the last worker until then).
    order = [request.path for request in site.requests]
    assert order[:8] == [f"/fail?{n}" for n in range(4)] + [f"/ok?{n}" for n in range(4)]
    assert sorted(order[8:]) == [f"/fail?{n}" for n in range(4)]


def test_fetch_each_follows_redirects_and_keeps_the_address_guard(loopback) -> None:
    public, private = loopback(), loopback()
    public.route("/old", redirect("/new", 301))
    public.route("/new", OK)
    private.route("/", OK)
    delivered: list[Fetched] = []

    async def deliver(_index: int, fetched: Fetched) -> None:
        delivered.append(fetched)

    async def main() -> None:
        # The guard on, with only the first server counted as a public address.
        fetcher = Fetcher(
            FetchOptions(), resolver=TableResolver({}), address_reason=treat_as_public(public.host)
        )
        async with fetcher:
            await fetcher.fetch_each(
                [(public.url("/old"), None), (private.url("/"), None)], deliver
            )

    asyncio.run(main())
    by_url = {fetched.url: fetched for fetched in delivered}
    moved = by_url[public.url("/old")]
    assert (moved.http_status, moved.final_url) == (200, public.url("/new"))
    assert by_url[private.url("/")].error is FetchError.PRIVATE_ADDRESS
    assert private.requests == []


# 5. An error in deliver, or a cancellation, ends fetch_each: no hang, no worker left running.


class Boom(Exception):
    pass


def _run_cancelling(main: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """``asyncio.run(main())``, for a run whose workers get cancelled. A worker cancelled while
    its connection is being made leaves that connection unclosed (a Wire leak, not fetch_each's:
    a plain ``fetch`` cancelled at that point leaves one too); its ResourceWarning is ignored
    here, and the garbage collected here, so it cannot fail whichever test runs next."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        asyncio.run(main())
        gc.collect()


def _deliver_fails(loopback) -> tuple[list[LoopbackServer], list[Fetched]]:
    """Two hosts of six links, one slot each; deliver raises on every call. Returns the servers
    and what was delivered."""
    sites = [loopback() for _ in range(2)]
    for site in sites:
        site.route("/", OK)
    urls = [site.url(f"/?n={n}") for n in range(6) for site in sites]
    delivered: list[Fetched] = []

    async def deliver(_index: int, fetched: Fetched) -> None:
        delivered.append(fetched)
        raise Boom

    async def main() -> None:
        options = FetchOptions(allow_private=True, per_host=1, max_concurrency=2)
        async with Fetcher(options, resolver=TableResolver({})) as fetcher:
            with pytest.raises(Boom):  # itself, not wrapped in the workers' ExceptionGroup
                await fetcher.fetch_each([(url, None) for url in urls], deliver)
            # No worker outlives the call: none is left to send another request.
            assert asyncio.all_tasks() == {asyncio.current_task()}

    _run_cancelling(main)
    return sites, delivered


def test_an_error_in_deliver_ends_fetch_each(loopback) -> None:
    sites, _ = _deliver_fails(loopback)

    # Three workers per host (one slot, two spares): each may have sent one request before the
    # error reached it, none more.
    assert sum(len(site.requests) for site in sites) <= 2 * 3 < 12


def test_after_deliver_fails_only_real_answers_are_delivered(loopback) -> None:
    _, delivered = _deliver_fails(loopback)

    # Answers already in when the error struck may still be delivered (a worker's deliver can
    # run before the TaskGroup cancels it), but only those: at most one per slot, all real.
    assert [(f.http_status, f.error_detail) for f in delivered] == [(200, None)] * len(delivered)
    assert len(delivered) <= 2


def test_cancelling_fetch_each_stops_every_worker(loopback) -> None:
    site = loopback()
    site.route("/", OK)
    urls = [site.url(f"/?n={n}") for n in range(20)]
    delivered: list[Fetched] = []

    async def main() -> None:
        options = FetchOptions(allow_private=True, per_host=2)
        async with Fetcher(options, resolver=TableResolver({})) as fetcher:

            async def deliver(_index: int, fetched: Fetched) -> None:
                delivered.append(fetched)
                if len(delivered) == 1:
                    run.cancel()  # as Ctrl-C does, while an answer is being delivered

            run = asyncio.create_task(fetcher.fetch_each([(url, None) for url in urls], deliver))
            # A bound, not a measure: a hang must fail the test, not stall the suite.
            finished, _ = await asyncio.wait({run}, timeout=5)
            assert finished and run.cancelled()

    _run_cancelling(main)
    # Four workers (two slots, two spares): each may send one more request, none more.
    assert len(site.requests) <= 2 + 2
    assert [f.http_status for f in delivered] == [200] * len(delivered)


def test_an_error_in_deliver_comes_out_as_itself(loopback) -> None:
    site = loopback()
    site.route("/", OK)

    async def deliver(_index: int, _fetched: Fetched) -> None:
        raise Boom

    def run(url: str) -> None:
        async def main() -> None:
            async with Fetcher(FetchOptions(allow_private=True), resolver=TableResolver({})) as f:
                await f.fetch_each([(url, None)], deliver)

        asyncio.run(main())

    with pytest.raises(Boom):
        run(f"ftp://{site.host}:{site.port}/")  # delivered before any worker starts
    with pytest.raises(Boom):
        run(site.url("/"))  # delivered by a worker


def test_the_workers_alive_at_once_are_bounded_by_the_overall_limit(loopback) -> None:
    """With --per-host 64 nearly every URL of a small host would get a worker; the workers at
    work in all are kept to twice the overall limit, so a long letter is not a task per URL."""
    sites = [loopback() for _ in range(5)]
    for site in sites:
        site.route("/", OK)
    urls = [(site.url(f"/?n={n}"), None) for n in range(40) for site in sites]
    alive: list[int] = []

    async def main() -> None:
        options = FetchOptions(allow_private=True, per_host=64, max_concurrency=3)
        async with Fetcher(options, resolver=TableResolver({})) as fetcher:

            async def deliver(_index: int, _fetched: Fetched) -> None:
                alive.append(len(asyncio.all_tasks()) - 1)  # less the test's own task

            await fetcher.fetch_each(urls, deliver)

    asyncio.run(main())
    assert len(alive) == 200
    assert max(alive) == 2 * 3  # a worker per URL would have been up to 66 for each host
    assert sum(len(site.requests) for site in sites) == 200


def test_each_host_counts_the_fetches_it_has_left_for_busiest_first(loopback) -> None:
    """What ``_Slots`` ranks hosts by: from the start, every URL counts for its host until it is
    delivered (white-box: the count is what busiest-first reads, and nothing shows it outside)."""
    sites = [loopback() for _ in range(3)]
    for site in sites:
        site.route("/", OK)
    sizes = {sites[0].host: 7, sites[1].host: 3, sites[2].host: 1}
    urls = [site.url(f"/?n={n}") for site in sites for n in range(sizes[site.host])]
    seen: list[tuple[int, int]] = []

    async def main() -> None:
        options = FetchOptions(allow_private=True, per_host=1, max_concurrency=2)
        async with Fetcher(options, resolver=TableResolver({})) as fetcher:
            left = dict(sizes)

            async def deliver(index: int, _fetched: Fetched) -> None:
                host = urls[index].split("/")[2].split(":")[0]
                left[host] -= 1
                seen.append((fetcher._host(host).pending, left[host]))

            await fetcher.fetch_each([(url, None) for url in urls], deliver)
            assert {host: fetcher._host(host).pending for host in sizes} == dict.fromkeys(sizes, 0)

    asyncio.run(main())
    assert len(seen) == 11
    assert all(pending == left for pending, left in seen)
