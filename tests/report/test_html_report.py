"""``--format html``: the page is parsed back as a browser would and checked for what a reader
sees: each link marked with its status, the details, the summary, the problems list, and that
nothing a letter or a page says can become markup."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode as Node

from citecheck.models import LetterFormat, LetterInfo, LinkKind, Report, Status
from citecheck.report import renderer
from citecheck.report.html import render

from factories import SECRET, drifted, every_status, refs_report, report
from html_letter import (
    ARCHIVED,
    CASES,
    HOSTILE_TITLE,
    JS_URL,
    MOVED_TO,
    PATH,
    TEXT,
    letter_report,
)
from servers import Reply

HTML = [("Content-Type", "text/html; charset=utf-8")]


def page(report: Report) -> HTMLParser:
    return HTMLParser(render(report))


def mark_of(tree: HTMLParser, url: str) -> Node:
    """The marking of the link to ``url``."""
    for mark in tree.css("span.ref"):
        if detail_rows(mark)["URL"] == url:
            return mark
    raise AssertionError(f"no mark for {url}")


def shown_letter(tree: HTMLParser) -> str:
    """The letter as a reader sees it, without the status badges and hidden details."""
    letter = tree.css_first("pre.letter-text")
    assert letter is not None
    for extra in letter.css(".badge, .detail"):
        extra.decompose()
    return letter.text(deep=True)


def detail_rows(mark: Node) -> dict[str, str]:
    rows = {}
    for row in mark.css(".detail .row"):
        key, value = row.css_first(".key"), row.css_first(".value")
        assert key is not None and value is not None
        rows[key.text()] = value.text()
    return rows


# Credentials are starred out character for character, so that columns in the letter still hold.
STARRED = "*" * len("editor:hunter2") + "@"


def test_it_is_the_html_format() -> None:
    assert renderer("html") is render


def test_every_link_is_marked_over_its_source_with_status_class_icon_and_word() -> None:
    tree = page(letter_report())
    marks = tree.css("pre.letter-text span.ref")
    assert len(marks) == len(CASES)
    by_text = {}
    for mark in marks:
        text = mark.css_first(".ref-text")
        assert text is not None
        by_text[text.text()] = mark
    for status, ref, source in CASES:
        mark = by_text[source.replace("***@", STARRED)]
        assert f"status-{status.value}" in (mark.attributes["class"] or "").split()
        badge = mark.css_first("button.badge")
        assert badge is not None
        icon = badge.css_first("span[aria-hidden=true]")
        assert icon is not None and icon.text().strip()
        assert badge.text().split()[-1] == status.value
        label = badge.attributes["aria-label"] or ""
        assert label.startswith(f"{status.value}: ")
        assert status.value in (badge.attributes["title"] or "")
        assert f"{ref.line}:{ref.column}" in detail_rows(mark)["where"]


def test_the_letter_text_is_shown_as_written_with_credentials_masked() -> None:
    html = render(letter_report())
    assert SECRET not in html
    assert shown_letter(HTMLParser(html)) == TEXT.replace("editor:hunter2@", STARRED)


def test_details_show_http_redirects_titles_dates_similarity_and_a_suggestion() -> None:
    tree = page(letter_report())
    mismatched = detail_rows(mark_of(tree, "https://eeas.test/dialogue"))
    assert mismatched["status"].split()[-1] == "mismatched"
    assert mismatched["message"] == "cited date differs from the page"
    assert mismatched["cited title"] == "Joint NGO letter ahead of EU-China Summit"
    assert mismatched["page title"] == "EU-China dialogue: press release"
    assert mismatched["cited date"] == "17 July 2025 (2025-07-17)"
    assert mismatched["page date"] == "2023-06-16"
    assert mismatched["title similarity"] == "41%"
    assert mismatched["link"] == "inline, footnote 1"
    assert mismatched["HTTP"] == "200 OK"

    moved_mark = mark_of(tree, "https://amnesty.test/report-2024")
    moved = detail_rows(moved_mark)
    assert moved["final URL"] == MOVED_TO
    assert moved["redirects"] == "301 from https://amnesty.test/report-2024"
    assert moved["suggestion"] == MOVED_TO
    suggestion = [a.attributes["href"] for a in moved_mark.css(".detail a")]
    assert MOVED_TO in suggestion

    broken_mark = mark_of(tree, "https://gone.test/old?a=1&b=2")
    assert detail_rows(broken_mark)["HTTP"] == "404 Not Found"
    assert ARCHIVED in [a.attributes["href"] for a in broken_mark.css(".detail a")]


def test_details_are_hidden_until_asked_for_and_named_by_their_badge() -> None:
    tree = page(letter_report())
    for mark in tree.css("span.ref"):
        badge, detail = mark.css_first("button.badge"), mark.css_first(".detail")
        assert badge is not None and detail is not None
        assert badge.attributes["aria-expanded"] == "false"
        assert badge.attributes["aria-controls"] == detail.attributes["id"]
        assert "hidden" in detail.attributes


def test_summary_counts_each_status_and_the_letters() -> None:
    tree = page(report([*every_status(), drifted()]))
    summary = tree.css_first("section.summary")
    assert summary is not None
    assert summary.text().startswith("11 references in 1 letter: 5 references fail this run.")
    counts = {item.text().split()[-1]: item.text().split()[-2] for item in summary.css("li")}
    assert counts == {status.value: "1" for status in Status}


def test_filter_reveals_a_problems_list_worst_first_linking_to_each_mark() -> None:
    tree = page(letter_report())
    checkbox = tree.css_first("input#problems-only[type=checkbox]")
    assert checkbox is not None
    label = checkbox.parent
    assert label is not None and "Show only problems" in label.text()
    problems = tree.css_first("section#problems")
    assert problems is not None and "hidden" in problems.attributes
    items = problems.css("li")
    expected = sorted(
        (status for status, _, _ in CASES if status not in (Status.OK, Status.SKIPPED)),
        key=lambda status: -status.severity,
    )
    assert [item.css_first(".pill").text().split()[-1] for item in items] == expected  # type: ignore[union-attr]
    for item in items:
        jump = item.css_first("a.jump")
        assert jump is not None
        target = tree.css_first(jump.attributes["href"] or "")
        assert target is not None and "ref" in (target.attributes["class"] or "").split()
    quiet = tree.css("span.ref.quiet-status")
    assert {node.css_first(".badge").text().split()[-1] for node in quiet} == {"ok", "skipped"}  # type: ignore[union-attr]


def test_hostile_letter_page_and_urls_inject_nothing() -> None:
    html = render(letter_report(notices=(HOSTILE_TITLE,)))
    tree = HTMLParser(html)
    assert tree.css("img") == []
    scripts = tree.css("script")
    assert len(scripts) == 1 and "alert" not in scripts[0].text()
    assert all(
        not name.lower().startswith("on") for node in tree.css("*") for name in node.attributes
    )
    for anchor in tree.css("a[href]"):
        assert re.match(r"(https?://|#ref-\d+$)", anchor.attributes["href"] or "")
    blocked = detail_rows(mark_of(tree, "https://cf.test/page"))
    assert blocked["page title"] == HOSTILE_TITLE
    assert blocked["suggestion"] == JS_URL  # shown as text, never as a link
    invalid = mark_of(tree, JS_URL)
    assert invalid.css(".detail a") == []
    badge = invalid.css_first("button.badge")
    assert badge is not None
    assert badge.attributes["aria-label"] == 'invalid: "><img src=x onerror=alert(1)> (details)'
    notice = tree.css_first(".notice")
    assert notice is not None and notice.text() == HOSTILE_TITLE
    assert "<script>alert('letter')</script>" in shown_letter(tree)


def test_nothing_is_loaded_from_elsewhere_and_the_policy_allows_only_the_inline_code() -> None:
    tree = page(letter_report())
    for node in tree.css("link, script, img, iframe, object, embed, source, video, audio, base"):
        assert "src" not in node.attributes and "href" not in node.attributes
    policy = tree.css_first('meta[http-equiv="Content-Security-Policy"]')
    assert policy is not None
    content = policy.attributes["content"] or ""
    assert "default-src 'none'" in content
    for tag, directive in (("style", "style-src"), ("script", "script-src")):
        inline = tree.css_first(tag)
        assert inline is not None
        digest = base64.b64encode(hashlib.sha256(inline.text().encode()).digest()).decode()
        assert f"{directive} 'sha256-{digest}'" in content


def test_links_outside_the_text_or_overlapping_are_still_listed() -> None:
    base = letter_report()
    first = base.references[0]
    strays = [
        replace(first, line=0),
        replace(first, line=999),
        replace(first, column=999),
        replace(first, column=0),
        replace(first, column=first.column + 3, text="nested"),  # inside the first link
    ]
    findings = list(base.findings or ()) + [
        replace(base.findings[0], reference=ref, status=Status.BROKEN)  # type: ignore[index]
        for ref in strays
    ]
    tree = page(
        replace(base, findings=tuple(findings), references=tuple(f.reference for f in findings))
    )
    assert len(tree.css("span.ref")) == len(findings)
    assert len(tree.css("ul.unplaced span.ref")) == 4
    assert shown_letter(tree) == TEXT.replace("editor:hunter2@", STARRED)


def test_a_refs_report_marks_links_without_statuses() -> None:
    refs = [ref for _, ref, _ in CASES]
    base = refs_report(refs)
    tree = page(replace(base, letters=(LetterInfo(PATH, LetterFormat.MARKDOWN, len(refs), TEXT),)))
    marks = tree.css("span.ref")
    assert len(marks) == len(refs)
    assert all("status-link" in (mark.attributes["class"] or "") for mark in marks)
    assert tree.css_first("#problems-only") is None
    summary = tree.css_first("section.summary")
    assert summary is not None and "not checked" in summary.text()


def test_a_letter_without_text_lists_its_links() -> None:
    base = letter_report()
    info = replace(base.letters[0], text="", format=LetterFormat.DOCX)
    tree = page(replace(base, letters=(info,)))
    assert tree.css_first("pre.letter-text") is None
    assert len(tree.css("ul.unplaced span.ref")) == len(CASES)


@settings(max_examples=60, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from("ab <>&\"'[]()\n\t:/h\u00e9"), max_size=80),
    spots=st.lists(
        st.tuples(st.integers(-1, 8), st.integers(-1, 30), st.sampled_from(list(LinkKind))),
        max_size=6,
    ),
    url=st.sampled_from(["ab", "h://a", "<", "", "&"]),
)
def test_any_text_and_positions_render_and_keep_the_letter(
    text: str, spots: list[tuple[int, int, LinkKind]], url: str
) -> None:
    base = report(every_status()[:1])
    ref = base.references[0]
    findings = tuple(
        replace(
            base.findings[0],  # type: ignore[index]
            reference=replace(ref, line=line, column=column, kind=kind, url=url, text=url),
        )
        for line, column, kind in spots
    )
    info = LetterInfo(ref.letter, LetterFormat.TEXT, len(findings), text)
    tree = page(Report((info,), tuple(f.reference for f in findings), findings))
    assert len(tree.css("span.ref")) == len(findings)
    if text:
        assert shown_letter(tree) == text


def test_check_writes_the_report_of_a_real_letter(
    cli: Callable[..., Any], loopback: Callable[..., Any], tmp_path: Path
) -> None:
    site = loopback()
    site.route("/ok", Reply(200, b"<title>Rights report</title><h1>Rights report</h1>", HTML))
    site.route("/gone", Reply(404))
    letter = tmp_path / "letter.md"
    letter.write_text(
        f"\n\nDear MEPs,\n\nSee [the report]({site.url('/ok')}) and\n<{site.url('/gone')}>.\n",
        encoding="utf-8",
    )
    options = ["--allow-private", "--no-cache", "--retries", "0", "--timeout", "2"]
    result = cli("check", letter, "--format", "html", *options)
    assert result.code == 1, result.err
    tree = HTMLParser(result.out)
    marks = {
        node.css_first(".ref-text").text(): node.css_first(".badge").text().split()[-1]  # type: ignore[union-attr]
        for node in tree.css("pre.letter-text span.ref")
    }
    assert marks == {f"[the report]({site.url('/ok')})": "ok", f"<{site.url('/gone')}>": "broken"}
    assert shown_letter(tree) == letter.read_text(encoding="utf-8")
