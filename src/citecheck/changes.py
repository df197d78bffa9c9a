"""``--changed-since``: keep only the letters git says changed since a revision."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

from citecheck.errors import ConfigError
from citecheck.models import Letter


def _git(*args: str) -> list[str]:
    try:
        done = subprocess.run(
            ["git", *args], capture_output=True, text=True, check=False, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ConfigError(f"--changed-since needs git: {exc}") from exc
    if done.returncode != 0:
        detail = done.stderr.strip().splitlines()[-1:] or ["git failed"]
        raise ConfigError(f"--changed-since: {detail[0]}")
    return [line for line in done.stdout.splitlines() if line]


def changed_paths(revision: str) -> set[Path]:
    """Files changed since ``revision`` (committed, staged, unstaged or new), resolved."""
    top = Path(_git("rev-parse", "--show-toplevel")[0])
    try:
        _git("rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    except ConfigError as exc:
        raise ConfigError(f"--changed-since: unknown git revision {revision!r}") from exc
    names = _git("diff", "--name-only", revision, "--")
    names += _git("ls-files", "--others", "--exclude-standard", "--full-name", ":/")
    return {(top / name).resolve() for name in names}


def changed_letters(letters: Sequence[Letter], revision: str) -> list[Letter]:
    """The letters among ``letters`` changed since ``revision``; standard input always counts."""
    changed = changed_paths(revision)
    return [
        letter
        for letter in letters
        if letter.path == "<stdin>" or Path(letter.path).resolve() in changed
    ]
