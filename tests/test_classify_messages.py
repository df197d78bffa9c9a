"""The exact verdict a user reads for each kind of evidence, edges included (classify.py is pure).

tests/test_classify.py checks which status each case gets; here the whole message is pinned too,
since it is what tells the user what to do, and the boundaries of each rule are probed (found by
mutation testing: a rule moved by one byte must fail a test).
"""

from __future__ import annotations

import pytest

from citecheck.classify import finding, is_challenge, link_verdict
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
)

URL = "https://ngo.test/reports/2024/dialogue"


def page(status: int = 200, reason: str | None = "OK", **changes: object) -> Fetched:
    values: dict[str, object] = {
        "url": URL,
        "final_url": URL,
        "http_status": status,
        "reason": reason,
        "content_type": "text/html",
    }
    values.update(changes)
    return Fetched(**values)  # type: ignore[arg-type]


def verdict(fetched: Fetched, meta: PageMeta | None = None, **kwargs: object) -> tuple[str, str]:
    result = link_verdict(fetched, meta, **kwargs)  # type: ignore[arg-type]
    return result.status.value, result.message


# --- network failures ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (FetchError.NAME_NOT_FOUND, ("broken", "DNS: the name gone.ngo.test does not exist")),
        (FetchError.NO_NETWORK, ("unreachable", "no network: could not look up gone.ngo.test")),
        (FetchError.REFUSED, ("broken", "connection refused by gone.ngo.test")),
        (FetchError.TIMEOUT, ("unreachable", "timed out")),
        (FetchError.TLS, ("broken", "TLS failure")),
        (FetchError.NETWORK, ("unreachable", "network error")),
        (FetchError.PROTOCOL, ("broken", "the server's answer is not valid HTTP")),
        (FetchError.REDIRECT_LOOP, ("broken", "redirect loop")),
        (FetchError.TOO_MANY_REDIRECTS, ("broken", "too many redirects")),
        (FetchError.BAD_REDIRECT, ("broken", "bad redirect")),
        (FetchError.PRIVATE_ADDRESS, ("private", "not a public address")),
        (FetchError.INVALID_URL, ("invalid", "not a URL that can be fetched")),
    ],
)
def test_each_fetch_error_reads(error: FetchError, expected: tuple[str, str]) -> None:
    assert verdict(Fetched(url="https://gone.ngo.test/x", error=error)) == expected


def test_an_error_names_the_last_host_its_detail_and_the_redirects_before_it() -> None:
    fetched = Fetched(
        url="https://ngo.test/x",
        final_url="https://cdn.ngo.test/y",
        redirects=(Redirect("https://ngo.test/x", 302), Redirect("https://ngo.test/z", 302)),
        error=FetchError.REFUSED,
        error_detail="[Errno 111] Connection refused",
    )
    assert verdict(fetched) == (
        "broken",
        "connection refused by cdn.ngo.test: [Errno 111] Connection refused (after 2 redirect(s))",
    )


@pytest.mark.parametrize("url", ["no host at all", "https://[::1/unclosed"])
def test_an_error_on_a_url_without_a_readable_host_names_the_url(url: str) -> None:
    fetched = Fetched(url=url, error=FetchError.NO_NETWORK)
    assert verdict(fetched) == ("unreachable", f"no network: could not look up {url}")


