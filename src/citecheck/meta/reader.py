"""Reading a run's fetched pages without holding up its fetches.

The event loop that drives every connection also reads each page (``page_meta``, ~0.7 ms for a
30 KB page). On a polite run the busiest host is the critical path: each time one of its answers
arrives, its next request waits until the loop is free, and page reading is most of what keeps
the loop busy. So a run with many pages to read hands them to one worker process, and the loop
only drives the network: bench/bench_check.py ``--workload zipf`` (2,760 pages), 22.6 s -> 21.3 s
on average over three alternated runs each. A worker costs a process start and its imports
(~0.3 s) and the pickling of each body, which only pays on large runs; a small run reads inline,
and a big page in a thread so that it cannot starve the loop's timers.

The worker is started with ``spawn``: forking a process that runs threads (asyncio's, the
caller's) can deadlock the child. If the worker dies, pages are read inline from then on.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from types import TracebackType

from citecheck.meta import page_meta
from citecheck.models import PageMeta

POOL_FROM = 500  # pages to read from which a worker process pays for its start
_BIG_PAGE = 256 * 1024  # bytes from which an inline read moves to a thread


class PageReader:
    """Reads the pages of one run; ``pages`` is how many it expects. Use ``async with``."""

    def __init__(self, pages: int) -> None:
        self._pool: ProcessPoolExecutor | None = None
        if pages >= POOL_FROM:
            self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))

    async def __aenter__(self) -> PageReader:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    async def read(
        self,
        body: bytes,
        content_type: str | None,
        url: str,
        *,
        charset: str | None,
        fingerprint: bool,
    ) -> PageMeta:
        """``page_meta`` of one page, read where it holds up the fetches least."""
        work = partial(page_meta, body, content_type, url, charset=charset, fingerprint=fingerprint)
        if self._pool is not None:
            try:
                return await asyncio.get_running_loop().run_in_executor(self._pool, work)
            except BrokenProcessPool:  # the worker died (killed, out of memory): read inline
                broken, self._pool = self._pool, None
                broken.shutdown(wait=False)
        if len(body) > _BIG_PAGE:
            return await asyncio.to_thread(work)
        return work()
