"""Benchmark `citecheck check` against local servers: cold, warm, partly changed, unthrottled.

A server process (bench/server.py) listens on 50 loopback addresses and answers every request
after 50 ms. A Markdown letter cites 3,000 links on them (~10% cited twice, ~5% are 404s). Each
scenario (cold, warm, 10% changed, cold with --per-host 64, cold with --max-concurrency 200) runs
the real CLI in a subprocess and reports its wall time, CPU time and peak memory, the requests the
servers saw, and the politeness limit: max over hosts of ceil(distinct links on host / per-host)
x delay — the fastest any checker can be while keeping at most per-host requests in flight on
each host.

    python bench/bench_check.py [--links 3000] [--hosts 50] [--delay 0.05] [--per-host 4]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

CITECHECK = [sys.executable, "-m", "citecheck", "check"]
LINK = "- See [report number {index}]({url}) on arbitrary detention."


def make_urls(hosts: list[str], links: int, rng: random.Random) -> list[str]:
    """The letter's links in order: ~10% repeat an earlier one, ~5% are 404s."""
    urls: list[str] = []
    for index in range(links):
        if urls and rng.random() < 0.10:
            urls.append(rng.choice(urls))
            continue
        kind = "missing" if rng.random() < 0.05 else "report"
        urls.append(f"http://{hosts[index % len(hosts)]}/{kind}/{index}")
    return urls


def letter(urls: list[str]) -> str:
    body = (LINK.format(index=index, url=url) for index, url in enumerate(urls))
    return "# Bench letter\n\n" + "\n".join(body) + "\n"


def politeness_limit(urls: list[str], per_host: int, delay: float) -> float:
    per = Counter(url.split("/")[2] for url in set(urls))
    return max(math.ceil(count / per_host) for count in per.values()) * delay


def requests_since(host: str) -> int:
    with urllib.request.urlopen(f"http://{host}/__stats", timeout=10) as answer:  # loopback only
        return sum(json.load(answer).values())


def run(args: list[str]) -> dict[str, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(CITECHECK + args, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        sys.exit(f"citecheck failed ({done.returncode}): {done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    # ru_maxrss of children is the largest of any child so far, in KiB on Linux.
    return {"wall_s": wall, "cpu_s": cpu, "peak_rss_mb": after.ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--links", type=int, default=3000)
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--delay", type=float, default=0.05)
    parser.add_argument("--per-host", type=int, default=4)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="citecheck-bench-"))
    server = subprocess.Popen(
        [
            sys.executable,
            str(Path(__file__).with_name("server.py")),
            "--hosts",
            str(args.hosts),
            "--delay",
            str(args.delay),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        hosts = json.loads(server.stdout.readline())["hosts"]
        urls = make_urls(hosts, args.links, random.Random(7))
        path = work / "letter.md"
        common = [
            str(path),
            "--allow-private",
            "--quiet",
            "--format",
            "json",
            "--output",
            str(work / "report.json"),
            "--cache-path",
            str(work / "cache.db"),
        ]
        per_host = ["--per-host", str(args.per_host)]

        def measure(name: str, extra: list[str], limit: float | None) -> None:
            figures = run(common + extra)
            requests = requests_since(hosts[0])
            line = (
                f"{name:<22} wall {figures['wall_s']:6.2f} s   cpu {figures['cpu_s']:5.2f} s "
                f"({1000 * figures['cpu_s'] / args.links:.2f} ms/link)   "
                f"peak {figures['peak_rss_mb']:5.1f} MB   requests {requests:5d}"
            )
            if limit:
                line += f"   limit {limit:.2f} s ({figures['wall_s'] / limit:.2f}x)"
            print(line, flush=True)

        path.write_text(letter(urls))
        print(
            f"{args.links} links, {len(set(urls))} distinct, on {args.hosts} hosts, "
            f"{args.delay * 1000:.0f} ms per answer"
        )
        measure("cold", per_host + ["--refresh"], politeness_limit(urls, args.per_host, args.delay))
        measure("warm (all cached)", per_host, None)
        rng = random.Random(11)
        changed = [
            url.replace("/report/", "/revised/") if rng.random() < 0.10 else url for url in urls
        ]
        path.write_text(letter(changed))
        fresh = set(changed) - set(urls)
        measure(
            "10% links changed",
            per_host,
            politeness_limit(sorted(fresh), args.per_host, args.delay),
        )
        measure(
            "cold, --per-host 64",
            ["--per-host", "64", "--refresh"],
            politeness_limit(changed, 64, args.delay),
        )
        # With the default --max-concurrency 64 the global limit binds (ceil(2682 / 64) x delay);
        # at 200 (= 50 hosts x 4) the per-host limit does, as the politeness limit assumes.
        measure(
            "cold, --max-conc. 200",
            per_host + ["--max-concurrency", "200", "--refresh"],
            politeness_limit(changed, args.per_host, args.delay),
        )
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
