"""Markdown letters: every link syntax, placed at its first character, and its footnotes."""

from __future__ import annotations

from citecheck.models import LetterFormat

from parse_helpers import claims, places, refs

MD = LetterFormat.MARKDOWN


def test_inline_links_with_titles_angle_destinations_and_emphasis() -> None:
    found = refs(
        MD,
        """
        Some *emphasis [in link](https://a.example/x "Title")* and [**bold** text](<https://b.example/a b>).
        Two [one](https://one.example) [two](https://two.example/?q=1&r=2) on a line.
        """,  # noqa: E501
    )
    assert places(found) == [
        (1, 16, "inline", "in link", "https://a.example/x"),
        (1, 60, "inline", "bold text", "https://b.example/a b"),
        (2, 5, "inline", "one", "https://one.example"),
        (2, 32, "inline", "two", "https://two.example/?q=1&r=2"),
    ]


def test_reference_links_are_placed_where_used_and_unused_definitions_ignored() -> None:
    found = refs(
        MD,
        """
        Full [text][id], collapsed [ID][] and shortcut [id].

        [id]: https://ref.example/id "Title"
        [unused]: https://unused.example/
        """,
    )
    assert places(found) == [
        (1, 6, "reference", "text", "https://ref.example/id"),
        (1, 28, "reference", "ID", "https://ref.example/id"),
        (1, 48, "reference", "id", "https://ref.example/id"),
    ]


def test_autolinks_and_bare_urls_with_trailing_punctuation() -> None:
    found = refs(
        MD,
        """
        See <https://auto.example/path> and https://en.wikipedia.org/wiki/Foo_(bar).
        Also (https://paren.example/a), "https://quote.example/q"; mail mailto:x@y.org!
        **https://bold.example/** and tel:+3222 and <mailto:a@b.org> and xhttps://glued.example
        """,
    )
    assert places(found) == [
        (1, 5, "autolink", "https://auto.example/path", "https://auto.example/path"),
        (1, 37, "bare", *["https://en.wikipedia.org/wiki/Foo_(bar)"] * 2),
        (2, 7, "bare", "https://paren.example/a", "https://paren.example/a"),
        (2, 34, "bare", "https://quote.example/q", "https://quote.example/q"),
        (2, 65, "bare", "mailto:x@y.org", "mailto:x@y.org"),
        (3, 3, "bare", "https://bold.example/", "https://bold.example/"),
        (3, 31, "bare", "tel:+3222", "tel:+3222"),
        (3, 45, "autolink", "mailto:a@b.org", "mailto:a@b.org"),
    ]


def test_placeholders_and_unusual_schemes_are_kept_as_written() -> None:
    found = refs(MD, "[a](#) [b]() [c](javascript:void(0)) [d](https://x.example/%7E\\_a)\n")
    assert [r.url for r in found] == ["#", "", "javascript:void(0)", "https://x.example/%7E_a"]


def test_nested_and_escaped_brackets() -> None:
    found = refs(
        MD,
        r"""
        A [nested [brackets] text](https://n.example) and \[not a link](https://bare.example).
        """,
    )
    assert places(found) == [
        (1, 3, "inline", "nested [brackets] text", "https://n.example"),
        (1, 65, "bare", "https://bare.example", "https://bare.example"),
    ]


def test_links_in_lists_quotes_tables_and_headings() -> None:
    found = refs(
        MD,
        """
        # Title [head](https://h.example/) #

        > quoted [q](https://q.example)
        > lazy [l](https://l.example)

        - item [i](https://i.example)
          1. nested [n](https://n.example)

        | a | b |
        |---|---|
        | [x](https://x.example) | [x](https://x2.example) \\| [y](https://y.example) |
        """,
    )
    assert places(found) == [
        (1, 9, "inline", "head", "https://h.example/"),
        (3, 10, "inline", "q", "https://q.example"),
        (4, 8, "inline", "l", "https://l.example"),
        (6, 8, "inline", "i", "https://i.example"),
        (7, 13, "inline", "n", "https://n.example"),
        (11, 3, "inline", "x", "https://x.example"),
        (11, 28, "inline", "x", "https://x2.example"),
        (11, 55, "inline", "y", "https://y.example"),
    ]


