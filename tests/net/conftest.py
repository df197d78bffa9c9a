"""Fixtures for the fetch tests: loopback servers and a one-call way to run the Fetcher."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pytest

from citecheck.models import Fetched
from citecheck.net.addresses import AddressReason, non_public_reason
from citecheck.net.fetch import Fetcher, FetchOptions
from citecheck.net.resolve import Resolver, TableResolver

FetchAll = Callable[..., list[Fetched]]


@pytest.fixture
def fetch_all() -> FetchAll:
    """``fetch_all(urls, names={...}, resolver=..., on_request=..., address_reason=...,
    **options)`` -> [Fetched].

    Fetches concurrently with one Fetcher; tests fetch loopback, so allow_private defaults to True
    and names resolve through a TableResolver built from ``names``.
    """

    def run(
        urls: Sequence[str],
        *,
        names: Mapping[str, Sequence[str]] | None = None,
        resolver: Resolver | None = None,
        on_request: Callable[[str], None] | None = None,
        address_reason: AddressReason = non_public_reason,
        fetch_kwargs: Mapping[str, Any] | None = None,
        **options: Any,
    ) -> list[Fetched]:
        options.setdefault("allow_private", True)
        options.setdefault("backoff", 0.01)
        chosen = resolver or TableResolver(names or {})

        async def main() -> list[Fetched]:
            fetch_options = FetchOptions(**options)
            async with Fetcher(
                fetch_options,
                resolver=chosen,
                address_reason=address_reason,
                on_request=on_request,
            ) as fetcher:
                return list(
                    await asyncio.gather(
                        *(fetcher.fetch(url, **(fetch_kwargs or {})) for url in urls)
                    )
                )

        return asyncio.run(main())

    return run


@pytest.fixture
def fetch_one(fetch_all: FetchAll) -> Callable[..., Fetched]:
    """``fetch_one(url, **same as fetch_all)`` -> Fetched."""
    return lambda url, **kwargs: fetch_all([url], **kwargs)[0]
