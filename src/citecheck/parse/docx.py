"""Word letters (.docx): their paragraphs as text, and their hyperlinks as references.

The text is one paragraph per line: the body's paragraphs in document order (table cells
included), then the footnotes' paragraphs in the order of their numbers, then the endnotes'.
A note mark is written as its label, in superscript digits where it is a number (``¹``), so the
text reads like a plain-text letter. Line breaks and tabs inside a paragraph become a space and
``\\t``, so that line N is always paragraph N.

python-docx opens the package: it checks that the file is a Word document and resolves the
relationships (where a hyperlink's ``r:id`` points). It offers no footnotes, so the three stories
(body, footnotes, endnotes) are read from their XML by one walker, for one set of rules.

Footnote labels follow Word: footnotes are numbered in the order their marks appear in the body
(``1``, ``2``…), endnotes likewise but in Word's default lower-case Roman numerals (``i``,
``ii``…); a number format or start value set in the document (``w:footnotePr``/``w:endnotePr``)
is honoured, a custom mark (``w:customMarkFollows``) is used as written. Notes that are never
referenced in the body are not shown by Word and are left out here too. With endnotes set to
digits, a footnote and an endnote may share a label. A body paragraph that starts with
superscript digits (a note typed by hand, ``¹ See …``) is a note too, as in a plain-text letter.

A URL typed as plain text (Word did not make it a hyperlink) is found by the plain-text
scanner (``parse.text.scan``) in the paragraph's text, like a bare URL in a .txt letter: the
scheme-less ``www.…`` addresses included. What a hyperlink covers is not scanned again.

Tracked insertions are shown and deletions are not. Text boxes, headers and footers are not read.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from xml.etree import ElementTree as ET

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import OpcError

from citecheck.errors import InputError
from citecheck.models import Letter, LinkKind, Reference
from citecheck.parse.footnotes import Draft, collapse, finish, is_note_anchor, superscript_label
from citecheck.parse.text import scan

MAX_PART_BYTES = 16 * 1024 * 1024  # one part other than media, unpacked: letters are far below
MAX_PACKAGE_BYTES = 128 * 1024 * 1024  # the whole package unpacked, images included
MAX_MEMBERS = 5_000

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"

_P, _R_RUN, _T, _TAB = f"{_W}p", f"{_W}r", f"{_W}t", f"{_W}tab"
_HYPERLINK, _FLD_SIMPLE = f"{_W}hyperlink", f"{_W}fldSimple"
_NO_BREAK_HYPHEN, _ALTERNATE = f"{_W}noBreakHyphen", f"{_MC}AlternateContent"
_FLD_CHAR, _INSTR = f"{_W}fldChar", f"{_W}instrText"
_FOOTNOTE_REFERENCE, _ENDNOTE_REFERENCE = f"{_W}footnoteReference", f"{_W}endnoteReference"
_REFERENCE_KINDS = {_FOOTNOTE_REFERENCE: "footnote", _ENDNOTE_REFERENCE: "endnote"}
_NOTE_MARKS = {f"{_W}footnoteRef", f"{_W}endnoteRef"}
_SPACES = {f"{_W}br", f"{_W}cr"}
# Block-level elements whose paragraphs are part of the story (tables, content controls).
_BLOCK_CONTAINERS = {f"{_W}{tag}" for tag in ("tbl", "tr", "tc", "sdt", "sdtContent", "customXml")}
# Inline elements whose content is not shown: properties, deleted or moved-away text.
_INLINE_SKIPPED = {f"{_W}{tag}" for tag in ("pPr", "rPr", "sdtPr", "del", "moveFrom")}
_SEPARATOR_TYPES = {"separator", "continuationSeparator", "continuationNotice"}
# Characters str.splitlines() breaks on: none may survive inside a paragraph's line.
_LINE_BREAKS = dict.fromkeys(map(ord, "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"), " ")
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_FIELD_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')
_STREAM_NAME = re.compile(r"^file '<[^']*>' is ")


@dataclass(frozen=True, slots=True)
class _Link:
    """A link: ``line`` is 1-based, ``start``/``end`` are offsets in that line."""

    line: int
    start: int
    end: int
    url: str
    note: tuple[str, str] | None  # the key of the note it sits in (see _Note)
    kind: LinkKind = LinkKind.INLINE  # a hyperlink; a URL typed as text is BARE (or as written)
    text: str | None = None  # the anchor text, when it is not the line's text it covers


@dataclass(frozen=True, slots=True)
class _Note:
    """A note as it appears in the text: lines ``first``..``last``."""

    key: tuple[str, str]  # (kind: "footnote", "endnote" or "paragraph N", label)
    first: int
    last: int


@dataclass(frozen=True, slots=True)
class _Read:
    """A letter read: its lines, its hyperlinks in order, and where its notes are."""

    lines: tuple[str, ...]
    links: tuple[_Link, ...]
    notes: tuple[_Note, ...]


def read_docx(data: bytes, *, name: str = "letter") -> str:
    """The letter as text, one paragraph per line (body, then footnotes, then endnotes).

    Raises ``InputError`` naming ``name`` when ``data`` is not a readable .docx file.
    """
    return "\n".join(_read(data, name).lines)


def docx_references(letter: Letter) -> list[Reference]:
    """Every hyperlink and typed URL in a .docx letter, in text order, with their notes' claims."""
    if letter.data is None:
        raise InputError(f"{letter.path}: the .docx letter was read without its bytes")
    read = _read(letter.data, letter.path)
    notes = {note.key: note for note in read.notes}
    links = [_in_typed_note(read, link) for link in _with_typed(read)]
    notes.update(
        (link.note, _Note(link.note, link.line, link.line))
        for link in links
        if link.note is not None and link.note not in notes
    )
    drafts = []
    for index, link in enumerate(links):
        note = notes[link.note] if link.note is not None else None
        text = link.text
        if text is None:
            text = collapse(read.lines[link.line - 1][link.start : link.end])
        previous = links[index - 1] if index and note is not None else None
        follows = previous is not None and previous.note == link.note
        drafts.append(
            Draft(
                link.line,
                link.start + 1,
                link.kind,
                text,
                link.url,
                note.key[1] if note else None,
                _text_after(read, note, link, links[index + 1 :]) if note else "",
                _text_before(read, note, link, previous if follows else None) if note else "",
                follows,
            )
        )
    return finish(letter, drafts)


