"""PageReader: a large run's pages are read in a worker process, with the same results as inline."""

from __future__ import annotations

import asyncio
import multiprocessing

from citecheck.meta import page_meta
from citecheck.meta.reader import POOL_FROM, PageReader

PAGES = [
    (
        f"<!doctype html><html lang='en'><head><title>Report {n} on detention</title>"
        f"<meta property='article:published_time' content='2025-07-{1 + n % 28:02d}'></head>"
        f"<body><main><h1>Report {n}</h1><p>{'Findings and testimony. ' * 40}</p></main>"
        "</body></html>"
    ).encode()
    for n in range(12)
]


def read_all(expected_pages: int) -> tuple[list[object], int]:
    async def main() -> tuple[list[object], int]:
        async with PageReader(expected_pages) as reader:
            found = await asyncio.gather(
                *(
                    reader.read(
                        page, "text/html", f"https://ngo.test/{n}", charset=None, fingerprint=True
                    )
                    for n, page in enumerate(PAGES)
                )
            )
            return list(found), len(multiprocessing.active_children())

    return asyncio.run(main())


def test_a_large_run_reads_its_pages_in_a_worker_with_the_same_results() -> None:
    inline = [
        page_meta(page, "text/html", f"https://ngo.test/{n}", fingerprint=True)
        for n, page in enumerate(PAGES)
    ]

    found, workers = read_all(POOL_FROM)

    assert workers == 1
    assert found == inline
    assert found[3].title == "Report 3 on detention"  # type: ignore[attr-defined]


def test_a_small_run_starts_no_process() -> None:
    found, workers = read_all(POOL_FROM - 1)

    assert workers == 0
    assert found[0].title == "Report 0 on detention"  # type: ignore[attr-defined]
