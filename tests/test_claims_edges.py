"""The boundaries of each claim rule (claims.py is pure), probed one step either side.

tests/test_claims.py checks real pages; these are the edges mutation testing showed untested: a
rule moved by one day, one letter or one word must fail here.
"""

from __future__ import annotations

import pytest

from citecheck.claims import compare, normalise, stem, title_similarity
from citecheck.models import PageMeta, Thresholds

from factories import citation as cite


def titled(title: str | None, *candidates: str, site: str | None = None) -> PageMeta:
    return PageMeta(title=title, title_candidates=candidates, site_name=site)


# --- titles ----------------------------------------------------------------------------------


def test_normalise_keeps_words_and_numbers_only() -> None:
    assert normalise("The EU’s “report” – 2024_final!!  l'UE") == "the eus report 2024 final lue"


def test_a_cited_title_without_words_scores_zero() -> None:
    assert title_similarity("!!! …", ["Anything at all"]) == 0.0


def test_a_matching_title_is_quiet_and_not_mismatched() -> None:
    result = compare(cite("Joint statement on Hong Kong"), titled("Joint statement on Hong Kong"))
    assert (result.mismatched, result.notes, result.title_similarity) == (False, (), 1.0)


def test_a_score_equal_to_the_threshold_passes() -> None:
    strict = Thresholds(title_similarity=1.0)
    same = compare(cite("Annual report"), titled("Annual report"), strict)
    assert same.mismatched is False
    assert compare(cite("Annual report"), titled("Annual reports"), strict).mismatched


def test_the_thresholds_given_are_the_ones_used() -> None:
    cited, page = "Report on detention", "Review of detentions"
    score = title_similarity(cited, [page])
    assert 0.6 < score < 0.8
    assert compare(cite(cited), titled(page)).mismatched
    lenient = Thresholds(title_similarity=0.6)
    assert not compare(cite(cited), titled(page), lenient).mismatched


def test_a_missing_year_caps_the_score_just_below_the_threshold() -> None:
    cited, page = "Annual report on detention 2023", ["Annual report on detention 2024"]
    assert title_similarity(cited, page) == 0.79
    assert title_similarity(cited, page, Thresholds(title_similarity=0.9)) == 0.89


def test_scores_have_three_decimals() -> None:
    score = title_similarity("Report on the detention", ["Review of the detentions"])
    assert 0 < score < 1 and score == round(score, 3)


@pytest.mark.parametrize(
    ("cited", "page", "mismatched"),
    [
        # Four words are enough to count as a faithful shortening of a longer title…
        ("EU China human rights", "EU China human rights dialogue suspended amid crackdown", False),
        # …three are not: they could match any page on the topic.
        ("EU China rights", "EU China rights dialogue suspended amid a crackdown on many", True),
        # The shorter side is the one with fewer characters, whichever sorts first.
        ("Zimbabwe elections", "Annual report on Zimbabwe elections and violence", True),
    ],
)
def test_shortenings(cited: str, page: str, mismatched: bool) -> None:
    assert compare(cite(cited), titled(page)).mismatched is mismatched


@pytest.mark.parametrize(
    ("cited", "page", "mismatched"),
    [
        (
            "Joint statement on China and human rights",
            "Joint statement on Japan and human rights",
            True,
        ),
        # A name right after the first word counts too.
        ("Summit China statement on human rights", "Summit Japan statement on human rights", True),
        # Two-letter words are not names ("EU", "UN")…
        (
            "Statement by the EU on human rights defenders",
            "Statement by the UN on human rights defenders",
            False,
        ),
        # …three-letter ones are.
        (
            "Statement on the ICC and human rights defenders",
            "Statement on the ICJ and human rights defenders",
            True,
        ),
        # Only capitalised words are names: another lowercase word is just a small difference.
        (
            "Joint statement on the arbitrary detention of lawyers in the region",
            "Joint statement on the arbitrary detention of doctors in the region",
            False,
        ),
        # A spelling within 80% is the same name.
        (
            "Joint statement on the case of Maria Kolesnikova",
            "Joint statement on the case of Marie Kolesnikova",
            False,
        ),
        # A page that names fewer places than the letter has not swapped any.
        (
            "Joint statement on the human rights situation in China and Tibet",
            "Joint statement on the human rights situation in China",
            False,
        ),
        # A page title without names cannot have swapped one.
        (
            "joint statement on the human rights situation",
            "joint statement on the human rights situations",
            False,
        ),
    ],
)
def test_swapped_names(cited: str, page: str, mismatched: bool) -> None:
    assert compare(cite(cited), titled(page)).mismatched is mismatched


def test_a_page_titled_only_with_the_site_name_has_no_title() -> None:
    meta = titled("Human Rights Watch", "Human Rights Watch", site="Human Rights Watch")
    result = compare(cite("China: end arbitrary detention"), meta)
    assert result.notes == ("title not verifiable: the page gives no title",)
    assert result.mismatched is False


def test_without_a_title_the_note_quotes_the_first_candidate() -> None:
    result = compare(cite("China: end arbitrary detention"), titled(None, "Other page", "Third"))
    assert result.notes == (
        "title differs: cited 'China: end arbitrary detention', page says 'Other page'",
    )


def test_long_titles_are_quoted_up_to_140_characters() -> None:
    fits, long = "a" * 140, "b" * 141
    result = compare(cite(fits), titled(long))
    assert result.notes == (f"title differs: cited '{fits}', page says '{'b' * 139}…'",)


