"""Footnotes and what a letter claims in them, for every letter format.

A link sits in a footnote when it is inside a Markdown ``[^1]:`` definition, a paragraph or line
that starts with superscript digits (``¹ See …``), an HTML note (``<li id="fn1">``, a
``<section class="footnotes">``), or an item of a trailing section headed "Notes",
"References", "Sources"… The parsers find those places; this module holds the rules they share
and turns their findings (``Draft``) into ``Reference`` records with the claims made: in a
footnote, a link's text is the cited title and the first date after it (before the next link)
the cited date.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace

from citecheck.dates import find_cited_date
from citecheck.models import Letter, LinkKind, Reference

# Headings of a notes section, compared without case, accents or trailing punctuation.
_NOTES_HEADINGS = frozenset(
    {
        # English
        "notes", "note", "references", "reference", "sources", "source", "endnotes",
        "footnotes", "notes and references", "references and notes", "bibliography", "citations",
        # French
        "notes de bas de page", "notes de fin", "references et notes", "bibliographie",
        # German
        "quellen", "quellenangaben", "anmerkungen", "fussnoten", "fußnoten", "endnoten",
        "literatur", "einzelnachweise", "belege", "nachweise",
        # Spanish, Italian, Portuguese
        "fuentes", "notas", "referencias", "notas al pie", "fonti", "riferimenti",
        "note a pie di pagina", "fontes", "referencias bibliograficas", "notas de rodape",
        # Dutch
        "bronnen", "noten", "voetnoten", "bronvermelding", "eindnoten", "referenties",
    }
)  # fmt: skip

_SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_LEADING_SUPERSCRIPT = re.compile(r"[ \t]*([⁰¹²³⁴⁵⁶⁷⁸⁹]+)(?![⁰¹²³⁴⁵⁶⁷⁸⁹])")
# Anchors that only jump to a note or back from it: Pandoc/markdown-it (#fn1, #fnref1),
# Word's HTML export (#_ftn1, #_edn1), MediaWiki (#cite_note-1), and the usual spellings.
_NOTE_ANCHOR = re.compile(
    r"#(?:fn|fnref|footnote|footnote-ref|footnoteref|note|noteref|endnote|endnoteref|"
    r"_ftn|_ftnref|_edn|_ednref|cite_note|cite_ref|ref)[-_:.]?(?:[\w.:-]*[-_:.])?\d+\Z",
    re.IGNORECASE,
)
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Draft:
    """A link as a parser found it; ``after`` is the text between it and the note's next link."""

    line: int
    column: int
    kind: LinkKind
    text: str
    url: str
    note: str | None = None
    after: str = ""


def finish(letter: Letter, drafts: Iterable[Draft]) -> list[Reference]:
    """The letter's references in source order, with the claims their footnotes make."""
    references = []
    for draft in sorted(drafts, key=lambda found: (found.line, found.column)):
        reference = Reference(
            letter.path,
            draft.line,
            draft.column,
            draft.kind,
            draft.note,
            draft.text,
            draft.url,
        )
        if draft.note is not None:
            reference = _with_claims(reference, draft.after)
        references.append(reference)
    return references


def _with_claims(reference: Reference, after: str) -> Reference:
    """A note's link claims its text as title (a bare URL claims none) and the date after it."""
    titled = reference.kind in (LinkKind.INLINE, LinkKind.REFERENCE)
    date = find_cited_date(after)
    return replace(
        reference,
        cited_title=(reference.text or None) if titled else None,
        cited_date=date.iso if date else None,
        cited_date_text=date.text if date else None,
    )


def superscript_label(text: str) -> tuple[str, int] | None:
    """The label of a note that starts ``text`` with superscript digits, and where it ends."""
    match = _LEADING_SUPERSCRIPT.match(text)
    if match is None:
        return None
    return match.group(1).translate(_SUPERSCRIPT_DIGITS), match.end()


def is_notes_heading(text: str) -> bool:
    """Whether ``text`` is the heading of a notes section ("Notes", "Références", "Quellen"…)."""
    if len(text) > 80:  # cheap first: headings are short, and most text is not one
        return False
    words = _SPACES.sub(" ", text.strip(" \t\n#*_=:.-").casefold())
    plain = "".join(c for c in unicodedata.normalize("NFD", words) if not unicodedata.combining(c))
    return words in _NOTES_HEADINGS or plain in _NOTES_HEADINGS


def is_note_anchor(url: str) -> bool:
    """Whether ``url`` only jumps to a footnote or back (``#fn1``, ``#fnref1``): not a reference."""
    return url.startswith("#") and _NOTE_ANCHOR.match(url) is not None


def collapse(text: str) -> str:
    """Anchor text as a reader sees it: runs of whitespace as one space, none at the ends."""
    return _SPACES.sub(" ", text).strip()
