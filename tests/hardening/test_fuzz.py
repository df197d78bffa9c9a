"""Fuzzing the parsers and the page-metadata extractor: whatever the input, no exception and
sane records. Bounded (max_examples, no deadline) so the suite stays quick.

The strategies mix random text with the characters and fragments that steer these parsers
(brackets, angle brackets, footnote markers, superscripts, URL pieces, tags), because purely
random text almost never reaches their interesting branches.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citecheck.meta import page_meta
from citecheck.models import Letter, LetterFormat, LinkKind, PageMeta
from citecheck.parse import letter_references

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

PIECES = [
    "[",
    "]",
    "(",
    ")",
    "<",
    ">",
    "[^1]",
    "[^1]: ",
    "¹",
    "²³",
    "#",
    "\n",
    "\n\n",
    "> ",
    "- ",
    "1. ",
    "    ",
    "`",
    "```\n",
    "*",
    "_",
    "\\",
    '"',
    "'",
    "https://",
    "http://",
    "ngo.test",
    "/path?q=1&r=2#frag",
    "mailto:a@b.test",
    "tel:+3212345",
    "javascript:",
    "user:pw@",
    "<a href=",
    "</a>",
    "<sup>",
    "</sup>",
    "<p>",
    "<!--",
    "-->",
    "&amp;",
    "&#0;",
    "17 July 2025",
    "2024-06-13",
    "Notes",
    "\u200b",
    "\ufeff",
    "\x00",
    "\r",
    "\u2028",
    "é",
    "中文",
    "🙂",
]

letter_text = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=8)), max_size=60).map(
    "".join
)


def _as_loaded(text: str) -> str:
    """Letters reach the parsers with LF line ends only (letters.decode_letter normalises them)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _check_references(letter: Letter) -> None:
    references = letter_references(letter)
    assert isinstance(references, list)
    lines = letter.text.split("\n")
    for reference in references:
        assert reference.letter == letter.path
        assert isinstance(reference.kind, LinkKind)
        assert isinstance(reference.url, str) and isinstance(reference.text, str)
        assert 1 <= reference.line <= len(lines) + 1, reference
        assert reference.column >= 1
        assert reference.footnote is None or isinstance(reference.footnote, str)
        for date in (reference.cited_date,):
            assert date is None or (len(date) in (4, 7, 10) and date[:4].isdigit())


@FUZZ
@given(letter_text)
def test_markdown_letters_never_break_the_parser(text: str) -> None:
    _check_references(Letter("fuzz.md", LetterFormat.MARKDOWN, _as_loaded(text)))


@FUZZ
@given(letter_text)
def test_text_letters_never_break_the_parser(text: str) -> None:
    _check_references(Letter("fuzz.txt", LetterFormat.TEXT, _as_loaded(text)))


@FUZZ
@given(letter_text)
def test_html_letters_never_break_the_parser(text: str) -> None:
    _check_references(Letter("fuzz.html", LetterFormat.HTML, _as_loaded(text)))


HTML_PIECES = [
    "<title>",
    "</title>",
    "<h1>",
    "</h1>",
    '<meta property="og:title" content="',
    '<meta name="citation_publication_date" content="',
    '<meta property="article:published_time" content="',
    '<meta property="og:site_name" content="',
    '<meta charset="',
    '<link rel="canonical" href="',
    '<script type="application/ld+json">',
    '{"@type":"NewsArticle","headline":"',
    '","datePublished":"',
    "</script>",
    '">',
    '"',
    "<time datetime=",
    '<a id="x" name="y">',
    "<html lang=",
    "2025-07-17T09:00:00Z",
    "17/07/2025",
    "99999-99-99",
    "Report | NGO",
    "&#x0;",
    "&nbsp;",
    "<![CDATA[",
    "<svg>",
    "<",
    ">",
]

html_text = st.lists(
    st.one_of(st.sampled_from(HTML_PIECES), st.text(max_size=10)), max_size=50
).map("".join)
html_bytes = st.one_of(html_text.map(lambda text: text.encode()), st.binary(max_size=300))
content_types = st.sampled_from(
    ["text/html", "application/xhtml+xml", "application/pdf", "text/plain", "image/png", None]
)
charsets = st.sampled_from([None, "utf-8", "latin-1", "utf-16", "x-klingon", "", "shift_jis"])


@FUZZ
@given(html_bytes, content_types, charsets)
def test_page_metadata_never_breaks(
    body: bytes, content_type: str | None, charset: str | None
) -> None:
    meta = page_meta(body, content_type, "https://ngo.test/page", charset=charset)

    assert isinstance(meta, PageMeta)
    for value in (meta.title, meta.site_name, meta.canonical, meta.lang, meta.description):
        assert value is None or isinstance(value, str)
    assert meta.published is None or (
        len(meta.published) in (4, 7, 10) and meta.published[:4].isdigit()
    )
    assert all(isinstance(title, str) for title in meta.title_candidates)
    assert isinstance(meta.anchors, frozenset)