def _with_typed(read: _Read) -> list[_Link]:
    """The hyperlinks and the URLs typed as text, in text order, each in the note it is in."""
    hyperlinks: dict[int, list[_Link]] = {}
    for link in read.links:
        hyperlinks.setdefault(link.line, []).append(link)
    note_of = {line: note.key for note in read.notes for line in range(note.first, note.last + 1)}
    typed = [
        _Link(
            number, found.start, found.end, found.url, note_of.get(number), found.kind, found.text
        )
        for number, line in enumerate(read.lines, start=1)
        for found in scan(line)
        if not is_note_anchor(found.url)
        and not any(
            found.start < other.end and other.start < found.end
            for other in hyperlinks.get(number, ())
        )
    ]
    return sorted((*read.links, *typed), key=lambda link: (link.line, link.start))


def _in_typed_note(read: _Read, link: _Link) -> _Link:
    """``link``, marked as in a note when its body paragraph starts with a superscript label."""
    found = superscript_label(read.lines[link.line - 1]) if link.note is None else None
    return link if found is None else replace(link, note=(f"paragraph {link.line}", found[0]))


def _text_before(read: _Read, note: _Note, link: _Link, previous: _Link | None) -> str:
    """The note's text from its label, or the end of ``previous``, to the start of ``link``."""
    if previous is not None:
        start_line, start = previous.line, previous.end
    else:
        first, label = read.lines[note.first - 1], note.key[1]
        found = superscript_label(first)
        start = found[1] if found else len(label) if first.startswith(label) else 0
        start_line = note.first
    if start_line == link.line:
        return read.lines[link.line - 1][start : link.start]
    pieces = [read.lines[start_line - 1][start:]]
    pieces += read.lines[start_line : link.line - 1]
    pieces.append(read.lines[link.line - 1][: link.start])
    return "\n".join(pieces)


def _text_after(read: _Read, note: _Note, link: _Link, later: list[_Link]) -> str:
    """The note's text from the end of ``link`` to the next link in the same note."""
    following = next((other for other in later if other.note == link.note), None)
    stop_line, stop = (note.last, None) if following is None else (following.line, following.start)
    if stop_line == link.line:
        return read.lines[link.line - 1][link.end : stop]
    pieces = [read.lines[link.line - 1][link.end :]]
    pieces += read.lines[link.line : stop_line - 1]
    pieces.append(read.lines[stop_line - 1][:stop])
    return "\n".join(pieces)


# --- the package --------------------------------------------------------------------------------

