"""A plain fetch against a real loopback server: what comes back and what is sent."""

from __future__ import annotations

import asyncio

from citecheck import __version__
from citecheck.models import Fetched, FetchError
from citecheck.net.fetch import ACCEPT, ACCEPT_LANGUAGE, Fetcher, FetchOptions
from citecheck.net.resolve import TableResolver

from servers import Reply, redirect, sequence, wait_until

PAGE = b"<html><head><title>Joint NGO letter</title></head></html>"
HTML = [("Content-Type", "Text/HTML; charset=UTF-8"), ("ETag", '"v1"'), ("X-Thing", "a")]


def test_a_page_comes_back_with_status_type_headers_and_body(loopback, fetch_one) -> None:
    site = loopback()
    site.route("/letter", Reply(200, PAGE, HTML))

    fetched = fetch_one(site.url("/letter"))

    assert fetched.error is None
    assert (fetched.http_status, fetched.reason) == (200, "OK")
    assert fetched.content_type == "text/html"
    assert fetched.header("etag") == '"v1"'
    assert ("x-thing", "a") in fetched.headers
    assert fetched.body == PAGE and not fetched.truncated
    assert fetched.final_url == fetched.url == site.url("/letter")
    assert fetched.attempts == 1 and fetched.redirects == ()
    assert isinstance(fetched.elapsed_ms, int) and 0 <= fetched.elapsed_ms < 5000


def test_default_and_extra_headers_are_sent(loopback, fetch_one) -> None:
    site = loopback()
    site.route("/", Reply(200, PAGE))

    fetch_one(site.url("/"), headers=(("X-Campaign", "letters"),))

    request = site.requests[0]
    assert (
        request.header("user-agent")
        == f"citecheck/{__version__} (+https://github.com/citecheck/citecheck)"
    )
    assert request.header("accept") == ACCEPT
    assert request.header("accept-language") == ACCEPT_LANGUAGE
    assert request.header("x-campaign") == "letters"


def test_a_name_connects_to_the_address_the_resolver_gave(loopback, fetch_one) -> None:
    site = loopback()
    site.route("/", Reply(200, PAGE))

    fetched = fetch_one(site.url("/", host="ngo.test"), names={"ngo.test": [site.host]})

    assert fetched.http_status == 200
    assert site.requests[0].header("host") == f"ngo.test:{site.port}"


def test_http2_enabled_client_still_speaks_http11_over_plain_http(loopback, fetch_all) -> None:
    site = loopback()
    site.route("/", Reply(200, PAGE))

    results = fetch_all([site.url("/")] * 5, per_host=1)

    assert [r.http_status for r in results] == [200] * 5
    assert site.connections == 1  # one pooled keep-alive HTTP/1.1 connection served them all


def test_a_keep_alive_connection_the_server_closed_is_not_reused(loopback) -> None:
    site = loopback()
    site.route("/", Reply(200, PAGE))

    async def main() -> tuple[Fetched, Fetched]:
        options = FetchOptions(allow_private=True, retries=0)
        async with Fetcher(options, resolver=TableResolver({})) as fetcher:
            first = await fetcher.fetch(site.url("/"))
            site.hang_up()  # as servers do with idle connections after a while
            assert wait_until(lambda: site.open_connections == 0)
            return first, await fetcher.fetch(site.url("/"))

    first, second = asyncio.run(main())

    assert first.http_status == second.http_status == 200
    assert second.error is None and second.attempts == 1  # the dead connection was never tried
    assert site.connections == 2


def test_validators_are_sent_and_304_comes_back_empty(loopback, fetch_one) -> None:
    site = loopback()
    site.route(
        "/",
        lambda request: (
            Reply(304, headers=[("ETag", '"v1"')])
            if request.header("if-none-match") == '"v1"'
            else Reply(200, PAGE)
        ),
    )

    fetched = fetch_one(site.url("/"), fetch_kwargs={"validators": {"If-None-Match": '"v1"'}})

    assert (fetched.http_status, fetched.body, fetched.error) == (304, b"", None)


def test_on_request_counts_every_request_sent(loopback, fetch_one) -> None:
    site = loopback()
    site.route("/old", redirect("/flaky", 301))
    site.route("/flaky", sequence(Reply(503), Reply(200, PAGE)))
    sent: list[str] = []

    fetched = fetch_one(site.url("/old"), on_request=sent.append)

    assert fetched.http_status == 200
    assert sent == [site.url("/old"), site.url("/flaky"), site.url("/flaky")]


def test_urls_that_are_not_http_are_recorded_not_raised(fetch_all) -> None:
    results = fetch_all(["ftp://ngo.test/file", "http://[::1", "mailto:a@b.test", "http:///x"])

    assert all(r.error is FetchError.INVALID_URL for r in results)
    assert all(r.error_detail for r in results)


def test_a_configured_header_replaces_the_default_of_that_name(loopback, fetch_one) -> None:
    site = loopback()
    site.route("/", Reply(200, PAGE))

    fetch_one(site.url("/"), headers=(("user-agent", "Mozilla/5.0 (letters)"),))

    assert site.requests[0].header("user-agent") == "Mozilla/5.0 (letters)"
    assert len([n for n, _ in site.requests[0].headers if n == "user-agent"]) == 1
