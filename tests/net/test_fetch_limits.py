"""Concurrency limits, rate, retries and Retry-After, measured on a real server."""

from __future__ import annotations

import asyncio
import email.utils
import threading
import time

import pytest

from citecheck.models import FetchError
from citecheck.net.fetch import Fetcher, FetchOptions
from citecheck.net.resolve import TableResolver

from servers import Reply, Request, closed_port, sequence, wait_until

SLOW = Reply(200, b"<title>slow</title>", [("Content-Type", "text/html")], delay=0.15)


class Gather:
    """A route that holds the first ``width`` requests until all of them are in (5 s at most).

    The peak in flight then reaches ``width`` however slow the machine is, so ``== width`` tests
    the limit, not the timing: a stall can no longer let one request end before the last begins.
    """

    def __init__(self, width: int, reply: Reply) -> None:
        self.width, self.reply = width, reply
        self.barrier = threading.Barrier(width)
        self.seen = 0
        self.lock = threading.Lock()

    def __call__(self, _request: Request) -> Reply:
        with self.lock:
            self.seen += 1
            held = self.seen <= self.width
        if held:
            try:
                self.barrier.wait(timeout=5)
            except threading.BrokenBarrierError:
                pass  # fewer arrived than expected: the assertion on the peak says so
        return self.reply


def test_per_host_limit_holds(loopback, fetch_all) -> None:
    site = loopback()
    site.route("/", Gather(3, SLOW))
    urls = [site.url(f"/?n={n}") for n in range(10)]

    results = fetch_all(urls, per_host=3)

    assert all(r.http_status == 200 for r in results)
    assert site.max_in_flight == 3


def test_global_limit_holds_across_hosts(loopback, fetch_all) -> None:
    site = loopback()
    site.route("/", Gather(5, SLOW))
    # Four host names, one server: the server sees the sum over all hosts.
    names = {f"h{n}.test": [site.host] for n in range(4)}
    urls = [site.url(f"/?n={n}", host=f"h{n % 4}.test") for n in range(16)]

    results = fetch_all(urls, names=names, per_host=4, max_concurrency=5)

    assert all(r.http_status == 200 for r in results)
    assert site.max_in_flight == 5


def test_rate_spaces_requests_to_one_host(loopback, fetch_all) -> None:
    site = loopback()
    site.route("/", Reply(200, b"ok"))
    sent: list[float] = []
    started = time.monotonic()

    fetch_all(
        [site.url(f"/?n={n}") for n in range(5)],
        rate=10.0,
        on_request=lambda url: sent.append(time.monotonic()),
    )

    # Five requests at 10/s take at least four tenths of a second to go out. A stall of the
    # machine can only delay requests (and bunch the ones after it, as a token bucket does), so
    # this lower bound holds however loaded the machine is; without the rate it is ~0.
    assert len(sent) == 5
    assert max(sent) - started >= 0.4


def test_retry_after_seconds_is_honoured(loopback, fetch_one) -> None:
    site = loopback()
    site.route("/", sequence(Reply(503, headers=[("Retry-After", "1")]), Reply(200, b"back")))

    fetched = fetch_one(site.url("/"), retries=2)

    assert (fetched.http_status, fetched.attempts) == (200, 2)
    first, second = (request.time for request in site.requests)
    assert 0.95 <= second - first < 2.5


def test_retry_after_http_date_is_honoured(loopback, fetch_one) -> None:
    site = loopback()
    when = email.utils.formatdate(time.time() + 2, usegmt=True)  # whole seconds: waits 1-2 s
    site.route("/", sequence(Reply(429, headers=[("Retry-After", when)]), Reply(200, b"back")))

    fetched = fetch_one(site.url("/"), retries=1)

    assert (fetched.http_status, fetched.attempts) == (200, 2)
    first, second = (request.time for request in site.requests)
    assert 0.9 <= second - first < 3


