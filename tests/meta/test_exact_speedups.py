"""Shortcuts taken for speed in reading a page give exactly what the plain expressions gave.

Each test holds the plain expression the code used before, as the reference, and compares the
shortcut with it where the two could part: at the boundaries of the shortcut.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citecheck.meta.html import _SCAN_TEXT, _collapsed
from citecheck.meta.parking import _PARKING_HOSTS, _PARKING_PATHS, _THIN_WORDS, _parking_address
from citecheck.meta.parking import parked as parked_reason

# str.split() splits on all of these, ASCII and not.
SPACES = [
    " ",
    "  ",
    "\n",
    "\t",
    " \n\t  ",
    "\r\n",
    "\x0b\x0c",
    "\x1c",
    "\u00a0",
    "\u2003",
    "\u3000",
]


def reference_collapsed(text: str, cap: int) -> str:
    return " ".join(text[: cap * 4].split())[:cap]


def spaced(words: list[str], gaps: list[str]) -> str:
    return "".join(word + gaps[i % len(gaps)] for i, word in enumerate(words))


@pytest.mark.parametrize("gap", [" ", "  ", " \n\t ", "\u3000\u00a0", " " * 40])
@pytest.mark.parametrize("shift", range(-3, 4))
@pytest.mark.parametrize("word", ["ab", "x" * 9, "ç" * 30])
def test_collapsing_a_page_near_the_scan_length_is_exact(gap: str, shift: int, word: str) -> None:
    # Collapsed lengths just under, at and just over what is kept, with runs of whitespace that
    # make the raw text longer than the first slice read (or than four times what is kept).
    count = (_SCAN_TEXT + shift) // (len(word) + 1) + 1
    for lead in ("", gap, gap * 200):
        text = lead + spaced([word] * count, [gap])
        assert _collapsed(text, _SCAN_TEXT) == reference_collapsed(text, _SCAN_TEXT)
        assert _collapsed(text[: len(text) - 1], _SCAN_TEXT) == reference_collapsed(
            text[: len(text) - 1], _SCAN_TEXT
        )


def test_collapsing_whitespace_only_or_one_long_word_is_exact() -> None:
    for text in ["", " " * 50_000, "\n" * 9_999, "x" * 50_000, " " * 9_999 + "x" * 20]:
        assert _collapsed(text, _SCAN_TEXT) == reference_collapsed(text, _SCAN_TEXT)


@pytest.mark.parametrize("length", range(_SCAN_TEXT - 3, _SCAN_TEXT + 5))
@pytest.mark.parametrize("lead", ["", " "])
@pytest.mark.parametrize("tail", ["", " ", "  x", " \nx", "\u00a0x", "\u00adx"])
def test_collapsing_text_already_collapsed_is_exact(length: int, lead: str, tail: str) -> None:
    # Single spaces only, up to a double space, a newline or a non-printable character placed
    # just before, at or just after the end of the slice that is checked for them.
    text = lead + ("word " * length)[:length] + tail
    assert _collapsed(text, _SCAN_TEXT) == reference_collapsed(text, _SCAN_TEXT)


def test_printable_text_has_no_whitespace_but_the_space() -> None:
    # What lets already-collapsed text skip the split, on this Python's Unicode tables.
    characters = map(chr, range(0x110000))
    assert [c for c in characters if c.isspace() and c.isprintable()] == [" "]


WORDS = st.text(alphabet="ab\u00e9\u4e00\u00ad.-", min_size=1, max_size=12)
GAPS = st.sampled_from(SPACES)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(WORDS, max_size=60),
    st.lists(GAPS, min_size=1, max_size=8),
    st.sampled_from(["", " ", "\n\n   "]),
    st.integers(min_value=1, max_value=40),
)
def test_collapsing_any_text_to_any_cap_is_exact(
    words: list[str], gaps: list[str], lead: str, cap: int
) -> None:
    # Small caps put the slices' edges inside words and whitespace runs alike.
    text = lead + spaced(words, gaps)
    assert _collapsed(text, cap) == reference_collapsed(text, cap)


@pytest.mark.parametrize("extra", range(-3, 4))
@pytest.mark.parametrize(("lead", "gap", "tail"), [("", " ", ""), (" \n", "\t \n", " \n\t")])
def test_a_page_is_thin_below_the_word_threshold_exactly(
    extra: int, lead: str, gap: str, tail: str
) -> None:
    # A sale title counts only on a thin page (or one with a buying call, here none).
    words = _THIN_WORDS + extra
    text = lead + gap.join(["word"] * words) + tail
    why = parked_reason("https://example.org/a", ("rights.org is for sale",), [], text, None)
    assert (why is not None) == (len(text.split()) < _THIN_WORDS)
    assert (why is not None) == (words < _THIN_WORDS)


def reference_parking_address(address: str) -> str | None:
    """_parking_address as it read every address before: parse it, then compare its host."""
    prefixed = "http:" + address if address.startswith("//") else address
    try:
        host = (urlsplit(prefixed).hostname or "").lower()
    except ValueError:
        host = ""
    if host and any(host == p or host.endswith("." + p) for p in _PARKING_HOSTS):
        return host
    if _PARKING_PATHS.search(address):
        return address.removeprefix("//").split("?")[0][:100]
    return None


HOST_PARTS = st.sampled_from(
    [
        *_PARKING_HOSTS,
        "SEDOPARKING.COM",
        "par\u212aingcrew.net",  # the Kelvin sign lower-cases to an ASCII k
        "b\u0130dis.com",
        "bod\tis.com",
        "sedo\rparking.com",
        "above.co\nm",
        "notabove.com",
        "above.com.example.org",
        "www.example.org",
        "[::1]",
        "[v1.x%25above.com]",
    ]
)


@settings(max_examples=500, deadline=None)
@given(
    st.sampled_from(["", "//", "https://", "HTTP://", " \t https://", "/redirect?to=https://"]),
    st.sampled_from(["", "user@", "a:b@"]),
    st.lists(HOST_PARTS, min_size=1, max_size=2).map(".".join),
    st.sampled_from(["", ":8080", ":x"]),
    st.sampled_from(["", "/", "/adsense/domains/caf.js", "/Parking-Lander/", "/a?b=c#d"]),
)
def test_addresses_are_read_for_parking_hosts_exactly(
    scheme: str, user: str, host: str, port: str, path: str
) -> None:
    address = scheme + user + host + port + path
    assert _parking_address(address) == reference_parking_address(address)
