"""A mismatched reference says what to cite instead, in every output, in the letter's date style."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from citecheck.claims import compare
from citecheck.models import LinkKind, PageMeta, Reference

from servers import Reply

HTML = [("Content-Type", "text/html; charset=utf-8")]
FLAGS = ("--allow-private", "--no-cache", "--timeout", "5", "--retries", "0")
PAGE_TITLE = "EU-China dialogue: press release"


def page(title: str, published: str) -> bytes:
    return (
        f"<!doctype html><html lang='en'><head><title>{title}</title>"
        f"<meta property='article:published_time' content='{published}T09:00:00Z'>"
        f"</head><body><h1>{title}</h1></body></html>"
    ).encode()


@pytest.fixture
def site(loopback):  # type: ignore[no-untyped-def]
    server = loopback()
    server.route("/dialogue", Reply(200, page(PAGE_TITLE, "2024-06-20"), HTML))
    server.route("/agrees", Reply(200, page("Annual report on China", "2024-06-20"), HTML))
    return server


@pytest.mark.parametrize(
    ("cited_date", "instead"),
    [
        ("13 June 2023", "20 June 2024"),
        ("1er juin 2023", "20 juin 2024"),
        ("13.06.2023", "20.06.2024"),
        ("June 13, 2023", "June 20, 2024"),
    ],
)
def test_json_suggests_the_pages_title_and_date_in_the_letters_style(
    cli, tmp_path: Path, site, cited_date: str, instead: str
) -> None:  # type: ignore[no-untyped-def]
    letter = tmp_path / "letter.md"
    letter.write_text(
        "We wrote before.[^1]\n\n"
        f"[^1]: [EU-China Human Rights Dialogue]({site.url('/dialogue')}), {cited_date}.\n",
        encoding="utf-8",
    )

    result = cli("check", letter, "--format", "json", *FLAGS)

    (record,) = result.json()["references"]
    assert record["status"] == "mismatched", record
    assert record["suggestion"] == f"{PAGE_TITLE}, {instead}"


def test_a_title_that_agrees_is_kept_and_only_the_date_replaced(cli, tmp_path: Path, site) -> None:  # type: ignore[no-untyped-def]
    letter = tmp_path / "letter.md"
    letter.write_text(
        "As reported.[^1]\n\n"
        f"[^1]: [Annual report on China]({site.url('/agrees')}), 3 March 2023.\n",
        encoding="utf-8",
    )

    result = cli("check", letter, "--format", "json", *FLAGS)

    (record,) = result.json()["references"]
    assert record["status"] == "mismatched", record
    assert record["suggestion"] == "Annual report on China, 20 June 2024"


@pytest.mark.parametrize("fmt", ["csv", "markdown"])
def test_csv_and_markdown_carry_the_suggestion_too(cli, tmp_path: Path, site, fmt: str) -> None:  # type: ignore[no-untyped-def]
    letter = tmp_path / "letter.md"
    letter.write_text(
        "As reported.[^1]\n\n"
        f"[^1]: [EU-China Human Rights Dialogue]({site.url('/dialogue')}), 13 June 2023.\n",
        encoding="utf-8",
    )

    result = cli("check", letter, "--format", fmt, *FLAGS)

    wanted = f"{PAGE_TITLE}, 20 June 2024"
    if fmt == "csv":
        (row,) = csv.DictReader(io.StringIO(result.out))
        assert row["suggestion"] == wanted
    else:
        assert wanted in result.out


def test_a_prose_link_gets_no_title_to_paste() -> None:
    # The anchor text is the letter's own wording, not a title the page could replace.
    reference = Reference(
        "l.md", 1, 1, LinkKind.INLINE, None, "forced labour in Xinjiang", "https://a.test/"
    )
    meta = PageMeta(
        title="Cookie policy",
        headings=("Cookie policy", "Managing cookies"),
        text_head="We use cookies to make this website work and to understand how visitors use "
        "it. You can change your cookie settings at any time. Strictly necessary cookies cannot "
        "be switched off. Analytics cookies help us improve the site.",
    )
    result = compare(reference, meta)
    assert result.mismatched and result.suggestion is None
