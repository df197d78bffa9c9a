"""Footnotes and what a letter claims in them, for every letter format.

A link sits in a footnote when it is inside a Markdown ``[^1]:`` definition, a paragraph or line
that starts with superscript digits (``¹ See …``), an HTML note (``<li id="fn1">``, a
``<section class="footnotes">``), or an item of a trailing section headed "Notes",
"References", "Sources"… The parsers find those places; this module holds the rules they share
and turns their findings (``Draft``) into ``Reference`` records with the claims made: in a
footnote, a link's text is the cited title and the first date after it (before the next link)
the cited date. A date given as the day the page was looked at ("accessed 3 March 2026") is no
cited date.

A bare URL has no text of its own: its citation is written around it, in one of two orders,

    ¹ See Title, https://…, 17 July 2025.
    ² Author, “Title,” 17 July 2025, https://….

so its title is the note's text before it (from the note's label, the previous link's
citation or a ";"), without a lead-in ("See", "Voir", "Siehe"…) or a lead-out ("available at"),
the quoted part when there is one; its date is the one that ends that text (", 17 July 2025"),
else one right after the URL in the same citation.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace

from citecheck.dates import DateMatch, find_cited_date, find_date, parse_date
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
_LEAD_IN = re.compile(
    r"\A[\s,:;.)\]]*(?:(?:see|voir|siehe|vgl|v[ée]ase|ver|vedi|zie|veja|cf|compare|e\.g)\.?"
    r"(?:\s+(?:also|aussi|[ée]galement|auch|tambi[ée]n|anche|ook|tamb[ée]m))?"
    r"|for\s+example|sources?|quellen?|fuentes?)(?=[\s:,])[\s:,]*",
    re.IGNORECASE,
)
_LEAD_OUT = re.compile(
    r"(?<![^\W\d_])(?:available|accessible|retrieved|online|read)(?:\s+(?:at|from|on|via|here))?\Z",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"[“\"«„‘]\s*([^“”\"«»„]*?[^\W\d_][^“”\"«»„]*?)[\s,.]*[”\"»“’]")
_SENTENCE_END = re.compile(r"[.!?][”\"’)\]]*\s")
_SEPARATORS = " \t\n,:;.()[]–—-"
_QUOTES = '“”"«»„‘’'
# Prose that happens to precede a URL is no title: a long run of words, or words leading into
# the URL ("as reported at", "see the statement by").
_MAX_TITLE_WORDS = 25
_MAX_CLAUSE = 600  # characters of a note read back from a URL: a title, a date, and more
_LEADS_INTO = re.compile(r"(?<![^\W\d_])(?:at|by|from|in|on|see|via|under|to)\Z", re.IGNORECASE)


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
    before: str = ""  # the note's text from its label, or from the link before (``follows``)
    follows: bool = False


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
            reference = _with_claims(reference, draft)
        references.append(reference)
    return references


def _with_claims(reference: Reference, draft: Draft) -> Reference:
    """A note's link claims its text as title and the date after it; a bare URL, what is
    written around it (see the module's docstring)."""
    if reference.kind in (LinkKind.INLINE, LinkKind.REFERENCE):
        title, date = reference.text or None, find_cited_date(draft.after)
    else:
        title, date = _written_before(draft.before, follows=draft.follows)
        date = date or _date_next_to(draft.after)
    return replace(
        reference,
        cited_title=title,
        cited_date=date.iso if date else None,
        cited_date_text=date.text if date else None,
    )


def _written_before(before: str, *, follows: bool) -> tuple[str | None, DateMatch | None]:
    """The title and date of the citation that ``before`` ends with (the text before a URL)."""
    before = before[-_MAX_CLAUSE:]
    if ";" in before:
        clause = before.rsplit(";", 1)[1]
    elif follows:  # what follows the previous link is its citation's end: ", 2020. Title, "
        clause = before.lstrip(_SEPARATORS)
        leading = find_date(clause)
        if leading is not None and leading.start == 0:
            clause = clause[leading.end :]
        clause = clause.lstrip(_SEPARATORS)
        if (end := _SENTENCE_END.search(clause)) is not None:
            clause = clause[end.end() :]
    else:
        clause = before
    clause = _without_lead_out(_LEAD_IN.sub("", clause))
    quoted = _QUOTED.search(clause)  # Author, “Title,” date: the title is what is quoted
    date = None
    # The citation's last item: its date (", 17 July 2025"), or an access date, dropped.
    while date is None and (cut := max(clause.rfind(","), clause.rfind("("))) >= 0:
        tail = clause[cut + 1 :].strip(_SEPARATORS + _QUOTES)
        date = parse_date(tail)
        if date is None and not _is_access_date(tail):
            break
        clause = _without_lead_out(clause[:cut])
    title = collapse(quoted.group(1) if quoted else clause).strip(_SEPARATORS)
    if (
        not any(char.isalpha() for char in title)
        or len(title.split()) > _MAX_TITLE_WORDS
        or (quoted is None and _LEADS_INTO.search(title))
    ):
        return None, date
    return title, date


def _without_lead_out(clause: str) -> str:
    """``clause`` without the separators and words leading into a URL ("Available at:")."""
    clause = clause.rstrip(_SEPARATORS)
    found = _LEAD_OUT.search(clause, max(0, len(clause) - 32))
    return clause[: found.start()].rstrip(_SEPARATORS) if found else clause


def _is_access_date(text: str) -> bool:
    """Whether ``text`` ends with a date and it is an access date ("accessed 3 March 2026")."""
    found = find_date(text)
    return found is not None and found.end == len(text) and find_cited_date(text) is None


def _date_next_to(after: str) -> DateMatch | None:
    """The date right after a bare URL, within its citation (not past a ";" or a sentence)."""
    date = find_cited_date(after)
    if date is None:
        return None
    gap = after[: date.start]
    return None if ";" in gap or _SENTENCE_END.search(gap) else date


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
