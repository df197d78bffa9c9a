"""A PDF's bytes -> PageMeta: title and date from its metadata, else from its first page.

Title: the information dictionary's ``/Title``, then XMP ``dc:title``, unless that is junk a word
processor left behind ("Microsoft Word - draft3.docx", "untitled", a file name); then the largest
text on the first page (the cover's heading). Date: ``/CreationDate`` (``D:20240613…``), then XMP
``xmp:CreateDate``, both as written (not converted to UTC); then a date printed on the first page.
Modification dates are not publication dates. A truncated or corrupt file gives what could be read,
or an empty PageMeta; nothing here raises.
"""

from __future__ import annotations

import io
import re
import warnings
from typing import TYPE_CHECKING, Any

from citecheck.dates import find_date
from citecheck.meta.machine_date import machine_date
from citecheck.models import PageMeta

if TYPE_CHECKING:
    from pypdf import PdfReader

__all__ = ["extract_pdf"]

_TITLE_CAP = 500
_TEXT_HEAD = 2_000
_MAX_PAGE_CHARS = 200_000
_JUNK_TITLE = re.compile(
    r"^(?:microsoft\s+\w+\s*-\s*.*|untitled\b.*|sans\s+titre|ohne\s+titel|sin\s+título|document\d*"
    r"|title|new\s+document|slide\s*\d*|\S+\.(?:docx?|pdf|odt|rtf|indd|pptx?|xlsx?|tex|dvi))$",
    re.IGNORECASE,
)
_PDF_DATE = re.compile(r"^\s*(?:D:)?(\d{4})(\d\d)?(\d\d)?")
_XMP_CREATE = re.compile(
    rb"""xmp:CreateDate\s*(?:=\s*["']([^"']{4,40})|>\s*([^<]{4,40})<)""", re.IGNORECASE
)
_XMP_TITLE = re.compile(rb"<dc:title>.*?<rdf:li[^>]*>([^<]{1,2000})</rdf:li>", re.DOTALL)


def extract_pdf(body: bytes) -> PageMeta:
    """The metadata of a PDF document given its (possibly truncated) bytes."""
    # Imported here: pypdf costs ~0.1 s and ~17 MB to load, and most runs meet no PDF at all.
    from pypdf import PdfReader

    # pypdf reports damaged files through warnings (and logging: the program decides where that
    # goes, see cli._run_check); a damaged file is a normal input.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return _extract(PdfReader(io.BytesIO(body), strict=False))
        except Exception:  # hostile files raise anything from pypdf's depths
            return PageMeta()


def _extract(reader: PdfReader) -> PageMeta:
    info: dict[str, Any] = {}
    try:
        info = dict(reader.metadata or {})
    except Exception:  # a broken information dictionary is no dictionary
        info = {}
    xmp = _xmp(reader)
    info_title = _clip(str(info.get("/Title") or ""))
    xmp_title = _xmp_title(xmp)
    candidates = [t for t in (info_title, xmp_title) if t]
    title, title_source = None, None
    for value, source in ((info_title, "pdf:/Title"), (xmp_title, "xmp:dc:title")):
        if value and not _JUNK_TITLE.match(value):
            title, title_source = value, source
            break
    heading, first_text = _first_page(reader)
    published = _pdf_date(str(info.get("/CreationDate") or ""))
    date_source: str | None = "pdf:/CreationDate"
    if published is None:
        published, date_source = _xmp_date(xmp), "xmp:CreateDate"
    if title is None and heading:
        title, title_source = heading, "pdf:first page"
    if heading:
        candidates.append(heading)
    if published is None and (found := find_date(first_text[:3_000])) is not None:
        published, date_source = found.iso, "pdf:first page"
    if published is None:
        date_source = None
    return PageMeta(
        title=title,
        title_source=title_source,
        title_candidates=tuple(dict.fromkeys(candidates)),
        published=published,
        date_source=date_source,
        text_head=_head(first_text),
        lang=_clip(str(_catalog(reader).get("/Lang") or "")) or None,
    )


def _clip(value: str, cap: int = _TITLE_CAP) -> str:
    return " ".join(value[: cap * 4].split())[:cap]


def _head(text: str) -> str:
    text = " ".join(text[: _TEXT_HEAD * 4].split())
    return text[:_TEXT_HEAD]


def _catalog(reader: PdfReader) -> dict[str, Any]:
    try:
        root: dict[str, Any] = dict(reader.trailer["/Root"].get_object())  # type: ignore[call-overload]
        return root
    except Exception:
        return {}


def _xmp(reader: PdfReader) -> bytes:
    try:
        stream = _catalog(reader).get("/Metadata")
        return bytes(stream.get_object().get_data())[:1_000_000] if stream is not None else b""
    except Exception:  # an unreadable XMP stream is no XMP
        return b""


def _xmp_title(xmp: bytes) -> str | None:
    match = _XMP_TITLE.search(xmp)
    if match is None:
        return None
    return _clip(match.group(1).decode("utf-8", errors="replace")) or None


def _xmp_date(xmp: bytes) -> str | None:
    match = _XMP_CREATE.search(xmp)
    if match is None:
        return None
    return machine_date((match.group(1) or match.group(2)).decode("ascii", errors="replace"))


def _pdf_date(value: str) -> str | None:
    """A PDF date string (``D:YYYYMMDDHHmmSS+HH'mm'``) as ISO, at the precision written."""
    match = _PDF_DATE.match(value)
    if match is None:
        return None
    year, month, day = match.groups()
    return machine_date("-".join(part for part in (year, month, day) if part))


def _first_page(reader: PdfReader) -> tuple[str | None, str]:
    """The largest text on the first page (its heading) and the page's text."""
    runs: list[tuple[float, str]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        # The rendered size is the font size scaled by the text and transformation matrices.
        scale = abs(tm[3] * cm[3]) or abs(tm[0] * cm[0]) or 1.0
        if text.strip() and len(runs) < 5_000:
            runs.append((round(size * scale, 1), text))

    try:
        page = reader.pages[0]
        text = page.extract_text(visitor_text=visit)[:_MAX_PAGE_CHARS]
    except Exception:  # an unreadable page has no heading
        return None, ""
    if not runs:
        return None, text
    largest = max(size for size, _ in runs)
    heading = _clip(" ".join(t for size, t in runs if size >= largest - 0.5))
    if not heading or _JUNK_TITLE.match(heading):
        return None, text
    return heading, text
