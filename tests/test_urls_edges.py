"""Edges of the URL facts that test_urls.py leaves open: the exact words a report shows for a
placeholder or an unusable URL, the bracketed placeholder forms, credentials and IPv6 hosts in a
URL's syntax and dedupe key, and hosts written in Unicode."""

from __future__ import annotations

import pytest

from citecheck.classify import precheck
from citecheck.urls import address_of, dedupe_key, http_syntax_problem, placeholder_reason


def test_an_empty_link_is_called_empty() -> None:
    assert placeholder_reason("   ") == "empty link"
    assert placeholder_reason("#") == "placeholder link '#'"


@pytest.mark.parametrize(
    "text", ["[TODO]", "[TBD]", "<TBC>", "(XXX)", "[XXX]", "#FIXME", "[link]", "<URL>"]
)
def test_every_bracketed_placeholder_word_is_a_placeholder(text: str) -> None:
    assert placeholder_reason(text) == f"placeholder link {text!r}"


@pytest.mark.parametrize("text", ["TODOX", "XLINK", "https://ngo.test/todo"])
def test_a_word_only_containing_a_placeholder_is_not_one(text: str) -> None:
    assert placeholder_reason(text) is None


def test_the_address_of_a_mailto_link_drops_only_its_query() -> None:
    assert address_of("mailto:press@ngo.test?subject=Hi?&cc=x@ngo.test") == "press@ngo.test"
    assert address_of("press@ngo.test") == "press@ngo.test"
    verdict = precheck("mailto:nobody?subject=Hello")
    assert verdict is not None and verdict.message == "malformed mailto: address 'nobody'"


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://ngo.test/a b", "URL contains whitespace"),
        ("https:///path-only", "URL has no host"),
        ("https://ngo..test/", "malformed host 'ngo..test'"),
        ("https://ngo..test:8080/", "malformed host 'ngo..test'"),
        ("https://ngo^x.test/", "malformed host 'ngo^x.test'"),
    ],
)
def test_what_makes_a_url_unusable_is_said_exactly(url: str, problem: str) -> None:
    assert http_syntax_problem(url) == problem


@pytest.mark.parametrize(
    "url",
    [
        "https://user:pw@ngo.test/x",
        "https://user:p@ss@ngo.test/x",  # an unencoded @ in the password: the last @ ends it
        "https://user@ngo.test:8443/x",
        "http://[::1]:8080/x",
    ],
)
def test_credentials_and_ports_do_not_make_the_host_malformed(url: str) -> None:
    assert http_syntax_problem(url) is None


def test_a_unicode_host_and_its_punycode_are_fetched_once() -> None:
    assert dedupe_key("https://ÜNICODE.test/ü") == "https://xn--nicode-2ya.test/ü"
    assert dedupe_key("https://xn--nicode-2ya.test/ü") == "https://xn--nicode-2ya.test/ü"


def test_a_host_idna_cannot_encode_is_kept_as_written() -> None:
    host = "ü" * 70 + ".test"  # a label over 63 characters: no punycode form exists
    assert dedupe_key(f"https://{host}/x") == f"https://{host}/x"


def test_an_ipv6_host_keeps_its_brackets() -> None:
    assert dedupe_key("http://[::1]:8080/x") == "http://[::1]:8080/x"
    assert dedupe_key("http://[::1]:80/x") == "http://[::1]/x"


@pytest.mark.parametrize(
    "url",
    ["https://user:pw@ngo.test/x", "https://user@ngo.test/x", "https://user:@ngo.test/x"],
)
def test_credentials_stay_part_of_the_key_as_written(url: str) -> None:
    # Different accounts may see different pages: user, password and even an empty password
    # are kept, so two accounts' links are fetched separately.
    assert dedupe_key(url) == url


def test_a_url_without_host_keeps_an_empty_host_in_its_key() -> None:
    assert dedupe_key("https:///path-only") == "https:///path-only"
