"""Per-host headers from configuration go to their host only, redirects included."""

from __future__ import annotations

from servers import Reply, redirect


def test_host_headers_reach_only_their_host(loopback, fetch_one) -> None:
    consent, other = loopback(), loopback()
    other.route("/", Reply(200, b"ok"))
    consent.route("/", redirect(other.url("/", host="other.test")))
    names = {"consent.test": [consent.host], "other.test": [other.host]}
    fetched = fetch_one(
        consent.url("/", host="consent.test"),
        names=names,
        host_headers={"consent.test": (("Cookie", "consent=yes"),)},
    )
    assert fetched.http_status == 200
    assert consent.requests[0].header("cookie") == "consent=yes"
    assert other.requests[0].header("cookie") is None
