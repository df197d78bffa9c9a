"""``--format docx``: a copy of a Word letter with a comment on each problem link.

Each comment says the status, why, and what to put instead (the finding's suggestion: the new
address, the archived copy, or the page's real title and date in the letter's own date style).

A reference points at a paragraph (its ``line``; body paragraphs first, then the notes', as
``parse/docx.py`` numbers them). In the body, the comment covers the runs holding the link's text
(a hyperlink's anchor text or a typed URL), the occurrence nearest the reference's column; a run
that holds more than the link is split so that the comment covers the link alone. Word keeps
comments in the main document only, so a link in a footnote or endnote is commented on its note's
mark in the body (the comment names the note). A link that cannot be placed is commented on its
whole paragraph, or on the first run of the letter, never dropped.
"""

from __future__ import annotations

import copy
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import docx
from docx.oxml.ns import qn
from docx.text.run import Run

from citecheck.models import Finding, Status
from citecheck.report.records import archived_copy

AUTHOR, INITIALS = "citecheck", "cc"
# A comment is for a link the editor should look at; an ok or skipped link needs none.
_UNREMARKABLE = frozenset({Status.OK, Status.SKIPPED})

_P, _R, _T = qn("w:p"), qn("w:r"), qn("w:t")
_BLOCKS = {qn(f"w:{tag}") for tag in ("tbl", "tr", "tc", "sdt", "sdtContent", "customXml")}
# Not shown (deleted, moved away), or shown twice (a choice between markups): no anchor there.
_HIDDEN = {qn(f"w:{tag}") for tag in ("pPr", "rPr", "sdtPr", "del", "moveFrom")}
_HIDDEN.add("{http://schemas.openxmlformats.org/markup-compatibility/2006}AlternateContent")
_SHOWN = {qn("w:t"): None, qn("w:tab"): "\t", qn("w:br"): " ", qn("w:cr"): " "}
_SHOWN[qn("w:noBreakHyphen")] = "-"
_NOTE_REFERENCES = {"footnote": qn("w:footnoteReference"), "endnote": qn("w:endnoteReference")}
_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}


@dataclass(frozen=True, slots=True)
class _Piece:
    """A run of a paragraph and where its shown text sits in the paragraph's text."""

    run: Any  # the w:r element
    start: int
    end: int


def annotate_docx(data: bytes, findings: Sequence[Finding]) -> tuple[bytes, int]:
    """The letter ``data`` with a comment on each problem finding, and how many were added."""
    document = docx.Document(io.BytesIO(data))
    paragraphs = list(_paragraphs(document.element.body))
    added = 0
    for finding in findings:
        if finding.status in _UNREMARKABLE:
            continue
        first, last, where = _anchor(document, paragraphs, finding)
        text = _comment_text(finding, where)
        document.add_comment([Run(first, document), Run(last, document)], text, AUTHOR, INITIALS)
        added += 1
    out = io.BytesIO()
    document.save(out)
    return out.getvalue(), added


def _comment_text(finding: Finding, where: str | None) -> str:
    """Status and why, then what to put instead: one paragraph each."""
    lines = [f"{where}: " if where else ""]
    lines[0] += f"{finding.status.value} \u2014 {finding.message}"
    archive = archived_copy(finding)
    if finding.suggestion:
        lines.append(f"Put instead: {finding.suggestion}")
    if archive and archive != finding.suggestion and archive not in finding.message:
        lines.append(f"Archived copy: {archive}")
    return "\n".join(lines)


def _anchor(document: Any, paragraphs: list[Any], finding: Finding) -> tuple[Any, Any, str | None]:
    """The first and last w:r the comment covers, and the note it is about (None in the body)."""
    reference = finding.reference
    if reference.line <= len(paragraphs):
        paragraph = paragraphs[reference.line - 1]
        found = _link_runs(paragraph, reference.text or reference.url, reference.column - 1)
        if found is not None:
            return *found, None
        runs = _runs(paragraph)
        if runs:
            return runs[0], runs[-1], None
        return *_fallback(document, paragraphs), None
    label = reference.footnote or "?"
    kind, mark = _note_mark(document.element.body, label)
    where = f"In {kind} {label}, \u201c{reference.text or reference.url}\u201d"
    if mark is not None:
        return mark, mark, where
    return *_fallback(document, paragraphs), where


