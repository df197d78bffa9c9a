"""A checked letter with every status, each verdict decided by the real rules (classify, claims).

The pages and answers are made up, so the report is the same on every run and every machine:
the terminal snapshots depend on it. No network, no files.
"""

from __future__ import annotations

from dataclasses import replace

from citecheck.claims import compare as check_claims
from citecheck.classify import finding, link_verdict, precheck
from citecheck.models import (
    Fetched,
    FetchError,
    Finding,
    LetterFormat,
    LetterInfo,
    LinkKind,
    PageMeta,
    Redirect,
    Reference,
    Report,
)

LETTER = "letters/2025-07-eu-china.md"
LONG_URL = (
    "https://www.hrw.org/news/2025/07/17/joint-ngo-letter-ahead-of-the-eu-china-summit"
    "-on-human-rights-defenders-and-arbitrary-detention"
)
OLD_URL = "http://amnesty.test/report-2024"
NEW_URL = "https://www.amnesty.test/en/documents/asa17/2024/annual-report-on-china-and-hong-kong/"
GONE_URL = "https://gone.test/reports/2019/old-report"
ARCHIVED = f"https://web.archive.test/web/20250717000000/{GONE_URL}"
FRAGMENT_URL = "https://www.un.test/en/press/2024/statement-on-xinjiang#paragraph-12"


def _ref(url: str, line: int, text: str, **claims: str) -> Reference:
    return Reference(LETTER, line, 3, LinkKind.INLINE, "1" if claims else None, text, url, **claims)


def _page(url: str, status: int = 200, reason: str = "OK", **changes: object) -> Fetched:
    values: dict[str, object] = {"final_url": url, "http_status": status, "reason": reason}
    return Fetched(url=url, **{**values, **changes})  # type: ignore[arg-type]


def _checked(reference: Reference, fetched: Fetched, meta: PageMeta | None = None) -> Finding:
    verdict = link_verdict(fetched, meta)
    claims = check_claims(reference, meta) if meta is not None else None
    return finding(reference, verdict, fetched=fetched, meta=meta, claims=claims)


def _offline(reference: Reference) -> Finding:
    verdict = precheck(reference.url)
    assert verdict is not None
    return finding(reference, verdict)


def findings() -> list[Finding]:
    """One reference per status (ok twice: once plain, once with notes), in letter order."""
    cited = {"cited_date": "2025-07-17", "cited_date_text": "17 July 2025"}
    title = "Joint NGO letter ahead of EU-China Summit"
    return [
        _checked(
            _ref(LONG_URL, 10, title, cited_title=title, **cited),
            _page(LONG_URL),
            PageMeta(title=title, published="2025-07-17", site_name="Human Rights Watch"),
        ),
        _checked(
            _ref(FRAGMENT_URL, 12, "UN statement", cited_title="Statement on Xinjiang", **cited),
            _page(FRAGMENT_URL.split("#")[0]),
            PageMeta(title="Statement on Xinjiang", anchors=frozenset({"paragraph-1"})),
        ),
        _checked(
            _ref(OLD_URL, 14, "Amnesty's annual report"),
            _page(OLD_URL, final_url=NEW_URL, redirects=(Redirect(OLD_URL, 301),)),
            PageMeta(title="Annual report 2024"),
        ),
        _checked(
            _ref(
                "https://eeas.test/dialogue",
                16,
                "EU-China Human Rights Dialogue",
                cited_title="EU-China Human Rights Dialogue",
                cited_date="2024-06-13",
                cited_date_text="13 June 2024",
            ),
            _page("https://eeas.test/dialogue"),
            PageMeta(title="EU-China dialogue: press release", published="2023-06-16"),
        ),
        # The archived copy is added as --suggest-archive adds it.
        replace(
            _checked(
                _ref(GONE_URL, 18, "the 2019 report", cited_title="Old report", **cited),
                _page(GONE_URL, 404, "Not Found"),
            ),
            suggestion=ARCHIVED,
        ),
        _checked(
            _ref("https://cf.test/page", 20, "a blocked page"),
            _page("https://cf.test/page", 403, "Forbidden"),
        ),
        _checked(
            _ref("https://slow.test/", 22, "a slow site"),
            Fetched(url="https://slow.test/", error=FetchError.TIMEOUT),
        ),
        _offline(_ref("TODO", 24, "the minutes")),
        _checked(
            _ref("http://intranet.ngo.test/drafts/brief.pdf", 26, "internal brief"),
            Fetched(
                url="http://intranet.ngo.test/drafts/brief.pdf",
                error=FetchError.PRIVATE_ADDRESS,
                error_detail="intranet.ngo.test is 10.0.0.7",
            ),
        ),
        _offline(_ref("htp:/broken", 28, "a typo")),
        _offline(_ref("mailto:press@ngo.test", 30, "press office")),
    ]


def report() -> Report:
    items = findings()
    return Report(
        letters=(LetterInfo(LETTER, LetterFormat.MARKDOWN, len(items)),),
        references=tuple(item.reference for item in items),
        findings=tuple(items),
    )
