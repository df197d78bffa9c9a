"""Letter-level consistency: what the letters say about their sources, compared with itself.

Notes, never statuses: the same page cited under two titles or two dates (in one letter or
across the letters checked together), one title cited at two addresses, a note number given to
two notes, a note mark with no note, a Markdown note that nothing calls (no renderer shows it).
Comparisons ignore what a reader would not call a difference, so that a careful letter draws
no note:

- an address is its fetch key (``urls.dedupe_key``: scheme and host case, default port), with
  http/https, a leading "www." and a trailing "/" also folded; two ``#fragment``\\ s are two
  places, which may well be cited under two titles (chapters of one report);
- a title is compared case-, accent-, punctuation- and whitespace-folded; a shortened title (as
  later citations often give it) or one after its author ("HRW, World Report") is the same
  title; a one-word "title" ("here", "Ibid.") or a generic one ("Press release") is none;
- a date is its ISO value, and a coarser one ("July 2025") agrees with any day inside it;
- one title at two addresses is no note when the two citations give different dates (a yearly
  report, a series), or when an address is only the other with a ``#fragment``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from citecheck.classify import precheck
from citecheck.models import Letter, LetterNote, Reference
from citecheck.parse.marks import Mark, marks
from citecheck.urls import dedupe_key, mask_credentials, split_fragment

_NOT_WORD = re.compile(r"[\W_]+")
# What a note may give in place of a title: too generic to say which document is meant.
_NO_TITLE = frozenset(
    {"click here", "read more", "this link", "this page", "see here", "available here",
     "full text", "press release", "op cit", "loc cit", "news release", "this report"}
)  # fmt: skip


def notes(letters: Sequence[Letter], references: Sequence[Reference]) -> tuple[LetterNote, ...]:
    """The consistency notes on ``letters`` and their ``references``, in the letters' order."""
    found = [*_citation_notes(references)]
    for letter in letters:
        labelled = {ref.footnote for ref in references if ref.letter == letter.path}
        found += _mark_notes(letter.path, marks(letter), labelled)
    order = {letter.path: index for index, letter in enumerate(letters)}
    found.sort(key=lambda note: (order.get(note.letter, len(order)), note.line, note.column))
    return tuple(found)


# Citations


def _citation_notes(references: Iterable[Reference]) -> list[LetterNote]:
    claimed = [ref for ref in references if ref.footnote is not None]
    pages = {url: _page(url) for url in {ref.url for ref in claimed} if precheck(url) is None}
    cited = [ref for ref in claimed if ref.url in pages]
    return [*_same_address(cited, pages), *_same_title(cited, pages)]


def _same_address(cited: list[Reference], pages: dict[str, str]) -> list[LetterNote]:
    """A page cited under a title or date that an earlier citation of it contradicts.

    At most ``_PER_PAGE`` citations of one page are noted for each kind: a page cited under
    thousands of titles (a generated or hostile letter) gets one more note counting the rest,
    not thousands of lines.
    """
    found = []
    first: dict[tuple[str, str], Reference] = {}
    more: dict[tuple[str, str], tuple[Reference, int]] = {}
    for ref in cited:
        # Two fragments are two places, which may carry two titles (chapters of one report).
        fragment = split_fragment(ref.url)[1]
        place = pages[ref.url] + (f"#{fragment}" if fragment else "")
        kinds = [kind for kind, has in (("title", _title(ref)), ("date", ref.cited_date)) if has]
        for kind in kinds:
            earlier = first.setdefault((place, kind), ref)
            if earlier is ref:
                continue
            same = (
                _same_title_text(earlier.cited_title, ref.cited_title)
                if kind == "title"
                else _same_date(earlier.cited_date, ref.cited_date)
            )
            if same:
                continue
            _, extra = more.get((place, kind), (ref, 0))
            if extra < _PER_PAGE:
                found.append(_note(ref, _contradiction(kind, earlier, ref)))
            more[(place, kind)] = (ref, extra + 1)
    for (_, kind), (last, count) in more.items():
        if count > _PER_PAGE:
            what = "titles" if kind == "title" else "dates"
            shown = mask_credentials(last.url)
            found.append(
                _note(last, f"{shown} is cited under {count - _PER_PAGE} more contradicting {what}")
            )
    return found


_PER_PAGE = 5  # contradicting titles (or dates) noted for one page before they are counted


def _contradiction(kind: str, earlier: Reference, ref: Reference) -> str:
    shown = mask_credentials(ref.url)
    if kind == "title":
        return (
            f"{shown} is cited as “{ref.cited_title}” here and as “{earlier.cited_title}” "
            f"at {_where(earlier, ref)}"
        )
    return f"{shown} is dated {_date(ref)} here and {_date(earlier)} at {_where(earlier, ref)}"


