"""Reference extraction: a letter's links, in source order, with what its footnotes claim.

One module per letter format; ``footnotes`` holds the footnote and citation-claim rules they
share. A .docx letter is read by ``citecheck.parse.docx``, imported only when one is met.
"""

from __future__ import annotations

from citecheck.models import Letter, LetterFormat, Reference
from citecheck.parse import html, markdown, text

__all__ = ["extract"]


def extract(letter: Letter) -> list[Reference]:
    """The references of ``letter``, in source order."""
    if letter.format is LetterFormat.MARKDOWN:
        return markdown.extract(letter)
    if letter.format is LetterFormat.TEXT:
        return text.extract(letter)
    if letter.format is LetterFormat.HTML:
        return html.extract(letter)
    from citecheck.parse import docx  # python-docx is loaded only for Word letters

    return docx.extract(letter)
