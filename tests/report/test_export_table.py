"""``export --format csv|json``: the researchers' table read back with the csv and json modules."""

from __future__ import annotations

import csv
import io
import json

from citecheck import __version__
from citecheck.report import export_csv, export_json

from factories import HOSTILE_TEXT, SECRET, cited_five_times, every_status, report

COLUMNS = [
    "letter", "line", "footnote", "text", "url", "cited_title", "cited_date",
    "title", "site_name", "published", "accessed", "status", "final_url", "suggestion",
]  # fmt: skip


def test_csv_has_one_row_per_reference_with_claims_beside_findings() -> None:
    findings = every_status() + cited_five_times()
    reader = csv.DictReader(io.StringIO(export_csv.render(report(findings))))
    rows = list(reader)
    assert reader.fieldnames == COLUMNS
    assert len(rows) == len(findings)
    for row, item in zip(rows, findings, strict=True):
        ref = item.reference
        assert row["letter"] == ref.letter
        assert row["line"] == str(ref.line)
        assert row["footnote"] == (ref.footnote or "")
        assert row["text"] == ref.text
        assert row["cited_title"] == (ref.cited_title or "")
        assert row["cited_date"] == (ref.cited_date or "")
        assert row["title"] == (item.meta.title if item.meta and item.meta.title else "")
        assert row["accessed"] == item.accessed
        assert row["status"] == item.status.value
        assert row["suggestion"] == (item.suggestion or "")
    assert rows[0]["site_name"] == "Human Rights Watch"
    assert rows[0]["published"] == "2025-07-17"
    assert rows[1]["final_url"] == "https://www.amnesty.test/en/documents/report-2024/"
    assert any(row["text"] == HOSTILE_TEXT for row in rows)


def test_csv_masks_credentials() -> None:
    text = export_csv.render(report(every_status()))
    assert SECRET not in text
    assert "https://***@intranet.ngo.test/drafts/brief.pdf" in text


def test_json_is_the_same_table_with_metadata() -> None:
    findings = every_status() + cited_five_times()
    document = json.loads(export_json.render(report(findings)))
    assert document["version"] == 1
    assert document["tool"] == {"name": "citecheck", "version": __version__}
    assert document["letters"] == ["letters/2025-07-eu-china.md", "letters/other.md"]
    assert document["summary"]["total"] == len(findings)
    rows = document["references"]
    assert [list(row) for row in rows] == [COLUMNS] * len(findings)
    csv_rows = list(csv.DictReader(io.StringIO(export_csv.render(report(findings)))))
    for row, csv_row in zip(rows, csv_rows, strict=True):
        assert {k: "" if v is None else str(v) for k, v in row.items()} == csv_row
    assert rows[0]["line"] == 40
    assert rows[3]["cited_title"] is None
    assert SECRET not in json.dumps(document)
