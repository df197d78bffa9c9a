"""The real seed letter: every reference, where it is, and what footnote 1 claims."""

from __future__ import annotations

from pathlib import Path

from citecheck.models import Letter, LetterFormat, LinkKind
from citecheck.parse import extract

SEED = Path(__file__).resolve().parents[2] / "letters" / "2026-05-19-meps-china-visit.txt"

# (line, column, anchor text), read off the file by hand: the column of each link's "[".
EXPECTED = [
    (17, 146, "arbitrary detention"),
    (17, 172, "forced assimilation"),
    (17, 198, "forced labour"),
    (17, 221, "torture"),
    (17, 246, "transnational repression"),
    (19, 461, "refuse"),
    (19, 595, "norms"),
    (19, 635, "institutions"),
    (21, 14, "considers"),
    (25, 7, "Joint NGO letter ahead of EU-China Summit"),
    (
        25,
        69,
        "NGOs call for suspension of EU-China human rights dialogue as government continues "
        "assault on human rights at home and abroad",
    ),
    (
        25,
        215,
        "NGOs urge European Council to keep human rights at the core of EU relations with China",
    ),
    (25, 322, "The EU must double down on human rights in its relations with China"),
    (27, 191, "statement"),
    (28, 49, "resolution"),
    (28, 240, "rights of Tibetans, Uyghurs and other ethnic groups"),
    (29, 183, "40 Uyghurs deported from Thailand to China"),
    (30, 99, "UN Office of the High Commissioner for Human Rights"),
    (30, 164, "UN Working Group on Arbitrary Detention"),
    (37, 128, "China's low-rights economic model"),
]
FOOTNOTE_DATES = [
    ("2025-07-17", "17 July 2025"),
    ("2024-06-13", "13 June 2024"),
    ("2023-06-12", "12 June 2023"),
    ("2023-05-05", "5 May 2023"),
]


def _references(fmt: LetterFormat) -> list:  # type: ignore[type-arg]
    return extract(Letter("letters/seed.txt", fmt, SEED.read_text(encoding="utf-8")))


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