# --- HTTP answers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fetched", "expected"),
    [
        (page(200), ("ok", "200 OK")),
        (page(200, reason=None), ("ok", "200")),
        (page(404, "Not Found"), ("broken", "404 Not Found")),
        (page(410, "Gone"), ("broken", "410 Gone")),
        (page(405, "Method Not Allowed"), ("broken", "405 Method Not Allowed")),
        (page(300, "Multiple Choices"), ("broken", "300 Multiple Choices")),
        (page(299, "Custom"), ("ok", "299 Custom")),
        (page(199, "Custom"), ("broken", "199 Custom")),
        (page(500, "Internal Server Error"), ("broken", "500 Internal Server Error")),
        (
            page(500, "Internal Server Error", attempts=3),
            ("broken", "500 Internal Server Error after 3 attempts"),
        ),
        (
            page(503, "Service Unavailable", attempts=2),
            ("broken", "503 Service Unavailable after 2 attempts"),
        ),
        (page(499, "Client Closed", attempts=3), ("broken", "499 Client Closed")),
        (
            page(403, "Forbidden"),
            ("blocked", "403 Forbidden: access refused; a person should check it"),
        ),
        (
            page(451, "Unavailable For Legal Reasons"),
            (
                "blocked",
                "451 Unavailable For Legal Reasons: access refused; a person should check it",
            ),
        ),
        (
            page(407, "Proxy Authentication Required"),
            (
                "blocked",
                "407 Proxy Authentication Required: access refused; a person should check it",
            ),
        ),
        (
            page(403, "Forbidden", headers=(("cf-mitigated", "Challenge"),)),
            ("blocked", "403 Forbidden: a bot challenge; a person should check it"),
        ),
        (
            page(200, body=b"<html><title>Access Denied</title>"),
            ("blocked", "200 OK: a bot challenge; a person should check it"),
        ),
    ],
)
def test_each_http_answer_reads(fetched: Fetched, expected: tuple[str, str]) -> None:
    assert verdict(fetched) == expected


def test_accepted_codes_say_so() -> None:
    assert verdict(page(403, "Forbidden"), accept={403}) == (
        "ok",
        "403 Forbidden (accepted by configuration)",
    )
    assert verdict(page(404, "Not Found"), accept={403})[0] == "broken"


def test_a_challenge_marker_counts_only_in_the_first_32_kib() -> None:
    marker = b"datadome"
    inside = page(body=b"x" * (32_768 - len(marker)) + marker)
    outside = page(body=b"x" * (32_768 - len(marker) + 1) + marker)
    assert is_challenge(inside) and not is_challenge(outside)


def test_a_cf_mitigated_header_other_than_challenge_is_no_challenge() -> None:
    assert not is_challenge(page(headers=(("cf-mitigated", "managed"),)))
    assert is_challenge(page(headers=(("cf-mitigated", "CHALLENGE"),)))


# --- soft 404s -------------------------------------------------------------------------------


def test_a_soft_404_quotes_what_the_page_says() -> None:
    meta = PageMeta(title="  Page not found  ")
    assert verdict(page(), meta) == ("broken", "200 OK but the page says 'Page not found'")


def test_only_the_first_heading_is_read_for_a_soft_404() -> None:
    first = PageMeta(title="Dialogue", headings=("Nothing found", "Related"))
    second = PageMeta(title="Dialogue", headings=("Dialogue", "Nothing found for 'annex'"))
    assert verdict(page(), first)[0] == "broken"
    assert verdict(page(), second) == ("ok", "200 OK")


def test_a_long_title_that_mentions_not_found_is_no_soft_404() -> None:
    title = "Why the missing are not found: " + "x" * 200
    assert verdict(page(), PageMeta(title=title[:120]))[0] == "ok"
    assert verdict(page(), PageMeta(title=title[:119]))[0] == "broken"


def test_redirect_to_the_home_page_reads() -> None:
    fetched = page(
        url="https://ngo.test/X", final_url="https://ngo.test/", redirects=(Redirect(URL, 302),)
    )
    assert verdict(fetched) == (
        "broken",
        "200 OK but it redirects to the site's home page https://ngo.test/",
    )


def test_a_home_page_that_redirects_to_itself_upgraded_is_fine() -> None:
    fetched = page(
        url="http://ngo.test/",
        final_url="https://ngo.test/",
        redirects=(Redirect("http://ngo.test/", 301),),
    )
    assert verdict(fetched) == ("ok", "200 OK (redirects to https://ngo.test/)")


