"""An HTML page's text -> PageMeta: what the page says about its title, date, site and content.

Title, in this order of trust (the first that is left with words once the site's name is removed):
``citation_title`` (scholarly), ``og:title``, JSON-LD ``headline``/``name`` (also inside
``@graph`` and lists), ``twitter:title``, ``dc.title``, ``<title>``, the first ``<h1>``. A site
name is removed from either end of a title ("… | Human Rights Watch", "European Parliament — …")
when it matches og:site_name, JSON-LD publisher/WebSite name, application-name or the host name;
without a known name, a short trailing part after ``|``, ``·`` or ``»`` (or a Title-Cased one after
a dash) is taken for one. ``title_candidates`` keeps every signal, the parts of ``<title>`` and the
first ``<h1>``, so that claims.py can match a cited title against the best of them.

Publication date, in this order of trust (modified/updated dates are never publication dates):
``citation_publication_date``/``citation_date``/``citation_online_date``;
``article:published_time`` and kin (``pubdate``, ``parsely-pub-date``…); JSON-LD
``datePublished`` then ``dateCreated``; ``DC.date``/``dcterms.issued``/``dcterms.date``…;
an element with ``itemprop=datePublished``; a visible dateline with a keyword ("Published 13 June
2024", "Publié le…", "Veröffentlicht am…", "Publicado el…", "Gepubliceerd op…"); a ``<time
datetime>`` outside navigation, asides and footers; a date in the URL path (``/2025/07/17/``,
``/2025/07/``); finally a date standing just after the ``<h1>``. Machine-readable values keep the
calendar date as written (``2024-06-13T23:30:00-05:00`` is 2024-06-13, not converted to UTC).

Hostile input is bounded: documents nested deeper than a browser would bother with are cut where
the nesting gets absurd (the parser's cost grows with the square of the depth), and every value
is capped in length before any regular expression sees it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from itertools import accumulate
from operator import sub
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from rapidfuzz import fuzz
from selectolax.lexbor import LexborHTMLParser, LexborNode

from citecheck.dates import find_date
from citecheck.meta.fingerprint import simhash
from citecheck.meta.machine_date import machine_date
from citecheck.meta.parking import parked, parking_marker
from citecheck.models import PageMeta

__all__ = ["extract_html"]

_MAX_CHARS = 4_000_000
_MAX_DEPTH = 1_500
_TITLE_CAP = 500
_DESCRIPTION_CAP = 1_000
_TEXT_HEAD = 2_000
_SCAN_TEXT = 8_000
_MAX_HEADINGS = 40
_MAX_ANCHORS = 5_000
_MAX_METAS = 1_000
_MAX_LD_SCRIPTS = 20
_MAX_LD_CHARS = 300_000
_MAX_LD_NODES = 2_000

_SEPARATORS = re.compile(r"\s+[|–—\-·:»]\s+|\s*[|·»]\s*|:\s+")
_STRONG = frozenset("|·»")
# Tags that close themselves or are closed implicitly: they do not deepen the tree.
_FLAT = (
    "p|li|dt|dd|option|optgroup|tr|td|th|thead|tbody|tfoot|rb|rt|rp|br|img|meta|link|input|hr"
    "|area|base|col|embed|source|track|wbr|param|html|head|body|!doctype"
)
_TAG = re.compile(rf"<(/?)(?!(?:{_FLAT})\b)[a-zA-Z][\w:-]*", re.IGNORECASE)
_SELF_CLOSED = re.compile(r"<(?!/)[^>]{0,300}/>")
_STEP = {"": 1, "/": -1}  # an opening tag goes one deeper, a closing one back
# Every opening tag, and the closings of the tags that nest: never shallower than _TAG's count.
# Case is ignored only in the lookahead, which halves the time of a whole-flag IGNORECASE.
_ROUGH_TAG = re.compile(rf"<(?:(/)(?!(?i:{_FLAT})\b))?[a-zA-Z]")

_PUBLISHED_META = (
    ("citation_publication_date", "citation_date", "citation_online_date"),
    (
        "article:published_time",
        "og:article:published_time",
        "og:published_time",
        "published_time",
        "datepublished",
        "pubdate",
        "publishdate",
        "publish-date",
        "publication_date",
        "parsely-pub-date",
        "sailthru.date",
    ),
)
_DC_META = (
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.date",
    "dcterms.created",
    "dc.date.created",
    "date",
)
_DATELINE = re.compile(
    r"(?<![\w])(?:published(?:\s+on)?|first\s+published|date\s+of\s+publication|publication\s+date"
    r"|posted(?:\s+on)?|issued(?:\s+on)?|released(?:\s+on)?|publié(?:e)?(?:\s+le)?"
    r"|date\s+de\s+publication|mis\s+en\s+ligne(?:\s+le)?|veröffentlicht(?:\s+am)?"
    r"|erschienen(?:\s+am)?|publicado(?:\s+el)?|fecha\s+de\s+publicación|gepubliceerd(?:\s+op)?"
    r"|publicatiedatum|datum|date|fecha)\s*[:\-–]?\s*",
    re.IGNORECASE,
)
_MODIFIED = re.compile(
    r"(?:updated|modified|revised|edited|mis\s+à\s+jour|modifié|actualisé|aktualisiert|geändert"
    r"|actualizado|modificado|bijgewerkt|gewijzigd|©|\(c\)|copyright)\W{0,3}(?:\w+\W{1,3}){0,2}$",
    re.IGNORECASE,
)
_URL_DATE = re.compile(r"/((?:19|20)\d\d)/(0?[1-9]|1[0-2])(?:/(0?[1-9]|[12]\d|3[01]))?(?=/|$)")
_ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "blogposting",
        "report",
        "scholarlyarticle",
        "pressrelease",
        "webpage",
        "creativework",
        "analysisnewsarticle",
        "reportagenewsarticle",
        "legislation",
        "event",
        "dataset",
        "book",
        "chapter",
        "govermentdocument",
        "digitaldocument",
    }
)
_SITE_TYPES = frozenset(
    {"website", "organization", "ngo", "governmentorganization", "newsmediaorganization"}
)
_NON_WORD = re.compile(r"[\W_]+")
_NOT_CONTENT = (
    "script, style, noscript, template, svg, nav, footer, aside, iframe, form, button, select"
)


def extract_html(text: str, url: str, *, fingerprint: bool = False) -> PageMeta:
    """The metadata of an HTML page, given its decoded text and the URL it was fetched from;
    with ``fingerprint``, the SimHash of its main text too."""
    tree = LexborHTMLParser(_bounded(text[:_MAX_CHARS]))
    metas = _metas(tree)
    ld = _LinkedData(_ld_objects(tree))
    site_names = _site_names(metas, ld, url)
    h1 = _first_text(tree, "h1", _TITLE_CAP)
    title_tag = _first_text(tree, "title", _TITLE_CAP)

    signals = [
        ("citation_title", metas.get("citation_title")),
        ("og:title", metas.get("og:title")),
        ("json-ld", ld.headline),
        ("twitter:title", metas.get("twitter:title")),
        ("dc.title", metas.get("dc.title") or metas.get("dcterms.title")),
        ("title", title_tag),
        ("h1", h1),
    ]
    title, title_source = _choose_title(signals, site_names, h1, url)
    candidates = _candidates(signals, title)

    headings = tuple(_texts(tree.css("h1, h2, h3"), _MAX_HEADINGS, 300))
    anchors = _anchors(tree)
    lang = _lang(tree, metas)
    canonical = _canonical(tree, metas, url)
    description = _clip(
        metas.get("description") or metas.get("og:description") or metas.get("twitter:description"),
        _DESCRIPTION_CAP,
    )
    published, date_source = _published(tree, metas, ld)
    time_date = _time_element(tree) if published is None else None
    marker = parking_marker(tree)  # before the scripts go
    # This changes the tree, so it comes last: the content text is read with the clutter removed.
    scan = _content_text(tree)
    if published is None:
        published, date_source = _visible_date(scan, h1, time_date, url)
    return PageMeta(
        title=title,
        title_source=title_source,
        title_candidates=candidates,
        published=published,
        date_source=date_source,
        site_name=site_names[0] if site_names else None,
        canonical=canonical,
        lang=lang,
        description=description,
        headings=headings,
        text_head=_head(scan, _TEXT_HEAD),
        anchors=anchors,
        parked=parked(url, (title_tag, title, h1), headings, scan, marker),
        fingerprint=simhash(scan) if fingerprint else None,
    )


def _bounded(text: str) -> str:
    """The text, cut where its element nesting gets deeper than any real page goes.

    Depth counts the tags that nest (``_TAG``); a closing tag with nothing open is ignored, as
    the HTML parser ignores it, so stray closings cannot hide a deep page.
    """
    brackets = text.count("<")
    # No deeper than the tags that open, and a "</" opens none: most pages stop here, before
    # the reading of every tag.
    if brackets < _MAX_DEPTH or brackets - text.count("</") <= _MAX_DEPTH:
        return text
    if _deepest(_ROUGH_TAG.findall(text)) <= _MAX_DEPTH:
        return text  # real pages end here, without a Python-level loop over their tags
    depth = 0
    for match in _TAG.finditer(text):  # lazily: a deep page is cut without reading it all
        depth = max(0, depth - 1) if match.group(1) else depth + 1
        if depth > _MAX_DEPTH and not _SELF_CLOSED.match(text, match.start()):
            return text[: match.start()]
    return text


def _deepest(slashes: list[str]) -> int:
    """The deepest point of tags given as '' (opening) or '/' (closing), a closing with nothing
    open ignored: the highest rise of the running sum over its lowest point before."""
    heights = list(accumulate(map(_STEP.__getitem__, slashes), initial=0))
    rises: Iterator[int] = map(sub, heights, accumulate(heights, min))
    return max(rises)


def _clip(value: str | None, cap: int) -> str | None:
    """Whitespace collapsed, at most ``cap`` characters; None when nothing is left."""
    if not value:
        return None
    value = _collapsed(value, cap).strip()
    return value or None


def _collapsed(text: str, cap: int) -> str:
    """``" ".join(text[: cap * 4].split())[:cap]``, splitting no more of the text than needed.

    Collapsing a prefix gives a prefix of the collapsed whole, so when a slice a little longer
    than ``cap`` already yields ``cap`` characters, the longer slice could not change them.
    A page's text is often already collapsed: printable text has no whitespace but the plain
    space, so without two spaces in a row only its ends can change, and nothing is split.
    """
    head = text[: cap + 2]
    if "  " not in head and head.isprintable():
        return head.strip(" ")[:cap]
    near = cap * 5 // 4
    collapsed = " ".join(text[:near].split())
    if len(collapsed) < cap and len(text) > near:
        collapsed = " ".join(text[: cap * 4].split())
    return collapsed[:cap]


def _head(text: str, cap: int) -> str:
    if len(text) <= cap:
        return text
    cut = text.rfind(" ", 0, cap)
    return text[: cut if cut > cap // 2 else cap]


def _first_text(tree: LexborHTMLParser, selector: str, cap: int) -> str | None:
    for node in _first_matches(tree, selector, 50):
        text = _clip(node.text(separator=" ", strip=True), cap)
        if text:
            return text
    return None


def _first_matches(tree: LexborHTMLParser, selector: str, limit: int) -> Iterator[LexborNode]:
    """The first ``limit`` nodes matching ``selector``, in document order. Each query walks the
    tree, but finding the first stops the walk there: the rest is looked for only if asked."""
    first = tree.css_first(selector)
    if first is not None:
        yield first
        yield from tree.css(selector)[1:limit]


def _texts(nodes: Iterable[LexborNode], limit: int, cap: int) -> Iterator[str]:
    count = 0
    for node in nodes:
        text = _clip(node.text(separator=" ", strip=True), cap)
        if text:
            yield text
            count += 1
            if count >= limit:
                return


def _metas(tree: LexborHTMLParser) -> dict[str, str]:
    """``<meta>`` values by lower-cased name/property/itemprop/http-equiv; the first one wins."""
    found: dict[str, str] = {}
    for node in tree.css("meta")[:_MAX_METAS]:
        attrs = node.attributes
        content = attrs.get("content")
        if not content:
            continue
        for attr in ("name", "property", "itemprop", "http-equiv"):
            key = attrs.get(attr)
            if key:
                found.setdefault(key.strip().lower()[:100], content[: _DESCRIPTION_CAP * 4])
    return found


def _ld_objects(tree: LexborHTMLParser) -> list[dict[str, Any]]:
    """Every JSON object in the page's JSON-LD scripts (flattened, bounded)."""
    objects: list[dict[str, Any]] = []
    scripts = [
        node
        for node in tree.css("script[type]")
        if "ld+json" in (node.attributes.get("type") or "").lower()
    ]
    for node in scripts[:_MAX_LD_SCRIPTS]:
        data = _loads(node.text()[:_MAX_LD_CHARS])
        _flatten(data, objects, 0)
        if len(objects) >= _MAX_LD_NODES:
            break
    return objects


