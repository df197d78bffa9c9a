"""The wire under the fetcher: connections that dial only checked addresses, a few idle ones kept
per origin, and what a transport failure means.

Built only on what httpx and httpcore document as extension points (their private attributes
change without notice, and pyproject bounds the versions a contract test checks):

* httpcore's connections take a network backend (``network_backend=``, "Custom network
  backends" in httpcore's docs). ``_PinnedBackend`` is constructed with the host, port and the
  addresses the address guard checked, and dials exactly those, never resolving the name again.
  URLs keep their host names, so the Host header, TLS SNI and certificate checking work on the
  name as usual. The addresses reach it as constructor arguments: ``Wire.send(request,
  addresses)`` picks (or makes) a lane pinned to them.
* ``Wire`` is its own connection pool, which is what httpcore's docs ("Connections") offer
  single connections for. A lane is one ``httpcore.AsyncHTTPConnection``, used by one request at
  a time. (A one-connection ``AsyncConnectionPool`` per lane did the same with a pool's locks and
  bookkeeping around every request.) An origin has up to ``per_host`` idle lanes, newest reused
  first. One pool per origin would multiplex HTTP/2 requests on one connection; one connection
  per request in flight keeps an origin's requests independent as over HTTP/1.1, and gives
  ``Wire`` two decisions httpcore does not make: a lane whose last response was not read to its
  end is closed (over HTTP/2 the server would go on sending the abandoned stream, never
  acknowledged, until the connection's window is used up and a later page arrives as headers
  without a body), and so is an idle lane whose socket became readable (the server hung up;
  httpcore checks that for HTTP/1.1 only). An idle lane past its keep-alive or no longer
  available is closed too, as a pool would.
* No httpx client: ``AsyncClient.send`` keeps a cookie jar across requests (citecheck keeps
  cookies within one fetch's redirect chain only) and raises on the malformed ``Location``
  values citecheck records as bad redirects. ``Wire`` converts an ``httpx.Request`` to httpcore's
  and back to an ``httpx.Response`` with an ``httpx.AsyncByteStream`` body, mapping httpcore's
  exceptions to httpx's of the same name, as httpx's own transport does.
* ``_Stream``: connections on plain asyncio streams (httpcore's ``AsyncNetworkStream``
  interface), in place of httpcore's anyio backend.
* ``failure(exc)`` turns an httpx exception into a ``FetchError`` kind and a short detail.
"""

from __future__ import annotations

import asyncio
import errno
import select
import socket
import ssl
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable, Iterator
from typing import Any, NoReturn

import httpcore
import httpx

from citecheck.models import FetchError

_NO_NETWORK_ERRNOS = frozenset({errno.ENETUNREACH, errno.ENETDOWN, errno.EADDRNOTAVAIL})
_KEEPALIVE_EXPIRY = 5.0  # seconds an idle connection is kept, as httpx does

# The httpcore exceptions translated here, each into the httpx exception of the same name
# (tests/net/test_dependency_contract.py checks both libraries still have every one).
TRANSLATED_EXCEPTIONS = (
    "ConnectTimeout",
    "ReadTimeout",
    "WriteTimeout",
    "PoolTimeout",
    "ConnectError",
    "ReadError",
    "WriteError",
    "LocalProtocolError",
    "RemoteProtocolError",
    "UnsupportedProtocol",
    "ProxyError",
    "TimeoutException",
    "NetworkError",
    "ProtocolError",
)
_EXCEPTIONS: tuple[tuple[type[Exception], type[httpx.HTTPError]], ...] = tuple(
    (getattr(httpcore, name), getattr(httpx, name)) for name in TRANSLATED_EXCEPTIONS
)


def _raise_as_httpx(exc: Exception) -> NoReturn:
    """Raise the httpx exception for an httpcore one (with it as the cause); others as they are."""
    for core, mapped in _EXCEPTIONS:
        if isinstance(exc, core):
            raise mapped(str(exc)) from exc
    raise exc


