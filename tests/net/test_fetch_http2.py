"""Fetching from a server that speaks only HTTP/2 (TLS, ALPN "h2"): pages, reuse, limits,
redirects and errors come out as they do over HTTP/1.1."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

import pytest

from citecheck.models import Fetched, Redirect
from citecheck.net.fetch import Fetcher, FetchOptions
from citecheck.net.resolve import TableResolver

from h2server import H2Reply, H2Server
from servers import Certificate, self_signed

FetchAll = Callable[..., list[Fetched]]
FetchOne = Callable[..., Fetched]

HOST = "127.0.0.40"  # clear of the loopback fixture's 127.0.0.2, 127.0.0.3, ...
NAMES = {"ngo.test": [HOST]}
PAGE_BODY = b"<html><head><title>Over HTTP/2</title></head><body>Hello</body></html>"
PAGE = H2Reply(200, PAGE_BODY, [("content-type", "text/html; charset=utf-8")])


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return self_signed(tmp_path_factory.mktemp("h2-tls"), "ngo.test")


@pytest.fixture
def site(certificate: Certificate, monkeypatch: pytest.MonkeyPatch) -> Iterator[H2Server]:
    """An HTTP/2-only server for ngo.test, whose certificate the fetcher trusts; stopped after."""
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate.cert))
    server = H2Server(certificate, host=HOST)
    yield server
    server.stop()


def test_a_page_over_http2_comes_back_whole(site: H2Server, fetch_one: FetchOne) -> None:
    site.route(
        "/page",
        H2Reply(
            200,
            PAGE_BODY,
            [("content-type", "text/html; charset=utf-8"), ("x-served-by", "h2 test server")],
        ),
    )
    url = site.url("/page", host="ngo.test")

    fetched = fetch_one(url, names=NAMES)

    assert fetched.error is None
    assert fetched.http_status == 200
    assert fetched.body == PAGE_BODY and not fetched.truncated
    assert fetched.content_type == "text/html"
    assert fetched.header("x-served-by") == "h2 test server"
    assert fetched.header("content-length") == str(len(PAGE_BODY))
    assert fetched.final_url == url and fetched.redirects == ()
    # The server saw one HTTP/2 request: negotiated by ALPN, the host in :authority.
    [request] = site.requests
    assert request.alpn == "h2"
    assert request.method == "GET" and request.path == "/page"
    assert request.authority == f"ngo.test:{site.port}"
    assert request.header(":scheme") == "https"
    assert request.header("host") is None  # HTTP/2 carries the host only as :authority
    assert (request.header("user-agent") or "").startswith("citecheck/")


def test_one_connection_is_reused_for_a_host_limited_to_one(
    site: H2Server, fetch_all: FetchAll
) -> None:
    paths = [f"/page/{index}" for index in range(5)]
    for index, path in enumerate(paths):
        site.route(path, H2Reply(200, f"page {index}".encode()))

    fetched = fetch_all(
        [site.url(path, host="ngo.test") for path in paths], names=NAMES, per_host=1
    )

    assert [f.http_status for f in fetched] == [200] * 5
    assert [f.body for f in fetched] == [f"page {index}".encode() for index in range(5)]
    assert site.connections == 1
    assert {request.connection for request in site.requests} == {1}
    # One stream after another on that connection (client streams are odd, increasing).
    assert sorted(request.stream_id for request in site.requests) == [1, 3, 5, 7, 9]
    assert site.max_in_flight == 1


def test_the_per_host_limit_holds_over_http2(site: H2Server, fetch_all: FetchAll) -> None:
    site.route("/slow", H2Reply(200, b"done", [("content-type", "text/plain")], delay=0.2))
    urls = [site.url(f"/slow?n={index}", host="ngo.test") for index in range(6)]

    fetched = fetch_all(urls, names=NAMES, per_host=3)

    assert [f.http_status for f in fetched] == [200] * 6
    assert [f.body for f in fetched] == [b"done"] * 6
    assert site.hits("/slow") == 6
    assert site.max_in_flight == 3  # the limit was reached, never passed
    # citecheck does not share a busy HTTP/2 connection: one stream at a time on each.
    assert site.connections <= 3
    assert set(site.max_streams.values()) == {1}


def test_a_redirect_over_http2_is_followed(site: H2Server, fetch_one: FetchOne) -> None:
    site.route("/old", H2Reply(301, headers=[("location", "/new")]))
    site.route("/new", PAGE)
    start = site.url("/old", host="ngo.test")

    fetched = fetch_one(start, names=NAMES)

    assert fetched.error is None
    assert fetched.http_status == 200 and fetched.body == PAGE_BODY
    assert fetched.redirects == (Redirect(start, 301),)
    assert fetched.final_url == site.url("/new", host="ngo.test")
    assert [request.path for request in site.requests] == ["/old", "/new"]
    assert site.connections == 1  # the second hop went over the same HTTP/2 connection


def test_a_missing_page_over_http2_is_a_404(site: H2Server, fetch_one: FetchOne) -> None:
    site.route("/", PAGE)

    fetched = fetch_one(site.url("/missing", host="ngo.test"), names=NAMES)

    assert fetched.error is None
    assert fetched.http_status == 404
    assert fetched.body == b"not found"
    assert fetched.attempts == 1  # a 404 is an answer, not retried
    assert site.hits("/missing") == 1


def test_pages_cut_at_the_cap_do_not_stall_the_pages_after_them(
    site: H2Server, fetch_all: FetchAll
) -> None:
    # Each page is abandoned after 1,000 bytes; had the connection been reused with those
    # streams still open, the server's unacknowledged data would fill the connection's window
    # after ~16 pages and the next page would come as headers without a body.
    page = b"<html><title>Long report</title>" + b"x" * 1_000_000
    site.route("/long", H2Reply(200, page, [("content-type", "text/html")]))
    urls = [site.url(f"/long?n={index}", host="ngo.test") for index in range(24)]

    fetched = fetch_all(urls, names=NAMES, per_host=1, html_cap=1000, timeout=2)

    assert [f.http_status for f in fetched] == [200] * 24
    assert all(f.body == page[:1000] and f.truncated for f in fetched)
    assert [f.error_detail for f in fetched] == [None] * 24


@pytest.mark.parametrize("goaway", [True, False], ids=["goaway", "bare-close"])
def test_an_idle_connection_the_server_hung_up_is_not_reused(site: H2Server, goaway: bool) -> None:
    site.route("/", PAGE)
    url = site.url("/", host="ngo.test")

    async def main() -> tuple[Fetched, Fetched]:
        options = FetchOptions(allow_private=True, retries=0)
        async with Fetcher(options, resolver=TableResolver(NAMES)) as fetcher:
            first = await fetcher.fetch(url)
            assert site.hang_up(goaway=goaway)
            return first, await fetcher.fetch(url)

    first, second = asyncio.run(main())

    assert first.http_status == second.http_status == 200
    assert second.error is None and second.attempts == 1  # no attempt lost on the dead one
    assert site.connections == 2