def test_a_redirect_to_a_page_whose_path_has_letters_is_not_home() -> None:
    fetched = page(final_url="https://ngo.test/X/", redirects=(Redirect(URL, 302),))
    assert verdict(fetched) == ("ok", "200 OK (redirects to https://ngo.test/X/)")


def test_a_redirect_to_the_home_page_with_a_query_is_not_home() -> None:
    fetched = page(final_url="https://ngo.test/?lang=en", redirects=(Redirect(URL, 302),))
    assert verdict(fetched)[0] == "ok"


def test_redirect_to_a_sign_in_page_by_its_title() -> None:
    fetched = page(final_url="https://ngo.test/portal", redirects=(Redirect(URL, 302),))
    meta = PageMeta(title="Sign in to continue")
    assert verdict(fetched, meta) == (
        "broken",
        "200 OK but it redirects to a login page https://ngo.test/portal",
    )
    assert verdict(fetched, PageMeta(title="Portal"))[0] == "ok"


def test_a_login_page_cited_directly_is_not_a_soft_404() -> None:
    # Only a redirect makes a login page suspicious; the letter may cite the page itself.
    direct = page(url="https://ngo.test/login", final_url="https://ngo.test/login")
    assert verdict(direct, PageMeta(title="Log in")) == ("ok", "200 OK")
    # A final address without any redirect is not one either.
    assert verdict(page(final_url="https://ngo.test/"))[0] == "ok"


# --- moved -----------------------------------------------------------------------------------


def test_a_permanent_redirect_reads() -> None:
    new = "https://ngo.test/news/dialogue"
    fetched = page(final_url=new, redirects=(Redirect(URL, 308),))
    assert verdict(fetched) == ("moved", f"308 permanent redirect to {new}")


@pytest.mark.parametrize(
    "final",
    [
        "https://www.ngo.test/reports/2024/dialogue",  # www. added
        "http://ngo.test/reports/2024/dialogue/",  # scheme and trailing slash
    ],
)
def test_a_permanent_redirect_to_the_same_address_is_not_a_move(final: str) -> None:
    fetched = page(final_url=final, redirects=(Redirect(URL, 301),))
    assert verdict(fetched) == ("ok", f"200 OK (redirects to {final})")


def test_www_counts_only_at_the_start_of_the_host() -> None:
    old, new = "https://news.ngo.test/a", "https://news.ngo.test.www./a"
    fetched = page(url=old, final_url=new, redirects=(Redirect(old, 301),))
    assert verdict(fetched)[0] == "moved"
    upper = "https://WWW.ngo.test/reports/2024/dialogue"
    fetched = page(final_url=upper, redirects=(Redirect(URL, 301),))
    assert verdict(fetched)[0] == "ok"  # host names ignore case


def test_addresses_that_differ_after_a_second_scheme_separator_are_different() -> None:
    old = "https://ngo.test/go?to=https://a.test/x"
    new = "https://ngo.test/went?to=https://a.test/x"
    fetched = page(url=old, final_url=new, redirects=(Redirect(old, 301),))
    assert verdict(fetched) == ("moved", f"301 permanent redirect to {new}")


def test_addresses_that_end_in_x_are_compared_whole() -> None:
    old, new = "https://ngo.test/a/X", "https://ngo.test/a/"
    fetched = page(url=old, final_url=new, redirects=(Redirect(old, 301),))
    assert verdict(fetched) == ("moved", f"301 permanent redirect to {new}")


def test_an_address_that_cannot_be_compared_is_not_the_same() -> None:
    old, new = "https://ngo.test/a", "https://ngo.test:99999/b"
    fetched = page(url=old, final_url=new, redirects=(Redirect(old, 301),))
    assert verdict(fetched) == ("moved", f"301 permanent redirect to {new}")


