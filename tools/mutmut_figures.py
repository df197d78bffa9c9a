"""Per-module mutmut figures (mutants, killed, survived, ...) from the last ``mutmut run``.

Run from the repository root after ``mutmut run``: ``python tools/mutmut_figures.py``. mutmut's own
``results`` lists survivors one by one; this adds the per-module totals the README quotes.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code


def main() -> None:
    rows = []
    for meta in sorted(Path("mutants").rglob("*.py.meta")):
        codes = json.loads(meta.read_text())["exit_code_by_key"].values()
        counts = Counter(status_by_exit_code[code] for code in codes)
        rows.append((meta.name.removesuffix(".py.meta"), len(codes), counts))
    print(f"{'module':<12}{'mutants':>8}{'killed':>8}{'survived':>9}{'other':>7}  killed %")
    for name, total, counts in rows:
        killed, survived = counts["killed"], counts["survived"]
        other = total - killed - survived
        checked = killed + survived
        share = f"{100 * killed / checked:.1f}" if checked else "-"
        print(f"{name:<12}{total:>8}{killed:>8}{survived:>9}{other:>7}  {share}")
        for status, count in sorted(counts.items()):
            if status not in ("killed", "survived"):
                print(f"{'':<12}{count:>8} {status}")


if __name__ == "__main__":
    main()
