"""Status decisions from evidence, without any network (classify.py is pure)."""

from __future__ import annotations

import pytest

from citecheck.classify import (
    accepted,
    finding,
    link_verdict,
    not_in_cache,
    offline_verdict,
    remap_target,
    weighed_claims,
)
from citecheck.config import build_options
from citecheck.models import (
    ClaimCheck,
    Fetched,
    FetchError,
    LinkKind,
    LinkVerdict,
    PageMeta,
    Redirect,
    Reference,
    Status,
    Thresholds,
)

URL = "https://ngo.test/reports/2024/dialogue"


def page(status: int = 200, **changes: object) -> Fetched:
    values: dict[str, object] = {
        "url": URL,
        "final_url": URL,
        "http_status": status,
        "reason": "OK",
        "content_type": "text/html",
    }
    values.update(changes)
    return Fetched(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (FetchError.NAME_NOT_FOUND, Status.BROKEN),
        (FetchError.NO_NETWORK, Status.UNREACHABLE),
        (FetchError.REFUSED, Status.BROKEN),
        (FetchError.TIMEOUT, Status.UNREACHABLE),
        (FetchError.TLS, Status.BROKEN),
        (FetchError.NETWORK, Status.UNREACHABLE),
        (FetchError.REDIRECT_LOOP, Status.BROKEN),
        (FetchError.TOO_MANY_REDIRECTS, Status.BROKEN),
        (FetchError.BAD_REDIRECT, Status.BROKEN),
        (FetchError.PRIVATE_ADDRESS, Status.PRIVATE),
    ],
)
def test_every_fetch_error_has_a_status(error: FetchError, status: Status) -> None:
    verdict = link_verdict(Fetched(url=URL, error=error, error_detail="detail"), None)
    assert verdict.status is status
    assert "detail" in verdict.message


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (200, Status.OK),
        (404, Status.BROKEN),
        (410, Status.BROKEN),
        (500, Status.BROKEN),
        (503, Status.BROKEN),
        (401, Status.BLOCKED),
        (403, Status.BLOCKED),
        (429, Status.BLOCKED),
        (999, Status.BLOCKED),
        (400, Status.BROKEN),
    ],
)
def test_http_codes(code: int, status: Status) -> None:
    assert link_verdict(page(code), None).status is status


def test_accepted_codes_are_ok() -> None:
    assert link_verdict(page(999), None, accept={999}).status is Status.OK


def test_cloudflare_challenge_is_blocked_not_broken() -> None:
    challenge = page(403, headers=(("cf-mitigated", "challenge"),))
    assert link_verdict(challenge, None).status is Status.BLOCKED
    body = page(
        200, body=b"<title>Just a moment...</title><script src='/cdn-cgi/challenge-platform/'>"
    )
    assert link_verdict(body, None).status is Status.BLOCKED


def test_soft_404_title() -> None:
    meta = PageMeta(title="Page not found")
    verdict = link_verdict(page(), meta)
    assert verdict.status is Status.BROKEN and "Page not found" in verdict.message


def test_redirect_to_home_page_is_soft_404() -> None:
    fetched = page(final_url="https://ngo.test/", redirects=(Redirect(URL, 302),))
    assert link_verdict(fetched, PageMeta(title="Home")).status is Status.BROKEN


def test_redirect_to_login_is_soft_404() -> None:
    fetched = page(final_url="https://ngo.test/login?next=/x", redirects=(Redirect(URL, 302),))
    assert link_verdict(fetched, None).status is Status.BROKEN


def test_permanent_redirect_is_moved_with_the_new_address() -> None:
    new = "https://ngo.test/news/2024/06/13/dialogue"
    verdict = link_verdict(page(final_url=new, redirects=(Redirect(URL, 301),)), None)
    assert verdict.status is Status.MOVED and verdict.suggestion == new


def test_http_to_https_upgrade_is_not_a_move() -> None:
    old = URL.replace("https:", "http:")
    fetched = page(url=old, final_url=URL, redirects=(Redirect(old, 301),))
    assert link_verdict(fetched, None).status is Status.OK


def test_temporary_redirect_stays_ok() -> None:
    other = "https://ngo.test/reports/2024/dialogue-full"
    assert link_verdict(page(final_url=other, redirects=(Redirect(URL, 302),)), None).status is (
        Status.OK
    )