class _PinnedBackend(httpcore.AsyncNetworkBackend):
    """Dials ``host``:``port`` only at the ``addresses`` the guard checked; never resolves a name.

    Remembers the last connection it opened, so its lane can ask whether it is still good.
    """

    def __init__(self, host: str, port: int, addresses: tuple[str, ...]) -> None:
        assert addresses, "a pinned host has at least one address"
        self._host = host
        self._port = port
        self._addresses = addresses
        self.stream: _Stream | None = None

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        if (host, port) != (self._host, self._port):
            raise httpcore.ConnectError(f"{host}:{port} was not checked by the address guard")
        failure: Exception | None = None
        for address in self._addresses:
            try:
                self.stream = await _Stream.connect(
                    address, port, timeout, local_address, socket_options
                )
                return self.stream
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc  # try the next checked address, as a browser would
        assert failure is not None
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
    (``failure`` reads it).
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
    server hung up (or sent garbage), so the lane must not be reused. A closed socket counts."""
    if sock is None or sock.fileno() < 0:
        return True
    if not hasattr(select, "poll"):  # Windows has no poll(); select() on one socket is fine
        return bool(select.select([sock], [], [], 0)[0])
    poller = select.poll()  # not select.select: it fails on descriptors above 1023 elsewhere
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(0))


class _Lane:
    """One connection, pinned to the addresses checked when it was made."""

    def __init__(
        self,
        context: ssl.SSLContext,
        http2: bool,
        origin: httpcore.Origin,
        addresses: tuple[str, ...],
    ) -> None:
        self._backend = _PinnedBackend(origin.host.decode("ascii"), origin.port, addresses)
        self.connection = httpcore.AsyncHTTPConnection(
            origin,
            ssl_context=context,
            keepalive_expiry=_KEEPALIVE_EXPIRY,
            http1=True,
            http2=http2,
            network_backend=self._backend,
        )

    def reusable(self) -> bool:
        """Whether the idle connection can take a request: not expired, not closed, and not
        readable (the server hung up, or sent something unasked; either way, not worth the
        risk)."""
        stream = self._backend.stream
        if stream is not None and stream.get_extra_info("is_readable"):
            return False
        return self.connection.is_available() and not self.connection.has_expired()


class _Origin:
    """The idle lanes of one origin and checked addresses, and how many requests are out."""

    __slots__ = ("active", "idle")

    def __init__(self) -> None:
        self.idle: list[_Lane] = []  # newest last
        self.active = 0


class Wire:
    """Sends one request at a time per lane, to the addresses given for it; see the module doc.

    Evicting the least recently used origins without a response in flight bounds the idle
    keep-alive sockets left open to ``max_idle`` origins' worth.
    """

    def __init__(self, context: ssl.SSLContext, per_host: int, max_idle: int) -> None:
        self._context = context
        self._per_host = per_host
        self._max_idle = max_idle
        self._origins: dict[tuple[bytes, bytes, int, frozenset[str]], _Origin] = {}  # oldest first

    async def send(self, request: httpx.Request, addresses: tuple[str, ...]) -> httpx.Response:
        """Send ``request`` over a connection to one of ``addresses`` (checked by the caller);
        the response's body is still to be read, and ``aclose()`` on it gives the lane back."""
        url = request.url
        port = url.port or (443 if url.scheme == "https" else 80)
        key = (url.raw_scheme, url.raw_host, port, frozenset(addresses))
        origin = self._origins.pop(key, None) or _Origin()
        self._origins[key] = origin
        origin.active += 1
        try:
            lane = await self._lane(origin, url, port, addresses)
            answer = await self._exchange(lane, request)
        except BaseException:
            origin.active -= 1
            raise
        assert isinstance(answer.stream, AsyncIterable), "an async connection's body"
        response = httpx.Response(
            answer.status,
            headers=answer.headers,
            stream=_Body(
                answer.stream, lambda read_to_end: self._release(origin, lane, read_to_end)
            ),
            extensions=answer.extensions,
            request=request,
        )
        await self._evict()
        return response

    async def _lane(
        self, origin: _Origin, url: httpx.URL, port: int, addresses: tuple[str, ...]
    ) -> _Lane:
        while origin.idle:
            lane = origin.idle.pop()
            if lane.reusable():
                return lane
            await lane.connection.aclose()
        # HTTP/2 is only ever negotiated over TLS (ALPN); plain-http origins skip loading h2.
        http2 = url.scheme == "https"
        where = httpcore.Origin(url.raw_scheme, url.raw_host, port)
        return _Lane(self._context, http2, where, addresses)

    @staticmethod
    async def _exchange(lane: _Lane, request: httpx.Request) -> httpcore.Response:
        url = request.url
        core = httpcore.Request(
            method=request.method.encode("ascii"),
            url=httpcore.URL(
                scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
            ),
            headers=request.headers.raw,
            extensions=request.extensions,
        )
        try:
            return await lane.connection.handle_async_request(core)
        except Exception as exc:
            await lane.connection.aclose()
            _raise_as_httpx(exc)

    async def _release(self, origin: _Origin, lane: _Lane, read_to_end: bool) -> None:
        origin.active -= 1
        if read_to_end and len(origin.idle) < self._per_host:
            origin.idle.append(lane)
        else:
            await lane.connection.aclose()

    async def _evict(self) -> None:
        if len(self._origins) <= self._max_idle:
            return  # nothing to evict: skip the scan, which would cost O(origins) a request
        idle = [key for key, origin in self._origins.items() if origin.active == 0]
        for key in idle[: max(0, len(idle) - self._max_idle)]:
            for lane in self._origins.pop(key).idle:
                await lane.connection.aclose()

    async def aclose(self) -> None:
        origins, self._origins = list(self._origins.values()), {}
        for origin in origins:
            for lane in origin.idle:
                await lane.connection.aclose()


class _Body(httpx.AsyncByteStream):
    """A response body: httpcore's stream with its exceptions as httpx's, which on close says
    whether it was read to the end. Its own iterator (not a generator): an early stop leaves
    nothing to finalise."""

    def __init__(
        self,
        inner: AsyncIterable[bytes],
        on_close: Callable[[bool], Awaitable[None]],
    ) -> None:
        self._inner = inner
        self._chunks: AsyncIterator[bytes] | None = None
        self._on_close: Callable[[bool], Awaitable[None]] | None = on_close
        self._read_to_end = False

    def __aiter__(self) -> _Body:
        self._chunks = self._inner.__aiter__()
        return self

    async def __anext__(self) -> bytes:
        assert self._chunks is not None, "iterated through __aiter__"
        try:
            return await self._chunks.__anext__()
        except StopAsyncIteration:
            self._read_to_end = True
            raise
        except Exception as exc:
            _raise_as_httpx(exc)

    async def aclose(self) -> None:
        on_close, self._on_close = self._on_close, None
        try:
            aclose = getattr(self._inner, "aclose", None)
            if aclose is not None:
                await aclose()
        finally:
            if on_close is not None:
                await on_close(self._read_to_end)


def failure(exc: httpx.HTTPError) -> tuple[FetchError, str]:
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
