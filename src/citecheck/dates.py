"""Dates as letters write them: "17 July 2025", "July 17, 2025", "1er juin 2024", "17.07.2025"…

A date keeps the precision the text gives: ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``. Month names
are read in English, French, German, Spanish, Dutch, Italian and Portuguese, full or abbreviated,
with or without accents. Numeric dates are read day first (``17/07/2025``) or ISO
(``2025-07-17``). A bare year counts only between 1900 and 2100 and when it stands alone (not
part of a number, a range or a word). Impossible dates such as 31 June are not dates.

A citation may give the day its author looked at the page as well as the day it was published:
``find_cited_date`` skips a date introduced as an access date ("accessed 3 March 2026",
"retrieved on …", "last visited …", "consulté le …", "abgerufen am …", "consultado el …",
"geraadpleegd op …", "consultato il …", "acesso em …").
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["DateMatch", "find_cited_date", "find_date", "parse_date"]


@dataclass(frozen=True, slots=True)
class DateMatch:
    """One date expression: its ISO value (at the precision written) and where it was found."""

    iso: str
    text: str
    start: int
    end: int


# Per month: English, French, German, Spanish, Dutch, Italian, Portuguese; full and abbreviated.
_MONTH_NAMES = (
    "january jan janvier janv januar jänner jän enero ene januari gennaio gen janeiro",
    "february feb février févr fév februar febrero februari febbraio fevereiro fev",
    "march mar mars märz maerz mär marzo maart mrt março",
    "april apr avril avr abril abr aprile",
    "may mai mayo mei maggio mag maio",
    "june jun juin juni junio giugno giu junho",
    "july jul juillet juil juli julio luglio lug julho",
    "august aug août augustus agosto ago",
    "september sep sept septembre septiembre setiembre settembre setembro set",
    "october oct octobre oktober okt octubre ottobre ott outubro out",
    "november nov novembre noviembre novembro",
    "december dec décembre déc dezember dez diciembre dic dicembre dezembro",
)


def _without_accents(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))


_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(_MONTH_NAMES, start=1):
    for _name in _names.split():
        _MONTHS[_name] = _number
        _MONTHS[_without_accents(_name)] = _number

# Abbreviations that are also everyday words ("set", "out", "ago"…) count only with a day.
_NEEDS_DAY = frozenset({"set", "out", "ago", "gen", "mag"})

# The spaces a date may contain: a wrapped line may break it, a blank line (new paragraph) not.
_SP = r"(?:[ \t\u00a0\u202f]|\r?\n(?![ \t]*\r?\n))"
_MONTH = (
    r"(?<![^\W\d_])(?P<{name}>"
    + "|".join(re.escape(name) for name in sorted(_MONTHS, key=len, reverse=True))
    + r")(?![^\W\d_])\.?"
)
_DAY = r"(?<!\d)(?P<{name}>[0-3]?\d)(?!\d)"
_DAY_SUFFIX = r"(?:st|nd|rd|th|er|ᵉʳ|\.?º|°|ª)?"
_YEAR = r"(?P<{name}>\d{{4}})(?!\d)"
_DE = rf"(?:(?:de|del){_SP}+)?"

_DATE = re.compile(
    "|".join(
        (
            # 2025-07-17, 2025-07, 2025/07/17
            r"(?<![\d.,/-])(?P<iy>\d{4})(?P<isep>[-/])(?P<im>\d\d)(?:(?P=isep)(?P<id>\d\d))?"
            r"(?!\d)(?![./-]\d)",
            # 17.07.2025, 17/07/2025, 17-07-2025 (day first)
            r"(?<![\d.,/-])(?P<nd>\d\d?)(?P<nsep>[./-])(?P<nm>\d\d?)(?P=nsep)(?P<ny>\d{4})"
            r"(?!\d)(?![./-]\d)",
            # 17 July 2025, 17th July 2025, 1er juin 2024, 17. Juli 2025, 17 de julio de 2025
            _DAY.format(name="dd")
            + _DAY_SUFFIX
            + rf"(?:\.?{_SP}+|\.|-){_DE}"
            + _MONTH.format(name="dm")
            + rf"(?:{_SP}*,)?(?:{_SP}+|-){_DE}"
            + _YEAR.format(name="dy"),
            # July 17, 2025
            _MONTH.format(name="mm")
            + rf"{_SP}+"
            + _DAY.format(name="md")
            + rf"(?:st|nd|rd|th)?(?:{_SP}*,)?{_SP}*"
            + _YEAR.format(name="my"),
            # June 2024, junio de 2024
            _MONTH.format(name="ym") + rf"(?:{_SP}*,)?{_SP}+{_DE}" + _YEAR.format(name="yy"),
            # 2023, standing alone: not in a word, a number, a range or an amount
            r"(?<![\w.,/:\-–€$£#])(?P<by>19\d\d|20\d\d|2100)(?![\w%])(?![.,/:\-–]\d)",
        )
    ),
    re.IGNORECASE,
)


# What introduces an access date, right before it: the verb or noun, then a preposition, an
# article or a colon. Compared without case; accents optional where letters drop them.
_ACCESS_CUE = re.compile(
    r"(?<![^\W\d_])(?:"
    # English
    r"(?:last\s+|date\s+)?(?:accessed|retrieved|consulted|visited|viewed|checked)"
    r"|access(?:ed)?\s+date|date\s+of\s+access|last\s+access"
    # French
    r"|(?:page\s+)?consult[ée]e?s?|derni[èe]re\s+consultation|date\s+de\s+consultation"
    r"|acc[ée]d[ée]e?|visit[ée]e?"
    # German
    r"|(?:zuletzt\s+)?(?:abgerufen|aufgerufen|besucht|eingesehen|gesehen)|abrufdatum"
    r"|(?:letzter\s+)?zugriff|zugegriffen"
    # Spanish, Portuguese, Italian
    r"|consultad[oa]|consultat[oa]|recuperad[oa]|accedid[oa]|acessad[oa]|visitad[oa]"
    r"|visitat[oa]|fecha\s+de\s+(?:consulta|acceso)|(?:[úu]ltimo\s+)?(?:acesso|accesso)"
    r"|data\s+(?:de|di)\s+(?:acesso|accesso|consulta)"
    # Dutch
    r"|(?:laatst\s+)?(?:geraadpleegd|bezocht|bekeken)|raadpleegdatum"
    r")(?:\s*(?:on|at|in|the|le|en|am|um|el|il|em|op|a|:))*[\s:,.\-–—(\[]*\Z",
    re.IGNORECASE,
)


def _iso(match: re.Match[str]) -> str | None:
    """The ISO form of a match, or None when it names no real day (or a doubtful month)."""
    groups = match.groupdict()
    if groups["by"] is not None:
        return groups["by"]
    if groups["iy"] is not None:
        year, month, day = groups["iy"], groups["im"], groups["id"]
    elif groups["ny"] is not None:
        year, month, day = groups["ny"], groups["nm"], groups["nd"]
    elif groups["dy"] is not None:
        year, month, day = groups["dy"], _month(groups["dm"]), groups["dd"]
    elif groups["my"] is not None:
        year, month, day = groups["my"], _month(groups["mm"], with_day=False), groups["md"]
    else:
        year, month, day = groups["yy"], _month(groups["ym"], with_day=False), None
    if month is None:
        return None
    y, m = int(year), int(month)
    if not 1 <= m <= 12:
        return None
    if day is None:
        return f"{y:04d}-{m:02d}"
    d = int(day)
    if not 1 <= d <= calendar.monthrange(y, m)[1]:
        return None
    return f"{y:04d}-{m:02d}-{d:02d}"


def _month(name: str, *, with_day: bool = True) -> str | None:
    if not with_day and _doubtful(name):
        return None
    return str(_MONTHS[name.lower()])


def _doubtful(name: str | None) -> bool:
    return name is not None and name.lower() in _NEEDS_DAY


def find_date(text: str) -> DateMatch | None:
    """The first date expression in ``text``, or None."""
    return next(_dates(text), None)


def find_cited_date(text: str) -> DateMatch | None:
    """The first date in ``text`` that is not introduced as an access date, or None."""
    return next((found for found in _dates(text) if not _is_access_date(text, found)), None)


def _dates(text: str) -> Iterator[DateMatch]:
    """Every date expression in ``text``, left to right."""
    position = 0
    while (match := _DATE.search(text, position)) is not None:
        iso = _iso(match)
        if iso is not None:
            yield DateMatch(iso, match.group(), match.start(), match.end())
            position = match.end()
            continue
        # A doubtful month name ("set 2024") may be followed by a year of its own; an
        # impossible date ("31 June 2024") is skipped whole, not read as "1 June 2024".
        doubtful = next((g for g in ("ym", "mm") if _doubtful(match.group(g))), None)
        position = match.end(doubtful) if doubtful else match.end()


def _is_access_date(text: str, found: DateMatch) -> bool:
    return _ACCESS_CUE.search(text, max(0, found.start - 60), found.start) is not None


def parse_date(text: str) -> DateMatch | None:
    """The date that ``text`` (leading and trailing spaces aside) consists of, or None."""
    stripped = text.strip()
    offset = len(text) - len(text.lstrip())
    match = _DATE.fullmatch(stripped)
    if match is None:
        return None
    iso = _iso(match)
    if iso is None:
        return None
    return DateMatch(iso, stripped, offset, offset + len(stripped))


# Per language: the full month names, then the abbreviations the letters use, as each language
# writes them (capitalisation and accents are then copied from the letter's own date); "a|b":
# both are read, the first is written.
_MONTHS_BY_LANGUAGE = {
    "en": (
        "January February March April May June July August September October November December",
        "Jan Feb Mar Apr May Jun Jul Aug Sep|Sept Oct Nov Dec",
    ),
    "fr": (
        "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
        "janv févr mars avr mai juin juil août sept oct nov déc",
    ),
    "de": (
        "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
        "Jan Feb März Apr Mai Juni Juli Aug Sept Okt Nov Dez",
    ),
    "es": (
        "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
        "ene feb mar abr may jun jul ago sept oct nov dic",
    ),
    "nl": (
        "januari februari maart april mei juni juli augustus september oktober november december",
        "jan feb mrt apr mei jun jul aug sep okt nov dec",
    ),
    "it": (
        "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre "
        "dicembre",
        "gen feb mar apr mag giu lug ago set ott nov dic",
    ),
    "pt": (
        "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",
        "jan fev mar abr mai jun jul ago set out nov dez",
    ),
}
_ENGLISH_ORDINAL = re.compile(r"st|nd|rd|th", re.IGNORECASE)
_PLAIN_STYLE = next(_DATE.finditer("1 January 2000"))  # when the letter's own style is unknown


def write_date(iso: str, like: str | None = None) -> str:
    """``iso`` (``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``) written the way ``like`` writes a date.

    ``like`` is a date as a letter wrote it ("17 July 2025", "1er juin 2024", "17.07.2025",
    "July 17, 2025", "June 2024"…): the result keeps its order, separators, language, case,
    abbreviation and precision, so that it can be pasted in its place. A result is never more
    precise than ``iso``. Without a readable ``like`` it is written "20 June 2024".
    """
    parts = [int(part) for part in iso.split("-")]
    match = _DATE.fullmatch(like.strip()) if like else None
    if match is None or _iso(match) is None:
        match = _PLAIN_STYLE
    precision = min(len(parts), (_iso(match) or "").count("-") + 1)
    year, month, day = (parts + [0, 0])[:3]
    text = match.group()
    groups = match.groupdict()
    if groups["by"] is not None or precision == 1:
        return f"{year:04d}"
    numeric = "iy" if groups["iy"] is not None else "nd" if groups["nd"] is not None else None
    if numeric == "iy":
        sep = groups["isep"]
        return f"{year:04d}{sep}{month:02d}" + (f"{sep}{day:02d}" if precision == 3 else "")
    if numeric == "nd":
        sep = groups["nsep"]
        width = len(groups["nm"])
        head = f"{day:0{len(groups['nd'])}d}{sep}" if precision == 3 else ""
        return f"{head}{month:0{width}d}{sep}{year:04d}"
    name = next(g for g in ("dm", "mm", "ym") if groups[g] is not None)
    year_group = {"dm": "dy", "mm": "my", "ym": "yy"}[name]
    day_group = {"dm": "dd", "mm": "md", "ym": None}[name]
    if precision == 2 and day_group is not None:
        # The page gives only a month: "June 2024" in the letter's language and case.
        return f"{_month_like(month, match.group(name), text, match.start(name))} {year:04d}"
    pieces = [(match.span(year_group), f"{year:04d}")]
    pieces.append(
        (match.span(name), _month_like(month, match.group(name), text, match.start(name)))
    )
    if day_group is not None:
        start, end = match.span(day_group)
        suffix = re.match(r"st|nd|rd|th|er|ᵉʳ", text[end:], re.IGNORECASE)
        end += suffix.end() if suffix else 0
        pieces.append(((start, end), _day_like(day, suffix.group() if suffix else "", text)))
    for (start, end), new in sorted(pieces, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def _month_like(month: int, word: str, text: str, start: int) -> str:
    """Month ``month`` in the language, length and case of ``word`` (a month name in ``text``)."""
    bare = word.rstrip(".")
    key = _without_accents(bare).lower()
    # A day followed by a dot ("17. Juli") is German; English and German capitalise month names,
    # the other languages do not.
    if re.search(r"\d\.\s*$", text[:start]):
        order: tuple[str, ...] = ("de", "en", "fr", "es", "nl", "it", "pt")
    elif bare[:1].isupper():
        order = ("en", "de", "fr", "es", "nl", "it", "pt")
    else:
        order = ("fr", "es", "nl", "it", "pt", "en", "de")
    new = _MONTHS_BY_LANGUAGE["en"][0].split()[month - 1]
    for names in (names for language in order for names in _MONTHS_BY_LANGUAGE[language]):
        spellings = [name.split("|") for name in names.split()]
        if any(key == _without_accents(s).lower() for one in spellings for s in one):
            new = spellings[month - 1][0]
            break
    if bare == _without_accents(bare):
        new = _without_accents(new)
    if bare.isupper() and len(bare) > 1:
        new = new.upper()
    elif bare[:1].isupper():
        new = new[:1].upper() + new[1:]
    else:
        new = new.lower()
    return new + word[len(bare) :]


def _day_like(day: int, suffix: str, text: str) -> str:
    """The day with the ordinal mark the letter uses: "20th", "1er", or none."""
    if _ENGLISH_ORDINAL.fullmatch(suffix):
        mark = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
        return f"{day}{mark.upper() if suffix.isupper() else mark}"
    if suffix and day == 1:
        return f"1{suffix}"
    if day == 1 and _is_french(text):
        return "1er"
    return str(day)


def _is_french(text: str) -> bool:
    words = {_without_accents(w).lower() for w in re.findall(r"[^\W\d_]+", text)}
    french = {_without_accents(n).lower() for n in " ".join(_MONTHS_BY_LANGUAGE["fr"]).split()}
    others = {
        _without_accents(n).lower()
        for language, names in _MONTHS_BY_LANGUAGE.items()
        if language != "fr"
        for n in " ".join(names).split()
    }
    return bool(words & (french - others))
