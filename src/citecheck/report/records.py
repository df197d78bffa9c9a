"""Flat records for a reference and its finding: the one shape JSON, CSV and exports share.

``records`` are SPEC's JSON references. ``table`` is the citation table of ``--format csv`` and
``export --format csv|json``: the same fields, then three a researcher needs that the JSON contract
leaves to the message: ``reason`` (a short code for why, see ``reason``), ``archived_copy`` and
``accessed`` (the ISO date the source was checked). These three are derived here and nowhere else;
the bibliography exports take ``accessed`` from here too.
"""

from __future__ import annotations

import re
from typing import Any

from citecheck.models import Finding, Reference, Report, Status
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
TABLE_FIELDS = ("reason", "archived_copy", "accessed")

# The phrases classify.py, claims.py and pipeline.py put in a message, and the reason they name.
_MESSAGE_REASONS = (
    ("the page says", "soft_404"),
    ("redirects to the site's home page", "redirect_to_home"),
    ("redirects to a login page", "redirect_to_login"),
    ("a bot challenge", "bot_challenge"),
    ("permanent redirect", "permanent_redirect"),
    ("as its address", "canonical_elsewhere"),
    ("title differs", "title_differs"),
    ("title was", "title_changed"),
    ("main text changed", "text_changed"),
    ("date differs", "date_differs"),
    ("anchor text", "anchor_not_on_page"),
    ("not in cache", "not_in_cache"),
    ("--exclude", "excluded"),
    ("--include", "not_included"),
    ("only syntax-checked", "syntax_only"),
    ("within the letter", "in_letter_anchor"),
)
_ARCHIVED = re.compile(r"archived copy: (\S+)")


def fields(report: Report) -> tuple[str, ...]:
    """The record keys of this report: verdict fields only once something was checked."""
    return REFERENCE_FIELDS if report.findings is None else REFERENCE_FIELDS + VERDICT_FIELDS


def table_fields(report: Report) -> tuple[str, ...]:
    """The citation table's columns: the record keys, and ``TABLE_FIELDS`` once checked."""
    return fields(report) if report.findings is None else fields(report) + TABLE_FIELDS


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


def reason(finding: Finding) -> str | None:
    """Why a reference has its status, as a code a spreadsheet can filter on; None for a plain ok.

    A network failure is its ``FetchError`` (``timeout``, ``name_not_found``, ``refused``…); an
    HTTP error is ``http_<code>`` (``http_404``, ``http_503``); a 200 that is really missing is
    ``soft_404``, ``redirect_to_home`` or ``redirect_to_login``; a drifted page ``title_changed``
    and/or ``text_changed``; the other codes name what the
    message says (``bot_challenge``, ``permanent_redirect``, ``title_differs``, ``excluded``…), and
    ``placeholder``, ``private_address`` and ``invalid_url`` the statuses decided without a fetch.
    Several claims that differ are joined with ``+`` (``title_differs+date_differs``).
    """
    fetched = finding.fetched
    if finding.status is Status.OK:
        return None
    if fetched is not None and fetched.error is not None:
        return fetched.error.value
    named = [code for phrase, code in _MESSAGE_REASONS if phrase in finding.message]
    code = fetched.http_status if fetched is not None else None
    if code is not None and not 200 <= code < 300:
        return f"http_{code}"
    if finding.status is Status.MISMATCHED:
        return "+".join(c for c in named if c.endswith(("_differs", "_on_page"))) or None
    if finding.status is Status.DRIFTED:
        return "+".join(c for c in named if c.endswith("_changed"))
    if named:
        return named[0]
    return {
        Status.PLACEHOLDER: "placeholder",
        Status.PRIVATE: "private_address",
        Status.INVALID: "invalid_url",
    }.get(finding.status)


def archived_copy(finding: Finding) -> str | None:
    """The archived copy found with ``--suggest-archive``: a broken link's suggestion, else the
    copy a moved link's message names."""
    match = _ARCHIVED.search(finding.message)
    if match:
        return mask_credentials(match.group(1))
    if finding.status is Status.BROKEN and finding.suggestion:
        return mask_credentials(finding.suggestion)
    return None


def accessed(finding: Finding) -> str | None:
    """The date the source was read, None when it was not (``--offline`` and not in the cache)."""
    return finding.accessed if finding.fetched is not None else None


def table(report: Report) -> list[dict[str, Any]]:
    """The citation table: one dict per reference, keys ``table_fields``, None where unknown."""
    if report.findings is None:
        return records(report)
    rows = []
    for finding in report.findings:
        row = finding_record(finding)
        row.update(
            reason=reason(finding), archived_copy=archived_copy(finding), accessed=accessed(finding)
        )
        rows.append(row)
    return rows


def records(report: Report) -> list[dict[str, Any]]:
    """One record per reference, in the letters' order."""
    if report.findings is None:
        return [reference_record(reference) for reference in report.references]
    return [finding_record(finding) for finding in report.findings]


def document(report: Report, version: str) -> dict[str, Any]:
    """The SPEC JSON document, version 1; ``notes`` (an addition) only when there are some."""
    doc: dict[str, Any] = {
        "version": 1,
        "tool": {"name": "citecheck", "version": version},
        "letters": [
            {"path": info.path, "format": info.format.value, "references": info.references}
            for info in report.letters
        ],
        "summary": report.summary(),
    }
    if report.notes:
        doc["notes"] = [
            {"letter": n.letter, "line": n.line, "column": n.column, "message": n.message}
            for n in report.notes
        ]
    doc["references"] = records(report)
    return doc
