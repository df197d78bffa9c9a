"""Every page of the corpus (tests/meta/corpus/expected.json) yields its expected title and date."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from citecheck.meta import page_meta

CORPUS = Path(__file__).parent / "corpus"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))


def test_corpus_is_large_and_varied() -> None:
    assert len(EXPECTED) >= 30
    assert sum(name.endswith(".pdf") for name in EXPECTED) >= 4
    langs = {extract_page(name).lang for name in EXPECTED}
    assert {"en", "fr", "de", "es", "nl", "ja"} <= {lang.split("-")[0] for lang in langs if lang}


def extract_page(name: str):  # type: ignore[no-untyped-def]
    entry = EXPECTED[name]
    body = (CORPUS / name).read_bytes()
    return page_meta(body, entry["content_type"], entry["url"], charset=entry["charset"])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_page_title_and_date(name: str) -> None:
    entry = EXPECTED[name]
    meta = extract_page(name)
    assert (meta.title, meta.published) == (entry["title"], entry["published"])
    assert entry["title"] in meta.title_candidates
    if "site_name" in entry:
        assert meta.site_name == entry["site_name"]
    assert (meta.title_source is None) == (meta.title is None)
    assert (meta.date_source is None) == (meta.published is None)
