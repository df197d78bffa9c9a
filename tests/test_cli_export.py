"""`citecheck export` through the CLI: the researchers' files, written atomically."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import bibtexparser
import pytest

from servers import Reply

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
