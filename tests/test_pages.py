"""Pages read in worker processes say exactly what they say read here, and no page is lost when a
worker dies; a long letter's check reads its pages that way (citecheck.pages)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from pathlib import Path

import pytest

from citecheck.config import Options
from citecheck.letters import collect
from citecheck.models import Fetched, LinkVerdict, PageMeta
from citecheck.pages import PageReaders, read_page, workers_for
from citecheck.pipeline import run_check

from servers import Reply

HTML = [("Content-Type", "text/html; charset=utf-8")]
CORPUS = Path(__file__).parent / "meta" / "corpus"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))


def corpus_answers() -> list[Fetched]:
    """Every page of the metadata corpus as a 200 answer, and a few answers that are no page."""
    answers = [
        Fetched(
            url=entry["url"],
            http_status=200,
            content_type=entry["content_type"],
            headers=(("content-type", f"{entry['content_type']}; charset={entry['charset']}"),)
            if entry["charset"]
            else (),
            body=(CORPUS / name).read_bytes(),
        )
        for name, entry in sorted(EXPECTED.items())
    ]
    challenge = b"<html><title>Just a moment...</title><div id='cf-chl-widget'></div></html>"
    return [
        *answers,
        Fetched(url="https://example.org/gone", http_status=404, body=b"<title>Not found</title>"),
        Fetched(url="https://example.org/wall", http_status=200, body=challenge),
        Fetched(url="https://example.org/empty", http_status=200, content_type="text/html"),
    ]


def read_with_workers(
    answers: list[Fetched], *, workers: int = 1, kill_first: bool = False
) -> list[tuple[PageMeta | None, LinkVerdict]]:
    async def main() -> list[tuple[PageMeta | None, LinkVerdict]]:
        async with PageReaders(workers) as readers:
            assert len(readers.pids) == workers
            if kill_first:
                os.kill(readers.pids[0], signal.SIGKILL)
            return list(await asyncio.gather(*(readers.read(a, False) for a in answers)))

    return asyncio.run(main())


def test_a_worker_reads_every_page_as_it_is_read_here() -> None:
    answers = corpus_answers()
    here = [read_page(answer, False) for answer in answers]
    assert read_with_workers(answers) == here
    titles = {meta.title for meta, _ in here if meta is not None}
    assert {entry["title"] for entry in EXPECTED.values()} <= titles  # the pages were read


def test_the_pages_of_a_worker_that_died_are_read_here() -> None:
    answers = corpus_answers()
    here = [read_page(answer, False) for answer in answers]
    assert read_with_workers(answers, kill_first=True) == here


def test_read_soon_reads_every_page_handed_over_before_the_readers_close() -> None:
    answers = corpus_answers() * 3
    read: list[tuple[str, PageMeta | None, LinkVerdict]] = []

    async def main() -> tuple[int, ...]:
        async with PageReaders(1) as readers:
            for answer in answers:

                def then(
                    meta: PageMeta | None, verdict: LinkVerdict, url: str = answer.url
                ) -> None:
                    read.append((url, meta, verdict))

                await readers.read_soon(answer, False, then)
            pids = readers.pids
        return pids

    pids = asyncio.run(main())
    assert sorted(url for url, _, _ in read) == sorted(answer.url for answer in answers)
    for pid in pids:  # the worker ended with the readers, and was reaped
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_workers_are_used_only_for_many_pages() -> None:
    assert workers_for(10) == 0
    assert workers_for(5_000) == (min(2, len(os.sched_getaffinity(0)) - 1))


def test_a_long_letter_is_checked_with_its_pages_read_in_workers(tmp_path: Path, loopback) -> None:  # type: ignore[no-untyped-def]
    pages = 240
    assert workers_for(pages) or os.cpu_count() == 1  # this many pages go to the workers
    site = loopback()
    for number in range(pages):
        body = f"<title>Report number {number}</title><p>Text.</p>".encode()
        site.route(f"/report/{number}", Reply(200, body, HTML))
    site.route("/gone", Reply(404))
    path = tmp_path / "letter.md"
    links = [f"- [Report {n}]({site.url(f'/report/{n}')})" for n in range(pages)]
    path.write_text("\n".join([*links, f"- [Gone]({site.url('/gone')})"]), encoding="utf-8")
    options = Options(allow_private=True, cache=False, retries=0, timeout=5.0)
    report = run_check(collect([str(path)]), options)
    assert report.findings is not None
    assert [finding.status.value for finding in report.findings] == ["ok"] * pages + ["broken"]
    titles = [finding.meta.title for finding in report.findings if finding.meta]
    assert titles == [f"Report number {n}" for n in range(pages)]
