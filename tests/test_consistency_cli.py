"""Consistency notes through the real CLI: listed by `refs`, shown by `check -v`, counted in the
summary, in the JSON (schema-valid) and Markdown reports, and never a failure."""

from __future__ import annotations

from pathlib import Path

from servers import Reply
from testkit import SEED, validate_report

HTML = [("Content-Type", "text/html; charset=utf-8")]
PAGE = (
    b"<!doctype html><title>Joint NGO letter ahead of EU-China Summit</title>"
    b"<meta property='article:published_time' content='2025-07-17'><h1>Letter</h1>"
)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def two_titles(url: str) -> str:
    return (
        "We wrote before.[^1] And again.[^2]\n\n"
        f"[^1]: See [Joint NGO letter ahead of EU-China Summit]({url}), 17 July 2025.\n\n"
        f"[^2]: See [Letter on the human rights dialogue]({url}), 17 July 2025.\n"
    )


def test_refs_lists_a_page_cited_under_two_titles(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    letter = write(tmp_path, "letter.md", two_titles("https://ngo.test/letter"))
    result = cli("refs", letter)
    assert result.code == 0, result.err
    assert f"Notes on {letter}" in result.out
    assert (
        "5:11 note https://ngo.test/letter is cited as “Letter on the human rights dialogue” "
        "here and as “Joint NGO letter ahead of EU-China Summit” at line 3"
    ) in result.out
    assert "2 references in 1 letter · 1 note" in result.out


def test_check_counts_notes_shows_them_with_verbose_and_does_not_fail(
    cli, tmp_path: Path, loopback
) -> None:  # type: ignore[no-untyped-def]
    site = loopback()
    site.route("/letter", Reply(200, PAGE, HTML))
    letter = write(tmp_path, "letter.md", two_titles(site.url("/letter")))
    common = ("check", letter, "--allow-private", "--no-cache", "--retries", "0")

    plain = cli(*common)
    assert "1 note (-v shows them)" in plain.out
    assert "is cited as" not in plain.out

    verbose = cli(*common, "-v")
    assert "is cited as “Letter on the human rights dialogue” here" in verbose.out
    assert site.hits("/letter") == 2  # one fetch per run: the note needs no request of its own
    # The second citation's title is not the page's: mismatched, a status of its own; the note
    # only says the letter disagrees with itself, and fails nothing when mismatched may pass.
    assert cli(*common, "--fail-on", "broken").code == 0


def test_json_carries_notes_across_letters_and_stays_schema_valid(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url = "https://ngo.test/report"
    first = write(tmp_path, "a.md", f"Text.[^1]\n\n[^1]: See [Report]({url}), 13 June 2024.\n")
    second = write(tmp_path, "b.md", f"Text.[^1]\n\n[^1]: See [Report]({url}), 14 June 2024.\n")
    result = cli("check", first, second, "--offline", "--format", "json")
    assert result.code == 0, result.err
    document = result.json()
    validate_report(document)
    assert document["notes"] == [
        {
            "letter": str(second),
            "line": 3,
            "column": 11,
            "message": f"{url} is dated 14 June 2024 here and 13 June 2024 at {first}:3",
        }
    ]


def test_markdown_report_and_marks_with_no_note(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    letter = write(
        tmp_path,
        "letter.txt",
        "They were detained.¹ They were tortured.³\n\n¹ See https://ngo.test/a, 2024.\n",
    )
    result = cli("refs", letter, "--format", "markdown")
    assert result.code == 0, result.err
    assert "> **Note:** " in result.out and ":1:41: mark ³ has no note" in result.out


def test_markdown_footnote_defined_twice_and_one_never_defined(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    letter = write(
        tmp_path,
        "letter.md",
        "One[^1], two[^3].\n\n[^1]: See [A](https://ngo.test/a).\n\n[^1]: See [B](https://ngo.test/b).\n",
    )
    result = cli("refs", letter, "--format", "json")
    validate_report(result.json())
    assert [(n["line"], n["message"]) for n in result.json()["notes"]] == [
        (1, "mark [^3] has no note"),
        (5, "footnote [^1] is used twice: here and at line 3"),
    ]


def test_the_seed_letter_draws_no_note(cli) -> None:  # type: ignore[no-untyped-def]
    listed = cli("refs", SEED, "--format", "json")
    assert "notes" not in listed.json()
    checked = cli("check", SEED, "--offline", "-v")
    assert "note" not in checked.out.rsplit("\n", 2)[-2]  # the summary line
    assert "Notes on" not in checked.out
