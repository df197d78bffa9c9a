"""Markdown letters (.md): every link markdown-it-py finds, placed at its first character.

markdown-it-py tells which text is a link (and which is code, an image or a footnote); its
inline rules for links, autolinks and raw HTML are wrapped to record where each link starts and
ends in the inline source, and a rule of ours finds bare ``http(s)://``, ``mailto:`` and
``tel:`` URLs. Block tokens give the lines; the columns come from finding each line's inline
text in the source line it came from. URLs are kept as written: markdown-it's normalising and
its refusal of some schemes are turned off, so that ``#`` stays ``#`` and ``javascript:`` is
reported rather than dropped.

HTML blocks (a letter pasted from Word or Google Docs) are read by the HTML letters' reader.
markdown-it stops reading at its nesting limit (and, inside a list, skips the rest of the
letter): past a depth just short of it, a rule of ours reads each line's links on their own,
and the letter's reader is told where that began.

markdown-it is driven through its documented API only: a subclass overriding
``normalizeLink``/``validateLink``, rules added with ``Ruler.before``/``after`` (its own link
rules and its core inline step switched off with ``Ruler.disable``, stand-ins that call them
added in their places), ``md.inline.parse`` and ``rules_core.text_join`` on our own tokens. One
liberty is taken, and kept on purpose: the block rule ``_flush`` hands finished blocks to the
collector while the block parser runs and takes them out of ``state.tokens`` (at the top level it
deletes them; inside a list or quote it puts one placeholder token in each place). Parsing the
whole letter and walking its tokens afterwards would hold every token at once, hundreds of MB
for a 20 MB letter, and markdown-it has no streaming hook. It is safe because the instance
(``_MD``) is built here and private to this module, never handed to other code or rendered; at
the top level no rule holds an index into the token list (no list or quote is open); inside one,
the only look-back is the list rule marking tight paragraphs when it closes (its task-list pass
is off in this configuration, and the footnote plugin's tail, which reorders tokens, is
disabled), which walks by index and only marks ``paragraph_open``/``paragraph_close`` tokens, so
the placeholders (of another type) keep the indices right and are left alone.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore, text_join
from markdown_it.rules_inline import StateInline, autolink, html_inline, link
from markdown_it.token import Token
from markdown_it.utils import EnvType
from mdit_py_plugins.footnote import footnote_plugin

from citecheck.models import Letter, LinkKind
from citecheck.parse.footnotes import (
    Draft,
    collapse,
    finish,
    is_note_anchor,
    is_notes_heading,
    superscript_label,
)
from citecheck.parse.html import drafts as html_drafts
from citecheck.parse.outcome import Parsed
from citecheck.parse.text import bare_url_end, find_schemeless

_Rule = Callable[[StateInline, bool], bool]

_SCHEME_BEFORE = re.compile(r"(?:^|[^A-Za-z0-9+.-])(https?|mailto|tel)\Z", re.IGNORECASE)
_HTML_A_OPEN = re.compile(
    r"<a\s(?:[^>]*?\s)?href\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'=<>`]+))", re.IGNORECASE
)
_HTML_A_CLOSE = re.compile(r"</a\s*>", re.IGNORECASE)
_NOTE_MARK = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹]|<sup", re.IGNORECASE)
_SUP_LABEL = re.compile(
    r"[ \t]*<sup(?:\s[^>]*)?>[ \t]*\[?(\d{1,4})\]?[ \t]*</sup\s*>", re.IGNORECASE
)
_ANCHOR_TAG = re.compile(r"<a\s", re.IGNORECASE)
# What opens a line inside quotes and lists: ">" and list markers, read past on a deep line.
_CONTAINER_MARKS = re.compile(r"(?:[ \t>]|[-+*](?=[ \t]|\Z)|\d{1,9}[.)](?=[ \t]|\Z))*")
_BRACKET_LABEL = re.compile(r"[ \t]*\[(\d{1,4})\]")
_NEWLINES = re.compile(r"\r\n?|\n")
_COLLECTOR = "citecheck.collector"  # the env key of the collector of a letter's links
_DEEP = "citecheck.deep"  # the env key of the first line read past the nesting depth
_BATCH = 2048  # tokens handed on at a time
_SPENT = Token("citecheck_spent", "", 0)  # stands for a token handed on while its list is open
# Emphasis markers: runs of * or ~, and runs of _ that are not inside a word (snake_case).
_EMPHASIS = re.compile(r"[*~]+|(?<![^\W_])_+|_+(?![^\W_])")


class _Renderer(MarkdownIt):
    """markdown-it with URLs left exactly as written and no scheme refused."""

    def normalizeLink(self, url: str) -> str:  # noqa: N802 (markdown-it's name)
        return url

    def normalizeLinkText(self, link: str) -> str:  # noqa: N802
        return link

    def validateLink(self, url: str) -> bool:  # noqa: N802
        return True


def _stamped(rule: _Rule, kind: str) -> _Rule:
    """``rule``, recording on the token it opens where in the inline source it starts and ends.

    ``kind`` "link" is told apart: an inline link ends with its ")", a reference link with "]".
    """

    def stamped(state: StateInline, silent: bool) -> bool:
        start, count = state.pos, len(state.tokens)
        if not rule(state, silent):
            return False
        if not silent:
            found = kind
            if kind == "link":
                found = "inline" if state.src[state.pos - 1] == ")" else "reference"
            # Pending text is flushed into a token of its own before the link's first token.
            for token in state.tokens[count:]:
                if token.type in ("link_open", "html_inline"):
                    token.meta.update(start=start, end=state.pos, kind=found)
                    break
        return True

    return stamped


def _bare_url(state: StateInline, silent: bool) -> bool:
    """A bare ``http(s)://``, ``mailto:`` or ``tel:`` URL, met at the colon after its scheme."""
    position = state.pos
    if state.linkLevel > 0 or state.src[position] != ":":
        return False
    scheme = _SCHEME_BEFORE.search(state.pending)
    if scheme is None:
        return False
    start = position - len(scheme.group(1))
    # The scheme must be written as such, not produced by an entity or an escape.
    if start < 0 or state.src[start:position].lower() != scheme.group(1).lower():
        return False
    end = bare_url_end(state.src, start, state.posMax)
    if end == start:
        return False
    if not silent:
        state.pending = state.pending[: -len(scheme.group(1))]
        _push_bare_link(state, start, end)
    state.pos = end
    return True


