"""Build small letters in tests and read their references as (line, column, kind, text, url)."""

from __future__ import annotations

import textwrap

from citecheck.models import Letter, LetterFormat, Reference
from citecheck.parse import letter_references


def refs(fmt: LetterFormat, source: str, *, dedent: bool = True) -> list[Reference]:
    """The references of a letter whose source is ``source`` (dedented)."""
    text = textwrap.dedent(source).lstrip("\n") if dedent else source
    return letter_references(Letter(f"letter.{fmt.value}", fmt, text))


def places(references: list[Reference]) -> list[tuple[int, int, str, str, str]]:
    return [(r.line, r.column, r.kind.value, r.text, r.url) for r in references]


def claims(references: list[Reference]) -> list[tuple[str | None, str | None, str | None]]:
    return [(r.footnote, r.cited_title, r.cited_date) for r in references]
