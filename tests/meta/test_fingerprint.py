"""The main-text fingerprint: SimHash over word shingles, read from the page's content only."""

from __future__ import annotations

from pathlib import Path

from citecheck.meta import page_meta
from citecheck.meta.fingerprint import simhash

TEXT = (
    "Human rights organisations documented the arbitrary detention of at least one million "
    "people between 2017 and 2024, including writers, teachers and religious figures held "
    "without charge. Former detainees described forced political indoctrination, separation "
    "from their children and transfers to distant factories under close surveillance."
)


def bits(first: str | None, second: str | None) -> int:
    assert first is not None and second is not None
    return (int(first, 16) ^ int(second, 16)).bit_count()


def html(main: str, nav: str = "Home Reports News") -> bytes:
    return (
        f"<html><head><title>T</title><script>var x = '{nav}';</script></head><body>"
        f"<header><nav>{nav}</nav></header><main><p>{main}</p></main>"
        f"<footer>{nav} Privacy</footer></body></html>"
    ).encode()


def test_sixteen_hex_digits_stable_across_runs_and_none_without_words() -> None:
    assert simhash(TEXT) == simhash(TEXT)
    value = simhash(TEXT)
    assert value is not None and len(value) == 16 and int(value, 16) >= 0
    assert simhash("  ... — !") is None and simhash("") is None


def test_case_punctuation_spacing_and_numbers_do_not_count() -> None:
    respaced = TEXT.upper().replace(",", " ;").replace(" ", "   ")
    assert simhash(respaced) == simhash(TEXT)
    assert simhash(TEXT.replace("2017 and 2024", "2016 and 2025")) == simhash(TEXT)


def test_only_the_content_counts_not_navigation_header_footer_or_scripts() -> None:
    first = page_meta(html(TEXT), "text/html", "https://ngo.test/a", fingerprint=True).fingerprint
    other = page_meta(
        html(TEXT, nav="Start Donate Press"), "text/html", "https://ngo.test/a", fingerprint=True
    )
    assert first is not None and other.fingerprint == first


def test_a_rewritten_half_moves_many_bits_a_changed_word_few() -> None:
    rewritten = TEXT[: len(TEXT) // 2] + (
        " The coalition now welcomes the renewed partnership agreement and praises the progress "
        "of the economic talks and the investment framework finalised last month."
    )
    assert bits(simhash(TEXT), simhash(rewritten)) > 10
    assert bits(simhash(TEXT), simhash(TEXT.replace("writers", "poets"))) <= 10


def test_a_pdf_is_fingerprinted_from_its_text() -> None:
    body = (Path(__file__).parent / "corpus" / "pdf-textonly.pdf").read_bytes()
    found = page_meta(body, "application/pdf", "https://ngo.test/a.pdf", fingerprint=True)
    assert found.text_head and found.fingerprint == simhash(found.text_head)