def test_nothing_in_code_and_images_only_through_their_link() -> None:
    found = refs(
        MD,
        """
        `[code](https://no.example)` and ![img](https://img.example/i.png)

            [indented](https://no.example)

        ```
        https://fenced.example
        ```

        [![alt text](https://img.example/i.png)](https://outer.example)
        """,
    )
    assert places(found) == [(9, 1, "inline", "alt text", "https://outer.example")]


def test_raw_html_anchor_in_markdown() -> None:
    found = refs(MD, 'Text <a href="https://raw.example/?a=1&amp;b=2">raw *em*</a>.\n')
    assert places(found) == [(1, 6, "inline", "raw em", "https://raw.example/?a=1&b=2")]


def test_footnote_definitions_make_claims_and_markers_are_not_references() -> None:
    found = refs(
        MD,
        """
        A claim[^1] and another[^note] with a [link](#fn1).

        [^1]: See [Doc title](https://fn.example/doc), 17 July 2025; [Other](https://fn.example/o),
            juin 2024.

        [^note]: <https://fn.example/auto>, 2021. [Prose](https://p.example) in running text.
        """,
    )
    assert places(found) == [
        (3, 11, "inline", "Doc title", "https://fn.example/doc"),
        (3, 62, "inline", "Other", "https://fn.example/o"),
        (6, 10, "autolink", "https://fn.example/auto", "https://fn.example/auto"),
        (6, 43, "inline", "Prose", "https://p.example"),
    ]
    assert claims(found) == [
        ("1", "Doc title", "2025-07-17"),
        ("1", "Other", "2024-06"),
        ("note", None, "2021"),
        ("note", "Prose", None),
    ]
    assert found[0].cited_date_text == "17 July 2025"


def test_superscript_notes_one_per_line() -> None:
    found = refs(
        MD,
        """
        Prose with a marker.¹ And [topic](https://t.example), 2020.

        ¹ See [One](https://one.example), 1er juin 2024
        ²³ [Two](https://two.example) (17. Juli 2025)
        """,
    )
    assert claims(found) == [
        (None, None, None),
        ("1", "One", "2024-06-01"),
        ("23", "Two", "2025-07-17"),
    ]
    assert (found[2].line, found[2].column) == (4, 4)


def test_a_notes_section_numbers_its_items_until_the_next_heading() -> None:
    found = refs(
        MD,
        """
        Body [body](https://b.example), 2019.

        ## Sources

        1. [Report one](https://s.example/1), 2023.
        7. [Report seven](https://s.example/7) (5 May 2023)

        - [Bullet](https://s.example/b) 12.07.2024
        - second [B2](https://s.example/b2)

        ## Appendix

        [After](https://after.example), 2 May 2021
        """,
    )
    assert claims(found) == [
        (None, None, None),
        ("1", "Report one", "2023"),
        ("7", "Report seven", "2023-05-05"),
        ("1", "Bullet", "2024-07-12"),
        ("2", "B2", None),
        (None, None, None),
    ]


def test_notes_headings_in_other_languages_and_as_bold_paragraphs() -> None:
    for heading in (
        "### Références",
        "**Quellen**",
        "Fuentes:",
        "## Bronnen",
        "Notes de bas de page",
    ):
        found = refs(MD, f"{heading}\n\n- [T](https://t.example), 3 mars 2022\n", dedent=False)
        assert claims(found) == [("1", "T", "2022-03-03")], heading


def test_windows_line_ends_keep_lines_and_columns() -> None:
    found = refs(MD, "a\r\n\r\nb [x](https://x.example)\r\n", dedent=False)
    assert places(found) == [(3, 3, "inline", "x", "https://x.example")]


def test_emphasis_markers_leave_anchor_text_but_underscores_in_words_stay() -> None:
    found = refs(MD, "[snake_case *and* _more_ ~~gone~~](https://e.example)\n", dedent=False)
    assert [r.text for r in found] == ["snake_case and more gone"]


