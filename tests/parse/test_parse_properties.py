"""For any text, extraction never fails and every reference points at its link in the source."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from citecheck.models import Letter, LetterFormat, LinkKind, Reference
from citecheck.parse import letter_references

PIECES = [
    "[", "]", "(", ")", "<", ">", "https://x.example/", "http://a.b/c_(d)", "mailto:x@y.z",
    "tel:+32", "`", "```", "*", "_", "\\", "\n", "\n\n", " ", "    ", "\t", "#", "!", "[^1]",
    "[^1]: ", "¹ ", "²", "|", "---", "- ", "1. ", "> ", "a", "Zé", "&amp;", '"', "'", ":", "#fn1",
    '<a href="', '">', "</a>", "<a href=x>", "<p>", "</p>", "<li id=fn2>", "<!--", "-->",
    "<script>", "</script>", "<base href=https://b.example/>", "\r\n", "\r", "17 July 2025",
    "Notes\n", "## Sources\n", "[id]: https://r.example\n", "[id]", "][", "](", ".", ",", "\0",
]  # fmt: skip
LETTERS = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=40).map("".join),
    st.text(max_size=200),
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=5)), max_size=30).map("".join),
)


def _check(source: str, fmt: LetterFormat) -> list[Reference]:
    references = letter_references(Letter("p", fmt, source))
    if fmt is LetterFormat.MARKDOWN:
        source = source.replace("\0", "\ufffd")  # as CommonMark reads it
    lines = re.split(r"\r\n?|\n", source)
    for reference in references:
        assert 1 <= reference.line <= len(lines)
        line = lines[reference.line - 1]
        assert 1 <= reference.column <= len(line)
        at = line[reference.column - 1 :]
        rest = "\n".join([at, *lines[reference.line :]])
        if fmt is LetterFormat.HTML:
            assert at[:2].lower() == "<a"
        elif reference.kind is LinkKind.BARE:
            assert rest.startswith(reference.url)
        elif reference.kind is LinkKind.AUTOLINK:
            assert rest.startswith("<" + reference.text)
        elif fmt is LetterFormat.TEXT:
            assert at[0] == "["
            assert reference.url in rest
        else:
            assert at[0] == "[" or at[:2].lower() == "<a"
    positions = [(r.line, r.column) for r in references]
    assert positions == sorted(positions)
    return references


@settings(max_examples=200, deadline=None)
@given(LETTERS)
def test_markdown_references_point_at_their_links(source: str) -> None:
    _check(source, LetterFormat.MARKDOWN)


@settings(max_examples=200, deadline=None)
@given(LETTERS)
def test_text_references_point_at_their_links(source: str) -> None:
    _check(source, LetterFormat.TEXT)


@settings(max_examples=200, deadline=None)
@given(LETTERS)
def test_html_references_point_at_their_links(source: str) -> None:
    _check(source, LetterFormat.HTML)
