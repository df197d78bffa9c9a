"""HTML metadata beyond title and date: canonical, language, headings, text, anchors, decoding."""

from __future__ import annotations

import time

import pytest

from citecheck.meta import page_meta
from citecheck.meta.decode import decode_page
from citecheck.models import PageMeta

URL = "https://www.ngo.example/news/2024/x"


def html(head: str = "", body: str = "") -> bytes:
    return f"<!doctype html><html><head>{head}</head><body>{body}</body></html>".encode()


def test_canonical_is_resolved_against_the_page_address() -> None:
    meta = page_meta(html('<link rel="canonical" href="/en/news/x">'), "text/html", URL)
    assert meta.canonical == "https://www.ngo.example/en/news/x"
    og = page_meta(html('<meta property="og:url" content="https://ngo.example/y">'), None, URL)
    assert og.canonical == "https://ngo.example/y"
    bad = page_meta(html('<link rel="canonical" href="javascript:alert(1)">'), "text/html", URL)
    assert bad.canonical is None


def test_text_head_leaves_out_scripts_styles_navigation_and_footer() -> None:
    body = (
        "<header><nav>Menu Forced labour Detention</nav></header><script>var secret=1</script>"
        "<style>.x{}</style><main><h1>Report title</h1><p>The body text.</p></main>"
        "<footer>Cookie settings</footer>"
    )
    meta = page_meta(html(body=body), "text/html", URL)
    assert meta.text_head == "Report title The body text."


def test_text_head_is_capped_and_headings_are_collected_in_order() -> None:
    body = "<h2>Second</h2><h1>First</h1><h3>Third</h3>" + "<p>word </p>" * 5000
    meta = page_meta(html(body=body), "text/html", URL)
    assert len(meta.text_head) <= 2000
    assert meta.headings == ("Second", "First", "Third")


def test_anchors_description_and_lang() -> None:
    page = (
        b'<html lang="fr-BE"><head><meta name="description" content="  Une   description ">'
        b'</head><body><h2 id="fn1">Notes</h2><a name="section-2"></a></body></html>'
    )
    meta = page_meta(page, "text/html; charset=utf-8", URL)
    assert meta.anchors == frozenset({"fn1", "section-2"})
    assert meta.description == "Une description"
    assert meta.lang == "fr-BE"


def test_modified_dates_are_not_publication_dates() -> None:
    head = (
        '<meta property="article:modified_time" content="2025-01-02">'
        '<script type="application/ld+json">'
        '{"@type":"Article","dateModified":"2025-01-02"}</script>'
    )
    body = "<h1>A page</h1><p>Last updated 2 January 2025</p><footer>© 2025</footer>"
    meta = page_meta(html(head, body), "text/html", "https://ngo.example/about")
    assert meta.published is None


def test_machine_dates_keep_the_calendar_day_as_written() -> None:
    head = '<meta property="article:published_time" content="2024-06-13T23:30:00-05:00">'
    assert page_meta(html(head), "text/html", URL).published == "2024-06-13"


@pytest.mark.parametrize(
    ("data", "charset", "expected"),
    [
        ("Déclaration – l’UE".encode("cp1252"), "windows-1252", "Déclaration – l’UE"),
        ("Déclaration – l’UE".encode("cp1252"), "iso-8859-1", "Déclaration – l’UE"),
        ("Zwangsarbeit für Uiguren".encode(), None, "Zwangsarbeit für Uiguren"),
        (b"\xef\xbb\xbf" + "Caf\u00e9".encode(), "iso-8859-1", "Café"),
        (
            '<meta charset="shift_jis">強制労働'.encode("shift_jis"),
            None,
            '<meta charset="shift_jis">強制労働',
        ),
        ("€ détention".encode("iso-8859-15"), "iso-8859-15", "€ détention"),
        (b"ok \xe2\x80", None, "ok \ufffd"),  # UTF-8 cut by the size cap mid-character
        (b"x", "no-such-charset", "x"),
    ],
)
def test_decoding(data: bytes, charset: str | None, expected: str) -> None:
    assert decode_page(data, charset) == expected


def test_other_content_types_give_empty_metadata() -> None:
    assert page_meta(b"\x89PNG\r\n\x1a\n....", "image/png", URL) == PageMeta()
    assert page_meta(b'{"a": 1}', "application/json", URL) == PageMeta()


@pytest.mark.parametrize(
    "page",
    [
        b"<html><head><title>" + b"A" * 1_000_000 + b"</title></head></html>",
        b"<html><body>" + b"<div>" * 100_000 + b"deep" + b"</div>" * 100_000 + b"</body></html>",
        b"<html><body>" + b"<span><b><i>" * 50_000 + b"</body></html>",
        b"<html><body>" + b"</div>" * 100_000 + b"<div>" * 100_000 + b"deep</body></html>",
        b"<html>" + bytes(range(256)) * 4000 + b"</html>",
        b'<script type="application/ld+json">' + b"[" * 100_000 + b"</script>",
        b'<script type="application/ld+json">{"headline": "' + b"x" * 2_000_000 + b"</script>",
        b"<meta content=x>" * 50_000 + b"<a id=a>" * 50_000,
    ],
    ids=[
        "huge-title",
        "deep-nesting",
        "deep-inline",
        "deep-after-stray-closings",
        "binary",
        "ld-nesting",
        "ld-huge",
        "many-attrs",
    ],
)
def test_hostile_pages_are_fast_and_bounded(page: bytes) -> None:
    start = time.perf_counter()
    meta = page_meta(page, "text/html", URL)
    assert time.perf_counter() - start < 2.0  # generous for slow CI; typical is far below
    assert meta.title is None or len(meta.title) <= 500
    assert len(meta.text_head) <= 2000
    assert len(meta.anchors) <= 5000
