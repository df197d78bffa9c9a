"""The GitHub workflow, the composite action and the pre-commit hooks: valid, and running the CLI
the README documents (so that CI checks letters exactly as an editor would)."""

from __future__ import annotations

import re
import shlex

import yaml

from citecheck.config import OUTPUT_FORMATS
from citecheck.models import Status

from testkit import ROOT

README = (ROOT / "README.md").read_text()


def _citecheck_commands(script: str) -> list[list[str]]:
    """Every `citecheck …` command line in a shell script, split into words."""
    commands = []
    for line in script.splitlines():
        line = line.strip()
        if line.startswith("citecheck "):
            commands.append(shlex.split(line.split(" || ")[0], posix=True))
    return commands


def _options_exist(command: list[str]) -> None:
    from typer.main import get_command

    from citecheck.cli import app

    assert command[1] in ("check", "refs", "export")
    subcommand = get_command(app).commands[command[1]]  # type: ignore[attr-defined]
    known = {opt for param in subcommand.params for opt in getattr(param, "opts", [])}
    known |= {opt for param in subcommand.params for opt in getattr(param, "secondary_opts", [])}
    for word in command[2:]:
        if word.startswith("--"):
            assert word in known, f"{word} is not an option of citecheck {command[1]}"


def test_workflow_checks_letters_with_annotations_and_summary() -> None:
    workflow = yaml.safe_load((ROOT / ".github/workflows/citecheck.yml").read_text())
    assert set(workflow[True]) == {"push", "pull_request"}  # YAML 1.1 reads `on` as True
    steps = workflow["jobs"]["letters"]["steps"]
    assert any(step.get("run") == "python -m pip install ." for step in steps)
    script = next(step["run"] for step in steps if "citecheck check" in step.get("run", ""))
    commands = _citecheck_commands(script)
    formats = {cmd[cmd.index("--format") + 1] for cmd in commands}
    assert formats == {"markdown", "github"}
    assert '"$GITHUB_STEP_SUMMARY"' in script
    for command in commands:
        _options_exist(command)
    # The last command decides the job's outcome: it must not swallow the exit code.
    assert not script.strip().splitlines()[-1].endswith("|| true")


def test_action_is_a_composite_running_the_same_cli() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    assert {"paths", "fail-on", "args", "changed-since"} <= set(action["inputs"])
    default_fail_on = action["inputs"]["fail-on"]["default"].split(",")
    assert {Status(s) for s in default_fail_on}  # every default status exists
    script = action["runs"]["steps"][-1]["run"]
    assert 'citecheck check "${args[@]}" --offline --format github' in script


def test_pre_commit_hooks_run_existing_options() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert {hook["id"] for hook in hooks} == {"citecheck", "citecheck-offline"}
    for hook in hooks:
        command = shlex.split(hook["entry"]) + ["letter.md"]
        _options_exist(command)
        assert re.search(hook["files"], "letters/a.md") and re.search(hook["files"], "a.docx")


def test_readme_documents_the_commands_ci_uses() -> None:
    assert ".venv/bin/citecheck check letters/" in README
    test_command = ".venv/bin/pip install -q -e '.[test]' && .venv/bin/python -m pytest -n 2"
    assert test_command in README
    assert test_command in (ROOT / ".ci" / "run").read_text()
    for fmt in ("github", "html", "json"):
        assert fmt in OUTPUT_FORMATS and f"--format {fmt}" in README
