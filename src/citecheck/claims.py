"""What a letter claims about a link vs what the page says about itself -> ClaimCheck (pure).

Title (``Thresholds.title_similarity``, default 0.8). Both sides are normalised (NFKC, casefold,
typographic quotes and dashes, punctuation and spaces) and compared with every title the page
offers (``PageMeta.title_candidates``: og:title, ``<title>`` and each of its parts, ``<h1>``…),
keeping the best score in [0, 1]:

- the whole-string similarity (rapidfuzz ``ratio``), and the same with the words sorted
  (``token_sort_ratio``) for reordered titles;
- a faithful shortening: when the shorter side has at least ``shortening_min_words`` words
  (default 4), how well it matches the best-aligned stretch of the longer (``partial_ratio``) or
  how many of its words the longer contains (``token_set_ratio``); shorter phrases could match
  any page on the topic, so they get no such credit;
- a number in the cited title (a year, a count, a resolution number) that no page title contains,
  when the page's titles do carry numbers, caps the score below the threshold: "Report 2023" is
  not "Report 2024", however similar (a page title without any number is not held against it).

A candidate that is only the site's name is ignored. Below the threshold the reference is
mismatched and the note names both titles; a page without any title is "not verifiable".

Date (``date_tolerance_days``, default 1). Each date is the interval it names (a day, a whole
month, a whole year), so a month-only citation matches any day in that month; the two intervals
may be up to ``date_tolerance_days`` apart (time zones put the same article on adjacent days).
A page with no publication date is "not verifiable", never a mismatch.

Prose links (no cited title; the anchor text claims a topic). This stays conservative: a verdict
needs at least ``prose_min_words`` (default 2) content words in the anchor after removing
stop words (English, French, German, Spanish, Dutch) and generic link words ("here", "statement",
"report"…), and a page with a title and at least ``prose_min_page_words`` (default 30)
distinct words of title, description, headings and opening text. Only when NONE of the
anchor's words occurs there (compared by a light multilingual stem: forced/force,
labour/labor, detention/detained, and a shared prefix of five letters or more) is the
reference mismatched. URL-like, numeric or placeholder
anchors give no verdict.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

from rapidfuzz import fuzz

from citecheck.dates import write_date
from citecheck.models import ClaimCheck, PageMeta, Reference, Thresholds

__all__ = ["compare", "title_similarity"]

_DEFAULT = Thresholds()

_TYPOGRAPHY = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "«": '"',
        "»": '"',
        "‹": "'",
        "›": "'",
        "–": "-",
        "—": "-",
        "‐": "-",
        "‑": "-",
        "−": "-",
        "&": " and ",
    }
)
_NUMBER = re.compile(r"\d+")


def compare(reference: Reference, meta: PageMeta, thresholds: Thresholds = _DEFAULT) -> ClaimCheck:
    """How the page compares with the letter's claims about it (cited title, date, anchor text)."""
    notes: list[str] = []
    reasons: list[str] = []
    similarity: float | None = None
    title_differs = date_differs = False
    if reference.cited_title:
        similarity, note = _check_title(reference.cited_title, meta, thresholds)
        if note:
            notes.append(note)
            if similarity is not None:
                reasons.append(note)
                title_differs = True
    elif reference.text:
        note = _check_topic(reference.text, meta, thresholds)
        if note:
            notes.append(note)
            reasons.append(note)
    if reference.cited_date:
        cited_as = reference.cited_date_text or reference.cited_date
        if not meta.published:
            notes.append("date not verifiable: the page gives no publication date")
        elif not _dates_agree(reference.cited_date, meta.published, thresholds):
            notes.append(f"date differs: cited {cited_as}, page says {meta.published}")
            reasons.append(notes[-1])
            date_differs = True
    suggestion = (
        _instead(reference, meta, title_differs, date_differs)
        if title_differs or date_differs
        else None
    )
    return ClaimCheck(
        mismatched=bool(reasons),
        notes=tuple(notes),
        title_similarity=similarity,
        reasons=tuple(reasons),
        suggestion=suggestion,
    )