def _push_bare_link(state: StateInline, start: int, end: int) -> None:
    """The tokens of a link written as its address alone, ``state.src[start:end]``."""
    url = state.src[start:end]
    token = state.push("link_open", "a", 1)
    token.attrs = {"href": url}
    token.meta.update(start=start, end=end, kind="bare")
    state.push("text", "", 0).content = url
    state.push("link_close", "a", -1)


_ADDRESSES = "citecheck.addresses"  # the env key of the scheme-less addresses of an inline


def _schemeless_url(state: StateInline, silent: bool) -> bool:
    """A web address written without its scheme (``www.hrw.org/…``) in the run of plain text
    that starts here: markdown-it's text rule takes such a run whole, so this one goes first."""
    if silent or state.linkLevel > 0:  # silent: skipping over a link's label, where it is text
        return False
    src, position = state.src, state.pos
    starts = _address_starts(state)
    at = bisect_left(starts, position)
    if at == len(starts):
        return False
    start = starts[at]
    if start >= state.posMax or state.md.inline.terminator_re.search(src, position, start):
        return False  # markup comes first (the address may be code, or a link's destination)
    end = bare_url_end(src, start, state.posMax)
    state.pending += src[position:start]
    _push_bare_link(state, start, end)
    state.pos = end
    return True


def _address_starts(state: StateInline) -> list[int]:
    """Where scheme-less addresses may start in the inline source, found once for all of it:
    searching each run of text to its end again would be quadratic in a long one."""
    cached = state.env.get(_ADDRESSES)
    if cached is not None and cached[0] is state.src:
        known: list[int] = cached[1]
        return known
    starts = []
    position = 0
    while (found := find_schemeless(state.src, position, len(state.src))) is not None:
        starts.append(found.start())
        position = found.end()
    state.env[_ADDRESSES] = (state.src, starts)
    return starts


