"""Shortcuts taken for speed in reading a page give exactly what the plain expressions gave.

Each test holds the plain expression the code used before, as the reference, and compares the
shortcut with it where the two could part: at the boundaries of the shortcut.
"""

from __future__ import annotations

import re
import string
from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from citecheck.meta import html, parking
from citecheck.meta.html import _SCAN_TEXT, _clip, _collapsed, _first_text

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
    words = parking._THIN_WORDS + extra
    text = lead + gap.join(["word"] * words) + tail
    why = parking.parked("https://example.org/a", ("rights.org is for sale",), [], text, None)
    assert (why is not None) == (len(text.split()) < parking._THIN_WORDS)
    assert (why is not None) == (words < parking._THIN_WORDS)


def reference_parking_address(address: str) -> str | None:
    """_parking_address as it read every address before: parse it, then compare its host."""
    prefixed = "http:" + address if address.startswith("//") else address
    try:
        host = (urlsplit(prefixed).hostname or "").lower()
    except ValueError:
        host = ""
    if host and any(host == p or host.endswith("." + p) for p in parking._PARKING_HOSTS):
        return host
    if parking._PARKING_PATHS.search(address):
        return address.removeprefix("//").split("?")[0][:100]
    return None


HOST_PARTS = st.sampled_from(
    [
        *parking._PARKING_HOSTS,
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
    assert parking._parking_address(address) == reference_parking_address(address)


def reference_parking_marker(tree: LexborHTMLParser) -> str | None:
    """parking_marker as it was before: a query of the tree for each kind of element."""
    for selector, attr in (
        ("script[src]", "src"),
        ("iframe[src], frame[src]", "src"),
        ("form[action]", "action"),
        ("img[src]", "src"),
        ("link[href]", "href"),
    ):
        for node in tree.css(selector)[:200]:
            found = parking._parking_address(node.attributes.get(attr) or "")
            if found:
                return f"it loads {found}"
    for node in tree.css("meta[http-equiv]")[:200]:
        if (node.attributes.get("http-equiv") or "").lower() == "refresh":
            content = node.attributes.get("content") or ""
            target = parking._hostname(content.partition("=")[2].strip(" '\""))
            if parking._market_host(target):
                return f"it forwards to {target}"
    for node in tree.css("script:not([src])")[:200]:
        match = parking._INLINE_MARKERS.search(node.text()[:20_000])
        if match:
            return f"its script sets up a parking page ({match.group(0).strip()})"
    return None


FRAME = "<iframe src=x></iframe>"
ELEMENTS = [
    "<script src=//sedoparking.com/p.js></script>",
    "<SCRIPT SRC=//Above.com/x></SCRIPT>",
    "<script src></script>",
    "<script>var a = 1</script>",
    "<script>window.park = 'x'</script>",
    "<iframe src=//bodis.com/f></iframe>",
    "<form action=https://ndparking.com/s></form>",
    "<img src=//www.google.com/adsense/domains/caf.js>",
    "<img src=/logo.png>",
    "<link rel=stylesheet href=https://parkingcrew.net/c.css>",
    "<link href>",
    "<meta http-equiv=refresh content='0; url=https://sedo.com/search/details/?domain=x.org'>",
    "<meta http-equiv=Content-Type content=text/html>",
    "<svg><script src=//dsnextgen.com/s></script><img src=//bodis.com/i></svg>",
    "<math><script>window.park = 1</script></math>",
    "<template><script src=//above.com/t></script></template>",
    "<noscript><img src=//above.com/n></noscript>",
]


@pytest.mark.parametrize(
    "html",
    [
        "<frameset><frame src=/a><frame src=//above.com/b></frameset>",
        FRAME * 150 + "<frame src=//above.com>" + FRAME * 50 + "<iframe src=//bodis.com></iframe>",
        "<img src=/x>" * 200 + "<img src=//above.com>",
        "<img src=/x>" * 199 + "<img src=//above.com>",
        "<script>1</script>" * 200 + "<script>window.park = 1</script>",
        "<script src=/a></script>" * 300 + "<script>window.park = 1</script>",
        "<meta http-equiv=x>" * 200 + "<meta http-equiv=refresh content='0;url=//sedo.com'>",
        "<meta http-equiv=x>" * 199 + "<meta http-equiv=refresh content='0;url=//sedo.com'>",
    ],
)
def test_the_nodes_read_for_parking_machinery_are_counted_exactly(html: str) -> None:
    # At most 200 of each kind are read, frames and iframes as one kind, in document order.
    tree = LexborHTMLParser(html)
    assert parking.parking_marker(tree) == reference_parking_marker(tree)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(ELEMENTS), max_size=8))