def _fallback(document: Any, paragraphs: list[Any]) -> tuple[Any, Any]:
    """The first run of the letter; an empty one at its end when the body has no run."""
    run = next((runs[0] for runs in map(_runs, paragraphs) if runs), None)
    if run is None:
        run = document.add_paragraph().add_run("").element
    return run, run


def _paragraphs(container: Any) -> Iterator[Any]:
    """The body's paragraphs in the order ``parse/docx.py`` numbers them (tables included)."""
    for child in container:
        if child.tag == _P:
            yield child
        elif child.tag in _BLOCKS:
            yield from _paragraphs(child)


def _runs(element: Any) -> list[Any]:
    """The shown runs of a paragraph, in order (inside hyperlinks, fields and insertions too)."""
    runs: list[Any] = []
    for child in element:
        if child.tag == _R:
            runs.append(child)
        elif child.tag not in _HIDDEN:
            runs += _runs(child)
    return runs


def _pieces(paragraph: Any) -> tuple[str, list[_Piece]]:
    """The paragraph's shown text and each run's span in it."""
    text, pieces = "", []
    for run in _runs(paragraph):
        shown = "".join(
            (child.text or "") if _SHOWN[child.tag] is None else str(_SHOWN[child.tag])
            for child in run
            if child.tag in _SHOWN
        )
        pieces.append(_Piece(run, len(text), len(text) + len(shown)))
        text += shown
    return text, pieces


def _link_runs(paragraph: Any, shown: str, column: int) -> tuple[Any, Any] | None:
    """The runs showing ``shown`` nearest ``column``, split at its ends where a run allows."""
    words = shown.split()
    if not words:
        return None
    text, pieces = _pieces(paragraph)
    pattern = re.compile(r"\s+".join(map(re.escape, words)))
    matches = list(pattern.finditer(text))
    if not matches:
        return None
    # The reference's column counts note marks the runs' text lacks: the nearest match is it.
    match = min(matches, key=lambda found: abs(found.start() - column))
    start, end = match.span()
    covered = [piece for piece in pieces if piece.start < end and start < piece.end]
    first, last = covered[0], covered[-1]
    last_run = _split(last.run, end - last.start)[0] if end < last.end else last.run
    first_run = first.run
    if start > first.start:
        first_run = _split(first.run, start - first.start)[1]
        last_run = first_run if first is last else last_run
    return first_run, last_run


def _split(run: Any, offset: int) -> tuple[Any, Any]:
    """Split a run of one text at ``offset`` into two runs of the same look; a run of any other
    shape is kept whole (both halves are the run)."""
    texts = [child for child in run if child.tag != qn("w:rPr")]
    if len(texts) != 1 or texts[0].tag != _T or not 0 < offset < len(texts[0].text or ""):
        return run, run
    value = texts[0].text or ""
    after = copy.deepcopy(run)
    texts[0].text = value[:offset]
    next(child for child in after if child.tag == _T).text = value[offset:]
    for element in (texts[0], next(child for child in after if child.tag == _T)):
        element.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    run.addnext(after)
    return run, after


def _note_mark(body: Any, label: str) -> tuple[str, Any | None]:
    """The note kind a label names and the body run holding its mark (Word's default numbering:
    footnotes 1, 2…, endnotes i, ii… in the order their marks first appear)."""
    kind = "footnote" if label.isdigit() else "endnote"
    number = int(label) if label.isdigit() else _from_roman(label)
    seen: list[str] = []
    for run in _runs_deep(body):
        for mark in run.iter(_NOTE_REFERENCES[kind]):
            note_id = mark.get(qn("w:id"))
            if note_id not in seen:
                seen.append(note_id)
                if len(seen) == number:
                    return kind, run
    return kind, None


def _runs_deep(body: Any) -> Iterator[Any]:
    for paragraph in _paragraphs(body):
        yield from _runs(paragraph)


def _from_roman(label: str) -> int:
    """A lower-case Roman numeral's value; 0 for anything else."""
    values = [_ROMAN.get(char, 0) for char in label.lower()]
    if not values or 0 in values:
        return 0
    return sum(-v if v < nxt else v for v, nxt in zip(values, [*values[1:], 0], strict=True))