def test_different_canonical_is_moved() -> None:
    meta = PageMeta(title="Dialogue", canonical="https://ngo.test/news/dialogue")
    verdict = link_verdict(page(), meta)
    assert verdict.status is Status.MOVED
    assert verdict.suggestion == "https://ngo.test/news/dialogue"
    assert link_verdict(page(), PageMeta(canonical=URL + "/")).status is Status.OK


def reference(url: str = URL) -> Reference:
    return Reference("a.md", 1, 1, LinkKind.INLINE, "1", "Dialogue", url, "Dialogue", None, None)


def test_claims_make_a_working_link_mismatched() -> None:
    claims = ClaimCheck(mismatched=True, notes=("title differs",), title_similarity=0.2)
    result = finding(reference(), LinkVerdict(Status.OK, "200 OK"), claims=claims)
    assert result.status is Status.MISMATCHED
    assert result.message.startswith("title differs")
    assert result.title_similarity == 0.2


def test_claims_never_hide_a_broken_link() -> None:
    claims = ClaimCheck(mismatched=True, notes=("title differs",))
    result = finding(reference(), LinkVerdict(Status.BROKEN, "404 Not Found"), claims=claims)
    assert result.status is Status.BROKEN


def test_missing_fragment_is_a_note_only() -> None:
    meta = PageMeta(anchors=frozenset({"summary"}))
    result = finding(reference(URL + "#annex"), LinkVerdict(Status.OK, "200 OK"), meta=meta)
    assert result.status is Status.OK and "#annex not found" in result.message
    present = finding(reference(URL + "#summary"), LinkVerdict(Status.OK, "200 OK"), meta=meta)
    assert "not found" not in present.message


# --- decided before any request -----------------------------------------------------------------


def test_offline_verdicts_follow_the_options(tmp_path) -> None:  # type: ignore[no-untyped-def]
    options = build_options(
        {
            "exclude": [r"/drafts/"],
            "include": [r"ngo\.test"],
            "remap": [r"^https://old\.ngo\.test/ TODO"],
        },
        cwd=tmp_path,
    )
    assert offline_verdict("TODO", options) == LinkVerdict(
        Status.PLACEHOLDER, "placeholder link 'TODO'"
    )
    excluded = offline_verdict("https://ngo.test/drafts/1", options)
    assert excluded == LinkVerdict(Status.SKIPPED, "excluded by --exclude")
    outside = offline_verdict("https://other.test/", options)
    assert outside == LinkVerdict(Status.SKIPPED, "not matched by --include")
    private = offline_verdict("http://10.0.0.1/ngo.test", options, "10.0.0.1 is private")
    assert private == LinkVerdict(Status.PRIVATE, "not a public address: 10.0.0.1 is private")
    remapped = offline_verdict("https://old.ngo.test/page", options)
    assert remapped is not None and remapped.status is Status.INVALID
    assert remapped.message.startswith("after --remap: ")
    assert offline_verdict(URL, options) is None
    assert remap_target(URL, options) == URL


def test_a_private_literal_is_fetched_when_private_addresses_are_allowed(tmp_path) -> None:  # type: ignore[no-untyped-def]
    options = build_options({"allow_private": True}, cwd=tmp_path)
    assert offline_verdict("http://10.0.0.1/", options, "10.0.0.1 is private") is None


def test_offline_cache_miss_is_unreachable_not_broken() -> None:
    assert not_in_cache().status is Status.UNREACHABLE


def test_accept_turns_only_the_accepted_code_ok() -> None:
    refused = page(403, reason="Forbidden")
    verdict = link_verdict(refused, None)
    assert accepted(verdict, refused, None, {403}).status is Status.OK
    assert accepted(verdict, refused, None, {401}) == verdict
    assert accepted(verdict, None, None, {403}) == verdict


def test_claims_are_weighed_only_against_a_page_that_answered() -> None:
    reference = Reference("a.md", 1, 1, LinkKind.INLINE, "1", "x", URL, cited_title="Nothing alike")
    meta = PageMeta(title="Annual report on the dialogue")
    ok, broken = LinkVerdict(Status.OK, "200 OK"), LinkVerdict(Status.BROKEN, "404")
    weighed = weighed_claims(reference, ok, meta, Thresholds())
    assert weighed is not None and weighed.mismatched
    assert weighed_claims(reference, broken, meta, Thresholds()) is None
    assert weighed_claims(reference, ok, None, Thresholds()) is None