_NOT_A_DOCX = (
    OpcError,
    KeyError,
    AttributeError,  # python-docx, on a [Content_Types].xml of the wrong shape
    ValueError,
    SyntaxError,  # malformed XML, from expat (ElementTree) or lxml (inside python-docx)
    zipfile.BadZipFile,
    EOFError,
    zlib.error,
    NotImplementedError,  # a compression method zipfile lacks
    RuntimeError,  # an encrypted member
)


def _read(data: bytes, name: str) -> _Read:
    _check_sizes(data, name)
    try:
        document = docx.Document(io.BytesIO(data))
        part = document.part
        body = _parse(part.blob).find(f"{_W}body")
        notes = {
            kind: _related(part, reltype)
            for kind, reltype in (("footnote", RT.FOOTNOTES), ("endnote", RT.ENDNOTES))
        }
        settings = _related(part, RT.SETTINGS)
    except _NOT_A_DOCX as exc:
        raise InputError(f"{name}: not a valid .docx file ({_reason(exc)})") from exc
    if body is None:
        raise InputError(f"{name}: not a valid .docx file (the document has no body)")
    numbering = _Numbering.from_xml(body, settings[0] if settings else None)
    builder = _Builder()
    builder.story(_paragraphs(body), _external(part.rels), numbering.mark, None)
    for kind, related in notes.items():
        if related is not None:
            builder.notes_of(kind, *related, numbering.labels[kind])
    return _Read(tuple(builder.lines), tuple(builder.links), tuple(builder.notes))


def _check_sizes(data: bytes, name: str) -> None:
    """Refuse a package that would unpack beyond the limits, before anything is unpacked.

    zipfile never returns more than a member's declared size (a lie ends in a CRC error), so the
    sizes in the zip directory bound the memory a package can take.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except _NOT_A_DOCX as exc:
        raise InputError(f"{name}: not a valid .docx file ({_reason(exc)})") from exc
    if len(members) > MAX_MEMBERS:
        raise InputError(f"{name}: not a valid .docx file ({len(members):,} parts)")
    for member in members:
        # Media is only held as bytes; every other part may be parsed as XML.
        if member.file_size > MAX_PART_BYTES and not member.filename.startswith("word/media/"):
            raise InputError(
                f"{name}: .docx part {member.filename} is too large "
                f"({member.file_size:,} bytes unpacked, limit {MAX_PART_BYTES:,})"
            )
    total = sum(member.file_size for member in members)
    if total > MAX_PACKAGE_BYTES:
        raise InputError(
            f"{name}: .docx file is too large ({total:,} bytes unpacked, "
            f"limit {MAX_PACKAGE_BYTES:,})"
        )


def _reason(exc: BaseException) -> str:
    """The first line of an error's message, without python-docx's name for our in-memory file."""
    message = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
    lines = _STREAM_NAME.sub("", message).splitlines()
    return lines[0] if lines else type(exc).__name__


def _related(part: Any, reltype: str) -> tuple[ET.Element, dict[str, str]] | None:
    """The parsed part that ``part`` relates to by ``reltype``, with its external links."""
    for rel in part.rels.values():
        if rel.reltype == reltype and not rel.is_external:
            target = rel.target_part
            return _parse(bytes(target.blob)), _external(target.rels)
    return None


def _external(rels: Mapping[str, Any]) -> dict[str, str]:
    """Relationship id -> target URL, for the external (hyperlink) relationships."""
    return {str(rid): str(rel.target_ref).strip() for rid, rel in rels.items() if rel.is_external}


def _parse(xml: bytes) -> ET.Element:
    # expat resolves no external entities and caps entity amplification (billion laughs).
    return ET.fromstring(xml)


def _paragraphs(container: ET.Element) -> Iterator[ET.Element]:
    """The paragraphs of a story in document order, descending into tables and controls."""
    for child in container:
        if child.tag == _P:
            yield child
        elif child.tag in _BLOCK_CONTAINERS:
            yield from _paragraphs(child)


# --- the stories --------------------------------------------------------------------------------

# What a note mark shows: (element, text of the next w:t in its run) -> shown text, or None
# when the element is no note mark.
_Mark = Callable[[ET.Element, str], "str | None"]


class _Builder:
    """Accumulates the lines, links and notes of the stories read so far."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.links: list[_Link] = []
        self.notes: list[_Note] = []

    def story(
        self,
        paragraphs: Iterator[ET.Element],
        rels: Mapping[str, str],
        mark: _Mark,
        note: tuple[str, str] | None,
    ) -> None:
        """Append one story's paragraphs; links in it belong to ``note`` (kind, label)."""
        for paragraph in paragraphs:
            text, spans = _ParagraphReader(rels, mark).read(paragraph)
            self.lines.append(text)
            line = len(self.lines)
            self.links += (_Link(line, start, end, url, note) for start, end, url in spans)

    def notes_of(
        self,
        kind: str,
        root: ET.Element,
        rels: Mapping[str, str],
        labels: Mapping[str, str],
    ) -> None:
        """Append the notes of one kind that the body references, in the order of their labels."""
        by_id = {
            note.get(f"{_W}id"): note
            for note in root.iter(f"{_W}{kind}")
            if note.get(f"{_W}type", "normal") not in _SEPARATOR_TYPES
        }
        for note_id, label in labels.items():
            note = by_id.get(note_id)
            if note is None:
                continue
            first = len(self.lines) + 1
            self.story(_paragraphs(note), rels, _note_mark(label), (kind, label))
            self.notes.append(_Note((kind, label), first, len(self.lines)))


