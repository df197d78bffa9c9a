"""Shared helpers for the hardening tests: counted bodies, one-call checks, finding lookup.

Servers live on loopback only (127.0.0.x); module-scoped ones take addresses from 127.0.0.40 up so
they never share an address with the per-test ``loopback`` fixture's (127.0.0.2, 3, ...).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from citecheck.config import Options
from citecheck.letters import collect
from citecheck.models import Finding, Report
from citecheck.net.addresses import AddressReason
from citecheck.net.resolve import Resolver, TableResolver
from citecheck.pipeline import _fetch_options, run_check

from servers import BodyFactory

MIB = 1 << 20
GIB = 1 << 30

# What keeps the suite quick while leaving room for a loaded CI machine: reading a 2 MB page
# holds the interpreter for ~0.15 s even in a worker thread, and a slow machine doubles that.
TIMEOUT = 1.0
# Linux loopback may hold this much in the two sockets' buffers after the reader stops reading
# (tcp_wmem max 4 MiB + tcp_rmem max 32 MiB here); bytes beyond cap + this were not read.
SOCKET_SLACK = 40 * MIB


def base_options(**changes: Any) -> Options:
    """Options for a loopback run: private allowed, no cache, no retries, short timeout."""
    options = Options(allow_private=True, cache=False, retries=0, timeout=TIMEOUT)
    return replace(options, **changes)


def deadline(options: Options) -> float:
    """The per-URL deadline the pipeline gives the fetcher for these options."""
    return _fetch_options(options).deadline


def check_text(
    folder: Path,
    text: str,
    *,
    name: str = "letter.md",
    resolver: Resolver | None = None,
    options: Options | None = None,
    address_reason: AddressReason | None = None,
) -> Report:
    """Write ``text`` as a letter in ``folder`` and check it through the pipeline."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return run_check(
        collect([str(path)]),
        options or base_options(),
        resolver=resolver or TableResolver({}),
        address_reason=address_reason,
    )


def links(urls: Iterable[str]) -> str:
    """A Markdown letter citing each URL once, one list item per line."""
    return "# Letter\n\n" + "".join(f"- See [source {i}]({url}).\n" for i, url in enumerate(urls))


def by_url(report: Report) -> dict[str, Finding]:
    """The findings keyed by the URL as the letter wrote it."""
    assert report.findings is not None
    return {finding.reference.url: finding for finding in report.findings}


class Counted:
    """A lazily generated body that counts the bytes the server really wrote to the socket."""

    def __init__(self, factory: BodyFactory) -> None:
        self._factory = factory
        self.sent = 0

    def __call__(self) -> Iterator[bytes]:
        for piece in self._factory():
            yield piece
            # Resumed only once the server's write of ``piece`` returned.
            self.sent += len(piece)


def endless(piece: bytes) -> BodyFactory:
    """A body that never ends: ``piece`` forever."""

    def generate() -> Iterator[bytes]:
        while True:
            yield piece

    return generate


def endless_chunked(piece: bytes) -> BodyFactory:
    """An endless ``Transfer-Encoding: chunked`` stream, framed here (the server writes raw)."""
    frame = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    return endless(frame)


def big_letter(urls: list[str], links: int, size: int) -> str:
    """A Markdown letter of about ``size`` bytes citing ``urls`` ``links`` times in turn."""
    filler = "The delegation raised arbitrary detention and forced labour with its counterparts. "
    per_line = max(0, size // links - 60)
    padding = (filler * (per_line // len(filler) + 1))[:per_line]
    lines = (f"- {padding}[source {i}]({urls[i % len(urls)]})" for i in range(links))
    return "# A very long letter\n\n" + "\n".join(lines) + "\n"
