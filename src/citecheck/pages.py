"""Reading fetched pages: their metadata and verdict, in worker processes when there are many.

``read_page`` is the reading itself (``meta.page_meta``, then ``classify.link_verdict``). It costs
a millisecond or more of CPU a page, about half of all the CPU a checked link costs, and on the
event loop every millisecond of it delays the answers waiting behind it: the busiest host's next
request among them, whose links go one after the other and make the run's length. Threads do not
help (the reading is Python code and holds the GIL).

``PageReaders`` reads pages in worker processes instead, so the loop only fetches. A worker is
``python -m citecheck.pages`` talking over its stdin and stdout in length-prefixed pickles, read
and written by the loop itself with asyncio's pipes: no thread in this process competes for the
GIL. It pays only for many pages (a worker takes a fifth of a second to start) and with a core to
spare, which ``workers_for`` decides. A worker that dies, or cannot start, costs nothing but
speed: every page it did not answer is read here, as without workers.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pickle
import struct
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import BinaryIO

from citecheck import classify
from citecheck.models import Fetched, LinkVerdict, PageMeta

_FRAME = struct.Struct(">I")  # each message: its length, then its pickle
_BIG_PAGE = 256 * 1024  # bytes of body from which a page read here is read in a thread
_BACKLOG = 16 * 1024 * 1024  # bytes of pages waiting to be read before fetches wait for them
_FROM_PAGES = 200  # fewer pages than this are read here: a worker would not earn its start-up
_MAX_WORKERS = 2  # one reads ~800 pages a second, more than a polite run fetches


def read_page(fetched: Fetched, fingerprint: bool) -> tuple[PageMeta | None, LinkVerdict]:
    """What an answer says: its page's metadata (2xx pages) and its verdict before --accept;
    ``fingerprint``: with the text fingerprint a citation lock needs."""
    meta = _page_meta(fetched, fingerprint)
    return meta, classify.link_verdict(fetched, meta)


def has_page(fetched: Fetched) -> bool:
    """Whether ``fetched`` holds a page to read (the rest is decided from the status line)."""
    return fetched.error is None and bool(fetched.body) and 200 <= (fetched.http_status or 0) < 300


def workers_for(pages: int) -> int:
    """How many worker processes reading ``pages`` pages is worth: none for a few pages or
    on a single core, where a worker would only compete with the loop."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        cores = os.cpu_count() or 1
    if pages < _FROM_PAGES or cores < 2:
        return 0
    return min(_MAX_WORKERS, cores - 1)


def _page_meta(fetched: Fetched, fingerprint: bool) -> PageMeta | None:
    if not has_page(fetched):
        return None
    from citecheck import meta

    return meta.page_meta(
        fetched.body,
        fetched.content_type,
        fetched.final_url or fetched.url,
        charset=_charset(fetched.header("content-type")),
        fingerprint=fingerprint,
    )


def _charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    for part in content_type.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset" and value:
            return value.strip("\"' ")
    return None


class _ReadHere(Exception):
    """A worker could not read this page (it stopped, or the reading failed there): read it here,
    where it succeeds or fails as it would have without workers."""


@dataclass(eq=False)
class _Worker:
    process: asyncio.subprocess.Process
    waiting: dict[int, asyncio.Future[tuple[PageMeta | None, LinkVerdict]]] = field(
        default_factory=dict
    )
    alive: bool = True
    listener: asyncio.Task[None] | None = None
    # One page written at a time, each drained before the next: pages written at once would pile
    # up in the pipe transport's buffer, which is shifted by memmove at each write to the pipe.
    writing: asyncio.Lock = field(default_factory=asyncio.Lock)


