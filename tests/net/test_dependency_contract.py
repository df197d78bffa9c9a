"""What citecheck.net.wire relies on in httpx and httpcore, checked by shape.

connections.py uses only documented extension points; this fails loudly, naming the piece, when
an upgrade changes one of them, before any fetch misbehaves. pyproject's upper bounds keep
untested versions out; raise them once this file passes on the new versions.
"""

from __future__ import annotations

import asyncio
import inspect
import re
import tomllib
from importlib.metadata import version
from pathlib import Path

import httpcore
import httpx
import pytest

from citecheck.net.wire import TRANSLATED_EXCEPTIONS

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def _numbers(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


def _bounds(package: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    dependencies = tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]
    [spec] = [d for d in dependencies if re.match(rf"{package}(\[|>|<|=|$)", d)]
    lower = re.search(r">=\s*([\d.]+)", spec)
    upper = re.search(r"<\s*([\d.]+)", spec)
    assert lower and upper, f"{package} needs a lower and an upper bound in pyproject: {spec}"
    return _numbers(lower.group(1)), _numbers(upper.group(1))


@pytest.mark.parametrize("package", ["httpx", "httpcore"])
def test_the_installed_version_is_within_the_tested_bounds(package: str) -> None:
    lower, upper = _bounds(package)
    installed = _numbers(version(package))
    assert lower <= installed < upper, f"{package} {version(package)} is outside {lower}..{upper}"


def _parameters(callable_: object) -> set[str]:
    return set(inspect.signature(callable_).parameters)  # type: ignore[arg-type]


def test_httpcore_connections_take_a_network_backend_and_these_settings() -> None:
    wanted = {"origin", "ssl_context", "keepalive_expiry", "http1", "http2", "network_backend"}
    assert wanted <= _parameters(httpcore.AsyncHTTPConnection)
    for name in ("handle_async_request", "aclose", "is_available", "has_expired"):
        assert callable(getattr(httpcore.AsyncHTTPConnection, name)), name
    assert {"scheme", "host", "port"} <= _parameters(httpcore.Origin)


def test_httpcore_network_backends_and_streams_have_this_interface() -> None:
    assert {"host", "port", "timeout", "local_address", "socket_options"} <= _parameters(
        httpcore.AsyncNetworkBackend.connect_tcp
    )
    for name in ("connect_unix_socket", "sleep"):
        assert callable(getattr(httpcore.AsyncNetworkBackend, name))
    stream = httpcore.AsyncNetworkStream
    assert {"max_bytes", "timeout"} <= _parameters(stream.read)
    assert {"buffer", "timeout"} <= _parameters(stream.write)
    assert {"ssl_context", "server_hostname", "timeout"} <= _parameters(stream.start_tls)
    assert {"info"} <= _parameters(stream.get_extra_info)
    assert callable(stream.aclose)
    assert isinstance(httpcore.SOCKET_OPTION, object)


def test_httpcore_requests_and_responses_have_these_fields() -> None:
    assert {"method", "url", "headers", "extensions"} <= _parameters(httpcore.Request)
    assert {"scheme", "host", "port", "target"} <= _parameters(httpcore.URL)
    response = httpcore.Response(200, headers=[(b"a", b"b")], extensions={"x": 1})
    assert (response.status, response.headers, response.extensions) == (
        200,
        [(b"a", b"b")],
        {"x": 1},
    )


def test_httpx_builds_responses_over_an_async_byte_stream() -> None:
    class Stream(httpx.AsyncByteStream):
        async def __aiter__(self):  # type: ignore[no-untyped-def]
            yield b"body"

    request = httpx.Request("GET", "http://ngo.test/", extensions={"x": 1})
    assert request.extensions == {"x": 1} and request.headers["host"] == "ngo.test"
    response = httpx.Response(200, headers=[(b"a", b"b")], stream=Stream(), request=request)

    async def read() -> list[bytes]:
        return [chunk async for chunk in response.aiter_raw()]

    assert asyncio.run(read()) == [b"body"] and response.headers["a"] == "b"
    assert set(httpx.Timeout(3.0).as_dict()) == {"connect", "read", "write", "pool"}


def test_every_httpcore_exception_citecheck_maps_has_an_httpx_twin() -> None:
    for name in TRANSLATED_EXCEPTIONS:
        assert issubclass(getattr(httpcore, name), Exception), name
        assert issubclass(getattr(httpx, name), httpx.HTTPError), name


def test_an_httpcore_connection_sends_through_the_backend_it_was_given() -> None:
    # httpcore's documented mock backend stands in for citecheck's: the connection must dial
    # through the backend passed to it, hand back the body as an async stream, and be available
    # again once the body is read and closed (keep-alive).
    backend = httpcore.AsyncMockBackend(
        [b"HTTP/1.1 200 OK\r\n", b"Content-Length: 5\r\n", b"\r\n", b"hello"]
    )

    async def main() -> tuple[int, bytes, bytes, bool]:
        origin = httpcore.Origin(b"http", b"ngo.test", 80)
        async with httpcore.AsyncHTTPConnection(origin, network_backend=backend) as connection:
            request = httpcore.Request(
                b"GET",
                httpcore.URL(scheme=b"http", host=b"ngo.test", port=None, target=b"/"),
                headers=[(b"Host", b"ngo.test")],
            )
            response = await connection.handle_async_request(request)
            body = b"".join([chunk async for chunk in response.stream])  # type: ignore[union-attr]
            await response.aclose()
            reusable = connection.is_available() and not connection.has_expired()
            return response.status, body, response.extensions["http_version"], reusable

    assert asyncio.run(main()) == (200, b"hello", b"HTTP/1.1", True)
