"""Dates written the way a letter writes them, so a suggested date can be pasted in place."""

from __future__ import annotations

import pytest

from citecheck.dates import parse_date, write_date


@pytest.mark.parametrize(
    ("like", "written"),
    [
        ("17 July 2025", "20 June 2024"),
        ("17th July 2025", "20th June 2024"),
        ("July 17, 2025", "June 20, 2024"),
        ("Jul 17, 2025", "Jun 20, 2024"),
        ("17 JULY 2025", "20 JUNE 2024"),
        ("17 juillet 2025", "20 juin 2024"),
        ("17 aout 2025", "20 juin 2024"),
        ("17. Juli 2025", "20. Juni 2024"),
        ("17 de julio de 2025", "20 de junio de 2024"),
        ("17 juli 2025", "20 juni 2024"),
        ("17 luglio 2025", "20 giugno 2024"),
        ("17.07.2025", "20.06.2024"),
        ("17/07/2025", "20/06/2024"),
        ("7/7/2025", "20/6/2024"),
        ("2025-07-17", "2024-06-20"),
        ("July 2025", "June 2024"),
        ("2025", "2024"),
        (None, "20 June 2024"),
        ("not a date", "20 June 2024"),
    ],
)
def test_a_date_is_written_in_the_style_of_the_letter(like: str | None, written: str) -> None:
    assert write_date("2024-06-20", like) == written
    if like and parse_date(like):
        assert parse_date(written) is not None and parse_date(written).iso.startswith("2024")  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("iso", "like", "written"),
    [
        ("2024-06-01", "17 juillet 2025", "1er juin 2024"),
        ("2024-06-01", "1er juillet 2025", "1er juin 2024"),
        ("2024-06-02", "1er juillet 2025", "2 juin 2024"),
        ("2024-06-01", "17th July 2025", "1st June 2024"),
        ("2024-06-22", "17th July 2025", "22nd June 2024"),
        ("2024-06-11", "17th July 2025", "11th June 2024"),
    ],
)
def test_ordinal_days_follow_the_language(iso: str, like: str, written: str) -> None:
    assert write_date(iso, like) == written


@pytest.mark.parametrize(
    ("iso", "like", "written"),
    [
        ("2024-06", "17 July 2025", "June 2024"),
        ("2024-06", "17.07.2025", "06.2024"),
        ("2024", "17 July 2025", "2024"),
        ("2024-06-20", "July 2025", "June 2024"),
    ],
)
def test_never_more_precise_than_either_side(iso: str, like: str, written: str) -> None:
    assert write_date(iso, like) == written