def _note_mark(label: str) -> _Mark:
    """Inside a note, its own mark (``w:footnoteRef``) shows the note's label."""
    return lambda element, _following: label if element.tag in _NOTE_MARKS else None


@dataclass(slots=True)
class _Field:
    """A complex field (``w:fldChar`` begin … separate … end) being read."""

    instructions: list[str] = field(default_factory=list)
    result_start: int | None = None  # set at "separate": the shown result starts here
    url: str | None = None


class _ParagraphReader:
    """Reads one paragraph: its shown text and its hyperlinks' (start, end, url) spans."""

    def __init__(self, rels: Mapping[str, str], mark: _Mark) -> None:
        self.rels = rels
        self.mark = mark
        self.chunks: list[str] = []
        self.length = 0
        self.spans: list[tuple[int, int, str]] = []
        self.fields: list[_Field] = []

    def read(self, paragraph: ET.Element) -> tuple[str, list[tuple[int, int, str]]]:
        """The paragraph's text and its links' spans, in order."""
        self._inline(paragraph)
        for unclosed in self.fields:  # a field result running past the paragraph ends with it
            self._close(unclosed)
        return "".join(self.chunks), sorted(self.spans, key=lambda span: span[0])

    def _emit(self, text: str) -> None:
        text = text.translate(_LINE_BREAKS)
        self.chunks.append(text)
        self.length += len(text)

    def _inline(self, element: ET.Element) -> None:
        for child in element:
            tag = child.tag
            if tag == _R_RUN:
                self._run(child)
            elif tag == _HYPERLINK:
                self._span(child, self._hyperlink_url(child))
            elif tag == _FLD_SIMPLE:
                self._span(child, _field_url(child.get(f"{_W}instr", "")))
            elif tag == _ALTERNATE:
                # The same content in alternative markups: read the fallback only, once.
                chosen = child.find(f"{_MC}Fallback")
                if chosen is None and len(child):
                    chosen = child[0]
                if chosen is not None:
                    self._inline(chosen)
            elif tag not in _INLINE_SKIPPED:
                self._inline(child)  # insertions, smart tags, inline content controls…

    def _span(self, element: ET.Element, url: str | None) -> None:
        start = self.length
        self._inline(element)
        if url:
            self.spans.append((start, self.length, url))

    def _hyperlink_url(self, element: ET.Element) -> str | None:
        """An external hyperlink's URL; None for a link to a bookmark in the letter itself."""
        target = self.rels.get(element.get(f"{_R}id") or "")
        return _with_fragment(target, element.get(f"{_W}anchor")) if target else None

    def _run(self, run: ET.Element) -> None:
        children = list(run)
        for index, child in enumerate(children):
            tag = child.tag
            if tag == _FLD_CHAR:
                self._field_char(child.get(f"{_W}fldCharType"))
            elif tag == _INSTR:
                if self.fields and self.fields[-1].result_start is None:
                    self.fields[-1].instructions.append(child.text or "")
            elif any(open_field.result_start is None for open_field in self.fields):
                continue  # a field's code, not shown
            elif tag == _T:
                self._emit(child.text or "")
            elif tag == _TAB:
                self._emit("\t")
            elif tag in _SPACES:
                self._emit(" ")
            elif tag == _NO_BREAK_HYPHEN:
                self._emit("-")
            else:
                after = children[index + 1] if index + 1 < len(children) else None
                following = (after.text or "") if after is not None and after.tag == _T else ""
                shown = self.mark(child, following)
                if shown:
                    self._emit(shown.translate(_SUPERSCRIPT) if shown.isdigit() else shown)

    def _field_char(self, kind: str | None) -> None:
        if kind == "begin":
            self.fields.append(_Field())
        elif kind == "separate" and self.fields and self.fields[-1].result_start is None:
            top = self.fields[-1]
            top.result_start = self.length
            top.url = _field_url("".join(top.instructions))
        elif kind == "end" and self.fields:
            self._close(self.fields.pop())

    def _close(self, closed: _Field) -> None:
        if closed.url and closed.result_start is not None:
            self.spans.append((closed.result_start, self.length, closed.url))


