"""The fetch engine: the only caller of httpx, and only towards addresses it checked.

``Fetcher.fetch(url)`` returns a ``Fetched`` and never raises: every failure is recorded in
``Fetched.error``. What it guarantees, per URL:

* Requests go out over ``connections.Wire`` (HTTP/2 where TLS negotiates it): a connection per
  request in flight, a few kept per origin, each dialling only the addresses passed with it.
* Limits: ``max_concurrency`` slots in all and ``per_host`` per host name, an optional per-host
  request rate, and a per-host pause after 429 / ``Retry-After`` that every later request to that
  host honours too. A free global slot goes to the host with the most fetches still to do: the
  busiest host is the run's critical path (its links go ``per_host`` at a time, one after the
  other), so every moment its slots wait behind quieter hosts is added to the whole run.
* The address guard: each hop's host is resolved once through the ``Resolver`` (a numeric host,
  in any spelling a browser accepts, needs no lookup), every address is checked with
  ``non_public_reason`` and the connection is made to exactly those addresses (passed to
  ``Wire.send``). A pooled keep-alive connection is reused only after the name passed the guard
  again, and only if it was opened for the same addresses. No proxy is ever used.
* Redirects are followed here, one hop at a time (each hop guarded again); loops, too many hops and
  bad ``Location`` values end the fetch with an error, every hop is kept as a ``Redirect``.
* Retries with exponential backoff and jitter on timeouts, connect errors, 5xx and 429, honouring
  ``Retry-After`` (seconds or an HTTP date, capped); never on other 4xx.
* Bodies are read under the cap for their type and decoded as they arrive (``body.Body``), so a
  gzip or brotli bomb costs no memory.
* A deadline per URL covers every hop, retry and backoff; it starts when the first request gets
  its slots, so time spent queueing behind the limits does not count. When it strikes, the last
  complete answer of this hop stands (a 503 being retried); without one it is a
  ``FetchError.TIMEOUT``, saying how much of the page had arrived if one was being read.
* A page that could not be read is not a page: a body the network cuts short (reset, closed
  before its end, broken chunking, a stall past ``timeout``) fails the attempt like a connection
  error, so it is retried and then recorded with what happened. Only the cap ends a body early.
* Secrets: credentials in the URL (``user:pass@``) become basic auth for that host only, and the
  Authorization / Cookie headers from the options go only to the host first asked. Cookies a site
  sets during one fetch's redirect chain are sent back within that chain (by cookie rules), never
  kept between fetches.
"""

from __future__ import annotations

import asyncio
import base64
import email.utils
import functools
import heapq
import ipaddress
import itertools
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType

import httpx

