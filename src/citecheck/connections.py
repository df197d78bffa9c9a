"""The wire under the fetcher: connections that dial only checked addresses, one small pool per
origin, and what a transport failure means.

* Pinning: ``pinned(host, port, addresses)`` says, for the request sent inside it, which addresses
  the guard checked; the network backend dials exactly those instead of resolving the name again.
  URLs keep their host names, so the Host header, TLS SNI, certificate checking and connection
  pooling all work on the name as usual.
* ``OriginPools`` is the httpx transport: one ``_OriginConnections`` per origin (httpcore's single
  pool costs CPU quadratic in requests in flight), over plain asyncio streams (``_Stream``).
* ``failure(exc)`` turns an httpx exception into a ``FetchError`` kind and a short detail.
"""

from __future__ import annotations

import asyncio
import contextvars
import errno
import select
import socket
import ssl
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import httpcore
import httpx

from citecheck.models import FetchError

_NO_NETWORK_ERRNOS = frozenset({errno.ENETUNREACH, errno.ENETDOWN, errno.EADDRNOTAVAIL})
_KEEPALIVE_EXPIRY = 5.0  # seconds an idle connection is kept, as httpx does

# The addresses the current request may dial, as (host, port, addresses); set by ``pinned``.
_PINNED: contextvars.ContextVar[tuple[str, int, tuple[str, ...]] | None] = contextvars.ContextVar(
    "citecheck_pinned", default=None
)


@contextmanager
def pinned(host: str, port: int, addresses: tuple[str, ...]) -> Iterator[None]:
    """Connections opened inside may go to ``host``:``port`` at ``addresses`` only."""
    token = _PINNED.set((host, port, addresses))
    try:
        yield
    finally:
        _PINNED.reset(token)


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
        # httpx offers no parameter for the pool. Of it, the transport calls handle_async_request
        # and aclose (OriginPools never enters a transport as a context manager).
        self._pool = connections  # type: ignore[assignment]
        self.connections = connections


class _OriginConnections:
    """The connections of one origin, dialled through ``_PinnedBackend``.

    The host's semaphore already keeps at most ``per_host`` requests in flight here, so there
    is no queue and no lock: a request takes the newest idle connection that is still good (or
    opens one) and gives it back when its response is closed. httpcore's pool re-examines every
    connection under a lock on each request and on each close: dropping it took ~7% off the
    fetch's CPU in bench/bench_check.py. With HTTP/2 a request does not share a busy connection,
    so an origin may get up to ``per_host`` of them, as with HTTP/1.1.

    Only a connection whose last response was read to its end goes back. httpcore discards a
    half-read HTTP/1.1 connection itself, but over HTTP/2 the server would go on sending the
    abandoned stream, never acknowledged, until the connection's window is used up and a later
    page arrives as headers without a body. Nor does httpcore notice that the server hung up an
    idle HTTP/2 connection (it does for HTTP/1.1), so that is checked here before reuse.
    """

    def __init__(self, context: ssl.SSLContext, http2: bool, max_idle: int) -> None:
        self._context = context
        self._http2 = http2
        self._max_idle = max_idle
        self._idle: list[httpcore.AsyncHTTPConnection] = []
        self._open: set[httpcore.AsyncHTTPConnection] = set()
        self._http2_streams: dict[httpcore.AsyncHTTPConnection, httpcore.AsyncNetworkStream] = {}
        self.active = 0  # requests between asking for a connection and closing the response

    async def handle_async_request(self, request: httpcore.Request) -> httpcore.Response:
        self.active += 1
        try:
            while self._idle:
                connection = self._idle.pop()
                if self._reusable(connection):
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
        if response.extensions.get("http_version") == b"HTTP/2":
            self._http2_streams[connection] = response.extensions["network_stream"]
        response.stream = _Release(response.stream, self, connection)
        return response

    def _reusable(self, connection: httpcore.AsyncHTTPConnection) -> bool:
        if not connection.is_available() or connection.has_expired():
            return False
        stream = self._http2_streams.get(connection)
        # Readable while idle: the server hung up (or sent something unasked); either way, the
        # connection is not worth the risk.
        return stream is None or not stream.get_extra_info("is_readable")

    async def release(self, connection: httpcore.AsyncHTTPConnection, *, read_to_end: bool) -> None:
        """Called once the response on ``connection`` is closed."""
        self.active -= 1
        if read_to_end and connection.is_idle() and len(self._idle) < self._max_idle:
            self._idle.append(connection)
        else:
            await self._drop(connection)

    async def _drop(self, connection: httpcore.AsyncHTTPConnection) -> None:
        self._open.discard(connection)
        self._http2_streams.pop(connection, None)
        await connection.aclose()

    async def aclose(self) -> None:
        connections, self._open, self._idle = list(self._open), set(), []
        self._http2_streams.clear()
        for connection in connections:
            await connection.aclose()


class _Release:
    """A response body that gives its connection back to the origin's pool when closed, saying
    whether it was read to the end. Its own iterator (not a generator): an early stop leaves
    nothing to finalise."""

    def __init__(
        self,
        inner: Iterable[bytes] | AsyncIterable[bytes],
        pool: _OriginConnections,
        connection: httpcore.AsyncHTTPConnection,
    ) -> None:
        assert isinstance(inner, AsyncIterable), "an async connection's body"
        self._inner = inner
        self._chunks: AsyncIterator[bytes] | None = None
        self._pool = pool
        self._connection: httpcore.AsyncHTTPConnection | None = connection
        self._read_to_end = False

    def __aiter__(self) -> _Release:
        self._chunks = self._inner.__aiter__()
        return self

    async def __anext__(self) -> bytes:
        assert self._chunks is not None, "iterated through __aiter__"
        try:
            return await self._chunks.__anext__()
        except StopAsyncIteration:
            self._read_to_end = True
            raise

    async def aclose(self) -> None:
        connection, self._connection = self._connection, None
        try:
            aclose = getattr(self._inner, "aclose", None)
            if aclose is not None:
                await aclose()
        finally:
            if connection is not None:
                await self._pool.release(connection, read_to_end=self._read_to_end)


class OriginPools(httpx.AsyncBaseTransport):
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
