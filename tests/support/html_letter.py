"""A small letter with one link per status, its references placed where a parser would put them,
and the findings a check would give them; shared by the HTML report's unit and browser tests."""

from __future__ import annotations

from citecheck.models import (
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

from factories import CREDENTIAL_URL, fetched, finding
from factories import reference as make_reference

PATH = "letters/2026-05-19-meps.md"
HOSTILE_TITLE = '"><img src=x onerror="alert(1)"><script>alert(2)</script>'
JS_URL = "javascript:alert(document.domain)"
MOVED_TO = "https://www.amnesty.test/en/documents/report-2024/"
ARCHIVED = "https://web.archive.test/web/20250101000000/https://gone.test/old?a=1&b=2"

LINES = [
    "# To the Members of the European Parliament",
    "",
    "Widespread [arbitrary detention](https://www.hrw.org/news/2025/07/17/china) and",
    "<https://amnesty.test/report-2024> describe it. See https://gone.test/old?a=1&b=2 too.",
    'Ask [the press office][press] or <a href="https://cf.test/page">the <b>EU</b> desk</a>.',
    'Hostile: <a href="javascript:alert(document.domain)">"><img src=x onerror=alert(1)></a> end.',
    "Drafts: [internal brief](" + CREDENTIAL_URL + "), [todo](TODO), [bad](htp:/broken),",
    "and [a slow one](https://slow.test/ 'Slow site') <script>alert('letter')</script>",
    "",
    "\u00b9 See [Joint NGO letter ahead of EU-China Summit](https://eeas.test/dialogue),"
    " 17 July 2025.",
    "",
    "[press]: mailto:press@ngo.test",
]
TEXT = "\n".join(LINES)


def at(needle: str, url: str, kind: LinkKind, text: str, **changes: object) -> Reference:
    """The reference whose link starts at the first ``needle`` in the letter."""
    offset = TEXT.index(needle)
    line = TEXT.count("\n", 0, offset) + 1
    column = offset - (TEXT.rfind("\n", 0, offset) + 1) + 1
    return make_reference(
        url, letter=PATH, line=line, column=column, kind=kind, text=text, **changes
    )


# (status, reference, the source text its mark must cover)
CASES: list[tuple[Status, Reference, str]] = [
    (
        Status.OK,
        at(
            "[arbitrary",
            "https://www.hrw.org/news/2025/07/17/china",
            LinkKind.INLINE,
            "arbitrary detention",
        ),
        "[arbitrary detention](https://www.hrw.org/news/2025/07/17/china)",
    ),
    (
        Status.MOVED,
        at(
            "<https://amnesty",
            "https://amnesty.test/report-2024",
            LinkKind.AUTOLINK,
            "https://amnesty.test/report-2024",
        ),
        "<https://amnesty.test/report-2024>",
    ),
    (
        Status.BROKEN,
        at("https://gone", "https://gone.test/old?a=1&b=2", LinkKind.BARE, "https://gone.test/old"),
        "https://gone.test/old?a=1&b=2",
    ),
    (
        Status.SKIPPED,
        at("[the press", "mailto:press@ngo.test", LinkKind.REFERENCE, "the press office"),
        "[the press office][press]",
    ),
    (
        Status.BLOCKED,
        at('<a href="https://cf', "https://cf.test/page", LinkKind.INLINE, "the EU desk"),
        '<a href="https://cf.test/page">the <b>EU</b> desk</a>',
    ),
    (
        Status.INVALID,
        at('<a href="javascript', JS_URL, LinkKind.INLINE, '"><img src=x onerror=alert(1)>'),
        '<a href="javascript:alert(document.domain)">"><img src=x onerror=alert(1)></a>',
    ),
    (
        Status.PRIVATE,
        at("[internal", CREDENTIAL_URL, LinkKind.INLINE, "internal brief"),
        "[internal brief](" + CREDENTIAL_URL.replace("editor:hunter2", "***") + ")",
    ),
    (
        Status.PLACEHOLDER,
        at("[todo]", "TODO", LinkKind.INLINE, "todo"),
        "[todo](TODO)",
    ),
    (
        Status.INVALID,
        at("[bad]", "htp:/broken", LinkKind.INLINE, "bad"),
        "[bad](htp:/broken)",
    ),
    (
        Status.UNREACHABLE,
        at("[a slow", "https://slow.test/", LinkKind.INLINE, "a slow one"),
        "[a slow one](https://slow.test/ 'Slow site')",
    ),
    (
        Status.MISMATCHED,
        at(
            "[Joint",
            "https://eeas.test/dialogue",
            LinkKind.INLINE,
            "Joint NGO letter ahead of EU-China Summit",
            footnote="1",
            cited_title="Joint NGO letter ahead of EU-China Summit",
            cited_date="2025-07-17",
            cited_date_text="17 July 2025",
        ),
        "[Joint NGO letter ahead of EU-China Summit](https://eeas.test/dialogue)",
    ),
]


def findings() -> list[Finding]:
    """One finding per case, with the evidence a real check would carry."""
    evidence: dict[Status, dict[str, object]] = {
        Status.OK: {
            "message": "200 OK",
            "fetch": fetched("https://www.hrw.org/news/2025/07/17/china"),
            "meta": PageMeta(title="China: arbitrary detention", site_name="Human Rights Watch"),
        },
        Status.MOVED: {
            "message": "permanent redirect (301) to a new address",
            "fetch": fetched(
                "https://amnesty.test/report-2024",
                final_url=MOVED_TO,
                redirects=(Redirect("https://amnesty.test/report-2024", 301),),
            ),
            "meta": PageMeta(title="Annual report 2024"),
            "suggestion": MOVED_TO,
        },
        Status.BROKEN: {
            "message": "404 Not Found",
            "fetch": fetched("https://gone.test/old", http_status=404, reason="Not Found"),
            "suggestion": ARCHIVED,
        },
        Status.BLOCKED: {
            "message": "403 Forbidden",
            "fetch": fetched("https://cf.test/page", http_status=403, reason="Forbidden"),
            "meta": PageMeta(title=HOSTILE_TITLE),
            "suggestion": JS_URL,
        },
        Status.MISMATCHED: {
            "message": "cited date differs from the page",
            "fetch": fetched("https://eeas.test/dialogue"),
            "meta": PageMeta(title="EU-China dialogue: press release", published="2023-06-16"),
            "title_similarity": 0.41,
        },
    }
    return [
        finding(status, ref, **evidence.get(status, {}))  # type: ignore[arg-type]
        for status, ref, _ in CASES
    ]


def letter_report(**changes: object) -> Report:
    """The checked report of the letter (its findings in the letter's order)."""
    found = sorted(findings(), key=lambda f: (f.reference.line, f.reference.column))
    return Report(
        letters=(LetterInfo(PATH, LetterFormat.MARKDOWN, len(found), TEXT),),
        references=tuple(f.reference for f in found),
        findings=tuple(found),
        **changes,  # type: ignore[arg-type]
    )
