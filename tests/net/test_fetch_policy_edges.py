"""Edges of the fetch policy that the other fetch tests leave open, on real loopback servers: the
words a bad redirect is reported with (a long Location cut at 80 characters), a protocol-relative
Location checked like an absolute one, what a redirect target drops, and basic auth kept from
another port of the same host but carried up from http to https, the edges of the 5xx retry
range, and a resolver answer that is no address."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from citecheck.models import FetchError

from servers import Reply, redirect, self_signed, server_tls

PAGE = Reply(200, b"<title>Final</title>", [("Content-Type", "text/html")])
LONG = "x" * 90


@pytest.mark.parametrize(
    ("location", "detail"),
    [
        (None, "redirect without a Location header"),
        ("   ", "redirect without a Location header"),
        (
            f"javascript:{LONG}",
            f"redirect to an unsupported scheme: {f'javascript:{LONG}'[:80]!r}",
        ),
        (
            f"http://ngo.test:8o/{LONG}",
            f"malformed Location {f'http://ngo.test:8o/{LONG}'[:80]!r}: Invalid port: '8o'",
        ),
        ("http:" + "/x" * 45, f"malformed Location {('http:' + '/x' * 45)[:80]!r}: no host"),
        (
            f"http://{LONG}..test/",
            f"malformed Location {f'http://{LONG}..test/'[:80]!r}: malformed host '{LONG}..test'",
        ),
        ("//a b/x", "malformed Location '//a b/x': URL contains whitespace"),
    ],
)
def test_a_bad_location_is_reported_in_the_users_words(
    loopback, fetch_one, location: str | None, detail: str
) -> None:
    site = loopback()
    site.route("/", Reply(302, headers=[] if location is None else [("Location", location)]))

    fetched = fetch_one(site.url("/"))

    assert (fetched.error, fetched.error_detail) == (FetchError.BAD_REDIRECT, detail)
    assert site.hits("/") == 1


def test_a_redirect_target_drops_credentials_and_fragment(loopback, fetch_one) -> None:
    home, elsewhere = loopback(), loopback()
    location = elsewhere.url("/landing#part-2").replace("://", "://editor:hunter2@")
    home.route("/", redirect(location))
    elsewhere.route("/landing", PAGE)

    fetched = fetch_one(home.url("/"))

    assert fetched.http_status == 200
    assert fetched.final_url == elsewhere.url("/landing")
    assert elsewhere.requests[0].header("authorization") is None


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_credentials_stay_with_their_port_on_the_same_host(loopback, fetch_one) -> None:
    home, other_port = loopback(host="127.0.0.2"), loopback(host="127.0.0.2")
    home.route("/private", redirect(other_port.url("/public")))
    other_port.route("/public", PAGE)

    fetched = fetch_one(f"http://user:s3cret@{home.host}:{home.port}/private")

    assert fetched.http_status == 200
    assert home.requests[0].header("authorization") == _basic("user", "s3cret")
    assert other_port.requests[0].header("authorization") is None


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory):
    return self_signed(tmp_path_factory.mktemp("tls"), "ngo.test")


@pytest.mark.parametrize(
    ("first", "then", "carried"), [("http", "https", True), ("https", "http", False)]
)
def test_credentials_follow_an_upgrade_to_https_never_a_downgrade(
    loopback,
    fetch_one,
    certificate,
    monkeypatch: pytest.MonkeyPatch,
    first: str,
    then: str,
    carried: bool,
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(Path(certificate.cert)))  # trust the test certificate
    plain = loopback(host="127.0.0.2")
    secure = loopback(host="127.0.0.2", tls=server_tls(certificate))
    start, target = (plain, secure) if first == "http" else (secure, plain)
    start.route("/private", redirect(target.url("/next", host="ngo.test")))
    target.route("/next", PAGE)
    url = start.url("/private", host="user:s3cret@ngo.test")

    fetched = fetch_one(url, names={"ngo.test": ["127.0.0.2"]})

    assert fetched.http_status == 200
    assert start.requests[0].header("authorization") == _basic("user", "s3cret")
    expected = _basic("user", "s3cret") if carried else None
    assert target.requests[0].header("authorization") == expected


@pytest.mark.parametrize(("status", "attempts"), [(599, 2), (600, 1)])
def test_every_5xx_is_retried_and_nothing_above(loopback, fetch_one, status, attempts) -> None:
    site = loopback()
    site.route("/", Reply(status))

    fetched = fetch_one(site.url("/"), retries=1)

    assert (fetched.http_status, fetched.attempts, site.hits("/")) == (status, attempts, attempts)


def test_a_resolver_answer_that_is_no_address_is_refused_by_the_guard(fetch_one) -> None:
    fetched = fetch_one(
        "http://ngo.test/", names={"ngo.test": ["ngo.internal"]}, allow_private=False
    )

    assert fetched.error is FetchError.PRIVATE_ADDRESS
    assert fetched.error_detail == "ngo.internal is not an IP address"
