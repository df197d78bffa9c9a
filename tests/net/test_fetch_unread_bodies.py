"""A page the network cut short is a failed attempt: retried, then recorded with what happened.

Each server counts the requests it saw, so every test shows the retries; the message says how
the body ended and how much of it had arrived. Only citecheck's own cap ends a body and still
leaves a page (tests/net/test_fetch_bodies.py).
"""

from __future__ import annotations

from citecheck.models import FetchError

from servers import Reply, chunks, sequence

HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
HTML = [("Content-Type", "text/html")]


def test_a_connection_lost_mid_body_is_retried_then_a_network_error(loopback, fetch_one) -> None:
    site = loopback()
    half = HEAD + b"Content-Length: 100000\r\n\r\n" + b"<p>" * 4_100
    site.route("/", Reply(raw=half, reset=True))

    fetched = fetch_one(site.url("/"), retries=2)

    assert (fetched.error, fetched.http_status, fetched.body) == (FetchError.NETWORK, None, b"")
    assert "after 12 KB of the page" in (fetched.error_detail or "")
    assert fetched.attempts == 3 and site.hits("/") == 3


def test_fewer_bytes_than_content_length_is_a_network_error(loopback, fetch_one) -> None:
    site = loopback()
    site.route("/", Reply(200, b"<title>Part", [("Content-Length", "1000")]))

    fetched = fetch_one(site.url("/"), retries=1)

    assert fetched.error is FetchError.NETWORK
    assert fetched.error_detail == "connection closed after 11 bytes of the page, before its end"
    assert fetched.attempts == 2 and site.hits("/") == 2


def test_an_error_status_stands_however_its_body_ends(loopback, fetch_one) -> None:
    site = loopback()
    site.route("/", Reply(404, b"<title>Not fou", [("Content-Length", "1000")]))

    fetched = fetch_one(site.url("/"), retries=2)

    assert (fetched.error, fetched.http_status) == (None, 404)
    assert fetched.attempts == 1 and site.hits("/") == 1


def test_broken_chunked_encoding_is_a_network_error(loopback, fetch_one) -> None:
    site = loopback()
    broken = HEAD + b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nnot a chunk size\r\n"
    site.route("/", Reply(raw=broken))

    fetched = fetch_one(site.url("/"), retries=1)

    assert fetched.error is FetchError.NETWORK
    assert "framing broke after 5 bytes of the page" in (fetched.error_detail or "")
    assert fetched.attempts == 2 and site.hits("/") == 2


def test_a_body_stalling_past_the_read_timeout_is_retried_then_a_timeout(
    loopback, fetch_one
) -> None:
    site = loopback()
    body = chunks(b"<title>Stalls</title>", b"<p>the rest</p>")
    site.route("/", Reply(200, body, [*HTML, ("Content-Length", "36")], drip=2))

    fetched = fetch_one(site.url("/"), retries=1, timeout=0.3)

    assert fetched.error is FetchError.TIMEOUT
    assert fetched.error_detail == "the server stopped sending after 21 bytes of the page"
    assert fetched.attempts == 2 and site.hits("/") == 2


def test_a_body_dripping_past_the_deadline_is_a_timeout(loopback, fetch_one) -> None:
    site = loopback()
    body = chunks(b"<title>Dripping</title>", *([b"." * 10] * 200))
    site.route("/", Reply(200, body, HTML, drip=0.05))

    fetched = fetch_one(site.url("/"), deadline=0.6, timeout=5, retries=2)

    assert (fetched.error, fetched.http_status) == (FetchError.TIMEOUT, None)
    assert (fetched.error_detail or "").startswith("deadline of 0.6s reached after ")
    assert fetched.error_detail.endswith(" bytes of the page")
    assert site.hits("/") == 1  # the deadline covers the retries too: none was left


def test_a_cut_page_that_arrives_whole_on_retry_is_the_page(loopback, fetch_one) -> None:
    site = loopback()
    page = b"<title>Whole</title>"
    cut = Reply(200, page[:7], [*HTML, ("Content-Length", str(len(page)))])
    site.route("/", sequence(cut, Reply(200, page, HTML)))

    fetched = fetch_one(site.url("/"), retries=1)

    assert (fetched.error, fetched.http_status, fetched.body) == (None, 200, page)
    assert not fetched.truncated and fetched.attempts == 2 and site.hits("/") == 2