def _loads(raw: str) -> Any:
    """JSON-LD as sites really publish it: CDATA wrappers, trailing commas, raw newlines."""
    raw = raw.strip()
    raw = re.sub(r"^\s*(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>\s*$", "", raw).strip()
    for attempt in (raw, re.sub(r",\s*([}\]])", r"\1", raw)):
        try:
            return json.loads(attempt, strict=False)
        except (ValueError, RecursionError):
            continue
    # Beyond repair as a whole: keep the plain string fields a regular expression can still see.
    fields = re.findall(
        r'"(headline|name|datePublished|dateCreated|@type)"\s*:\s*"((?:[^"\\]|\\.){0,1000})"', raw
    )
    if not fields:
        return None
    record: dict[str, str] = {}
    for key, value in fields:
        record.setdefault(key, value.replace('\\"', '"'))
    return record


def _flatten(data: Any, out: list[dict[str, Any]], depth: int) -> None:
    if depth > 12 or len(out) >= _MAX_LD_NODES:
        return
    if isinstance(data, list):
        for item in data[:200]:
            _flatten(item, out, depth + 1)
    elif isinstance(data, dict):
        out.append(data)
        graph = data.get("@graph")
        if graph is not None:
            _flatten(graph, out, depth + 1)
        main = data.get("mainEntity") or data.get("mainEntityOfPage")
        if isinstance(main, dict | list):
            _flatten(main, out, depth + 1)


