"""Large Markdown letters: read in one pass, they give what a read after a first pass for
definitions gives."""

from __future__ import annotations

from citecheck.models import LetterFormat

from parse_helpers import claims, places, refs

# Every kind of block a link can sit in, a notes section and a code fence among them; no "]:",
# so the letter is read in one pass.
CHUNK = """\
Intro with [a link](http://127.0.0.1/a) and <http://127.0.0.1/b>, see http://127.0.0.1/c.

- item [one](http://127.0.0.1/d)

  continued in a loose item <a href="http://127.0.0.1/e">raw</a>
- item two http://127.0.0.1/f
  1. nested [deep *link*](http://127.0.0.1/g "title")

> quoted [link](http://127.0.0.1/h)
lazy line http://127.0.0.1/i

| a | b |
|---|---|
| [x](http://127.0.0.1/j) | [x](http://127.0.0.1/j) |

```
[not a link](http://127.0.0.1/k)
```

¹ A superscript note [Report](http://127.0.0.1/l), 17 July 2025.

## Notes

1. [Notes item](http://127.0.0.1/m), 3 March 2024.
- [Bullet note](http://127.0.0.1/n) 2023-05-01

# Next part
"""


def test_a_long_letter_read_block_by_block_matches_a_whole_read() -> None:
    letter = CHUNK * 300  # well over one batch of tokens, lists and all
    streamed = refs(LetterFormat.MARKDOWN, letter, dedent=False)
    # An unused definition makes a first pass gather definitions; it adds no reference.
    whole = refs(LetterFormat.MARKDOWN, letter + "\n[unused]: http://127.0.0.1/z\n", dedent=False)
    assert len(streamed) == 300 * 14
    assert places(streamed) == places(whole)
    assert claims(streamed) == claims(whole)


def test_one_huge_list_read_block_by_block_matches_a_whole_read() -> None:
    items = "".join(f"- item {n} [source {n}](http://127.0.0.1/r/{n % 7})\n" for n in range(3000))
    letter = "# Letter\n\n" + items + "\n## Sources\n\n" + items
    streamed = refs(LetterFormat.MARKDOWN, letter, dedent=False)
    whole = refs(LetterFormat.MARKDOWN, letter + "\n[unused]: http://127.0.0.1/z\n", dedent=False)
    assert len(streamed) == 6000
    assert places(streamed) == places(whole)
    assert claims(streamed) == claims(whole)
    assert streamed[-1].footnote == "3000" and streamed[0].footnote is None
