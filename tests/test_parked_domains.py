"""A cited domain that now serves a parking or for-sale page is `broken`, end to end.

Pages are served by loopback servers; the marketplace reached by name goes through a TableResolver
(no real DNS), the ones on loopback addresses are told by the shape of their address.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from citecheck.config import Options
from citecheck.letters import collect
from citecheck.net.resolve import TableResolver
from citecheck.pipeline import run_check

from servers import Reply, redirect

PAGES = Path(__file__).parent / "meta" / "parking"
HTML = [("Content-Type", "text/html; charset=utf-8")]
CHECKOUT = (
    b"<!doctype html><html><head><title>Secure checkout</title></head>"
    b"<body><h1>Secure checkout</h1><p>Pay by card or bank transfer.</p></body></html>"
)
LANDER = (
    b"<!doctype html><html><head><title></title>"
    b"<script src='/static/lander-bundle.js'></script></head>"
    b"<body><div id='root'></div></body></html>"
)


def page(name: str) -> Reply:
    return Reply(200, (PAGES / name).read_bytes(), HTML)


def test_parked_pages_are_broken_and_an_article_about_them_is_ok(
    cli: Callable[..., Any], tmp_path: Path, loopback: Any
) -> None:
    site, market = loopback(), loopback()
    site.route("/sedo", page("sedo-style.html"))
    site.route("/dan", page("dan-style.html"))
    site.route("/crew", page("parkingcrew-style.html"))
    site.route("/registrar", page("godaddy-parked.html"))
    site.route("/article", page("article-domain-sale.html"))
    site.route("/news", page("news-sale-headline.html"))
    site.route("/sold", redirect(market.url("/forsale/rights-monitor.org")))
    site.route("/expired", redirect("/lander"))
    site.route("/lander", Reply(200, LANDER, HTML))
    market.route("/forsale/rights-monitor.org", Reply(200, CHECKOUT, HTML))
    paths = ["/sedo", "/dan", "/crew", "/registrar", "/sold", "/expired", "/article", "/news"]
    letter = tmp_path / "letter.md"
    letter.write_text("".join(f"[{p}]({site.url(p)})\n" for p in paths), encoding="utf-8")

    result = cli(
        "check", letter, "--allow-private", "--no-cache", "--retries", "0", "--format", "json"
    )

    found = {ref["url"].rsplit("/", 1)[1]: ref for ref in result.json()["references"]}
    for path in paths[:6]:
        assert found[path[1:]]["status"] == "broken", found[path[1:]]
        assert "domain parked or sold" in found[path[1:]]["message"]
    assert "forsale/rights-monitor.org" in found["sold"]["message"]
    assert (found["article"]["status"], found["news"]["status"]) == ("ok", "ok")
    assert result.code == 1


def test_a_redirect_to_a_marketplace_by_name_is_broken(tmp_path: Path, loopback: Any) -> None:
    site, market = loopback(), loopback()
    site.route("/report", redirect(market.url("/buy-domain/old-ngo.test", host="dan.com")))
    market.route("/buy-domain/old-ngo.test", Reply(200, CHECKOUT, HTML))
    letter = tmp_path / "letter.md"
    letter.write_text(f"[report](http://old-ngo.test:{site.port}/report)\n", encoding="utf-8")
    resolver = TableResolver({"old-ngo.test": [site.host], "dan.com": [market.host]})

    report = run_check(
        collect([str(letter)]),
        Options(allow_private=True, cache=False, retries=0),
        resolver=resolver,
    )

    assert report.findings is not None
    (finding,) = report.findings
    assert finding.status.value == "broken"
    assert finding.message == "200 OK: domain parked or sold; its address is a listing on dan.com"
    assert market.hits("/buy-domain/old-ngo.test") == 1
