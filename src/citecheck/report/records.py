"""Flat records for a reference and its finding: the one shape JSON, CSV and exports share."""

from __future__ import annotations

from typing import Any

from citecheck.models import Finding, Reference, Report
from citecheck.urls import mask_credentials

REFERENCE_FIELDS = (
    "letter",
    "line",
    "column",
    "kind",
    "footnote",
    "text",
    "url",
    "cited_title",
    "cited_date",
    "cited_date_text",
)
VERDICT_FIELDS = (
    "status",
    "message",
    "http_status",
    "final_url",
    "redirects",
    "title",
    "published",
    "site_name",
    "content_type",
    "title_similarity",
    "suggestion",
    "elapsed_ms",
    "from_cache",
)


def fields(report: Report) -> tuple[str, ...]:
    """The record keys of this report: verdict fields only once something was checked."""
    return REFERENCE_FIELDS if report.findings is None else REFERENCE_FIELDS + VERDICT_FIELDS


def reference_record(reference: Reference) -> dict[str, Any]:
    """The SPEC reference-model fields, in SPEC order; credentials in URLs masked."""
    return {
        "letter": reference.letter,
        "line": reference.line,
        "column": reference.column,
        "kind": reference.kind.value,
        "footnote": reference.footnote,
        "text": mask_credentials(reference.text),
        "url": mask_credentials(reference.url),
        "cited_title": reference.cited_title,
        "cited_date": reference.cited_date,
        "cited_date_text": reference.cited_date_text,
    }


def finding_record(finding: Finding) -> dict[str, Any]:
    """The reference-model fields followed by the verdict fields of SPEC's JSON."""
    fetched, meta = finding.fetched, finding.meta
    record = reference_record(finding.reference)
    record.update(
        status=finding.status.value,
        message=finding.message,
        http_status=fetched.http_status if fetched else None,
        final_url=mask_credentials(fetched.final_url) if fetched and fetched.final_url else None,
        redirects=[
            {"url": mask_credentials(hop.url), "status": hop.status}
            for hop in (fetched.redirects if fetched else ())
        ],
        title=meta.title if meta else None,
        published=meta.published if meta else None,
        site_name=meta.site_name if meta else None,
        content_type=fetched.content_type if fetched else None,
        title_similarity=(
            round(finding.title_similarity, 3) if finding.title_similarity is not None else None
        ),
        suggestion=mask_credentials(finding.suggestion) if finding.suggestion else None,
        elapsed_ms=fetched.elapsed_ms if fetched else None,
        from_cache=finding.from_cache,
    )
    return record


def records(report: Report) -> list[dict[str, Any]]:
    """One record per reference, in the letters' order."""
    if report.findings is None:
        return [reference_record(reference) for reference in report.references]
    return [finding_record(finding) for finding in report.findings]


def document(report: Report, version: str) -> dict[str, Any]:
    """The SPEC JSON document, version 1."""
    return {
        "version": 1,
        "tool": {"name": "citecheck", "version": version},
        "letters": [
            {"path": info.path, "format": info.format.value, "references": info.references}
            for info in report.letters
        ],
        "summary": report.summary(),
        "references": records(report),
    }
