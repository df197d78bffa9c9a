"""Plain-text letters (.txt): the links as written, and the footnotes they sit in.

A plain letter is not rendered: an exact scanner finds Markdown-style ``[text](url)`` links,
``<scheme:…>`` autolinks, bare ``http(s)://``, ``mailto:`` and ``tel:`` URLs, and web addresses
written without their scheme (``www.hrw.org/…``, see ``urls.SCHEMELESS``). Notes are
lines: one that starts with superscript digits (``¹ See …``) or ``[^1]:``, with the lines that
continue it, and the numbered or bulleted items after a "Notes"/"References"… heading line.
A note ends at a blank line, at the next note or item, and at a line that starts something
else: a contact address (``mailto:``, "Email:"), a closing ("Yours sincerely,"), a signature.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from citecheck.models import Letter, LinkKind, Reference
from citecheck.parse.footnotes import (
    Draft,
    collapse,
    finish,
    is_note_anchor,
    is_notes_heading,
    superscript_label,
)
from citecheck.text import normalise_newlines
from citecheck.urls import SCHEMELESS

# The start of a bare URL: an explicit scheme, not glued to a word before it.
BARE_START = re.compile(r"(?<![A-Za-z0-9+.-])(?:https?://|mailto:|tel:)", re.IGNORECASE)
# What a bare URL may span; typographic quotes and angle brackets end it.
_URL_RUN = re.compile(r"[^\s\x00-\x1f\x7f<>\"“”‘’«»]+")
_TRAILING = ".,;:!?'*_~"
_CLOSERS = {")": "(", "]": "[", "}": "{"}
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.\-]{1,31}:[^<>\x00-\x20]*)>")
_NEXT = re.compile(r"\[|<|" + BARE_START.pattern, re.IGNORECASE)
_HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.")
_TITLE_CLOSERS = {'"': '"', "'": "'", "(": ")"}

_ITEM = re.compile(r"[ \t]*(?:(\d{1,4})[.)]|\[(\d{1,4})\]|([-*+•–]))[ \t]+\S")
_FOOTNOTE_DEF = re.compile(r"[ \t]{0,3}\[\^([^\]\s]+)\]:")
# A line that starts something other than more of the note above it: a contact address, a
# closing or a signature block. (A blank line or a new note ends a note too.)
_NEW_ITEM = re.compile(
    r"[ \t]*(?:"
    r"(?:mailto|tel):|(?:e-?mail|tel|telephone|phone|fax|contact)\s*:"
    r"|(?:press|media)\s+(?:contact|enquiries|inquiries|office)s?\s*:|signed\s*[:,]|cc\s*:"
    r"|p\.\s?s\.|veuillez\s+agr[ée]er|--[ \t]*$"
    # closings, alone on their line
    r"|(?:yours\s+(?:sincerely|faithfully|truly)|sincerely(?:\s+yours)?|regards"
    r"|(?:kind|best|warm)(?:est)?\s+regards|respectfully(?:\s+yours)?|cordialement"
    r"|mit\s+freundlichen\s+gr(?:ü|ue)(?:ß|ss)en|atentamente|saludos\s+cordiales"
    r"|met\s+vriendelijke\s+groet(?:en)?|(?:distinti|cordiali)\s+saluti|atenciosamente)"
    r"[ \t]*[,.!]?[ \t]*$)",
    re.IGNORECASE,
)


def bare_url_end(text: str, start: int, end: int | None = None) -> int:
    """Where a bare URL (or scheme-less address) starting at ``start`` ends (``start`` if there
    is none).

    Trailing punctuation and unbalanced closing brackets are left out; balanced parentheses,
    as in ``https://en.wikipedia.org/wiki/Foo_(bar)``, are kept.
    """
    scheme = BARE_START.match(text, start)
    match = _URL_RUN.match(text, start, len(text) if end is None else end)
    if match is None or (scheme is None and SCHEMELESS.match(text, start) is None):
        return start
    url = match.group()
    while url:
        last = url[-1]
        if last in _TRAILING:
            url = url[:-1]
        elif last in _CLOSERS and url.count(last) > url.count(_CLOSERS[last]):
            url = url[:-1]
        else:
            break
    if scheme is None:  # the host is there: SCHEMELESS ends with a letter, never trimmed
        return start + len(url)
    rest = url[scheme.end() - start :].lstrip("/")
    return start + len(url) if rest else start


def find_schemeless(text: str, start: int, end: int) -> re.Match[str] | None:
    """The first scheme-less address (``urls.SCHEMELESS``) that starts in ``text[start:end]``.

    It is found from its dots: trying the pattern at every word would make every letter pay.
    """
    tried = start  # host characters before here have been tried as the start of an address
    dot = text.find(".", start, end)
    while dot >= 0:
        host = dot
        while host > tried and text[host - 1] in _HOST_CHARS:
            host -= 1
        if host > tried or host == start:  # a new run of host characters, not one tried
            found = SCHEMELESS.match(text, host)
            if found is not None:
                return found
        tried = dot + 1
        dot = text.find(".", tried, end)
    return None


class LineIndex:
    """Offsets in a text as 1-based (line, column)."""

    def __init__(self, text: str) -> None:
        self.starts = [0]
        self.starts.extend(match.end() for match in re.finditer("\n", text))

    def position(self, offset: int) -> tuple[int, int]:
        """The 1-based line and column of ``offset``."""
        line = bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1


@dataclass(frozen=True, slots=True)
class Link:
    """A link found in a text: where it is (offsets), its syntax, its text and URL."""

    start: int
    end: int
    kind: LinkKind
    text: str
    url: str


@dataclass(frozen=True, slots=True)
class _Note:
    start: int
    end: int
    label: str
    body: int  # where its text starts, after the label


def text_references(letter: Letter) -> list[Reference]:
    """The references of a plain-text letter, in source order."""
    text = normalise_newlines(letter.text)
    index = LineIndex(text)
    links = [link for link in scan(text) if not is_note_anchor(link.url)]
    notes = _notes(text)
    note_starts = [note.start for note in notes]
    drafts = []
    for number, link in enumerate(links):
        line, column = index.position(link.start)
        at = bisect_right(note_starts, link.start) - 1
        note = notes[at] if at >= 0 and link.start < notes[at].end else None
        if note is None:
            drafts.append(Draft(line, column, link.kind, link.text, link.url))
            continue
        stop = note.end
        if number + 1 < len(links):
            stop = min(stop, max(link.end, links[number + 1].start))
        after = text[link.end : stop]
        previous = links[number - 1] if number else None
        follows = previous is not None and previous.end > note.body
        begin = previous.end if previous is not None and follows else note.body
        before = text[begin : link.start]
        drafts.append(
            Draft(line, column, link.kind, link.text, link.url, note.label, after, before, follows)
        )
    return finish(letter, drafts)


def scan(text: str) -> list[Link]:
    """Every link in ``text``, left to right, none inside another."""
    links = []
    position = 0
    match = _NEXT.search(text)
    while True:
        if match is not None and match.start() < position:  # not before: addresses come first
            match = _NEXT.search(text, position)
        address = find_schemeless(text, position, match.start() if match else len(text))
        if address is not None:
            end = bare_url_end(text, address.start())
            url = text[address.start() : end]
            links.append(Link(address.start(), end, LinkKind.BARE, url, url))
            position = end
            continue
        if match is None:
            break
        start = match.start()
        link = _link_at(text, start)
        if link is None:
            position = start + 1
            continue
        links.append(link)
        position = link.end
    return links


def _link_at(text: str, start: int) -> Link | None:
    char = text[start]
    if char == "[":
        return _inline(text, start)
    if char == "<":
        autolink = _AUTOLINK.match(text, start)
        if autolink is None:
            return None
        url = autolink.group(1)
        return Link(start, autolink.end(), LinkKind.AUTOLINK, url, url)
    end = bare_url_end(text, start)
    if end == start:
        return None
    url = text[start:end]
    return Link(start, end, LinkKind.BARE, url, url)


def _inline(text: str, start: int) -> Link | None:
    """A ``[text](url "title")`` link at ``start``, brackets nested and escapes honoured."""
    label_end = _closing(text, start, "[", "]")
    if label_end is None or not text.startswith("(", label_end + 1):
        return None
    position = _skip_spaces(text, label_end + 2)
    if text.startswith("<", position):
        close = text.find(">", position + 1)
        if close < 0 or "\n" in text[position:close]:
            return None
        url, position = text[position + 1 : close], close + 1
    else:
        url_start = position
        depth = 0
        while position < len(text) and not text[position].isspace():
            char = text[position]
            if char == "\\":
                position += 1
            elif char == "(":
                depth += 1
            elif char == ")":
                if depth == 0:
                    break
                depth -= 1
            position += 1
        url = text[url_start:position]
    after_url = _skip_spaces(text, position)
    if after_url > position and after_url < len(text) and text[after_url] in _TITLE_CLOSERS:
        title_end = text.find(_TITLE_CLOSERS[text[after_url]], after_url + 1)
        if title_end < 0:
            return None
        after_url = _skip_spaces(text, title_end + 1)
    if not text.startswith(")", after_url):
        return None
    label = collapse(text[start + 1 : label_end])
    return Link(start, after_url + 1, LinkKind.INLINE, label, url)


def _closing(text: str, start: int, opener: str, closer: str) -> int | None:
    """The index of the bracket closing the one at ``start`` (within one paragraph)."""
    depth = 0
    position = start
    while position < len(text):
        char = text[position]
        if char == "\\":
            position += 2
            continue
        if char == opener:
            depth += 1
        elif char == closer:
            depth -= 1
            if depth == 0:
                return position
        elif char == "\n" and text.startswith("\n", position + 1):
            return None  # a blank line ends the paragraph the link would be in
        position += 1
    return None


def _skip_spaces(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\n":
        position += 1
    return position


def _notes(text: str) -> list[_Note]:
    """The footnotes of a plain letter as spans of its text, in order."""
    notes: list[_Note] = []
    open_label: str | None = None
    open_start = open_body = 0
    in_section = False
    items = 0  # items so far in the notes section: a bullet's label is its index
    offset = 0
    for line in text.split("\n"):
        line_end = offset + len(line)
        label, body = _note_label(line, in_section, items + 1) or (None, 0)
        blank = not line.strip()
        if open_label is not None and (
            blank or label is not None or _ITEM.match(line) or _NEW_ITEM.match(line)
        ):
            notes.append(_Note(open_start, offset, open_label, open_body))
            open_label = None
        if label is not None:
            open_label, open_start, open_body = label, offset, offset + body
            items += 1 if in_section and _ITEM.match(line) else 0
        elif not blank and is_notes_heading(line) and len(line.strip()) <= 60:
            in_section, items = True, 0
        offset = line_end + 1
    if open_label is not None:
        notes.append(_Note(open_start, len(text), open_label, open_body))
    return notes


def _note_label(line: str, in_section: bool, index: int) -> tuple[str, int] | None:
    """The label of the note that ``line`` starts, if it starts one, and where its text starts."""
    superscript = superscript_label(line)
    if superscript is not None:
        return superscript
    definition = _FOOTNOTE_DEF.match(line)
    if definition is not None:
        return definition.group(1), definition.end()
    if in_section and (item := _ITEM.match(line)):
        return item.group(1) or item.group(2) or str(index), item.end() - 1
    return None
