"""Benchmark citecheck against hostile input: huge and deep letters, endpoints that never stop.

1. An HTML letter of 100,000 nested tags (``<div><p><span>`` over and over, links before,
   inside and after): wall time and peak RSS of ``citecheck refs``, and the links it found.
   Target: under 5 s.
2. A ~20 MB Markdown letter citing 100,000 links over a few distinct URLs on a loopback server:
   wall time and peak RSS of ``citecheck check`` (a subprocess), and the requests the server saw
   (deduplication should make them one per distinct URL). Target: peak RSS under 500 MB.
   ``--style footnotes`` writes the links as 100,000 ``[^n]:`` notes instead of list items.
3. Endpoints offering multi-GB bodies, an endless chunked stream and gzip / brotli bombs: the
   bytes each server actually wrote before citecheck stopped reading (counted server-side, as
   the body generator is resumed only after each write returned), and the run's peak RSS.

Servers are the threaded loopback servers of tests/support/servers.py (127.0.0.x only, never
the network).

    python bench/bench_hostile.py [--tags 100000] [--links 100000] [--distinct 10]
        [--size-mb 20] [--style list|footnotes] [--parts nested-html,huge-letter,endpoints]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import brotli  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests" / "support")]

from hostile_kit import GIB, MIB, Counted, big_letter, endless, endless_chunked  # noqa: E402
from servers import LoopbackServer, Reply, sized_body  # noqa: E402

CITECHECK = [sys.executable, "-m", "citecheck"]
FLAGS = ["--format", "json", "--allow-private", "--no-cache", "--retries", "0", "--quiet"]
HTML = [("Content-Type", "text/html; charset=utf-8")]
PAGE = b"<!doctype html><title>Detention report</title><h1>Detention report</h1>"


def run(args: list[str], cwd: Path, stdout: Path | None = None) -> dict[str, float]:
    """Run citecheck; its wall time, CPU time and peak RSS (from wait4, this child only).

    Its standard output goes to ``stdout`` when given (a file: a pipe read after stderr could
    fill up and stall the child), else nowhere.
    """
    start = time.perf_counter()
    with open(stdout or os.devnull, "wb") as out:
        child = subprocess.Popen(
            CITECHECK + args,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.PIPE,
        )
        assert child.stderr is not None
        err = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if child.returncode not in (0, 1):
        sys.exit(f"citecheck failed ({child.returncode}): {err.decode(errors='replace')[-2000:]}")
    return {
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_rss_mb": usage.ru_maxrss / 1024,  # KiB on Linux
    }


def nested_html(work: Path, tags: int) -> None:
    """``refs`` on an HTML letter of ``tags`` nested elements, links around and inside them."""
    layer = '<div><p><span class="x">'
    depth = tags // 3
    path = work / "nested.html"
    path.write_text(
        '<a href="https://ngo.test/first">first</a>'
        + layer * (depth // 2)
        + '<a href="https://ngo.test/middle">middle</a>'
        + layer * (depth - depth // 2)
        + '<a href="https://ngo.test/deep">deep</a>'
        + "</span></p></div>" * depth
        + '<ol class="footnotes"><li><a href="https://ngo.test/note">Note</a>, 5 May 2023</li>',
        encoding="utf-8",
    )
    out = work / "nested.json"
    figures = run(["refs", str(path), "--format", "json"], work, stdout=out)
    found = len(json.loads(out.read_text(encoding="utf-8"))["references"])
    print(
        f"nested HTML letter: {3 * depth:,} nested tags, {path.stat().st_size / MIB:.1f} MB -> "
        f"{found} of 4 links; refs wall {figures['wall_s']:.2f} s (target < 5 s), "
        f"cpu {figures['cpu_s']:.2f} s, peak RSS {figures['peak_rss_mb']:.0f} MB"
    )


def footnotes_letter(urls: list[str], links: int, size: int) -> str:
    """A Markdown letter of about ``size`` bytes whose ``links`` citations are ``[^n]:`` notes."""
    filler = "The delegation raised arbitrary detention and forced labour with its counterparts. "
    per_note = max(0, size // links - 90)
    padding = (filler * (per_note // len(filler) + 1))[:per_note]
    claims = "".join(f"Claim {n}[^{n}].\n" for n in range(0, links, 100))
    notes = "".join(
        f"[^{n}]: {padding}See [Report {n}]({urls[n % len(urls)]}), 17 July 2025.\n"
        for n in range(links)
    )
    return f"# A very long letter\n\n{claims}\n{notes}"


def huge_letter(work: Path, links: int, distinct: int, size_mb: int, style: str) -> None:
    with LoopbackServer("127.0.0.60") as site:
        for n in range(distinct):
            site.route(f"/report/{n}", Reply(200, PAGE, HTML))
        urls = [site.url(f"/report/{n}") for n in range(distinct)]
        path = work / "huge.md"
        write = footnotes_letter if style == "footnotes" else big_letter
        path.write_text(write(urls, links, size_mb * MIB), encoding="utf-8")
        figures = run(["check", str(path), *FLAGS, "--timeout", "10"], work)
        size = path.stat().st_size / MIB
        print(
            f"huge letter ({style}): {size:.1f} MB, {links:,} links, {distinct} distinct URLs -> "
            f"{len(site.requests)} requests; check wall {figures['wall_s']:.2f} s, "
            f"cpu {figures['cpu_s']:.2f} s, peak RSS {figures['peak_rss_mb']:.0f} MB "
            "(target < 500 MB)"
        )


def _pieces(data: bytes, size: int = 65_536) -> Iterator[bytes]:
    return (data[start : start + size] for start in range(0, len(data), size))


def _bomb(compress: Callable[[bytes], bytes], finish: Callable[[], bytes], total: int) -> bytes:
    """``total`` zero bytes, compressed: a few KB on the wire that decode to ``total``."""
    zeros = bytes(MIB)
    return b"".join(compress(zeros) for _ in range(total // MIB)) + finish()


def hostile_endpoints(work: Path) -> None:
    gzip_engine = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    brotli_engine = brotli.Compressor(quality=5)
    gzip_bomb = _bomb(gzip_engine.compress, gzip_engine.flush, GIB)
    brotli_bomb = _bomb(brotli_engine.process, brotli_engine.finish, 4 * GIB)
    endpoints = {
        # path: (offered, body factory, headers)
        "/eight-gib-page": (
            "8 GiB text/html",
            sized_body(8 * GIB, b"<p>" * 20_000),
            [*HTML, ("Content-Length", str(8 * GIB))],
        ),
        "/eight-gib-image": (
            "8 GiB image/png",
            sized_body(8 * GIB, bytes(65_536)),
            [("Content-Type", "image/png"), ("Content-Length", str(8 * GIB))],
        ),
        "/endless-chunked": (
            "endless chunked text/html",
            endless_chunked(b"<p>more</p>" * 1000),
            [*HTML, ("Transfer-Encoding", "chunked")],
        ),
        "/endless-untyped": ("endless, no type", endless(b"<p>no type</p>" * 4096), []),
        "/gzip-bomb": (
            f"gzip bomb, 1 GiB in {len(gzip_bomb) / MIB:.2f} MB",
            lambda: _pieces(gzip_bomb),
            [*HTML, ("Content-Encoding", "gzip"), ("Content-Length", str(len(gzip_bomb)))],
        ),
        "/brotli-bomb": (
            f"brotli bomb, 4 GiB in {len(brotli_bomb) / 1024:.1f} KB",
            lambda: _pieces(brotli_bomb),
            [*HTML, ("Content-Encoding", "br"), ("Content-Length", str(len(brotli_bomb)))],
        ),
    }
    counters = {path: Counted(factory) for path, (_, factory, _) in endpoints.items()}
    with LoopbackServer("127.0.0.61") as site:
        for path, (_, _, headers) in endpoints.items():
            site.route(path, Reply(200, counters[path], headers))
        letter = work / "hostile.md"
        letter.write_text(
            "".join(f"- [{path}]({site.url(path)})\n" for path in endpoints), encoding="utf-8"
        )
        figures = run(["check", str(letter), *FLAGS, "--timeout", "5"], work)
    print(
        f"hostile endpoints (all in one run): wall {figures['wall_s']:.2f} s, "
        f"peak RSS {figures['peak_rss_mb']:.0f} MB"
    )
    for path, (offered, _, _) in endpoints.items():
        sent = counters[path].sent
        print(f"  {path:18} offered {offered:34} server wrote {sent / MIB:8.2f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--links", type=int, default=100_000)
    parser.add_argument("--distinct", type=int, default=10)
    parser.add_argument("--size-mb", type=int, default=20)
    parser.add_argument("--style", choices=("list", "footnotes"), default="list")
    parser.add_argument("--tags", type=int, default=100_000)
    parser.add_argument("--parts", default="nested-html,huge-letter,endpoints")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    with tempfile.TemporaryDirectory(prefix="citecheck-bench-hostile-") as folder:
        work = Path(folder)
        if "nested-html" in parts:
            nested_html(work, args.tags)
        if "huge-letter" in parts:
            huge_letter(work, args.links, args.distinct, args.size_mb, args.style)
        if "endpoints" in parts:
            hostile_endpoints(work)


if __name__ == "__main__":
    main()