def _same_title(cited: list[Reference], pages: dict[str, str]) -> list[LetterNote]:
    """A title cited at an address other than the one an earlier citation gave it."""
    found = []
    first: dict[str, Reference] = {}
    reported: set[tuple[str, str]] = set()
    for ref in cited:
        title = _title(ref)
        if not title:
            continue
        earlier = first.setdefault(title, ref)
        page = pages[ref.url]
        if page == pages[earlier.url] or (title, page) in reported:
            continue
        if (
            ref.cited_date
            and earlier.cited_date
            and not _same_date(ref.cited_date, earlier.cited_date)
        ):
            continue  # one name, two documents: this year's report and last year's
        reported.add((title, page))
        found.append(
            _note(
                ref,
                f"“{ref.cited_title}” is cited at {mask_credentials(ref.url)} here and at "
                f"{mask_credentials(earlier.url)} at "
                f"{_where(earlier, ref)}",
            )
        )
    return found


def _page(url: str) -> str:
    """The page an address names, folded as the module's docstring says (no fragment)."""
    key = dedupe_key(split_fragment(url)[0])
    scheme, _, rest = key.partition("://")
    if scheme == "http":
        scheme = "https"
    rest = rest.removeprefix("www.")
    host, slash, path = rest.partition("/")
    path = path.rstrip("/") if "?" not in path else path
    return f"{scheme}://{host}{slash}{path}"


def _folded(title: str) -> str:
    """A title as compared: no case, accents, punctuation or spacing."""
    plain = title.casefold()
    if not plain.isascii():
        decomposed = unicodedata.normalize("NFKD", plain)
        plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(_NOT_WORD.sub(" ", plain).split())


def _title(ref: Reference) -> str:
    """The cited title, folded, when it can name a document: two words or more, not "here",
    "Ibid." or "Press release"; else ""."""
    title = _folded(ref.cited_title or "")
    return title if " " in title and title not in _NO_TITLE else ""


def _same_title_text(one: str | None, other: str | None) -> bool:
    """Whether two cited titles name one thing: equal once folded, or one within the other
    word for word (a short title; a title after its author or publisher)."""
    a, b = _folded(one or ""), _folded(other or "")
    short, long = sorted((a, b), key=len)
    return f" {short} " in f" {long} "


def _same_date(one: str | None, other: str | None) -> bool:
    """Whether two ISO dates agree: equal, or one coarser and containing the other."""
    a, b = one or "", other or ""
    short, long = sorted((a, b), key=len)
    return long.startswith(short)


def _date(ref: Reference) -> str:
    return ref.cited_date_text or ref.cited_date or ""


def _where(earlier: Reference, ref: Reference) -> str:
    """Where the earlier citation is, as seen from ``ref``: its line, and letter if another."""
    if earlier.letter == ref.letter:
        return f"line {earlier.line}"
    return f"{earlier.letter}:{earlier.line}"


def _note(ref: Reference, message: str) -> LetterNote:
    return LetterNote(ref.letter, ref.line, ref.column, message)


# Note marks


def _mark_notes(letter: str, found: list[Mark], labelled: set[str | None]) -> list[LetterNote]:
    """Two notes with one label, and calls with no note, per numbering style."""
    result = []
    for style in ("markdown", "superscript"):
        own = [mark for mark in found if mark.style == style]
        notes_at: dict[str, Mark] = {}
        for mark in (mark for mark in own if mark.note):
            earlier = notes_at.setdefault(mark.label, mark)
            if earlier is not mark:
                result.append(
                    LetterNote(
                        letter,
                        mark.line,
                        mark.column,
                        f"footnote {_shown(mark)} is used twice: here and at line {earlier.line}",
                    )
                )
        if style == "superscript" and not notes_at:
            # Notes numbered some other way (a "Notes" list): a superscript call is not checked.
            continue
        called: set[str] = set()
        for mark in own:
            if mark.note or mark.label in notes_at or mark.label in labelled:
                continue
            if mark.label not in called:
                called.add(mark.label)
                result.append(
                    LetterNote(letter, mark.line, mark.column, f"mark {_shown(mark)} has no note")
                )
        if style == "markdown":
            # A Markdown renderer shows no note that nothing calls: readers never see it.
            calls = {mark.label for mark in own if not mark.note}
            result += [
                LetterNote(
                    letter, mark.line, mark.column, f"footnote {_shown(mark)} is never called"
                )
                for label, mark in notes_at.items()
                if label not in calls
            ]
    return result


def _shown(mark: Mark) -> str:
    """The mark as the letter writes it."""
    if mark.style == "markdown":
        return f"[^{mark.label}]"
    return mark.label.translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))
