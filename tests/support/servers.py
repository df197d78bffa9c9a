"""Real HTTP servers on loopback addresses, for tests that need the network to misbehave on cue.

Each ``LoopbackServer`` binds its own address (127.0.0.2, 127.0.0.3, ... are distinct "hosts" on
Linux) on an ephemeral port and serves from a thread, so it works beside any asyncio test code.

Typical use, through the ``loopback`` fixture (a factory; every server it made is stopped after the
test, joining all threads, so no warning leaks)::

    from servers import Reply, loopback, redirect, sequence, sized_body  # noqa: F401 (fixture)

    def test_something(loopback):
        site = loopback()                         # 127.0.0.2:<port>
        site.route("/ok", Reply(200, b"<title>Hi</title>", [("Content-Type", "text/html")]))
        site.route("/moved", redirect("/ok", 301))
        site.route("/flaky", sequence(Reply(503, headers=[("Retry-After", "1")]), Reply(200)))
        site.route("/echo", lambda request: Reply(200, request.header("user-agent") or ""))
        site.url("/ok")                          # "http://127.0.0.2:<port>/ok"
        site.url("/ok", host="ngo.test")         # same server, a name for a TableResolver
        site.hits("/flaky"), site.requests, site.max_in_flight, site.max_connections
        site.hang_up()                            # the server closes its idle connections

``Reply`` fields cover the awkward cases: ``delay`` (seconds before the status line), ``drip``
(seconds between body chunks), a lazily generated body (``sized_body(10**9)`` never holds 1 GB),
``raw`` (bytes written verbatim instead of a response: a malformed status line, headers cut short)
and ``reset`` (close with a TCP RST right after ``raw`` or the headers). Unknown paths answer 404.

``loopback(tls=context)`` serves HTTPS; ``self_signed(folder, "ngo.test")`` makes a certificate
with the ``openssl`` CLI and ``server_tls(cert, key)`` the server context. ``closed_port(host)``
gives a port where nothing listens (connection refused).
"""

from __future__ import annotations

import itertools
import socket
import socketserver
import ssl
import struct
import subprocess
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

BodyFactory = Callable[[], Iterable[bytes]]


@dataclass(frozen=True)
class Request:
    """One request as the server saw it; header names are lower-cased."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    client: tuple[str, int]
    connection: int  # serial number of the TCP connection it came on
    time: float  # time.monotonic() when it arrived

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (any case), or None."""
        name = name.lower()
        return next((value for key, value in self.headers if key == name), None)


@dataclass(frozen=True)
class Reply:
    """What the server answers; ``body`` is bytes or a factory of chunks (called per request)."""

    status: int = 200
    body: bytes | BodyFactory = b""
    headers: Sequence[tuple[str, str]] = ()
    reason: str | None = None
    delay: float = 0.0
    drip: float = 0.0
    raw: bytes | None = None
    reset: bool = False


Route = Reply | Callable[[Request], Reply]


def redirect(location: str, status: int = 302) -> Reply:
    """A redirect to ``location`` (sent verbatim, relative or absolute)."""
    return Reply(status, headers=[("Location", location)])


def sequence(*replies: Reply) -> Callable[[Request], Reply]:
    """A route answering ``replies`` in turn, then repeating the last one."""
    remaining = list(replies)
    lock = threading.Lock()

    def answer(_request: Request) -> Reply:
        with lock:
            return remaining.pop(0) if len(remaining) > 1 else remaining[0]

    return answer


def sized_body(total: int, chunk: bytes = b"x" * 65_536) -> BodyFactory:
    """A body of ``total`` bytes, generated lazily chunk by chunk."""

    def generate() -> Iterator[bytes]:
        left = total
        while left > 0:
            piece = chunk[:left]
            left -= len(piece)
            yield piece

    return generate


def chunks(*pieces: bytes) -> BodyFactory:
    """A body sent as these pieces (with ``Reply.drip`` pauses between them)."""
    return lambda: iter(pieces)


