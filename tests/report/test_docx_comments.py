"""`check letter.docx --format docx -o copy.docx`: Word comments on the problem links of a copy.

Real .docx letters (built with tests/support/make_docx_letter.py's helpers), the real CLI, loopback
servers; the result is reopened with python-docx and its comment parts are checked as Word reads
them. Where LibreOffice is installed, the copy is converted to PDF with it.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import docx
import pytest

import make_docx_letter as make
from servers import Reply, redirect

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
HTML = [("Content-Type", "text/html; charset=utf-8")]
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
COMMENTS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"


def _page(title: str, published: str = "") -> bytes:
    date = f"<meta property='article:published_time' content='{published}'>" if published else ""
    return (
        f"<html><head><title>{title}</title>{date}</head><body><h1>{title}</h1></body></html>"
    ).encode()


def _letter(folder: Path, site) -> Path:  # type: ignore[no-untyped-def]
    """A letter with a working link, a gone one, a moved one, a typed URL to a missing page in
    the middle of a sentence, and a footnote citing a placeholder."""
    document = docx.Document()
    body = make.Story(document.part)
    document.add_paragraph("Dear Members of the European Parliament,")
    make.body_paragraph(
        document,
        make.paragraph(
            make.run("We cite the "),
            body.link("dialogue statement", site.url("/dialogue")),
            make.run(", the "),
            body.link("summit letter", site.url("/gone")),
            make.run(" and the "),
            body.link("old report", site.url("/old")),
            make.run("."),
        ),
    )
    make.body_paragraph(
        document,
        make.paragraph(
            make.run(f"The data is at {site.url('/missing')} for anyone to read."),
            f'<w:r>{make.SUPERSCRIPT}<w:footnoteReference w:id="1"/></w:r>',
        ),
    )
    make.add_notes(
        document,
        "footnote",
        lambda story: make.note(
            "footnote",
            1,
            make.note_paragraph(
                "footnote",
                make.run("See "),
                story.link("our draft", "https://example.com/TODO"),
                make.run(", 3 March 2024; "),
                story.link("EU and China agree a climate pact", site.url("/retitled")),
                make.run(", 5 May 2023."),
            ),
        ),
    )
    path = folder / "letter.docx"
    out = io.BytesIO()
    document.save(out)
    path.write_bytes(out.getvalue())
    return path


@pytest.fixture
def site(loopback):  # type: ignore[no-untyped-def]
    server = loopback()
    server.route("/dialogue", Reply(200, _page("EU-China human rights dialogue"), HTML))
    server.route("/new-report", Reply(200, _page("The report"), HTML))
    server.route(
        "/retitled", Reply(200, _page("Human rights dialogue suspended", "2024-06-13"), HTML)
    )
    server.route("/gone", Reply(410))
    server.route("/missing", Reply(404))
    server.route("/old", redirect("/new-report", 301))
    return server


def _comments(path: Path) -> list[tuple[str, str]]:
    """(anchored text, comment text) per comment, in the letter's order, as Word shows them."""
    document = docx.Document(str(path))
    xml = document.element.xml
    found = []
    for comment in document.comments:
        match = re.search(
            rf'<w:commentRangeStart w:id="{comment.comment_id}"/>(.*?)'
            rf'<w:commentRangeEnd w:id="{comment.comment_id}"/>',
            xml,
            re.S,
        )
        assert match is not None, f"comment {comment.comment_id} is anchored nowhere"
        anchored = "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", match.group(1)))
        found.append((match.start(), anchored, comment.text))
    return [(anchored, text) for _start, anchored, text in sorted(found)]


def _check(cli, letter: Path, out: Path):  # type: ignore[no-untyped-def]
    return cli(
        "check", str(letter), "--format", "docx", "-o", str(out), "--allow-private", "--no-cache"
    )


def test_docx_format_comments_each_problem_link_on_its_own_text(  # type: ignore[no-untyped-def]
    tmp_path: Path, site, cli
) -> None:
    letter = _letter(tmp_path, site)
    before = hashlib.sha256(letter.read_bytes()).hexdigest()
    out = tmp_path / "letter.checked.docx"

    result = _check(cli, letter, out)

    assert result.code == 1, result.err  # a broken link fails the run, as with any format
    assert f"citecheck: 5 comment(s) written in {out}" in result.err
    assert hashlib.sha256(letter.read_bytes()).hexdigest() == before  # the letter untouched
    comments = _comments(out)
    for anchored, text in comments:
        print(f"[{anchored}] {text!r}")
    anchored = [anchor for anchor, _text in comments]
    assert anchored == ["summit letter", "old report", site.url("/missing"), "", ""]
    gone, moved, missing, *notes = (text for _anchor, text in comments)
    assert gone.startswith("broken \u2014 ") and "410" in gone
    assert moved.startswith("moved \u2014 ")
    assert f"Put instead: {site.url('/new-report')}" in moved
    assert missing.startswith("broken \u2014 ") and "404" in missing
    pact = "In footnote 1, \u201cEU and China agree a climate pact\u201d"
    assert sorted(notes)[0].startswith(f"{pact}: mismatched \u2014 title differs")
    # What to cite instead: the page's title and date, in the letter's own date style.
    assert sorted(notes)[0].endswith("Put instead: Human rights dialogue suspended, 13 June 2024")
    assert sorted(notes)[1].startswith("In footnote 1, \u201cour draft\u201d: placeholder \u2014 ")
    # The typed URL's run was split: the sentence around it is still there, word for word.
    paragraphs = [p.text for p in docx.Document(str(out)).paragraphs]
    assert f"The data is at {site.url('/missing')} for anyone to read." in paragraphs


