"""HTML letters: every <a href> at the "<" of its tag, resolved, decoded, with its notes."""

from __future__ import annotations

from citecheck.models import LetterFormat

from parse_helpers import claims, places, refs

HTML = LetterFormat.HTML


def test_anchors_are_placed_decoded_and_resolved_against_base() -> None:
    found = refs(
        HTML,
        """
        <html><head><base href="https://base.example/dir/"><title>[x](https://t.example)</title>
        <style>a{}</style><script>var s = '<a href="https://script.example">';</script></head>
        <body><p>Prose <a href="page.html">rel &amp; link</a>, <a href="#">placeholder</a>,
        <a href="">empty</a><!-- <a href="https://comment.example">x</a> -->
        <a name="top">no href</a> <A HREF='https://upper.example/?a=1&amp;b=2'>
          multi
          line <img alt="image"></A> <a href=" https://spaced.example/ ">s</a>
        </body></html>
        """,
    )
    assert places(found) == [
        (3, 16, "inline", "rel & link", "https://base.example/dir/page.html"),
        (3, 56, "inline", "placeholder", "#"),
        (4, 1, "inline", "empty", ""),
        (5, 27, "inline", "multi line image", "https://upper.example/?a=1&b=2"),
        (7, 30, "inline", "s", "https://spaced.example/"),
    ]


def test_without_base_hrefs_stay_as_written() -> None:
    found = refs(HTML, '<p><a href="../rel">r</a> <a href="mailto:x@y.org">m</a>', dedent=False)
    assert [r.url for r in found] == ["../rel", "mailto:x@y.org"]


def test_footnote_list_with_ids_and_backlinks() -> None:
    found = refs(
        HTML,
        """
        <p>A claim<sup><a href="#fn1" id="fnref1">1</a></sup> and <a href="https://p.example">prose</a>, 2020.</p>
        <section class="footnotes" role="doc-endnotes"><ol>
        <li id="fn1"><p><a href="https://fn.example/1">Fn one</a>, <time>5 May 2023</time>.
        <a href="#fnref1">↩</a></p></li>
        <li><a href="https://fn.example/2">Fn two</a>, 2022
        <li id="fn:7"><a href="https://fn.example/7">Fn seven</a></li>
        </ol></section>
        """,  # noqa: E501
    )
    assert claims(found) == [
        (None, None, None),
        ("1", "Fn one", "2023-05-05"),
        ("2", "Fn two", "2022"),
        ("7", "Fn seven", None),
    ]
    assert found[1].cited_date_text == "5 May 2023"


def test_superscript_paragraphs_are_notes() -> None:
    found = refs(
        HTML,
        """
        <p>¹ See <a href="https://sup.example/a">Sup title</a>, 17 July 2025;
        <a href="https://sup.example/b">B</a>, 13 June 2024.
        <p><sup>2</sup> See <a href="https://sup.example/c">C</a> (März 2024)</p>
        <p>Not a note <a href="https://prose.example">x</a>, 2021</p>
        """,
    )
    assert claims(found) == [
        ("1", "Sup title", "2025-07-17"),
        ("1", "B", "2024-06-13"),
        ("2", "C", "2024-03"),
        (None, None, None),
    ]
    assert [(r.line, r.column) for r in found] == [(1, 10), (2, 1), (3, 21), (4, 15)]


def test_a_notes_heading_makes_its_lists_and_numbered_paragraphs_notes() -> None:
    found = refs(
        HTML,
        """
        <h2>Références</h2>
        <ul><li><a href="https://s.example/1">S1</a>, 1er janvier 2020<li><a href="https://s.example/2">S2</a></ul>
        <p>[3] <a href="https://s.example/3">S3</a>, 2019</p>
        <h2>Annexe</h2><p><a href="https://after.example/">after</a>, 2 May 2021</p>
        """,
    )
    assert claims(found) == [
        ("1", "S1", "2020-01-01"),
        ("2", "S2", None),
        ("3", "S3", "2019"),
        (None, None, None),
    ]


def test_word_html_export_notes() -> None:
    found = refs(
        HTML,
        """
        <p>Text<a href="#_ftn1" name="_ftnref1">[1]</a></p>
        <div id="ftn1"><p><a href="#_ftnref1" name="_ftn1">[1]</a> See
        <a href="https://w.example/doc">Word doc</a>, 12 June 2023.</p></div>
        """,
    )
    assert claims(found) == [("1", "Word doc", "2023-06-12")]
