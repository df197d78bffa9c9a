"""The fetch engine: the only module that speaks HTTP (httpx), and only to addresses it checked.

``Fetcher.fetch(url)`` returns a ``Fetched`` and never raises: every failure is recorded in
``Fetched.error``. What it guarantees, per URL:

* One httpx client (HTTP/2 where TLS negotiates it) over one small connection pool per origin
  (see ``_OriginPools``: httpcore's single pool costs CPU quadratic in requests in flight).
* Limits: a global semaphore (``max_concurrency``) and one per host name (``per_host``), an optional
  per-host request rate, and a per-host pause after 429 / ``Retry-After`` that every later request
  to that host honours too.
* The address guard: each hop's host is resolved once through the ``Resolver`` (a numeric host,
  in any spelling a browser accepts, needs no lookup), every address is checked with
  ``non_public_reason`` and the connection is made to exactly those addresses. That pinning lives
  in the connection layer: the pool's network backend dials the addresses this request checked
  (handed over in a context variable) instead of resolving the name again. URLs keep their host
  names, so the Host header, TLS SNI, certificate checking and connection pooling all work on the
  name as usual. A pooled keep-alive connection is reused only after the name passed the guard
  again; it goes to an address checked earlier (or resolved for ``guard=False``).
* Redirects are followed here, one hop at a time (each hop guarded again); loops, too many hops and
  bad ``Location`` values end the fetch with an error, every hop is kept as a ``Redirect``.
* Retries with exponential backoff and jitter on timeouts, connect errors, 5xx and 429, honouring
  ``Retry-After`` (seconds or an HTTP date, capped); never on other 4xx.
* Bodies are read raw and decoded here, incrementally, with the output of each decompression step
  bounded by what is still wanted (zlib ``max_length``, brotli ``output_buffer_limit``): at most the
  cap for the content type (plus one byte, to know whether more was sent) is ever held, so a
  gzip or brotli bomb costs no memory.
* A deadline per URL covers every hop, retry and backoff; it starts when the first request gets
  its slots, so time spent queueing behind the limits does not count. When it strikes after a
  response's headers arrived, the response is kept with the body read so far (``truncated=True``,
  ``error_detail`` says why): the status is known, and a dripping page is still a live page. Before
  any response it is a ``FetchError.TIMEOUT``. A body cut short by the network is kept the same way.
* Secrets: credentials in the URL (``user:pass@``) become basic auth for that host only, and the
  Authorization / Cookie headers from the options go only to the host first asked. Cookies a site
  sets during one fetch's redirect chain are sent back within that chain (by cookie rules), never
  kept between fetches.
"""

from __future__ import annotations

import asyncio
import base64
import contextvars
import email.utils
import errno
import ipaddress
import random
import select
import socket
import ssl
import time
import zlib
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import brotli  # type: ignore[import-untyped]
import httpcore
import httpx

