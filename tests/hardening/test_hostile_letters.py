"""Hostile letters through the CLI: a clear one-line error with exit 2, or a clean result.

Never a traceback, never a hang, memory bounded. Runs that could hang (a FIFO) or whose memory
is measured go through a subprocess with a timeout; the rest use the in-process ``cli`` fixture.
"""

from __future__ import annotations

import io
import json
import os
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from hostile_kit import big_letter
from servers import Reply

HTML = [("Content-Type", "text/html; charset=utf-8")]
PAGE = b"<!doctype html><title>Detention report</title><h1>Detention report</h1>"
FLAGS = ("--allow-private", "--no-cache", "--timeout", "2", "--retries", "0")


def _one_clear_line(err: str) -> None:
    """stderr is a single ``citecheck: error: ...`` line, not a traceback."""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("citecheck: error: "), err
    assert "Traceback" not in err


def _refs(cli, path: Path | str, *extra: str):  # type: ignore[no-untyped-def]
    return cli("refs", path, "--format", "json", *extra)


def test_a_binary_file_is_refused_in_one_line(cli, tmp_path: Path) -> None:
    path = tmp_path / "letter.md"
    path.write_bytes(bytes(range(256)) * 64)

    result = _refs(cli, path)

    assert result.code == 2 and result.out == ""
    _one_clear_line(result.err)
    assert "letter.md" in result.err


def test_an_empty_letter_is_a_clean_empty_result(cli, tmp_path: Path) -> None:
    path = tmp_path / "letter.md"
    path.write_bytes(b"")

    result = cli("check", path, "--format", "json", *FLAGS)

    assert result.code == 0, result.err
    assert result.json()["summary"] == {"total": 0}


def test_a_utf16_letter_is_read(cli, tmp_path: Path) -> None:
    path = tmp_path / "letter.md"
    path.write_bytes("See [the report](https://ngo.test/r), 17 July 2025.\n".encode("utf-16"))

    result = _refs(cli, path)

    assert result.code == 0, result.err
    (reference,) = result.json()["references"]
    assert reference["url"] == "https://ngo.test/r" and reference["line"] == 1


def test_utf16_without_a_bom_is_refused_as_binary(cli, tmp_path: Path) -> None:
    path = tmp_path / "letter.txt"
    path.write_bytes("See https://ngo.test/r\n".encode("utf-16-le"))

    result = _refs(cli, path)

    assert result.code == 2
    _one_clear_line(result.err)


def test_a_100_kb_url_is_a_finding(cli, tmp_path: Path, loopback) -> None:
    site = loopback()
    long_path = "/" + "a" * 100_000
    path = tmp_path / "letter.md"
    path.write_text(f"See [the report]({site.url(long_path)}).\n", encoding="utf-8")

    result = cli("check", path, "--format", "json", *FLAGS)

    assert result.code in (0, 1), result.err
    (reference,) = result.json()["references"]
    assert reference["status"] in ("broken", "invalid")  # the server answers 414, or we refuse
    assert reference["url"] == site.url(long_path)


@pytest.mark.parametrize(
    "body",
    [
        "> " * 10_000 + "[deep](https://ngo.test/quote)\n",
        "- " * 10_000 + "[deep](https://ngo.test/list)\n",
        "1. " * 5_000 + "> " * 5_000 + "[deep](https://ngo.test/mixed)\n",
        "<div>" * 10_000 + "\n\n[deep](https://ngo.test/html)\n",
        "[" * 50_000 + "(https://ngo.test/a" + ")" * 3 + "]" * 7 + "\n",
        "](" * 30_000 + "https://ngo.test/b\n",
        "[^1]" * 5_000
        + "\n\n"
        + "".join(f"[^{i}]: [x](https://ngo.test/{i})\n" for i in range(500)),
        "*" * 100_000 + "_" * 100_000 + "`" * 10_001 + "\n",
        "<" * 100_000 + "https://ngo.test/c" + ">" * 100_000 + "\n",
    ],
    ids=[
        "quotes",
        "lists",
        "mixed",
        "html",
        "brackets",
        "closers",
        "footnotes",
        "emphasis",
        "angles",
    ],
)
def test_pathological_markdown_is_parsed_quickly(cli, tmp_path: Path, body: str) -> None:
    path = tmp_path / "letter.md"
    path.write_text(body, encoding="utf-8")
    began = time.monotonic()

    result = _refs(cli, path)

    assert result.code == 0, result.err
    assert time.monotonic() - began < 10
    assert isinstance(result.json()["references"], list)


def test_a_folder_with_a_symlink_loop_is_walked_once(cli, tmp_path: Path) -> None:
    folder = tmp_path / "letters"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "a.md").write_text("[a](https://ngo.test/a)\n", encoding="utf-8")
    (folder / "sub" / "loop").symlink_to(folder, target_is_directory=True)
    (folder / "self").symlink_to(".", target_is_directory=True)

    result = _refs(cli, folder)

    assert result.code == 0, result.err
    assert [ref["url"] for ref in result.json()["references"]] == ["https://ngo.test/a"]


def test_a_dangling_symlink_is_one_clear_line(cli, tmp_path: Path) -> None:
    link = tmp_path / "letter.md"
    link.symlink_to(tmp_path / "nowhere.md")

    result = _refs(cli, link)

    assert result.code == 2
    _one_clear_line(result.err)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs Linux's /proc")
