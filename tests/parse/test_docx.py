"""Word letters: the text one paragraph per line, and every hyperlink with its claims."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citecheck.errors import InputError
from citecheck.models import Letter, LetterFormat, LinkKind
from citecheck.parse.docx import MAX_PART_BYTES, docx_references, read_docx

import make_docx_letter as make

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
LETTER = FIXTURES / "china-visit.docx"
with zipfile.ZipFile(LETTER) as _archive:
    DOCUMENT_XML = _archive.read("word/document.xml")


JOINT = "Joint NGO letter ahead of EU-China Summit"
SUSPEND = (
    "NGOs call for suspension of EU-China human rights dialogue as government continues "
    "assault on human rights at home and abroad"
)
COUNCIL = "NGOs urge European Council to keep human rights at the core of EU relations with China"
DOUBLE = "The EU must double down on human rights in its relations with China"

LINES = [
    "To the attn. of: Members of the European Parliament",
    "19 May 2026",
    "Since 2012 the authorities have launched an assault including widespread arbitrary "
    "detention, forced labour and torture.",
    "Our organizations have long called on European decision-makers to act.¹ "
    "They also wrote to the Council.²",
    "See the EU statement",
    "Internal: see below",
    "A line break, a\ttab and the Commission.i Inserted resolution",
    "",
    f"¹ See {JOINT}, 17 July 2025; {SUSPEND}, 13 June 2024; {COUNCIL}, 12 June 2023; "
    f"{DOUBLE}, 5 May 2023.",
    "² Human Rights Watch, China: Events of 2024, World Report, January 2025.",
    "Also the UN assessment (no date given).",
    "i Amnesty International, Annual report, March 2024.",
]

# (line, column, footnote, text, url, cited_title, cited_date, cited_date_text)
REFERENCES = [
    (3, 74, None, "arbitrary detention", "https://www.hrw.org/tag/arbitrary-detention",
     None, None, None),
    (3, 95, None, "forced labour", "https://www.ilo.org/forced-labour", None, None, None),
    (3, 113, None, "torture", "https://www.amnesty.org/en/what-we-do/torture/#china",
     None, None, None),
    (5, 9, None, "EU statement", "https://www.eeas.europa.eu/eeas/hrc-statement",
     None, None, None),
    (7, 51, None, "resolution", "https://www.europarl.europa.eu/doceo/ta-10-2026",
     None, None, None),
    (9, 7, "1", JOINT,
     "https://www.hrw.org/news/2025/07/17/joint-ngo-letter-ahead-eu-china-summit",
     JOINT, "2025-07-17", "17 July 2025"),
    (9, 64, "1", SUSPEND,
     "https://www.fidh.org/en/region/asia/china/ngos-call-for-suspension-of-eu-china-dialogue",
     SUSPEND, "2024-06-13", "13 June 2024"),
    (9, 205, "1", COUNCIL,
     "https://www.amnesty.eu/news/ngos-urge-european-council-to-keep-human-rights-at-the-core/",
     COUNCIL, "2023-06-12", "12 June 2023"),
    (9, 307, "1", DOUBLE,
     "https://www.hrw.org/news/2023/05/05/eu-must-double-down-human-rights-china",
     DOUBLE, "2023-05-05", "5 May 2023"),
    (10, 23, "2", "China: Events of 2024", "https://www.hrw.org/world-report/2025/china",
     "China: Events of 2024", "2025-01", "January 2025"),
    (11, 10, "2", "UN assessment", "https://www.ohchr.org/en/documents/assessment",
     "UN assessment", None, None),
    (12, 26, "i", "Annual report", "https://www.amnesty.org/en/annual-report/",
     "Annual report", "2024-03", "March 2024"),
]  # fmt: skip


def letter_of(data: bytes, path: str = "letters/visit.docx") -> Letter:
    return Letter(path, LetterFormat.DOCX, read_docx(data), data)


def plain_docx(*paragraphs: str) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def with_member(data: bytes, name: str, content: bytes) -> bytes:
    """The package ``data`` with member ``name`` replaced by ``content``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for member in source.infolist():
            body = content if member.filename == name else source.read(member)
            target.writestr(member.filename, body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def test_text_is_one_paragraph_per_line_body_then_footnotes_then_endnotes() -> None:
    assert read_docx(LETTER.read_bytes()).split("\n") == LINES


def test_every_hyperlink_is_extracted_with_position_note_and_claims() -> None:
    letter = letter_of(LETTER.read_bytes())
    references = docx_references(letter)
    found = [
        (
            r.line,
            r.column,
            r.footnote,
            r.text,
            r.url,
            r.cited_title,
            r.cited_date,
            r.cited_date_text,
        )
        for r in references
    ]
    assert found == REFERENCES
    assert {(r.letter, r.kind) for r in references} == {("letters/visit.docx", LinkKind.INLINE)}
    lines = letter.text.split("\n")
    for reference in references:  # (line, column) points at the link text in the letter's text
        assert lines[reference.line - 1][reference.column - 1 :].startswith(reference.text)


def test_committed_letter_matches_its_build_script() -> None:
    assert docx_references(letter_of(make.build())) == docx_references(
        letter_of(LETTER.read_bytes())
    )


def test_letter_without_links_has_no_references() -> None:
    data = plain_docx("Dear Members,", "We urge you to act.", "Yours sincerely")
    assert read_docx(data) == "Dear Members,\nWe urge you to act.\nYours sincerely"
    assert docx_references(letter_of(data)) == []


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"Dear Members, this is plain text saved as .docx",
        LETTER.read_bytes()[:5000],
    ],
    ids=["empty", "not-a-zip", "truncated"],
)
def test_corrupt_file_is_an_input_error_naming_it(data: bytes) -> None:
    with pytest.raises(InputError, match=r"^letters/bad\.docx: not a valid \.docx file \(.+\)$"):
        read_docx(data, name="letters/bad.docx")


