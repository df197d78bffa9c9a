"""The address guard, as pure functions: is this host a literal IP, and is that IP public?

``parse_host_address`` reads every numeric spelling a browser (WHATWG URL parser) accepts, because
``http://2130706433/`` or ``http://0x7f.1/`` reach 127.0.0.1 just as surely as the dotted form.
``non_public_reason`` names why an address is not reachable by a letter's readers.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# Why an address may not be dialled (None: it may): ``non_public_reason``, or a test's table.
AddressReason = Callable[[IPAddress], str | None]

_V4 = ipaddress.IPv4Network
_V6 = ipaddress.IPv6Network

# Checked in order; the first network containing the address names the reason.
_V4_REASONS: tuple[tuple[ipaddress.IPv4Network, str], ...] = (
    (_V4("0.0.0.0/32"), "unspecified"),
    (_V4("0.0.0.0/8"), "reserved (this network)"),
    (_V4("127.0.0.0/8"), "loopback"),
    (_V4("10.0.0.0/8"), "private"),
    (_V4("172.16.0.0/12"), "private"),
    (_V4("192.168.0.0/16"), "private"),
    (_V4("100.64.0.0/10"), "carrier-grade NAT"),
    (_V4("169.254.0.0/16"), "link-local"),
    (_V4("192.0.0.0/24"), "reserved (IETF protocol assignments)"),
    (_V4("192.0.2.0/24"), "documentation"),
    (_V4("198.51.100.0/24"), "documentation"),
    (_V4("203.0.113.0/24"), "documentation"),
    (_V4("198.18.0.0/15"), "benchmarking"),
    (_V4("224.0.0.0/4"), "multicast"),
    (_V4("255.255.255.255/32"), "broadcast"),
    (_V4("240.0.0.0/4"), "reserved"),
)

_V6_REASONS: tuple[tuple[ipaddress.IPv6Network, str], ...] = (
    (_V6("::/128"), "unspecified"),
    (_V6("::1/128"), "loopback"),
    (_V6("fe80::/10"), "link-local"),
    (_V6("fec0::/10"), "site-local"),
    (_V6("fc00::/7"), "unique-local"),
    (_V6("ff00::/8"), "multicast"),
    (_V6("2001:db8::/32"), "documentation"),
    (_V6("100::/64"), "discard-only"),
    (_V6("::/96"), "reserved (IPv4-compatible)"),
)

_DIGITS = {
    8: frozenset("01234567"),
    10: frozenset("0123456789"),
    16: frozenset("0123456789abcdefABCDEF"),
}

# Prefixes that embed an IPv4 address the packet really goes to: judge that address.
_NAT64 = _V6("64:ff9b::/96")
_SIX_TO_FOUR = _V6("2002::/16")


def parse_host_address(host: str) -> IPAddress | None:
    """The IP address ``host`` spells, or None when it is a name.

    Accepts bracketed or bare IPv6 (``[::1]``, ``::1``) and the IPv4 forms browsers accept:
    ``127.0.0.1``, ``127.1``, ``2130706433``, ``0x7f.1``, ``017700000001``, a trailing dot.
    """
    text = host.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    if ":" in text:
        try:
            return ipaddress.IPv6Address(text)
        except ValueError:
            return None
    return _parse_ipv4(text)


def _parse_ipv4(text: str) -> ipaddress.IPv4Address | None:
    """WHATWG's IPv4 parser: 1-4 parts, each decimal, 0x-hex or 0-octal; the last fills the rest."""
    parts = text.split(".")
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()  # "127.0.0.1." is the same host
    if not 1 <= len(parts) <= 4:
        return None
    numbers: list[int] = []
    for part in parts:
        number = _ipv4_number(part)
        if number is None:
            return None
        numbers.append(number)
    *leading, last = numbers
    if any(number > 255 for number in leading) or last >= 256 ** (5 - len(numbers)):
        return None
    value = last
    for index, number in enumerate(leading):
        value += number << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def _ipv4_number(part: str) -> int | None:
    if not part:
        return None
    base = 10
    digits = part
    if part[:2].lower() == "0x":
        base, digits = 16, part[2:]
        if not digits:
            return 0  # WHATWG reads a bare "0x" as zero
    elif len(part) > 1 and part[0] == "0":
        base, digits = 8, part[1:]
    if not all(char in _DIGITS[base] for char in digits):
        return None
    return int(digits, base)


def non_public_reason(ip: IPAddress) -> str | None:
    """Why ``ip`` is not a public internet address ("loopback", "private"...), or None if public."""
    if isinstance(ip, ipaddress.IPv4Address):
        return _v4_reason(ip)
    if ip.ipv4_mapped is not None:
        inner = _v4_reason(ip.ipv4_mapped)
        return f"IPv4-mapped {inner}" if inner else None
    if ip in _NAT64:
        inner = _v4_reason(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        return f"NAT64 {inner}" if inner else None
    if ip.sixtofour is not None:
        inner = _v4_reason(ip.sixtofour)
        return f"6to4 {inner}" if inner else None
    for network, reason in _V6_REASONS:
        if ip in network:
            return reason
    return None if ip.is_global else "reserved"


def _v4_reason(ip: ipaddress.IPv4Address) -> str | None:
    for network, reason in _V4_REASONS:
        if ip in network:
            return reason
    return None if ip.is_global else "reserved"
