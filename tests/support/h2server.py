"""An HTTP/2-only TLS server on a loopback address, for tests of the fetcher over HTTP/2.

``H2Server`` binds ``host`` (127.0.0.40 by default, clear of the ``loopback`` fixture's
127.0.0.2, 127.0.0.3, ...) on an ephemeral port, offers only ``h2`` by ALPN and speaks HTTP/2
through the ``h2`` library (a server-side ``H2Connection``): a client that does not negotiate
``h2`` is hung up on. One thread accepts; each TCP connection gets its own thread, which owns that
connection's ``H2Connection``, so streams on one connection are served side by side (a route's
``delay`` makes concurrent requests overlap) without any locking around ``h2``.

Typical use (``stop()``, or leaving the ``with`` block, closes the listening socket and every
connection and joins every thread)::

    from h2server import H2Reply, H2Server
    from servers import self_signed

    certificate = self_signed(tmp_path, "ngo.test")
    with H2Server(certificate) as site:                    # https://127.0.0.40:<port>
        site.route("/", H2Reply(200, b"<title>Hi</title>", [("content-type", "text/html")]))
        site.route("/slow", H2Reply(200, b"late", delay=0.2))
        site.route("/old", H2Reply(301, headers=[("location", "/")]))
        site.route("/echo", lambda request: H2Reply(200, request.authority or ""))
        site.url("/", host="ngo.test")                     # "https://ngo.test:<port>/"
        ...                                                # fetch, then read:
        site.requests        # [H2Request], in arrival order; unknown paths were answered 404
        site.hits("/slow"), site.connections, site.max_in_flight, site.max_streams
        site.hang_up()       # GOAWAY (or, with goaway=False, a bare close) on every connection

``max_in_flight`` is the most streams in flight at once over all connections together,
``max_streams`` the same per connection (keyed by its serial number, ``H2Request.connection``).
A stream counts from its request's headers until the last frame of its answer is handed to the
socket (just before, as a client may start its next request the moment it has the answer).
"""

from __future__ import annotations

import itertools
import socket
import ssl
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import h2.config
import h2.connection
import h2.events
import h2.exceptions

from servers import Certificate, server_tls

_TICK = 0.02  # seconds a thread waits on its socket before looking at the clock and the flags
_HANDSHAKE_TIMEOUT = 2.0
_SEND_TIMEOUT = 2.0


