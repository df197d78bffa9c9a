"""Plain-text letters: links as written, superscript notes, [^1]: notes and notes sections."""

from __future__ import annotations

from citecheck.models import LetterFormat

from parse_helpers import claims, places, refs

TXT = LetterFormat.TEXT


def test_markdown_style_links_autolinks_and_bare_urls_as_written() -> None:
    found = refs(
        TXT,
        """
        A [link](#) and [nested [b] text](https://n.example/a_(b)) and [t](<https://a.example/x y> "T").
        See <https://auto.example/> or https://bare.example/path?q=1, (https://p.example/x).
        Wikipedia https://en.wikipedia.org/wiki/Foo_(bar); mail mailto:x@y.org. Not xhttps://glued.
        `[code](https://code.example)` is text here.
        """,  # noqa: E501
    )
    assert places(found) == [
        (1, 3, "inline", "link", "#"),
        (1, 17, "inline", "nested [b] text", "https://n.example/a_(b)"),
        (1, 64, "inline", "t", "https://a.example/x y"),
        (2, 5, "autolink", "https://auto.example/", "https://auto.example/"),
        (2, 32, "bare", "https://bare.example/path?q=1", "https://bare.example/path?q=1"),
        (2, 64, "bare", "https://p.example/x", "https://p.example/x"),
        (3, 11, "bare", *["https://en.wikipedia.org/wiki/Foo_(bar)"] * 2),
        (3, 57, "bare", "mailto:x@y.org", "mailto:x@y.org"),
        (4, 2, "inline", "code", "https://code.example"),
    ]


def test_broken_link_syntax_falls_back_to_the_bare_url() -> None:
    found = refs(TXT, "[unclosed](https://u.example and [x] (https://y.example)\n")
    assert places(found) == [
        (1, 12, "bare", "https://u.example", "https://u.example"),
        (1, 39, "bare", "https://y.example", "https://y.example"),
    ]


def test_superscript_notes_continue_over_wrapped_lines() -> None:
    found = refs(
        TXT,
        """
        Prose.¹ With [topic](https://t.example), 2020.

        ¹ See [One](https://one.example), 17 July
        2025; [Two](https://two.example), 2024.
        ² [Three](https://three.example) 13/06/2024
        - a list item [item](https://i.example) 2021
        """,
    )
    assert claims(found) == [
        (None, None, None),
        ("1", "One", "2025-07-17"),
        ("1", "Two", "2024"),
        ("2", "Three", "2024-06-13"),
        (None, None, None),
    ]
    assert found[1].cited_date_text == "17 July\n2025"


def test_footnote_definitions_and_a_notes_section() -> None:
    found = refs(
        TXT,
        """
        Body text[^a] [body](https://b.example).

        [^a]: [Def](https://def.example), März 2024

        Notes:
        1. [First](https://s.example/1), 1 de julio de 2023.
        [2] [Second](https://s.example/2) (17 juli 2025)
        • [Bullet](https://s.example/b), 1º maggio 2024
        """,
    )
    assert claims(found) == [
        (None, None, None),
        ("a", "Def", "2024-03"),
        ("1", "First", "2023-07-01"),
        ("2", "Second", "2025-07-17"),
        ("3", "Bullet", "2024-05-01"),
    ]


def test_a_bare_url_in_a_note_claims_a_date_but_no_title() -> None:
    found = refs(TXT, "¹ https://n.example/report, 5 May 2023\n", dedent=False)
    assert claims(found) == [("1", None, "2023-05-05")]


def test_footnote_anchors_are_not_references() -> None:
    found = refs(TXT, "See [1](#fn1) and [back](#fnref1) and [real](#section)\n", dedent=False)
    assert [r.url for r in found] == ["#section"]


def test_a_bare_url_claims_the_citation_written_around_it() -> None:
    found = refs(
        TXT,
        """
        Notes
        1. Amnesty International, China: Free activists. Available at: https://a.example/x (accessed 3 March 2026)
        2. https://b.example/y, 5 May 2023
        3. Voir « Rapport annuel », 17 juillet 2025, https://c.example/z
        4. As the UN reported at https://e.example/v, 2022
        5. This was widely reported in the press at the time and we have no doubt at all that the authorities knew of it well before anyone else did, https://d.example/w
        """,  # noqa: E501
    )
    assert claims(found) == [
        ("1", "Amnesty International, China: Free activists", None),
        ("2", None, "2023-05-05"),
        ("3", "Rapport annuel", "2025-07-17"),
        ("4", None, "2022"),
        ("5", None, None),
    ]
