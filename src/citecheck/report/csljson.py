"""``export --format csl-json``: CSL-JSON items (Zotero, Pandoc, citeproc) per distinct cited URL.

The same sources, merging rules and keys as the BibTeX export (``citations``): the ``id``
of an item is its BibTeX key, so both exports cite alike. Placeholders, invalid URLs and other
links a reader cannot follow are left out. ``type`` is ``document`` for a PDF, else ``webpage``;
``container-title`` is the site's name (else its host); ``issued`` and ``accessed`` are
``date-parts`` as precise as known (year, year-month or full date). A reference that needs
attention says why in ``note``.
"""

from __future__ import annotations

import json
from typing import Any

from citecheck.models import Report
from citecheck.report.citations import Citation, citations, date_parts


def item(citation: Citation) -> dict[str, Any]:
    """The CSL-JSON item of one citation."""
    is_pdf = (citation.content_type or "").split(";")[0].strip().lower() == "application/pdf"
    data: dict[str, Any] = {
        "id": citation.key,
        "type": "document" if is_pdf else "webpage",
        "title": citation.title,
        "container-title": citation.site,
        "URL": citation.url,
    }
    if citation.date_parts:
        data["issued"] = {"date-parts": [list(citation.date_parts)]}
    accessed = date_parts(citation.accessed)
    if accessed:
        data["accessed"] = {"date-parts": [list(accessed)]}
    if citation.note:
        data["note"] = citation.note
    return data


def render(report: Report) -> str:
    items = [item(citation) for citation in citations(report)]
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"