def test_docx_comment_parts_are_what_word_reads(tmp_path: Path, site, cli) -> None:  # type: ignore[no-untyped-def]
    letter = _letter(tmp_path, site)
    out = tmp_path / "letter.checked.docx"
    _check(cli, letter, out)

    with zipfile.ZipFile(out) as package:
        parts = {name: package.read(name) for name in package.namelist()}
    for name, data in parts.items():  # every XML part well-formed
        if name.endswith((".xml", ".rels")):
            ET.fromstring(data)
    assert "word/comments.xml" in parts
    types = ET.fromstring(parts["[Content_Types].xml"])
    assert any(
        override.get("PartName") == "/word/comments.xml"
        and override.get("ContentType", "").endswith("wordprocessingml.comments+xml")
        for override in types
    )
    rels = ET.fromstring(parts["word/_rels/document.xml.rels"])
    assert [rel.get("Target") for rel in rels if rel.get("Type") == COMMENTS_REL] == [
        "comments.xml"
    ]
    comment_ids = [
        c.get(f"{W}id") for c in ET.fromstring(parts["word/comments.xml"]).iter(f"{W}comment")
    ]
    assert len(comment_ids) == 5 and len(set(comment_ids)) == 5
    body = ET.fromstring(parts["word/document.xml"])
    order = [
        (element.tag.removeprefix(W), element.get(f"{W}id"))
        for element in body.iter()
        if element.tag in (f"{W}commentRangeStart", f"{W}commentRangeEnd", f"{W}commentReference")
    ]
    for comment_id in comment_ids:
        mine = [tag for tag, found in order if found == comment_id]
        assert mine == ["commentRangeStart", "commentRangeEnd", "commentReference"]
    assert {found for _tag, found in order} == set(comment_ids)


def test_docx_format_comments_nothing_when_all_links_work(tmp_path: Path, site, cli) -> None:  # type: ignore[no-untyped-def]
    document = docx.Document()
    body = make.Story(document.part)
    make.body_paragraph(
        document, make.paragraph(body.link("dialogue", site.url("/dialogue")), make.run("."))
    )
    letter = tmp_path / "fine.docx"
    document.save(str(letter))
    out = tmp_path / "fine.checked.docx"

    assert _check(cli, letter, out).code == 0
    assert _comments(out) == []
    assert [p.text for p in docx.Document(str(out)).paragraphs] == ["dialogue."]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ((), "--format docx writes a copy of the letter: name it with --output FILE"),
        (("-o", "-"), "--format docx writes a copy of the letter: name it with --output FILE"),
        (("-o", "{letter}"), "is the letter itself; it is never overwritten"),
        (("-o", "{out}", "{letter}"), "--format docx comments one letter; 2 letters were given"),
        (("-o", "{out}", "--", "{markdown}"), "needs a .docx letter"),
    ],
)
def test_docx_format_refuses_what_it_cannot_annotate(  # type: ignore[no-untyped-def]
    tmp_path: Path, cli, extra: tuple[str, ...], message: str
) -> None:
    letter = FIXTURES / "china-visit.docx"
    before = letter.read_bytes()
    markdown = tmp_path / "letter.md"
    markdown.write_text("See [x](https://example.com/TODO).\n")
    values = {"letter": str(letter), "out": str(tmp_path / "out.docx"), "markdown": str(markdown)}
    args = [arg.format(**values) for arg in extra]
    paths = [] if "--" in args else [str(letter)]
    if "--" in args:
        args.remove("--")

    result = cli("check", *paths, "--format", "docx", "--offline", *args)

    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in result.err
    assert letter.read_bytes() == before
    assert not (tmp_path / "out.docx").exists()


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_docx_with_comments_converts_to_pdf_in_libreoffice(  # type: ignore[no-untyped-def]
    tmp_path: Path, site, cli
) -> None:
    from pypdf import PdfReader

    letter = _letter(tmp_path, site)
    out = tmp_path / "letter.checked.docx"
    _check(cli, letter, out)
    # Comments exported as PDF notes, so that the PDF shows LibreOffice read them.
    notes = 'pdf:writer_pdf_Export:{"ExportNotes":{"type":"boolean","value":"true"}}'
    converted = subprocess.run(
        ["soffice", "--headless", "--norestore", "--convert-to", notes, "--outdir",
         str(tmp_path / "pdf"), str(out)],
        env={**os.environ, "HOME": str(tmp_path)},  # a fresh LibreOffice profile
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    print(converted.stdout, converted.stderr)
    assert converted.returncode == 0, converted.stderr
    pdf = tmp_path / "pdf" / "letter.checked.pdf"
    reader = PdfReader(pdf)
    text = "".join(page.extract_text() for page in reader.pages)
    assert "summit letter" in text
    annotations = [
        str(annotation.get_object().get("/Contents", ""))
        for page in reader.pages
        for annotation in page.get("/Annots", [])
    ]
    print("\n".join(annotations))
    assert sum("broken" in note for note in annotations) == 2
    assert any(
        "Put instead: Human rights dialogue suspended, 13 June 2024" in n for n in annotations
    )
    assert any("placeholder" in note for note in annotations)


def test_refs_has_no_docx_format(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("refs", str(FIXTURES / "china-visit.docx"), "--format", "docx", "-o", "x.docx")

    assert result.code == 2
    assert result.err.strip().splitlines() == [
        "citecheck: error: refs has no --format docx (rich, json, csv, markdown, github, sarif, "
        "html)"
    ]
