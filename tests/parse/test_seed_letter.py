"""The real seed letter: every reference, where it is, and what footnote 1 claims."""

from __future__ import annotations

from citecheck.models import Letter, LetterFormat, LinkKind
from citecheck.parse import letter_references

from testkit import EXPECTED, FOOTNOTE_DATES, SEED


def _references(fmt: LetterFormat) -> list:  # type: ignore[type-arg]
    return letter_references(Letter("letters/seed.txt", fmt, SEED.read_text(encoding="utf-8")))


def test_the_seed_letter_has_its_twenty_references_in_place() -> None:
    references = _references(LetterFormat.TEXT)
    assert [(r.line, r.column, r.text) for r in references] == EXPECTED
    assert {(r.kind, r.url, r.letter) for r in references} == {
        (LinkKind.INLINE, "#", "letters/seed.txt")
    }
    lines = SEED.read_text(encoding="utf-8").split("\n")
    for reference in references:
        at = lines[reference.line - 1][reference.column - 1 :]
        assert at.startswith(f"[{reference.text}](#)")


def test_footnote_one_claims_titles_and_dates() -> None:
    references = _references(LetterFormat.TEXT)
    notes = [r for r in references if r.footnote is not None]
    assert [r.footnote for r in notes] == ["1"] * 4
    assert [r.cited_title for r in notes] == [r.text for r in notes]
    assert [(r.cited_date, r.cited_date_text) for r in notes] == FOOTNOTE_DATES
    prose = [r for r in references if r.footnote is None]
    assert len(prose) == 16
    assert all(
        (r.cited_title, r.cited_date, r.cited_date_text) == (None, None, None) for r in prose
    )


def test_the_seed_read_as_markdown_gives_the_same_references() -> None:
    assert _references(LetterFormat.MARKDOWN) == _references(LetterFormat.TEXT)
