"""Reference extraction: a letter's links, in source order, with what its footnotes claim.

One module per letter format; ``footnotes`` holds the footnote and citation-claim rules they
share. A .docx letter is read by ``citecheck.parse.docx``, imported only when one is met.
"""

from __future__ import annotations

import gc

from citecheck.models import Letter, LetterFormat, Reference
from citecheck.parse import html, markdown, text

__all__ = ["extract"]


def extract(letter: Letter) -> list[Reference]:
    """The references of ``letter``, in source order."""
    # Parsing allocates millions of small objects that form no cycles and live until the end:
    # the cyclic collector would re-scan them over and over (a third of the time on a 20 MB
    # letter) and free nothing, so it waits until the letter is parsed.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _extract(letter)
    finally:
        if enabled:
            gc.enable()


def _extract(letter: Letter) -> list[Reference]:
    if letter.format is LetterFormat.MARKDOWN:
        return markdown.extract(letter)
    if letter.format is LetterFormat.TEXT:
        return text.extract(letter)
    if letter.format is LetterFormat.HTML:
        return html.extract(letter)
    from citecheck.parse import docx  # python-docx is loaded only for Word letters

    return docx.extract(letter)
