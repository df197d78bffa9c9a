"""Facts about a URL's text that need no network (all pure): whether it is a placeholder, its
scheme, what makes it unusable, its dedupe/cache key, its credentials masked.

The statuses these facts lead to are decided in ``classify`` (``precheck``), not here.
"""

from __future__ import annotations

import re
from urllib.parse import SplitResult, urlsplit, urlunsplit

# What editors leave behind before the real link is known. Compared case-insensitively after
# stripping whitespace; example.com and friends are reserved for documentation (RFC 2606).
_PLACEHOLDER_TEXTS = frozenset(
    {
        "",
        "#",
        "about:blank",
        "todo",
        "tbd",
        "tbc",
        "xxx",
        "fixme",
        "url",
        "link",
        "...",
        "…",
        "http://",
        "https://",
        "javascript:void(0)",
        "javascript:void(0);",
        "javascript:;",
    }
)
_EXAMPLE_HOST = re.compile(r"^(?:[\w-]+\.)*example\.(?:com|org|net|edu)$|^example$", re.IGNORECASE)
# The schemes citecheck fetches, and those it only checks the syntax of.
FETCHED_SCHEMES = frozenset({"http", "https"})
_SYNTAX_ONLY = {
    "mailto": re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
    "tel": re.compile(r"^\+?[\d\-. ()/]{3,}$"),
}
SYNTAX_ONLY_SCHEMES = frozenset(_SYNTAX_ONLY)
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_HOST = re.compile(r"^[A-Za-z0-9\-._~%!$&'()*+,;=\u0080-\U0010ffff]+$|^\[[0-9A-Fa-f:.]+\]$")
_DEFAULT_PORTS = {"http": 80, "https": 443}

# A web address written without its scheme ("www.hrw.org/news/…"): a host starting "www.", or
# any host under an alphabetic top-level domain when a path follows ("hrw.org/news"). A host
# alone without "www." ("Amazon.com") is left alone: too often a name, not a link. Not glued to
# what precedes it, so e-mail addresses (x@hrw.org) and paths (a/b.org/c) are no addresses; a
# file name (report.pdf) has no path after it, and a version number (1.2/3) no alphabetic
# top-level domain; file extensions are never top-level domains here (index.html/…).
SCHEMELESS = re.compile(
    r"(?<![\w@.+/:%~\-])(?:"
    r"www\.(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.(?=[a-z0-9]))++[a-z]{2,24}(?![\w-])"
    r"|(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.(?=[a-z0-9]))++"
    r"(?!(?:html?|php|aspx?|jsp|pdf|docx?|xlsx?|pptx?|odt|txt|md|csv|json|xml|js|py|zip)/)"
    r"[a-z]{2,24}(?=/)"
    r")",
    re.IGNORECASE,
)


def placeholder_reason(url: str) -> str | None:
    """Why ``url`` looks like a link that was never filled in, or None."""
    text = url.strip()
    if text.lower() in _PLACEHOLDER_TEXTS:
        return f"placeholder link {text!r}" if text else "empty link"
    if text.upper().strip("#[]<>()") in {"TODO", "TBD", "TBC", "XXX", "FIXME", "LINK", "URL"}:
        return f"placeholder link {text!r}"
    try:
        host = urlsplit(text).hostname or ""
    except ValueError:
        return None
    if _EXAMPLE_HOST.match(host):
        return f"placeholder link: {host} is reserved for examples"
    return None


def scheme_of(url: str) -> str | None:
    """The scheme ``url`` is written with, lower-cased ("https", "mailto"), or None."""
    match = _SCHEME.match(url.strip())
    return match.group(1).lower() if match else None


def address_of(url: str) -> str:
    """What follows the scheme of a mailto:/tel: link, without its query ("x@ngo.org")."""
    text = url.strip()
    match = _SCHEME.match(text)
    rest = text[match.end() :] if match else text
    return rest.split("?", 1)[0]


def well_formed_address(scheme: str, address: str) -> bool:
    """Whether ``address`` is well formed for a syntax-only ``scheme`` (mailto, tel)."""
    return bool(_SYNTAX_ONLY[scheme].match(address))


def http_syntax_problem(url: str) -> str | None:
    """What makes an http(s) URL unusable (no host, bad port, spaces…), or None."""
    if any(ch.isspace() for ch in url.strip()):
        return "URL contains whitespace"
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        return f"malformed URL: {exc}"
    if not parts.hostname:
        return "URL has no host"
    host = parts.netloc.rsplit("@", 1)[-1]
    if port is not None:
        host = host.rsplit(":", 1)[0]
    if not host or not _HOST.match(host) or ".." in host:
        return f"malformed host {host!r}"
    return None


def split_fragment(url: str) -> tuple[str, str | None]:
    """``url`` without its ``#fragment``, and the fragment (None when there is none)."""
    base, sep, fragment = url.partition("#")
    return base, (fragment if sep and fragment else None)


def dedupe_key(url: str) -> str:
    """The key under which equal URLs are fetched once: scheme and host lower-cased, default port
    and fragment dropped, an empty path made ``/``. Path and query are kept as written, since
    servers may treat their case and order as meaningful."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host.lower()
    except UnicodeError:
        host = host.lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    netloc = host if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    if parts.username is not None:
        userinfo = parts.username + (f":{parts.password}" if parts.password is not None else "")
        netloc = f"{userinfo}@{netloc}"
    return urlunsplit(SplitResult(scheme, netloc, parts.path or "/", parts.query, ""))


_USERINFO = re.compile(r"\b([a-zA-Z][a-zA-Z0-9+.\-]*://)([^/?#@\s<>]*)@")


def mask_credentials(text: str) -> str:
    """``text`` with every URL's ``user:password@`` replaced by ``***@``, for every output and
    export: a URL, or an anchor text that is itself a URL (a bare link or an autolink)."""
    return _USERINFO.sub(r"\1***@", text)


def star_credentials(text: str) -> str:
    """``text`` with every URL's ``user:password@`` starred out character for character, for
    views that show the letter itself: its (line, column) positions still hold."""
    return _USERINFO.sub(lambda m: f"{m.group(1)}{'*' * len(m.group(2))}@", text)
