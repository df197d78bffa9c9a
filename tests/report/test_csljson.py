"""``export --format csl-json``: valid against the published CSL-JSON schema, Zotero-ready."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import bibtexparser
import jsonschema
import pytest

from citecheck.models import PageMeta, Report, Status
from citecheck.report import bibtex, csljson

from factories import SECRET, cited_five_times, every_status, fetched, finding, reference, report

SCHEMA = json.loads((Path(__file__).parent / "schemas" / "csl-data.json").read_text())


def items(checked: Report) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(csljson.render(checked))
    jsonschema.Draft7Validator(SCHEMA).validate(data)
    return data


def test_valid_items_one_per_followable_url() -> None:
    data = items(report(every_status() + cited_five_times()))
    urls = [item["URL"] for item in data]
    assert len(urls) == len(set(urls)) == 7
    assert not any(u in urls for u in ("TODO", "htp:/broken", "mailto:press@ngo.test"))
    assert {item["type"] for item in data} == {"webpage"}


def test_ids_are_the_bibtex_keys() -> None:
    checked = report(every_status() + cited_five_times())
    keys = [entry.key for entry in bibtexparser.parse_string(bibtex.render(checked)).entries]
    assert [item["id"] for item in items(checked)] == keys


def test_dates_keep_their_precision() -> None:
    by_url = {item["URL"]: item for item in items(report(every_status() + cited_five_times()))}
    hrw = by_url["https://www.hrw.org/news/2025/07/17/china-joint-letter"]
    assert hrw["issued"] == {"date-parts": [[2025, 7, 17]]}
    assert hrw["accessed"] == {"date-parts": [[2026, 5, 19]]}
    assert hrw["title"] == "Joint NGO letter ahead of EU-China Summit"
    assert hrw["container-title"] == "Human Rights Watch"
    assert by_url["https://www.hrw.org/report/2024/china"]["issued"] == {"date-parts": [[2024, 3]]}
    assert by_url["http://amnesty.test/report-2024"]["issued"] == {"date-parts": [[2024]]}
    assert "issued" not in by_url["https://gone.test/old-report"]


def test_pdf_is_a_document_and_text_is_kept_as_unicode() -> None:
    url = "https://www.europarl.test/doc/resolution.pdf"
    pdf = finding(
        Status.OK,
        reference(url, cited_title="Résolution sur la Chine — 人权 & co"),
        "200 OK",
        meta=PageMeta(title="RES 2024", site_name="Parlement européen"),
        fetch=fetched(url, content_type="application/pdf"),
    )
    (item,) = items(report([pdf]))
    assert item["type"] == "document"
    assert item["title"] == "Résolution sur la Chine — 人权 & co"
    assert "人权" in csljson.render(report([pdf]))  # not \u-escaped


def test_credentials_are_masked() -> None:
    item = finding(Status.OK, reference(f"https://u:{SECRET}@ngo.test/x"), "200 OK")
    text = csljson.render(report([item]))
    assert SECRET not in text
    assert items(report([item]))[0]["URL"] == "https://***@ngo.test/x"


def test_the_shipped_schema_rejects_a_broken_item() -> None:
    data = json.loads(csljson.render(report(every_status())))
    data[0]["issued"] = {"date-parts": [[2025, 7, 17, 9]]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(SCHEMA).validate(data)


def test_a_broken_link_keeps_the_letters_title_and_its_access_date() -> None:
    url = "https://ngo.test/reports/detention"
    broken = finding(
        Status.BROKEN,
        reference(url, text="our 2019 report on detention"),
        "200 OK but the page says 'Page not found'",
        meta=PageMeta(title="Page not found", published="2019-01-01", site_name="NGO 404"),
        fetch=fetched(url),
    )
    (item,) = items(report([broken]))
    assert item["title"] == "our 2019 report on detention"
    assert item["container-title"] == "ngo.test"
    assert "issued" not in item
    assert item["accessed"] == {"date-parts": [[2026, 5, 19]]}
