"""Note marks in a plain-text or Markdown letter: where a note is called, where one is written.

The format parsers find links and the notes they sit in; a note with no link and a mark that
calls no note are invisible to them. This scan finds both kinds of mark as written:

    … to mitigate it.¹          a call (superscript digits after a word)
    ¹ See …                     a note (superscript digits opening a line)
    … as reported[^3].          a call (Markdown footnote reference)
    [^3]: Reported …            a note (Markdown footnote definition)

Code (fenced blocks, `spans`) is skipped, and superscripts that are exponents (10⁶, km², 10⁻³)
are no calls. .docx letters are left out: Word numbers its notes and their marks itself.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from citecheck.models import Letter, LetterFormat

_SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_MARK = re.compile(
    # a Markdown definition, a line's leading superscript label, a call of either kind
    r"^(?P<prefix>[ \t>]*(?:[-*+][ \t]+)?)\[\^(?P<defined>[^\]\s]+)\]:"
    r"|^(?P<lead>[ \t>]*(?:[-*+•][ \t]+)?)(?P<opens>[⁰¹²³⁴⁵⁶⁷⁸⁹]+)(?![⁰¹²³⁴⁵⁶⁷⁸⁹])"
    r"|\[\^(?P<called>[^\]\s]+)\](?!:)"
    r"|(?<![0-9⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻])(?P<raised>[⁰¹²³⁴⁵⁶⁷⁸⁹]+)",
    re.MULTILINE,
)
# A superscript after a unit is its power (m², km²), not a note's call.
_UNIT_BEFORE = re.compile(r"(?<![^\W\d_])(?:[kcmdµμn]?m|ft|in|mi|yd|s)\Z")
_FENCE = re.compile(r"^[ \t]{0,3}(?:```|~~~)[^\n]*$", re.MULTILINE)
_CODE_SPAN = re.compile(r"(`+)[^`]+?\1")
_LINE_END = re.compile(r"\r\n?|\n")


@dataclass(frozen=True, slots=True)
class Mark:
    """A note's label as written: ``note`` True where the note itself starts, else a call.

    ``style`` tells the two numberings apart: "superscript" (¹) or "markdown" ([^1]).
    """

    label: str
    style: str
    note: bool
    line: int
    column: int


def marks(letter: Letter) -> list[Mark]:
    """Every note mark of a Markdown or plain-text letter, in source order (else none)."""
    if letter.format not in (LetterFormat.MARKDOWN, LetterFormat.TEXT):
        return []
    text = _without_code(letter.text) if "`" in letter.text else letter.text
    starts = [0] + [found.end() for found in _LINE_END.finditer(text)]
    found_marks = []
    for match in _MARK.finditer(text):
        kind = match.lastgroup or ""  # each alternative's label is its last group
        start = match.start(kind)
        if kind == "raised" and _UNIT_BEFORE.search(text[max(0, start - 5) : start]):
            continue
        markdown = kind in ("defined", "called")
        if markdown:
            start -= 2  # the mark starts at its "[^"
        line = bisect_right(starts, start)
        found_marks.append(
            Mark(
                match.group(kind).translate(_SUPERSCRIPT_DIGITS),
                "markdown" if markdown else "superscript",
                kind in ("defined", "opens"),
                line,
                start - starts[line - 1] + 1,
            )
        )
    return found_marks


def _without_code(text: str) -> str:
    """``text`` with code blanked out, every other character (and so every position) kept."""
    blank = _blanked(_CODE_SPAN, text)
    fences = list(_FENCE.finditer(blank))
    pieces, position = [], 0
    for opening, closing in zip(fences[::2], fences[1::2], strict=False):
        pieces.append(blank[position : opening.start()])
        pieces.append(blank[opening.start() : closing.end()].translate(_SPACE))
        position = closing.end()
    pieces.append(blank[position:])
    return "".join(pieces)


class _Spaces(dict[int, str]):
    """A ``str.translate`` table turning every character but a line break into a space."""

    def __missing__(self, key: int) -> str:
        return chr(key) if key in (10, 13) else " "


_SPACE = _Spaces()


def _blanked(pattern: re.Pattern[str], text: str) -> str:
    return pattern.sub(lambda found: found.group().translate(_SPACE), text)