@dataclass(frozen=True)
class H2Request:
    """One request (one stream) as the server saw it; header names are lower-case and the
    pseudo-headers (``:method``, ``:authority``, ``:scheme``, ``:path``) are kept in order."""

    path: str
    headers: tuple[tuple[str, str], ...]
    connection: int  # serial number of the TCP connection it came on, from 1
    stream_id: int
    alpn: str | None  # the protocol TLS negotiated for that connection: always "h2" here
    time: float  # time.monotonic() when its headers arrived

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (any case; ":authority" works too), or None."""
        name = name.lower()
        return next((value for key, value in self.headers if key == name), None)

    @property
    def method(self) -> str | None:
        return self.header(":method")

    @property
    def authority(self) -> str | None:
        return self.header(":authority")


@dataclass(frozen=True)
class H2Reply:
    """What the server answers on a stream. A content-length header is added unless given."""

    status: int = 200
    body: bytes = b""
    headers: Sequence[tuple[str, str]] = ()
    delay: float = 0.0  # seconds before the response headers are sent


H2Route = H2Reply | Callable[[H2Request], H2Reply]
NOT_FOUND = H2Reply(404, b"not found", [("content-type", "text/plain")])


class H2Server:
    """A threaded HTTP/2-over-TLS server on ``host`` and an ephemeral port; see the module
    docstring."""

    def __init__(self, certificate: Certificate, host: str = "127.0.0.40") -> None:
        self.host = host
        self.requests: list[H2Request] = []
        self.connections = 0  # TCP connections accepted so far
        self.refused = 0  # connections that failed TLS or did not negotiate h2
        self.in_flight = 0
        self.max_in_flight = 0
        self.max_streams: dict[int, int] = {}  # connection serial -> most streams open at once
        self.errors: list[str] = []  # protocol errors a client caused, for failing tests to show
        self._routes: dict[str, H2Route] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._hang_ups = 0  # bumped by hang_up(); each connection thread compares with its own
        self._goaway = True
        self._serial = itertools.count(1)
        self._tls = server_tls(certificate)
        self._tls.set_alpn_protocols(["h2"])
        self._listener = socket.create_server((host, 0))
        self._listener.settimeout(_TICK)
        self.port: int = self._listener.getsockname()[1]
        self._threads: list[threading.Thread] = []
        self._open: dict[int, int] = {}  # connection serial -> streams open on it now
        self._acceptor = threading.Thread(target=self._accept, name="h2server-accept")
        self._acceptor.start()

    def url(self, path: str = "/", *, host: str | None = None) -> str:
        """The https URL of ``path`` here, optionally spelled with a host name for a resolver."""
        return f"https://{host or self.host}:{self.port}{path}"

    def route(self, path: str, answer: H2Route) -> None:
        """Serve ``answer`` (an H2Reply, or a callable H2Request -> H2Reply) at ``path``; the
        query string is ignored when matching."""
        self._routes[path] = answer

    def hits(self, path: str) -> int:
        """How many requests came for ``path`` (query ignored)."""
        with self._lock:
            return sum(1 for request in self.requests if request.path.split("?")[0] == path)

    def hang_up(self, *, goaway: bool = True, timeout: float = 2.0) -> bool:
        """Close every open connection, first sending GOAWAY unless ``goaway`` is False; True
        once all of them are closed (waits at most ``timeout`` seconds)."""
        with self._lock:
            self._goaway = goaway
            self._hang_ups += 1
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self._lock:
                if not self._open:
                    return True
            time.sleep(_TICK / 2)
        with self._lock:
            return not self._open

    def stop(self) -> None:
        """Stop accepting, close the listening socket and every connection, join all threads."""
        self._stopping.set()
        self._acceptor.join()
        self._listener.close()
        for thread in self._threads:  # the acceptor has ended: no thread is added any more
            thread.join()

    def __enter__(self) -> H2Server:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    # The accepting thread.
    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                sock, _address = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                if self._stopping.is_set():
                    return
                raise
            with self._lock:
                self.connections += 1
                serial = next(self._serial)
            thread = threading.Thread(
                target=self._serve, args=(sock, serial), name=f"h2server-connection-{serial}"
            )
            self._threads.append(thread)
            thread.start()

    # One thread per connection from here on.
    def _serve(self, raw: socket.socket, serial: int) -> None:
        raw.settimeout(_HANDSHAKE_TIMEOUT)
        try:
            sock = self._tls.wrap_socket(raw, server_side=True)  # handshakes here
        except (OSError, ssl.SSLError):
            raw.close()
            with self._lock:
                self.refused += 1
            return
        with self._lock:
            self._open[serial] = 0
            self.max_streams[serial] = 0
        try:
            alpn = sock.selected_alpn_protocol()
            if alpn != "h2":
                with self._lock:
                    self.refused += 1
                return
            _Connection(self, sock, serial, alpn).run()
        except (OSError, ssl.SSLError):
            pass  # the client hung up or reset: part of the tests
        finally:
            sock.close()
            with self._lock:
                self.in_flight -= self._open.pop(serial, 0)

    def _answer(self, request: H2Request) -> H2Reply:
        with self._lock:
            self.requests.append(request)
        answer = self._routes.get(request.path.split("?")[0], NOT_FOUND)
        return answer if isinstance(answer, H2Reply) else answer(request)

    def _stream_count(self, serial: int, delta: int) -> None:
        with self._lock:
            self.in_flight += delta
            self._open[serial] = self._open.get(serial, 0) + delta
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            self.max_streams[serial] = max(self.max_streams.get(serial, 0), self._open[serial])


@dataclass
class _Pending:
    """A stream's answer: headers due at ``due``, then ``body`` as flow control allows."""

    due: float
    reply: H2Reply
    head: bool
    headers_sent: bool = False
    body: bytes = b""


