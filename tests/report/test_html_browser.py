"""The HTML report in a real headless browser (Debian's chromium driven by Playwright), opened
from file:// as a reader would open the saved report.

Skipped only when /usr/bin/chromium is missing; CI installs it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from citecheck.models import Status
from citecheck.report.html import render

from html_letter import CASES, letter_report

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
# No sandbox (containers), and nothing that would reach for the network on its own.
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# CI (.ci/run) installs chromium and sets CITECHECK_REQUIRE_BROWSER: there a missing browser must
# fail the run instead of quietly skipping the only test of the report in a real browser.
MISSING = not CHROMIUM.exists() and not os.environ.get("CITECHECK_REQUIRE_BROWSER")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(MISSING, reason=f"needs Debian's chromium at {CHROMIUM}"),
]

if not MISSING:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Route, expect, sync_playwright


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def report_page(chromium: Browser, tmp_path: Path) -> Iterator[tuple[Page, list[str]]]:
    """The written report open in a tab, with the console errors and page errors it raised."""
    path = tmp_path / "report.html"
    path.write_text(render(letter_report()), encoding="utf-8")
    errors: list[str] = []
    page = chromium.new_page(viewport={"width": 1100, "height": 900})

    def only_the_file(route: Route) -> None:
        # The report must be self-contained: any other request fails (and is recorded below).
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            route.abort()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.route("**/*", only_the_file)
    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("requestfailed", lambda request: errors.append(f"request to {request.url}"))
    page.goto(path.as_uri())
    yield page, errors
    page.close()


STARRED = "*" * len("editor:hunter2") + "@"  # credentials starred out in the letter's text


def _label(source: str) -> str:
    """The anchor text of the link written as ``source``."""
    ref = next(ref for _, ref, text in CASES if text == source)
    return ref.text


def test_problem_links_carry_their_status_and_nothing_errs(
    report_page: tuple[Page, list[str]],
) -> None:
    page, errors = report_page
    for status, _, source in CASES:
        mark = page.locator("pre.letter-text span.ref").filter(
            has=page.locator(".ref-text", has_text=source.replace("***@", STARRED))
        )
        expect(mark).to_have_count(1)
        badge = mark.locator("button.badge")
        expect(badge).to_be_visible()
        expect(badge).to_contain_text(status.value)
        expect(badge).to_have_attribute("aria-label", f"{status.value}: {_label(source)} (details)")
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    assert errors == []


def test_clicking_a_link_shows_its_details_and_escape_hides_them(
    report_page: tuple[Page, list[str]],
) -> None:
    page, errors = report_page
    mark = page.locator("span.ref.status-mismatched")
    detail = mark.locator(".detail")
    expect(detail).to_be_hidden()
    mark.locator("button.badge").click()
    expect(detail).to_be_visible()
    expect(mark.locator("button.badge")).to_have_attribute("aria-expanded", "true")
    expect(detail).to_contain_text("cited date 17 July 2025 (2025-07-17)")
    expect(detail).to_contain_text("page date 2023-06-16")
    page.keyboard.press("Escape")
    expect(detail).to_be_hidden()
    mark.locator(".ref-text").click()
    expect(detail).to_be_visible()
    assert errors == []


def test_the_filter_hides_ok_links_and_shows_the_problems(
    report_page: tuple[Page, list[str]],
) -> None:
    page, errors = report_page
    quiet = page.locator("span.ref.quiet-status button.badge")
    broken = page.locator("span.ref.status-broken button.badge")
    problems = page.locator("section#problems")
    expect(quiet).to_have_count(2)
    expect(quiet.first).to_be_visible()
    expect(problems).to_be_hidden()

    page.get_by_label("Show only problems").check()
    for index in range(2):
        expect(quiet.nth(index)).to_be_hidden()
    expect(broken).to_be_visible()
    expect(problems).to_be_visible()
    listed = sum(status not in (Status.OK, Status.SKIPPED) for status, _, _ in CASES)
    expect(problems.locator("li")).to_have_count(listed)

    problems.locator("li", has_text="404 Not Found").locator("a.jump").click()
    expect(page.locator("span.ref.status-broken .detail")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)

    page.get_by_label("Show only problems").uncheck()
    expect(quiet.first).to_be_visible()
    expect(problems).to_be_hidden()
    assert errors == []
