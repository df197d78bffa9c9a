"""A load-test server for the benchmarks: one listener on each of N loopback addresses.

Every request waits ``--delay`` seconds (give or take ``--spread`` of it, fixed per path, as
real servers are not all equally fast: see ``answer_delay``), then answers by the path's first
segment (``answer``):

* ``/page/...``: a 20-40 KB page with real-looking markup (head with title, meta and Open Graph
  tags, nav, article paragraphs, footer), the same every time for a path (``real_page``);
* ``/slow/...``: the same kind of page, after ``--slow`` seconds instead of the delay;
* ``/moved/X``: 301 to ``/page/X-moved`` on the same host;
* ``/error/...``: 500, every time (so every retry fails too);
* ``/missing/...``: 404;
* anything else: a small page with a title and a publication date.

It prints one JSON line with the listening addresses and serves until killed (SIGTERM/SIGINT).
``GET /__stats`` on any of them answers the request count per host since the last such question.
Only loopback addresses are ever bound.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import itertools
import json
import signal
import sys
import zlib
from collections import Counter

PAGE = (
    "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
    "<title>{title} | Bench NGO</title>"
    "<meta property='og:site_name' content='Bench NGO'>"
    "<meta property='article:published_time' content='2024-06-13T09:00:00+02:00'>"
    "</head><body><h1>{title}</h1><p>{filler}</p></body></html>"
)
FILLER = "Human rights defenders documented arbitrary detention and forced labour. " * 60


SENTENCES = (
    "Human rights defenders documented arbitrary detention and forced labour in three provinces.",
    "The report draws on 214 interviews with former detainees, relatives and lawyers.",
    "Authorities did not respond to a request for comment sent on 3 May.",
    "Satellite imagery shows the facility doubled in size between 2019 and 2023.",
    "Families said they were told nothing about where their relatives were held.",
    "The United Nations Working Group on Arbitrary Detention urged the government to act.",
    "Journalists who covered the protests were fined, and some were barred from leaving.",
    "Witnesses described overcrowded cells, poor food and no access to medical care.",
    "Lawyers representing the detainees said they were denied access to case files.",
    "The ministry's statement called the allegations “baseless” and “politically motivated”.",
    "Local organisations have recorded at least 1,200 cases since the law came into force.",
    "Several companies sourcing cotton from the region announced audits of their supply chains.",
    "Court hearings were closed to the public and to diplomats who asked to observe them.",
    "Human Rights Council members are expected to discuss the findings at the June session.",
)
PARAGRAPHS = [
    "<p>" + " ".join(SENTENCES[(i * 5 + j * 3) % len(SENTENCES)] for j in range(3 + i % 5)) + "</p>"
    for i in range(97)
]
# Articles are runs of consecutive paragraphs, cut out of this text (twice round, so that any
# start has 40 KB after it) at paragraph ends: one slice per page.
ARTICLES = "".join(PARAGRAPHS * 2).encode()
ENDS = list(itertools.accumulate(len(p.encode()) for p in PARAGRAPHS * 2))
NAV = (
    "<header class='site-header'><a class='logo' href='/'>Bench NGO</a>"
    "<nav aria-label='Main'><ul>"
    + "".join(
        f"<li><a href='/{topic.lower().replace(' ', '-')}/'>{topic}</a></li>"
        for topic in (
            "News",
            "Reports",
            "Countries",
            "Topics",
            "Campaigns",
            "Multimedia",
            "About us",
            "Donate",
            "Detention",
            "Freedom of expression",
            "Refugees",
            "Business",
        )
    )
    + "</ul></nav><form role='search' action='/search'><input name='q' type='search'>"
    "<button>Search</button></form></header>"
)
FOOTER = (
    "</article></main><footer class='site-footer'><nav aria-label='Footer'><ul>"
    + "".join(f"<li><a href='/about/{n}'>About page {n}</a></li>" for n in range(20))
    + "</ul></nav><p>© 2024 Bench NGO. All rights reserved.</p>"
    "<script src='/static/js/site.min.js' defer></script></footer></body></html>"
).encode()
HEAD = (
    "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
    "<meta name='viewport' content='width=device-width, initial-scale=1'>"
    "<title>{title} | Bench NGO</title>"
    "<meta name='description' content='{title}: findings of a Bench NGO investigation.'>"
    "<link rel='canonical' href='{path}'>"
    "<link rel='stylesheet' href='/static/css/site.min.css'>"
    "<meta property='og:site_name' content='Bench NGO'>"
    "<meta property='og:type' content='article'>"
    "<meta property='og:title' content='{title}'>"
    "<meta property='og:url' content='{path}'>"
    "<meta property='article:published_time' content='{date}T09:00:00+02:00'>"
    "<meta name='twitter:card' content='summary_large_image'>"
    "</head><body>"
)


STATUS = {"moved": 301, "error": 500, "missing": 404}
REASON = {200: "OK", 301: "Moved Permanently", 404: "Not Found", 500: "Internal Server Error"}


def _unit(path: str) -> float:
    """A number in [0, 1] fixed by ``path`` and evenly spread over paths."""
    return zlib.crc32(path.encode()) / 0xFFFFFFFF


def answer_delay(path: str, delay: float, spread: float) -> float:
    """How long the answer to ``path`` takes: ``delay`` x (1 ± ``spread``), the same every time,
    so the benchmark can compute the fastest possible run from the letter alone."""
    return delay * (1 + spread * (2 * _unit(path) - 1))


def status(path: str) -> int:
    """The HTTP status that answers ``path``."""
    return STATUS.get(path.lstrip("/").partition("/")[0], 200)


def hops(path: str, delay: float, spread: float, slow: float) -> tuple[float, ...]:
    """How long each request that reaches ``path``'s final answer waits for its answer, in order:
    one request, or two for a redirect (to its target on the same host)."""
    kind, _, rest = path.lstrip("/").partition("/")
    if kind == "moved":
        target = f"/page/{rest}-moved"
        return answer_delay(path, delay, spread), answer_delay(target, delay, spread)
    return (slow if kind == "slow" else answer_delay(path, delay, spread),)


def real_page(path: str) -> bytes:
    """A 20-40 KB article page for ``path``, the same every time, cut from prepared text so that
    serving it costs the server next to nothing."""
    seed = zlib.crc32(path.encode())
    title = path.strip("/").replace("/", " ").replace("-", " ").capitalize()
    date = f"20{18 + seed % 7}-{1 + seed % 12:02d}-{1 + seed % 28:02d}"
    top = (
        HEAD.format(title=title, path=path, date=date)
        + NAV
        + f"<main><article><h1>{title}</h1><p class='byline'>Published {date}</p>"
    ).encode()
    first = seed % len(PARAGRAPHS)
    start = ENDS[first - 1] if first else 0
    want = 20_000 + seed % 19_000 - len(top) - len(FOOTER)  # a last paragraph may go past it
    end = ENDS[bisect.bisect_left(ENDS, start + want)]
    return b"".join((top, ARTICLES[start:end], FOOTER))


def answer(path: str) -> tuple[int, list[str], bytes]:
    """The status, extra headers and body that answer ``path``."""
    kind, _, rest = path.lstrip("/").partition("/")
    code = status(path)
    if code == 301:
        return code, [f"Location: /page/{rest}-moved"], b"<title>Moved</title>"
    if code != 200:
        return code, [], f"<title>{REASON[code]}</title>".encode()
    if kind in ("page", "slow"):
        return code, [], real_page(path)
    title = path.strip("/").replace("/", " ").replace("-", " ") or "home"
    return code, [], PAGE.format(title=title, filler=FILLER).encode()


async def serve(hosts: int, delay: float, spread: float, slow: float, start: int) -> None:
    counts: Counter[str] = Counter()
    stop = asyncio.Event()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        host = writer.get_extra_info("sockname")[0]
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
                path = request_line.split(" ")[1]
                if path == "/__stats":  # the bench's own question: requests since last asked
                    body = json.dumps(dict(counts)).encode()
                    counts.clear()
                    writer.write(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                        + f"Content-Length: {len(body)}\r\n\r\n".encode()
                        + body
                    )
                    await writer.drain()
                    continue
                counts[host] += 1
                await asyncio.sleep(hops(path, delay, spread, slow)[0])
                code, headers, body = answer(path)
                head = [
                    f"HTTP/1.1 {code} {REASON[code]}",
                    "Content-Type: text/html; charset=utf-8",
                    *headers,
                ]
                head.append(f"Content-Length: {len(body)}\r\n\r\n")
                writer.write("\r\n".join(head).encode() + body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()

    servers = []
    addresses = []
    for index in range(hosts):
        address = f"127.0.0.{start + index}"
        server = await asyncio.start_server(handle, address, 0, backlog=1024)
        servers.append(server)
        addresses.append(f"{address}:{server.sockets[0].getsockname()[1]}")
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(json.dumps({"hosts": addresses}), flush=True)
    await stop.wait()
    for server in servers:
        server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--delay", type=float, default=0.05)
    parser.add_argument("--spread", type=float, default=0.0, help="answers take delay x (1 ± S)")
    parser.add_argument("--slow", type=float, default=2.0, help="seconds /slow/ pages take")
    parser.add_argument("--start", type=int, default=2, help="first address is 127.0.0.START")
    args = parser.parse_args()
    if not (1 <= args.start and args.start + args.hosts <= 255):
        sys.exit("addresses must stay within 127.0.0.1-254")
    asyncio.run(serve(args.hosts, args.delay, args.spread, args.slow, args.start))


if __name__ == "__main__":
    main()
