"""`--changed-since`: only the letters git says changed, and the run says so."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=t@ngo.test", "-c", "user.name=t", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    letters = tmp_path / "letters"
    letters.mkdir()
    (letters / "old.md").write_text("[a](https://ngo.test/a)\n")
    (letters / "edited.md").write_text("[b](https://ngo.test/b)\n")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "first")
    (letters / "edited.md").write_text("[b](https://ngo.test/b) [c](#)\n")
    (letters / "new.md").write_text("[d](https://ngo.test/d)\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_only_changed_and_new_letters_are_checked(cli, repo: Path) -> None:
    result = cli("refs", "letters", "--changed-since", "HEAD", "--format", "json")
    assert result.code == 0, result.err
    paths = [letter["path"] for letter in result.json()["letters"]]
    assert paths == ["letters/edited.md", "letters/new.md"]
    assert "checking 2 of 3 letter(s)" in result.err


def test_nothing_changed_checks_nothing(cli, repo: Path) -> None:
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "second")
    result = cli("check", "letters", "--changed-since", "HEAD", "--format", "json")
    assert result.code == 0
    assert result.json()["summary"] == {"total": 0}


def test_unknown_revision_is_a_usage_error(cli, repo: Path) -> None:
    result = cli("refs", "letters", "--changed-since", "no-such-branch")
    assert result.code == 2
    assert "unknown git revision 'no-such-branch'" in result.err
