"""`citecheck refs` through the real entry point: the seed letter, formats, and bad input."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest

from testkit import EXPECTED as SEED_LINKS
from testkit import FOOTNOTE_DATES, SEED, validate_report


def test_seed_letter_json(cli) -> None:
    result = cli("refs", SEED.parent, "--format", "json")
    assert result.code == 0, result.err
    document = result.json()
    validate_report(document)
    refs = document["references"]
    assert [(r["line"], r["column"], r["text"]) for r in refs] == SEED_LINKS
    assert all(r["url"] == "#" and r["kind"] == "inline" for r in refs)
    footnoted = [r for r in refs if r["footnote"] is not None]
    assert [r["footnote"] for r in footnoted] == ["1"] * 4
    assert [r["cited_title"] for r in footnoted] == [text for _, _, text in SEED_LINKS[9:13]]
    assert [(r["cited_date"], r["cited_date_text"]) for r in footnoted] == FOOTNOTE_DATES
    prose = [r for r in refs if r["footnote"] is None]
    assert len(prose) == 16
    assert all(r["cited_title"] is None and r["cited_date"] is None for r in prose)
    assert document["summary"] == {"total": 20}
    assert document["letters"] == [
        {"path": f"{SEED.parent}/{SEED.name}", "format": "text", "references": 20}
    ]


def test_seed_letter_is_untouched(cli) -> None:
    before = SEED.read_bytes()
    cli("refs", SEED, "--format", "csv")
    assert SEED.read_bytes() == before


def test_csv_has_one_row_per_reference(cli) -> None:
    result = cli("refs", SEED, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.out)))
    assert len(rows) == 20
    assert rows[9]["cited_date"] == "2025-07-17" and rows[9]["footnote"] == "1"
    assert rows[0]["cited_title"] == ""


def test_rich_table_lists_references(cli) -> None:
    result = cli("refs", SEED)
    assert result.code == 0
    assert "arbitrary detention" in result.out
    assert "20 references in 1 letter" in result.out


def test_output_file_written_atomically(cli, tmp_path: Path) -> None:
    target = tmp_path / "refs.json"
    target.write_text("old")
    result = cli("refs", SEED, "--format", "json", "--output", target)
    assert result.code == 0
    validate_report(json.loads(target.read_text()))
    assert [p.name for p in tmp_path.iterdir()] == ["refs.json"]  # no temp file left behind
    assert "20 references" in result.out


def test_standard_input(cli) -> None:
    letter = b"See [the report](https://ngo.test/report) and <https://un.test/doc>.\n"
    result = cli("refs", "-", "--input-format", "md", "--format", "json", stdin=letter)
    assert result.code == 0, result.err
    refs = result.json()["references"]
    assert [(r["letter"], r["column"], r["kind"]) for r in refs] == [
        ("<stdin>", 5, "inline"),
        ("<stdin>", 47, "autolink"),
    ]


def _one_line_error(result, *needles: str) -> None:
    assert result.code == 2
    assert "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) == 1, result.err
    for needle in needles:
        assert needle in result.err


def test_missing_path(cli, tmp_path: Path) -> None:
    _one_line_error(cli("refs", tmp_path / "nope.md"), "nope.md", "no such file")


def test_folder_without_letters(cli, tmp_path: Path) -> None:
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    _one_line_error(cli("refs", tmp_path), "no letters")


def test_unknown_extension(cli, tmp_path: Path) -> None:
    path = tmp_path / "letter.odt"
    path.write_text("x")
    _one_line_error(cli("refs", path), "letter.odt", "unknown kind")


def test_binary_file(cli, tmp_path: Path) -> None:
    path = tmp_path / "letter.md"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    _one_line_error(cli("refs", path), "letter.md", "binary")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs Linux's /proc")
def test_unreadable_file(cli, tmp_path: Path) -> None:
    # chmod 0 stops no root (CI runs as root); every read of /proc/self/mem at offset 0 fails.
    path = tmp_path / "letter.md"
    path.symlink_to("/proc/self/mem")
    _one_line_error(cli("refs", path), "letter.md", "cannot read")


def test_bad_option_value(cli) -> None:
    _one_line_error(cli("refs", SEED, "--format", "yaml"), "--format")


def test_encodings(cli, tmp_path: Path) -> None:
    text = "Überblick: [Menschenrechte – Bericht](https://ngo.test/bericht)\n"
    variants = {
        "utf8.md": text.encode("utf-8"),
        "bom.md": b"\xef\xbb\xbf" + text.encode("utf-8"),
        "utf16.md": text.encode("utf-16"),
        "latin.md": (
            "Un rapport très détaillé sur la détention arbitraire. " * 3
            + "[Rapport annuel](https://ngo.test/rapport)\n"
        ).encode("cp1252"),
    }
    for name, data in variants.items():
        (tmp_path / name).write_bytes(data)
    result = cli("refs", tmp_path, "--format", "json")
    assert result.code == 0, result.err
    by_letter = {Path(r["letter"]).name: r for r in result.json()["references"]}
    assert by_letter["utf8.md"]["text"] == "Menschenrechte – Bericht"
    assert by_letter["bom.md"]["column"] == 12
    assert by_letter["utf16.md"]["text"] == "Menschenrechte – Bericht"
    assert by_letter["latin.md"]["text"] == "Rapport annuel"


def test_every_command_and_option_has_help(cli) -> None:
    import typer

    from citecheck.cli import app

    group = typer.main.get_command(app)
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        assert command.help, name
        for param in command.params:
            if param.param_type_name == "option":
                assert param.help, f"{name} {param.opts}"
        result = cli(name, "--help")
        assert result.code == 0 and "Usage" in result.out


def test_html_on_standard_input_is_read_as_html(cli) -> None:
    # Saved from a browser: a document that Markdown would read as mostly code and text.
    page = (
        b"<!-- saved from a browser -->\n<!DOCTYPE html>\n<html>\n<body>\n\n"
        b'    <p>See <a href="https://ngo.test/report">the report</a>.</p>\n\n</body>\n</html>\n'
    )
    result = cli("refs", "-", "--format", "json", stdin=page)
    assert result.code == 0, result.err
    document = result.json()
    assert document["letters"] == [{"path": "<stdin>", "format": "html", "references": 1}]
    (reference,) = document["references"]
    assert (reference["line"], reference["column"], reference["text"]) == (6, 12, "the report")
    # A Markdown letter that opens with an HTML block stays Markdown.
    letter = b"<div align='center'>Letter</div>\n\nSee [the report](https://ngo.test/report).\n"
    markdown = cli("refs", "-", "--format", "json", stdin=letter).json()
    assert markdown["letters"][0]["format"] == "markdown"
    assert [r["url"] for r in markdown["references"]] == ["https://ngo.test/report"]


def test_a_letter_without_references_says_so(cli, tmp_path: Path) -> None:
    (tmp_path / "cited.md").write_text("See [the report](#).\n", encoding="utf-8")
    (tmp_path / "plain.md").write_text("Dear Minister,\n\nNo links here.\n", encoding="utf-8")

    listed = cli("refs", tmp_path, "--format", "json")
    checked = cli("check", tmp_path, "--format", "json", "--no-cache")

    assert listed.code == 0 and checked.code == 1  # the placeholder in cited.md, as before
    for result in (listed, checked):
        mentions = [line for line in result.err.splitlines() if "no references" in line]
        assert len(mentions) == 1 and "plain.md" in mentions[0], result.err
        assert "cited.md" not in result.err


def _folder_with_a_bad_letter(tmp_path: Path) -> Path:
    folder = tmp_path / "letters"
    folder.mkdir()
    (folder / "a.md").write_text("See [the report](#).\n", encoding="utf-8")
    (folder / "b.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (folder / "c.md").symlink_to(tmp_path / "gone.md")  # unreadable, even for root
    (folder / "d.html").write_text('<p><a href="#">d</a></p>', encoding="utf-8")
    return folder


def test_unreadable_letters_in_a_folder_are_skipped_and_the_run_exits_2(
    cli, tmp_path: Path
) -> None:
    folder = _folder_with_a_bad_letter(tmp_path)

    listed = cli("refs", folder, "--format", "json")
    checked = cli("check", folder, "--format", "json", "--no-cache")

    for result in (listed, checked):
        assert result.code == 2, result.err  # after the rest is done, so that CI notices
        assert "Traceback" not in result.err
        assert [Path(r["letter"]).name for r in result.json()["references"]] == ["a.md", "d.html"]
        warnings = [line for line in result.err.splitlines() if "warning" in line]
        assert len(warnings) == 2, result.err
        assert "b.md" in warnings[0] and "binary" in warnings[0]
        assert "c.md" in warnings[1] and "cannot read" in warnings[1]
    assert {r["status"] for r in checked.json()["references"]} == {"placeholder"}


def test_a_folder_of_only_unreadable_letters_is_an_error(cli, tmp_path: Path) -> None:
    folder = tmp_path / "letters"
    folder.mkdir()
    (folder / "b.md").write_bytes(b"\x00" * 64)

    result = cli("refs", folder, "--format", "json")

    assert result.code == 2 and result.out == ""
    assert "b.md" in result.err and "none of the 1 letter(s)" in result.err
