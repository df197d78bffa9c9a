"""Edges of the address guard's parsers and classifier, found by mutation testing."""

from __future__ import annotations

import ipaddress

import pytest

from citecheck.net.addresses import non_public_reason, parse_host_address


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("127.", "0.0.0.127"),  # one number and a trailing dot: the dot is dropped
        ("1.2.3.4.0", None),  # five parts are a name, whatever they add up to
        ("1.2.3.4.5", None),
        ("0x7f.0x.0x.1", "127.0.0.1"),  # a bare "0x" is zero, as browsers read it
        ("0x", "0.0.0.0"),
        ("", None),
        (".", None),
    ],
)
def test_ipv4_spellings(host: str, address: str | None) -> None:
    parsed = parse_host_address(host)
    assert (str(parsed) if parsed is not None else None) == address


@pytest.mark.parametrize(
    "address",
    [
        "64:ff9b::808:808",  # NAT64 of 8.8.8.8
        "2002:808:808::1",  # 6to4 of 8.8.8.8
        "::ffff:8.8.8.8",  # IPv4-mapped 8.8.8.8
        "2606:4700::1111",
    ],
)
def test_v6_forms_of_public_addresses_are_public(address: str) -> None:
    assert non_public_reason(ipaddress.IPv6Address(address)) is None


@pytest.mark.parametrize("address", ["2001::1", "2001:2::1", "2001:10::1"])
def test_v6_special_purpose_addresses_outside_the_table_are_reserved(address: str) -> None:
    assert non_public_reason(ipaddress.IPv6Address(address)) == "reserved"
