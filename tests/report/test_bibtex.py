"""``export --format bibtex``: read back by a real BibTeX parser (bibtexparser 2)."""

from __future__ import annotations

from dataclasses import replace

import bibtexparser
import pybtex.database
from bibtexparser.middlewares import LatexDecodingMiddleware
from hypothesis import given, settings
from hypothesis import strategies as st

from citecheck.models import Finding, PageMeta, Status
from citecheck.report.bibtex import render

from factories import (
    HOSTILE_TITLE,
    SECRET,
    cited_five_times,
    every_status,
    fetched,
    finding,
    reference,
    report,
)

# Our escapes, undone: what the title looks like to a reader of the rendered bibliography.
UNESCAPE = [
    (r"\textbackslash{}", "\\"), (r"\textasciitilde{}", "~"), (r"\textasciicircum{}", "^"),
    (r"\{", "{"), (r"\}", "}"), (r"\&", "&"), (r"\%", "%"), (r"\$", "$"), (r"\#", "#"),
    (r"\_", "_"),
]  # fmt: skip


def parse(text: str, decode: bool = False) -> bibtexparser.Library:
    middleware = [LatexDecodingMiddleware()] if decode else []
    library = bibtexparser.parse_string(text, append_middleware=middleware)
    assert library.failed_blocks == []
    return library


def unescape(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        for escaped, char in UNESCAPE:
            if value.startswith(escaped, i):
                out.append(char)
                i += len(escaped)
                break
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def titled(title: str, url: str = "https://www.hrw.org/report/2025/rights") -> Finding:
    return finding(
        Status.OK,
        reference(url, footnote="3", text="the report", cited_title=title, cited_date="2025-07"),
        "200 OK",
        meta=PageMeta(title="Page title", published="2025-07-02", site_name="Human Rights Watch"),
        fetch=fetched(url),
    )


def test_one_online_entry_per_followable_url() -> None:
    library = parse(render(report(every_status() + cited_five_times())))
    entries = library.entries
    assert {entry.entry_type for entry in entries} == {"online"}
    urls = [entry["url"] for entry in entries]
    assert len(urls) == len(set(urls))
    assert "https://www.hrw.org/report/2024/china" in urls  # cited five times, one entry
    assert sum(url.startswith("https://www.hrw.org/report/2024/china") for url in urls) == 1
    # placeholder, invalid, mailto and private references are not sources
    assert not any(u in urls for u in ("TODO", "htp:/broken", "mailto:press@ngo.test"))
    assert not any("intranet" in url for url in urls)
    assert len(entries) == 7


def test_fields_carry_title_url_site_dates_and_access_date() -> None:
    library = parse(render(report(every_status() + cited_five_times())))
    by_url = {entry["url"]: entry for entry in library.entries}
    hrw = by_url["https://www.hrw.org/news/2025/07/17/china-joint-letter"]
    assert hrw["title"] == "Joint NGO letter ahead of EU-China Summit"
    assert hrw["organization"] == "Human Rights Watch"
    assert hrw["date"] == "2025-07-17"
    assert hrw["year"] == "2025"
    assert hrw["month"] == "jul"
    assert hrw["urldate"] == "2026-05-19"
    assert "note" not in hrw.fields_dict  # ok: nothing to note
    china = by_url["https://www.hrw.org/report/2024/china"]
    assert china["urldate"] == "2026-05-20"  # the latest access of its five citations
    assert china["date"] == "2024-03"
    assert china["title"] == "China report"  # no cited title: the page's
    broken = by_url["https://gone.test/old-report"]
    assert broken["organization"] == "gone.test"  # no site name: the host
    assert "year" not in broken.fields_dict
    assert "citecheck: broken (404 Not Found)" in broken["note"]
    assert "web.archive.test" in broken["note"]
    moved = by_url["http://amnesty.test/report-2024"]
    assert moved["title"] == "Annual report 2024"


def test_specials_and_non_ascii_survive_a_round_trip() -> None:
    text = render(report([titled(HOSTILE_TITLE)]))
    assert "Überblick — 人权" in text  # UTF-8 as is, not LaTeX accents
    (entry,) = parse(text).entries
    assert unescape(entry["title"]) == HOSTILE_TITLE
    (decoded,) = parse(text, decode=True).entries
    # pylatexenc renders \textasciicircum as the modifier letter U+02C6
    assert decoded["title"].replace("\u02c6", "^") == HOSTILE_TITLE


def test_keys_are_stable_unique_and_readable() -> None:
    findings = [
        titled("China report", "https://www.hrw.org/a"),
        titled("China report", "https://www.hrw.org/b"),
        titled("The China report", "https://www.hrw.org/c"),
        titled("Uyghur region", "https://www.hrw.org/d"),
    ]
    text = render(report(findings))
    assert render(report(findings)) == text
    keys = [entry.key for entry in parse(text).entries]
    assert keys == [
        "humanrightswatch2025chinaa",
        "humanrightswatch2025chinab",
        "humanrightswatch2025chinac",
        "humanrightswatch2025uyghur",
    ]


def test_credentials_never_reach_the_bibliography() -> None:
    item = titled("Brief", f"https://u:{SECRET}@ngo.test/brief")
    text = render(report([item, replace(item, suggestion=f"https://u:{SECRET}@ngo.test/new")]))
    assert SECRET not in text
    (entry,) = parse(text).entries
    assert entry["url"] == "https://***@ngo.test/brief"


TITLES = st.text(
    st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("&%$#_{}~^\\"),
    min_size=1,
    max_size=40,
).filter(str.strip)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(TITLES, st.sampled_from(["A", "A", "Bé", ""])), min_size=1, max_size=6))
def test_any_titles_and_sites_parse_with_unique_keys(items: list[tuple[str, str]]) -> None:
    findings = [
        finding(
            Status.OK,
            reference(f"https://site{n % 2}.test/p{n}", cited_title=title),
            "200 OK",
            meta=PageMeta(site_name=site or None, published="2024-01-31"),
        )
        for n, (title, site) in enumerate(items)
    ]
    entries = parse(render(report(findings))).entries
    assert len(entries) == len(items)
    assert len({entry.key for entry in entries}) == len(items)
    for entry, (title, _) in zip(entries, items, strict=True):
        assert unescape(entry["title"]) == " ".join(title.split())


