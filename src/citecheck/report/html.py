"""``--format html``: one self-contained page showing each letter with every link marked.

The letter's source is shown as written (whitespace kept, an HTML letter's markup escaped, never
rendered); each link is marked from its (line, column) to the end of its link syntax with a colour,
an icon and a word for its status, and a click on the mark opens its details. A summary bar counts
the statuses, and a checkbox shows only the problems. CSS and JS are inline and a Content Security
Policy pinned to their hashes forbids loading anything else, so the file works offline and a
hostile letter or page cannot run script even if some text escaped ``html.escape``.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from html import escape
from typing import Any

from citecheck import __version__
from citecheck.models import Finding, LinkKind, Reference, Report, Status
from citecheck.report.common import QUIET, where
from citecheck.report.records import archived_copy, finding_record, reference_record
from citecheck.text import normalise_newlines
from citecheck.urls import mask_credentials, star_credentials

# Icon, then a CSS colour group; the icon and the word carry the status without colour.
_LOOK: dict[Status, tuple[str, str]] = {
    Status.OK: ("\u2714", "good"),  # ✔
    Status.MOVED: ("\u21aa", "info"),  # ↪
    Status.DRIFTED: ("\u0394", "warn"),  # Δ
    Status.MISMATCHED: ("\u2260", "mismatch"),  # ≠
    Status.BROKEN: ("\u2716", "bad"),  # ✖
    Status.BLOCKED: ("\u2298", "warn"),  # ⊘
    Status.UNREACHABLE: ("\u25f7", "warn"),  # ◷
    Status.PLACEHOLDER: ("\u25cc", "bad"),  # ◌
    Status.PRIVATE: ("\u2691", "bad"),  # ⚑
    Status.INVALID: ("\u26a0", "bad"),  # ⚠
    Status.SKIPPED: ("\u2013", "quiet"),  # –
}
# A `refs` report checks nothing: its links are marked, but with no status.
_UNCHECKED = ("\u2022", "none", "link")  # •

# Only these become clickable; anything else (javascript:, data:, mailto: …) stays text.
_WEB_URL = re.compile(r"https?://[^\s\x00-\x1f\x7f]+\Z", re.IGNORECASE)
# A Wayback-style capture address: /web/, the capture's YYYYMMDDhhmmss, maybe a suffix (id_).
_CAPTURE = re.compile(r"/web/(\d{4})(\d{2})(\d{2})\d{6}(?:[a-z]{2}_)?/")
# What may follow a Markdown inline link's URL before its ")": an optional title.
_INLINE_TAIL = re.compile(r"""\s*(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\))?\s*\)""")
_REFERENCE_TAIL = re.compile(r"\](?:\[[^\]\n]*\])?")
_ANCHOR_CLOSE = re.compile(r"</a\s*>", re.IGNORECASE)
_TOKEN = re.compile(r"\S+")

_CSS = """
:root{--fg:#1b1b1b;--muted:#4a4a4a;--line:#c8c8c8;font-family:system-ui,"DejaVu Sans",sans-serif}
body{margin:0 auto;max-width:62rem;padding:1rem 1.25rem 3rem;color:var(--fg);background:#fff;
line-height:1.5}
h1{font-size:1.4rem;margin:.2rem 0 .6rem}h2{font-size:1.1rem;margin:1.4rem 0 .4rem}
.summary{border:1px solid var(--line);border-radius:.4rem;padding:.6rem .8rem;background:#fafafa}
.summary p{margin:.1rem 0}.counts{list-style:none;margin:.4rem 0;padding:0;display:flex;
flex-wrap:wrap;gap:.4rem}
.filter{display:inline-flex;gap:.4rem;align-items:center;font-weight:600;cursor:pointer}
.notice{border-left:.3rem solid #a86a00;background:#fff4d6;color:#4d3000;padding:.4rem .6rem}
.letter-head{display:flex;gap:.6rem;align-items:baseline;flex-wrap:wrap}
.letter-head .meta{color:var(--muted);font-size:.9rem}
pre.letter-text{white-space:pre-wrap;overflow-wrap:anywhere;border:1px solid var(--line);
border-radius:.4rem;padding:.8rem;font:.92rem/1.6 "DejaVu Sans Mono",ui-monospace,monospace;
background:#fff}
.empty{color:var(--muted);font-style:italic}
.pill,.badge{display:inline-block;border:1px solid var(--border);border-radius:.8rem;
padding:0 .45rem;background:var(--bg);color:var(--ink);font:600 .78rem/1.5 system-ui,
"DejaVu Sans",sans-serif;white-space:nowrap;vertical-align:baseline}
.badge{cursor:pointer;margin-left:.15rem}
.badge:focus-visible{outline:3px solid #1f5fbf;outline-offset:1px}
.ref-text{background:var(--bg);color:var(--ink);border-bottom:2px solid var(--border);
cursor:pointer}
.group-bad .ref-text,.group-mismatch .ref-text{border-bottom-style:double;border-bottom-width:3px}
.group-warn .ref-text{border-bottom-style:dashed}
.group-quiet .ref-text,.group-none .ref-text{border-bottom-style:dotted}
.group-good{--bg:#e6f4ea;--ink:#0b4d1c;--border:#1e7e34}
.group-info{--bg:#e7f0fb;--ink:#0b3278;--border:#1f5fbf}
.group-mismatch{--bg:#fdebd3;--ink:#6b2c00;--border:#c25e00}
.group-bad{--bg:#fde7e9;--ink:#7d0012;--border:#c4001d}
.group-warn{--bg:#fff4d6;--ink:#5c3900;--border:#a86a00}
.group-quiet{--bg:#eeeeee;--ink:#333333;--border:#6b6b6b}
.group-none{--bg:#f0f0f5;--ink:#2b2b3b;--border:#6d6d80}
.detail{display:block;white-space:normal;margin:.3rem 0 .5rem;padding:.5rem .7rem;
border:1px solid var(--border);border-left-width:.35rem;border-radius:.3rem;background:#fff;
color:var(--fg);font:.88rem/1.45 system-ui,"DejaVu Sans",sans-serif;max-width:52rem}
.detail[hidden],#problems[hidden]{display:none}
.row{display:block}.key{display:inline-block;min-width:9.5rem;font-weight:600;color:var(--muted)}
.value{overflow-wrap:anywhere}
.problems-only .quiet-status .badge,.problems-only .quiet-status .detail{display:none}
.problems-only .quiet-status .ref-text{background:none;border-bottom:0;color:inherit;
cursor:auto}
#problems ol{padding-left:1.4rem}#problems li{margin:.25rem 0}
.unplaced{list-style:none;padding-left:0}
a{color:#0b3278}
"""

_JS = """
"use strict";
(function () {
  var filter = document.getElementById("problems-only");
  var problems = document.getElementById("problems");
  function applyFilter() {
    document.body.classList.toggle("problems-only", filter.checked);
    problems.hidden = !filter.checked;
  }
  function setOpen(button, open) {
    var detail = document.getElementById(button.getAttribute("aria-controls"));
    button.setAttribute("aria-expanded", open ? "true" : "false");
    if (detail) { detail.hidden = !open; }
  }
  if (filter && problems) {
    filter.addEventListener("change", applyFilter);
    applyFilter();
  }
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) { return; }
    var jump = target.closest("a.jump");
    if (jump) {
      var button = document.querySelector(jump.getAttribute("href") + " button.badge");
      if (button) { setOpen(button, true); }
      return;
    }
    var ref = target.closest(".ref");
    if (!ref || target.closest(".detail")) { return; }
    if (document.body.classList.contains("problems-only") &&
        ref.classList.contains("quiet-status")) { return; }
    var badge = ref.querySelector("button.badge");
    setOpen(badge, badge.getAttribute("aria-expanded") !== "true");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    document.querySelectorAll('button.badge[aria-expanded="true"]').forEach(function (b) {
      setOpen(b, false);
    });
  });
})();
"""


def _csp_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


_CSP = (
    f"default-src 'none'; style-src {_csp_hash(_CSS)}; script-src {_csp_hash(_JS)}; "
    "img-src 'none'; base-uri 'none'; form-action 'none'"
)


@dataclass(frozen=True, slots=True)
class _Mark:
    """One link to mark: its number in the page, its reference and (for `check`) its finding."""

    number: int
    reference: Reference
    finding: Finding | None


@dataclass(frozen=True, slots=True)
class _Span:
    """Where a mark sits in its letter's text: ``[start, end)``, empty when squeezed out."""

    start: int
    end: int
    mark: _Mark


def _e(text: object) -> str:
    """``text`` as inert HTML, fit for element content and quoted attribute values."""
    return escape(str(text), quote=True)


def _look(mark: _Mark) -> tuple[str, str, str]:
    """Icon, colour group and word of a mark's status."""
    if mark.finding is None:
        return _UNCHECKED
    icon, group = _LOOK[mark.finding.status]
    return icon, group, mark.finding.status.value


def _url_html(url: str | None, robust: str = "") -> str:
    """A URL as text, and as a link only when it is http(s); ``robust``: its Robust Links
    attributes (see ``_robust``)."""
    if not url:
        return ""
    if _WEB_URL.match(url):
        return f'<a href="{_e(url)}" rel="noopener noreferrer nofollow"{robust}>{_e(url)}</a>'
    return f"<code>{_e(url)}</code>"


def _robust(original: str, archived: str | None) -> str:
    """The Robust Links attributes of a link that has an archived copy, else nothing.

    ``data-versiondate`` is the capture's date, read from the archive address's
    ``/web/YYYYMMDDhhmmss/``; an address with no full date there names no capture, so it gets none.
    """
    if not archived:
        return ""
    attributes = f' data-originalurl="{_e(original)}" data-versionurl="{_e(archived)}"'
    stamp = _CAPTURE.search(archived)
    if stamp:
        attributes += f' data-versiondate="{stamp[1]}-{stamp[2]}-{stamp[3]}"'
    return attributes


def _record(mark: _Mark) -> dict[str, Any]:
    if mark.finding is None:
        return reference_record(mark.reference)
    return finding_record(mark.finding)


def _detail_rows(mark: _Mark) -> list[tuple[str, str]]:
    """The (label, HTML value) rows of a mark's details, only those that apply."""
    record = _record(mark)
    ref, finding = mark.reference, mark.finding
    rows: list[tuple[str, str]] = []
    if finding is not None:
        icon, _, word = _look(mark)
        rows.append(("status", f'<span class="pill">{icon} {word}</span>'))
        rows.append(("message", _e(finding.message)))
    rows.append(("where", _e(where(ref))))
    kind = record["kind"] + (f", footnote {record['footnote']}" if record["footnote"] else "")
    rows.append(("link", _e(kind)))
    rows.append(("link text", _e(record["text"]) if record["text"] else "<em>(none)</em>"))
    archived = archived_copy(finding) if finding is not None else None
    rows.append(("URL", _url_html(record["url"], _robust(record["url"], archived))))
    if finding is not None:
        rows.extend(_verdict_rows(record, finding, archived))
    else:
        rows.extend(_cited_rows(record, page=False))
    return rows


def _cited_rows(record: dict[str, Any], page: bool) -> list[tuple[str, str]]:
    """Cited title and date; with ``page`` (something was fetched), beside what the page says."""
    none = "<em>(none found)</em>"
    rows: list[tuple[str, str]] = []
    if record["cited_title"]:
        rows.append(("cited title", _e(record["cited_title"])))
    if page and (record["cited_title"] or record["title"]):
        rows.append(("page title", _e(record["title"]) if record["title"] else none))
    if record["cited_date"]:
        written = record["cited_date_text"] or record["cited_date"]
        iso = "" if written == record["cited_date"] else f" ({record['cited_date']})"
        rows.append(("cited date", _e(f"{written}{iso}")))
    if page and (record["cited_date"] or record["published"]):
        rows.append(("page date", _e(record["published"]) if record["published"] else none))
    return rows


def _verdict_rows(
    record: dict[str, Any], finding: Finding, archived: str | None
) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    if record["http_status"] is not None:
        reason = finding.fetched.reason if finding.fetched and finding.fetched.reason else ""
        rows.append(("HTTP", _e(f"{record['http_status']} {reason}".strip())))
    if record["final_url"] and record["final_url"] != record["url"]:
        rows.append(("final URL", _url_html(record["final_url"])))
    if record["redirects"]:
        hops = [f"{_e(hop['status'])} from {_url_html(hop['url'])}" for hop in record["redirects"]]
        rows.append(("redirects", " \u2192 ".join(hops)))
    rows.extend(_cited_rows(record, page=finding.meta is not None))
    if record["title_similarity"] is not None:
        rows.append(("title similarity", _e(f"{record['title_similarity']:.0%}")))
    if record["site_name"]:
        rows.append(("site", _e(record["site_name"])))
    robust = _robust(record["url"], archived)
    if record["suggestion"]:
        shown = record["suggestion"]
        rows.append(("suggestion", _url_html(shown, robust if shown == archived else "")))
    if archived and archived != record["suggestion"]:
        rows.append(("archived copy", _url_html(archived, robust)))
    if finding.accessed:
        cached = " (from the cache)" if record["from_cache"] else ""
        rows.append(("checked", _e(f"{finding.accessed}{cached}")))
    return rows


def _detail(mark: _Mark) -> str:
    rows = "".join(
        f'<span class="row"><span class="key">{label}</span> <span class="value">{value}</span>'
        "</span>"
        for label, value in _detail_rows(mark)
    )
    return (
        f'<span class="detail" id="detail-{mark.number}" role="group" '
        f'aria-label="details of link {mark.number}" hidden>{rows}</span>'
    )


def _hover(mark: _Mark) -> str:
    if mark.finding is None:
        return mask_credentials(mark.reference.url)
    return f"{mark.finding.status.value} \u2014 {mark.finding.message}"


def _marked(mark: _Mark, shown: str) -> str:
    """A link's marking: its source text highlighted, a status badge and its hidden details."""
    icon, group, word = _look(mark)
    quiet = mark.finding is not None and mark.finding.status in QUIET
    classes = f"ref group-{group} status-{word}" + (" quiet-status" if quiet else "")
    hover = _e(_hover(mark))
    text = f'<span class="ref-text" title="{hover}">{shown}</span>' if shown else ""
    label = _e(f"{word}: {mask_credentials(mark.reference.text or mark.reference.url)}")
    badge = (
        f'<button type="button" class="badge" aria-expanded="false" '
        f'aria-controls="detail-{mark.number}" aria-label="{label} (details)" title="{hover}">'
        f'<span aria-hidden="true">{icon}</span> {word}</button>'
    )
    return f'<span class="{classes}" id="ref-{mark.number}">{text}{badge}{_detail(mark)}</span>'


def _link_end(line: str, start: int, reference: Reference) -> int:
    """Where the link that starts at ``line[start]`` ends: after its URL or anchor text and the
    syntax that closes it (``)``, ``]``, ``>``, ``</a>``); else at the end of the token there."""
    url_first = reference.kind is not LinkKind.REFERENCE
    url = star_credentials(reference.url)  # the letter text was starred out the same way
    needles = [url, url.replace("&", "&amp;")]
    anchor = star_credentials(reference.text)
    text_needle = [anchor] if anchor and "\n" not in anchor else []
    for needle in (needles + text_needle) if url_first else (text_needle + needles):
        found = line.find(needle, start) if needle else -1
        if found >= 0:
            return _closing(line, start, found + len(needle))
    token = _TOKEN.match(line, start)
    return token.end() if token else start + 1


def _closing(line: str, start: int, end: int) -> int:
    """``end`` moved past the syntax that closes the link opened at ``line[start]``."""
    opener = line[start]
    if opener == "[":
        tail = _INLINE_TAIL.match(line, end) or _REFERENCE_TAIL.match(line, end)
        return tail.end() if tail else end
    if opener == "<":
        if line[start : start + 2].lower() == "<a":
            close = _ANCHOR_CLOSE.search(line, end)
            return close.end() if close else end
        return end + 1 if line[end : end + 1] == ">" else end
    return end


def _place(text: str, marks: list[_Mark]) -> tuple[list[_Span], list[_Mark]]:
    """Each mark's span in ``text``, in order and never overlapping, and the marks whose
    position is outside the text."""
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    spans: list[_Span] = []
    unplaced: list[_Mark] = []
    for mark in marks:
        row, column = mark.reference.line - 1, mark.reference.column - 1
        if not (0 <= row < len(lines) and 0 <= column < len(lines[row])):
            unplaced.append(mark)
            continue
        end = _link_end(lines[row], column, mark.reference)
        spans.append(_Span(offsets[row] + column, offsets[row] + end, mark))
    spans.sort(key=lambda span: (span.start, span.mark.number))
    # A link inside another one's span gets an empty span right after it: its badge still shows.
    clipped: list[_Span] = []
    reached = 0
    for span in spans:
        start = max(span.start, reached)
        end = max(span.end, start)
        clipped.append(_Span(start, end, span.mark))
        reached = end
    return clipped, unplaced


def _letter_body(text: str, marks: list[_Mark]) -> str:
    """The letter's source with its links marked, then the links that could not be placed."""
    text = star_credentials(normalise_newlines(text))
    spans, unplaced = _place(text, marks)
    parts: list[str] = []
    reached = 0
    for span in spans:
        parts.append(_e(text[reached : span.start]))
        parts.append(_marked(span.mark, _e(text[span.start : span.end])))
        reached = span.end
    parts.append(_e(text[reached:]))
    body = (
        # HTML drops a newline right after <pre>: this one, so that the letter's own stays.
        f'<pre class="letter-text">\n{"".join(parts)}</pre>'
        if text
        else '<p class="empty">The letter\'s text is not available.</p>'
    )
    if unplaced:
        items = "".join(
            f"<li>{_e(f'line {m.reference.line}, column {m.reference.column}: ')}"
            f"{_marked(m, _e(mask_credentials(m.reference.text or m.reference.url)))}</li>"
            for m in unplaced
        )
        body += (
            f'<p class="empty">{len(unplaced)} link(s) could not be placed in the text:</p>'
            f'<ul class="unplaced">{items}</ul>'
        )
    return body


def _marks(report: Report) -> list[_Mark]:
    if report.findings is None:
        return [_Mark(n, ref, None) for n, ref in enumerate(report.references, 1)]
    return [_Mark(n, f.reference, f) for n, f in enumerate(report.findings, 1)]


def _letters(report: Report, marks: list[_Mark]) -> list[str]:
    by_letter: dict[str, list[_Mark]] = {}
    for mark in marks:
        by_letter.setdefault(mark.reference.letter, []).append(mark)
    sections: list[tuple[str, str, str]] = [
        (info.path, info.format.value, info.text) for info in report.letters
    ]
    known = {info.path for info in report.letters}
    sections += [(path, "unknown", "") for path in by_letter if path not in known]
    html: list[str] = []
    for number, (path, kind, text) in enumerate(sections, 1):
        found = by_letter.get(path, [])
        noun = "link" if len(found) == 1 else "links"
        html.append(
            f'<section class="letter" aria-labelledby="letter-{number}">'
            f'<div class="letter-head"><h2 id="letter-{number}">{_e(path)}</h2>'
            f'<span class="meta">{_e(kind)} \u00b7 {len(found)} {noun}</span></div>'
            f"{_letter_body(text, found)}"
            "</section>"
        )
    return html


def _summary(report: Report) -> str:
    summary = report.summary()
    letters = len(report.letters)
    head = (
        f"<strong>{summary['total']}</strong> reference{'s' * (summary['total'] != 1)} in "
        f"<strong>{letters}</strong> letter{'s' * (letters != 1)}"
    )
    if report.findings is None:
        return (
            f'<section class="summary" aria-label="Summary"><p>{head}, not checked.</p></section>'
        )
    counts = "".join(
        f'<li class="pill group-{_LOOK[status][1]} status-{status.value}">'
        f'<span aria-hidden="true">{_LOOK[status][0]}</span> {summary[status.value]} '
        f"{status.value}</li>"
        for status in Status
        if status.value in summary
    )
    failing = sum(1 for f in report.findings if f.status in report.fail_on)
    verdict = (
        f"{failing} reference{'s' * (failing != 1)} fail{'s' * (failing == 1)} this run"
        if failing
        else "nothing fails this run"
    )
    return (
        f'<section class="summary" aria-label="Summary"><p>{head}: {verdict}.</p>'
        f'<ul class="counts" aria-label="references per status">{counts}</ul>'
        '<label class="filter"><input type="checkbox" id="problems-only"> '
        "Show only problems</label></section>"
    )


def _problem_item(mark: _Mark, finding: Finding) -> str:
    icon, group, word = _look(mark)
    ref = mark.reference
    return (
        f'<li><a class="jump" href="#ref-{mark.number}">'
        f"{_e(where(ref))}</a> "
        f'<span class="pill group-{group} status-{word}"><span aria-hidden="true">{icon}'
        f"</span> {word}</span> {_e(mask_credentials(ref.text or ref.url))} \u2014 "
        f"{_e(finding.message)}</li>"
    )


def _problems(marks: list[_Mark]) -> str:
    """The problems list, worst first, shown by the "only problems" filter."""
    found = [
        (mark, mark.finding)
        for mark in marks
        if mark.finding is not None and mark.finding.status not in QUIET
    ]
    found.sort(key=lambda pair: -pair[1].status.severity)
    opening = '<section id="problems" aria-label="Problems" hidden>'
    if not found:
        return f"{opening}<p>No problems found.</p></section>"
    items = "".join(_problem_item(mark, finding) for mark, finding in found)
    return f"{opening}<h2>Problems ({len(found)})</h2><ol>{items}</ol></section>"


def render(report: Report) -> str:
    marks = _marks(report)
    title = report.letters[0].path if len(report.letters) == 1 else "letters"
    notices = "".join(f'<p class="notice" role="alert">{_e(n)}</p>' for n in report.notices)
    problems = _problems(marks) if report.findings is not None else ""
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
            '<meta name="referrer" content="no-referrer">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>citecheck report \u2014 {_e(title)}</title>",
            f"<style>{_CSS}</style></head>",
            "<body><main>",
            f"<h1>citecheck report</h1>{_summary(report)}{notices}{problems}",
            *_letters(report, marks),
            f'</main><footer><p class="empty">citecheck {_e(__version__)}</p></footer>',
            f"<script>{_JS}</script></body></html>",
            "",
        ]
    )
