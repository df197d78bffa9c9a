"""Redirects followed hop by hop: recorded, bounded, and never carrying secrets to another host."""

from __future__ import annotations

import base64

import pytest

from citecheck.models import FetchError, Redirect

from servers import Reply, redirect, sized_body

PAGE = Reply(200, b"<title>Final</title>", [("Content-Type", "text/html")])


def test_every_hop_is_recorded(loopback, fetch_one) -> None:
    old, new = loopback(), loopback()
    old.route("/a", redirect("/b", 301))
    old.route("/b", redirect(new.url("/c"), 302))
    new.route("/c", redirect("d?x=1", 308))  # relative to /c
    new.route("/d", PAGE)

    fetched = fetch_one(old.url("/a"))

    assert fetched.http_status == 200 and fetched.body == b"<title>Final</title>"
    assert fetched.redirects == (
        Redirect(old.url("/a"), 301),
        Redirect(old.url("/b"), 302),
        Redirect(new.url("/c"), 308),
    )
    assert fetched.final_url == new.url("/d?x=1")
    assert fetched.url == old.url("/a")


def test_the_next_hop_on_the_same_site_reuses_the_connection(loopback, fetch_one) -> None:
    site = loopback()
    moved = b"<html><body>This page has moved <a href='/new'>here</a>.</body></html>"
    site.route("/old", Reply(301, moved, [("Location", "/new"), ("Content-Type", "text/html")]))
    site.route("/new", PAGE)

    fetched = fetch_one(site.url("/old"))

    assert fetched.http_status == 200 and fetched.body == b"<title>Final</title>"
    assert site.connections == 1  # the redirect's little page was read, the connection kept


def test_a_redirect_with_a_huge_body_is_still_followed(loopback, fetch_one) -> None:
    site = loopback()
    site.route("/old", Reply(302, sized_body(10**9), [("Location", "/new")]))
    site.route("/new", PAGE)

    fetched = fetch_one(site.url("/old"))

    assert fetched.http_status == 200 and fetched.redirects == (Redirect(site.url("/old"), 302),)


def test_a_loop_is_caught(loopback, fetch_one) -> None:
    site = loopback()
    site.route("/a", redirect("/b"))
    site.route("/b", redirect("/a"))

    fetched = fetch_one(site.url("/a"))

    assert fetched.error is FetchError.REDIRECT_LOOP
    assert [hop.url for hop in fetched.redirects] == [site.url("/a"), site.url("/b")]
    assert site.hits("/a") == 1


def test_too_many_redirects(loopback, fetch_one) -> None:
    site = loopback()
    for index in range(6):
        site.route(f"/{index}", redirect(f"/{index + 1}", 302))
    site.route("/6", PAGE)

    stopped = fetch_one(site.url("/0"), max_redirects=3)
    allowed = fetch_one(site.url("/0"), max_redirects=6)

    assert stopped.error is FetchError.TOO_MANY_REDIRECTS and len(stopped.redirects) == 4
    assert allowed.http_status == 200 and len(allowed.redirects) == 6


@pytest.mark.parametrize(
    "location",
    [
        None,
        "",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "data:text/html,hi",
        "ftp://ngo.test/x",
        "http://",
    ],
)
def test_a_bad_location_is_bad_redirect(loopback, fetch_one, location: str | None) -> None:
    site = loopback()
    headers = [] if location is None else [("Location", location)]
    site.route("/", Reply(302, headers=headers))

    fetched = fetch_one(site.url("/"))

    assert fetched.error is FetchError.BAD_REDIRECT
    assert fetched.redirects == (Redirect(site.url("/"), 302),)


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_credentials_and_secret_headers_stay_with_their_host(loopback, fetch_one) -> None:
    home, elsewhere = loopback(), loopback()
    home.route("/private", redirect("/moved"))
    home.route("/moved", redirect(elsewhere.url("/landing")))
    elsewhere.route("/landing", PAGE)
    url = f"http://user:s3cret@{home.host}:{home.port}/private"

    fetched = fetch_one(url, headers=(("Cookie", "session=abc"), ("X-Plain", "yes")))

    assert fetched.http_status == 200
    for request in home.requests:
        assert request.header("authorization") == _basic("user", "s3cret")
        assert request.header("cookie") == "session=abc"
    landing = elsewhere.requests[0]
    assert landing.header("authorization") is None
    assert landing.header("cookie") is None
    assert landing.header("x-plain") == "yes"
    assert "s3cret" not in fetched.final_url


def test_authorization_header_is_not_carried_to_another_host(loopback, fetch_one) -> None:
    home, elsewhere = loopback(), loopback()
    home.route("/", redirect(elsewhere.url("/")))
    elsewhere.route("/", PAGE)

    fetch_one(home.url("/"), headers=(("Authorization", "Bearer token"),))

    assert home.requests[0].header("authorization") == "Bearer token"
    assert elsewhere.requests[0].header("authorization") is None


def test_cookies_set_in_a_redirect_chain_are_returned_within_it_only(loopback, fetch_all) -> None:
    site = loopback()
    site.route(
        "/",
        lambda request: (
            PAGE
            if request.header("cookie") == "consent=1"
            else Reply(302, headers=[("Location", "/"), ("Set-Cookie", "consent=1; Path=/")])
        ),
    )

    first, second = fetch_all([site.url("/"), site.url("/")], per_host=1)

    assert first.http_status == second.http_status == 200
    assert len(first.redirects) == len(second.redirects) == 1  # the second fetch starts afresh
