"""Pure URL logic: placeholders, invalid links (as classify.precheck rules on them), dedupe keys,
masking."""

from __future__ import annotations

import pytest

from citecheck.classify import precheck
from citecheck.models import Status
from citecheck.urls import (
    SCHEMELESS,
    dedupe_key,
    mask_credentials,
    split_fragment,
    star_credentials,
)


@pytest.mark.parametrize(
    "url",
    [
        "#",
        "",
        "  ",
        "about:blank",
        "http://example.com",
        "https://www.example.org/report",
        "TODO",
        "tbd",
        "XXX",
        "[TODO]",
        "javascript:void(0)",
        "https://",
    ],
)
def test_placeholders(url: str) -> None:
    verdict = precheck(url)
    assert verdict is not None and verdict.status is Status.PLACEHOLDER


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("report.pdf", "not an absolute URL"),
        ("ftp://files.ngo.test/x", "unsupported scheme"),
        ("https://ngo.test:99999/", "malformed"),
        ("https:///path-only", "no host"),
        ("https://ngo test/", "whitespace"),
        ("mailto:nobody", "malformed mailto"),
        ("javascript:alert(1)", "unsupported scheme"),
    ],
)
def test_invalid(url: str, why: str) -> None:
    verdict = precheck(url)
    assert verdict is not None and verdict.status is Status.INVALID
    assert why in verdict.message


@pytest.mark.parametrize("url", ["mailto:press@ngo.test", "tel:+32 2 123 45 67", "#section-2"])
def test_skipped(url: str) -> None:
    verdict = precheck(url)
    assert verdict is not None and verdict.status is Status.SKIPPED


@pytest.mark.parametrize(
    "url", ["https://ngo.test/a", "http://[::1]:8080/x", "https://ünicode.test/ü?q=1#frag"]
)
def test_fetchable(url: str) -> None:
    assert precheck(url) is None


def test_dedupe_key_normalises_what_servers_ignore() -> None:
    same = [
        "HTTPS://NGO.test/Report?a=1",
        "https://ngo.test:443/Report?a=1",
        "https://ngo.test/Report?a=1#part-2",
        "https://ngo.test./Report?a=1",
    ]
    assert {dedupe_key(url) for url in same} == {"https://ngo.test/Report?a=1"}
    assert dedupe_key("https://ngo.test") == "https://ngo.test/"
    assert dedupe_key("https://ngo.test/report") != dedupe_key("https://ngo.test/REPORT")
    assert dedupe_key("http://ngo.test:8080/") == "http://ngo.test:8080/"


def test_split_fragment() -> None:
    assert split_fragment("https://a.test/p#x") == ("https://a.test/p", "x")
    assert split_fragment("https://a.test/p#") == ("https://a.test/p", None)
    assert split_fragment("https://a.test/p") == ("https://a.test/p", None)


def test_mask_credentials() -> None:
    assert mask_credentials("https://user:s3cret@ngo.test/x") == "https://***@ngo.test/x"
    assert mask_credentials("https://ngo.test/x?user=a@b") == "https://ngo.test/x?user=a@b"


def test_star_credentials_keeps_every_position() -> None:
    text = "see https://editor:hunter2@intranet.test/x and [a](http://u@b.test/)"
    starred = star_credentials(text)
    assert len(starred) == len(text)
    assert "hunter2" not in starred and "u@" not in starred
    assert starred.index("@intranet") == text.index("@intranet")


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("www.hrw.org/news/2025/x", "www.hrw.org"),
        ("WWW.HRW.ORG", "WWW.HRW.ORG"),
        ("www.fidh.org.", "www.fidh.org"),
        ("hrw.org/en/x", "hrw.org"),
        ("news.bbc.co.uk/2/hi", "news.bbc.co.uk"),
    ],
)
def test_a_scheme_less_address_is_recognised(text: str, address: str) -> None:
    found = SCHEMELESS.match(text)
    assert found is not None and found.group() == address


@pytest.mark.parametrize(
    "text",
    [
        "hrw.org",  # a host alone may be a name ("Amazon.com")
        "report.pdf",
        "index.html/x",
        "1.2.3/4",
        "v1.2/3",
        "e.g./i.e.",
        "press@hrw.org/x",
        "a/www.hrw.org",
        "www.example",
    ],
)
def test_names_files_and_numbers_are_no_addresses(text: str) -> None:
    assert all(SCHEMELESS.match(text, at) is None for at in range(len(text)))


def test_a_scheme_less_address_is_invalid_and_says_what_to_add() -> None:
    verdict = precheck("www.hrw.org/news")
    assert verdict is not None and verdict.status is Status.INVALID
    assert verdict.message == "no scheme: add https:// (https://www.hrw.org/news)"
    assert verdict.suggestion == "https://www.hrw.org/news"
