"""The path a new user takes: host names (not IP literals), the address guard on, the cache on.

Every other end-to-end test fetches 127.0.0.x literals with ``allow_private=True``; a user's letter
cites names, with the guard on. Here names resolve through a ``TableResolver`` handed to the
pipeline (tests never use DNS) and the options are the defaults, cache included (in a private
folder, see conftest). Loopback is never public, so one address, 127.0.0.2, is classified as
public for these tests by standing in for the guard's pure policy function (as
tests/fetch/test_fetch_guard.py does); every other address keeps its real classification, and the
resolver, the guard, the dialling and the verdicts are the real ones.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from citecheck.config import Options
from citecheck.letters import collect
from citecheck.models import Report, Status
from citecheck.net.addresses import AddressReason
from citecheck.net.resolve import TableResolver
from citecheck.pipeline import run_check

from servers import Reply, redirect
from testkit import treat_as_public

HTML = [("Content-Type", "text/html; charset=utf-8")]
TITLE = "Joint NGO letter ahead of EU-China Summit"
PAGE = (
    f"<!doctype html><html lang='en'><head><title>{TITLE}</title>"
    "<meta property='article:published_time' content='2025-07-17T09:00:00Z'>"
    f"</head><body><h1>{TITLE}</h1></body></html>"
).encode()


@pytest.fixture
def public_127_0_0_2() -> AddressReason:
    """The guard's rule with 127.0.0.2 treated as a public address; the rest keep theirs."""
    return treat_as_public("127.0.0.2")


def check(
    folder: Path, text: str, resolver: TableResolver, address_reason: AddressReason | None = None
) -> Report:
    """The letter checked with the default options, as ``citecheck check letter.md`` would."""
    letter = folder / "letter.md"
    letter.write_text(text, encoding="utf-8")
    return run_check(
        collect([str(letter)]), Options(), resolver=resolver, address_reason=address_reason
    )


def by_text(report: Report) -> dict[str, tuple[Status, str]]:
    assert report.findings is not None
    return {f.reference.text: (f.status, f.message) for f in report.findings}


def test_a_cited_name_is_fetched_with_the_guard_on(
    tmp_path: Path, loopback, public_127_0_0_2
) -> None:
    site = loopback()  # 127.0.0.2, "public" here
    site.route("/letter", Reply(200, PAGE, HTML))
    site.route("/old", redirect("/letter", 301))
    url = site.url("/letter", host="www.ngo.test")
    text = (
        f"As we wrote.[^1] See also [the old address]({site.url('/old', host='ngo.test')}).\n\n"
        f"[^1]: [{TITLE}]({url}), 17 July 2025.\n"
    )
    resolver = TableResolver({"www.ngo.test": [site.host], "ngo.test": [site.host]})

    report = check(tmp_path, text, resolver, public_127_0_0_2)

    assert by_text(report)[TITLE] == (Status.OK, "200 OK")
    assert by_text(report)["the old address"][0] is Status.MOVED
    assert report.notices == ()
    seen = sorted((request.header("host"), request.path) for request in site.requests)
    assert seen == [
        (f"ngo.test:{site.port}", "/letter"),
        (f"ngo.test:{site.port}", "/old"),
        (f"www.ngo.test:{site.port}", "/letter"),
    ]
    served = len(site.requests)

    again = check(
        tmp_path, text, resolver, public_127_0_0_2
    )  # the default cache answers the second run

    assert by_text(again) == by_text(report)
    assert again.findings is not None and all(f.from_cache for f in again.findings)
    assert len(site.requests) == served


def test_a_name_that_does_not_exist_is_broken_not_no_network(tmp_path: Path, loopback) -> None:
    site = loopback()
    text = f"[gone](https://gone.ngo.test/report) and [here]({site.url('/', host='ngo.test')})\n"

    report = check(tmp_path, text, TableResolver({"ngo.test": [site.host]}))

    status, message = by_text(report)["gone"]
    assert status is Status.BROKEN
    assert "gone.ngo.test does not exist" in message
    assert report.notices == ()  # one missing name is not "no network"
    assert report.fail_on and Status.BROKEN in report.fail_on


def test_a_name_on_a_private_address_is_private_with_the_guard_on(
    tmp_path: Path, loopback, public_127_0_0_2
) -> None:
    public, internal = loopback(), loopback()  # 127.0.0.2 ("public"), 127.0.0.3
    public.route("/", Reply(200, PAGE, HTML))
    internal.route("/", Reply(200, PAGE, HTML))
    text = (
        f"[news]({public.url('/', host='news.test')}) "
        f"[intranet]({internal.url('/', host='intranet.test')})\n"
    )
    resolver = TableResolver({"news.test": [public.host], "intranet.test": [internal.host]})

    report = check(tmp_path, text, resolver, public_127_0_0_2)

    assert by_text(report)["news"][0] is Status.OK
    status, message = by_text(report)["intranet"]
    assert (status, message) == (Status.PRIVATE, "not a public address: 127.0.0.3 is loopback")
    assert public.hits("/") == 1 and internal.requests == []


def test_a_name_with_one_private_address_among_public_ones_is_not_fetched(
    tmp_path: Path, loopback, public_127_0_0_2
) -> None:
    # DNS rebinding's cheap form: one of the answers points inside. No address is dialled.
    site = loopback()
    site.route("/", Reply(200, PAGE, HTML))
    resolver = TableResolver({"mixed.test": [site.host, "10.0.0.7"]})

    report = check(
        tmp_path, f"[mixed]({site.url('/', host='mixed.test')})\n", resolver, public_127_0_0_2
    )

    assert by_text(report)["mixed"] == (Status.PRIVATE, "not a public address: 10.0.0.7 is private")
    assert site.requests == []
