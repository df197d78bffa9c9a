"""PDF metadata: information dictionary, XMP, first-page heading; broken files give nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from citecheck.meta import page_meta

from servers import Reply

CORPUS = Path(__file__).parent / "corpus"


def test_pdf_is_recognised_by_its_magic_bytes_whatever_the_content_type() -> None:
    body = (CORPUS / "pdf-info.pdf").read_bytes()
    meta = page_meta(body, "application/octet-stream", "https://x.example/f")
    assert meta.title == "Joint NGO letter ahead of EU-China Summit"
    assert meta.date_source == "pdf:/CreationDate"
    assert "recommendations to the European Union" in meta.text_head


def test_junk_info_title_falls_back_to_the_largest_text_on_the_first_page() -> None:
    meta = page_meta(
        (CORPUS / "pdf-junk-title.pdf").read_bytes(), "application/pdf", "https://x.example/f"
    )
    assert meta.title == "Forced labour in the Uyghur Region"
    assert "Microsoft Word - draft3.docx" in meta.title_candidates


@pytest.mark.parametrize("cut", [10, 200, 500, 800])
def test_truncated_pdfs_never_raise(cut: int) -> None:
    whole = (CORPUS / "pdf-info.pdf").read_bytes()
    full = page_meta(whole, "application/pdf", "https://x.example/f")
    meta = page_meta(whole[:cut], "application/pdf", "https://x.example/f")
    # What a cut file gives is what the whole file says, or nothing: never a made-up value.
    assert meta.title in (None, full.title) and meta.published in (None, full.published)
    assert full.text_head.startswith(meta.text_head)


@pytest.mark.parametrize(
    "body",
    [b"%PDF-1.7\n" + b"\x00" * 5000, b"%PDF-", b"%PDF-1.4\n1 0 obj << /Type /Catalog", b""],
)
def test_corrupt_pdfs_give_empty_metadata(body: bytes) -> None:
    meta = page_meta(body, "application/pdf", "https://x.example/f")
    assert meta.title is None and meta.published is None


def test_reading_a_damaged_pdf_leaves_the_logging_of_the_program_alone() -> None:
    """A library does not change its caller's logging; what stderr shows is the program's call."""
    code = (
        "import logging, pathlib, sys; from citecheck.meta.pdf import extract_pdf; "
        "extract_pdf(pathlib.Path(sys.argv[1]).read_bytes()[:500]); "
        "print(logging.getLogger('pypdf').level)"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, str(CORPUS / "pdf-info.pdf")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert run.stdout.strip() == str(0)  # NOTSET, as logging left it


def test_check_prints_no_pypdf_warnings_for_a_damaged_pdf(loopback, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    server = loopback()
    damaged = (CORPUS / "pdf-info.pdf").read_bytes()[:500]
    server.route("/report.pdf", Reply(200, damaged, [("Content-Type", "application/pdf")]))
    letter = tmp_path / "letter.md"
    letter.write_text(f"See [the report]({server.url('/report.pdf')}).\n", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "citecheck", "check", str(letter), "--quiet", "--allow-private"]
        + ["--no-cache", "--retries", "0", "--timeout", "5"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert "EOF marker" not in run.stderr and "pypdf" not in run.stderr
