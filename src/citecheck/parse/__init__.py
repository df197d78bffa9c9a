"""Reference extraction: a letter's links, in source order, with what its footnotes claim.

One module per letter format; ``footnotes`` holds the footnote and citation-claim rules they
share. A .docx letter is read by ``citecheck.parse.docx``, imported only when one is met.
"""

from __future__ import annotations

from citecheck.models import Letter, LetterFormat, Reference
from citecheck.parse import html, markdown, text
from citecheck.parse.outcome import Parsed

__all__ = ["Parsed", "letter_references", "read"]


def letter_references(letter: Letter) -> list[Reference]:
    """The references of ``letter``, in source order."""
    return list(read(letter).references)


def read(letter: Letter) -> Parsed:
    """The references of ``letter``, in source order, with notices for its reader: where some
    could not be read, or that it has none at all."""
    parsed = _read(letter)
    if parsed.references:
        return parsed
    return Parsed((), (*parsed.notices, f"{letter.path}: no references found in this letter"))


def _read(letter: Letter) -> Parsed:
    if letter.format is LetterFormat.MARKDOWN:
        return markdown.markdown_references(letter)
    if letter.format is LetterFormat.TEXT:
        return Parsed(tuple(text.text_references(letter)))
    if letter.format is LetterFormat.HTML:
        return Parsed(tuple(html.html_references(letter)))
    from citecheck.parse import docx  # python-docx is loaded only for Word letters

    return Parsed(tuple(docx.docx_references(letter)))
