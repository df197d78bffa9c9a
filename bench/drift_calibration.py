"""Calibrate the drift threshold: how often each edit trips ``Thresholds.drift_bits`` (no network).

For pages of 3, 5, 8 and 12 paragraphs of 60 random words, it compares the SimHash of the main
text before and after two kinds of edit, many times over:

- one paragraph rewritten (it should trip the threshold);
- only the date stamp changed, to another month with a time of day (it should not).

and prints, for thresholds around the default, the share of each that is "drifted". The navigation
never reaches the fingerprint (meta.html removes it first), so it needs no row here.

    python bench/drift_calibration.py [--trials 300] [--seed 11]
"""

from __future__ import annotations

import argparse
import random

from citecheck.meta.fingerprint import simhash
from citecheck.models import Thresholds

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=300)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    vocabulary = [
        "".join(rng.choice(LETTERS) for _ in range(rng.randint(2, 10))) for _ in range(5000)
    ]

    def paragraph() -> str:
        return " ".join(rng.choice(vocabulary) for _ in range(60))

    def distance(first: str, second: str) -> int:
        a, b = simhash(first), simhash(second)
        assert a is not None and b is not None
        return (int(a, 16) ^ int(b, 16)).bit_count()

    default = Thresholds().drift_bits
    thresholds = range(default - 2, default + 3)
    print(f"default: drifted when more than {default} of 64 bits differ")
    print("paragraphs  threshold  rewrite trips  date stamp trips")
    for count in (3, 5, 8, 12):
        rewrites = dict.fromkeys(thresholds, 0)
        stamps = dict.fromkeys(thresholds, 0)
        for _ in range(args.trials):
            paragraphs = [paragraph() for _ in range(count)]
            before = "Updated 3 December 2026 " + " ".join(paragraphs)
            edited = list(paragraphs)
            edited[rng.randrange(count)] = paragraph()
            rewritten = distance(before, "Updated 3 December 2026 " + " ".join(edited))
            restamped = distance(
                before, "Last updated 5 January 2027 at 10:42 " + " ".join(paragraphs)
            )
            for limit in thresholds:
                rewrites[limit] += rewritten > limit
                stamps[limit] += restamped > limit
        for limit in thresholds:
            mark = " <- default" if limit == default else ""
            print(
                f"{count:10}  {limit:9}  {rewrites[limit] / args.trials:13.0%}  "
                f"{stamps[limit] / args.trials:16.0%}{mark}"
            )


if __name__ == "__main__":
    main()