class LoopbackServer:
    """A threaded HTTP/1.1 server on ``host`` and an ephemeral port; see the module docstring."""

    def __init__(self, host: str = "127.0.0.2", tls: ssl.SSLContext | None = None) -> None:
        self.host = host
        self.tls = tls
        self.requests: list[Request] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.connections = 0  # opened so far
        self.open_connections = 0
        self.max_connections = 0
        self._routes: dict[str, Route] = {}
        self._lock = threading.Lock()
        self.stopping = threading.Event()
        self._server = _Server(self)
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    @property
    def scheme(self) -> str:
        return "https" if self.tls else "http"

    def url(self, path: str = "/", *, host: str | None = None, scheme: str | None = None) -> str:
        """The URL of ``path`` here, optionally spelled with another host name or scheme."""
        return f"{scheme or self.scheme}://{host or self.host}:{self.port}{path}"

    def route(self, path: str, answer: Route) -> None:
        """Serve ``answer`` (a Reply, or a callable Request -> Reply) at ``path``, query ignored."""
        self._routes[path] = answer

    def hits(self, path: str) -> int:
        """How many requests came for ``path`` (query ignored)."""
        with self._lock:
            return sum(1 for request in self.requests if request.path.split("?")[0] == path)

    def hang_up(self) -> None:
        """Close every open connection now, idle keep-alive ones included, as servers do."""
        self._server.cut_connections()

    def stop(self) -> None:
        """Stop serving, cut open connections and join every thread."""
        self.stopping.set()
        self._server.shutdown()
        self._server.cut_connections()
        self._server.server_close()
        self._thread.join()

    def __enter__(self) -> LoopbackServer:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    # Called from handler threads.
    def _answer(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
        answer = self._routes.get(request.path.split("?")[0], Reply(404, b"not found"))
        return answer if isinstance(answer, Reply) else answer(request)

    def _count(self, attribute: str, delta: int) -> None:
        with self._lock:
            value = getattr(self, attribute) + delta
            setattr(self, attribute, value)
            peak = {"in_flight": "max_in_flight", "open_connections": "max_connections"}[attribute]
            setattr(self, peak, max(getattr(self, peak), value))


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = False  # server_close() joins every handler thread
    block_on_close = True

    def __init__(self, owner: LoopbackServer) -> None:
        self.owner = owner
        self._sockets: set[socket.socket] = set()
        self._serial = itertools.count(1)
        super().__init__((owner.host, 0), _Handler)

    def get_request(self) -> tuple[socket.socket, tuple[str, int]]:
        sock, address = super().get_request()
        if self.owner.tls is not None:
            # The handshake happens in the handler thread, so a failing client cannot stall accept.
            sock = self.owner.tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, address

    def process_request(self, request: socket.socket, client_address: tuple[str, int]) -> None:  # type: ignore[override]
        with self.owner._lock:
            self._sockets.add(request)
            self.owner.connections += 1
        self.owner._count("open_connections", 1)
        super().process_request(request, client_address)

    def shutdown_request(self, request: socket.socket) -> None:  # type: ignore[override]
        with self.owner._lock:
            self._sockets.discard(request)
        self.owner._count("open_connections", -1)
        super().shutdown_request(request)

    def cut_connections(self) -> None:
        with self.owner._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients that hang up, fail TLS or get reset on purpose are part of the tests."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 10  # an idle keep-alive connection ends by itself
    server: _Server

    def setup(self) -> None:
        self.serial = next(self.server._serial)
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(self.timeout)
            self.request.do_handshake()
        super().setup()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the tests read counters, not logs."""

    def _serve(self) -> None:
        owner = self.server.owner
        request = Request(
            self.command,
            self.path,
            tuple((key.lower(), value) for key, value in self.headers.items()),
            self.client_address,
            self.serial,
            time.monotonic(),
        )
        owner._count("in_flight", 1)
        self._counted = True
        try:
            self._send(owner._answer(request), owner.stopping)
        except (BrokenPipeError, ConnectionError, ssl.SSLError, TimeoutError):
            self.close_connection = True
        finally:
            self._done()

    def _done(self) -> None:
        """The request stops counting as in flight (once). A body sent in one write stops just
        before that write, since from then on the client may already start its next request."""
        if self._counted:
            self._counted = False
            self.server.owner._count("in_flight", -1)

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = _serve

    def _send(self, reply: Reply, stopping: threading.Event) -> None:
        if reply.delay and stopping.wait(reply.delay):
            self.close_connection = True
            return
        if reply.raw is not None:
            self.wfile.write(reply.raw)
            self.wfile.flush()
            self._close(reset=reply.reset)
            return
        self.send_response(reply.status, reply.reason)
        names = {name.lower() for name, _ in reply.headers}
        for name, value in reply.headers:
            self.send_header(name, value)
        if isinstance(reply.body, bytes):
            if "content-length" not in names:
                self.send_header("Content-Length", str(len(reply.body)))
            pieces: Iterable[bytes] = [reply.body]
        else:
            if not names & {"content-length", "transfer-encoding"}:
                self.send_header("Connection", "close")  # the end of the body is the close
                self.close_connection = True
            pieces = reply.body()
        self.end_headers()
        if reply.reset:
            self.wfile.flush()
            self._close(reset=True)
            return
        if self.command == "HEAD":
            return
        if isinstance(reply.body, bytes):
            self._done()  # one write ends this response
        for index, piece in enumerate(pieces):
            if stopping.is_set() or (index and reply.drip and stopping.wait(reply.drip)):
                self.close_connection = True
                return
            self.wfile.write(piece)
            self.wfile.flush()
        if "content-length" in names and isinstance(reply.body, bytes):
            declared = next(int(v) for k, v in reply.headers if k.lower() == "content-length")
            if declared != len(reply.body):
                self.close_connection = True  # a short body: hang up as a broken server would

    def _close(self, *, reset: bool) -> None:
        if reset:
            # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True


@pytest.fixture
def loopback() -> Iterator[Callable[..., LoopbackServer]]:
    """A factory of loopback servers, each on the next address from 127.0.0.2; all stopped after."""
    made: list[LoopbackServer] = []

    def make(*, tls: ssl.SSLContext | None = None, host: str | None = None) -> LoopbackServer:
        server = LoopbackServer(host or f"127.0.0.{2 + len(made)}", tls)
        made.append(server)
        return server

    yield make
    for server in made:
        server.stop()


def closed_port(host: str = "127.0.0.2") -> int:
    """A port on ``host`` where nothing listens, so connecting is refused."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path
    names: tuple[str, ...] = field(default=())


def self_signed(folder: Path, *names: str) -> Certificate:
    """A self-signed EC certificate for ``names`` (DNS names or IPs), made by the openssl CLI."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    san = ",".join(
        f"IP:{name}" if name.replace(".", "").isdigit() else f"DNS:{name}" for name in names
    )
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            f"/CN={names[0]}",
            "-addext",
            f"subjectAltName={san}",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )
    return Certificate(cert, key, names)


def server_tls(certificate: Certificate) -> ssl.SSLContext:
    """A server-side TLS context presenting ``certificate``."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate.cert, certificate.key)
    return context


def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Poll ``predicate`` until it holds or ``timeout`` passes; True if it held."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()
