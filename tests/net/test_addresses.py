"""The address guard as pure functions: numeric host spellings and non-public ranges."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citecheck.net.addresses import non_public_reason, parse_host_address

V4, V6 = ipaddress.IPv4Address, ipaddress.IPv6Address


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("127.0.0.1", V4("127.0.0.1")),
        ("2130706433", V4("127.0.0.1")),
        ("0x7f.1", V4("127.0.0.1")),
        ("0X7F.0.0.1", V4("127.0.0.1")),
        ("017700000001", V4("127.0.0.1")),
        ("0177.0.0.01", V4("127.0.0.1")),
        ("127.1", V4("127.0.0.1")),
        ("10.1.258", V4("10.1.1.2")),
        ("127.0.0.1.", V4("127.0.0.1")),
        ("0", V4("0.0.0.0")),
        ("[::1]", V6("::1")),
        ("::1", V6("::1")),
        ("[::ffff:127.0.0.1]", V6("::ffff:127.0.0.1")),
        ("[fe80::1%eth0]", V6("fe80::1%eth0")),
    ],
)
def test_numeric_spellings_browsers_accept(host: str, address: object) -> None:
    assert parse_host_address(host) == address


@pytest.mark.parametrize(
    "host",
    [
        "example.org",
        "ngo.test",
        "1.2.3.4.5",
        "256.0.0.1",
        "1.2.3.x",
        "09.1",
        "1..1",
        "",
        "0x7g.1",
        "[::1",
        "a:b:c",
        "4294967296",
        "1.16777216",
    ],
)
def test_names_and_impossible_numbers_are_not_addresses(host: str) -> None:
    assert parse_host_address(host) is None


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.255.255.254", "loopback"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("172.31.255.255", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),  # the cloud metadata service
        ("100.64.0.1", "carrier-grade NAT"),
        ("100.127.255.255", "carrier-grade NAT"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("255.255.255.255", "broadcast"),
        ("240.0.0.1", "reserved"),
        ("192.0.2.1", "documentation"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("fc00::1", "unique-local"),
        ("fd12:3456::1", "unique-local"),
        ("ff02::1", "multicast"),
        ("::ffff:127.0.0.1", "IPv4-mapped loopback"),
        ("::ffff:10.0.0.1", "IPv4-mapped private"),
        ("64:ff9b::7f00:1", "NAT64 loopback"),
        ("2002:a00:1::1", "6to4 private"),
        ("2001:db8::1", "documentation"),
    ],
)
def test_non_public_ranges_are_named(address: str, reason: str) -> None:
    assert non_public_reason(ipaddress.ip_address(address)) == reason


@pytest.mark.parametrize(
    "address",
    [
        "8.8.8.8",
        "1.1.1.1",
        "172.32.0.1",
        "100.128.0.1",
        "93.184.216.34",
        "2606:4700:4700::1111",
        "::ffff:8.8.8.8",
        "2a00:1450:4001::200e",
    ],
)
def test_public_addresses_pass(address: str) -> None:
    assert non_public_reason(ipaddress.ip_address(address)) is None


def test_every_spelling_of_loopback_is_caught() -> None:
    for host in ("2130706433", "0x7f.1", "017700000001", "127.1", "[::1]", "[::ffff:127.0.0.1]"):
        address = parse_host_address(host)
        assert address is not None
        assert "loopback" in (non_public_reason(address) or ""), host


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_decimal_hex_octal_and_dotted_agree(value: int) -> None:
    address = V4(value)
    assert parse_host_address(str(value)) == address
    assert parse_host_address(hex(value)) == address
    assert parse_host_address("0" + oct(value)[2:]) == address
    assert parse_host_address(str(address)) == address


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_ipv4_mapped_ipv6_is_judged_as_its_ipv4(value: int) -> None:
    inner = non_public_reason(V4(value))
    mapped = non_public_reason(V6(f"::ffff:{V4(value)}"))
    assert mapped == (None if inner is None else f"IPv4-mapped {inner}")