def _instead(reference: Reference, meta: PageMeta, title: bool, date: bool) -> str | None:
    """What to cite instead: the page's title and date where they differ, the date written the
    way the letter writes its dates ("20 June 2024", "20 juin 2024", "20.06.2024"…).

    The parts that agree are kept as the letter has them, so the result replaces the citation
    whole. A prose link's anchor text is the letter's own wording: only its date is offered.
    """
    parts = []
    if reference.cited_title:
        parts.append(" ".join((meta.title or "").split()) if title else reference.cited_title)
    if reference.cited_date:
        cited_as = reference.cited_date_text or reference.cited_date
        parts.append(write_date(meta.published, cited_as) if date and meta.published else cited_as)
    return ", ".join(part for part in parts if part) or None


# Titles


def normalise(text: str) -> str:
    """A title reduced to what matters for comparing: words and numbers, casefolded."""
    text = unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHY).casefold()
    text = re.sub(r"(?<=\w)['’](?=\w)", "", text)  # "EU's" -> "eus", "l'UE" -> "lue"
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def title_similarity(
    cited: str, candidates: tuple[str, ...] | list[str], thresholds: Thresholds = _DEFAULT
) -> float:
    """The best similarity in [0, 1] of a cited title to any of the page's titles."""
    wanted = normalise(cited)
    if not wanted:
        return 0.0
    pairs = [(c, key) for c in candidates if (key := normalise(c))]
    keys = [key for _, key in pairs]
    cap = round(thresholds.title_similarity - 0.01, 2)
    best = 0.0
    for candidate, key in pairs:
        score = _pair_score(wanted, key, thresholds)
        if score >= thresholds.title_similarity and _names_swapped(cited, candidate):
            score = cap
        best = max(best, score)
    numbers = set(_NUMBER.findall(wanted))
    offered = set(_NUMBER.findall(" ".join(keys)))
    if numbers - offered and offered:
        # The page's titles carry numbers, but not the cited ones: another year, another edition.
        best = min(best, cap)
    return round(best, 3)


def _pair_score(a: str, b: str, thresholds: Thresholds) -> float:
    whole = max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b)) / 100
    short, long = sorted((a, b), key=len)
    if len(short.split()) < thresholds.shortening_min_words:
        return whole
    # A shortening keeps most of its words in order; only then does a partial match count.
    part = max(fuzz.partial_ratio(short, long), fuzz.token_set_ratio(short, long)) / 100
    return max(whole, part)


def _names(text: str) -> list[str]:
    """The capitalised words of a title after its first word: names of places, people, bodies."""
    words = re.findall(r"[^\W\d_]+", unicodedata.normalize("NFKC", text))
    return [w.casefold() for w in words[1:] if w[0].isupper() and len(w) > 2]


def _names_swapped(cited: str, candidate: str) -> bool:
    """Whether a name in the cited title stands where the page has another ("China"/"Japan")."""
    theirs = _names(candidate)
    if not theirs:
        return False
    page_words = set(_words(candidate))

    def present(word: str, pool: set[str] | list[str]) -> bool:
        return any(fuzz.ratio(word, other) >= 80 for other in pool)

    missing = [w for w in _names(cited) if not present(w, page_words)]
    extra = [w for w in theirs if not present(w, set(_words(cited)))]
    return bool(missing and extra)


def _check_title(
    cited: str, meta: PageMeta, thresholds: Thresholds
) -> tuple[float | None, str | None]:
    site = normalise(meta.site_name or "")
    candidates = [c for c in (meta.title, *meta.title_candidates) if c and normalise(c) != site]
    if not candidates:
        return None, "title not verifiable: the page gives no title"
    score = title_similarity(cited, candidates, thresholds)
    if score >= thresholds.title_similarity:
        return score, None
    shown = meta.title or candidates[0]
    return score, f"title differs: cited {_quote(cited)}, page says {_quote(shown)}"


def _quote(text: str, cap: int = 140) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= cap else text[: cap - 1] + "…")


# Dates


def _interval(iso: str) -> tuple[date, date] | None:
    """The first and last day an ISO date (day, month or year precision) stands for."""
    try:
        parts = [int(p) for p in iso.split("-")]
        if len(parts) == 3:
            day = date(*parts)
            return day, day
        if len(parts) == 2:
            first = date(parts[0], parts[1], 1)
            following = date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
            return first, following - timedelta(days=1)
        if len(parts) == 1:
            return date(parts[0], 1, 1), date(parts[0], 12, 31)
    except ValueError:
        return None
    return None


def _dates_agree(cited: str, published: str, thresholds: Thresholds) -> bool:
    a, b = _interval(cited), _interval(published)
    if a is None or b is None:
        return True  # not a date we can compare: say nothing rather than cry wolf
    gap = max((b[0] - a[1]).days, (a[0] - b[1]).days, 0)
    return gap <= thresholds.date_tolerance_days


