"""A finding's notes: worth knowing, but not what decided its status (counted; shown with -v)."""

from __future__ import annotations

from citecheck.claims import compare
from citecheck.classify import finding, link_verdict
from citecheck.models import Fetched, LinkKind, PageMeta, Reference, Status

URL = "https://ngo.test/reports/dialogue"


def _finding(reference: Reference, meta: PageMeta):  # type: ignore[no-untyped-def]
    fetched = Fetched(url=URL, final_url=URL, http_status=200, reason="OK")
    return finding(
        reference,
        link_verdict(fetched, meta),
        fetched=fetched,
        meta=meta,
        claims=compare(reference, meta),
    )


def _reference(url: str = URL, **claims: str) -> Reference:
    return Reference("letter.md", 3, 1, LinkKind.INLINE, "1", "Dialogue", url, **claims)


def test_a_missing_fragment_and_an_unverifiable_date_are_notes_of_an_ok_link() -> None:
    reference = _reference(
        f"{URL}#part-2",
        cited_title="Dialogue",
        cited_date="2024-06-13",
        cited_date_text="13 June 2024",
    )
    meta = PageMeta(title="Dialogue", anchors=frozenset({"part-1"}))

    result = _finding(reference, meta)

    assert result.status is Status.OK
    assert result.notes == (
        "date not verifiable: the page gives no publication date",
        "#part-2 not found on the page",
    )
    assert all(note in result.message for note in result.notes)


def test_what_made_a_reference_mismatched_is_its_reason_not_a_note() -> None:
    reference = _reference(cited_title="Annual report on Tibet", cited_date="2024-06-13")
    meta = PageMeta(title="Cookie settings and privacy choices", published="2020-01-02")

    result = _finding(reference, meta)

    assert result.status is Status.MISMATCHED
    assert result.notes == ()
    assert "title differs" in result.message and "date differs" in result.message


def test_a_mismatched_reference_keeps_its_other_notes() -> None:
    reference = _reference(f"{URL}#gone", cited_title="Annual report on Tibet", cited_date="2024")
    meta = PageMeta(title="Cookie settings and privacy choices", anchors=frozenset({"top"}))

    result = _finding(reference, meta)

    assert result.status is Status.MISMATCHED
    assert result.notes == (
        "date not verifiable: the page gives no publication date",
        "#gone not found on the page",
    )
    assert result.suggestion == "Cookie settings and privacy choices, 2024"
