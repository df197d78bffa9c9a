"""Robust Links in ``--format html``: a link with an archived copy carries ``data-originalurl``,
``data-versionurl`` and ``data-versiondate`` (https://robustlinks.mementoweb.org/spec/), so a
reader's Robust Links script can offer the capture once the source is gone. Parsed back as a
browser would."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from citecheck.models import Status
from citecheck.report.html import render

from factories import fetched, finding, reference, report
from html_letter import ARCHIVED, letter_report

ROBUST = ("data-originalurl", "data-versionurl", "data-versiondate")
GONE = "https://www.hrw.org/news/2019/03/01/gone"
CAPTURE = f"https://web.archive.org/web/20190302104512/{GONE}"


def _links(html: str) -> list[dict[str, str | None]]:
    return [dict(a.attributes) for a in HTMLParser(html).css(".detail a")]


def test_broken_link_with_archived_copy_carries_robust_links_attributes() -> None:
    broken = finding(
        Status.BROKEN,
        reference(GONE),
        "404 Not Found",
        fetch=fetched(GONE, http_status=404, reason="Not Found"),
        suggestion=CAPTURE,
    )

    links = _links(render(report([broken])))

    robust = [link for link in links if link.get("data-versionurl")]
    # The link to the source and the link to its capture both say what each other is.
    assert [link["href"] for link in robust] == [GONE, CAPTURE]
    for link in robust:
        assert link["data-originalurl"] == GONE
        assert link["data-versionurl"] == CAPTURE
        assert link["data-versiondate"] == "2019-03-02"


def test_moved_link_with_archived_copy_in_its_message_gets_it_as_its_version() -> None:
    moved_to = "https://www.hrw.org/news/2019/03/01/new-home"
    moved = finding(
        Status.MOVED,
        reference(GONE),
        f"301 permanent redirect to {moved_to}; archived copy: {CAPTURE}",
        suggestion=moved_to,
    )

    links = {link["href"]: link for link in _links(render(report([moved])))}

    assert {key: links[GONE].get(key) for key in ROBUST} == {
        "data-originalurl": GONE,
        "data-versionurl": CAPTURE,
        "data-versiondate": "2019-03-02",
    }
    assert links[CAPTURE]["data-originalurl"] == GONE  # shown as its own "archived copy" row
    assert "data-versionurl" not in links[moved_to]  # the new address is no archived copy


def test_every_link_with_an_archived_copy_in_a_letter_has_robust_links() -> None:
    tree = HTMLParser(render(letter_report()))

    versioned = tree.css("a[data-versionurl]")

    assert versioned, "the letter has a broken link with an archived copy"
    assert {a.attributes["data-versionurl"] for a in versioned} == {ARCHIVED}
    assert {a.attributes["data-originalurl"] for a in versioned} == {
        "https://gone.test/old?a=1&b=2"
    }
    assert {a.attributes["data-versiondate"] for a in versioned} == {"2025-01-01"}
    # Links without an archived copy carry none of the attributes.
    for a in tree.css("a:not([data-versionurl])"):
        assert not any(key in a.attributes for key in ROBUST)


def test_archive_address_without_a_capture_time_gets_no_version_date() -> None:
    loose = f"https://web.archive.org/web/2019/{GONE}"
    broken = finding(Status.BROKEN, reference(GONE), "410 Gone", suggestion=loose)

    links = [link for link in _links(render(report([broken]))) if link.get("data-versionurl")]

    assert links and all(link["data-versionurl"] == loose for link in links)
    assert all("data-versiondate" not in link for link in links)