def error_pages() -> list[Finding]:
    """Broken links whose error pages carry a title, a date and a site name of their own."""
    soft_url, gone_url = "https://ngo.test/reports/detention", "https://ngo.test/old"
    error_meta = PageMeta(title="Page not found", published="2019-01-01", site_name="NGO 404")
    return [
        finding(
            Status.BROKEN,
            reference(soft_url, text="our 2019 report on detention"),
            "200 OK but the page says 'Page not found'",
            meta=error_meta,
            fetch=fetched(soft_url),
        ),
        finding(
            Status.BROKEN,
            reference(gone_url, footnote="2", text="Annual report", cited_title="Annual report"),
            "404 Not Found",
            meta=error_meta,
            fetch=fetched(gone_url, http_status=404, reason="Not Found"),
        ),
    ]


def test_a_broken_link_never_takes_the_error_pages_title_or_date() -> None:
    text = render(report(error_pages()))
    soft, gone = parse(text).entries
    assert soft["title"] == "our 2019 report on detention"
    assert gone["title"] == "Annual report"
    for entry in (soft, gone):
        assert "date" not in entry.fields_dict and "year" not in entry.fields_dict
        assert entry["organization"] == "ngo.test"
        assert entry["urldate"] == "2026-05-19"
    assert "Page not found" not in soft.key + gone.key


def test_pybtex_reads_the_same_entries() -> None:
    text = render(report(every_status() + cited_five_times() + error_pages()))
    ours = {entry.key: entry for entry in parse(text).entries}
    theirs = pybtex.database.parse_string(text, "bibtex").entries
    assert list(theirs) == list(ours)
    for key, entry in theirs.items():
        assert entry.type == "online"
        assert entry.fields["url"] == ours[key]["url"]
        assert entry.fields["title"] == ours[key]["title"]
        urldate = ours[key].fields_dict.get("urldate")
        assert entry.fields.get("urldate") == (urldate.value if urldate else None)
    first = theirs[next(iter(theirs))]
    assert first.fields["month"] == "July"  # the jul macro, expanded
    assert first.fields["urldate"] == "2026-05-19"
    assert "our 2019 report on detention" in [e.fields["title"] for e in theirs.values()]


def test_a_source_never_read_has_no_access_date() -> None:
    url = "https://www.hrw.org/report/2025/rights"
    read = titled("Rights report", url)
    not_read = finding(
        Status.UNREACHABLE,
        reference("https://ngo.test/offline", cited_title="Offline report"),
        "not in cache (--offline)",
        accessed="2026-05-21",  # the run's date, not a day the source was read
    )
    first, second = parse(render(report([read, not_read]))).entries
    assert first["urldate"] == "2026-05-19"
    assert "urldate" not in second.fields_dict