from citecheck import __version__
from citecheck.config import (
    DEFAULT_MAX_CONCURRENCY,
    DEFAULT_PER_HOST,
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
)
from citecheck.models import Fetched, FetchError, Redirect
from citecheck.net.addresses import AddressReason, non_public_reason, parse_host_address
from citecheck.net.body import Body
from citecheck.net.resolve import NameNotFound, Resolver, ResolverUnavailable, SystemResolver
from citecheck.net.wire import Wire, failure
from citecheck.urls import http_syntax_problem

ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,application/pdf;q=0.8,*/*;q=0.7"
ACCEPT_LANGUAGE = "en;q=0.9,*;q=0.5"
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
_REDIRECT_BODY_READ = 65_536  # bytes of a redirect's body read so its connection can be reused
_DEFAULT_PORTS = {"http": 80, "https": 443}
_SPARE_WORKERS = 2  # a host's workers beyond its per-host slots (Fetcher.fetch_each)
_SENSITIVE = frozenset({"authorization", "cookie", "proxy-authorization"})


@dataclass(frozen=True, slots=True)
class FetchOptions:
    """How to fetch: limits, timing, retries, headers, the address guard and body caps."""

    timeout: float = DEFAULT_TIMEOUT  # connect and read, per request
    deadline: float = 30.0  # total per URL, all retries and redirects included
    max_redirects: int = 10
    retries: int = DEFAULT_RETRIES
    backoff: float = 0.5  # base of the exponential backoff (+ jitter)
    retry_after_cap: float = 30.0
    max_concurrency: int = DEFAULT_MAX_CONCURRENCY
    per_host: int = DEFAULT_PER_HOST
    rate: float | None = None  # requests per second per host
    headers: tuple[tuple[str, str], ...] = ()
    # Headers sent only to one host (a consent cookie, a token), keyed by lower-case host name.
    host_headers: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    user_agent: str = f"citecheck/{__version__} (+https://github.com/citecheck/citecheck)"
    allow_private: bool = False
    html_cap: int = 2_000_000
    pdf_cap: int = 20_000_000
    other_cap: int = 65_536  # bytes read of anything else (images, zips...)


@dataclass(frozen=True, slots=True)
class Network:
    """The two seams between citecheck and the network, passed together from the caller to
    every Fetcher of a run: how names resolve (``None``: the system's resolver) and why an
    address may not be dialled (the address guard). Tests give a table for each, so the default
    path — host names, guard on — runs against loopback servers without a switch in the code."""

    resolver: Resolver | None = None
    address_reason: AddressReason = non_public_reason

    def fetcher(self, options: FetchOptions) -> Fetcher:
        return Fetcher(options, resolver=self.resolver, address_reason=self.address_reason)


class Fetcher:
    """Fetches URLs over one shared ``Wire``; use as ``async with Fetcher(options) as f``."""

    def __init__(
        self,
        options: FetchOptions,
        *,
        resolver: Resolver | None = None,
        address_reason: AddressReason = non_public_reason,
        on_request: Callable[[str], None] | None = None,
    ) -> None:
        self.options = options
        self._resolver: Resolver = resolver or SystemResolver()
        self._address_reason = address_reason
        self._on_request = on_request
        self._wire: Wire | None = None
        self._slots = _Slots(options.per_host, options.max_concurrency)
        self._hosts: dict[str, _Host] = {}
        self._headers = [(n, v) for n, v in options.headers if n.lower() not in _SENSITIVE]
        self._secret_headers = [(n, v) for n, v in options.headers if n.lower() in _SENSITIVE]
        self._headers_base = self._default_headers()
        self._extensions = {"timeout": httpx.Timeout(options.timeout).as_dict()}

    async def __aenter__(self) -> Fetcher:
        options = self.options
        # certifi's roots, plus SSL_CERT_FILE / SSL_CERT_DIR when set (how tests trust a test CA).
        context = httpx.create_ssl_context()
        self._wire = Wire(context, options.per_host, options.max_concurrency)
        return self

    def _default_headers(self) -> httpx.Headers:
        """Ours, then the configured ones, which replace ours by name (any case)."""
        headers = httpx.Headers(
            {
                "User-Agent": self.options.user_agent,
                "Accept": ACCEPT,
                "Accept-Language": ACCEPT_LANGUAGE,
                # Bodies are decoded here, under the cap, so only codings decoded here are offered.
                "Accept-Encoding": "gzip, deflate, br",
            }
        )
        for name, value in self._headers:
            headers[name] = value
        return headers

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._wire is not None:
            await self._wire.aclose()
            self._wire = None

    async def fetch(
        self,
        url: str,
        *,
        validators: Mapping[str, str] | None = None,
        guard: bool = True,
        follow_redirects: bool = True,
    ) -> Fetched:
        """GET ``url`` following redirects; every outcome, failures included, is a ``Fetched``.

        ``validators`` are extra conditional headers (If-None-Match, If-Modified-Since): a 304
        comes back as ``http_status=304`` with an empty body. ``guard=False`` skips the address
        guard, for a trusted configured endpoint. ``follow_redirects=False`` returns a redirect
        as it came (its ``location`` header), for a service whose answer is the redirect itself.
        """
        run = _Run(url)
        start = _start(run)
        if isinstance(start, Fetched):
            return start
        first = self._host(start.host)
        first.pending += 1
        return await self._run(run, start, first, dict(validators or {}), guard, follow_redirects)

    async def fetch_each(
        self,
        requests: Sequence[tuple[str, Mapping[str, str] | None]],
        deliver: Callable[[int, Fetched], Awaitable[None]],
    ) -> None:
        """Fetch each (URL, validators) as ``fetch`` does, handing every outcome to ``deliver``
        with its index in ``requests``, in the order they finish.

        Each host's URLs are taken in turn by its workers, not by a task per URL: starting
        thousands of tasks at once holds the event loop for half a second before the first
        answer is read, and each one waiting for a slot holds its frames. A host has
        ``per_host`` workers and spares (``_SPARE_WORKERS``) at work, and one more for each of
        its URLs waiting out a retry's backoff, which holds no slot. The busiest hosts' workers
        start first, so the first free slots go to the run's critical path, and the workers at
        work in all are at most twice ``max_concurrency``: a host waits for a worker when others
        would only wait for a slot.
        """
        lanes: dict[str, _Lane] = {}
        for index, (url, validators) in enumerate(requests):
            run = _Run(url)
            start = _start(run)
            if isinstance(start, Fetched):
                await deliver(index, start)
                continue
            self._host(start.host).pending += 1
            if start.host not in lanes:
                lanes[start.host] = _Lane()
            lanes[start.host].waiting.append((index, run, start, dict(validators or {})))

        try:
            await self._staff_lanes(lanes, deliver)
        except BaseExceptionGroup as failed:
            # A fetch never raises: the error is deliver's, and comes out as itself, as it does
            # for a URL delivered before any worker starts.
            raise failed.exceptions[0] from None

    async def _staff_lanes(
        self, lanes: dict[str, _Lane], deliver: Callable[[int, Fetched], Awaitable[None]]
    ) -> None:
        staff = self.options.per_host + _SPARE_WORKERS
        # Workers at work in all: enough to take every slot as it frees, twice over; more would
        # only wait (with --per-host 64, a task for nearly every URL again).
        seats = 2 * self.options.max_concurrency
        busiest_first = sorted(lanes.values(), key=lambda lane: len(lane.waiting), reverse=True)
        at_work = 0
        async with asyncio.TaskGroup() as group:

            def hire() -> None:
                nonlocal at_work
                for lane in busiest_first:
                    while lane.waiting and lane.at_work < staff:
                        if at_work >= seats:
                            return
                        lane.at_work += 1
                        at_work += 1
                        group.create_task(work(lane))

            def pause(lane: _Lane, paused: bool) -> None:
                nonlocal at_work
                change = -1 if paused else 1
                lane.at_work += change
                at_work += change
                if paused:
                    hire()

            async def work(lane: _Lane) -> None:
                nonlocal at_work
                try:
                    # More at work than the staff or the seats: a URL's backoff ended; one of
                    # them leaves.
                    while lane.waiting and lane.at_work <= staff and at_work <= seats:
                        index, run, start, validators = lane.waiting.popleft()
                        run.on_pause = functools.partial(pause, lane)
                        first = self._host(start.host)
                        fetched = await self._run(run, start, first, validators, True, True)
                        await deliver(index, fetched)
                finally:
                    lane.at_work -= 1
                    at_work -= 1
                hire()  # its seat, to the busiest lane short of workers (not when cancelled)

            hire()

    async def _run(
        self,
        run: _Run,
        start: httpx.URL,
        first: _Host,
        validators: dict[str, str],
        guard: bool,
        follow: bool,
    ) -> Fetched:
        """``run`` from ``start`` to its end under its deadline; ``first``, the host it starts at,
        counted it as pending, which ends here."""
        try:
            async with asyncio.timeout(None) as deadline:
                run.deadline = deadline
                return await self._hops(run, start, validators, guard, follow)
        except TimeoutError:
            return run.on_deadline(self.options.deadline)
        except Exception as exc:  # the contract: a fetch never raises, whatever the server does
            return run.finish(error=FetchError.NETWORK, detail=f"unexpected failure: {exc!r}")
        finally:
            first.pending -= 1

    async def _hops(
        self, run: _Run, start: httpx.URL, validators: dict[str, str], guard: bool, follow: bool
    ) -> Fetched:
        """From ``start``, one hop per redirect until an answer that is not one."""
        credentials = (start.username, start.password) if start.userinfo else None
        home = _origin(start)
        # copy_with re-parses the whole URL: only pay for it when there is something to drop.
        current = (
            start.copy_with(userinfo=b"", fragment=None)
            if start.userinfo or start.fragment
            else start
        )
        jar = httpx.Cookies()
        # A site may redirect to the same URL after setting a cookie; that is a loop only if
        # the cookies did not change either.
        seen = {(str(current), _cookie_state(jar))}
        while True:
            extra = dict(validators)
            if current.host == start.host:
                extra.update(self._secret_headers)
            extra.update(self.options.host_headers.get(current.host.lower(), ()))
            if credentials and _same_host_no_downgrade(home, current):
                extra["Authorization"] = _basic_auth(*credentials)
            hop = await self._hop(run, current, extra, jar, guard)
            status = hop.http_status
            if (
                hop.error is not None
                or status is None
                or status not in REDIRECT_CODES
                or not follow
            ):
                return hop
            run.redirects.append(Redirect(run.shown(current), status))
            target, problem = _redirect_target(current, hop.header("location"))
            if target is None:
                return run.finish(error=FetchError.BAD_REDIRECT, detail=problem)
            if len(run.redirects) > self.options.max_redirects:
                detail = f"more than {self.options.max_redirects} redirects"
                return run.finish(error=FetchError.TOO_MANY_REDIRECTS, detail=detail)
            visit = (str(target), _cookie_state(jar))
            if visit in seen:
                return run.finish(error=FetchError.REDIRECT_LOOP, detail=f"back to {target}")
            seen.add(visit)
            run.current = str(target)
            current = target

    async def _hop(
        self,
        run: _Run,
        url: httpx.URL,
        headers: dict[str, str],
        jar: httpx.Cookies,
        guard: bool,
    ) -> Fetched:
        """One URL, retried as the options allow; returns the last attempt's outcome."""
        options = self.options
        loop = asyncio.get_running_loop()
        host = self._host(url.host)
        run.last = None  # an earlier hop's answer must not stand in for this one
        attempt = 0
        while True:
            attempt += 1
            run.attempts = attempt
            outcome = await self._attempt(run, url, host, headers, jar, guard)
            run.last = outcome
            if attempt > options.retries or not _retryable(outcome):
                return outcome
            delay, from_server = self._retry_delay(outcome, attempt)
            if from_server or outcome.http_status == 429:
                host.pause_until(loop.time() + delay)  # the whole host slows down, not this URL
            if run.deadline is not None:
                when = run.deadline.when()
                if when is not None and loop.time() + delay >= when:
                    return outcome  # no time left to wait: the last answer stands
            if run.on_pause is not None:
                run.on_pause(True)
            try:
                await asyncio.sleep(delay)
            finally:
                if run.on_pause is not None:
                    run.on_pause(False)

    async def _attempt(
        self,
        run: _Run,
        url: httpx.URL,
        host: _Host,
        headers: dict[str, str],
        jar: httpx.Cookies,
        guard: bool,
    ) -> Fetched:
        """One request under the limits: resolve, guard, send, read the capped body."""
        await host.wait_turn(None)  # a host paused by a 429 holds no slot while it waits
        await self._slots.acquire(host)
        try:
            await host.wait_turn(self.options.rate)
            run.start_clock(self.options.deadline)
            addresses, failure = await self._addresses(url, guard)
            if failure is not None:
                return run.finish(error=failure[0], detail=failure[1])
            return await self._send(run, url, addresses, headers, jar)
        finally:
            self._slots.release(host)

    async def _addresses(
        self, url: httpx.URL, guard: bool
    ) -> tuple[tuple[str, ...], tuple[FetchError, str] | None]:
        """The addresses to dial for ``url``'s host, or why none may be."""
        raw_host = url.raw_host.decode("ascii")
        literal = parse_host_address(raw_host)
        if literal is not None:
            addresses: tuple[str, ...] = (str(literal),)
        else:
            try:
                addresses = tuple(await self._resolver.resolve(raw_host, _port(url)))
            except NameNotFound as exc:
                return (), (FetchError.NAME_NOT_FOUND, str(exc))
            except ResolverUnavailable as exc:
                return (), (FetchError.NO_NETWORK, str(exc))
        if guard and not self.options.allow_private:
            for address in addresses:
                reason = _reason(address, self._address_reason)
                if reason is not None:
                    return (), (FetchError.PRIVATE_ADDRESS, f"{address} is {reason}")
        return addresses, None

    async def _send(
        self,
        run: _Run,
        url: httpx.URL,
        addresses: tuple[str, ...],
        headers: dict[str, str],
        jar: httpx.Cookies,
    ) -> Fetched:
        assert self._wire is not None, "use `async with`"
        merged = self._headers_base.copy()
        merged.update(headers)  # this request's headers replace the defaults by name
        request = httpx.Request("GET", url, headers=merged, extensions=self._extensions)
        if jar:  # the cookie machinery builds urllib request objects: skip it with nothing to send
            jar.set_cookie_header(request)
        if self._on_request is not None:
            self._on_request(str(url))
        try:
            response = await self._wire.send(request, addresses)
        except httpx.HTTPError as exc:
            error, detail = failure(exc)
            return run.finish(error=error, detail=detail)
        try:
            if "set-cookie" in response.headers:
                jar.extract_cookies(response)
            body = Body(response, self.options)
            if response.status_code in REDIRECT_CODES:
                await _discard(response)
            else:
                run.reading = body  # stays set if the deadline strikes: on_deadline reads it
                await body.read()
                run.reading = None
                # Only a page's body carries the verdict (metadata, soft 404); a 404 or 403
                # says what it has to say in its status line, however its body ends.
                if body.failure is not None and 200 <= response.status_code < 300:
                    return run.finish(error=body.failure[0], detail=body.failure[1])
            return run.finish(response=body)
        finally:
            await response.aclose()

    def _host(self, name: str) -> _Host:
        host = self._hosts.get(name)
        if host is None:
            host = self._hosts[name] = _Host()
        return host

    def _retry_delay(self, outcome: Fetched, attempt: int) -> tuple[float, bool]:
        """Seconds to wait before the next attempt, and whether the server chose them."""
        server = _retry_after(outcome.header("retry-after"))
        if server is not None:
            return min(server, self.options.retry_after_cap), True
        base = self.options.backoff * 2 ** (attempt - 1)
        return base + random.uniform(0, self.options.backoff), False


def _start(run: _Run) -> httpx.URL | Fetched:
    """``run``'s URL, parsed, or the outcome that says why it cannot be fetched."""
    try:
        start = httpx.URL(run.url)
    except httpx.InvalidURL as exc:
        return run.finish(error=FetchError.INVALID_URL, detail=f"not a fetchable URL: {exc}")
    except Exception as exc:  # the contract: a fetch never raises, whatever the URL holds
        return run.finish(error=FetchError.NETWORK, detail=f"unexpected failure: {exc!r}")
    if start.scheme not in _DEFAULT_PORTS or not start.host:
        return run.finish(error=FetchError.INVALID_URL, detail="only http(s) URLs are fetched")
    return start


@dataclass(slots=True, eq=False)
class _Host:
    """One host name's state under the limits: requests in flight and waiting for a slot, fetches
    that start here still under way (its claim on free slots), its next rate slot and any pause
    it asked for."""

    active: int = 0
    waiters: deque[asyncio.Future[None]] = field(default_factory=deque)
    pending: int = 0
    next_slot: float = 0.0
    paused_until: float = 0.0

    def pause_until(self, when: float) -> None:
        self.paused_until = max(self.paused_until, when)

    async def wait_turn(self, rate: float | None) -> None:
        """Sleep until the host's pause is over and, with a rate, until this request's slot."""
        loop = asyncio.get_running_loop()
        while (pause := self.paused_until - loop.time()) > 0:
            await asyncio.sleep(pause)  # looped: another 429 may extend the pause meanwhile
        if rate:
            now = loop.time()
            start = max(now, self.next_slot)
            self.next_slot = start + 1 / rate
            if start > now:
                await asyncio.sleep(start - now)


class _Slots:
    """The request slots: ``per_host`` for each host, ``overall`` in all, handed out busiest host
    first.

    When a slot frees, it goes to the waiting host with the most fetches pending that still has a
    host slot free, first come first served within a host. Two semaphores (host, then global)
    would wake waiters in arrival order: the busiest host's next request would find the slot its
    last one freed already taken by a one-link host queued earlier, and the run — which can end
    no sooner than the busiest host's queue — would wait once per link on it. A waiter that is
    cancelled after being handed a slot passes it on.
    """

    def __init__(self, per_host: int, overall: int) -> None:
        self._per_host = per_host
        self._free = overall
        self._ready: list[tuple[int, int, _Host]] = []  # hosts with waiters, busiest first
        self._arrivals = itertools.count()

    async def acquire(self, host: _Host) -> None:
        # Free slots left over mean no other host is waiting for one it could take.
        if self._free > 0 and host.active < self._per_host and not host.waiters:
            self._free -= 1
            host.active += 1
            return
        future = asyncio.get_running_loop().create_future()
        host.waiters.append(future)
        self._offer(host)
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.release(host)  # handed a slot just as it was cancelled: pass it on
            elif future in host.waiters:  # release() drops the cancelled ones it meets
                host.waiters.remove(future)
            raise

    def release(self, host: _Host) -> None:
        host.active -= 1
        self._free += 1
        self._offer(host)
        while self._free > 0 and self._ready:
            waiting = heapq.heappop(self._ready)[2]
            while waiting.waiters and waiting.waiters[0].done():
                waiting.waiters.popleft()  # cancelled, its task not yet run to take it out
            if waiting.active >= self._per_host or not waiting.waiters:
                continue  # a stale entry: the host was served or is full
            waiting.waiters.popleft().set_result(None)
            waiting.active += 1
            self._free -= 1
            self._offer(waiting)

    def _offer(self, host: _Host) -> None:
        if host.waiters and host.active < self._per_host:
            heapq.heappush(self._ready, (-host.pending, next(self._arrivals), host))


@dataclass(slots=True, eq=False)
class _Lane:
    """One host's URLs waiting for a worker of ``Fetcher.fetch_each``, and its workers at work
    (not waiting out a backoff)."""

    waiting: deque[tuple[int, _Run, httpx.URL, dict[str, str]]] = field(default_factory=deque)
    at_work: int = 0


@dataclass(slots=True)
class _Run:
    """The state of one fetch, so the deadline can strike anywhere and still leave a record."""

    url: str
    current: str = ""
    redirects: list[Redirect] = field(default_factory=list)
    attempts: int = 0
    started: float | None = None
    deadline: asyncio.Timeout | None = None
    reading: Body | None = None
    last: Fetched | None = None
    on_pause: Callable[[bool], None] | None = None  # told when a backoff starts (True) and ends

    def __post_init__(self) -> None:
        self.current = self.url

    def start_clock(self, seconds: float) -> None:
        if self.started is None:
            self.started = time.monotonic()
            if self.deadline is not None:
                self.deadline.reschedule(asyncio.get_running_loop().time() + seconds)

    def shown(self, url: httpx.URL) -> str:
        """How a hop is reported: the first exactly as the letter wrote it."""
        return self.url if not self.redirects else str(url)

    def finish(
        self,
        *,
        response: Body | None = None,
        error: FetchError | None = None,
        detail: str | None = None,
    ) -> Fetched:
        elapsed = None if self.started is None else (time.monotonic() - self.started) * 1000
        fetched = Fetched(
            url=self.url,
            final_url=self.current,
            redirects=tuple(self.redirects),
            error=error,
            error_detail=detail,
            elapsed_ms=None if elapsed is None else round(elapsed),
            attempts=max(self.attempts, 1),
        )
        return fetched if response is None else response.into(fetched)

    def on_deadline(self, seconds: float) -> Fetched:
        """The record when the deadline strikes: the last complete answer or a timeout."""
        if self.last is not None and self.last.error is None:
            return self.last
        if self.reading is not None:
            error, detail = self.reading.deadline_failure(seconds)
            return self.finish(error=error, detail=detail)
        return self.finish(error=FetchError.TIMEOUT, detail=f"no answer within {seconds:g}s")


async def _discard(response: httpx.Response) -> None:
    """Read a redirect's body (a short page, usually) and drop it: only a connection whose last
    response was read to the end carries the next hop. A long one is abandoned instead."""
    seen = 0
    try:
        async for chunk in response.aiter_raw():
            seen += len(chunk)
            if seen > _REDIRECT_BODY_READ:
                return
    except httpx.HTTPError:
        return  # the redirect stands; its connection is not reused


def _retryable(outcome: Fetched) -> bool:
    if outcome.error is not None:
        return outcome.error in (FetchError.TIMEOUT, FetchError.NETWORK, FetchError.REFUSED)
    status = outcome.http_status or 0
    return status == 429 or 500 <= status <= 599


def _retry_after(value: str | None) -> float | None:
    """Retry-After in seconds from now (delta-seconds or an HTTP date), or None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def _redirect_target(current: httpx.URL, location: str | None) -> tuple[httpx.URL | None, str]:
    """The next hop's URL (credentials and fragment dropped), or None and why it is unusable."""
    if location is None or not location.strip():
        return None, "redirect without a Location header"
    try:
        given = httpx.URL(location.strip())
        target = current.join(given)
    except httpx.InvalidURL as exc:
        return None, f"malformed Location {location[:80]!r}: {exc}"
    if target.scheme not in _DEFAULT_PORTS:
        return None, f"redirect to an unsupported scheme: {location[:80]!r}"
    if given.scheme and not given.host:
        return None, f"malformed Location {location[:80]!r}: no host"
    # An absolute Location gets the letter's own syntax check: httpx would percent-encode a
    # broken host ("http://a b/" -> "a%20b") and look it up, or dial port 99999.
    text = location.strip()
    if given.is_absolute_url or text.startswith("//"):
        problem = http_syntax_problem(text if given.scheme else f"{current.scheme}:{text}")
        if problem:
            return None, f"malformed Location {location[:80]!r}: {problem}"
    return target.copy_with(userinfo=b"", fragment=None), ""


def _cookie_state(jar: httpx.Cookies) -> frozenset[tuple[str, str, str, str | None]]:
    return frozenset((c.domain, c.path, c.name, c.value) for c in jar.jar)


def _basic_auth(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


def _origin(url: httpx.URL) -> tuple[str, str, int]:
    return url.scheme, url.host, _port(url)


def _same_host_no_downgrade(home: tuple[str, str, int], url: httpx.URL) -> bool:
    """Credentials go back to their own host (same port, or http -> https), nowhere else."""
    scheme, host, port = _origin(url)
    if host != home[1]:
        return False
    return (scheme, port) == (home[0], home[2]) or (home[0], scheme) == ("http", "https")


def _port(url: httpx.URL) -> int:
    return url.port or _DEFAULT_PORTS[url.scheme]


def _reason(address: str, address_reason: AddressReason) -> str | None:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "not an IP address"
    return address_reason(ip)