def _flush(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """A block rule that matches nothing: it hands finished blocks on to the collector."""
    collector = state.env[_COLLECTOR]
    if len(state.tokens) - collector.done >= _BATCH:
        first = collector.done
        collector.take(state.tokens, state.env)
        if state.level == 0:  # outside any list or quote, no rule will look back at them
            del state.tokens[:]
            collector.done = 0
        else:
            # An open list still walks its tokens when it ends (to mark tight paragraphs, which
            # only rendering needs): a placeholder keeps their places.
            state.tokens[first:] = [_SPENT] * (len(state.tokens) - first)
    return False


def _deep_line(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """Two levels short of markdown-it's nesting limit, one line read as inline text.

    markdown-it skips what lies past its limit (in a list, up to the end of the letter), and
    raising the limit only moves the cliff (and nears Python's recursion limit): a line this
    deep keeps its links, and the quotes and lists around it still end where they should.
    """
    if state.level < state.md.options["maxNesting"] - 2:
        return False
    line = state.src[state.bMarks[start] + state.tShift[start] : state.eMarks[start]]
    state.env.setdefault(_DEEP, start)
    token = state.push("inline", "", 0)
    token.content = _CONTAINER_MARKS.sub("", line, count=1)
    token.map = [start, start + 1]
    token.children = []
    state.line = start + 1
    return True


def _inline_core(state: StateCore) -> None:
    """markdown-it's inline step: the blocks not handed on yet, their inline content parsed
    one block at a time (and dropped once its links are taken)."""
    state.env[_COLLECTOR].take(state.tokens, state.env)


def _renderer() -> MarkdownIt:
    md = _Renderer("commonmark", {"html": True}).enable("table")
    # Emphasis never changes where links are, only how their text looks, and costs a third of
    # the time: its markers are taken out of anchor text instead (``_unemphasised``).
    md.disable(["emphasis", "balance_pairs", "fragments_join"])
    footnote_plugin(md, inline=False)
    # The plugin's last step moves notes to the end and drops those no marker points to: a note
    # whose marker was lost or typed as "¹" would lose its links. Notes are read where they are.
    md.disable("footnote_tail")
    # markdown-it's own link rules are switched off and stand-ins that call them added in their
    # places, so the chain keeps its order (Ruler.before and Ruler.disable, its documented API).
    for name, rule, kind in (
        ("link", link, "link"),
        ("autolink", autolink, "autolink"),
        ("html_inline", html_inline, "html"),
    ):
        md.inline.ruler.before(name, f"citecheck_{name}", _stamped(rule, kind))
    md.inline.ruler.disable(["link", "autolink", "html_inline"])
    md.inline.ruler.before("linkify", "bare_url", _bare_url)
    md.inline.ruler.before("text", "schemeless_url", _schemeless_url)
    md.block.ruler.before("table", "citecheck_flush", _flush)
    md.block.ruler.before("table", "citecheck_deep", _deep_line)
    md.core.ruler.after("inline", "citecheck_inline", _inline_core)
    md.core.ruler.disable("inline")
    return md


_MD = _renderer()


@dataclass(frozen=True, slots=True)
class _Found:
    """A link inside one inline token: offsets in its content, and what it says."""

    start: int
    end: int
    kind: LinkKind
    text: str
    url: str


def markdown_references(letter: Letter) -> Parsed:
    """The references of a Markdown letter, in source order, and where nesting hid structure."""
    source = letter.text.replace("\0", "\ufffd")
    lines = _NEWLINES.split(source)
    # Blocks are finished as they are parsed and their tokens dropped (``_flush``), instead of
    # holding the whole letter's tokens at once (hundreds of MB for a 20 MB letter). A link or
    # footnote definition ("]:") may come after the links that use it: a first pass, that reads
    # no inline content, gathers them all into ``env`` first.
    env: dict[str, object] = {}
    if "]:" in source:
        env[_COLLECTOR] = _Collector(lines, links=False)
        _MD.parse(source, env)
    collector = _Collector(lines, links=True)
    env[_COLLECTOR] = collector
    _MD.parse(source, env)
    notices: tuple[str, ...] = ()
    deep = env.get(_DEEP)
    if isinstance(deep, int):
        notices = (
            f"{letter.path}: line {deep + 1}: quotes or lists nest too deep to be read as "
            "Markdown from here; their links are read line by line (a link broken over two "
            "lines there is missed)",
        )
    return Parsed(tuple(finish(letter, collector.drafts)), notices)


class _Collector:
    """Turns finished block tokens into drafts, in document order, as they come."""

    def __init__(self, lines: list[str], *, links: bool) -> None:
        self.lines = lines
        self.links = links  # False: a first pass, only gathering the letter's definitions
        self.drafts: list[Draft] = []
        self.cursors: dict[int, int] = {}
        self.walker = _Walker()
        self.done = 0  # tokens before this index are handled

    def take(self, tokens: list[Token], env: EnvType) -> None:
        """Handle ``tokens[self.done:]``, parsing their inline content with the letter's
        ``env`` (its link and footnote definitions)."""
        batch = tokens[self.done :]
        self.done = len(tokens)
        if not self.links:
            return
        inlines = [token for token in batch if token.type == "inline"]
        for token in inlines:
            token.children = token.children or []
            _MD.inline.parse(token.content, _MD, env, token.children)
        text_join(StateCore("", _MD, {}, inlines))
        for token, label, children in self.walker.feed(batch):
            if token.type == "html_block":
                self.drafts.extend(_html_block(token, label, self.lines, self.cursors))
            else:
                found = [link for link in _links(children) if not is_note_anchor(link.url)]
                if found:
                    self.drafts.extend(_drafts(token, found, label, self.lines, self.cursors))
            token.children, token.content = [], ""  # handled: what it held is not needed again


class _Walker:
    """Follows footnotes, lists and a notes section through a letter's block tokens."""

    def __init__(self) -> None:
        self.footnote: str | None = None
        self.section_level: int | None = None
        self.heading_level: int | None = None
        self.lists: list[list[int]] = []  # per open list in a notes section: [ordered, items]
        self.items: list[str | None] = []  # the note label of each open list item
        self.before: Token | None = None

    def feed(self, tokens: Sequence[Token]) -> Iterator[tuple[Token, str | None, list[Token]]]:
        """Each inline token and HTML block with a source position, its note's label, and its
        children (none for an HTML block)."""
        lists, items = self.lists, self.items
        for token in tokens:
            kind = token.type
            before, self.before = self.before, token
            if kind == "inline" and token.map is not None:
                if self.heading_level is not None and self.section_level is not None:
                    if self.heading_level <= self.section_level:
                        self.section_level = None
                children = token.children or []
                if _is_notes_heading(token, children, before, self.heading_level):
                    self.section_level = self.heading_level or 7
                    continue
                label = self.footnote or (items[-1] if items else None)
                if label is None and self.section_level is not None:
                    bracketed = _BRACKET_LABEL.match(token.content)
                    label = bracketed.group(1) if bracketed else None
                yield token, label, children
            elif kind == "html_block" and token.map is not None:
                yield token, self.footnote or (items[-1] if items else None), []
            elif kind == "footnote_reference_open":
                self.footnote = str(token.meta["label"])
            elif kind == "footnote_reference_close":
                self.footnote = None
            elif kind == "heading_open":
                self.heading_level = int(token.tag[1:])
            elif kind == "heading_close":
                self.heading_level = None
            elif kind in ("bullet_list_open", "ordered_list_open"):
                lists.append([kind == "ordered_list_open", 0])
            elif kind in ("bullet_list_close", "ordered_list_close"):
                lists.pop()
            elif kind == "list_item_open":
                lists[-1][1] += 1
                outer = items[-1] if items else None
                if outer is None and self.section_level is not None and self.footnote is None:
                    outer = token.info if lists[-1][0] and token.info else str(lists[-1][1])
                items.append(outer)
            elif kind == "list_item_close":
                items.pop()


def _is_notes_heading(
    inline: Token, children: list[Token], before: Token | None, heading_level: int | None
) -> bool:
    """A heading "Notes", "References"… or a paragraph that is only such a word."""
    if heading_level is None and (before is None or before.type != "paragraph_open"):
        return False
    if not is_notes_heading(inline.content):
        return False
    return heading_level is not None or not _links(children)


def _links(children: Sequence[Token]) -> list[_Found]:
    """The links among an inline token's children, with their anchor text."""
    found: list[_Found] = []
    open_link: Token | None = None
    words: list[str] = []
    for token in children:
        if open_link is None:
            if token.type == "link_open" and "start" in token.meta:
                open_link, words = token, []
            elif token.type == "html_inline" and "start" in token.meta:
                if _HTML_A_OPEN.match(token.content):
                    open_link, words = token, []
            continue
        closing = token.type == "link_close" and open_link.type == "link_open"
        closing = closing or (
            open_link.type == "html_inline"
            and token.type == "html_inline"
            and _HTML_A_CLOSE.match(token.content) is not None
        )
        if closing:
            found.append(_found(open_link, token, "".join(words)))
            open_link = None
        else:
            words.append(_plain(token))
    return found


def _found(opening: Token, closing: Token, words: str) -> _Found:
    """The link that ``opening`` starts; ``words`` is its content as text."""
    start, end, kind = opening.meta["start"], opening.meta["end"], opening.meta["kind"]
    if kind in ("autolink", "bare"):  # the text is the URL as written
        return _Found(start, end, LinkKind(kind), words, str(opening.attrs.get("href", "")))
    text = collapse(_unemphasised(words))
    if kind == "html":
        anchor = _HTML_A_OPEN.match(opening.content)
        assert anchor is not None  # checked when the anchor was opened
        url = html.unescape(next(value for value in anchor.groups() if value is not None))
        end = closing.meta.get("end", end)
        return _Found(start, end, LinkKind.INLINE, text, url.strip())
    return _Found(start, end, LinkKind(kind), text, str(opening.attrs.get("href", "")))


def _unemphasised(text: str) -> str:
    """Anchor text without the emphasis markers that markdown would have rendered away."""
    return _EMPHASIS.sub("", text) if ("*" in text or "_" in text or "~" in text) else text


def _plain(token: Token) -> str:
    """The text a reader sees for one token inside a link."""
    if token.type in ("text", "code_inline"):
        return token.content
    if token.type in ("softbreak", "hardbreak"):
        return " "
    if token.type == "image":
        return "".join(_plain(child) for child in token.children or [])
    return ""


def _drafts(
    inline: Token,
    found: list[_Found],
    label: str | None,
    lines: list[str],
    cursors: dict[int, int],
) -> Iterator[Draft]:
    """Place the links of one inline token in the source, with their notes' labels."""
    content = inline.content
    assert inline.map is not None
    place = _Placer(content, inline.map[0], lines, cursors)
    notes = _superscript_notes(content)
    for number, item in enumerate(found):
        line, column = place(item.start)
        note_label = label
        if notes:
            note_label = next((name for at, name in reversed(notes) if at <= item.start), label)
        if note_label is None:
            yield Draft(line, column, item.kind, item.text, item.url)
            continue
        stop = next((start for start, _ in notes if start > item.start), len(content))
        if number + 1 < len(found):
            stop = min(stop, max(item.end, found[number + 1].start))
        after = content[item.end : stop]
        yield Draft(line, column, item.kind, item.text, item.url, note_label, after)


def _superscript_notes(content: str) -> list[tuple[int, str]]:
    """Where lines of ``content`` start a note with superscript digits or a ``<sup>`` number,
    and the labels."""
    if _NOTE_MARK.search(content) is None:  # cheap first: most text has no note marker
        return []
    notes = []
    offset = 0
    for line in content.split("\n"):
        found = superscript_label(line)
        if found is not None:
            notes.append((offset, found[0]))
        else:
            tagged = _SUP_LABEL.match(line)
            if tagged is not None:
                notes.append((offset, tagged.group(1)))
        offset += len(line) + 1
    return notes


def _html_block(
    block: Token, label: str | None, lines: list[str], cursors: dict[int, int]
) -> Iterator[Draft]:
    """The ``<a href>`` links of an HTML block, placed in the source (at the ``<`` of the tag)."""
    content = block.content.removesuffix("\n")
    if _ANCHOR_TAG.search(content) is None:  # cheap first: most blocks hold no link
        return
    found = html_drafts(content, label)
    if not found:
        return
    assert block.map is not None
    place = _Placer(content, block.map[0], lines, cursors)
    for draft in found:
        line, column = place(place.starts[draft.line - 1] + draft.column - 1)
        yield replace(draft, line=line, column=column)


class _Placer:
    """Maps offsets in an inline token's content to 1-based (line, column) in the source.

    ``cursors`` holds, per source line, where the last placed text ended: table cells are
    placed left to right, so that two equal cells on a line are told apart.
    """

    def __init__(
        self, content: str, first_line: int, lines: list[str], cursors: dict[int, int]
    ) -> None:
        self.starts: list[int] = []
        self.rows: list[tuple[int, int, list[int] | int]] = []
        offset = 0
        for number, text in enumerate(content.split("\n")):
            line_number = min(first_line + number, len(lines) - 1)
            lead = len(text) - len(text.lstrip(" \t"))
            core = text[lead:].rstrip(" \t")
            where = _locate(core, lines[line_number], cursors.get(line_number, 0))
            end = where + len(core) if isinstance(where, int) else (where or [0])[-1] + 1
            cursors[line_number] = end
            self.starts.append(offset)
            self.rows.append((line_number, lead, where))
            offset += len(text) + 1

    def __call__(self, offset: int) -> tuple[int, int]:
        row = bisect_right(self.starts, offset) - 1
        line_number, lead, where = self.rows[row]
        within = max(offset - self.starts[row] - lead, 0)
        if isinstance(where, int):
            return line_number + 1, where + within + 1
        return line_number + 1, (where[min(within, len(where) - 1)] if where else 0) + 1


def _locate(core: str, line: str, cursor: int) -> list[int] | int:
    """Where ``core`` sits in ``line`` (from ``cursor``): one offset, or one per character."""
    trimmed = line.rstrip(" \t")
    if cursor == 0 and trimmed.endswith(core):
        return len(trimmed) - len(core)
    at = line.find(core, cursor)
    if at >= 0:
        return at
    # The text was altered on the way (a table cell's "\\|" became "|"): align it by character.
    positions = []
    for char in core:
        found = line.find(char, cursor)
        if found < 0:
            break
        positions.append(found)
        cursor = found + 1
    return positions
