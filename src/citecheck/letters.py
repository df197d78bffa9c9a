"""Finding and reading letters: paths, folders and standard input -> ``Letter`` records."""

from __future__ import annotations

import codecs
import os
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from citecheck.errors import InputError
from citecheck.models import Letter, LetterFormat
from citecheck.text import normalise_newlines

FORMAT_BY_SUFFIX = {
    ".md": LetterFormat.MARKDOWN,
    ".markdown": LetterFormat.MARKDOWN,
    ".txt": LetterFormat.TEXT,
    ".html": LetterFormat.HTML,
    ".htm": LetterFormat.HTML,
    ".docx": LetterFormat.DOCX,
}
INPUT_FORMATS = {"md": LetterFormat.MARKDOWN, "txt": LetterFormat.TEXT, "html": LetterFormat.HTML}
MAX_LETTER_BYTES = 100 * 1024 * 1024
STDIN = "<stdin>"

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Latin-script code pages the detector confuses with Windows-1252 on short texts.
_WINDOWS_1252_LOOKALIKES = frozenset(
    {
        "cp1250", "iso8859_2", "mac_latin2", "cp852",  # Central European
        "cp1257", "iso8859_13", "iso8859_4", "cp775",  # Baltic
        "latin_1", "iso8859_15", "iso8859_16", "cp850", "mac_roman",  # Western siblings
    }
)  # fmt: skip


def decode_letter(data: bytes, name: str) -> str:
    """Text of a letter: BOM first, then UTF-8, then a detected legacy encoding (Windows-1252
    when it reads the bytes as cleanly as the look-alike the detector ranked first).

    Newlines are normalised to ``\\n`` so that line numbers match what editors show.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return normalise_newlines(data.decode(encoding))
            except UnicodeDecodeError as exc:
                raise InputError(f"{name}: not valid {encoding.upper()} ({exc.reason})") from exc
    if b"\x00" in data:
        raise InputError(f"{name}: looks like a binary file, not a letter")
    try:
        return normalise_newlines(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # only legacy-encoded letters pay for the import

    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        raise InputError(f"{name}: cannot tell the text encoding (is it a binary file?)")
    if best.encoding in _WINDOWS_1252_LOOKALIKES:
        # A short Western letter gives the detector little to go on: read as cp1250, "é" and
        # "€" stay the same but a footnote's "¹" becomes "ą", and it may rank that first. When
        # Windows-1252 reads the bytes as cleanly, it is the far likelier encoding.
        western = next((match for match in matches if match.encoding == "cp1252"), None)
        if western is not None and western.chaos <= best.chaos:
            best = western
    return normalise_newlines(str(best))


def read_letter(path: Path, display: str, fmt: LetterFormat) -> Letter:
    """One letter from disk; every failure is an ``InputError`` naming the file."""
    try:
        size = path.stat().st_size
        if not path.is_file():  # a FIFO or device would block read_bytes() forever
            raise InputError(f"{display}: not a regular file")
        if size > MAX_LETTER_BYTES:
            raise InputError(f"{display}: {size:,} bytes is too large for a letter")
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{display}: cannot read ({exc.strerror or exc})") from exc
    return letter_from_bytes(data, display, fmt)


def letter_from_bytes(data: bytes, display: str, fmt: LetterFormat) -> Letter:
    """A ``Letter`` from its raw bytes."""
    if fmt is LetterFormat.DOCX:
        from citecheck.parse.docx import read_docx

        return Letter(display, fmt, read_docx(data, name=display), data)
    return Letter(display, fmt, decode_letter(data, display))


# How an HTML document opens, after blanks and comments (a comment's body holds no "-->", so
# the pattern cannot backtrack into one): read as Markdown, most of it would be mere text.
_HTML_OPENING = re.compile(
    r"\s*(?:<!--(?:[^-]|-(?!->))*-->\s*)*<(?:!doctype\s+html|html|head|body|meta)(?=[\s>/])",
    re.IGNORECASE,
)


def _stdin_letter(data: bytes, input_format: str | None) -> Letter:
    """The letter on standard input: in ``input_format``, else HTML when it opens like an HTML
    document, else Markdown."""
    if input_format is not None:
        fmt = INPUT_FORMATS.get(input_format)
        if fmt is None:
            raise InputError(f"--input-format must be one of {', '.join(INPUT_FORMATS)}")
        return letter_from_bytes(data, STDIN, fmt)
    text = decode_letter(data, STDIN)
    fmt = LetterFormat.HTML if _opens_like_html(text) else LetterFormat.MARKDOWN
    return Letter(STDIN, fmt, text)


def _opens_like_html(text: str) -> bool:
    """Whether ``text`` opens with a doctype, ``<html>``, ``<head>``, ``<body>`` or ``<meta>``
    (how Google Docs' clipboard HTML begins), only comments before it."""
    return _HTML_OPENING.match(text[:65_536]) is not None


def _walk(root: Path) -> Iterator[Path]:
    """Letter files under ``root``, sorted, following symlinks but never around a loop."""
    seen: set[tuple[int, int]] = set()
    for folder, dirs, files in os.walk(root, followlinks=True):
        stat = os.stat(folder)
        if (stat.st_dev, stat.st_ino) in seen:
            dirs[:] = []
            continue
        seen.add((stat.st_dev, stat.st_ino))
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if Path(name).suffix.lower() in FORMAT_BY_SUFFIX and not name.startswith((".", "~$")):
                yield Path(folder, name)


def _display(path: Path) -> str:
    return path.as_posix()


def collect(
    paths: Sequence[str],
    *,
    input_format: str | None = None,
    stdin: bytes | None = None,
    on_skip: Callable[[InputError], None] | None = None,
) -> list[Letter]:
    """Every letter named by ``paths`` (files, folders recursively, ``-`` for ``stdin``).

    A letter in a folder that cannot be read is handed to ``on_skip`` and left out, when given;
    else, like a named letter that cannot be read, it stops the collection (``InputError``).
    """
    letters: list[Letter] = []
    for arg in paths:
        if arg == "-":
            letters.append(_stdin_letter(stdin or b"", input_format))
            continue
        path = Path(arg)
        if path.is_dir():
            letters.extend(_folder(path, arg, on_skip))
        elif path.exists():
            letters.append(read_letter(path, arg, _format(path)))
        else:
            raise InputError(f"{arg}: no such file or folder")
    return letters


def _folder(folder: Path, arg: str, on_skip: Callable[[InputError], None] | None) -> list[Letter]:
    found, skipped = [], 0
    for path in _walk(folder):
        try:
            found.append(read_letter(path, _display(path), _format(path)))
        except InputError as exc:
            if on_skip is None:
                raise
            on_skip(exc)
            skipped += 1
    if not found:
        if skipped:
            raise InputError(f"{arg}: none of the {skipped} letter(s) in this folder can be read")
        suffixes = " ".join(FORMAT_BY_SUFFIX)
        raise InputError(f"{arg}: no letters in this folder (looked for {suffixes})")
    return found


def _format(path: Path) -> LetterFormat:
    fmt = FORMAT_BY_SUFFIX.get(path.suffix.lower())
    if fmt is None:
        known = " ".join(FORMAT_BY_SUFFIX)
        raise InputError(f"{path}: unknown kind of letter {path.suffix!r} (known: {known})")
    return fmt
