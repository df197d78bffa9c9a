"""The DNS seam, without DNS: the table resolver, and the system one on a numeric host only."""

from __future__ import annotations

import asyncio

import pytest

from citecheck.net.resolve import NameNotFound, ResolverUnavailable, SystemResolver, TableResolver


def test_table_resolver_answers_ignoring_case_and_trailing_dot() -> None:
    resolver = TableResolver({"NGO.test": ["127.0.0.2", "::1"], "gone.test": None})

    assert asyncio.run(resolver.resolve("ngo.test.", 443)) == ["127.0.0.2", "::1"]
    with pytest.raises(NameNotFound):
        asyncio.run(resolver.resolve("gone.test", 80))
    with pytest.raises(NameNotFound):
        asyncio.run(resolver.resolve("other.test", 80))


def test_an_offline_table_resolver_has_no_network() -> None:
    with pytest.raises(ResolverUnavailable):
        asyncio.run(
            TableResolver({"ngo.test": ["127.0.0.2"]}, offline=True).resolve("ngo.test", 80)
        )


def test_system_resolver_returns_a_numeric_host_as_is() -> None:
    # A numeric host never reaches DNS: getaddrinfo parses it locally.
    assert asyncio.run(SystemResolver().resolve("127.0.0.2", 80)) == ["127.0.0.2"]
