"""A response body read under a cap and decoded as it arrives.

Bodies are read raw and decoded here, incrementally, with the output of each decompression step
bounded by what is still wanted (zlib ``max_length``, brotli ``output_buffer_limit``): at most the
cap for the content type (plus one byte, to know whether more was sent) is ever held, so a gzip or
brotli bomb costs no memory. A response that names no type is capped once its first bytes tell.

A body the network cuts short (a reset, a close before ``Content-Length`` or the last chunk, a
stall) is a page that could not be read, not a short page: ``Body.failure`` says what happened
and how much had arrived, and the fetcher records it as a failed attempt. Only citecheck's own
cap ends a body early and still counts as read.
"""

from __future__ import annotations

import zlib
from typing import Protocol

import brotli  # type: ignore[import-untyped]
import httpx

from citecheck.models import Fetched, FetchError
from citecheck.net.wire import failure

_HTML_TYPES = ("text/html", "application/xhtml+xml", "text/xml", "application/xml")
_SNIFF_BYTES = 512


class Caps(Protocol):
    """The most bytes of a body kept, by kind (``FetchOptions`` has them)."""

    @property
    def html_cap(self) -> int: ...
    @property
    def pdf_cap(self) -> int: ...
    @property
    def other_cap(self) -> int: ...


class Body:
    """A response's status, headers and its body, decoded incrementally up to the cap."""

    def __init__(self, response: httpx.Response, options: Caps) -> None:
        self._response = response
        self._options = options
        self.content_type = _media_type(response.headers.get("content-type"))
        self._cap = None if self.content_type is None else _cap(self.content_type, options)
        self._decoder = _decoder(response.headers.get("content-encoding", ""))
        self.data = bytearray()
        self.received = 0  # bytes as sent (before decoding)
        self.problem: str | None = None
        self.failure: tuple[FetchError, str] | None = None

    async def read(self) -> None:
        """Read until the body ends or one byte past the cap; a network failure ends it early
        and is kept in ``failure``."""
        try:
            async for raw in self._response.aiter_raw():
                self.received += len(raw)
                if self._absorb(raw):
                    return
        except httpx.HTTPError as exc:
            self.failure = _cut_short(exc, self.received)
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

    def deadline_failure(self, seconds: float) -> tuple[FetchError, str]:
        """What to record when the per-URL deadline strikes while this body is being read."""
        return FetchError.TIMEOUT, (
            f"deadline of {seconds:g}s reached after {_size(self.received)} of the page"
        )

    def into(self, fetched: Fetched) -> Fetched:
        """``fetched`` completed with this response (read to its end, or to the cap)."""
        response = self._response
        cap = self._cap if self._cap is not None else _cap(_sniff(bytes(self.data)), self._options)
        problem = self.problem
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


def _cut_short(exc: httpx.HTTPError, received: int) -> tuple[FetchError, str]:
    """The failure for a body the network ended early, saying how much of it had arrived."""
    after = f"after {_size(received)} of the page"
    kind, detail = failure(exc)
    if isinstance(exc, httpx.TimeoutException):
        return FetchError.TIMEOUT, f"the server stopped sending {after}"
    if kind is FetchError.NETWORK and "reset" in detail.lower():
        return FetchError.NETWORK, f"connection reset {after}"
    if "peer closed connection" in detail:  # h11: closed before Content-Length / the last chunk
        return FetchError.NETWORK, f"connection closed {after}, before its end"
    # Malformed framing (a broken chunk header, a stream reset): as unreadable as a reset, and
    # as likely to be a passing fault, so it is retried like one.
    return FetchError.NETWORK, f"the body's framing broke {after}: {detail}"


def _size(count: int) -> str:
    if count < 1024:
        return f"{count} bytes"
    if count < 1024 * 1024:
        return f"{count // 1024} KB"
    return f"{count / (1024 * 1024):.1f} MB"


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


def _media_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    media = content_type.split(";", 1)[0].strip().lower()
    return media or None


def _cap(media_type: str, options: Caps) -> int:
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
