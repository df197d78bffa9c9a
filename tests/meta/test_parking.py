"""Parked and for-sale domains are told from real pages that merely talk about domain sales."""

from __future__ import annotations

from pathlib import Path

import pytest

from citecheck.meta import page_meta

PAGES = Path(__file__).parent / "parking"
CORPUS = Path(__file__).parent / "corpus"
SHORT = (
    b"<!doctype html><html><head><title>Checkout</title></head>"
    b"<body><p>Secure checkout</p></body></html>"
)


def parked(body: bytes, url: str = "https://rights-monitor.org/reports/2019") -> str | None:
    return page_meta(body, "text/html; charset=utf-8", url).parked


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("sedo-style.html", "the page says 'rights-monitor.org - This domain is for sale'"),
        ("dan-style.html", "the page says 'oldcampaign.net is for sale'"),
        ("hugedomains-style.html", "the page says 'WatchReport.org is for sale'"),
        ("parkingcrew-style.html", "it loads www.google.com/adsense/domains/caf.js"),
        ("godaddy-parked.html", "the page says 'This Web page is parked' and little else"),
    ],
)
def test_parking_templates_are_caught(name: str, why: str) -> None:
    assert parked((PAGES / name).read_bytes()) == why


@pytest.mark.parametrize("name", ["article-domain-sale.html", "news-sale-headline.html"])
def test_pages_about_domain_sales_are_not_parked(name: str) -> None:
    assert parked((PAGES / name).read_bytes()) is None


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("*.htm*")))
def test_no_corpus_page_is_parked(name: str) -> None:
    assert parked((CORPUS / name).read_bytes(), "https://www.hrw.org/news/2024/06/13/x") is None


@pytest.mark.parametrize(
    ("url", "why"),
    [
        (
            "https://www.afternic.com/forsale/oldngo.org?traffic_id=lander",
            "a listing on afternic.com",
        ),
        ("https://dan.com/buy-domain/oldngo.org", "a listing on dan.com"),
        ("https://sedo.com/search/details/?domain=oldngo.org&language=us", "a listing on sedo.com"),
        (
            "https://www.hugedomains.com/domain_profile.cfm?d=oldngo&e=org",
            "a listing on hugedomains.com",
        ),
        ("http://127.0.0.3:8080/forsale/oldngo.org", "a domain sale page (/forsale/oldngo.org)"),
        ("https://oldngo.org/lander", "a domain sale page (/lander)"),
    ],
)
def test_marketplace_addresses_are_caught(url: str, why: str) -> None:
    assert parked(SHORT, url) == f"its address is {why}"


@pytest.mark.parametrize(
    "url",
    [
        "https://sedo.com/us/about-us/press/",  # a marketplace's own page, cited as such
        "https://homes.example/for-sale/house-12.html",  # a property listing
        "https://www.ngo.test/forsale/index.html",
        "https://www.godaddy.com/domains?utm_source=news.example.org",  # a registrar's own page
    ],
)
def test_other_addresses_are_not_listings(url: str) -> None:
    assert parked(SHORT, url) is None


def test_a_lander_path_needs_an_empty_page() -> None:
    article = (PAGES / "article-domain-sale.html").read_bytes()
    assert parked(article, "https://blog.example/lander") is None


@pytest.mark.parametrize(
    ("head", "why"),
    [
        (
            '<meta http-equiv="refresh" content="0; url=https://dan.com/buy-domain/oldngo.org">',
            "it forwards to dan.com",
        ),
        (
            '<script src="https://img.sedoparking.com/js/lander.js"></script>',
            "it loads img.sedoparking.com",
        ),
        (
            "<script>window.park = 'eyJ1dWlkIjoiYSJ9';</script>",
            "its script sets up a parking page (window.park =)",
        ),
    ],
)
def test_parking_machinery_is_caught(head: str, why: str) -> None:
    body = f"<html><head><title>oldngo.org</title>{head}</head><body></body></html>".encode()
    assert parked(body) == why


def test_a_link_to_a_marketplace_is_not_machinery() -> None:
    body = (
        b"<html><head><title>Our new address</title></head><body>"
        b"<p>We sold our old name through <a href='https://sedo.com/'>Sedo</a>.</p></body></html>"
    )
    assert parked(body) is None


@pytest.mark.parametrize(
    "title",
    ["This domain is for sale", "Buy this domain", "oldngo.org - Domain parked", "Domain for sale"],
)
def test_parking_titles_over_an_empty_page(title: str) -> None:
    assert parked(f"<title>{title}</title><body><p>oldngo.org</p></body>".encode()) is not None


@pytest.mark.parametrize("title", ["Node.js is available", "Download", "Sold out", "Parking"])
def test_ordinary_titles_over_an_empty_page(title: str) -> None:
    assert parked(f"<title>{title}</title><body><p>Coming soon.</p></body>".encode()) is None


def test_a_city_parking_page_is_not_a_parked_domain() -> None:
    body = (
        b"<html><head><title>Parking in the city centre</title>"
        b"<script src='/js/parking.js'></script><script src='/js/caf.js'></script></head>"
        b"<body><h1>Parking in the city centre</h1><p>Rates and opening hours.</p></body></html>"
    )
    assert parked(body, "https://www.city.example/parking") is None