def _field_url(instructions: str) -> str | None:
    """The external URL of a ``HYPERLINK "url" [\\l "anchor"]`` field code, else None."""
    tokens = [
        (quoted is not None, quoted if quoted is not None else bare)
        for quoted, bare in (match.group(1, 2) for match in _FIELD_TOKEN.finditer(instructions))
    ]
    if not tokens or tokens[0][1].upper() != "HYPERLINK":
        return None
    url: str | None = None
    anchor: str | None = None
    rest = iter(tokens[1:])
    for quoted, token in rest:
        if not quoted and token.startswith("\\"):
            if token.lower() in ("\\l", "\\o", "\\t"):  # switches that take an argument
                argument = next(rest, (True, ""))[1]
                anchor = argument if token.lower() == "\\l" else anchor
        elif url is None:
            url = token.strip()
    return _with_fragment(url, anchor) if url else None


def _with_fragment(target: str, anchor: str | None) -> str:
    return f"{target}#{anchor}" if anchor and "#" not in target else target


# --- note numbering -----------------------------------------------------------------------------


@dataclass(slots=True)
class _Numbering:
    """Hands out note labels in the order the body references the notes."""

    formats: dict[str, tuple[str, int]]  # kind -> (w:numFmt, w:numStart)
    labels: dict[str, dict[str, str]] = field(
        default_factory=lambda: {"footnote": {}, "endnote": {}}
    )
    counts: dict[str, int] = field(default_factory=lambda: {"footnote": 0, "endnote": 0})

    @classmethod
    def from_xml(cls, body: ET.Element, settings: ET.Element | None) -> _Numbering:
        """Formats from the last section's properties, else the settings, else Word's defaults."""
        formats = {"footnote": ("decimal", 1), "endnote": ("lowerRoman", 1)}
        for kind, (fmt, start) in list(formats.items()):
            for scope in (body.find(f"{_W}sectPr"), settings):
                props = scope.find(f"{_W}{kind}Pr") if scope is not None else None
                if props is None:
                    continue
                fmt_element, start_element = props.find(f"{_W}numFmt"), props.find(f"{_W}numStart")
                if fmt_element is not None:
                    fmt = fmt_element.get(f"{_W}val") or fmt
                if start_element is not None and (start_element.get(f"{_W}val") or "").isdigit():
                    start = int(start_element.get(f"{_W}val") or "1")
                formats[kind] = (fmt, start)
                break
        return cls(formats)

    def mark(self, element: ET.Element, following: str) -> str | None:
        """What a body note reference shows, registering the note's label; None if no mark."""
        kind = _REFERENCE_KINDS.get(element.tag)
        note_id = element.get(f"{_W}id")
        if kind is None or note_id is None:
            return None
        labels = self.labels[kind]
        if element.get(f"{_W}customMarkFollows") in ("1", "true", "on"):
            # The mark is the text that follows in the run, shown as that text; no number used.
            labels.setdefault(note_id, following.strip() or note_id)
            return ""
        if note_id not in labels:
            fmt, start = self.formats[kind]
            labels[note_id] = _format_number(start + self.counts[kind], fmt)
            self.counts[kind] += 1
        return labels[note_id]


def _format_number(number: int, fmt: str) -> str:
    """``number`` in one of Word's note number formats (decimal for any other)."""
    if fmt in ("lowerRoman", "upperRoman"):
        roman = _roman(number)
        return roman if fmt == "upperRoman" else roman.lower()
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (number - 1) % 26) * ((number - 1) // 26 + 1)
        return letter.upper() if fmt == "upperLetter" else letter
    return str(number)


def _roman(number: int) -> str:
    numerals = []
    for value, numeral in (
        (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
        (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
    ):  # fmt: skip
        count, number = divmod(number, value)
        numerals.append(numeral * count)
    return "".join(numerals)