class _Connection:
    """One HTTP/2 connection's loop: read frames, answer streams when due, honour flow control."""

    def __init__(self, server: H2Server, sock: ssl.SSLSocket, serial: int, alpn: str) -> None:
        self.server = server
        self.sock = sock
        self.serial = serial
        self.alpn = alpn
        self.h2 = h2.connection.H2Connection(
            h2.config.H2Configuration(client_side=False, header_encoding="utf-8")
        )
        self.pending: dict[int, _Pending] = {}
        with server._lock:
            self.hang_ups = server._hang_ups

    def run(self) -> None:
        self.h2.initiate_connection()
        self.flush()
        while not self.server._stopping.is_set():
            if self.hung_up():
                return
            self.pump(time.monotonic())
            self.flush()
            waiting = [p.due for p in self.pending.values() if not p.headers_sent]
            wait = min([_TICK, *(due - time.monotonic() for due in waiting)])
            self.sock.settimeout(max(wait, 0.001))
            try:
                data = self.sock.recv(65_536)
            except TimeoutError:
                continue
            if not data:
                return  # the client closed the connection
            try:
                events = self.h2.receive_data(data)
            except h2.exceptions.ProtocolError as exc:
                with self.server._lock:
                    self.server.errors.append(f"connection {self.serial}: {exc!r}")
                self.flush()  # h2 queued a GOAWAY
                return
            for event in events:
                if isinstance(event, h2.events.ConnectionTerminated):
                    return
                self.handle(event)
            self.flush()

    def hung_up(self) -> bool:
        with self.server._lock:
            asked, goaway = self.server._hang_ups, self.server._goaway
        if asked == self.hang_ups:
            return False
        if goaway:
            self.h2.close_connection()
            self.flush()
        return True

    def handle(self, event: h2.events.Event) -> None:
        if isinstance(event, h2.events.RequestReceived):
            headers = tuple((_text(name).lower(), _text(value)) for name, value in event.headers)
            request = H2Request(
                path=dict(headers).get(":path", ""),
                headers=headers,
                connection=self.serial,
                stream_id=event.stream_id,
                alpn=self.alpn,
                time=time.monotonic(),
            )
            self.server._stream_count(self.serial, 1)
            reply = self.server._answer(request)
            self.pending[event.stream_id] = _Pending(
                time.monotonic() + reply.delay, reply, head=request.method == "HEAD"
            )
        elif isinstance(event, h2.events.DataReceived):
            if event.flow_controlled_length:
                self.h2.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
        elif isinstance(event, h2.events.StreamReset):
            if self.pending.pop(event.stream_id, None) is not None:
                self.server._stream_count(self.serial, -1)
        # WindowUpdated needs nothing: pump() sends whatever the windows allow now.

    def pump(self, now: float) -> None:
        """Send the headers that are due and as much of each body as the windows allow."""
        for stream_id, pending in list(self.pending.items()):
            if not pending.headers_sent:
                if pending.due > now:
                    continue
                self.send_headers(stream_id, pending)
            while pending.body:
                window = min(
                    self.h2.local_flow_control_window(stream_id), self.h2.max_outbound_frame_size
                )
                if window <= 0:
                    break
                piece, pending.body = pending.body[:window], pending.body[window:]
                if not pending.body:
                    self.finish(stream_id)
                self.h2.send_data(stream_id, piece, end_stream=not pending.body)

    def send_headers(self, stream_id: int, pending: _Pending) -> None:
        reply = pending.reply
        headers = [(":status", str(reply.status))]
        headers += [(name.lower(), value) for name, value in reply.headers]
        if not any(name == "content-length" for name, _ in headers):
            headers.append(("content-length", str(len(reply.body))))
        pending.headers_sent = True
        pending.body = b"" if pending.head else reply.body
        if not pending.body:
            self.finish(stream_id)
        self.h2.send_headers(stream_id, headers, end_stream=not pending.body)

    def finish(self, stream_id: int) -> None:
        """The stream's last frame is about to go: it stops counting as in flight."""
        del self.pending[stream_id]
        self.server._stream_count(self.serial, -1)

    def flush(self) -> None:
        data = self.h2.data_to_send()
        if data:
            self.sock.settimeout(_SEND_TIMEOUT)
            self.sock.sendall(data)


def _text(value: str | bytes) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value
