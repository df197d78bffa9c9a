"""Bodies: read only up to the cap for their type, decoded incrementally, bounded in time."""

from __future__ import annotations

import time
import tracemalloc
import zlib

import brotli
import pytest

from citecheck.models import FetchError

from servers import Reply, sized_body

GIB = 1 << 30
MIB = 1 << 20


def test_a_1_gib_body_is_read_only_up_to_the_cap(loopback, fetch_all) -> None:
    site = loopback()
    site.route("/image", Reply(200, sized_body(GIB), [("Content-Type", "image/png")]))
    site.route("/page", Reply(200, sized_body(GIB, b"<p>" * 1000), [("Content-Type", "text/html")]))
    began = time.monotonic()

    image, page = fetch_all([site.url("/image"), site.url("/page")], html_cap=300_000)

    assert time.monotonic() - began < 5
    assert len(image.body) == 65_536 and image.truncated
    assert len(page.body) == 300_000 and page.truncated
    assert page.body.startswith(b"<p><p>")


def _compressed(compress, flush, total: int) -> bytes:
    zeros = bytes(MIB)
    return b"".join(compress(zeros) for _ in range(total // MIB)) + flush()


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    engine = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return _compressed(engine.compress, engine.flush, 256 * MIB)  # ~260 KB on the wire


@pytest.fixture(scope="module")
def brotli_bomb() -> bytes:
    engine = brotli.Compressor(quality=5)
    return _compressed(engine.process, engine.finish, GIB)  # ~1.6 KB on the wire


@pytest.mark.parametrize(("bomb", "coding"), [("gzip_bomb", "gzip"), ("brotli_bomb", "br")])
def test_a_compression_bomb_costs_no_memory(
    loopback, fetch_one, request: pytest.FixtureRequest, bomb: str, coding: str
) -> None:
    site = loopback()
    headers = [("Content-Type", "text/html"), ("Content-Encoding", coding)]
    site.route("/", Reply(200, request.getfixturevalue(bomb), headers))

    tracemalloc.start()
    try:
        fetched = fetch_one(site.url("/"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert len(fetched.body) == 2_000_000 and fetched.truncated
    assert fetched.body == bytes(2_000_000)
    assert peak < 40 * MIB  # the bomb holds 256 MiB / 1 GiB; we held about the cap


@pytest.mark.parametrize(
    ("coding", "encode"),
    [
        ("gzip", lambda data: zlib.compress(data, wbits=16 + zlib.MAX_WBITS)),
        ("deflate", zlib.compress),  # zlib-wrapped, as RFC 9110 says
        ("deflate", lambda data: zlib.compress(data, wbits=-zlib.MAX_WBITS)),  # raw, as some send
        ("br", brotli.compress),
        ("identity", lambda data: data),
    ],
)
def test_content_encodings_are_decoded(loopback, fetch_one, coding: str, encode) -> None:
    page = b"<html><title>Decoded</title>" + b"<p>text</p>" * 500 + b"</html>"
    site = loopback()
    headers = [("Content-Type", "text/html"), ("Content-Encoding", coding)]
    site.route("/", Reply(200, encode(page), headers))

    fetched = fetch_one(site.url("/"))

    assert fetched.body == page and not fetched.truncated


def test_a_body_exactly_at_the_cap_is_not_truncated(loopback, fetch_one) -> None:
    site = loopback()
    site.route("/", Reply(200, b"a" * 1000, [("Content-Type", "text/plain")]))

    fetched = fetch_one(site.url("/"), other_cap=1000)

    assert len(fetched.body) == 1000 and not fetched.truncated


@pytest.mark.parametrize(
    ("start", "cap"),
    [(b"  <!doctype html><title>x</title>", 3000), (b"%PDF-1.7\n", 5000), (b"\x89PNG\r\n", 1000)],
)
def test_a_missing_content_type_is_sniffed_for_the_cap(
    loopback, fetch_one, start: bytes, cap: int
) -> None:
    site = loopback()
    site.route("/", Reply(200, start + b"z" * 10_000))

    fetched = fetch_one(site.url("/"), html_cap=3000, pdf_cap=5000, other_cap=1000)

    assert fetched.content_type is None
    assert len(fetched.body) == cap and fetched.truncated


def test_a_tiny_untyped_body_is_kept_whole(loopback, fetch_one) -> None:
    site = loopback()
    site.route("/", Reply(200, b"%PDF-1.4 tiny"))

    fetched = fetch_one(site.url("/"), other_cap=4)

    assert fetched.body == b"%PDF-1.4 tiny" and not fetched.truncated


def test_no_answer_before_the_deadline_is_a_timeout(loopback, fetch_one) -> None:
    site = loopback()
    site.route("/", Reply(200, delay=10))
    began = time.monotonic()

    fetched = fetch_one(site.url("/"), deadline=0.4, timeout=5, retries=3)

    assert time.monotonic() - began < 2
    assert fetched.error is FetchError.TIMEOUT and fetched.http_status is None
    assert 300 <= (fetched.elapsed_ms or 0) < 2000