def _types(node: dict[str, Any]) -> set[str]:
    kind = node.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {k.lower() for k in kinds if isinstance(k, str)}


def _string(value: Any) -> str | None:
    if isinstance(value, list) and value:
        value = value[0]
    if isinstance(value, dict):
        value = value.get("@value") or value.get("name")
    return value if isinstance(value, str) and value.strip() else None


class _LinkedData:
    """The title, dates and site names a page's JSON-LD offers, content nodes first."""

    def __init__(self, objects: list[dict[str, Any]]) -> None:
        content = [o for o in objects if _types(o) & _ARTICLE_TYPES]
        untyped = [o for o in objects if not _types(o)]
        others = [o for o in objects if o not in content and o not in untyped]
        ranked = content + untyped
        self.headline = _clip(
            next((h for o in ranked if (h := _string(o.get("headline")))), None)
            or next(
                (
                    n
                    for o in content
                    if "webpage" not in _types(o) and (n := _string(o.get("name")))
                ),
                None,
            ),
            _TITLE_CAP,
        )
        self.published = next(
            (d for o in ranked + others if (d := _string(o.get("datePublished")))), None
        )
        self.created = next((d for o in ranked if (d := _string(o.get("dateCreated")))), None)
        names = [
            _string(o.get("publisher"))
            for o in ranked
            if isinstance(o.get("publisher"), dict | list | str)
        ]
        names += [_string(o.get("name")) for o in others if _types(o) & _SITE_TYPES]
        self.site_names = [n for n in names if n]


