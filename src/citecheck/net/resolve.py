"""The DNS seam: turn a host name into IP addresses, telling "no such name" from "no network".

fetch.py asks a ``Resolver`` once per request and connects only to the addresses it got back, so the
address guard checks exactly what is dialled. Tests pass a ``TableResolver`` and never touch DNS.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Mapping, Sequence
from typing import Protocol

# getaddrinfo codes meaning "this name does not exist" rather than "could not ask".
_NOT_FOUND_CODES = frozenset(
    code
    for code in (
        getattr(socket, "EAI_NONAME", None),
        getattr(socket, "EAI_NODATA", None),
        getattr(socket, "EAI_ADDRFAMILY", None),
    )
    if code is not None
)


class NameNotFound(Exception):
    """The name does not exist (NXDOMAIN / EAI_NONAME)."""


class ResolverUnavailable(Exception):
    """No resolver could be asked at all (no network, EAI_AGAIN, EAI_FAIL...)."""


class Resolver(Protocol):
    """Anything that maps a host name to IP address strings."""

    async def resolve(self, host: str, port: int) -> list[str]:
        """The addresses of ``host``; raises NameNotFound or ResolverUnavailable."""
        ...


class SystemResolver:
    """The operating system's resolver, through the event loop's ``getaddrinfo``."""

    async def resolve(self, host: str, port: int) -> list[str]:
        """The distinct addresses ``getaddrinfo`` returns for ``host``, in its order."""
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            if exc.errno in _NOT_FOUND_CODES:
                raise NameNotFound(f"{host}: {exc.strerror}") from exc
            raise ResolverUnavailable(f"{host}: {exc.strerror}") from exc
        except UnicodeError as exc:  # a label the IDNA codec rejects cannot exist in DNS
            raise NameNotFound(f"{host}: {exc}") from exc
        addresses: list[str] = []
        for _family, _type, _proto, _canon, sockaddr in infos:
            address = str(sockaddr[0])
            if address not in addresses:
                addresses.append(address)
        if not addresses:
            raise NameNotFound(f"{host}: no addresses")
        return addresses


class TableResolver:
    """A fixed name -> addresses table, for tests and offline runs.

    A name missing from the table (or mapped to None or to no address) raises NameNotFound;
    with ``offline=True`` every lookup raises ResolverUnavailable, as with no network at all.
    """

    def __init__(
        self, mapping: Mapping[str, Sequence[str] | None], *, offline: bool = False
    ) -> None:
        self._table = {name.lower().rstrip("."): addresses for name, addresses in mapping.items()}
        self._offline = offline

    async def resolve(self, host: str, port: int) -> list[str]:
        """The table's addresses for ``host`` (case-insensitive, trailing dot ignored)."""
        if self._offline:
            raise ResolverUnavailable(f"{host}: no network")
        addresses = self._table.get(host.lower().rstrip("."))
        if not addresses:
            raise NameNotFound(f"{host}: name not found")
        return list(addresses)
