"""A fingerprint of a page's main text that changes as little as the text does (pure).

SimHash (Charikar 2002; Manku et al. 2007 used it for near-duplicate web pages at Google), 64
bits, over word 3-shingles of the visible text with navigation, header, footer, asides and scripts
already removed (meta.html's content text; a PDF's first pages' text). Every shingle is hashed
(BLAKE2b, 8 bytes) and each output bit is the majority vote of that bit over all shingles.
Changing a few words flips a few bits, rewriting a paragraph flips many: the distance between two
fingerprints is the number of bits that differ, and classify's drift rule counts them.

Why SimHash and not MinHash: the lock keeps one 16-hex-digit value per page, one line in a git
diff, and comparing is a popcount; MinHash needs a hundred or more values per page for the same
estimate, which would bury the lock's diff.

Words are lower-cased runs of letters and digits (punctuation and spacing do not count), and every
run of digits counts as the same word ``0``: date stamps, times, view and comment counters are the
numbers that change on a page whose text did not. Only the first 8,000 characters of content text
(what meta.html scans) are fingerprinted: where a cited text usually is.
"""

from __future__ import annotations

import hashlib
import re

__all__ = ["simhash"]

BITS = 64
_SHINGLE = 3
_WORD = re.compile(r"\w+")
_DIGITS = re.compile(r"\d+")


def simhash(text: str) -> str | None:
    """The 64-bit SimHash of ``text`` as 16 hex digits, or None when it has no words."""
    words = _WORD.findall(_DIGITS.sub("0", text.lower()))
    if not words:
        return None
    size = min(_SHINGLE, len(words))
    count = len(words) - size + 1
    # All shingle hashes as one big integer, 64 bits each: the votes for bit j are counted at
    # once by masking bit j of every hash, which keeps the per-shingle work in C.
    hashes = int.from_bytes(
        b"".join(_digest(" ".join(words[i : i + size])) for i in range(count)), "big"
    )
    lowest = int.from_bytes((b"\0" * 7 + b"\1") * count, "big")
    number = sum(
        1 << bit for bit in range(BITS) if 2 * (hashes & (lowest << bit)).bit_count() > count
    )
    return f"{number:016x}"


def _digest(shingle: str) -> bytes:
    return hashlib.blake2b(shingle.encode(), digest_size=8).digest()
