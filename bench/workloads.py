"""The letters bench_check.py checks, and the fastest any polite checker could check them.

Workloads (the answers each path gets are bench/server.py's):

* ``uniform``: links dealt round-robin over the hosts, ~10% cited twice, ~5% 404s; quick pages.
* ``zipf``: distinct links on hosts where host i has a share ∝ 1/(i+1), in random order; of
  them 2% slow pages, 5% 301s (to a page on the same host), 5% 404s, 3% 500s, the rest 20-40 KB
  pages with real-looking markup.

The politeness limit (``politeness_limit``) is a lower bound on the wall time of any checker that
keeps at most ``per_host`` requests in flight on a host and ``overall`` in all, fetches each
distinct URL and follows its redirects:

* a link costs the requests that reach its final answer, each holding a slot for its answer's
  time (``server.hops``): one, or two for a 301 (the redirect, then its target);
* a 500 counts once: retrying is the checker's choice, so the bound assumes none. Pass
  ``retries`` to count a checker's own policy (each retry is one more request, after at least
  its backoff: citecheck waits 0.5 s x 2^(attempt-1) and more);
* a slow page holds its slot for its whole answer time, like any other;
* time spent anywhere but waiting for answers (connecting, reading, parsing) counts as nothing.

At most k requests in flight on a host means its requests can be laid out on k slots, one after
another on each (intervals of depth k can be coloured with k colours), so the host needs at
least the busiest slot's time, and that is at least:

* the answers' total over k, rounded up to a multiple of their greatest common divisor (a
  slot's time is a sum of answers): ⌈links / 4⌉ x latency when all take the same time;
* for every m, the ⌈m / k⌉ shortest of its m longest answers (some slot serves that many of
  them): the slowest answer alone, or two 2 s pages in a row if a host has five of them at 4
  per host;
* the longest single link: its requests in a row, plus any backoff between them.

The same hold for all hosts together with ``overall`` slots. Note that "⌈links / 4⌉ x latency
plus a slow page" is not a lower bound when a host has one slow page (it serves the rest on its 3
other slots meanwhile), and far below this one when it has many: the zipf letter's busiest host
has 641 links, 17 of them slow pages, 34 s of slot time that 4 slots need 8.5 s for.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from server import hops, status  # bench/ is on sys.path when the bench runs

LINK = "- See [report number {index}]({url}) on arbitrary detention."
# Shares of the zipf workload's links by the answer they get; the rest are ordinary pages.
ZIPF_KINDS = {"slow": 0.02, "moved": 0.05, "missing": 0.05, "error": 0.03}


def uniform(hosts: list[str], links: int, rng: random.Random) -> list[str]:
    """The letter's links in order: ~10% repeat an earlier one, ~5% are 404s."""
    urls: list[str] = []
    for index in range(links):
        if urls and rng.random() < 0.10:
            urls.append(rng.choice(urls))
            continue
        kind = "missing" if rng.random() < 0.05 else "report"
        urls.append(f"http://{hosts[index % len(hosts)]}/{kind}/{index}")
    return urls


def zipf(hosts: list[str], links: int, rng: random.Random) -> list[str]:
    """``links`` distinct links in random order; host i gets a share ∝ 1/(i+1) of them (largest
    remainders, so the counts add up) and each kind of answer its exact share overall."""
    weights = [1 / (i + 1) for i in range(len(hosts))]
    quotas = [links * w / sum(weights) for w in weights]
    counts = [math.floor(q) for q in quotas]
    by_remainder = sorted(range(len(hosts)), key=lambda i: counts[i] - quotas[i])
    for i in by_remainder[: links - sum(counts)]:
        counts[i] += 1
    kinds = [kind for kind, share in ZIPF_KINDS.items() for _ in range(round(links * share))]
    kinds += ["page"] * (links - len(kinds))
    rng.shuffle(kinds)
    places = [host for host, count in zip(hosts, counts, strict=True) for _ in range(count)]
    rng.shuffle(places)
    return [
        f"http://{host}/{kind}/report-{index}"
        for index, (host, kind) in enumerate(zip(places, kinds, strict=True))
    ]


def letter(urls: list[str]) -> str:
    body = (LINK.format(index=index, url=url) for index, url in enumerate(urls))
    return "# Bench letter\n\n" + "\n".join(body) + "\n"


@dataclass(frozen=True, slots=True)
class Timing:
    """How the servers answer: ``delay`` x (1 ± ``spread``) a path, ``slow`` s a slow page."""

    delay: float
    spread: float
    slow: float


def politeness_limit(
    urls: Iterable[str],
    per_host: int,
    overall: int,
    timing: Timing,
    retries: int = 0,
    backoff: float = 0.5,
) -> float:
    """The least wall time of any checker with these limits (see the module docstring);
    ``retries`` and ``backoff`` count a checker's retries of 5xx answers."""
    answers: dict[str, list[float]] = defaultdict(list)
    longest = 0.0
    for url in set(urls):
        _scheme, _, host, path = url.split("/", 3)
        times = hops("/" + path, timing.delay, timing.spread, timing.slow)
        waits = 0.0
        if retries and 500 <= status("/" + path) <= 599:
            times = times * (retries + 1)
            waits = sum(backoff * 2**attempt for attempt in range(retries))
        answers[host].extend(times)
        longest = max(longest, sum(times) + waits)
    slots = min(per_host, overall)
    busiest = max(least_time(times, slots) for times in answers.values())
    everything = least_time([t for times in answers.values() for t in times], overall)
    return max(busiest, everything, longest)


def least_time(answers: list[float], slots: int) -> float:
    """A lower bound on the time ``slots`` slots need to wait for all of these answers."""
    # Whole microseconds, rounded down (the 1e-6 only undoes float error): still a lower bound.
    micros = sorted((math.floor(answer * 1e6 + 1e-6) for answer in answers), reverse=True)
    unit = math.gcd(*micros)
    bound = unit * math.ceil(sum(micros) / (slots * unit))
    prefix = [0]
    for value in micros:
        prefix.append(prefix[-1] + value)
    for m in range(1, len(micros) + 1):
        in_a_row = math.ceil(m / slots)
        bound = max(bound, prefix[m] - prefix[m - in_a_row])
    return bound / 1e6
