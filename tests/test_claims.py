"""Cited titles, dates and anchors vs real page metadata: flagged when wrong, quiet when right."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from citecheck.claims import compare, stem, title_similarity
from citecheck.meta import page_meta
from citecheck.models import PageMeta, Thresholds

from factories import citation as cite

CORPUS = Path(__file__).parent / "meta" / "corpus"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))


def page(name: str) -> PageMeta:
    """The metadata of a corpus page, fetched from its own address."""
    entry = EXPECTED[name]
    data = (CORPUS / name).read_bytes()
    return page_meta(data, entry["content_type"], entry["url"], charset=entry["charset"])


# True citations that must stay ok.
@pytest.mark.parametrize(
    ("name", "title", "date"),
    [
        ("competing-dates.html", "Joint NGO letter ahead of EU-China Summit", "2025-07-17"),
        ("hrw-news.html", "China: Uyghurs Held for Religious Practices | Human Rights Watch", None),
        ("hrw-news.html", "Uyghurs held for religious practices", "2024-06-13"),
        ("amnesty-news.html", "China: Authorities must release human rights lawyers", "2023-06"),
        (
            "amnesty-news.html",
            "China: authorities must release human-rights lawyers detained in crackdown",
            "2023-06-12",
        ),
        (
            "guardian-news.html",
            "EU leaders urged to raise forced labour at China summit",
            "2025-07-17",
        ),
        ("journal-year-only.html", "Transnational Repression of Uyghurs in Europe", "2022"),
        ("utf8-bom-wrong-header.html", 'Hong Kong - "National security" trials must end', None),
        (
            "url-month.html",
            "EU must double down on human rights in relations with China",
            "2023-05-05",
        ),
        (
            "fidh-fr.html",
            "Sommet UE–Chine : les droits humains doivent être au cœur des discussions",
            "2025-07",
        ),
        (
            "europarl-prefix.html",
            "Human rights dialogue with China should be suspended",
            "2024-06-14",
        ),
        ("pdf-junk-title.pdf", "Forced labour in the Uyghur Region", "2024"),
        (
            "consilium-press.html",
            "EU-China summit, 24 July 2025: joint press release",
            "2025-07-24",
        ),
        ("jsonld-list.html", "40 Uyghurs deported from Thailand to China", "2025-02-28"),
        ("legacy-cp1252-meta.html", "Libération des défenseurs: l'UE doit agir", "2023-06-12"),
    ],
)
def test_true_citations_stay_ok(name: str, title: str, date: str | None) -> None:
    result = compare(cite(title, date), page(name))
    assert not result.mismatched, result.notes
    assert result.notes == ()
    assert result.title_similarity is not None and result.title_similarity >= 0.8


# Wrong claims that must be flagged.
@pytest.mark.parametrize(
    ("name", "title"),
    [
        (
            "competing-dates.html",
            "NGOs urge European Council to keep human rights at the core of EU "
            "relations with China",
        ),
        ("competing-dates.html", "Joint NGO letter ahead of EU-Japan Summit"),
        ("hrw-news.html", "China: Free Ilham Tohti"),
        ("dc-meta-gov.html", "Human rights dialogue with China: 38th round"),
        ("only-modified.html", "Forced labour in Xinjiang"),
        ("amnesty-news.html", "Hong Kong: Jimmy Lai trial"),
    ],
)
def test_wrong_titles_are_flagged_with_both_titles(name: str, title: str) -> None:
    meta = page(name)
    result = compare(cite(title), meta)
    assert result.mismatched
    assert result.title_similarity is not None and result.title_similarity < 0.8
    (note,) = result.notes
    assert note.startswith("title differs: cited ") and repr(title) in note
    assert repr(meta.title) in note


@pytest.mark.parametrize(
    ("cited", "cited_text", "published", "ok"),
    [
        ("2024-06-13", "13 June 2024", "2024-06-13", True),
        ("2024-06-12", "12 June 2024", "2024-06-13", True),  # a time zone apart
        ("2024-06-14", "14 June 2024", "2024-06-13", True),
        ("2024-06-11", "11 June 2024", "2024-06-13", False),
        ("2024-06", "June 2024", "2024-06-30", True),
        ("2024-06", "June 2024", "2024-07-01", True),  # month edge, a day of tolerance
        ("2024-06", "June 2024", "2024-07-03", False),
        ("2024", "2024", "2024-12-31", True),
        ("2023", "2023", "2024-06-13", False),
        ("2024-06-13", "13 June 2024", "2024", True),  # a page that only gives the year
        ("2023-06-12", "12 June 2023", "2023-06-14", False),
    ],
)
def test_dates(cited: str, cited_text: str, published: str, ok: bool) -> None:
    meta = PageMeta(title="A page", published=published)
    result = compare(cite(date=cited, date_text=cited_text, text="link"), meta)
    assert result.mismatched is not ok
    if not ok:
        assert result.notes == (f"date differs: cited {cited_text}, page says {published}",)


def test_wrong_date_on_a_real_page_names_both_dates() -> None:
    result = compare(
        cite("Joint NGO letter ahead of EU-China Summit", "2025-09-01", "1 September 2025"),
        page("competing-dates.html"),
    )
    assert result.mismatched
    assert result.notes == ("date differs: cited 1 September 2025, page says 2025-07-17",)


def test_no_page_date_is_a_note_not_a_mismatch() -> None:
    result = compare(cite("About our work on China", "2025-03-03"), page("only-modified.html"))
    assert not result.mismatched
    assert result.notes == ("date not verifiable: the page gives no publication date",)


def test_no_page_title_is_a_note_not_a_mismatch() -> None:
    result = compare(cite("Some report"), PageMeta())
    assert not result.mismatched and result.title_similarity is None
    assert result.notes == ("title not verifiable: the page gives no title",)


COOKIE = PageMeta(
    title="Cookie policy",
    description="How this website uses cookies and similar technologies.",
    headings=("Cookie policy", "Managing cookies"),
    text_head="We use cookies to make this website work and to understand how visitors use it. "
    "You can change your cookie settings at any time. Strictly necessary cookies cannot be "
    "switched off. Analytics cookies help us improve the site.",
)


@pytest.mark.parametrize(
    ("anchor", "name"),
    [
        ("forced labour", "guardian-news.html"),
        ("forced labor", "guardian-news.html"),
        ("arbitrary detention", "hrw-news.html"),  # the page says "detained"
        ("rights of Tibetans, Uyghurs and other ethnic groups", "hrw-news.html"),
        ("40 Uyghurs deported from Thailand to China", "bbc-news.html"),
        ("travail forcé", "guardian-news.html"),
        ("UN Office of the High Commissioner for Human Rights", "ohchr-press.html"),
    ],
)
def test_prose_links_to_related_pages_stay_ok(anchor: str, name: str) -> None:
    result = compare(cite(text=anchor), page(name))
    assert not result.mismatched, result.notes
    assert result.title_similarity is None


@pytest.mark.parametrize(
    "anchor", ["forced labour", "transnational repression", "torture of detainees"]
)
def test_prose_link_to_an_unrelated_page_is_flagged(anchor: str) -> None:
    result = compare(cite(text=anchor), COOKIE)
    assert result.mismatched
    assert result.notes == (f"anchor text {anchor!r} not found on the page 'Cookie policy'",)


@pytest.mark.parametrize(
    "anchor",
    [
        "here",
        "this",
        "statement",
        "refuse",
        "norms",
        "torture",
        "the report",
        "#",
        "TODO",
        "https://www.hrw.org/news",
        "2024",
        "read more here",
        "¹",
    ],
)
def test_short_generic_or_placeholder_anchors_give_no_verdict(anchor: str) -> None:
    result = compare(cite(text=anchor), COOKIE)
    assert not result.mismatched and result.notes == ()


@pytest.mark.parametrize(
    "meta", [PageMeta(), PageMeta(title="Loading…"), replace(COOKIE, title=None)]
)
def test_empty_pages_give_no_prose_verdict(meta: PageMeta) -> None:
    assert compare(cite(text="forced labour"), meta) == compare(cite(text="x"), PageMeta())


def test_similarity_is_in_unit_range_and_thresholds_are_configurable() -> None:
    score = title_similarity("EU-China summit", ["EU-China summit ends without agreement"])
    assert 0.0 <= score <= 1.0
    lenient = Thresholds(title_similarity=0.3)
    meta = PageMeta(title="EU-China summit ends without agreement")
    assert not compare(cite("EU-China summit"), meta, lenient).mismatched


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("forced", "force"),
        ("labour", "labor"),
        ("detention", "detained"),
        ("détention", "detention"),
    ],
)
def test_stems(a: str, b: str) -> None:
    assert stem(a) == stem(b)