def _site_names(metas: dict[str, str], ld: _LinkedData, url: str) -> list[str]:
    names = [
        metas.get("og:site_name"),
        *ld.site_names,
        metas.get("application-name"),
        metas.get("citation_publisher"),
        metas.get("twitter:site", "").lstrip("@") or None,
    ]
    found: list[str] = []
    for name in names:
        clipped = _clip(name, 200)
        if clipped and clipped not in found:
            found.append(clipped)
    return found


def _key(text: str) -> str:
    return " ".join(_NON_WORD.sub(" ", text.casefold()).split())


def _host_words(url: str) -> set[str]:
    try:
        host = (urlsplit(url).hostname or "").removeprefix("www.")
    except ValueError:
        return set()
    labels = host.split(".")
    return {host, labels[0]} if host else set()


def _is_site(part: str, site_names: list[str], url_words: set[str]) -> bool:
    """Whether a title part is the site's name (or its initials, or its host name)."""
    key = _key(part)
    if not key:
        return True
    compact = key.replace(" ", "")
    if compact in url_words or key in url_words or part.strip().lower() in url_words:
        return True
    initials = "".join(word[0] for word in key.split())
    if len(initials) > 1 and initials in url_words:
        return True
    for name in site_names:
        site = _key(name)
        if not site:
            continue
        if key == site or fuzz.ratio(key, site) >= 90:
            return True
        if len(key) > 3 and (site.startswith(key + " ") or site.endswith(" " + key)):
            return True
    return False