from citecheck import __version__
from citecheck.addresses import non_public_reason, parse_host_address
from citecheck.models import Fetched, FetchError, Redirect
from citecheck.resolve import NameNotFound, Resolver, ResolverUnavailable, SystemResolver
from citecheck.urls import http_syntax_problem

ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,application/pdf;q=0.8,*/*;q=0.7"
ACCEPT_LANGUAGE = "en;q=0.9,*;q=0.5"
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
_DEFAULT_PORTS = {"http": 80, "https": 443}
_SENSITIVE = frozenset({"authorization", "cookie", "proxy-authorization"})
_NO_NETWORK_ERRNOS = frozenset({errno.ENETUNREACH, errno.ENETDOWN, errno.EADDRNOTAVAIL})
_HTML_TYPES = ("text/html", "application/xhtml+xml", "text/xml", "application/xml")
_SNIFF_BYTES = 512
_KEEPALIVE_EXPIRY = 5.0  # seconds an idle connection is kept, as httpx does


@dataclass(frozen=True, slots=True)
class FetchOptions:
    """How to fetch: limits, timing, retries, headers, the address guard and body caps."""

    timeout: float = 10.0  # connect and read, per request
    deadline: float = 30.0  # total per URL, all retries and redirects included
    max_redirects: int = 10
    retries: int = 2
    backoff: float = 0.5  # base of the exponential backoff (+ jitter)
    retry_after_cap: float = 30.0
    max_concurrency: int = 64
    per_host: int = 4
    rate: float | None = None  # requests per second per host
    headers: tuple[tuple[str, str], ...] = ()
    # Headers sent only to one host (a consent cookie, a token), keyed by lower-case host name.
    host_headers: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    user_agent: str = f"citecheck/{__version__} (+https://github.com/citecheck/citecheck)"
    allow_private: bool = False
    html_cap: int = 2_000_000
    pdf_cap: int = 20_000_000
    other_cap: int = 65_536  # bytes read of anything else (images, zips...)


class Fetcher:
    """Fetches URLs through one shared HTTP client; use as ``async with Fetcher(options) as f``."""

    def __init__(
        self,
        options: FetchOptions,
        *,
        resolver: Resolver | None = None,
        on_request: Callable[[str], None] | None = None,
    ) -> None:
        self.options = options
        self._resolver: Resolver = resolver or SystemResolver()
        self._on_request = on_request
        self._client: httpx.AsyncClient | None = None
        self._transport: _OriginPools | None = None
        self._global = asyncio.Semaphore(options.max_concurrency)
        self._hosts: dict[str, _Host] = {}
        self._headers = [(n, v) for n, v in options.headers if n.lower() not in _SENSITIVE]
        self._secret_headers = [(n, v) for n, v in options.headers if n.lower() in _SENSITIVE]

    async def __aenter__(self) -> Fetcher:
        options = self.options
        # certifi's roots, plus SSL_CERT_FILE / SSL_CERT_DIR when set (how tests trust a test CA).
        context = httpx.create_ssl_context()
        self._transport = _OriginPools(context, options.per_host, options.max_concurrency)
        self._client = httpx.AsyncClient(
            transport=self._transport,
            follow_redirects=False,
            timeout=httpx.Timeout(options.timeout),
            headers=self._default_headers(),
            trust_env=False,  # no proxy from the environment: we connect where we checked
        )
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
        if self._client is not None:
            await self._client.aclose()  # closes the transport and its pool too
            self._client = self._transport = None

    async def fetch(
        self, url: str, *, validators: Mapping[str, str] | None = None, guard: bool = True
    ) -> Fetched:
        """GET ``url`` following redirects; every outcome, failures included, is a ``Fetched``.

        ``validators`` are extra conditional headers (If-None-Match, If-Modified-Since): a 304
        comes back as ``http_status=304`` with an empty body. ``guard=False`` skips the address
        guard, for a trusted configured endpoint.
        """
        run = _Run(url)
        try:
            async with asyncio.timeout(None) as deadline:
                run.deadline = deadline
                return await self._follow(run, dict(validators or {}), guard)
        except TimeoutError:
            return run.on_deadline(self.options.deadline)
        except Exception as exc:  # the contract: a fetch never raises, whatever the server does
            return run.finish(error=FetchError.NETWORK, detail=f"unexpected failure: {exc!r}")

    async def _follow(self, run: _Run, validators: dict[str, str], guard: bool) -> Fetched:
        try:
            start = httpx.URL(run.url)
        except httpx.InvalidURL as exc:
            return run.finish(error=FetchError.INVALID_URL, detail=f"not a fetchable URL: {exc}")
        if start.scheme not in _DEFAULT_PORTS or not start.host:
            return run.finish(error=FetchError.INVALID_URL, detail="only http(s) URLs are fetched")
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
            if hop.error is not None or status is None or status not in REDIRECT_CODES:
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
            await asyncio.sleep(delay)

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
        async with host.slots:
            await host.wait_turn(self.options.rate)
            async with self._global:
                run.start_clock(self.options.deadline)
                addresses, failure = await self._addresses(url, guard)
                if failure is not None:
                    return run.finish(error=failure[0], detail=failure[1])
                return await self._send(run, url, addresses, headers, jar)

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
                reason = _address_reason(address)
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
        assert self._client is not None and self._transport is not None, "use `async with`"
        # The client merges default headers and timeouts; the request then goes straight to the
        # transport, because the client's send() parses Location itself and raises on the very
        # malformed values this module must record as BAD_REDIRECT.
        request = self._client.build_request("GET", url, headers=headers)
        if jar:  # the cookie machinery builds urllib request objects: skip it with nothing to send
            jar.set_cookie_header(request)
        if self._on_request is not None:
            self._on_request(str(url))
        token = _PINNED.set((url.raw_host.decode("ascii"), _port(url), addresses))
        try:
            response = await self._transport.handle_async_request(request)
            response.request = request
        except httpx.HTTPError as exc:
            error, detail = _failure(exc)
            return run.finish(error=error, detail=detail)
        finally:
            _PINNED.reset(token)
        try:
            if "set-cookie" in response.headers:
                jar.extract_cookies(response)
            body = _Body(response, self.options)
            if response.status_code not in REDIRECT_CODES:
                run.reading = body  # stays set if the deadline strikes: on_deadline keeps it
                await body.read()
                run.reading = None
            return run.finish(response=body)
        finally:
            await response.aclose()

    def _host(self, name: str) -> _Host:
        host = self._hosts.get(name)
        if host is None:
            host = self._hosts[name] = _Host(asyncio.Semaphore(self.options.per_host))
        return host

    def _retry_delay(self, outcome: Fetched, attempt: int) -> tuple[float, bool]:
        """Seconds to wait before the next attempt, and whether the server chose them."""
        server = _retry_after(outcome.header("retry-after"))
        if server is not None:
            return min(server, self.options.retry_after_cap), True
        base = self.options.backoff * 2 ** (attempt - 1)
        return base + random.uniform(0, self.options.backoff), False


@dataclass(slots=True)
class _Host:
    """One host name's limits: its slots, its next rate slot and any pause it asked for."""

    slots: asyncio.Semaphore
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


@dataclass(slots=True)
class _Run:
    """The state of one fetch, so the deadline can strike anywhere and still leave a record."""

    url: str
    current: str = ""
    redirects: list[Redirect] = field(default_factory=list)
    attempts: int = 0
    started: float | None = None
    deadline: asyncio.Timeout | None = None
    reading: _Body | None = None
    last: Fetched | None = None

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
        response: _Body | None = None,
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
        """The record when the deadline strikes: partial body, last answer or a timeout."""
        if self.reading is not None:
            detail = f"deadline of {seconds:g}s reached while reading the body"
            return self.reading.into(self.finish(), cut=detail)
        if self.last is not None and self.last.error is None:
            return self.last
        return self.finish(error=FetchError.TIMEOUT, detail=f"no answer within {seconds:g}s")


class _Body:
    """A response's status, headers and its body, decoded incrementally up to the cap."""

    def __init__(self, response: httpx.Response, options: FetchOptions) -> None:
        self._response = response
        self._options = options
        self.content_type = _media_type(response.headers.get("content-type"))
        self._cap = None if self.content_type is None else _cap(self.content_type, options)
        self._decoder = _decoder(response.headers.get("content-encoding", ""))
        self.data = bytearray()
        self.problem: str | None = None

    @property
    def cap(self) -> int:
        """The cap in force; without a content type, the largest until the first bytes tell."""
        if self._cap is not None:
            return self._cap
        return max(self._options.html_cap, self._options.pdf_cap, self._options.other_cap)

    async def read(self) -> None:
        """Read until the body ends or one byte past the cap; a network failure ends it early."""
        try:
            async for raw in self._response.aiter_raw():
                if self._absorb(raw):
                    return
        except httpx.HTTPError as exc:
            self.problem = f"body cut short: {_failure(exc)[1]}"
        except (zlib.error, brotli.error) as exc:
            self.problem = f"body could not be decoded: {exc}"

    def _absorb(self, raw: bytes) -> bool:
        """Decode ``raw`` into the body; True once more than the cap is held."""
        out = self._decoder.decode(raw, self._room())
        while True:
            self.data += out
            if self._cap is None and len(self.data) >= _SNIFF_BYTES:
                self._cap = _cap(_sniff(bytes(self.data)), self._options)
            if self._room() <= 0:
                return True
            if not self._decoder.pending:
                return False
            out = self._decoder.decode(b"", self._room())

    def _room(self) -> int:
        if self._cap is None:
            return _SNIFF_BYTES - len(self.data)  # decode just enough to sniff the type first
        return self._cap + 1 - len(self.data)

    def into(self, fetched: Fetched, *, cut: str | None = None) -> Fetched:
        """``fetched`` completed with this response; ``cut`` says why reading stopped early."""
        response = self._response
        cap = self._cap if self._cap is not None else _cap(_sniff(bytes(self.data)), self._options)
        problem = cut or self.problem
        return Fetched(
            url=fetched.url,
            final_url=fetched.final_url,
            http_status=response.status_code,
            reason=response.reason_phrase or None,
            redirects=fetched.redirects,
            content_type=self.content_type,
            headers=tuple((name.lower(), value) for name, value in response.headers.multi_items()),
            body=bytes(self.data[:cap]),
            truncated=len(self.data) > cap or problem is not None,
            error_detail=problem,
            elapsed_ms=fetched.elapsed_ms,
            attempts=fetched.attempts,
        )


class _Identity:
    pending = False

    def decode(self, data: bytes, room: int) -> bytes:
        return data


class _Zlib:
    """gzip / deflate, never producing more than ``room`` bytes per call."""

    def __init__(self, wbits: int) -> None:
        self._wbits = wbits
        self._engine = zlib.decompressobj(wbits)
        self._tail = b""
        self._started = False

    @property
    def pending(self) -> bool:
        return bool(self._tail)

    def decode(self, data: bytes, room: int) -> bytes:
        data = self._tail + data
        if not self._started and data and self._wbits == zlib.MAX_WBITS:
            self._started = True
            if not _zlib_header(data):
                # Many servers send raw deflate under "deflate"; RFC 9110 says zlib-wrapped.
                self._engine = zlib.decompressobj(-zlib.MAX_WBITS)
        if self._engine.eof:
            self._tail = b""
            return b""
        out = self._engine.decompress(data, room)
        self._tail = self._engine.unconsumed_tail
        return out


class _Brotli:
    """br, never producing more than ``room`` bytes per call."""

    def __init__(self) -> None:
        self._engine = brotli.Decompressor()

    @property
    def pending(self) -> bool:
        return not self._engine.can_accept_more_data()

    def decode(self, data: bytes, room: int) -> bytes:
        return bytes(self._engine.process(data, output_buffer_limit=room))


_Decoder = _Identity | _Zlib | _Brotli


def _decoder(content_encoding: str) -> _Decoder:
    """The decoder for a Content-Encoding; unknown or stacked codings are kept as sent."""
    codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
    codings = [c for c in codings if c != "identity"]
    if codings == ["gzip"] or codings == ["x-gzip"]:
        return _Zlib(16 + zlib.MAX_WBITS)
    if codings == ["deflate"]:
        return _Zlib(zlib.MAX_WBITS)
    if codings == ["br"]:
        return _Brotli()
    return _Identity()


def _zlib_header(data: bytes) -> bool:
    return len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0


# The addresses the current request may dial, as (host, port, addresses); set by Fetcher._send.
_PINNED: contextvars.ContextVar[tuple[str, int, tuple[str, ...]] | None] = contextvars.ContextVar(
    "citecheck_pinned", default=None
)


class _PinnedBackend(httpcore.AsyncNetworkBackend):
    """Dials only the addresses the guard checked for this request; never resolves a name."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        pinned = _PINNED.get()
        if pinned is None or pinned[:2] != (host, port):
            raise httpcore.ConnectError(f"{host}:{port} was not checked by the address guard")
        failure: Exception | None = None
        for address in pinned[2]:
            try:
                return await _Stream.connect(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc  # try the next checked address, as a browser would
        assert failure is not None, "a pinned host has at least one address"
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are never used")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class _Stream(httpcore.AsyncNetworkStream):
    """A connection on plain asyncio streams, in place of httpcore's anyio backend.

    anyio wraps every read and write in a cancel scope and answers the pool's frequent
    "is_readable" question by building a dict of all the socket's attributes (enum conversions
    included); dropping both took about a tenth off the CPU of a cold check. Errors map to
    httpcore's exceptions as anyio's do, with the OSError / SSLError kept as the cause
    (``_failure`` reads it).
    """

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer

    @classmethod
    async def connect(
        cls,
        address: str,
        port: int,
        timeout: float | None,
        local_address: str | None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None,
    ) -> _Stream:
        local = (local_address, 0) if local_address else None
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(address, port, local_addr=local)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(str(exc) or "connect timed out") from exc
        except OSError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        sock = writer.get_extra_info("socket")
        for option in socket_options or ():
            sock.setsockopt(*option)
        return cls(reader, writer)

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            async with asyncio.timeout(timeout):
                return await self._reader.read(max_bytes)
        except TimeoutError as exc:
            raise httpcore.ReadTimeout(str(exc) or "read timed out") from exc
        except OSError as exc:
            raise httpcore.ReadError(str(exc)) from exc

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        try:
            async with asyncio.timeout(timeout):
                self._writer.write(buffer)
                await self._writer.drain()
        except TimeoutError as exc:
            raise httpcore.WriteTimeout(str(exc) or "write timed out") from exc
        except OSError as exc:
            raise httpcore.WriteError(str(exc)) from exc

    async def aclose(self) -> None:
        # No TLS close_notify and no waiting, as httpcore's anyio backend does (it closes TLS
        # streams "not standard compatible"): a peer that never answers cannot hold us here.
        self._writer.transport.abort()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                await self._writer.start_tls(ssl_context, server_hostname=server_hostname)
        except TimeoutError as exc:
            await self.aclose()
            raise httpcore.ConnectTimeout(str(exc) or "TLS handshake timed out") from exc
        except OSError as exc:  # ssl.SSLError is an OSError
            await self.aclose()
            raise httpcore.ConnectError(str(exc)) from exc
        return self

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            return _readable(self._writer.get_extra_info("socket"))
        names = {"ssl_object": "ssl_object", "client_addr": "sockname", "server_addr": "peername"}
        if info in names:
            return self._writer.get_extra_info(names[info])
        if info == "socket":
            return self._writer.get_extra_info("socket")
        return None


def _readable(sock: socket.socket | None) -> bool:
    """Whether a read would return at once; on an idle keep-alive connection that means the
    server hung up (or sent garbage), so the pool must not reuse it. A closed socket counts."""
    if sock is None or sock.fileno() < 0:
        return True
    if not hasattr(select, "poll"):  # Windows has no poll(); select() on one socket is fine
        return bool(select.select([sock], [], [], 0)[0])
    poller = select.poll()  # not select.select: it fails on descriptors above 1023 elsewhere
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(0))


class _PinnedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport (request and response conversion, exception mapping) over an
    ``_OriginConnections`` in place of httpcore's pool."""

    def __init__(self, context: ssl.SSLContext, connections: _OriginConnections) -> None:
        super().__init__(verify=context, trust_env=False)  # the context: no certificate reload
        # httpx offers no parameter for the pool; it only ever calls handle_async_request,
        # aclose, __aenter__ and __aexit__ on it, all of which _OriginConnections has.
        self._pool = connections  # type: ignore[assignment]
        self.connections = connections


class _OriginConnections:
    """The connections of one origin, dialled through ``_PinnedBackend``.

    The host's semaphore already keeps at most ``per_host`` requests in flight here, so there
    is no queue and no lock: a request takes the newest idle connection that is still good (or
    opens one) and gives it back when its response is closed. httpcore's pool re-examines every
    connection under a lock on each request and on each close: dropping it took ~7% off the
    fetch's CPU in bench/bench_check.py. With HTTP/2 a request does not share a busy connection, so an origin may
    get up to ``per_host`` of them, as with HTTP/1.1.
    """

    def __init__(self, context: ssl.SSLContext, http2: bool, max_idle: int) -> None:
        self._context = context
        self._http2 = http2
        self._max_idle = max_idle
        self._idle: list[httpcore.AsyncHTTPConnection] = []
        self._open: set[httpcore.AsyncHTTPConnection] = set()
        self.active = 0  # requests between asking for a connection and closing the response

    async def handle_async_request(self, request: httpcore.Request) -> httpcore.Response:
        self.active += 1
        try:
            while self._idle:
                connection = self._idle.pop()
                if connection.is_available() and not connection.has_expired():
                    try:
                        return await self._send(connection, request)
                    except httpcore.ConnectionNotAvailable:
                        pass  # it closed between the check and the send: try the next one
                else:
                    await self._drop(connection)
            connection = httpcore.AsyncHTTPConnection(
                origin=request.url.origin,
                ssl_context=self._context,
                keepalive_expiry=_KEEPALIVE_EXPIRY,
                http1=True,
                http2=self._http2,
                network_backend=_PinnedBackend(),
            )
            return await self._send(connection, request)
        except BaseException:
            self.active -= 1
            raise

    async def _send(
        self, connection: httpcore.AsyncHTTPConnection, request: httpcore.Request
    ) -> httpcore.Response:
        self._open.add(connection)
        try:
            response = await connection.handle_async_request(request)
        except BaseException:
            await self._drop(connection)
            raise
        response.stream = _Release(response.stream, self, connection)
        return response

    async def release(self, connection: httpcore.AsyncHTTPConnection) -> None:
        """Called once the response on ``connection`` is closed."""
        self.active -= 1
        if connection.is_idle() and len(self._idle) < self._max_idle:
            self._idle.append(connection)
        else:
            await self._drop(connection)

    async def _drop(self, connection: httpcore.AsyncHTTPConnection) -> None:
        self._open.discard(connection)
        await connection.aclose()

    async def aclose(self) -> None:
        connections, self._open, self._idle = list(self._open), set(), []
        for connection in connections:
            await connection.aclose()

    async def __aenter__(self) -> _OriginConnections:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


class _Release:
    """A response body that gives its connection back to the origin's pool when closed."""

    def __init__(
        self,
        inner: Iterable[bytes] | AsyncIterable[bytes],
        pool: _OriginConnections,
        connection: httpcore.AsyncHTTPConnection,
    ) -> None:
        assert isinstance(inner, AsyncIterable), "an async connection's body"
        self._inner = inner
        self._pool = pool
        self._connection: httpcore.AsyncHTTPConnection | None = connection

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._inner.__aiter__()

    async def aclose(self) -> None:
        connection, self._connection = self._connection, None
        try:
            aclose = getattr(self._inner, "aclose", None)
            if aclose is not None:
                await aclose()
        finally:
            if connection is not None:
                await self._pool.release(connection)


class _OriginPools(httpx.AsyncBaseTransport):
    """One ``_OriginConnections`` per origin, at most ``max_idle`` idle ones kept.

    Evicting the least recently used origins without a response in flight bounds the idle
    keep-alive sockets left open.
    """

    def __init__(self, context: ssl.SSLContext, per_host: int, max_idle: int) -> None:
        self._context = context
        self._per_host = per_host
        self._max_idle = max_idle
        self._pools: dict[tuple[bytes, bytes, int | None], _PinnedTransport] = {}  # oldest first

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        key = (url.raw_scheme, url.raw_host, url.port)
        pool = self._pools.pop(key, None)
        if pool is None:
            # HTTP/2 is only ever negotiated over TLS (ALPN); plain-http origins skip loading h2.
            http2 = url.scheme == "https"
            pool = _PinnedTransport(
                self._context, _OriginConnections(self._context, http2, self._per_host)
            )
        self._pools[key] = pool
        response = await pool.handle_async_request(request)
        await self._evict()
        return response

    async def _evict(self) -> None:
        if len(self._pools) <= self._max_idle:
            return  # nothing to evict: skip the scan, which would cost O(origins) a request
        idle = [key for key, pool in self._pools.items() if pool.connections.active == 0]
        for key in idle[: max(0, len(idle) - self._max_idle)]:
            await self._pools.pop(key).aclose()

    async def aclose(self) -> None:
        pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            await pool.aclose()


def _failure(exc: httpx.HTTPError) -> tuple[FetchError, str]:
    """Translate an httpx exception into the recorded failure kind and a short detail."""
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        return FetchError.TIMEOUT, detail
    if isinstance(exc, httpx.ConnectError):
        for cause in _causes(exc):
            if isinstance(cause, ssl.SSLCertVerificationError):
                return FetchError.TLS, cause.verify_message or str(cause)
            if isinstance(cause, ssl.SSLError):
                return FetchError.TLS, cause.reason or str(cause)
            if isinstance(cause, ConnectionRefusedError) or (
                isinstance(cause, OSError) and cause.errno == errno.ECONNREFUSED
            ):
                return FetchError.REFUSED, "connection refused"
            if isinstance(cause, OSError) and cause.errno in _NO_NETWORK_ERRNOS:
                return FetchError.NO_NETWORK, cause.strerror or detail
        return FetchError.NETWORK, detail
    if isinstance(exc, httpx.RemoteProtocolError) and "disconnected" in detail:
        return FetchError.NETWORK, detail  # the server hung up before answering at all
    if isinstance(exc, httpx.ProtocolError | httpx.DecodingError | httpx.UnsupportedProtocol):
        return FetchError.PROTOCOL, detail
    return FetchError.NETWORK, detail


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and everything chained to it, exception groups opened, each once."""
    stack, seen = [exc], set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if isinstance(current, BaseExceptionGroup):
            stack.extend(current.exceptions)
        stack.extend(e for e in (current.__cause__, current.__context__) if e is not None)


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


def _address_reason(address: str) -> str | None:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "not an IP address"
    return non_public_reason(ip)


def _media_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    media = content_type.split(";", 1)[0].strip().lower()
    return media or None


def _cap(media_type: str, options: FetchOptions) -> int:
    if media_type in _HTML_TYPES or media_type.endswith("+xml"):
        return options.html_cap
    if media_type == "application/pdf":
        return options.pdf_cap
    return options.other_cap


def _sniff(head: bytes) -> str:
    """A media type guessed from a body's first bytes, for a response that did not say."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"%PDF-"):
        return "application/pdf"
    if start.startswith(b"<"):
        return "text/html"
    return "application/octet-stream"
