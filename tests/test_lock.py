"""`citecheck lock` and the `drifted` status, through the real CLI against loopback pages.

A letter is locked, then its pages are edited the three ways the README's drift rule is calibrated
on: a new title, a rewritten paragraph, and only the navigation and the date stamp changed. Only
the first two are drifted.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from pathlib import Path

import pytest

from servers import LoopbackServer, Reply, Request
from testkit import validate_report

HTML = [("Content-Type", "text/html; charset=utf-8")]

PARAGRAPHS = (
    "Human rights organisations documented the arbitrary detention of at least one million "
    "people in the region between 2017 and 2024, including writers, teachers and religious "
    "figures who were held without charge or trial in facilities described as schools.",
    "Former detainees told investigators about forced political indoctrination, separation from "
    "their children, restrictions on prayer and language, and transfers to factories far from "
    "home where they worked under close surveillance for little or no pay.",
    "The organisations call on the European Union to suspend the dialogue until independent "
    "observers are granted unhindered access, and to adopt targeted sanctions against the "
    "officials responsible for the policies described in this report.",
)
REWRITTEN = (
    "This statement has been withdrawn and replaced. The coalition now welcomes the renewed "
    "partnership agreement signed this spring and praises the progress of the economic talks, "
    "the new trade corridor, and the investment framework both sides finalised last month."
)


def page(
    title: str = "Dialogue must be suspended",
    paragraphs: tuple[str, ...] = PARAGRAPHS,
    nav: tuple[str, ...] = ("Home", "Reports", "News"),
    stamp: str = "Updated 3 December 2026",
) -> bytes:
    menu = "".join(f"<li><a href='/{item.lower()}'>{item}</a></li>" for item in nav)
    body = "".join(f"<p>{text}</p>" for text in paragraphs)
    return (
        f"<!doctype html><html lang='en'><head><title>{title}</title></head><body>"
        f"<header><nav><ul>{menu}</ul></nav></header>"
        f"<main><h1>{title}</h1><p class='stamp'>{stamp}</p>{body}</main>"
        "<footer><nav><a href='/privacy'>Privacy</a> <a href='/contact'>Contact</a></nav>"
        "</footer></body></html>"
    ).encode()


@pytest.fixture
def letter(tmp_path: Path, loopback):  # type: ignore[no-untyped-def]
    site = loopback()
    for name in ("title", "text", "nav"):
        site.route(f"/{name}", Reply(200, page(), HTML))
    path = tmp_path / "letter.md"
    path.write_text(
        "# Letter\n\n"
        f"Title [one]({site.url('/title')}), text [two]({site.url('/text')}), "
        f"nav [three]({site.url('/nav')}).\n",
        encoding="utf-8",
    )
    return path, site


def edit_pages(site) -> None:  # type: ignore[no-untyped-def]
    site.route("/title", Reply(200, page(title="Dialogue should resume next year"), HTML))
    edited = (PARAGRAPHS[0], REWRITTEN, PARAGRAPHS[2])
    site.route("/text", Reply(200, page(paragraphs=edited), HTML))
    site.route(
        "/nav",
        Reply(
            200,
            page(nav=("Start", "Our work", "Press", "Donate"), stamp="Updated 5 December 2026"),
            HTML,
        ),
    )


def by_path(document: dict) -> dict[str, dict]:  # type: ignore[type-arg]
    return {ref["url"].rsplit("/", 1)[1]: ref for ref in document["references"]}


OPTIONS = ("--allow-private", "--no-cache", "--retries", "0", "--timeout", "2")


def test_lock_writes_a_sorted_versioned_file_beside_the_letter(cli, letter) -> None:  # type: ignore[no-untyped-def]
    path, site = letter
    result = cli("lock", path, *OPTIONS)
    assert result.code == 0, result.err
    lock = path.parent / "letter.md.citations.json"
    data = json.loads(lock.read_text(encoding="utf-8"))
    assert list(data) == ["version", "letter", "references"]
    assert data["version"] == 1 and data["letter"] == "letter.md"
    urls = [entry["url"] for entry in data["references"]]
    assert urls == sorted(urls) == sorted(site.url(f"/{n}") for n in ("nav", "text", "title"))
    entry = data["references"][0]
    assert list(entry) == [
        "url",
        "final_url",
        "status",
        "title",
        "published",
        "fingerprint",
        "checked_at",
        "archived",
    ]
    assert entry["status"] == "ok" and entry["title"] == "Dialogue must be suspended"
    assert len(entry["fingerprint"]) == 16 and entry["checked_at"].endswith("Z")
    assert "1 letter" not in result.out or "3 added" in result.err
    assert "3 added, 0 kept, 0 updated, 0 dropped" in result.err


def test_check_reports_drift_for_a_new_title_and_a_rewritten_paragraph_only(cli, letter) -> None:  # type: ignore[no-untyped-def]
    path, site = letter
    assert cli("lock", path, *OPTIONS).code == 0
    before = by_path(cli("check", path, *OPTIONS, "--format", "json").json())
    assert {name: ref["status"] for name, ref in before.items()} == dict.fromkeys(
        ("title", "text", "nav"), "ok"
    )

    edit_pages(site)
    result = cli("check", path, *OPTIONS, "--format", "json")
    assert result.code == 0  # drifted is not in the default --fail-on
    document = result.json()
    validate_report(document)
    after = by_path(document)
    assert {name: ref["status"] for name, ref in after.items()} == {
        "title": "drifted",
        "text": "drifted",
        "nav": "ok",
    }
    assert (
        "title was 'Dialogue must be suspended', now 'Dialogue should resume next year'"
        in (after["title"]["message"])
    )
    assert "main text changed" in after["text"]["message"]
    assert document["summary"]["drifted"] == 2
    assert cli("check", path, *OPTIONS, "--fail-on", "drifted").code == 1


def test_lock_keeps_entries_unless_update_and_the_diff_shows_what_changed(
    cli, letter, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    path, site = letter
    git = ("git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t")
    subprocess.run([*git[:3], "init", "-q"], check=True)
    assert cli("lock", path, *OPTIONS).code == 0
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "lock"], check=True)
    lock = path.parent / "letter.md.citations.json"
    locked = lock.read_text(encoding="utf-8")

    edit_pages(site)
    kept = cli("lock", path, *OPTIONS)
    assert "0 added, 3 kept, 0 updated, 0 dropped" in kept.err
    assert lock.read_text(encoding="utf-8") == locked

    updated = cli("lock", path, "--update", *OPTIONS)
    assert "0 added, 1 kept, 2 updated, 0 dropped" in updated.err
    diff = subprocess.run(
        [*git, "diff", "--unified=0", "--", lock.name],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in "+++---"]
    assert '-      "title": "Dialogue must be suspended",' in changed
    assert '+      "title": "Dialogue should resume next year",' in changed
    assert sum('"fingerprint"' in line for line in changed) >= 2
    # Only the changed entries' lines: the unchanged one keeps even its time, no entry moved.
    assert all(
        any(key in line for key in ('"title"', '"fingerprint"', '"checked_at"')) for line in changed
    )
    before, after = (json.loads(text)["references"] for text in (locked, lock.read_text()))
    assert before[0]["url"].endswith("/nav") and before[0] == after[0]
    assert cli("check", path, *OPTIONS).code == 0
    after = by_path(cli("check", path, *OPTIONS, "--format", "json").json())
    assert {ref["status"] for ref in after.values()} == {"ok"}


def test_lock_refuses_standard_input_and_a_damaged_lock_is_a_usage_error(cli, letter) -> None:  # type: ignore[no-untyped-def]
    path, _ = letter
    refused = cli("lock", "-", stdin=b"[a](http://127.0.0.1/)")
    assert refused.code == 2 and "not - (stdin)" in refused.err
    (path.parent / "letter.md.citations.json").write_text("{not json", encoding="utf-8")
    damaged = cli("check", path, *OPTIONS)
    assert damaged.code == 2
    assert "letter.md.citations.json: not a citation lock" in damaged.err
    assert "Traceback" not in damaged.err


class Archive(LoopbackServer):
    """A loopback Wayback Machine holding one capture of every page, on 17 July 2025."""

    CAPTURE = "20250717120000"

    def _answer(self, request: Request) -> Reply:
        answer = super()._answer(request)  # records the request; unknown paths: 404
        asked = re.fullmatch(r"/web/(\d{14})/(.+)", request.path)
        if asked is None:
            return answer
        if asked[1] == self.CAPTURE:
            return Reply(200, b"<title>archived</title>", HTML)
        return Reply(302, headers=[("Location", self.url(f"/web/{self.CAPTURE}/{asked[2]}"))])


def test_the_lock_keeps_the_archived_copy_and_drift_names_it(cli, tmp_path: Path, loopback) -> None:  # type: ignore[no-untyped-def]
    site = loopback()
    site.route("/text", Reply(200, page(), HTML))
    letter = tmp_path / "letter.md"
    letter.write_text(
        f"See.[^1]\n\n[^1]: [Dialogue must be suspended]({site.url('/text')}), 17 July 2025.\n",
        encoding="utf-8",
    )
    with Archive("127.0.0.5") as archive:
        endpoint = ("--archive-endpoint", archive.url("/"))
        locked = cli("lock", letter, *OPTIONS, "--suggest-archive", *endpoint)
        assert locked.code == 0, locked.err
        asked = [request.path for request in archive.requests]
    snapshot = archive.url(f"/web/{Archive.CAPTURE}/{site.url('/text')}")
    entry = json.loads((tmp_path / "letter.md.citations.json").read_text())["references"][0]
    assert entry["archived"] == snapshot
    assert len(asked) >= 1 and asked[0].startswith("/web/20250717")

    site.route("/text", Reply(200, page(paragraphs=(REWRITTEN, *PARAGRAPHS[1:])), HTML))
    found = cli("check", letter, *OPTIONS, "--format", "json").json()["references"][0]
    assert found["status"] == "drifted"
    assert f"archived copy: {snapshot}" in found["message"]
    assert found["suggestion"] == snapshot
    csv_text = cli("check", letter, *OPTIONS, "--format", "csv").out
    row = next(csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff"))))
    assert (row["status"], row["reason"], row["archived_copy"]) == (
        "drifted",
        "text_changed",
        snapshot,
    )

    # A lock without --suggest-archive asks no archive; --update keeps the copy it had.
    assert cli("lock", letter, "--update", *OPTIONS).code == 0
    entry = json.loads((tmp_path / "letter.md.citations.json").read_text())["references"][0]
    assert entry["archived"] == snapshot


def test_terminal_sarif_and_html_show_drifted(cli, letter, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path, site = letter
    assert cli("lock", path, *OPTIONS).code == 0
    edit_pages(site)
    terminal = cli("check", path, *OPTIONS)
    assert "drifted" in terminal.out and "title was 'Dialogue must be suspended'" in terminal.out
    assert "2 drifted" in terminal.out
    sarif = json.loads(cli("check", path, *OPTIONS, "--format", "sarif").out)
    results = sarif["runs"][0]["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [("citecheck/drifted", "warning")] * 2
    rules = [rule["id"] for rule in sarif["runs"][0]["tool"]["driver"]["rules"]]
    assert "citecheck/drifted" in rules
    html = tmp_path / "report.html"
    assert cli("check", path, *OPTIONS, "--format", "html", "--output", html).code == 0
    assert html.read_text(encoding="utf-8").count("status-drifted") >= 2
    github = cli("check", path, *OPTIONS, "--format", "github").out
    assert github.count("::warning ") == 2
    assert all("drifted" in line for line in github.splitlines() if line.startswith("::"))


def test_relocking_an_edited_letter_adds_new_urls_and_drops_uncited_ones(cli, letter) -> None:  # type: ignore[no-untyped-def]
    path, site = letter
    assert cli("lock", path, *OPTIONS).code == 0
    site.route("/new", Reply(200, page(title="A new source"), HTML))
    text = path.read_text(encoding="utf-8").replace(site.url("/nav"), site.url("/new"))
    path.write_text(text + f"\nAgain [one]({site.url('/title')}).\n", encoding="utf-8")
    relocked = cli("lock", path, *OPTIONS)
    assert "1 added, 2 kept, 0 updated, 1 dropped" in relocked.err
    data = json.loads((path.parent / "letter.md.citations.json").read_text(encoding="utf-8"))
    assert [entry["url"].rsplit("/", 1)[1] for entry in data["references"]] == [
        "new",
        "text",
        "title",
    ]


def test_a_page_cached_by_a_check_is_read_again_for_the_lock_and_its_drift(
    cli, letter, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    # A plain check reads pages without their text fingerprint (only a lock needs it): the lock
    # and the checks against it must not take those cached pages as they are.
    path, site = letter
    cached = ("--allow-private", "--cache-path", str(tmp_path / "cache.db"), "--retries", "0")
    assert cli("check", str(path), *cached).code == 0
    assert cli("lock", str(path), *cached).code == 0
    locked = json.loads(Path(f"{path}.citations.json").read_text(encoding="utf-8"))
    assert all(entry["fingerprint"] for entry in locked["references"])

    edit_pages(site)
    drifted = cli("check", str(path), *cached, "--refresh", "--format", "json").json()
    assert {key: ref["status"] for key, ref in by_path(drifted).items()} == {
        "title": "drifted",
        "text": "drifted",
        "nav": "ok",
    }