def test_a_canonical_address_reads() -> None:
    meta = PageMeta(canonical="http://ngo.test/news/dialogue")
    assert verdict(page(), meta) == (
        "moved",
        "200 OK; the page names http://ngo.test/news/dialogue as its address",
    )


def test_a_canonical_that_is_not_a_web_address_is_ignored() -> None:
    assert verdict(page(), PageMeta(canonical="ftp://ngo.test/news")) == ("ok", "200 OK")


# --- per reference ---------------------------------------------------------------------------


def reference(url: str = URL) -> Reference:
    return Reference("a.md", 1, 1, LinkKind.INLINE, "1", "Dialogue", url, "Dialogue", None, None)


OK = LinkVerdict(Status.OK, "200 OK")


def test_a_finding_carries_everything_it_was_given() -> None:
    fetched, meta = page(), PageMeta(title="Dialogue")
    moved = LinkVerdict(Status.MOVED, "301 permanent redirect", "https://ngo.test/new")
    claims = ClaimCheck(mismatched=False, notes=(), title_similarity=0.97)
    ref = reference()

    result = finding(
        ref,
        moved,
        fetched=fetched,
        meta=meta,
        claims=claims,
        from_cache=True,
        accessed="2026-01-02",
    )

    assert result.reference is ref and result.fetched is fetched and result.meta is meta
    assert (result.status, result.message, result.suggestion) == (
        Status.MOVED,
        "301 permanent redirect",
        "https://ngo.test/new",
    )
    assert (result.title_similarity, result.from_cache, result.accessed) == (
        0.97,
        True,
        "2026-01-02",
    )
    plain = finding(ref, OK)
    assert (plain.from_cache, plain.accessed, plain.title_similarity) == (False, None, None)


def test_notes_follow_the_message_unless_the_claims_failed() -> None:
    meta = PageMeta(anchors=frozenset({"summary"}))
    notes = ClaimCheck(mismatched=False, notes=("date differs by a day",))
    ok = finding(reference(URL + "#annex"), OK, meta=meta, claims=notes)
    assert ok.message == "200 OK; date differs by a day; #annex not found on the page"
    failed = ClaimCheck(mismatched=True, notes=("title differs",))
    bad = finding(reference(URL + "#annex"), OK, meta=meta, claims=failed)
    assert bad.status is Status.MISMATCHED
    assert bad.message == "title differs; #annex not found on the page; 200 OK"


def test_a_mismatch_does_not_replace_a_status_as_bad() -> None:
    failed = ClaimCheck(mismatched=True, notes=("title differs",))
    already = finding(
        reference(), LinkVerdict(Status.MISMATCHED, "cited date differs"), claims=failed
    )
    assert already.message == "title differs; cited date differs"


@pytest.mark.parametrize(
    ("fragment", "anchors", "noted"),
    [
        ("annex", {"summary"}, True),
        ("summary", {"summary"}, False),
        ("caf%C3%A9", {"café"}, False),  # written percent-encoded, the id is not
        ("café", {"café"}, False),
        ("!/route", {"summary"}, False),  # single-page-app routes
        ("/route", {"summary"}, False),
        (":~:text=detention", {"summary"}, False),  # a text fragment
        ("Top", {"summary"}, False),
        ("x!", {"summary"}, True),
    ],
)
def test_fragment_notes(fragment: str, anchors: set[str], noted: bool) -> None:
    meta = PageMeta(anchors=frozenset(anchors))
    result = finding(reference(f"{URL}#{fragment}"), OK, meta=meta)
    assert (result.message != "200 OK") is noted


def test_no_fragment_note_without_anchors_or_page() -> None:
    assert finding(reference(URL + "#annex"), OK, meta=PageMeta()).message == "200 OK"
    assert finding(reference(URL + "#annex"), OK).message == "200 OK"
    assert finding(reference(URL), OK, meta=PageMeta(anchors=frozenset({"a"}))).message == "200 OK"
