"""Benchmark reference extraction on a large Markdown letter (no network).

Generates a ~5 MB Markdown letter with 50,000 links of every kind (inline, reference,
autolink, bare; some in ``[^n]:`` footnotes with dates) padded with prose, then times
``citecheck.parse.letter_references`` on it (best of ``--repeat`` runs) and prints the figures.

    python bench/bench_parse.py [--links 50000] [--size-mb 5] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import resource
import time

from citecheck.models import Letter, LetterFormat
from citecheck.parse import letter_references

PROSE = (
    "Our organisations have long called on decision-makers to move beyond *abstract* "
    "expressions of concern and take **concrete** actions, including `measures` that work. "
)


def letter(links: int, size: int, seed: int = 7) -> str:
    """A Markdown letter with ``links`` links, padded with prose to about ``size`` characters."""
    rng = random.Random(seed)
    per_paragraph = 5
    paragraphs = links // per_paragraph
    link_chars = 60 * per_paragraph
    padding = max(0, size // max(paragraphs, 1) - link_chars)
    filler = (PROSE * (padding // len(PROSE) + 1))[:padding]
    body: list[str] = []
    definitions: list[str] = []
    notes: list[str] = []
    for paragraph in range(paragraphs):
        parts = []
        for slot in range(per_paragraph):
            index = paragraph * per_paragraph + slot
            url = f"https://host{index % 97}.example/report/{index}"
            choice = rng.random()
            if choice < 0.10:
                notes.append(f"[^{index}]: See [Report {index}]({url}), 17 July 2025.")
                parts.append(f"a claim[^{index}]")
            elif choice < 0.55:
                parts.append(f"[arbitrary detention {index}]({url})")
            elif choice < 0.70:
                definitions.append(f"[r{index}]: {url}")
                parts.append(f"[a report][r{index}]")
            elif choice < 0.85:
                parts.append(f"<{url}>")
            else:
                parts.append(f"see {url}.")
        body.append(filler + " " + ", ".join(parts) + ".")
    return "\n\n".join(body + notes + definitions) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=50_000)
    parser.add_argument("--size-mb", type=float, default=5.0)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    text = letter(options.links, int(options.size_mb * 1_000_000))
    document = Letter("bench.md", LetterFormat.MARKDOWN, text)
    times = []
    for _ in range(options.repeat):
        started = time.perf_counter()
        references = letter_references(document)
        times.append(time.perf_counter() - started)
    in_notes = sum(reference.footnote is not None for reference in references)
    print(
        f"markdown letter: {len(text) / 1e6:.1f} MB, {len(text.splitlines())} lines; "
        f"references: {len(references)} ({in_notes} in footnotes)"
    )
    print(f"extract: best {min(times):.2f} s, worst {max(times):.2f} s of {options.repeat}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"peak RSS of this process (letter text included): {peak:.0f} MB")


if __name__ == "__main__":
    main()
