"""consistency.notes: a letter's citations and note marks compared with themselves (no network)."""

from __future__ import annotations

from citecheck.consistency import notes
from citecheck.models import Letter, LetterFormat, LinkKind, Reference
from citecheck.parse.marks import marks
from citecheck.pipeline import list_references

from testkit import SEED


def cite(
    url: str,
    title: str | None = None,
    date: str | None = None,
    *,
    letter: str = "a.md",
    line: int = 1,
    note: str | None = "1",
) -> Reference:
    return Reference(
        letter, line, 5, LinkKind.INLINE, note, title or "", url, title, date, date and f"<{date}>"
    )


def messages(*references: Reference) -> list[str]:
    return [note.message for note in notes([], references)]


def text_letter(text: str, path: str = "a.txt") -> Letter:
    return Letter(path, LetterFormat.TEXT, text)


def md_letter(text: str, path: str = "a.md") -> Letter:
    return Letter(path, LetterFormat.MARKDOWN, text)


# Citations


def test_one_page_under_two_titles_is_a_note_at_the_later_citation() -> None:
    found = notes(
        [],
        [
            cite("https://ngo.test/r", "Annual report", line=3),
            cite("https://ngo.test/r", "Quarterly update", line=9),
        ],
    )
    assert [(n.line, n.message) for n in found] == [
        (
            9,
            "https://ngo.test/r is cited as “Quarterly update” here and as “Annual report” at "
            "line 3",
        )
    ]


def test_one_page_under_two_dates_is_a_note_naming_the_other_letter() -> None:
    found = messages(
        cite("https://ngo.test/r", "Report", "2024-06-13", letter="a.md", line=2),
        cite("https://ngo.test/r", "Report", "2024-06-14", letter="b.md", line=7),
    )
    assert found == ["https://ngo.test/r is dated <2024-06-14> here and <2024-06-13> at a.md:2"]


def test_trivial_differences_draw_no_note() -> None:
    assert (
        messages(
            cite("https://NGO.test/r/", "Joint NGO letter: ahead of the summit", "2025-07-17"),
            cite("http://www.ngo.test/r", "joint ngo letter ahead of the  Summit!", "2025-07"),
            cite("https://ngo.test:443/r", "Joint NGO letter", "2025"),  # a short title
            cite("https://ngo.test/r#top", "Joint NGO Létter, ahead of the summit"),
        )
        == []
    )


def test_a_shortened_or_authored_title_and_a_non_title_draw_no_note() -> None:
    assert (
        messages(
            cite("https://ngo.test/r", "Human Rights Watch, World Report 2024: China"),
            cite("https://ngo.test/r", "World Report 2024"),
            cite("https://ngo.test/r", "Ibid."),
            cite("https://ngo.test/r", "here"),
            cite("https://ngo.test/r", "Press release"),
            cite("https://ngo.test/s", "Press release"),
        )
        == []
    )


def test_two_fragments_of_one_page_may_carry_two_titles() -> None:
    assert (
        messages(
            cite("https://ngo.test/r#ch1", "Chapter one"),
            cite("https://ngo.test/r#ch2", "Chapter two"),
        )
        == []
    )


def test_one_title_at_two_addresses_is_a_note_once() -> None:
    found = messages(
        cite("https://ngo.test/a", "Joint letter", line=1),
        cite("https://ngo.test/b", "Joint Letter.", line=2),
        cite("https://ngo.test/b/", "joint letter", line=3),
    )
    assert found == [
        "“Joint Letter.” is cited at https://ngo.test/b here and at https://ngo.test/a at line 1"
    ]


def test_one_title_with_two_dates_at_two_addresses_is_two_documents() -> None:
    assert (
        messages(
            cite("https://ngo.test/2024", "World Report", "2024-01-11"),
            cite("https://ngo.test/2025", "World Report", "2025-01-16"),
        )
        == []
    )


