"""Benchmark `citecheck check` against local servers: cold, warm, partly changed, unthrottled.

A server process (bench/server.py) listens on 50 loopback addresses; each answer takes ``--delay``
seconds, give or take ``--spread`` of it (fixed per path). A Markdown letter cites 3,000 links on
them (~10% cited twice, ~5% are 404s). Each scenario (cold, warm, 10% changed, cold with
--per-host 64, cold with --max-concurrency 200) runs the real CLI in a subprocess and reports its
wall time, CPU time and peak memory, the requests the servers saw, and the politeness limit: a
lower bound on any checker that keeps at most --per-host requests in flight on a host and
--max-concurrency in all (see ``politeness_limit``).

CPU per link depends on how the work is spread in time, not only on the work: on a shared machine
the same page costs about twice the CPU when it comes after a few idle milliseconds as when it
comes right after the previous one. Runs bound by slow servers therefore show more CPU per link
than runs bound by the engine.

    python bench/bench_check.py [--links 3000] [--hosts 50] [--delay 0.05] [--spread 0]
                                [--per-host 4]
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
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from server import answer_delay  # bench/ is on sys.path when this script runs

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


def politeness_limit(
    urls: Iterable[str], per_host: int, overall: int, delay: float, spread: float
) -> float:
    """A lower bound on any run that keeps at most ``per_host`` requests in flight on a host and
    ``overall`` in all: no host's answers can come faster than its total answer time spread over
    its slots (nor than ceil(n / slots) of its quickest answers, nor its slowest one), and all
    answers no faster than their sum spread over ``overall``."""
    per: dict[str, list[float]] = defaultdict(list)
    for url in set(urls):
        _scheme, _, host, path = url.split("/", 3)
        per[host].append(answer_delay("/" + path, delay, spread))
    host_bound = max(
        max(sum(times) / per_host, max(times), math.ceil(len(times) / per_host) * min(times))
        for times in per.values()
    )
    return max(host_bound, sum(sum(times) for times in per.values()) / overall)


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
    parser.add_argument("--spread", type=float, default=0.0)
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
            "--spread",
            str(args.spread),
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

        def measure(
            name: str, links: list[str], limits: tuple[int, int] | None, extra: list[str]
        ) -> None:
            """One run; ``limits`` (per-host, overall) give its politeness limit; None: none."""
            if limits:
                extra = extra + ["--per-host", str(limits[0]), "--max-concurrency", str(limits[1])]
            figures = run(common + extra)
            requests = requests_since(hosts[0])
            line = (
                f"{name:<24} wall {figures['wall_s']:6.2f} s   cpu {figures['cpu_s']:5.2f} s "
                f"({1000 * figures['cpu_s'] / args.links:.2f} ms/link)   "
                f"peak {figures['peak_rss_mb']:5.1f} MB   requests {requests:5d}"
            )
            if limits:
                limit = politeness_limit(links, *limits, args.delay, args.spread)
                line += f"   limit {limit:5.2f} s ({figures['wall_s'] / limit:.2f}x)"
            print(line, flush=True)

        path.write_text(letter(urls))
        print(
            f"{args.links} links, {len(set(urls))} distinct, on {args.hosts} hosts, answers in "
            f"{args.delay * 1000:.0f} ms ± {args.spread:.0%}"
        )
        defaults = (args.per_host, 64)  # --per-host and --max-concurrency as SPEC.md sets them
        measure("cold", urls, defaults, ["--refresh"])
        measure("warm (all cached)", urls, None, [])
        rng = random.Random(11)
        changed = [
            url.replace("/report/", "/revised/") if rng.random() < 0.10 else url for url in urls
        ]
        path.write_text(letter(changed))
        measure("10% links changed", sorted(set(changed) - set(urls)), defaults, [])
        # Where no per-host limit binds: 64 in flight overall, however they fall on hosts.
        measure("cold, --per-host 64", changed, (64, 64), ["--refresh"])
        # With 50 hosts x 4 slots = 200 the per-host limit alone binds.
        measure("cold, --max-conc. 200", changed, (args.per_host, 200), ["--refresh"])
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