def test_parking_machinery_is_read_in_the_same_order(elements: list[str]) -> None:
    # Which signal wins when a page has several: scripts, frames, forms, images, links, then
    # refreshes, then inline scripts, whatever their order in the page.
    tree = LexborHTMLParser("<!doctype html><html><head>" + "".join(elements) + "<body><p>x")
    assert parking.parking_marker(tree) == reference_parking_marker(tree)


def reference_first_text(tree: LexborHTMLParser, selector: str, cap: int) -> str | None:
    for node in tree.css(selector)[:50]:
        text = _clip(node.text(separator=" ", strip=True), cap)
        if text:
            return text
    return None


@pytest.mark.parametrize(
    "html",
    [
        "<p>no heading",
        "<h1>Title</h1><h1>Second</h1>",
        "<h1> </h1><h1><img alt=x></h1><h1>Third</h1>",
        "<h1></h1>" * 49 + "<h1>Fiftieth</h1>",
        "<h1></h1>" * 50 + "<h1>Fifty-first</h1>",
        "<h1><span><h1>nested</h1></span> outer</h1>",
        "<title>  </title><svg><title>Icon</title></svg><title>Late</title>",
        "<svg><h1>broken out</h1></svg><template><h1>template</h1></template>",
    ],
)
@pytest.mark.parametrize("selector", ["h1", "title"])
def test_the_first_heading_or_title_with_words_is_found_exactly(html: str, selector: str) -> None:
    tree = LexborHTMLParser(html)
    assert _first_text(tree, selector, 500) == reference_first_text(tree, selector, 500)


SCRIPT_PARTS = [
    "var a = 1;",
    "\n",
    "é",
    "Σ",
    "park",
    "window.park = {}",
    "WINDOW.PARK=",
    "window.parked = 1",
    "xwindow.park=",
    "ADSENSE/DOMAINS/CAF.JS",
    "adſenſe/domains/caf.js",
    "syndİcatedsearch.goog",
    "syndıcatedsearch.goog",
    "SyndicatedSearch.Goog",
    "sedopar\u212aing",
    "PARKINGCREW",
]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(SCRIPT_PARTS), max_size=6))
def test_inline_scripts_are_searched_for_parking_setups_exactly(parts: list[str]) -> None:
    script = "".join(parts)
    found = parking._inline_marker(script)
    expected = parking._INLINE_MARKERS.search(script)
    assert (found and (found.span(), found.group(0))) == (
        expected and (expected.span(), expected.group(0))
    )


def test_a_case_blind_search_takes_no_other_character_for_a_letter() -> None:
    # What the cheap look at a lower-cased script relies on, on this Python's Unicode tables:
    # a character that re.IGNORECASE matches to an ASCII letter lower-cases to that letter,
    # or is one of the few the look sends straight to the search.
    everything = "".join(map(chr, range(0x110000)))
    for letter in string.ascii_lowercase:
        for character in set(re.findall(letter, everything, re.IGNORECASE)):
            assert character.lower() == letter or character in parking._CASE_ODD


def reference_bounded(text: str) -> str:
    """_bounded as it was before: every page of 1,500 brackets or more had its tags read."""
    if text.count("<") < 1_500 or html._deepest(html._ROUGH_TAG.findall(text)) <= 1_500:
        return text
    depth = 0
    for match in html._TAG.finditer(text):
        depth = max(0, depth - 1) if match.group(1) else depth + 1
        if depth > 1_500 and not html._SELF_CLOSED.match(text, match.start()):
            return text[: match.start()]
    return text


@pytest.mark.parametrize("opened", [1_498, 1_499, 1_500, 1_501, 1_502])
@pytest.mark.parametrize(
    ("before", "filler"),
    [
        ("", ""),
        ("", "</p>"),  # closings of tags that do not nest
        ("</div>" * 3, "<br>"),
        ("<!-- a -->" * 40, "</span>"),
        ("<" * 30 + "</ " * 30, "<p>"),
        ("", "<img/>"),
    ],
)
def test_deep_pages_are_cut_exactly_where_they_were(opened: int, before: str, filler: str) -> None:
    # Pages around the depth limit, with brackets that open nothing mixed in.
    for closings in (0, 1, 400):
        text = before + ("<div>" + filler) * opened + "x" + "</div>" * closings
        assert html._bounded(text) == reference_bounded(text)