def test_zip_that_is_no_word_document_is_an_input_error() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(InputError, match="not a valid .docx file"):
        read_docx(out.getvalue())


def test_huge_document_part_is_refused_before_unpacking() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b" " * (1024 * 1024)
            for _ in range(100):  # 100 MB of XML, a few hundred KB compressed
                member.write(chunk)
    with pytest.raises(InputError, match=r"word/document\.xml is too large"):
        read_docx(out.getvalue())


def test_member_that_unpacks_beyond_its_declared_size_is_an_input_error() -> None:
    """A zip bomb lying in its directory stops at the declared size, then fails its CRC."""
    data = bytearray(with_member(plain_docx("x"), "word/document.xml", b" " * (2 * MAX_PART_BYTES)))
    name = b"word/document.xml"
    central = data.find(b"PK\x01\x02")
    while data[central + 46 : central + 46 + len(name)] != name:
        central = data.find(b"PK\x01\x02", central + 4)
    local = struct.unpack_from("<I", data, central + 42)[0]
    struct.pack_into("<I", data, central + 24, 1000)  # uncompressed size, central directory
    struct.pack_into("<I", data, local + 22, 1000)  # uncompressed size, local header
    with pytest.raises(InputError, match="not a valid .docx file"):
        read_docx(bytes(data))


def test_entity_expansion_is_refused() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE w:document ['
        b'<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">'
        + b"".join(
            b'<!ENTITY %c "%s">' % (ord("b") + i, b"&%c;" % (ord("a") + i) * 10) for i in range(8)
        )
        + b']><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body><w:p><w:r><w:t>&i;</w:t></w:r></w:p></w:body></w:document>"
    )
    data = with_member(plain_docx("x"), "word/document.xml", bomb)
    with pytest.raises(InputError, match="not a valid .docx file"):
        read_docx(data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), min_size=1, max_size=8))
def test_damaged_document_xml_is_read_or_refused_never_a_crash(
    edits: list[tuple[int, int]],
) -> None:
    xml = bytearray(DOCUMENT_XML)
    for position, value in edits:
        xml[position % len(xml)] = value
    data = with_member(LETTER.read_bytes(), "word/document.xml", bytes(xml))
    try:
        letter = letter_of(data)
    except InputError:
        return
    paragraphs = letter.text.count("\n") + 1
    for reference in docx_references(
        letter
    ):  # each one points at a paragraph the letter really has
        assert reference.url and reference.url == reference.url.strip()
        assert 1 <= reference.line <= paragraphs and reference.column >= 1


def test_note_labels_follow_the_documents_number_format_and_custom_marks() -> None:
    document = docx.Document()
    settings_xml = f'<w:footnotePr {make.NS}><w:numFmt w:val="upperLetter"/></w:footnotePr>'
    document.settings.element.append(docx.oxml.parse_xml(settings_xml))
    section_xml = (
        f'<w:endnotePr {make.NS}><w:numFmt w:val="decimal"/><w:numStart w:val="4"/></w:endnotePr>'
    )
    document.sections[0]._sectPr.append(docx.oxml.parse_xml(section_xml))
    body = make.Story(document.part)
    make.body_paragraph(
        document,
        make.paragraph(
            make.run("Marks"),
            '<w:r><w:footnoteReference w:id="5"/></w:r>',
            '<w:r><w:footnoteReference w:customMarkFollows="1" w:id="6"/><w:t>*</w:t></w:r>',
            '<w:r><w:endnoteReference w:id="7"/></w:r>',
            make.complex_field('HYPERLINK \\l "notes"', "internal"),
            body.link(" and a link", "https://www.example.org/"),
        ),
    )

    def footnotes(story: make.Story) -> str:
        return make.note(
            "footnote", 5, make.note_paragraph("footnote", story.link("First", "https://a.test/"))
        ) + make.note(
            "footnote", 6, f"<w:p>{make.run('* ')}{story.link('Starred', 'https://b.test/')}</w:p>"
        )

    def endnotes(story: make.Story) -> str:
        return make.note(
            "endnote", 7, make.note_paragraph("endnote", story.link("Fourth", "https://c.test/"))
        )

    make.add_notes(document, "footnote", footnotes)
    make.add_notes(document, "endnote", endnotes)
    out = io.BytesIO()
    document.save(out)
    letter = letter_of(out.getvalue())
    assert letter.text.split("\n") == [
        "MarksA*⁴internal and a link",
        "A First",
        "* Starred",
        "⁴ Fourth",
    ]
    assert [(r.line, r.column, r.footnote, r.text, r.url) for r in docx_references(letter)] == [
        (1, 17, None, "and a link", "https://www.example.org/"),
        (2, 3, "A", "First", "https://a.test/"),
        (3, 3, "*", "Starred", "https://b.test/"),
        (4, 3, "4", "Fourth", "https://c.test/"),
    ]