def test_an_unreadable_letter_is_one_clear_line(cli, tmp_path: Path) -> None:
    # A file mode does not stop root (CI runs as root); /proc/self/mem is a regular file that
    # every read at offset 0 fails with EIO, whoever reads it.
    path = tmp_path / "letter.md"
    path.symlink_to("/proc/self/mem")

    result = _refs(cli, path)

    assert result.code == 2
    _one_clear_line(result.err)
    assert "letter.md: cannot read (" in result.err


def test_a_folder_named_like_a_letter_is_searched_not_read(cli, tmp_path: Path) -> None:
    folder = tmp_path / "letter.md"
    folder.mkdir()

    result = _refs(cli, folder)

    assert result.code == 2
    _one_clear_line(result.err)
    assert "no letters" in result.err


def _citecheck(
    *args: str | Path, cwd: Path, timeout: float = 30
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "citecheck", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def test_a_fifo_named_like_a_letter_does_not_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "letter.md"
    os.mkfifo(fifo)

    done = _citecheck("refs", fifo, "--format", "json", cwd=tmp_path, timeout=20)

    assert done.returncode == 2
    _one_clear_line(done.stderr)


@pytest.mark.parametrize(
    "data",
    [
        b"PK\x03\x04 not really a zip",
        b"",
        b"\x00" * 1000,
    ],
    ids=["truncated-zip", "empty", "zeros"],
)
def test_a_corrupt_docx_is_one_clear_line(cli, tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "letter.docx"
    path.write_bytes(data)

    result = _refs(cli, path)

    assert result.code == 2, result.out
    _one_clear_line(result.err)
    assert "letter.docx" in result.err


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "entries",
    [
        {"hello.txt": b"a zip, but not a Word document"},
        {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document><unclosed"},
        {
            "[Content_Types].xml": b"<?xml version='1.0'?><!DOCTYPE t [<!ENTITY a 'aaaaaaaaaa'>"
            b"<!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'><!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;'>]>"
            b"<t>&c;</t>",
        },
    ],
    ids=["not-word", "broken-xml", "entity-expansion"],
)
def test_a_zip_that_is_not_a_word_letter_is_one_clear_line(
    cli, tmp_path: Path, entries: dict[str, bytes]
) -> None:
    path = tmp_path / "letter.docx"
    path.write_bytes(_zip(entries))

    result = _refs(cli, path)

    assert result.code == 2, result.out
    _one_clear_line(result.err)


def test_a_huge_letter_sends_one_request_per_distinct_url(tmp_path: Path, loopback) -> None:
    site = loopback()
    distinct = [site.url(f"/report/{n}") for n in range(10)]
    for n in range(10):
        site.route(f"/report/{n}", Reply(200, PAGE, HTML))
    path = tmp_path / "letter.md"
    path.write_text(big_letter(distinct, 20_000, 4 * (1 << 20)), encoding="utf-8")

    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done = _citecheck(
        "check", path, "--format", "json", "--quiet", *FLAGS, cwd=tmp_path, timeout=60
    )
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss

    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert len(site.requests) == 10  # 20,000 citations, 10 distinct URLs
    assert max(peak_kib, before) < 1024 * 1024  # under 1 GiB of resident memory


def test_links_inside_and_after_deep_nesting_are_found_and_the_depth_is_reported(
    cli, tmp_path: Path
) -> None:
    path = tmp_path / "letter.md"
    nested = "".join(
        f"{'  ' * depth}- [l{depth}](https://ngo.test/{depth})\n" for depth in range(200)
    )
    quoted = "".join(
        ">" * depth + f" [q{depth}](https://ngo.test/q{depth})\n" for depth in range(1, 201)
    )
    after = "\n## Notes\n\n1. [After](https://ngo.test/after), 17 July 2025.\n"
    path.write_text(nested + "\n" + quoted + after, encoding="utf-8")

    result = _refs(cli, path)

    assert result.code == 0, result.err
    urls = [ref["url"] for ref in result.json()["references"]]
    assert urls == [
        *(f"https://ngo.test/{depth}" for depth in range(200)),
        *(f"https://ngo.test/q{depth}" for depth in range(1, 201)),
        "https://ngo.test/after",
    ]
    last = result.json()["references"][-1]
    assert (last["footnote"], last["cited_date"]) == ("1", "2025-07-17")
    (notice,) = [line for line in result.err.splitlines() if line.strip()]
    assert "letter.md: line 9:" in notice, result.err


def test_a_letter_of_100000_nested_tags_is_read_in_full(tmp_path: Path) -> None:
    path = tmp_path / "letter.html"
    deep = '<div><p><span class="x">' * 33_334
    notes = (
        '<ol class="footnotes"><li><a href="https://ngo.test/note">Note</a>, 5 May 2023</li></ol>'
    )
    path.write_text(
        f'<a href="https://ngo.test/first">first</a>{deep}<a href="https://ngo.test/deep">deep</a>'
        + "</span></p></div>" * 100
        + notes,
        encoding="utf-8",
    )

    done = _citecheck("refs", path, "--format", "json", cwd=tmp_path, timeout=120)

    assert done.returncode == 0, done.stderr[-2000:]
    references = json.loads(done.stdout)["references"]
    assert [ref["url"] for ref in references] == [
        "https://ngo.test/first",
        "https://ngo.test/deep",
        "https://ngo.test/note",
    ]
    assert (references[2]["footnote"], references[2]["cited_date"]) == ("1", "2023-05-05")
