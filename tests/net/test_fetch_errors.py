"""Every FetchError kind loopback can produce, recorded in Fetched and never raised."""

from __future__ import annotations

from pathlib import Path

import pytest

from citecheck.models import FetchError
from citecheck.net.resolve import TableResolver

from servers import Reply, closed_port, self_signed, server_tls


def test_a_name_that_does_not_exist(fetch_one) -> None:
    fetched = fetch_one("http://missing.test/page", names={"ngo.test": ["127.0.0.2"]})
    assert fetched.error is FetchError.NAME_NOT_FOUND
    assert fetched.http_status is None and fetched.attempts == 1  # not retried


def test_no_resolver_at_all_is_no_network(fetch_one) -> None:
    fetched = fetch_one("http://ngo.test/", resolver=TableResolver({}, offline=True))
    assert fetched.error is FetchError.NO_NETWORK


def test_a_closed_port_is_refused_and_retried(fetch_one) -> None:
    fetched = fetch_one(f"http://127.0.0.2:{closed_port()}/", retries=2)
    assert fetched.error is FetchError.REFUSED
    assert fetched.attempts == 3


def test_https_spoken_to_a_plain_http_server_is_tls(loopback, fetch_one) -> None:
    site = loopback()
    fetched = fetch_one(site.url("/", scheme="https"))
    assert fetched.error is FetchError.TLS


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory):
    return self_signed(tmp_path_factory.mktemp("tls"), "ngo.test")


def test_a_self_signed_certificate_is_tls(loopback, fetch_one, certificate) -> None:
    site = loopback(tls=server_tls(certificate))
    site.route("/", Reply(200, b"secret"))

    fetched = fetch_one(site.url("/", host="ngo.test"), names={"ngo.test": [site.host]})

    assert fetched.error is FetchError.TLS
    assert "certificate" in (fetched.error_detail or "")


def test_tls_is_verified_against_the_name_while_dialling_the_checked_address(
    loopback, fetch_one, certificate, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(Path(certificate.cert)))  # trust the test certificate
    site = loopback(tls=server_tls(certificate))
    site.route("/", Reply(200, b"<title>over TLS</title>", [("Content-Type", "text/html")]))

    by_name = fetch_one(site.url("/", host="ngo.test"), names={"ngo.test": [site.host]})
    by_address = fetch_one(site.url("/"))  # the certificate names ngo.test, not 127.0.0.x

    assert by_name.http_status == 200 and by_name.body == b"<title>over TLS</title>"
    assert by_address.error is FetchError.TLS


def test_a_server_that_never_answers_times_out(loopback, fetch_one) -> None:
    site = loopback()
    site.route("/", Reply(200, delay=5))
    fetched = fetch_one(site.url("/"), timeout=0.3, retries=1)
    assert fetched.error is FetchError.TIMEOUT
    assert fetched.attempts == 2


def test_a_malformed_status_line_is_protocol(loopback, fetch_one) -> None:
    site = loopback()
    site.route("/", Reply(raw=b"HTTP/1.1 two hundred OK\r\n\r\n"))
    fetched = fetch_one(site.url("/"))
    assert fetched.error is FetchError.PROTOCOL
    assert fetched.attempts == 1


def test_a_reset_in_the_middle_of_the_headers_is_network(loopback, fetch_one) -> None:
    site = loopback()
    site.route("/", Reply(raw=b"HTTP/1.1 200 OK\r\nContent-Ty", reset=True))
    fetched = fetch_one(site.url("/"), retries=1)
    assert fetched.error is FetchError.NETWORK
    assert fetched.attempts == 2 and site.hits("/") == 2