class PageReaders:
    """``async with PageReaders(n) as readers``: pages read in ``n`` worker processes (0: here).

    ``read_soon`` hands a page over and returns at once, so a fetch does not wait for its page to
    be read before the next one; the pages waiting hold at most ``_BACKLOG`` bytes. Leaving the
    ``async with`` waits until every page handed over is read.
    """

    def __init__(self, workers: int) -> None:
        self._wanted = workers
        self._workers: list[_Worker] = []
        self._ids = 0
        self._queued = 0  # bytes of the pages handed over and not read yet
        self._room = asyncio.Condition()
        self._reading = asyncio.TaskGroup()

    async def __aenter__(self) -> PageReaders:
        await self._reading.__aenter__()
        for _ in range(self._wanted):
            try:
                process = await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    "citecheck.pages",
                    stdin=asyncio.subprocess.PIPE,
                    stdout=asyncio.subprocess.PIPE,
                    stderr=asyncio.subprocess.DEVNULL,
                )
            except OSError:
                break  # no worker: pages are read here
            worker = _Worker(process)
            worker.listener = asyncio.create_task(self._listen(worker))
            self._workers.append(worker)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            await self._reading.__aexit__(exc_type, exc, traceback)
        finally:
            await self._stop_workers()

    async def _stop_workers(self) -> None:
        for worker in self._workers:
            worker.alive = False
            stdin = worker.process.stdin
            if stdin is not None:
                stdin.close()  # the worker ends at the end of its input
        for worker in self._workers:
            try:
                await asyncio.wait_for(worker.process.wait(), 5)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    worker.process.kill()
                await worker.process.wait()
            if worker.listener is not None:
                worker.listener.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await worker.listener

    async def read_soon(
        self,
        fetched: Fetched,
        fingerprint: bool,
        then: Callable[[PageMeta | None, LinkVerdict], None],
    ) -> None:
        """Have ``fetched`` read (``read_page``) and ``then`` called with what it says; returns
        once the page is handed over, which waits only while the backlog is full."""
        size = len(fetched.body)
        async with self._room:
            await self._room.wait_for(lambda: not self._queued or self._queued + size <= _BACKLOG)
            self._queued += size
        self._reading.create_task(self._read_then(fetched, fingerprint, then, size))

    async def _read_then(
        self,
        fetched: Fetched,
        fingerprint: bool,
        then: Callable[[PageMeta | None, LinkVerdict], None],
        size: int,
    ) -> None:
        try:
            meta, verdict = await self.read(fetched, fingerprint)
        finally:
            async with self._room:
                self._queued -= size
                self._room.notify_all()
        then(meta, verdict)

    @property
    def pids(self) -> tuple[int, ...]:
        """The worker processes' ids (while they run)."""
        return tuple(worker.process.pid for worker in self._workers)

    async def read(
        self, fetched: Fetched, fingerprint: bool
    ) -> tuple[PageMeta | None, LinkVerdict]:
        """``read_page(fetched, fingerprint)``, in a worker when one is alive and there is a
        page to read."""
        alive = [worker for worker in self._workers if worker.alive]
        if not has_page(fetched):
            return read_page(fetched, fingerprint)
        if not alive:
            return await _read_here(fetched, fingerprint)
        worker = min(alive, key=lambda candidate: len(candidate.waiting))
        self._ids += 1
        ident = self._ids
        answer: asyncio.Future[tuple[PageMeta | None, LinkVerdict]]
        answer = asyncio.get_running_loop().create_future()
        worker.waiting[ident] = answer
        try:
            stdin = worker.process.stdin
            assert stdin is not None
            data = pickle.dumps((ident, fetched, fingerprint), protocol=pickle.HIGHEST_PROTOCOL)
            async with worker.writing:
                stdin.write(_FRAME.pack(len(data)) + data)
                await stdin.drain()
            return await answer
        except ConnectionError:
            self._lost(worker)
            return await _read_here(fetched, fingerprint)
        except _ReadHere:
            return await _read_here(fetched, fingerprint)
        finally:
            worker.waiting.pop(ident, None)

    async def _listen(self, worker: _Worker) -> None:
        stdout = worker.process.stdout
        assert stdout is not None
        try:
            while True:
                (size,) = _FRAME.unpack(await stdout.readexactly(_FRAME.size))
                ident, result = pickle.loads(await stdout.readexactly(size))
                answer = worker.waiting.get(ident)
                if answer is None or answer.done():
                    continue
                if result is None:
                    answer.set_exception(_ReadHere())
                else:
                    answer.set_result(result)
        except (asyncio.IncompleteReadError, ConnectionError, pickle.UnpicklingError):
            self._lost(worker)

    def _lost(self, worker: _Worker) -> None:
        """``worker`` stopped answering: what it was asked is read here, and nothing more goes
        to it."""
        worker.alive = False
        for answer in worker.waiting.values():
            if not answer.done():
                answer.set_exception(_ReadHere())


async def _read_here(fetched: Fetched, fingerprint: bool) -> tuple[PageMeta | None, LinkVerdict]:
    if len(fetched.body) > _BIG_PAGE:
        # Reading a big page takes long enough (0.3 s for 2 MB of small elements) to starve the
        # event loop: the other fetches' timers would expire with their data already arrived.
        return await asyncio.to_thread(read_page, fetched, fingerprint)
    return read_page(fetched, fingerprint)


def serve(requests: BinaryIO, answers: BinaryIO) -> None:
    """A worker's loop: read each framed (id, Fetched, fingerprint) from ``requests`` and
    write its framed (id, result) to ``answers`` until the input ends. A reading that fails
    is answered None: the caller reads that page again itself, and fails as it would have."""
    while len(head := requests.read(_FRAME.size)) == _FRAME.size:
        (size,) = _FRAME.unpack(head)
        ident, fetched, fingerprint = pickle.loads(requests.read(size))
        result: tuple[PageMeta | None, LinkVerdict] | None
        try:
            result = read_page(fetched, fingerprint)
        except Exception:
            result = None
        data = pickle.dumps((ident, result), protocol=pickle.HIGHEST_PROTOCOL)
        answers.write(_FRAME.pack(len(data)) + data)
        answers.flush()


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)
