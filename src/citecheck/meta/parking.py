"""Whether a page is a parked or for-sale domain rather than the site that was cited.

A lapsed domain is often bought and parked: the address still answers 200 with a registrar's or a
marketplace's page ("This domain is for sale", ads for related searches). Precision matters more
than recall (a false alarm fails CI), so only strong signals count, and never the mere words
"domain for sale" in a page's text:

1. The page's title or one of its first headings *is* a parking statement about itself: "This
   domain is for sale", "Buy this domain", "This domain name is parked", "The domain name x.org is
   for sale" (the whole title or heading, a domain name and punctuation around it allowed).
2. The title or a first heading is a looser sale statement ("x.org is for sale", "Domain for
   sale", "x.org is available for purchase") and the page backs it: a buying call ("Buy now",
   "Make an offer", "Lease to own"…) or almost no other content. A news headline "Sex.com is for
   sale" sits above a long article with no buying call, so it stays ok.
3. The page loads the machinery of a parking service: a script, frame, form or refresh pointing at
   a parking or ad-feed host (Sedo parking, ParkingCrew, Bodis, Above, GoDaddy's parking lander,
   Google's AdSense for Domains ``caf.js``), or ParkingCrew/Bodis' inline ``window.park`` setup.
   Plain links (``<a href>``) do not count: an article may well link to a marketplace.
4. The page's own address is a marketplace listing: a known marketplace or parking host with a
   listing path (``/forsale/``, ``/buy-domain/``, ``domain_profile.cfm``, ``/lander``…) or a
   domain named in its path or query; on any host, ``/forsale/<domain>`` or
   ``/buy-domain/<domain>``; ``/lander`` (GoDaddy's parking lander) only on a page with almost
   no content.
5. A page with almost no content (under ``_THIN_WORDS`` words) whose text says so about itself:
   "This domain may be for sale", "Buy this domain", "This web page is parked".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

__all__ = ["parked", "parking_marker"]

_THIN_WORDS = 150
_MAX_NODES = 200
_SCRIPT_CHARS = 20_000
_HEADINGS = 3
_URL_CHARS = 500

_DOMAIN = (
    r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?!html?\b|php\b|aspx?\b|jsp\b|pdf\b)[a-z]{2,24}"
)
_EDGE = r"[\s\W]*"
# Rule 1: the whole title or heading is a statement about this very domain.
_SELF_STATEMENT = re.compile(
    rf"^{_EDGE}(?:{_DOMAIN}{_EDGE})?(?:"
    rf"(?:this|the)\s+domain(?:\s+name)?(?:\s+{_DOMAIN})?\s+(?:is|may\s+be|might\s+be|could\s+be)"
    r"\s+(?:for\s+sale|available(?:\s+for\s+(?:sale|purchase))?|parked(?:\s+\w+){0,6})"
    r"|buy\s+this\s+domain(?:\s+name)?|get\s+this\s+domain|this\s+domain\s+is\s+parked.*"
    r"|this\s+(?:web\s+)?page\s+is\s+parked.*|(?:this\s+)?domain\s+(?:is\s+)?parked(?:\s+\w+){0,6}"
    rf")(?:{_EDGE}{_DOMAIN})?{_EDGE}$",
    re.IGNORECASE,
)
# Rule 2: a sale statement that needs the page to back it.
_SALE_STATEMENT = re.compile(
    rf"^{_EDGE}(?:"
    rf"{_DOMAIN}\s+(?:is\s+)?(?:for\s+sale|available\s+for\s+(?:sale|purchase))"
    rf"|(?:{_DOMAIN}{_EDGE})?(?:premium\s+)?domain(?:\s+name)?\s+(?:is\s+)?for\s+sale"
    rf"(?:{_EDGE}{_DOMAIN})?"
    rf"){_EDGE}(?:{_DOMAIN}|inquire\s+now|make\s+an\s+offer)?{_EDGE}$",
    re.IGNORECASE,
)
_BUYING_CALL = re.compile(
    r"\b(?:buy\s+now|make\s+(?:an\s+)?offer|submit\s+(?:an\s+)?offer|lease\s+to\s+own"
    r"|get\s+this\s+domain|buy\s+this\s+domain|inquire\s+(?:now|about\s+this\s+domain)"
    r"|purchase\s+this\s+domain|add\s+to\s+cart)\b",
    re.IGNORECASE,
)
# Rule 5: what a nearly empty page says about itself.
_SELF_TEXT = re.compile(
    r"\b(?:this\s+domain(?:\s+name)?\s+(?:is|may\s+be|might\s+be)\s+(?:for\s+sale|parked)"
    r"|buy\s+this\s+domain|this\s+(?:web\s+)?page\s+is\s+parked"
    r"|this\s+domain\s+(?:name\s+)?is\s+available\s+for\s+(?:sale|purchase))\b",
    re.IGNORECASE,
)
# Hosts that serve parking pages, their scripts and their ad feeds.
_PARKING_HOSTS = (
    "sedoparking.com",
    "parkingcrew.net",
    "bodis.com",
    "above.com",
    "parklogic.com",
    "domainsponsor.com",
    "ndparking.com",
    "dsnextgen.com",
    "syndicatedsearch.goog",
)
# Where a sold or lapsed domain's visitors are sent to buy it.
_MARKETPLACE_HOSTS = (
    *_PARKING_HOSTS,
    "sedo.com",
    "dan.com",
    "afternic.com",
    "hugedomains.com",
    "buydomains.com",
    "undeveloped.com",
    "atom.com",
    "squadhelp.com",
    "brandbucket.com",
    "domainmarket.com",
    "uniregistry.com",
    "efty.com",
    "godaddy.com",
)
# Google's AdSense for Domains and GoDaddy's parking lander; not a bare "parking.js", which a
# city's parking page may well load.
_PARKING_PATHS = re.compile(r"/adsense/domains/|/parking-lander/", re.IGNORECASE)
# What urlsplit removes from anywhere in an address before it reads the host.
_URL_DROPPED = re.compile(r"[\t\r\n]")
_INLINE_MARKERS = re.compile(
    r"\bwindow\.park\s*=|adsense/domains/caf\.js|syndicatedsearch\.goog|sedoparking|parkingcrew",
    re.IGNORECASE,
)
# Every match of _INLINE_MARKERS holds one of these, once lower-cased.
_INLINE_WORDS = ("park", "adsense/domains/caf.js", "syndicatedsearch.goog")
# İ, dotless ı and long ſ match i, i and s in a case-blind search; str.lower keeps them apart.
_CASE_ODD = "\u0130\u0131\u017f"
# Rule 3's elements (scripts with and without an address), and the kind each tag is read as.
_RULE_3 = "script, iframe[src], frame[src], form[action], img[src], link[href], meta[http-equiv]"
_KINDS = {
    "script": "script",
    "iframe": "frame",
    "frame": "frame",
    "form": "form",
    "img": "img",
    "link": "link",
    "meta": "meta",
}
_LISTING_PATH = re.compile(
    r"^/(?:forsale|for-sale|buy-domain|domain_profile\.cfm|lander|search/details"
    r"|domainsearch/find)(?:/|$)",
    re.IGNORECASE,
)
_ANY_HOST_LISTING = re.compile(rf"^/(?:forsale|buy-domain)/{_DOMAIN}/?$", re.IGNORECASE)
_LANDER = re.compile(r"^/lander/?$", re.IGNORECASE)
_PATH_NAMES_DOMAIN = re.compile(rf"/{_DOMAIN}(?:$|/)", re.IGNORECASE)
_QUERY_NAMES_DOMAIN = re.compile(rf"(?:^|&)(?:domain\w*|d|dn|name)={_DOMAIN}(?:$|&)", re.IGNORECASE)


def parking_marker(tree: LexborHTMLParser) -> str | None:
    """The parking service a page's scripts, frames, forms or refresh point at (rule 3), or None.

    Read before the page's scripts are stripped for its text.
    """
    found = _rule_3_nodes(tree)
    for kind, attr in (
        ("script", "src"),
        ("frame", "src"),
        ("form", "action"),
        ("img", "src"),
        ("link", "href"),
    ):
        for node in found[kind][:_MAX_NODES]:
            address = _parking_address(node.attributes.get(attr) or "")
            if address:
                return f"it loads {address}"
    for node in found["meta"][:_MAX_NODES]:
        if (node.attributes.get("http-equiv") or "").lower() == "refresh":
            target = _hostname(
                (node.attributes.get("content") or "").partition("=")[2].strip(" '\"")
            )
            if _market_host(target):
                return f"it forwards to {target}"
    for node in found["inline"][:_MAX_NODES]:
        match = _inline_marker(node.text()[:_SCRIPT_CHARS])
        if match:
            return f"its script sets up a parking page ({match.group(0).strip()})"
    return None


def _rule_3_nodes(tree: LexborHTMLParser) -> dict[str, list[LexborNode]]:
    """The elements rule 3 reads, by kind, each kind in document order: a walk of the tree costs
    about as much as the whole rule otherwise, so it is walked once rather than once a kind."""
    found: dict[str, list[LexborNode]] = {kind: [] for kind in (*_KINDS.values(), "inline")}
    for node in tree.css(_RULE_3):
        kind = _KINDS[node.tag or ""]
        if kind == "script" and "src" not in node.attributes:
            kind = "inline"
        found[kind].append(node)
    return found


def _inline_marker(script: str) -> re.Match[str] | None:
    """The first of ``_INLINE_MARKERS`` in a script, looked for only where one can be.

    The case-blind search costs microseconds per line of script; every match holds one of
    ``_INLINE_WORDS`` once lower-cased, unless the script has a character that the search, but
    not ``str.lower``, takes for an ASCII letter (``_CASE_ODD``).
    """
    lowered = script.lower()
    if any(word in lowered for word in _INLINE_WORDS) or any(c in script for c in _CASE_ODD):
        return _INLINE_MARKERS.search(script)
    return None


def parked(
    url: str, titles: Iterable[str | None], headings: Iterable[str], text: str, marker: str | None
) -> str | None:
    """Why the page at ``url`` is a parked or for-sale domain, or None (see the module's rules)."""
    # Split off no more words than the threshold needs: a long text is not thin either way.
    thin = len(text.split(maxsplit=_THIN_WORDS)) < _THIN_WORDS
    prominent = [t for t in (*titles, *list(headings)[:_HEADINGS]) if t and len(t) < 200]
    for statement in prominent:
        if _SELF_STATEMENT.match(statement):
            return f"the page says {statement.strip()!r}"
    for statement in prominent:
        if _SALE_STATEMENT.match(statement) and (thin or _BUYING_CALL.search(text)):
            return f"the page says {statement.strip()!r}"
    if marker:
        return marker
    listing = _listing(url, thin)
    if listing:
        return listing
    if thin and (said := _SELF_TEXT.search(text)):
        return f"the page says {said.group(0)!r} and little else"
    return None


def _listing(url: str, thin: bool) -> str | None:
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    path, query = unquote(parts.path)[:_URL_CHARS], unquote(parts.query)[:_URL_CHARS]
    market = _market_host(host)
    if market and (
        _LISTING_PATH.match(path)
        or _PATH_NAMES_DOMAIN.search(path)
        or _QUERY_NAMES_DOMAIN.search(query)
    ):
        return f"its address is a listing on {market}"
    if _ANY_HOST_LISTING.match(path) or (thin and _LANDER.match(path)):
        return f"its address is a domain sale page ({path})"
    return None


def _parking_address(address: str) -> str | None:
    if not _may_park(address):
        return None
    host = _hostname(address)
    if host and any(_within(host, parking) for parking in _PARKING_HOSTS):
        return host
    if _PARKING_PATHS.search(address):
        return address.removeprefix("//").split("?")[0][:100]
    return None


def _may_park(address: str) -> bool:
    """False when ``address`` can name no parking host nor path, without parsing it (most of a
    page's addresses): its host is lower-cased text of the address, unless the parser drops a
    tab or newline from inside it first."""
    lowered = address.lower()
    return (
        any(parking in lowered for parking in _PARKING_HOSTS)
        or _PARKING_PATHS.search(address) is not None
        or _URL_DROPPED.search(address) is not None
    )


def _market_host(host: str) -> str | None:
    return next((market for market in _MARKETPLACE_HOSTS if _within(host, market)), None)


def _within(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


def _hostname(address: str) -> str:
    if address.startswith("//"):
        address = "http:" + address
    try:
        return (urlsplit(address).hostname or "").lower()
    except ValueError:
        return ""