# --- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cited", "published", "agree"),
    [
        ("2024-03", "2024-03-15", True),
        ("2024-03", "2024-02-29", True),  # one day before the month
        ("2024-03", "2024-02-28", False),
        ("2024-03", "2024-04-01", True),
        ("2024-03", "2024-04-02", False),
        ("2024-12", "2024-12-31", True),
        ("2024-12", "2025-01-01", True),
        ("2024-12", "2025-01-05", False),
        ("2024", "2024-01-15", True),
        ("2024", "2023-12-31", True),
        ("2024", "2023-12-30", False),
        ("2024-13", "2024-05-01", True),  # not a date: nothing to say
        ("2024-05-01", "someday", True),
    ],
)
def test_date_intervals(cited: str, published: str, agree: bool) -> None:
    result = compare(cite(None, cited), PageMeta(published=published))
    assert result.mismatched is not agree


def test_zero_tolerance_still_accepts_the_same_day() -> None:
    exact = Thresholds(date_tolerance_days=0)
    assert not compare(cite(None, "2024-05-01"), PageMeta(published="2024-05-01"), exact).mismatched
    assert compare(cite(None, "2024-05-01"), PageMeta(published="2024-05-02"), exact).mismatched


# --- prose links -----------------------------------------------------------------------------

# Thirty distinct words, none of them an anchor word below.
FILLER = (
    "delegation visited provinces meeting officials courts lawyers families journalists "
    "students teachers workers farmers villages cities harbours markets bridges rivers "
    "mountains forests gardens museums libraries theatres stadiums railways airports "
    "factories hospitals"
).split()


def prose_page(words: list[str], title: str = "Visit", description: str | None = None) -> PageMeta:
    return PageMeta(title=title, description=description, text_head=" ".join(words))


@pytest.mark.parametrize(
    ("anchor", "flagged"),
    [
        ("tax law", True),  # three-letter words count
        ("ab cd ef", False),  # two-letter ones do not
        ("to be or not to be", False),  # stop words only
        ("www.hrw.org", False),  # an address written as text
        ("Tibet Lhasa", False),  # "tibet" is the start of "tibetans" on the page
    ],
)
def test_prose_anchor_words(anchor: str, flagged: bool) -> None:
    meta = prose_page([*FILLER, "tibetans"])
    assert compare(cite(text=anchor), meta).mismatched is flagged


def test_a_prose_verdict_needs_thirty_distinct_words_on_the_page() -> None:
    anchor = cite(text="forced labour")
    title_words = 1  # "visit"
    assert compare(anchor, prose_page(FILLER[: 30 - title_words])).mismatched
    assert not compare(anchor, prose_page(FILLER[: 29 - title_words])).mismatched


def test_words_at_the_joins_of_the_page_text_are_read_whole() -> None:
    meta = prose_page(FILLER, title="Report on forced labour", description="Camps in the west")
    assert not compare(cite(text="labour camps"), meta).mismatched


def test_the_prose_note_quotes_anchor_and_title_up_to_80_characters() -> None:
    anchor = "uyghur " * 11 + "camps"  # 82 characters
    title = "t" * 81
    result = compare(cite(text=anchor), prose_page(FILLER, title=title))
    shown_anchor = anchor[:79] + "…"
    assert result.notes == (f"anchor text '{shown_anchor}' not found on the page '{'t' * 79}…'",)
    fits = compare(cite(text="uyghur camps"), prose_page(FILLER, title="t" * 80))
    assert fits.notes == (f"anchor text 'uyghur camps' not found on the page '{'t' * 80}'",)


@pytest.mark.parametrize(
    ("word", "stemmed"),
    [
        ("report", "report"),
        ("ties", "tie"),
        ("cats", "cat"),
        ("units", "unit"),
        ("detention", "detain"),
    ],
)
def test_stem_edges(word: str, stemmed: str) -> None:
    assert stem(word) == stemmed


@pytest.mark.parametrize(
    ("cited", "page"),
    [
        ("Zeta labour camps", "Beta labour camps"),  # the plain ratio: one letter differs
        ("China detention report", "Report China detention"),  # the words reordered
        (  # the best-aligned stretch of a longer title
            "Arbitrary detentions in Xinjiang province",
            "Arbitrary detention in the Xinjiang provinces of China and Tibet region",
        ),
        (  # the words of the shorter found in the longer
            "Uyghur Region forced labour",
            "Forced labor in the Uyghur Region report",
        ),
    ],
)
def test_each_way_of_matching_can_carry_a_title_alone(cited: str, page: str) -> None:
    # Each pair passes through one scorer only (the others stay below 0.8).
    assert title_similarity(cited, [page]) >= 0.8
    assert not compare(cite(cited), titled(page)).mismatched


def test_the_shortening_threshold_given_is_the_one_used() -> None:
    cited, page = "Zimbabwe elections", "Report on the Zimbabwe elections and the violence"
    assert compare(cite(cited), titled(page)).mismatched
    two_words = Thresholds(shortening_min_words=2)
    assert not compare(cite(cited), titled(page), two_words).mismatched


def test_a_swapped_name_is_caught_at_exactly_the_threshold() -> None:
    # These two score exactly 0.75 ("china" and "japan" share one letter of five).
    cited, page = "Talks with China", "Talks with Japan"
    at_threshold = Thresholds(title_similarity=0.75)
    assert title_similarity(cited, [page], Thresholds(title_similarity=1.0)) == 0.75
    assert title_similarity(cited, [page], at_threshold) == 0.74
    assert compare(cite(cited), titled(page), at_threshold).mismatched