def test_body_paragraph_typed_as_a_superscript_note_is_a_footnote() -> None:
    document = docx.Document()
    body = make.Story(document.part)
    make.body_paragraph(
        document,
        make.paragraph(
            make.run("Widespread "),
            body.link("arbitrary detention", "https://a.test/"),
            make.run("."),
        ),
    )
    make.body_paragraph(
        document,
        make.paragraph(
            make.run("¹ See "),
            body.link(JOINT, "https://b.test/"),
            make.run(", 17 July 2025; "),
            body.link(DOUBLE, "https://c.test/"),
            make.run(", 5 May 2023."),
        ),
    )
    out = io.BytesIO()
    document.save(out)
    found = [
        (r.line, r.column, r.footnote, r.cited_title, r.cited_date)
        for r in docx_references(letter_of(out.getvalue()))
    ]
    assert found == [
        (1, 12, None, None, None),
        (2, 7, "1", JOINT, "2025-07-17"),
        (2, 64, "1", DOUBLE, "2023-05-05"),
    ]


def test_urls_typed_as_text_are_found_like_bare_urls(cli, tmp_path: Path) -> None:
    document = docx.Document()
    body = make.Story(document.part)
    make.body_paragraph(
        document,
        make.paragraph(
            make.run("We called for action."),
            f'<w:r>{make.SUPERSCRIPT}<w:footnoteReference w:id="1"/></w:r>',
            make.run(
                " See https://www.eeas.europa.eu/eeas/hrc-statement, the resolution at "
                "www.europarl.europa.eu/doceo/ta-10-2026 and "
            ),
            body.link("https://www.hrw.org/linked", "https://www.hrw.org/linked"),
            make.run(". Write to press@hrw.org about report.pdf."),
        ),
    )

    def footnotes(story: make.Story) -> str:
        return make.note(
            "footnote",
            1,
            make.note_paragraph(
                "footnote",
                make.run(
                    f"See {JOINT}, https://www.hrw.org/news/2025/07/17/joint, 17 July 2025; "
                    "Human Rights Watch, “China: Events of 2024,” January 2025, "
                    "www.hrw.org/world-report/2025/china."
                ),
            ),
        )

    make.add_notes(document, "footnote", footnotes)
    letter = tmp_path / "letter.docx"
    document.save(str(letter))
    lines = read_docx(letter.read_bytes()).split("\n")
    assert lines[0] == (
        "We called for action.¹ See https://www.eeas.europa.eu/eeas/hrc-statement, the resolution "
        "at www.europarl.europa.eu/doceo/ta-10-2026 and https://www.hrw.org/linked. Write to "
        "press@hrw.org about report.pdf."
    )

    result = cli("check", letter, "--format", "json", "--no-cache", "--exclude", "^https://")
    found = [
        (r["line"], r["column"], r["kind"], r["footnote"], r["url"], r["status"])
        for r in result.json()["references"]
    ]

    def at(line: int, text: str) -> int:  # the 1-based column of ``text`` in paragraph ``line``
        return lines[line - 1].find(text) + 1

    assert found == [
        (1, at(1, "https://www.eeas"), "bare", None, "https://www.eeas.europa.eu/eeas/hrc-statement",
         "skipped"),
        (1, at(1, "www.europarl"), "bare", None, "www.europarl.europa.eu/doceo/ta-10-2026",
         "invalid"),
        (1, at(1, "https://www.hrw.org/linked"), "inline", None, "https://www.hrw.org/linked",
         "skipped"),
        (2, at(2, "https://www.hrw.org/news"), "bare", "1",
         "https://www.hrw.org/news/2025/07/17/joint", "skipped"),
        (2, at(2, "www.hrw.org/world"), "bare", "1", "www.hrw.org/world-report/2025/china",
         "invalid"),
    ]  # fmt: skip
    claims = [(r["cited_title"], r["cited_date"]) for r in result.json()["references"][3:]]
    assert claims == [(JOINT, "2025-07-17"), ("China: Events of 2024", "2025-01")]
    assert all(
        "add https://" in r["message"]
        for r in result.json()["references"]
        if r["status"] == "invalid"
    )
