"""`citecheck export` through the CLI: the researchers' files, written atomically."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import bibtexparser
import pybtex.database
import pytest

from servers import LoopbackServer, Reply, Request, closed_port, redirect

PAGE = (
    b"<html><head><title>Joint NGO letter ahead of EU-China Summit | NGO Watch</title>"
    b"<meta property='og:site_name' content='NGO Watch'>"
    b"<meta name='citation_publication_date' content='2025/07/17'></head><body></body></html>"
)


@pytest.fixture
def letter(tmp_path: Path, loopback) -> Path:  # type: ignore[no-untyped-def]
    site = loopback()
    site.route("/letter", Reply(200, PAGE, [("Content-Type", "text/html")]))
    path = tmp_path / "letter.md"
    url = site.url("/letter")
    path.write_text(
        f"We wrote before.[^1] Again [here]({url}).\n\n"
        f"[^1]: [Joint NGO letter ahead of EU-China Summit]({url}), 17 July 2025.\n"
    )
    return path


def export(cli, letter: Path, fmt: str, target: Path):  # type: ignore[no-untyped-def]
    return cli(
        "export", letter, "--format", fmt, "--output", target, "--allow-private", "--no-cache"
    )


def test_bibtex_one_entry_per_source(cli, letter: Path, tmp_path: Path) -> None:
    target = tmp_path / "sources.bib"
    result = export(cli, letter, "bibtex", target)
    assert result.code == 0, result.err
    library = bibtexparser.parse_string(target.read_text())
    assert len(library.entries) == 1
    fields = {f.key: f.value for f in library.entries[0].fields}
    assert "Joint NGO letter ahead of EU-China Summit" in fields["title"]
    assert "2 references in 1 letter" in result.out  # the terminal keeps the summary


def test_csl_json_and_csv(cli, letter: Path, tmp_path: Path) -> None:
    assert export(cli, letter, "csl-json", tmp_path / "a.json").code == 0
    items = json.loads((tmp_path / "a.json").read_text())
    assert items[0]["issued"] == {"date-parts": [[2025, 7, 17]]}
    assert items[0]["container-title"] == "NGO Watch"
    assert export(cli, letter, "csv", tmp_path / "a.csv").code == 0
    rows = list(csv.DictReader((tmp_path / "a.csv").read_text().splitlines()))
    assert len(rows) == 2


def test_export_needs_a_known_format_and_an_output(cli, letter: Path, tmp_path: Path) -> None:
    bad = cli("export", letter, "--format", "ris", "--output", tmp_path / "x")
    assert bad.code == 2 and "--format" in bad.err
    missing = cli("export", letter)
    assert missing.code == 2 and "--output" in missing.err


SOFT_404 = (
    b"<html><head><title>Page not found | NGO Watch</title>"
    b"<meta name='citation_publication_date' content='2019/01/01'></head>"
    b"<body><h1>Page not found</h1></body></html>"
)
HTML = [("Content-Type", "text/html")]
FAST = ("--allow-private", "--no-cache", "--timeout", "0.5", "--retries", "0")


def table(text: str) -> list[dict[str, str]]:
    """The CSV as README says to read it: ``encoding="utf-8-sig"``."""
    return list(csv.DictReader(io.StringIO(text.encode().decode("utf-8-sig"))))


def archive_answer(request: Request) -> Reply:
    """An availability API answering with a snapshot of whatever URL it is asked about."""
    url = parse_qs(urlsplit(request.path).query)["url"][0]
    closest = {"available": True, "status": "200", "url": f"http://web.archive.test/web/2019/{url}"}
    return Reply(200, json.dumps({"archived_snapshots": {"closest": closest}}).encode())


@pytest.fixture
def troubled(tmp_path: Path, loopback) -> tuple[Path, LoopbackServer]:  # type: ignore[no-untyped-def]
    """A letter whose links fail every way: soft 404, 404, timeout, refused, moved."""
    site = loopback()
    site.route("/letter", Reply(200, PAGE, HTML))
    site.route("/soft", Reply(200, SOFT_404, HTML))
    site.route("/slow", Reply(200, PAGE, HTML, delay=2))
    site.route("/old", redirect(site.url("/letter"), 301))
    site.route("/wayback/available", archive_answer)
    refused = f"http://127.0.0.2:{closed_port()}/brief"
    path = tmp_path / "letter.md"
    path.write_text(
        f"See [our 2019 report on detention]({site.url('/soft')}), [the brief]({refused}), "
        f"[a slow page]({site.url('/slow')}) and [an old address]({site.url('/old')}).[^1]\n\n"
        f"[^1]: [Annual report 2018]({site.url('/gone')}), 3 March 2018; "
        f"[Joint NGO letter ahead of EU-China Summit]({site.url('/letter')}), 17 July 2025.\n"
    )
    return path, site


def test_check_and_export_csv_share_columns_and_say_why(
    cli, troubled: tuple[Path, LoopbackServer], tmp_path: Path
) -> None:
    letter, site = troubled
    archive = ("--suggest-archive", "--archive-endpoint", site.url("/wayback/available"))
    checked = cli("check", letter, "--format", "csv", *FAST, *archive)
    target = tmp_path / "table.csv"
    exported = cli("export", letter, "--format", "csv", "-o", target, *FAST, *archive)
    assert checked.code == 1 and exported.code == 0, (checked.err, exported.err)
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")
    check_rows, export_rows = table(checked.out), table(target.read_text(encoding="utf-8"))
    assert list(check_rows[0]) == list(export_rows[0])
    for rows in (check_rows, export_rows):
        by_path = {urlsplit(row["url"]).path: row for row in rows}
        assert {path: row["reason"] for path, row in by_path.items()} == {
            "/soft": "soft_404",
            "/brief": "refused",
            "/slow": "timeout",
            "/old": "permanent_redirect",
            "/gone": "http_404",
            "/letter": "",
        }
        gone = by_path["/gone"]
        assert gone["cited_title"] == "Annual report 2018" and gone["cited_date"] == "2018-03-03"
        assert gone["archived_copy"] == f"http://web.archive.test/web/2019/{gone['url']}"
        old = by_path["/old"]
        assert old["archived_copy"] == f"http://web.archive.test/web/2019/{old['url']}"
        assert old["suggestion"] == old["final_url"] == site.url("/letter")
        assert {row["accessed"] for row in rows} == {date.today().isoformat()}
        assert (gone["line"], gone["column"], gone["footnote"]) == ("3", "7", "1")


def test_broken_links_keep_the_letters_words_and_an_access_date(
    cli, troubled: tuple[Path, LoopbackServer], tmp_path: Path
) -> None:
    letter, _ = troubled
    bib, items = tmp_path / "sources.bib", tmp_path / "sources.json"
    assert cli("export", letter, "-f", "bibtex", "-o", bib, *FAST).code == 0
    assert cli("export", letter, "-f", "csl-json", "-o", items, *FAST).code == 0
    today = date.today()
    entries = {entry["url"]: entry for entry in bibtexparser.parse_string(bib.read_text()).entries}
    pybtex_entries = pybtex.database.parse_string(bib.read_text(), "bibtex").entries
    by_path = {urlsplit(url).path: entry for url, entry in entries.items()}
    soft = by_path["/soft"]
    assert soft["title"] == "our 2019 report on detention"  # not the error page's title
    assert "date" not in soft.fields_dict  # nor its date
    assert by_path["/gone"]["title"] == "Annual report 2018"
    assert {entry["urldate"] for entry in entries.values()} == {today.isoformat()}
    assert [e.fields["title"] for e in pybtex_entries.values()] == [
        e["title"] for e in entries.values()
    ]
    csl = {urlsplit(item["URL"]).path: item for item in json.loads(items.read_text())}
    assert csl["/soft"]["title"] == "our 2019 report on detention"
    assert "issued" not in csl["/soft"]
    accessed = [today.year, today.month, today.day]
    assert all(item["accessed"] == {"date-parts": [accessed]} for item in csl.values())


@pytest.mark.parametrize(
    ("text", "fmt", "needle"),
    [
        ("Draft: [source](TODO), [other](#) and [mail](mailto:a@ngo.test).\n", "bibtex", "bibtex"),
        ("Draft: [source](TODO).\n", "csl-json", "csl-json"),
        ("A letter without a single link.\n", "csv", "no references found in"),
    ],
)
def test_nothing_to_export_is_said_not_written(
    cli, tmp_path: Path, text: str, fmt: str, needle: str
) -> None:
    letter, target = tmp_path / "draft.md", tmp_path / "out"
    letter.write_text(text)
    result = cli("export", letter, "-f", fmt, "-o", target, "--no-cache")
    assert result.code == 2
    errors = [line for line in result.err.splitlines() if "error" in line]
    assert len(errors) == 1 and "nothing to export" in errors[0] and needle in errors[0]
    assert not target.exists()


def test_export_to_standard_output(cli, letter: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli("export", letter, "-f", "bibtex", "-o", "-", "--allow-private", "--no-cache")
    assert result.code == 0, result.err
    (entry,) = bibtexparser.parse_string(result.out).entries
    assert entry["title"] == "Joint NGO letter ahead of EU-China Summit"
    assert "2 references in 1 letter" in result.err  # the summary keeps out of the data
    assert not (tmp_path / "-").exists()


def test_check_output_dash_is_standard_output(
    cli, letter: Path, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli("check", letter, "-f", "csv", "-o", "-", "--allow-private", "--no-cache")
    assert result.code == 0, result.err
    assert len(table(result.out)) == 2
    assert not (tmp_path / "-").exists()


def test_export_format_is_configured_apart_from_check(
    cli, letter: Path, tmp_path: Path, monkeypatch
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.citecheck]\nformat = 'json'\nallow-private = true\ncache = false\n\n"
        "[tool.citecheck.export]\nformat = 'bibtex'\n"
    )
    monkeypatch.chdir(tmp_path)
    exported = cli("export", letter.name, "-o", "sources.bib")
    assert exported.code == 0, exported.err
    (entry,) = bibtexparser.parse_string((tmp_path / "sources.bib").read_text()).entries
    assert entry.entry_type == "online"
    checked = cli("check", letter.name)
    assert checked.code == 0, checked.err
    assert checked.json()["summary"]["total"] == 2
    flag_wins = cli("export", letter.name, "-o", "table.csv", "--format", "csv")
    assert flag_wins.code == 0 and len(table((tmp_path / "table.csv").read_text())) == 2


@pytest.mark.parametrize("command", ["check", "export", "refs"])
def test_help_shows_plain_metavars(cli, command: str) -> None:
    result = cli(command, "--help")
    assert result.code == 0
    assert "<" not in result.out and "list[" not in result.out
    assert "PATH" in result.out and "-o, --output FILE" in result.out
    if command != "refs":
        for shown in (
            "--exclude REGEX",
            "--per-host N",
            "--timeout SECONDS",
            "-f, --format FORMAT",
        ):
            assert shown in result.out