def _looks_like_name(part: str) -> bool:
    """A short Title-Cased phrase ("BBC News", "The Guardian"), as sites append to titles."""
    words = part.split()
    small = {"of", "the", "for", "and", "on", "de", "la", "le", "des", "du", "für", "und"}
    capitalised = all(w[0].isupper() or w in small for w in words if w[0].isalpha())
    return 0 < len(words) <= 5 and capitalised


def _split(title: str) -> tuple[list[tuple[int, int]], list[str]]:
    """Where a title's parts are (start, end) and the separators between them."""
    spans, seps, start = [], [], 0
    for match in _SEPARATORS.finditer(title):
        spans.append((start, match.start()))
        seps.append(match.group().strip() or " ")
        start = match.end()
    spans.append((start, len(title)))
    return spans, seps


def _parts(title: str) -> list[str]:
    return [title[start:end].strip() for start, end in _split(title)[0]]


def _strip_site(title: str, site_names: list[str], url_words: set[str]) -> str:
    """The title without a site name at either end (the rest kept exactly as written)."""
    spans, seps = _split(title)

    def part(span: tuple[int, int]) -> str:
        return title[span[0] : span[1]]

    while len(spans) > 1 and _is_site(part(spans[-1]), site_names, url_words):
        spans.pop()
        seps.pop()
    while len(spans) > 1 and _is_site(part(spans[0]), site_names, url_words):
        spans.pop(0)
        seps.pop(0)
    if len(spans) > 1 and not site_names:
        last, sep = part(spans[-1]), seps[-1]
        rest = len(title[spans[0][0] : spans[-2][1]].split())
        short = len(last.split()) <= 6 and rest >= len(last.split())
        if short and (sep in _STRONG or (sep in "-–—" and _looks_like_name(last))):
            spans.pop()
    return title[spans[0][0] : spans[-1][1]].strip()


def _heading_part(title: str, h1: str) -> bool:
    """Whether the title is the page's heading and a site part ("Heading | Site")."""
    wanted = _key(h1)
    for match in _SEPARATORS.finditer(title):
        if ":" in match.group():
            continue  # "Topic: heading" is one title, not a heading and a site name
        if _key(title[: match.start()]) == wanted or _key(title[match.end() :]) == wanted:
            return True
    return False


def _choose_title(
    signals: list[tuple[str, str | None]], site_names: list[str], h1: str | None, url: str
) -> tuple[str | None, str | None]:
    url_words = _host_words(url)
    for name, value in signals:
        value = _clip(value, _TITLE_CAP)
        if not value:
            continue
        if name in ("title", "og:title", "twitter:title") and h1 and _heading_part(value, h1):
            return h1, name
        cleaned = _strip_site(value, site_names, url_words)
        if cleaned and not _is_site(cleaned, site_names, url_words):
            return cleaned, name
    return None, None


def _candidates(signals: list[tuple[str, str | None]], title: str | None) -> tuple[str, ...]:
    found: list[str] = [title] if title else []
    for name, value in signals:
        value = _clip(value, _TITLE_CAP)
        if not value:
            continue
        found.append(value)
        if name in ("title", "og:title", "twitter:title"):
            found.extend(_parts(value))
    unique: dict[str, str] = {}
    for item in found:
        if item:
            unique.setdefault(_key(item), item)
    return tuple(unique.values())


def _anchors(tree: LexborHTMLParser) -> frozenset[str]:
    found: set[str] = set()
    for node in tree.css("[id], a[name]"):
        for attr in ("id", "name"):
            value = node.attributes.get(attr)
            if value and len(value) <= 200:
                found.add(value)
        if len(found) >= _MAX_ANCHORS:
            break
    return frozenset(found)


def _lang(tree: LexborHTMLParser, metas: dict[str, str]) -> str | None:
    root = tree.css_first("html")
    value = None
    if root is not None:
        value = root.attributes.get("lang") or root.attributes.get("xml:lang")
    value = value or metas.get("content-language") or metas.get("dc.language")
    if not value:
        return None
    value = value.split(",")[0].strip()
    return value[:35] if re.fullmatch(r"[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8})*", value) else None


