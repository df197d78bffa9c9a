"""The address guard in the fetcher: checked before connecting, at every hop, on what is dialled.

Loopback is the only network here, and it is never public. To see a hop *into* a private address,
two tests declare 127.0.0.2 "public" by wrapping the guard's policy: a public address cannot
exist on this machine, so that one pure function is the part stood in for.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from citecheck.models import FetchError, Redirect
from citecheck.net.addresses import AddressReason
from citecheck.net.resolve import NameNotFound

from servers import Reply, redirect
from testkit import treat_as_public

PAGE = Reply(200, b"<title>ok</title>", [("Content-Type", "text/html")])


def test_loopback_is_blocked_without_allow_private(loopback, fetch_one) -> None:
    site = loopback()
    site.route("/", PAGE)

    fetched = fetch_one(site.url("/"), allow_private=False)

    assert fetched.error is FetchError.PRIVATE_ADDRESS
    assert fetched.error_detail == f"{site.host} is loopback"
    assert site.requests == []  # nothing was sent


@pytest.mark.parametrize("spelling", ["2130706434", "0x7f.0.0.2", "017700000002", "127.2"])
def test_numeric_spellings_are_guarded_and_dialled_as_parsed(
    loopback, fetch_one, spelling: str
) -> None:
    site = loopback()  # 127.0.0.2
    site.route("/", PAGE)
    url = f"http://{spelling}:{site.port}/"

    blocked = fetch_one(url, allow_private=False)
    allowed = fetch_one(url, allow_private=True)

    assert blocked.error is FetchError.PRIVATE_ADDRESS
    assert blocked.error_detail == "127.0.0.2 is loopback"
    assert allowed.http_status == 200 and site.hits("/") == 1


def test_a_name_with_any_private_address_is_blocked(loopback, fetch_one) -> None:
    site = loopback()
    site.route("/", PAGE)
    names = {"ngo.test": ["8.8.8.8", site.host]}

    fetched = fetch_one(site.url("/", host="ngo.test"), names=names, allow_private=False)

    assert fetched.error is FetchError.PRIVATE_ADDRESS
    assert fetched.error_detail == f"{site.host} is loopback"


def test_guard_false_lets_a_trusted_endpoint_through(loopback, fetch_one) -> None:
    site = loopback()
    site.route("/", PAGE)

    fetched = fetch_one(site.url("/"), allow_private=False, fetch_kwargs={"guard": False})

    assert fetched.http_status == 200


@pytest.fixture
def public_127_0_0_2() -> AddressReason:
    """The guard's rule with 127.0.0.2 treated as a public address; the rest keep theirs."""
    return treat_as_public("127.0.0.2")


def test_a_redirect_hop_into_loopback_is_blocked(public_127_0_0_2, loopback, fetch_one) -> None:
    public, internal = loopback(), loopback()  # 127.0.0.2, 127.0.0.3
    public.route("/", redirect("/hop", 301))
    public.route("/hop", redirect(internal.url("/admin")))
    public.route("/by-name", redirect(internal.url("/admin", host="intranet.test")))
    internal.route("/admin", PAGE)
    names = {"intranet.test": [internal.host]}

    direct = fetch_one(public.url("/"), allow_private=False, address_reason=public_127_0_0_2)
    by_name = fetch_one(
        public.url("/by-name"), names=names, allow_private=False, address_reason=public_127_0_0_2
    )

    assert direct.error is FetchError.PRIVATE_ADDRESS
    assert direct.error_detail == f"{internal.host} is loopback"
    assert direct.redirects == (Redirect(public.url("/"), 301), Redirect(public.url("/hop"), 302))
    assert direct.final_url == internal.url("/admin")
    assert by_name.error is FetchError.PRIVATE_ADDRESS
    assert internal.requests == []


class Rebinding:
    """Answers that change per lookup, as a DNS-rebinding attacker's do; counts lookups."""

    def __init__(self, answers: Sequence[str]) -> None:
        self.answers = list(answers)
        self.lookups = 0

    async def resolve(self, host: str, port: int) -> list[str]:
        self.lookups += 1
        if not self.answers:
            raise NameNotFound(host)
        return [self.answers.pop(0)]


def test_one_lookup_per_request_and_the_checked_address_is_dialled(
    public_127_0_0_2, loopback, fetch_one
) -> None:
    public, internal = loopback(), loopback()
    public.route("/", PAGE)
    internal.route("/", PAGE)
    resolver = Rebinding([public.host, internal.host])
    url = f"http://rebind.test:{public.port}/"

    first = fetch_one(url, resolver=resolver, allow_private=False, address_reason=public_127_0_0_2)

    assert first.http_status == 200 and resolver.lookups == 1
    assert public.hits("/") == 1  # the connection went to the address that was checked

    second = fetch_one(url, resolver=resolver, allow_private=False, address_reason=public_127_0_0_2)
    assert second.error is FetchError.PRIVATE_ADDRESS and resolver.lookups == 2
    assert internal.requests == []
