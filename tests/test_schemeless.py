"""Web addresses written without https:// are references a reader would try: reported invalid."""

from __future__ import annotations

from pathlib import Path

import pytest

LETTER = (
    "Dear Members,\n\n"
    "Our report is at www.hrw.org/news/2025/07/17/joint-ngo-letter, and the summary at\n"
    "amnesty.org/en/documents/asa17/1234/2025/en/. Write to press@hrw.org; the annex is\n"
    "report.pdf, drafted with version 1.2/3 of the template (see docs/notes.md).\n"
)


@pytest.mark.parametrize("suffix", [".md", ".txt"])
def test_a_scheme_less_address_is_invalid_with_the_fix(cli, tmp_path: Path, suffix: str) -> None:
    letter = tmp_path / f"letter{suffix}"
    letter.write_text(LETTER, encoding="utf-8")
    result = cli("check", letter, "--format", "json", "--no-cache")
    assert result.code == 1, result.err
    found = [
        (r["line"], r["column"], r["kind"], r["url"], r["status"], r["suggestion"])
        for r in result.json()["references"]
    ]
    assert found == [
        (
            3,
            18,
            "bare",
            "www.hrw.org/news/2025/07/17/joint-ngo-letter",
            "invalid",
            "https://www.hrw.org/news/2025/07/17/joint-ngo-letter",
        ),
        (
            4,
            1,
            "bare",
            "amnesty.org/en/documents/asa17/1234/2025/en/",
            "invalid",
            "https://amnesty.org/en/documents/asa17/1234/2025/en/",
        ),
    ]
    assert all("add https://" in r["message"] for r in result.json()["references"])


def test_a_markdown_link_without_a_scheme_says_what_to_add(cli, tmp_path: Path) -> None:
    letter = tmp_path / "letter.md"
    letter.write_text("See [the report](www.hrw.org/report) and [notes](notes.md).\n")
    result = cli("check", letter, "--format", "json", "--no-cache")
    messages = [(r["url"], r["status"], r["message"]) for r in result.json()["references"]]
    assert messages == [
        ("www.hrw.org/report", "invalid", "no scheme: add https:// (https://www.hrw.org/report)"),
        ("notes.md", "invalid", "not an absolute URL: readers have no page to resolve it"),
    ]
