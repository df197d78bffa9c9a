"""``--format github``: workflow commands parsed back field by field, as the runner does."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from citecheck.models import DEFAULT_FAIL_ON, Status
from citecheck.report.github import render

from factories import SECRET, every_status, finding, reference, report

COMMAND = re.compile(r"^::(?P<level>error|warning|notice)(?: (?P<props>[^:]*))?::(?P<message>.*)$")
UNESCAPES = {"%25": "%", "%0D": "\r", "%0A": "\n", "%3A": ":", "%2C": ","}


def unescape(text: str) -> str:
    return re.sub(r"%25|%0D|%0A|%3A|%2C", lambda m: UNESCAPES[m.group()], text)


def parse(output: str) -> list[dict[str, str]]:
    """Each line as {"level", "message", property...}, unescaped like the Actions runner."""
    commands = []
    for line in output.splitlines():
        match = COMMAND.match(line)
        assert match, f"not a workflow command: {line!r}"
        fields = {"level": match["level"], "message": unescape(match["message"])}
        for prop in (match["props"] or "").split(","):
            if prop:
                key, value = prop.split("=", 1)
                fields[key] = unescape(value)
        commands.append(fields)
    return commands


def test_one_annotation_per_problem_at_its_place() -> None:
    findings = every_status()
    commands = parse(render(report(findings)))
    problems = [f for f in findings if f.status not in (Status.OK, Status.SKIPPED)]
    assert len(commands) == len(problems)
    for command, item in zip(commands, problems, strict=True):
        ref = item.reference
        assert command["file"] == ref.letter
        assert command["line"] == str(ref.line)
        assert command["col"] == str(ref.column)
        assert command["title"] == f"citecheck: {item.status.value}"
        assert command["level"] == ("error" if item.status in DEFAULT_FAIL_ON else "warning")
        assert command["message"].startswith(item.message)


def test_warning_statuses_and_error_statuses() -> None:
    levels = {c["title"].split(": ")[1]: c["level"] for c in parse(render(report(every_status())))}
    assert {s for s, level in levels.items() if level == "warning"} == {
        "moved",
        "blocked",
        "unreachable",
    }
    assert {s for s, level in levels.items() if level == "error"} == {
        status.value for status in DEFAULT_FAIL_ON
    }


def test_nothing_for_a_clean_report() -> None:
    clean = [finding(Status.OK), finding(Status.SKIPPED, reference("mailto:a@ngo.test"))]
    assert render(report(clean)) == ""


def test_properties_and_message_are_escaped() -> None:
    hostile = finding(
        Status.BROKEN,
        reference(letter="letters/a,b:c%d.md", text="50% off\r\nnext line"),
        "404: Not Found, really",
    )
    output = render(report([hostile]))
    assert output.count("\n") == 1  # one command, one line
    (command,) = parse(output)
    assert command["file"] == "letters/a,b:c%d.md"
    assert command["message"].splitlines()[0] == "404: Not Found, really"
    assert "50% off\r\nnext line" in command["message"]
    assert "file=letters/a%2Cb%3Ac%25d.md," in output


def test_suggestion_in_message_and_credentials_masked() -> None:
    item = finding(
        Status.MOVED,
        reference(f"http://u:{SECRET}@ngo.test/old"),
        "permanent redirect",
        suggestion=f"https://u:{SECRET}@ngo.test/new",
    )
    output = render(report([item]))
    assert SECRET not in output
    (command,) = parse(output)
    assert "<http://***@ngo.test/old>" in command["message"]
    assert "suggestion: https://***@ngo.test/new" in command["message"]


def test_absolute_letter_path_is_made_relative_to_the_workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    letter = str(tmp_path / "letters" / "a.md")
    (command,) = parse(render(report([finding(Status.BROKEN, reference(letter=letter))])))
    assert command["file"] == "letters/a.md"


def test_notices_become_file_less_warnings() -> None:
    (command,) = parse(render(report([], notices=("No network: 3 links unreachable",))))
    assert command == {
        "level": "warning",
        "title": "citecheck",
        "message": "No network: 3 links unreachable",
    }


def test_fail_on_decides_error_or_warning() -> None:
    from dataclasses import replace

    strict = replace(report(every_status()), fail_on=frozenset({Status.BLOCKED}))
    levels = {c["title"].split(": ")[1]: c["level"] for c in parse(render(strict))}
    assert levels["blocked"] == "error"
    assert levels["broken"] == "warning"


def test_one_notice_says_how_many_annotations_github_cuts() -> None:
    broken = [finding(Status.BROKEN, reference(line=n)) for n in range(1, 12)]
    moved = [finding(Status.MOVED, reference(line=n)) for n in range(20, 25)]
    output = render(report(broken + moved))
    lines = output.splitlines()
    assert sum(line.startswith("::error ") for line in lines) == 11
    assert sum(line.startswith("::warning ") for line in lines) == 5
    (notice,) = [line for line in lines if line.startswith("::notice")]
    assert notice == (
        "::notice title=citecheck::GitHub shows only the first 10 annotations of each kind per "
        "step: 1 error is not annotated; the job summary (--format markdown) lists every problem"
    )
    assert "::notice" not in render(report(broken[:10] + moved))
