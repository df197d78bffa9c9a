"""The wire on its own: each request goes to the addresses passed with it, and nowhere else."""

from __future__ import annotations

import asyncio

import httpx

from citecheck.net.wire import Wire

from servers import Reply


def _send_all(requests: list[tuple[str, tuple[str, ...]]]) -> list[tuple[int, bytes]]:
    async def main() -> list[tuple[int, bytes]]:
        wire = Wire(httpx.create_ssl_context(), per_host=2, max_idle=8)
        answers = []
        try:
            for url, addresses in requests:
                response = await wire.send(httpx.Request("GET", url), addresses)
                try:
                    answers.append((response.status_code, await response.aread()))
                finally:
                    await response.aclose()
        finally:
            await wire.aclose()
        return answers

    return asyncio.run(main())


def test_a_name_is_dialled_at_the_addresses_given_with_each_request(loopback) -> None:
    first, second = loopback(), loopback()
    first.route("/", Reply(200, b"first"))
    second.route("/", Reply(200, b"second"))
    # No resolver anywhere: the name is only what the Host header says.
    urls = [f"http://ngo.test:{site.port}/" for site in (first, second)]

    answers = _send_all(
        [(urls[0], (first.host,)), (urls[0], (first.host,)), (urls[1], (second.host,))]
    )

    assert answers == [(200, b"first"), (200, b"first"), (200, b"second")]
    assert first.hits("/") == 2 and second.hits("/") == 1
    assert first.connections == 1  # the second request reused the connection to that address
    assert first.requests[0].header("host") == f"ngo.test:{first.port}"


def test_a_connection_made_for_one_set_of_addresses_never_carries_another(loopback) -> None:
    site, other = loopback(), loopback()
    site.route("/", Reply(200, b"page"))
    url = f"http://ngo.test:{site.port}/"
    # The second set starts with an address where nothing listens on that port (refused), so
    # the next one is dialled: over a new connection, not the idle one made for the first set.
    answers = _send_all([(url, (site.host,)), (url, (other.host, site.host))])

    assert answers == [(200, b"page"), (200, b"page")]
    assert site.connections == 2 and other.requests == []
