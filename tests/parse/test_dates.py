"""Cited dates as letters write them, in every language the letters use."""

from __future__ import annotations

import pytest

from citecheck.dates import DateMatch, find_cited_date, find_date, parse_date


@pytest.mark.parametrize(
    ("written", "iso"),
    [
        # English
        ("17 July 2025", "2025-07-17"),
        ("July 17, 2025", "2025-07-17"),
        ("July 17 2025", "2025-07-17"),
        ("17th July 2025", "2025-07-17"),
        ("1st Sept. 2024", "2024-09-01"),
        ("Sept. 5, 2024", "2024-09-05"),
        ("June 2024", "2024-06"),
        ("2023", "2023"),
        # numeric
        ("2025-07-17", "2025-07-17"),
        ("2025-07", "2025-07"),
        ("17.07.2025", "2025-07-17"),
        ("17/07/2025", "2025-07-17"),
        ("1/7/2025", "2025-07-01"),
        ("17-Jul-2025", "2025-07-17"),
        # French
        ("1er juin 2024", "2024-06-01"),
        ("1ᵉʳ juin 2024", "2024-06-01"),
        ("17 juillet 2025", "2025-07-17"),
        ("3 février 2024", "2024-02-03"),
        ("3 fevrier 2024", "2024-02-03"),
        ("août 2023", "2023-08"),
        ("12 déc. 2022", "2022-12-12"),
        # German
        ("17. Juli 2025", "2025-07-17"),
        ("März 2024", "2024-03"),
        ("Maerz 2024", "2024-03"),
        ("3. Dezember 2021", "2021-12-03"),
        ("Jänner 2020", "2020-01"),
        # Spanish
        ("17 de julio de 2025", "2025-07-17"),
        ("marzo de 2024", "2024-03"),
        ("1.º de enero de 2024", "2024-01-01"),
        # Dutch
        ("17 juli 2025", "2025-07-17"),
        ("3 mrt 2024", "2024-03-03"),
        ("maart 2024", "2024-03"),
        # Italian, Portuguese
        ("1º maggio 2024", "2024-05-01"),
        ("17 luglio 2025", "2025-07-17"),
        ("1º de maio de 2024", "2024-05-01"),
        ("outubro de 2023", "2023-10"),
        # case and spaces
        ("17 JULY 2025", "2025-07-17"),
        ("17\u00a0July\u00a02025", "2025-07-17"),
    ],
)
def test_a_written_date_is_read_at_its_precision(written: str, iso: str) -> None:
    assert parse_date(written) == DateMatch(iso, written, 0, len(written))
    assert find_date(f"See it, {written}; more") == DateMatch(iso, written, 8, 8 + len(written))


@pytest.mark.parametrize(
    "written",
    [
        "31 June 2024",
        "June 31, 2024",
        "29 February 2023",
        "2024-13",
        "2024-02-30",
        "07/17/2025",  # month first is not read: day first, and there is no 17th month
        "32 May 2024",
        "1899",
        "2101",
    ],
)
def test_an_impossible_date_is_not_a_date(written: str) -> None:
    assert parse_date(written) is None
    assert find_date(f"on {written} indeed") is None


def test_leap_day_is_a_date() -> None:
    assert parse_date("29 Feb 2024") == DateMatch("2024-02-29", "29 Feb 2024", 0, 11)


@pytest.mark.parametrize(
    "text",
    [
        "about 12000 people",
        "costs €2023",
        "2023-2024 programme",
        "a ratio of 3,2023",
        "page 12/2023",
        "COP2023",
        "version 2023.1",
        "no date here",
        "17 July",
    ],
)
def test_numbers_that_are_not_dates(text: str) -> None:
    assert find_date(text) is None


def test_the_first_date_wins_and_spans_are_exact() -> None:
    text = "Report (updated 5 May 2023), first published 2021"
    found = find_date(text)
    assert found == DateMatch("2023-05-05", "5 May 2023", 16, 26)
    assert text[found.start : found.end] == found.text


def test_a_date_wrapped_over_two_lines_is_one_date_but_not_over_a_paragraph() -> None:
    assert find_date("x, 17 July\n2025;") == DateMatch("2025-07-17", "17 July\n2025", 3, 15)
    assert find_date("June\n\n2024") == DateMatch("2024", "2024", 6, 10)


def test_an_everyday_word_is_a_month_only_with_a_day() -> None:
    assert find_date("we set 2024 targets") == DateMatch("2024", "2024", 7, 11)
    assert find_date("12 set 2024") == DateMatch("2024-09-12", "12 set 2024", 0, 11)


def test_parse_date_wants_the_whole_text() -> None:
    assert parse_date("  17 July 2025 ") == DateMatch("2025-07-17", "17 July 2025", 2, 14)
    assert parse_date("17 July 2025 and more") is None
    assert parse_date("") is None


@pytest.mark.parametrize(
    "cue",
    [
        "accessed",
        "Accessed:",
        "accessed on",
        "retrieved",
        "Retrieved on",
        "consulted on",
        "last visited",
        "last accessed",
        "(accessed",
        "[viewed",
        "consulté le",
        "page consultée le",
        "dernière consultation :",
        "abgerufen am",
        "zuletzt abgerufen am",
        "Zugriff am",
        "consultado el",
        "fecha de consulta:",
        "geraadpleegd op",
        "consultato il",
        "ultimo accesso",
        "acesso em",
    ],
)
def test_an_access_date_is_not_the_cited_date(cue: str) -> None:
    assert find_cited_date(f"Report, {cue} 3 March 2026") is None
    found = find_cited_date(f"Report, {cue} 3 March 2026, published 17 July 2025")
    assert found is not None and (found.iso, found.text) == ("2025-07-17", "17 July 2025")


def test_a_publication_date_before_an_access_date_is_kept() -> None:
    text = "Report, 17 July 2025 (accessed 3 March 2026)"
    assert find_cited_date(text) == DateMatch("2025-07-17", "17 July 2025", 8, 20)
    assert find_cited_date("the Access 2023 programme") == DateMatch("2023", "2023", 11, 15)
