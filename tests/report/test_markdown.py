"""``--format markdown``: read back with a real CommonMark parser, as GitHub would show it."""

from __future__ import annotations

from dataclasses import replace

from markdown_it import MarkdownIt
from markdown_it.token import Token

from citecheck.models import Finding, Status
from citecheck.report.markdown import render

from factories import (
    HOSTILE_TEXT,
    SECRET,
    drifted,
    every_status,
    finding,
    reference,
    refs_report,
    report,
)

PARSER = MarkdownIt("commonmark").enable("table")


def cell_text(inline: Token) -> str:
    """What a reader sees in a cell: text as shown, ``<br>`` as a line break."""
    parts = []
    for child in inline.children or ():
        if child.type == "html_inline" and child.content == "<br>":
            parts.append("\n")
        else:
            parts.append(child.content)
    return "".join(parts)


def tables(markdown: str) -> list[list[list[Token]]]:
    """Every table as rows of cells (the header row included), each cell its inline token."""
    found: list[list[list[Token]]] = []
    row: list[Token] | None = None
    for token in PARSER.parse(markdown):
        if token.type == "table_open":
            found.append([])
        elif token.type == "tr_open":
            row = []
        elif token.type == "inline" and row is not None:
            row.append(token)
        elif token.type == "tr_close" and row is not None:
            found[-1].append(row)
            row = None
    return found


def test_problems_table_lists_every_problem_worst_first_with_where_and_why() -> None:
    findings = every_status()
    text = render(report(findings))
    problems_table = tables(text)[0]
    header = [cell_text(cell) for cell in problems_table[0]]
    assert header == ["where", "status", "text", "url", "why", "suggestion"]
    rows = [[cell_text(cell) for cell in row] for row in problems_table[1:]]
    expected = sorted(
        (f for f in findings if f.status not in (Status.OK, Status.SKIPPED)),
        key=lambda f: -f.status.severity,
    )
    assert [row[1] for row in rows] == [f.status.value for f in expected]
    for row, item in zip(rows, expected, strict=True):
        ref = item.reference
        assert row[0] == f"{ref.letter}:{ref.line}:{ref.column}"
        assert row[4].startswith(item.message)
    moved = next(row for row in rows if row[1] == "moved")
    assert moved[5] == "https://www.amnesty.test/en/documents/report-2024/"
    mismatched = next(row for row in rows if row[1] == "mismatched")
    assert "cited date: 13 June 2024" in mismatched[4]
    assert "found date: 2023-06-16" in mismatched[4]


def test_summary_counts_statuses_and_letters() -> None:
    text = render(report([*every_status(), drifted()]))
    assert "**11 references** in 1 letter:" in text
    for status in Status:
        assert f"1 {status.value}" in text


def test_hostile_anchor_text_stays_inside_its_cell() -> None:
    text = render(report(every_status()))
    problems_table = tables(text)[0]
    assert all(len(row) == 6 for row in problems_table)
    broken = next(row for row in problems_table if cell_text(row[1]) == "broken")
    assert cell_text(broken[2]) == HOSTILE_TEXT
    # escaped, the link, code span and HTML in the anchor text are shown, not interpreted
    kinds = {child.type for child in broken[2].children or ()}
    assert kinds <= {"text", "html_inline"}
    assert [c.content for c in broken[2].children or () if c.type == "html_inline"] == ["<br>"]


def test_clean_report_says_so_and_folds_ok_references() -> None:
    findings = [finding(Status.OK, reference(line=n), "200 OK") for n in (1, 2, 3)]
    text = render(report(findings))
    assert "No problems found." in text
    assert "<details><summary>3 ok or skipped references</summary>" in text
    folded = tables(text)
    assert len(folded) == 1 and len(folded[0]) == 4  # header + 3 ok rows, inside <details>
    assert text.index("<details>") < text.index("| where |") < text.index("</details>")


def test_notices_are_shown_first() -> None:
    text = render(report(every_status(), notices=("No network: nothing could be decided",)))
    assert "> **Warning:** No network: nothing could be decided" in text
    assert text.index("Warning") < text.index("| where |")


def test_refs_report_lists_references_with_their_claims() -> None:
    refs = [
        reference(footnote="1", cited_title="A | B", cited_date="2025-07-17"),
        reference("https://editor:" + SECRET + "@ngo.test/x", line=13),
    ]
    text = render(refs_report(refs))
    (table,) = tables(text)
    rows = [[cell_text(cell) for cell in row] for row in table]
    assert rows[0] == ["where", "kind", "footnote", "text", "url", "cited title", "cited date"]
    assert rows[1][5:] == ["A | B", "2025-07-17"]
    assert rows[2][4] == "https://***@ngo.test/x"
    assert SECRET not in text


def test_letter_path_with_markup_is_escaped() -> None:
    odd = finding(Status.BROKEN, reference(letter="letters/a|b_[x].md"), "404 Not Found")
    (table,) = tables(render(report([odd])))
    assert cell_text(table[1][0]) == "letters/a|b_[x].md:12:5"
    assert len(table[1]) == 6


def test_suggestion_and_url_credentials_are_masked() -> None:
    secret_url = f"https://user:{SECRET}@ngo.test/report"
    item = finding(
        Status.MOVED, reference(secret_url), "moved", suggestion=secret_url.replace("report", "new")
    )
    text = render(report([item, replace(item, status=Status.BROKEN)]))
    assert SECRET not in text
    assert "https://\\*\\*\\*@ngo.test/new" in text


def many(status: Status, count: int) -> list[Finding]:
    return [finding(status, reference(line=n)) for n in range(1, count + 1)]


def test_summary_lists_every_problem_and_says_how_many_annotations_github_cuts() -> None:
    findings = many(Status.BROKEN, 13) + many(Status.BLOCKED, 11) + many(Status.OK, 3)
    text = render(report(findings, notices=("No network: 1 link unreachable",)))
    problems_table = tables(text)[0]
    assert len(problems_table) == 1 + 24  # header, then every problem: none is cut here
    # 13 errors and 11 blocked + 1 notice = 12 warnings; GitHub shows 10 of each per step
    assert (
        "> **Note:** GitHub shows only the first 10 annotations of each kind per step: "
        "3 errors and 2 warnings are not annotated; every problem is in the table below."
    ) in text


def test_summary_says_nothing_about_cut_annotations_when_github_shows_them_all() -> None:
    text = render(report(many(Status.BROKEN, 10) + many(Status.MOVED, 10)))
    assert "not annotated" not in text
    assert len(tables(text)[0]) == 1 + 20