def test_retry_after_is_capped(loopback, fetch_one) -> None:
    site = loopback()
    site.route("/", sequence(Reply(503, headers=[("Retry-After", "3600")]), Reply(200)))

    fetched = fetch_one(site.url("/"), retries=1, retry_after_cap=0.2)

    assert fetched.http_status == 200
    first, second = (request.time for request in site.requests)
    assert 0.19 <= second - first < 1.5


def test_a_429_slows_the_whole_host(loopback) -> None:
    site = loopback()
    site.route("/a", sequence(Reply(429, headers=[("Retry-After", "1")]), Reply(200)))
    site.route("/b", Reply(200))

    async def main() -> None:
        # One slot per host orders the two without a clock: /b waits for the slot /a holds until
        # its 429 is read, and /a records the pause before it next yields to the event loop.
        options = FetchOptions(allow_private=True, retries=1, per_host=1)
        async with Fetcher(options, resolver=TableResolver({})) as fetcher:
            first = asyncio.create_task(fetcher.fetch(site.url("/a")))
            second = asyncio.create_task(fetcher.fetch(site.url("/b")))
            assert (await first).http_status == 200
            assert (await second).http_status == 200

    asyncio.run(main())
    assert [r.path for r in site.requests][0] == "/a"
    started = site.requests[0].time
    b_time = next(r.time for r in site.requests if r.path == "/b")
    assert b_time - started >= 0.95  # a lower bound: a stall can only lengthen it


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410])
def test_client_errors_are_not_retried(loopback, fetch_one, status: int) -> None:
    site = loopback()
    site.route("/", Reply(status))

    fetched = fetch_one(site.url("/"), retries=3)

    assert (fetched.http_status, fetched.attempts, site.hits("/")) == (status, 1, 1)


def test_server_errors_are_retried_then_reported(loopback, fetch_one) -> None:
    site = loopback()
    site.route("/", Reply(500))

    fetched = fetch_one(site.url("/"), retries=2)

    assert (fetched.http_status, fetched.attempts, site.hits("/")) == (500, 3, 3)


def test_backoff_grows_between_attempts(fetch_one) -> None:
    began = time.monotonic()
    fetched = fetch_one(f"http://127.0.0.2:{closed_port()}/", retries=2, backoff=0.1)
    took = time.monotonic() - began

    assert fetched.error is FetchError.REFUSED and fetched.attempts == 3
    assert 0.3 <= took < 1.5  # (0.1 + jitter ≤ 0.1) + (0.2 + jitter ≤ 0.1) seconds


def test_idle_connections_to_old_hosts_are_closed(loopback) -> None:
    sites = [loopback() for _ in range(5)]
    for site in sites:
        site.route("/", Reply(200, b"ok"))

    async def main() -> None:
        options = FetchOptions(allow_private=True, max_concurrency=2)
        async with Fetcher(options, resolver=TableResolver({})) as fetcher:
            for site in sites:
                assert (await fetcher.fetch(site.url("/"))).http_status == 200
            # Evicted when the last request went out: all but the 2 most recent idle pools.
            assert wait_until(lambda: [s.open_connections for s in sites] == [0, 0, 1, 1, 1])

    asyncio.run(main())


def test_a_freed_slot_goes_to_the_host_with_the_most_links_left(loopback, fetch_all) -> None:
    # One slot in all: the order of requests is the order slots were handed out. The busy host
    # is the run's critical path, so once it waits, each slot it frees comes back to it before
    # one-link hosts that queued earlier (FIFO would interleave them: q1, b1, q2, b2, q3, b3…).
    busy, *quiet = (loopback() for _ in range(4))
    for site in (busy, *quiet):
        site.route("/", Reply(200, b"ok", delay=0.02))
    b = [busy.url(f"/?{n}") for n in range(4)]
    q = [site.url("/") for site in quiet]
    order: list[str] = []

    fetch_all(
        [q[0], b[0], q[1], b[1], q[2], b[2], b[3]],
        max_concurrency=1,
        per_host=1,
        on_request=order.append,
    )

    assert order == [q[0], b[0], b[1], b[2], b[3], q[1], q[2]]