def _canonical(tree: LexborHTMLParser, metas: dict[str, str], url: str) -> str | None:
    hrefs = [
        node.attributes.get("href")
        for node in tree.css("link[rel][href]")[:100]
        if "canonical" in (node.attributes.get("rel") or "").lower().split()
    ]
    for href in [*hrefs, metas.get("og:url")]:
        if not href or len(href) > 2_000:
            continue
        try:
            absolute = urljoin(url, href.strip())
            if urlsplit(absolute).scheme in ("http", "https"):
                return absolute
        except ValueError:
            continue
    return None


def _published(
    tree: LexborHTMLParser, metas: dict[str, str], ld: _LinkedData
) -> tuple[str | None, str | None]:
    """The publication date from machine-readable signals, in the module's order of trust."""
    ordered: list[tuple[str, str | None]] = []
    for group in _PUBLISHED_META:
        ordered.extend((name, metas.get(name)) for name in group)
    ordered += [("json-ld datePublished", ld.published), ("json-ld dateCreated", ld.created)]
    ordered.extend((name, metas.get(name)) for name in _DC_META)
    for source, value in ordered:
        iso = machine_date(value)
        if iso:
            return iso, source
    for node in tree.css("[itemprop=datePublished]")[:10]:
        attrs = node.attributes
        value = attrs.get("datetime") or attrs.get("content") or node.text(strip=True)
        iso = machine_date(value)
        if iso:
            return iso, "itemprop=datePublished"
    return None, None


def _time_element(tree: LexborHTMLParser) -> str | None:
    """The first ``<time datetime>`` date in the content (not a related item's, not an update)."""
    for node in tree.css("time[datetime]")[:100]:
        attrs = node.attributes
        label = f"{attrs.get('class') or ''} {attrs.get('itemprop') or ''}".lower()
        if re.search(r"modif|updat|revis", label) or _in_clutter(node):
            continue
        iso = machine_date(attrs.get("datetime"))
        if iso:
            return iso
    return None


def _in_clutter(node: LexborNode) -> bool:
    """Whether a node sits in navigation, an aside, a footer or a list of related items."""
    parent = node.parent
    for _ in range(60):
        if parent is None:
            return False
        if parent.tag in ("nav", "aside", "footer"):
            return True
        label = f"{parent.attributes.get('class') or ''} {parent.attributes.get('id') or ''}"
        if re.search(r"related|recommend|more-news|teaser|sidebar|footer", label, re.IGNORECASE):
            return True
        parent = parent.parent
    return False


def _content_text(tree: LexborHTMLParser) -> str:
    """The visible text of the page's content (main or article if marked), clutter removed."""
    root = (
        tree.css_first("main")
        or tree.css_first("[role=main]")
        or tree.css_first("article")
        or tree.body
    )
    if root is None:
        return ""
    for node in root.css(_NOT_CONTENT):
        node.decompose()
    for node in root.css("header"):
        # A page header holds the site's banner and menus; an article's header holds its title.
        if node.css_first("nav") is not None or node.css_first("h1") is None:
            node.decompose()
    text = root.text(separator=" ", strip=True)
    return _collapsed(text, _SCAN_TEXT)


def _visible_date(
    scan: str, h1: str | None, time_date: str | None, url: str
) -> tuple[str | None, str | None]:
    """The publication date from what a reader sees: dateline, <time>, URL, a date by the title."""
    for match in _DATELINE.finditer(scan, 0, _SCAN_TEXT):
        if _MODIFIED.search(scan[max(0, match.start() - 30) : match.start()]):
            continue
        found = find_date(scan[match.end() : match.end() + 40])
        if found is not None and found.start <= 5 and len(found.iso) > 4:
            return found.iso, "dateline"
    if time_date:
        return time_date, "time"
    try:
        path = unquote(urlsplit(url).path)
    except ValueError:
        path = ""
    if (in_path := _URL_DATE.search(path)) is not None:
        year, month, day = in_path.groups()
        iso = f"{year}-{int(month):02d}" + (f"-{int(day):02d}" if day else "")
        if machine_date(iso):
            return iso, "url"
    if h1:
        at = scan.find(h1)
        if at >= 0:
            after = scan[at + len(h1) : at + len(h1) + 300]
            found = find_date(after)
            if (
                found is not None
                and len(found.iso) > 4
                and not _MODIFIED.search(after[max(0, found.start - 30) : found.start])
            ):
                return found.iso, "near title"
    return None, None
