"""``export --format bibtex``: one biblatex ``@online`` entry per cited source (``citations``).

Entries carry ``title``, ``url``, ``urldate`` (the access date), ``date`` (ISO, as precise as
known) with ``year``/``month`` for classic BibTeX styles, ``organization`` (the site's name, else
its host) and, for a reference that needs attention, a ``note`` with its status and suggestion.
Which sources are cited, how references to one URL merge and how keys are made is
``citations``'s, shared with the CSL-JSON export.
"""

from __future__ import annotations

from citecheck.models import Report
from citecheck.report.citations import Citation, citations

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_LATEX = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
# Characters that would unbalance or end a verbatim url field; percent-encoding keeps the URL.
_URL_UNSAFE = {"{": "%7B", "}": "%7D", "\\": "%5C", " ": "%20"}


def latex(text: str) -> str:
    """``text`` with BibTeX/LaTeX specials escaped; other characters (UTF-8) kept as they are."""
    return "".join(_LATEX.get(char, char) for char in " ".join(text.split()))


def _url(url: str) -> str:
    return "".join(_URL_UNSAFE.get(char, char) for char in url)


def entry(citation: Citation) -> str:
    """The ``@online`` entry of one citation."""
    fields = [("title", f"{{{latex(citation.title)}}}"), ("url", f"{{{_url(citation.url)}}}")]
    if citation.accessed:
        fields.append(("urldate", f"{{{citation.accessed[:10]}}}"))
    parts = citation.date_parts
    if parts:
        fields.append(("date", "{" + "-".join(f"{part:02d}" for part in parts) + "}"))
        fields.append(("year", f"{{{parts[0]}}}"))
        if len(parts) > 1:
            fields.append(("month", _MONTHS[parts[1] - 1]))
    fields.append(("organization", f"{{{latex(citation.site)}}}"))
    if citation.note:
        fields.append(("note", f"{{{latex(citation.note)}}}"))
    body = ",\n".join(f"  {name} = {value}" for name, value in fields)
    return f"@online{{{citation.key},\n{body}\n}}\n"


def render(report: Report) -> str:
    return "\n".join(entry(citation) for citation in citations(report))
