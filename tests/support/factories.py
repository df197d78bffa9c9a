"""Small factories for the records the report formats render (no network, no files)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from citecheck.models import (
    Fetched,
    Finding,
    LetterFormat,
    LetterInfo,
    LinkKind,
    PageMeta,
    Redirect,
    Reference,
    Report,
    Status,
)

LETTER = "letters/2025-07-eu-china.md"
SECRET = "hunter2"
CREDENTIAL_URL = f"https://editor:{SECRET}@intranet.ngo.test/drafts/brief.pdf"
HOSTILE_TEXT = "pipes | and\nnewlines `code` [link](x) <b>bold</b>"
HOSTILE_TITLE = "Rights & wrongs: 100% of {cases} in EU_China ~ report #3 ^ $5 \\ Überblick — 人权"


def reference(url: str = "https://www.hrw.org/news/2025/07/17/china", **changes: Any) -> Reference:
    values: dict[str, Any] = {
        "letter": LETTER,
        "line": 12,
        "column": 5,
        "kind": LinkKind.INLINE,
        "footnote": None,
        "text": "arbitrary detention",
        "url": url,
    }
    values.update(changes)
    return Reference(**values)


def citation(
    title: str | None = None, date: str | None = None, date_text: str | None = None, text: str = ""
) -> Reference:
    """A link citing ``title`` and ``date`` from a footnote (or, without a title, from prose)."""
    return Reference(
        letter="letter.md",
        line=1,
        column=1,
        kind=LinkKind.INLINE,
        footnote="1" if title else None,
        text=text or title or "",
        url="https://ngo.example/page",
        cited_title=title,
        cited_date=date,
        cited_date_text=date_text or date,
    )


def fetched(url: str, **changes: Any) -> Fetched:
    values: dict[str, Any] = {
        "url": url,
        "final_url": url,
        "http_status": 200,
        "reason": "OK",
        "content_type": "text/html; charset=utf-8",
        "elapsed_ms": 42,
    }
    values.update(changes)
    return Fetched(**values)


def finding(
    status: Status,
    ref: Reference | None = None,
    message: str | None = None,
    *,
    meta: PageMeta | None = None,
    fetch: Fetched | None = None,
    **changes: Any,
) -> Finding:
    ref = ref or reference()
    return Finding(
        reference=ref,
        status=status,
        message=message or f"{status.value} because the test says so",
        fetched=fetch,
        meta=meta,
        accessed=changes.pop("accessed", "2026-05-19"),
        **changes,
    )


def report(findings: list[Finding], notices: tuple[str, ...] = ()) -> Report:
    """A checked Report over the findings, with one LetterInfo per letter in order."""
    letters: dict[str, int] = {}
    for item in findings:
        letters[item.reference.letter] = letters.get(item.reference.letter, 0) + 1
    infos = tuple(LetterInfo(path, LetterFormat.MARKDOWN, count) for path, count in letters.items())
    return Report(
        letters=infos,
        references=tuple(item.reference for item in findings),
        findings=tuple(findings),
        notices=notices,
    )


def refs_report(references: list[Reference]) -> Report:
    """What ``refs`` produces: references, no findings."""
    return Report(
        letters=(LetterInfo(LETTER, LetterFormat.MARKDOWN, len(references)),),
        references=tuple(references),
    )


def every_status() -> list[Finding]:
    """One finding per status, with footnoted citations, redirects, suggestions and a secret."""
    hrw = "https://www.hrw.org/news/2025/07/17/china-joint-letter"
    hrw_ref = reference(
        hrw,
        line=40,
        column=3,
        footnote="1",
        text="Joint NGO letter ahead of EU-China Summit",
        cited_title="Joint NGO letter ahead of EU-China Summit",
        cited_date="2025-07-17",
        cited_date_text="17 July 2025",
    )
    hrw_meta = PageMeta(
        title="Joint NGO letter ahead of EU-China Summit",
        published="2025-07-17",
        site_name="Human Rights Watch",
    )
    moved_url = "http://amnesty.test/report-2024"
    new_url = "https://www.amnesty.test/en/documents/report-2024/"
    mismatch_ref = reference(
        "https://eeas.test/dialogue",
        line=41,
        column=3,
        footnote="2",
        text="EU-China Human Rights Dialogue",
        cited_title="EU-China Human Rights Dialogue",
        cited_date="2024-06-13",
        cited_date_text="13 June 2024",
    )
    return [
        finding(Status.OK, hrw_ref, "200 OK", meta=hrw_meta, fetch=fetched(hrw)),
        finding(
            Status.MOVED,
            reference(moved_url, line=14, column=9, text="Amnesty report"),
            "permanent redirect (301) to a new address",
            meta=PageMeta(title="Annual report 2024", published="2024", site_name="Amnesty"),
            fetch=fetched(moved_url, final_url=new_url, redirects=(Redirect(moved_url, 301),)),
            suggestion=new_url,
        ),
        finding(
            Status.MISMATCHED,
            mismatch_ref,
            "cited date differs from the page",
            meta=PageMeta(title="EU-China dialogue: press release", published="2023-06-16"),
            fetch=fetched("https://eeas.test/dialogue"),
            title_similarity=0.41,
        ),
        finding(
            Status.BROKEN,
            reference("https://gone.test/old-report", line=20, column=1, text=HOSTILE_TEXT),
            "404 Not Found",
            fetch=fetched("https://gone.test/old-report", http_status=404, reason="Not Found"),
            suggestion="https://web.archive.test/web/20250101000000/https://gone.test/old-report",
        ),
        finding(
            Status.BLOCKED,
            reference("https://cf.test/page", line=21, column=2),
            "403 Forbidden",
            fetch=fetched("https://cf.test/page", http_status=403, reason="Forbidden"),
        ),
        finding(
            Status.UNREACHABLE,
            reference("https://slow.test/", line=22, column=3),
            "timed out after 10 s",
        ),
        finding(Status.PLACEHOLDER, reference("TODO", line=23, column=4), "placeholder 'TODO'"),
        finding(
            Status.PRIVATE,
            reference(CREDENTIAL_URL, line=24, column=5, text="internal brief"),
            "points at a private address",
        ),
        finding(
            Status.INVALID, reference("htp:/broken", line=25, column=6), "unsupported scheme 'htp'"
        ),
        finding(
            Status.SKIPPED,
            reference("mailto:press@ngo.test", line=26, column=7, text="press office"),
            "mailto: links are only syntax-checked",
        ),
    ]


def cited_five_times(url: str = "https://www.hrw.org/report/2024/china") -> list[Finding]:
    """The same source cited five times from two letters, once with a #fragment."""
    meta = PageMeta(title="China report", published="2024-03", site_name="Human Rights Watch")
    base = finding(Status.OK, reference(url), "200 OK", meta=meta, fetch=fetched(url))
    copies = [replace(base, reference=replace(base.reference, line=line)) for line in (3, 9, 27)]
    other = replace(
        base,
        reference=replace(base.reference, letter="letters/other.md", url=f"{url}#section-2"),
        accessed="2026-05-20",
    )
    return [base, *copies, other]


def drifted() -> Finding:
    """A page that works but changed since the letter's citation lock, with the locked copy."""
    url = "https://ngo.test/statement"
    return finding(
        Status.DRIFTED,
        reference(url, line=15, column=4, text="the statement"),
        "changed since the lock of 2026-11-02: title was 'Suspend the dialogue', now "
        "'Resume the dialogue'; archived copy: "
        f"https://web.archive.test/web/20261102000000/{url} (200 OK)",
        meta=PageMeta(title="Resume the dialogue"),
        fetch=fetched(url),
        suggestion=f"https://web.archive.test/web/20261102000000/{url}",
    )
