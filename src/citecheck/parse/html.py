"""HTML letters (.html, .htm): every ``<a href>``, placed at the ``<`` of its tag.

The standard library's ``html.parser`` reads the letter as browsers tokenise it (comments,
scripts and styles are not links) and tells where each tag starts. ``href`` values are
entity-decoded and resolved against ``<base href>`` (fragment-only and empty ones stay as
written, so that a ``#`` placeholder is still one); anchor text is whitespace-collapsed.

Notes: an element whose id names a note (``fn1``, ``footnote-2``, ``_ftn3``, ``cite_note-4``),
the items of a notes container (``class="footnotes"``, ``role="doc-endnotes"``) or of the lists
after a "Notes"/"References"… heading, and paragraphs that open with superscript digits or a
``<sup>`` number.

A hostile letter may nest 100,000 elements: what the reader asks of its element stack (the
nearest open ``<ol>``, the note it is in) is kept as it changes, never found by walking the stack.
"""

from __future__ import annotations

import re
from bisect import insort
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

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

_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
_CLOSES_P = frozenset(
    "address article aside blockquote details div dl fieldset figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hr main nav ol p pre section table ul li".split()
)
_BLOCKS = _CLOSES_P - {"p"}  # what an open <p> cannot be inside of
_HIDDEN = frozenset({"script", "style", "template", "noscript", "title"})
_HEADINGS = {f"h{level}": level for level in range(1, 7)}
_NOTE_ID = re.compile(
    r"(?:fn|footnote|note|endnote|ftn|_ftn|edn|_edn|cite_note)[-_:.]?(?:[\w.:-]*[-_:.])?(\d+)\Z",
    re.IGNORECASE,
)
_NOTES_CONTAINER = re.compile(r"\b(?:footnotes|endnotes|footnote-list|notes)\b", re.IGNORECASE)
_NOTES_ROLE = frozenset({"doc-endnotes", "doc-footnotes"})
_ITEM_LABEL = re.compile(r"\s*(?:\[(\d{1,4})\]|(\d{1,4})[.)](?=\s))")
_DIGITS = re.compile(r"\s*\[?(\d{1,4})\]?\s*\Z")


@dataclass(slots=True)
class _Element:
    tag: str
    label: str | None = None
    container: bool = False  # its list items are notes
    items: int = 0  # list items so far (ol/ul), from ``start`` for an <ol>
    fresh: bool = True  # a <p> that has shown no text yet