def test_anchors_in_html_blocks_are_found_at_their_tag() -> None:
    # How a letter pasted from Word or Google Docs looks: HTML blocks between Markdown.
    found = refs(
        MD,
        """
        Prose with a [markdown link](https://md.example).

        <p dir="ltr">See <span><a href="https://p.example/?a=1&amp;b=2">the
        <b>report</b></a></span>, and <a href='https://p.example/2'>two</a>.</p>

        <div class="pasted">
          <a href="https://div.example">In a div</a>
        </div>

        <table>
          <tr><td>x</td><td><a href="https://table.example">cell</a></td></tr>
        </table>

        > <div>
        > <a href="https://quote.example">quoted</a>
        > </div>
        """,
    )
    assert places(found) == [
        (1, 14, "inline", "markdown link", "https://md.example"),
        (3, 24, "inline", "the report", "https://p.example/?a=1&b=2"),
        (4, 31, "inline", "two", "https://p.example/2"),
        (7, 3, "inline", "In a div", "https://div.example"),
        (11, 21, "inline", "cell", "https://table.example"),
        (15, 3, "inline", "quoted", "https://quote.example"),
    ]


def test_sup_note_markers_make_footnotes_in_paragraphs_and_html_blocks() -> None:
    found = refs(
        MD,
        """
        A claim.<sup>1</sup> Running text with a [topic](https://topic.example), 2020.

        <sup>1</sup> See [Joint letter](https://one.example), 17 July 2025;
        <sup>[2]</sup> [Second](https://two.example), 13 June 2024.

        <p><sup>3</sup> See <a href="https://three.example">Third title</a>, 5 May 2023.</p>
        """,
    )
    assert claims(found) == [
        (None, None, None),
        ("1", "Joint letter", "2025-07-17"),
        ("2", "Second", "2024-06-13"),
        ("3", "Third title", "2023-05-05"),
    ]
    assert [(r.line, r.column) for r in found] == [(1, 42), (3, 18), (4, 16), (6, 21)]


def test_an_html_block_in_a_footnote_is_part_of_the_note() -> None:
    found = refs(
        MD,
        """
        A claim[^7].

        [^7]: <p>See <a href="https://note.example">Note title</a>, 3 May 2024.</p>
        """,
    )
    assert claims(found) == [("7", "Note title", "2024-05-03")]
    assert (found[0].line, found[0].column) == (3, 14)


def test_links_in_and_after_deeply_nested_lists_and_quotes_are_all_found() -> None:
    lists = "".join(
        f"{'  ' * depth}- item [l{depth}](https://list.example/{depth})\n" for depth in range(200)
    )
    quotes = "> " * 200 + "[q](https://quote.example)\nlazy [z](https://lazy.example)\n"
    found = refs(
        MD,
        lists + "\n" + quotes + "\nAfter it all, [the end](https://after.example).\n",
        dedent=False,
    )
    urls = [r.url for r in found]
    expected = [f"https://list.example/{depth}" for depth in range(200)]
    assert urls == [
        *expected,
        "https://quote.example",
        "https://lazy.example",
        "https://after.example",
    ]
    assert (found[199].line, found[199].column) == (200, 406)
    assert (found[200].line, found[200].column) == (202, 401)
    assert (found[-1].line, found[-1].column, found[-1].text) == (205, 15, "the end")


def test_a_footnote_without_a_marker_keeps_its_links() -> None:
    # The marker was lost in an edit, or typed as "¹": the note is still read, in place.
    found = refs(
        MD,
        """
        A claim.¹ Another claim[^2].

        [^1]: See [Lost marker](https://one.example), 17 July 2025.
        [^2]: See [Marked](https://two.example), 13 June 2024.
        """,
    )
    assert claims(found) == [
        ("1", "Lost marker", "2025-07-17"),
        ("2", "Marked", "2024-06-13"),
    ]
    assert [(r.line, r.column) for r in found] == [(3, 11), (4, 11)]


def test_definitions_far_below_their_uses_in_a_long_letter_are_applied() -> None:
    # Far more blocks than are held at once: the uses are read long before the definitions.
    filler = "".join(f"- item {n} [prose {n}](http://127.0.0.1/p/{n})\n" for n in range(3000))
    letter = (
        "See [the report][report] and a claim[^1].\n\n"
        + filler
        + "\n[report]: http://127.0.0.1/report\n\n[^1]: [Note title](http://127.0.0.1/n), 2024.\n"
    )
    found = refs(MD, letter, dedent=False)
    assert len(found) == 3002
    assert places(found[:1]) == [(1, 5, "reference", "the report", "http://127.0.0.1/report")]
    assert claims(found[-1:]) == [("1", "Note title", "2024")]
