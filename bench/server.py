"""A load-test server for the benchmarks: one listener on each of N loopback addresses.

Every request waits ``--delay`` seconds (give or take ``--spread`` of it, fixed per path, as
real servers are not all equally fast: see ``answer_delay``), then answers a small HTML page
with a title and a publication date (or 404 for paths under /missing/). It prints one JSON line
with the listening addresses and serves until killed (SIGTERM/SIGINT). ``GET /__stats`` on any of
them answers the request count per host since the last such question.
Only loopback addresses are ever bound.
"""

from __future__ import annotations

import argparse
import asyncio
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


def answer_delay(path: str, delay: float, spread: float) -> float:
    """How long the answer to ``path`` takes: ``delay`` x (1 ± ``spread``), the same every time,
    so the benchmark can compute the fastest possible run from the letter alone."""
    unit = zlib.crc32(path.encode()) / 0xFFFFFFFF  # in [0, 1], evenly spread
    return delay * (1 + spread * (2 * unit - 1))


async def serve(hosts: int, delay: float, spread: float, start: int) -> None:
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
                await asyncio.sleep(answer_delay(path, delay, spread))
                if path.startswith("/missing/"):
                    body, status = b"<title>Not here</title>", "404 Not Found"
                else:
                    title = path.strip("/").replace("/", " ").replace("-", " ") or "home"
                    body = PAGE.format(title=title, filler=FILLER).encode()
                    status = "200 OK"
                writer.write(
                    f"HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n".encode()
                    + body
                )
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
    parser.add_argument("--start", type=int, default=2, help="first address is 127.0.0.START")
    args = parser.parse_args()
    if not (1 <= args.start and args.start + args.hosts <= 255):
        sys.exit("addresses must stay within 127.0.0.1-254")
    asyncio.run(serve(args.hosts, args.delay, args.spread, args.start))


if __name__ == "__main__":
    main()