@dataclass(slots=True)
class _Anchor:
    line: int
    column: int
    href: str
    note: str | None
    words: list[str] = field(default_factory=list)
    after: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    """Collects the anchors of one document with their notes.

    ``note`` labels the anchors outside any note of the document's own: the document is itself
    inside a note (an HTML block in a Markdown footnote).
    """

    def __init__(self, note: str | None = None) -> None:
        super().__init__(convert_charrefs=True)
        self.base: str | None = None
        self.anchors: list[_Anchor] = []
        self.stack: list[_Element] = []
        self.at: dict[str, list[int]] = {}  # per tag, where its open elements are in the stack
        self.labelled: list[int] = []  # where the open elements with a note label are
        self.blocks: list[int] = []  # per open element, where the innermost block around it is
        self.containers = 0  # open notes containers
        self.outer = note
        self.open: _Anchor | None = None  # the anchor whose text is being read
        self.trailing: _Anchor | None = None  # the note's anchor whose following text is read
        self.section: int | None = None  # the level of the notes heading we are under
        self.heading: tuple[int, list[str]] | None = None
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "base" and self.base is None and values.get("href", "").strip():
            self.base = values["href"].strip()
        if tag in _HIDDEN:
            self.hidden += 1
        if tag == "img" and self.open is not None:
            self.open.words.append(values.get("alt", ""))
        if tag in _VOID:
            return
        self._implied_ends(tag)
        if tag == "a":
            self._open_anchor(values)
        if tag in _HEADINGS:
            level = _HEADINGS[tag]
            if self.section is not None and level <= self.section:
                self.section = None
            self.heading = (level, [])
        element = _Element(tag, label=self._label(tag, values))
        element.container = self._is_container(tag, values)
        if tag == "ol":
            start = values.get("start", "1")
            element.items = int(start) - 1 if start.strip().lstrip("-").isdigit() else 0
        self._push(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN and self.hidden:
            self.hidden -= 1
        if tag in _HEADINGS and self.heading is not None:
            level, words = self.heading
            if is_notes_heading(" ".join(words)):
                self.section = level
            self.heading = None
        if tag == "a":
            self._close_anchor()
        if self.at.get(tag):
            while self._pop().tag != tag:
                pass

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        if self.heading is not None:
            self.heading[1].append(data)
        if self.open is not None:
            self.open.words.append(data)
        elif self.trailing is not None:
            self.trailing.after.append(data)
        if data.strip():
            self._first_text(data)

    # --- anchors --------------------------------------------------------------------------

    def _open_anchor(self, values: dict[str, str]) -> None:
        self._close_anchor()
        self.trailing = None
        if "href" not in values:
            return
        line, offset = self.getpos()
        anchor = _Anchor(line, offset + 1, values["href"].strip(), self._note())
        self.anchors.append(anchor)
        self.open = anchor

    def _close_anchor(self) -> None:
        if self.open is not None and self.open.note is not None:
            self.trailing = self.open
        self.open = None

    # --- notes ------------------------------------------------------------------------------

    def _note(self) -> str | None:
        return self.stack[self.labelled[-1]].label if self.labelled else self.outer

    def _label(self, tag: str, values: dict[str, str]) -> str | None:
        """The label of the note that an element opens, when it opens one."""
        at = self._nearest("ol", "ul")
        parent = self.stack[at] if at >= 0 else None
        if tag == "li" and parent is not None:
            value = values.get("value", "").strip()
            parent.items = int(value) if value.isdigit() else parent.items + 1
        for name in ("id", "name"):
            found = _NOTE_ID.match(values[name]) if name in values else None
            if found is not None and tag != "a":
                return found.group(1)
        if tag != "li" or parent is None or self._note() is not None:
            return None
        notes = self.section is not None or self.containers > 0
        return str(parent.items) if notes else None

    @staticmethod
    def _is_container(tag: str, values: dict[str, str]) -> bool:
        if values.get("role", "").strip() in _NOTES_ROLE:
            return True
        if tag not in ("section", "div", "aside", "ol", "ul", "footer"):
            return False
        return bool(_NOTES_CONTAINER.search(values.get("class", "") + " " + values.get("id", "")))

    def _first_text(self, data: str) -> None:
        """A paragraph's first text may make it a note: "¹ …", "<sup>1</sup> …", "[1] …"."""
        at = self._nearest("p", "div", "li")
        paragraph = self.stack[at] if at >= 0 else None
        if paragraph is None or paragraph.tag != "p" or not paragraph.fresh:
            return
        paragraph.fresh = False
        if self._note() is not None:
            return
        superscript = superscript_label(data.lstrip())
        label = superscript[0] if superscript else None
        if label is None and self._nearest("sup") > at:
            digits = _DIGITS.match(data)
            label = digits.group(1) if digits else None
        if label is None and self.section is not None:
            item = _ITEM_LABEL.match(data)
            label = (item.group(1) or item.group(2)) if item else None
        if label is not None:
            paragraph.label = label
            insort(self.labelled, at)

    # --- the element stack ------------------------------------------------------------------

    def _implied_ends(self, tag: str) -> None:
        """Close what a new ``tag`` closes in HTML: an open <p>, the previous <li> or <a>."""
        if tag in _CLOSES_P:
            self._close_from(self._nearest("p"), unless=self.blocks[-1] if self.blocks else -1)
        if tag == "li":
            self._close_from(self._nearest("li"), unless=self._nearest("ol", "ul"))

    def _close_from(self, index: int, unless: int) -> None:
        """Close the open element at ``index`` and those inside it, unless there is none or
        the element at ``unless`` is inside it."""
        if index < 0 or unless > index:
            return
        while len(self.stack) > index:
            self._pop()

    def _nearest(self, *tags: str) -> int:
        """Where the innermost open element of one of ``tags`` is in the stack, or -1."""
        found = -1
        for tag in tags:
            places = self.at.get(tag)
            if places and places[-1] > found:
                found = places[-1]
        return found

    def _push(self, element: _Element) -> None:
        index = len(self.stack)
        self.stack.append(element)
        self.at.setdefault(element.tag, []).append(index)
        outer = self.blocks[-1] if self.blocks else -1
        self.blocks.append(index if element.tag in _BLOCKS else outer)
        if element.label is not None:
            self.labelled.append(index)
        self.containers += element.container

    def _pop(self) -> _Element:
        element = self.stack.pop()
        self.at[element.tag].pop()
        self.blocks.pop()
        if self.labelled and self.labelled[-1] == len(self.stack):
            self.labelled.pop()
        self.containers -= element.container
        if element.label is not None:
            self.trailing = None  # a note's text ends with the note
            if self.open is not None:
                self._close_anchor()
        return element


def html_references(letter: Letter) -> list[Reference]:
    """The references of an HTML letter, in source order."""
    return finish(letter, drafts(normalise_newlines(letter.text)))


def drafts(text: str, note: str | None = None) -> list[Draft]:
    """The links of HTML ``text``, placed by 1-based line and column within it.

    ``note``: the label of the note that ``text`` sits in, if it does (an HTML block inside a
    Markdown footnote).
    """
    reader = _Reader(note)
    reader.feed(text)
    reader.close()
    found = []
    for anchor in reader.anchors:
        if is_note_anchor(anchor.href):
            continue
        url = anchor.href
        if reader.base is not None and url and not url.startswith("#"):
            url = urljoin(reader.base, url)
        words = collapse("".join(anchor.words))
        after = "".join(anchor.after)
        kind = LinkKind.INLINE
        found.append(Draft(anchor.line, anchor.column, kind, words, url, anchor.note, after))
    return found