# Prose links

_STOP_WORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers him his how i if in into is it its itself just
    me more most my no nor not now of off on once only or other our ours out over own same she
    should so some such than that the their theirs them then there these they this those through
    to too under until up very was we were what when where which while who whom why will with
    would you your yours its new recent recently latest further including
    au aux avec ce ces cet cette dans de des du elle en et eux il ils je la le les leur leurs lui
    ma mais me même mes moi mon ne nos notre nous on ou où par pas pour qu que qui sa se ses son
    sur ta te tes toi ton tu un une vos votre vous été être avoir fait sont est ont était ici
    aber alle als am an auch auf aus bei bin bis das dass dem den der des die dies diese dieser
    doch du durch ein eine einem einen einer eines er es für hat hatte ich ihr ihre im in ist
    ja kann mit nach nicht noch nur oder sich sie sind so über um und uns unter vom von vor war
    was wie wir wird zu zum zur hier
    al algo con contra cual cuando del desde donde el ella ellas ellos en entre era es esa ese
    eso esta este esto estos fue ha hay la las le les lo los mas más me mi muy nos o otra otro
    para pero por que quien se sin sobre su sus también te tu un una unos y ya aquí
    aan al als bij dan dat de deze die dit door een en er had heb het hij hoe hun ik in is je
    kan maar met mij na naar niet nog of om ons ook op over te tot u uit van voor was wat we
    wel wie zal ze zich zij zijn
    """.split()
)
# Words that say "a link is here" rather than what it is about.
_GENERIC = frozenset(
    """
    here this link click read see source statement report article page website site document
    press release resolution letter news details info information available online full text
    pdf download view visit following previous earlier official publication published story post
    blog more below above url web link links recommendation decision rapport communiqué lien
    lire voir ici déclaration bericht erklärung siehe hier informe declaración aquí enlace
    verslag zie
    """.split()
)
_SUFFIXES = (
    "ations",
    "ation",
    "ements",
    "ement",
    "ments",
    "ment",
    "ungen",
    "ciones",
    "ción",
    "cion",
    "ings",
    "ing",
    "ions",
    "ion",
    "ities",
    "ity",
    "ité",
    "ite",
    "heid",
    "ung",
    "ies",
    "ées",
    "ée",
    "és",
    "ed",
    "es",
    "en",
    "er",
    "s",
    "e",
    "é",
)


def _words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHY).casefold()
    return re.findall(r"[^\W\d_]{2,}", text)


def stem(word: str) -> str:
    """A light stem, good enough to tell whether two texts share a word, in five languages."""
    word = "".join(
        c for c in unicodedata.normalize("NFD", word.casefold()) if not unicodedata.combining(c)
    )
    word = re.sub(r"our(s?)$", r"or\1", word)  # labour -> labor (British/American spelling)
    word = re.sub(r"ention$", "ain", word)  # detention -> detain, retention -> retain
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _content_words(text: str) -> list[str]:
    words = _words(text)
    return [w for w in words if len(w) > 2 and w not in _STOP_WORDS and w not in _GENERIC]


def _related(a: str, b: str) -> bool:
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    return len(short) >= 5 and long.startswith(short)


def _check_topic(anchor: str, meta: PageMeta, thresholds: Thresholds) -> str | None:
    """A note when the anchor text has nothing to do with the page, None when it may have."""
    if re.search(r"://|^www\.|^[\w.+-]+@|\.\w{2,4}/", anchor.strip()):
        return None
    wanted = {stem(w) for w in _content_words(anchor)}
    if len(wanted) < thresholds.prose_min_words:
        return None
    page_text = " ".join(
        [
            *(c for c in (meta.title, *meta.title_candidates) if c),
            meta.description or "",
            *meta.headings,
            meta.text_head,
        ]
    )
    # Distinct words: the title comes back as og:title, <title> parts and <h1>, and repeating it
    # must not make a near-empty page look like one with enough text to judge.
    page_words = set(_words(page_text))
    if not meta.title or len(page_words) < thresholds.prose_min_page_words:
        return None
    offered = {stem(w) for w in page_words}
    if any(_related(w, o) for w in wanted for o in offered):
        return None
    shown = f" {_quote(meta.title, 80)}" if meta.title else ""
    return f"anchor text {_quote(anchor, 80)} not found on the page{shown}"
