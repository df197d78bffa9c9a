"""A fingerprint of a page's main text that changes as little as the text does (pure).

SimHash (Charikar 2002; Manku et al. 2007 used it for near-duplicate web pages at Google), 64
bits, over word 3-shingles of the visible text with navigation, header, footer, asides and scripts
already removed (meta.html's content text; a PDF's first pages' text). Every shingle gets a 64-bit
hash (tabulation over BLAKE2b word hashes) and each output bit is the majority vote of that bit
over all shingles. Changing a few words flips a few bits, rewriting a paragraph flips many: the
distance between two fingerprints is the number of bits that differ (classify's drift rule).

Why SimHash and not MinHash: the lock keeps one 16-hex-digit value per page, one line in a git
diff, and comparing is a popcount; MinHash needs a hundred or more values per page for the same
estimate, which would bury the lock's diff.

Words are lower-cased runs of letters and digits (punctuation and spacing do not count), and every
run of digits counts as the same word ``0``: date stamps, times, view and comment counters are the
numbers that change on a page whose text did not. Only the first 8,000 characters of content text
(what meta.html scans) are fingerprinted: where a cited text usually is.
"""

from __future__ import annotations

import functools
import hashlib
import re
from operator import itemgetter

__all__ = ["simhash"]

BITS = 64
_SHINGLE = 3
_WORD = re.compile(r"\w+")
_DIGITS = re.compile(r"\d+")
# _BIT[j] maps a byte to its bit j (0 or 1): votes are counted a byte lane at a time.
_BIT = [bytes(value >> bit & 1 for value in range(256)) for bit in range(8)]


def simhash(text: str) -> str | None:
    """The 64-bit SimHash of ``text`` as 16 hex digits, or None when it has no words."""
    words = _WORD.findall(_DIGITS.sub("0", text.lower()))
    if not words:
        return None
    # Tabulation hashing: a shingle's hash is h0(first) ^ h1(second) ^ h2(third), each word hashed
    # once (and remembered across pages, whose words overlap). Laid end to end, 64 bits a
    # shingle, all shingles are hashed with three XORs of big integers and each output bit is
    # counted over one byte lane: the per-shingle work stays in C.
    words += [""] * (_SHINGLE - len(words))  # a text shorter than a shingle is one shingle
    count = len(words) - _SHINGLE + 1
    hashed = list(map(_word_hash, words))
    hashes = 0
    for position in range(_SHINGLE):
        lane = map(itemgetter(position), hashed[position : position + count])
        hashes ^= int.from_bytes(b"".join(lane), "big")
    blob = hashes.to_bytes(8 * count, "big")
    number = 0
    for byte in range(8):  # big-endian: byte 0 holds bits 63..56
        column = blob[byte::8]
        for bit in range(8):
            if 2 * column.translate(_BIT[bit]).count(1) > count:
                number |= 1 << (8 * (7 - byte) + bit)
    return f"{number:016x}"


@functools.lru_cache(maxsize=1 << 16)
def _word_hash(word: str) -> tuple[bytes, bytes, bytes]:
    """Three independent 64-bit hashes of a word: for it as a shingle's first, second, third."""
    digest = hashlib.blake2b(word.encode(), digest_size=8 * _SHINGLE).digest()
    return digest[:8], digest[8:16], digest[16:]