def test_placeholders_and_body_links_are_not_compared() -> None:
    assert (
        messages(
            cite("#", "First report"),
            cite("#", "Second report"),
            cite("https://example.com", "First report"),
            cite("https://example.com", "Second report"),
        )
        == []
    )
    assert (
        messages(
            cite("https://ngo.test/r", "the statement", note=None),
            cite("https://ngo.test/r", "the report", note=None),
        )
        == []
    )


def test_a_credential_in_an_address_is_masked_in_the_note() -> None:
    found = messages(
        cite("https://u:secret@ngo.test/r", "First report"),
        cite("https://u:secret@ngo.test/r", "Second report"),
    )
    assert found and all("secret" not in message for message in found)


# Note marks


def test_marks_as_written_with_positions() -> None:
    letter = md_letter("Call[^a] and it.¹ and 10⁶ km² `[^z]`\n\n[^a]: Note.\n¹ See.\n")
    assert [(m.label, m.style, m.note, m.line, m.column) for m in marks(letter)] == [
        ("a", "markdown", False, 1, 5),
        ("1", "superscript", False, 1, 17),
        ("a", "markdown", True, 3, 1),
        ("1", "superscript", True, 4, 1),
    ]


def test_a_superscript_mark_with_no_note() -> None:
    letter = text_letter(
        "It grew.¹ It fell.³ Twice.³\n\n¹ See https://ngo.test/a, 2024.\n² See B.\n"
    )
    assert [(n.line, n.column, n.message) for n in notes([letter], [])] == [
        (1, 19, "mark ³ has no note")
    ]


def test_a_note_in_a_list_item_or_a_quote_is_a_note() -> None:
    letter = md_letter("It grew.¹ It fell.² It rose.³\n\n- ¹ See A.\n\n> ² See B.\n\n³ See C.\n")
    assert notes([letter], []) == ()


def test_a_note_number_used_twice() -> None:
    letter = text_letter("It grew.¹ It fell.²\n\n¹ See A.\n² See B.\n¹ See C.\n")
    assert [(n.line, n.message) for n in notes([letter], [])] == [
        (5, "footnote ¹ is used twice: here and at line 3")
    ]


def test_markdown_footnotes_undefined_defined_twice_and_never_called() -> None:
    letter = md_letter("A[^1] and B[^3].\n\n[^1]: One.\n\n[^1]: Again.\n\n[^2]: Unused.\n")
    assert [(n.line, n.message) for n in notes([letter], [])] == [
        (1, "mark [^3] has no note"),
        (5, "footnote [^1] is used twice: here and at line 3"),
        (7, "footnote [^2] is never called"),
    ]


def test_superscripts_in_a_letter_without_typed_notes_are_not_marks_to_check() -> None:
    # Its notes are a numbered "Notes" list (or none): km², 10⁶ and a call ¹ draw no note.
    letter = text_letter("An area of 3 km² and 10⁶ people.¹\n\nNotes\n1. See A.\n")
    assert notes([letter], []) == ()


def test_code_and_crlf_keep_positions_and_hide_marks() -> None:
    letter = md_letter("```\n[^9] and x¹\n```\r\nText[^2]\r\n\r\n[^2]: B.\r\n")
    assert [(m.label, m.line, m.column) for m in marks(letter)] == [("2", 4, 5), ("2", 6, 1)]


def test_the_seed_letter_draws_no_note() -> None:
    letter = Letter(str(SEED), LetterFormat.TEXT, SEED.read_text(encoding="utf-8"))
    assert list_references([letter]).notes == ()


def test_a_page_cited_under_thousands_of_titles_gets_a_few_notes_and_a_count() -> None:
    # A generated letter citing one page under 2,000 titles: an editor reads six lines, not 1,999.
    url = "https://ngo.test/report"
    cited = [cite(url, f"Report number {n} on detention", line=n + 1) for n in range(2000)]

    found = messages(*cited)

    assert len(found) == 6
    assert found[:5] == [
        f"{url} is cited as “Report number {n} on detention” here and as "
        "“Report number 0 on detention” at line 1"
        for n in range(1, 6)
    ]
    assert found[5] == f"{url} is cited under 1994 more contradicting titles"
