"""Benchmark page metadata extraction: 1,000 pages of ~100 KB each (no network).

Builds realistic article pages (head with Open Graph, JSON-LD and a dozen other meta tags; a site
header with menus; inline scripts and styles; an article of paragraphs and headings; related
items with their own dates; a footer), varying the signals so that every date path is taken,
then times ``citecheck.meta.page_meta`` over all of them and prints the wall time (target < 5 s).

    python bench/bench_meta.py [--pages 1000] [--size-kb 100]
"""

from __future__ import annotations

import argparse
import random
import time

from citecheck.meta import page_meta

PARAGRAPH = (
    "<p>Since 2017 the authorities have detained human rights defenders, lawyers and journalists "
    "in the region, and the government continues to deny access to independent observers. "
    "<a href='/news/{n}'>Related reporting</a> shows a pattern of <em>arbitrary detention</em> "
    "and forced labour transfers affecting communities across the country.</p>\n"
)
SCRIPT = (
    "<script>window.dataLayer=window.dataLayer||[];"
    "function gtag(){{dataLayer.push(arguments)}}gtag('js',new Date());"
    "var cfg={{id:{n}}};</script>\n"
)
STYLE = "<style>.c{n}{{margin:0 auto;padding:{n}px;font:16px/1.5 sans-serif;color:#222}}</style>\n"


def page(index: int, size: int, rng: random.Random) -> tuple[bytes, str]:
    """One ~``size``-byte article page and its URL."""
    day = 1 + index % 28
    title = f"China: Report number {index} on detention and forced labour"
    variant = index % 4
    head = [
        '<meta charset="utf-8">',
        f"<title>{title} | Human Rights Watch</title>",
        '<meta property="og:site_name" content="Human Rights Watch">',
        f'<meta property="og:title" content="{title}">',
        '<meta name="description" content="Authorities detained defenders, the report finds.">',
        '<link rel="canonical" href="/news/x">',
        '<meta property="article:modified_time" content="2025-09-01T10:00:00Z">',
    ]
    head += [f'<meta name="x-tag-{n}" content="value {n}">' for n in range(12)]
    if variant == 0:
        head.append(
            f'<meta property="article:published_time" content="2024-06-{day:02d}T09:00:00+02:00">'
        )
    elif variant == 1:
        head.append(
            '<script type="application/ld+json">{"@context":"https://schema.org","@graph":['
            '{"@type":"Organization","name":"HRW"},{"@type":"NewsArticle","headline":"'
            f'{title}","datePublished":"2024-06-{day:02d}"}}]}}</script>'
        )
    body = [
        "<header><a href='/'>Home</a><nav><ul>"
        + "".join(f"<li><a href='/t/{n}'>Topic {n}</a></li>" for n in range(40))
        + "</ul></nav></header>",
        "<main><article><header><h1>" + title + "</h1>",
        f"<p>Published {day} June 2024</p></header>" if variant == 2 else "</header>",
    ]
    parts, length, n = [], sum(map(len, head + body)), 0
    while length < size:
        chunk = rng.choice((PARAGRAPH, PARAGRAPH, PARAGRAPH, SCRIPT, STYLE)).format(n=n)
        if n % 15 == 0:
            chunk += f"<h2 id='s{n}'>Section {n}</h2>\n"
        parts.append(chunk)
        length += len(chunk)
        n += 1
    body += [*parts, "</article>"]
    body.append(
        "<aside class='related'>"
        + "".join(f"<time datetime='2025-0{1 + k}-01'>x</time>" for k in range(5))
        + "</aside></main><footer>© 2025 Human Rights Watch</footer>"
    )
    url = f"https://www.hrw.org/news/2024/06/{day:02d}/report-{index}"
    html = "<!doctype html><html lang='en'><head>" + "".join(head) + "</head><body>"
    return (html + "".join(body) + "</body></html>").encode(), url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--size-kb", type=int, default=100)
    args = parser.parse_args()
    rng = random.Random(4)
    pages = [page(i, args.size_kb * 1024, rng) for i in range(args.pages)]
    total = sum(len(body) for body, _ in pages)
    start = time.perf_counter()
    found = 0
    for body, url in pages:
        meta = page_meta(body, "text/html; charset=utf-8", url)
        found += meta.title is not None and meta.published is not None
    elapsed = time.perf_counter() - start
    print(
        f"{args.pages} pages, {total / 1e6:.1f} MB: {elapsed:.2f} s wall "
        f"({elapsed / args.pages * 1000:.2f} ms/page), title and date found on {found}"
    )


if __name__ == "__main__":
    main()
