"""`check` end to end: real letters, real loopback servers, one status per reference.

Names resolve through a TableResolver (tests never use real DNS); servers live on 127.0.0.x, so
runs allow private addresses except where the address guard itself is under test.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from citecheck.config import Options
from citecheck.letters import collect
from citecheck.models import Report, Status
from citecheck.net.resolve import TableResolver
from citecheck.pipeline import run_check

from servers import Reply, closed_port, redirect, sequence
from testkit import SEED, validate_report

HTML = [("Content-Type", "text/html; charset=utf-8")]


def article(title: str, published: str = "2024-06-13", site: str = "NGO Watch") -> bytes:
    return (
        f"<!doctype html><html lang='en'><head><title>{title} | {site}</title>"
        f"<meta property='og:site_name' content='{site}'>"
        f"<meta property='article:published_time' content='{published}T09:00:00Z'>"
        f"</head><body><h1 id='top'>{title}</h1><p id='summary'>Arbitrary detention, forced "
        "labour and torture are documented in this report on human rights.</p></body></html>"
    ).encode()


def check(tmp_path: Path, letter: str, resolver: TableResolver, **options: object) -> Report:
    path = tmp_path / "letter.md"
    path.write_text(letter, encoding="utf-8")
    settings = Options(allow_private=True, cache=False, retries=0, timeout=2.0)
    return run_check(collect([str(path)]), replace(settings, **options), resolver=resolver)


def statuses(report: Report) -> list[str]:
    assert report.findings is not None
    return [finding.status.value for finding in report.findings]


@pytest.fixture
def site(loopback):  # type: ignore[no-untyped-def]
    server = loopback()
    title = "NGOs call for suspension of EU-China human rights dialogue"
    server.route("/dialogue", Reply(200, article(title), HTML))
    server.route("/gone", Reply(410))
    server.route("/missing", Reply(404))
    server.route("/error", Reply(500))
    server.route("/forbidden", Reply(403))
    server.route("/old", redirect("/dialogue", 301))
    server.route("/soft", Reply(200, b"<title>Page not found</title><h1>Oops</h1>", HTML))
    server.route(
        "/challenge",
        Reply(403, b"<title>Just a moment...</title>", [*HTML, ("cf-mitigated", "challenge")]),
    )
    server.route("/slow", Reply(200, article("Slow"), HTML, delay=3.0))
    return server


def test_every_status_in_one_letter(tmp_path: Path, site) -> None:  # type: ignore[no-untyped-def]
    refused = closed_port("127.0.0.9")
    names = {"ngo.test": [site.host]}
    letter = "\n".join(
        [
            "# Letter",
            "",
            f"Widespread [arbitrary detention]({site.url('/dialogue', host='ngo.test')}).",
            f"An [old link]({site.url('/old', host='ngo.test')}) and a [gone one]"
            f"({site.url('/gone', host='ngo.test')}).",
            f"[missing]({site.url('/missing', host='ngo.test')}), "
            f"[error]({site.url('/error', host='ngo.test')}), "
            f"[forbidden]({site.url('/forbidden', host='ngo.test')}), "
            f"[soft]({site.url('/soft', host='ngo.test')}), "
            f"[challenge]({site.url('/challenge', host='ngo.test')}), "
            f"[slow]({site.url('/slow', host='ngo.test')}).",
            f"[nowhere](http://nowhere.test:{site.port}/), [refused](http://127.0.0.9:{refused}/),"
            " [todo](#), [bad](ftp://files.ngo.test/x),"
            " [mail](mailto:press@ngo.test). As we wrote before.[^1]",
            "",
            "[^1]: [NGOs urge European Council to keep human rights at the core of EU relations"
            f" with China]({site.url('/dialogue', host='ngo.test')}), 12 June 2023.",
        ]
    )
    report = check(tmp_path, letter, TableResolver(names), timeout=1.0)
    report = replace(report)
    got = dict(
        zip([f.reference.text for f in report.findings or ()], statuses(report), strict=True)
    )
    assert got == {
        "arbitrary detention": "ok",
        "old link": "moved",
        "gone one": "broken",
        "missing": "broken",
        "error": "broken",
        "forbidden": "blocked",
        "soft": "broken",
        "challenge": "blocked",
        "slow": "unreachable",
        "nowhere": "broken",
        "refused": "broken",
        "todo": "placeholder",
        "bad": "invalid",
        "mail": "skipped",
        (
            "NGOs urge European Council to keep human rights at the core of EU relations with China"
        ): "mismatched",
    }
    by_text = {f.reference.text: f for f in report.findings or ()}
    assert by_text["old link"].suggestion == site.url("/dialogue", host="ngo.test")
    assert "does not exist" in by_text["nowhere"].message
    assert "refused" in by_text["refused"].message


def test_private_addresses_are_not_fetched_by_default(tmp_path: Path, site) -> None:  # type: ignore[no-untyped-def]
    # The guard decides before any connection: nothing is ever sent to 10.1.2.3.
    letter = f"[internal]({site.url('/dialogue')}) [intranet](http://intranet.test/)\n"
    resolver = TableResolver({"intranet.test": ["10.1.2.3"]})
    report = check(tmp_path, letter, resolver, allow_private=False)
    assert statuses(report) == ["private", "private"]
    assert report.findings is not None
    assert "10.1.2.3 is private" in report.findings[1].message
    assert site.requests == []


def test_a_url_cited_five_times_is_fetched_once(tmp_path: Path, site) -> None:  # type: ignore[no-untyped-def]
    url = site.url("/dialogue", host="ngo.test")
    variants = [url, url + "#summary", url.replace("http://ngo.test", "http://NGO.TEST"), url, url]
    letter = "\n\n".join(f"See [the report]({v})." for v in variants)
    report = check(tmp_path, letter, TableResolver({"ngo.test": [site.host]}))
    assert statuses(report) == ["ok"] * 5
    assert site.hits("/dialogue") == 1


def test_retries_honour_retry_after(tmp_path: Path, loopback) -> None:  # type: ignore[no-untyped-def]
    server = loopback()
    server.route(
        "/busy",
        sequence(Reply(429, headers=[("Retry-After", "1")]), Reply(200, article("Busy"), HTML)),
    )
    report = check(tmp_path, f"[busy]({server.url('/busy')})\n", TableResolver({}), retries=2)
    assert statuses(report) == ["ok"]
    first, second = (request.time for request in server.requests)
    assert second - first >= 0.9


def test_no_network_says_so_once_and_marks_unreachable(tmp_path: Path) -> None:
    letter = "[a](https://ngo.test/a) [b](https://un.test/b) [c](#)\n"
    report = check(tmp_path, letter, TableResolver({}, offline=True))
    assert statuses(report) == ["unreachable", "unreachable", "placeholder"]
    assert len(report.notices) == 1 and "NO NETWORK" in report.notices[0]


def test_missing_fragment_is_noted_not_failed(tmp_path: Path, site) -> None:  # type: ignore[no-untyped-def]
    url = site.url("/dialogue", host="ngo.test")
    letter = f"[a]({url}#summary) [b]({url}#annex-3)\n"
    report = check(tmp_path, letter, TableResolver({"ngo.test": [site.host]}))
    assert statuses(report) == ["ok", "ok"]
    assert report.findings is not None
    assert "#annex-3 not found" in report.findings[1].message


def test_exclude_include_and_remap(tmp_path: Path, site) -> None:  # type: ignore[no-untyped-def]
    import re

    from citecheck.config import Remap

    letter = (
        "[live](https://www.ngo.test/dialogue) [skip](https://intranet.ngo.test/x)"
        " [other](https://other.test/)\n"
    )
    report = check(
        tmp_path,
        letter,
        TableResolver({"staging.test": [site.host]}),
        exclude=(re.compile(r"intranet\."),),
        include=(re.compile(r"ngo\.test"),),
        remap=(Remap(re.compile(r"^https://www\.ngo\.test"), f"http://staging.test:{site.port}"),),
    )
    assert statuses(report) == ["ok", "skipped", "skipped"]
    assert report.findings is not None
    assert report.findings[0].reference.url == "https://www.ngo.test/dialogue"  # kept as written


def test_cli_json_is_schema_valid_and_exit_code_follows_fail_on(cli, tmp_path: Path, site) -> None:  # type: ignore[no-untyped-def]
    letter = tmp_path / "letter.md"
    letter.write_text(
        f"[ok]({site.url('/dialogue')}) and [gone]({site.url('/gone')})\n", encoding="utf-8"
    )
    common = ("check", letter, "--allow-private", "--no-cache", "--retries", "0")
    result = cli(*common, "--format", "json")
    assert result.code == 1, result.err
    document = result.json()
    validate_report(document)
    assert document["summary"] == {"total": 2, "broken": 1, "ok": 1}
    gone = document["references"][1]
    assert (gone["status"], gone["http_status"], gone["message"]) == ("broken", 410, "410 Gone")
    assert cli(*common, "--fail-on", "placeholder").code == 0


def test_cli_rich_report_puts_problems_first(cli, tmp_path: Path, site, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("COLUMNS", "250")
    letter = tmp_path / "letter.md"
    letter.write_text(f"[fine]({site.url('/dialogue')})\n\n[gone]({site.url('/gone')})\n")
    result = cli("check", letter, "--allow-private", "--no-cache")
    assert result.code == 1
    assert f"Problems in {letter}" in result.out
    assert "3:1" in result.out
    assert "410" in result.out
    assert "fine" not in result.out  # ok references are folded away…
    verbose = cli("check", letter, "--allow-private", "--no-cache", "--verbose")
    assert "fine" in verbose.out  # …unless --verbose
    assert "1 broken" in result.out and "1 ok" in result.out


def test_seed_letter_is_twenty_placeholders_without_network(cli) -> None:
    result = cli("check", SEED.parent, "--format", "json", "--offline")
    assert result.code == 1
    document = json.loads(result.out)
    validate_report(document)
    assert document["summary"] == {"total": 20, "placeholder": 20}
    assert "NO NETWORK" not in result.err


def test_seed_letter_makes_no_request(tmp_path: Path) -> None:
    # An offline resolver would turn any fetch into "unreachable": all 20 stay placeholders.
    report = run_check(
        collect([str(SEED)]), Options(cache=False), resolver=TableResolver({}, offline=True)
    )
    assert statuses(report) == ["placeholder"] * 20
    assert report.notices == ()


def test_status_enum_matches_schema() -> None:
    from testkit import SCHEMA

    assert {s.value for s in Status} == set(
        SCHEMA["$defs"]["reference"]["properties"]["status"]["enum"]
    )
