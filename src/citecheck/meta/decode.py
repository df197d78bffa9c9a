"""Bytes of a fetched HTML page -> text, choosing the encoding the way a browser would.

Order: a byte-order mark (it outranks everything, as in the WHATWG encoding standard: a page that
starts with a UTF-8 BOM is UTF-8 whatever the server says), then the HTTP ``charset`` parameter,
then ``<meta charset>`` / ``http-equiv`` in the first bytes, then strict UTF-8, then detection
(charset-normalizer on a bounded sample), then windows-1252. Labels are read as browsers read
them: ``iso-8859-1`` and ``us-ascii`` mean windows-1252. Decoding never fails: bytes that do
not fit the chosen encoding become U+FFFD.
"""

from __future__ import annotations

import codecs
import re

__all__ = ["decode_page"]

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Browsers read these labels as windows-1252, a superset that also maps 0x80-0x9F.
_ALIASES = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "x-sjis": "shift_jis",
    "gb2312": "gb18030",
    "gbk": "gb18030",
}

_PRESCAN_BYTES = 4096
_DETECT_BYTES = 32_768
_META_CHARSET = re.compile(
    rb"""<meta\b[^>]{0,500}?\bcharset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE
)


def decode_page(body: bytes, charset: str | None = None) -> str:
    """The text of an HTML page's bytes, given the HTTP ``charset`` parameter if there was one."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(name, errors="replace")
    declared = _codec(charset) or _meta_charset(body[:_PRESCAN_BYTES])
    if declared is not None:
        return body.decode(declared, errors="replace")
    utf8 = _strict_utf8(body)
    if utf8 is not None:
        return utf8
    detected = _detect(body[:_DETECT_BYTES])
    return body.decode(detected or "cp1252", errors="replace")


def _codec(label: str | None) -> str | None:
    """Python's codec name for an encoding label, or None when the label is unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _ALIASES.get(label, label)
    try:
        name = codecs.lookup(label).name
    except (LookupError, ValueError):
        return None
    # A page cannot really be UTF-16 when its <meta> says so in ASCII bytes; browsers use UTF-8.
    return "utf-8" if name.startswith(("utf-16", "utf-32")) else name


def _meta_charset(head: bytes) -> str | None:
    match = _META_CHARSET.search(head)
    return _codec(match.group(1).decode("ascii")) if match else None


def _strict_utf8(body: bytes) -> str | None:
    """The body as UTF-8 if it is UTF-8 (a sequence cut by the size cap at the end is allowed)."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(body) - 3 or exc.reason != "unexpected end of data":
            return None
        return body.decode("utf-8", errors="replace")


def _detect(sample: bytes) -> str | None:
    # Imported here: only pages that declare no charset and are not UTF-8 pay for loading it.
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    if best is None:
        return None
    return _codec(best.encoding)
