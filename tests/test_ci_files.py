"""The GitHub workflow, the composite action and the pre-commit hooks: valid, and running the CLI
the README documents (so that CI checks letters exactly as an editor would)."""

from __future__ import annotations

import re
import shlex
from typing import Any

import yaml

from citecheck.config import OUTPUT_FORMATS
from citecheck.models import DEFAULT_FAIL_ON, Status

from gha import INSTALL_STEP
from testkit import ROOT

README = (ROOT / "README.md").read_text()


def _citecheck_commands(script: str) -> list[list[str]]:
    """Every `citecheck …` command in a shell script (continuation lines joined), split into words
    up to its first redirection or `||`."""
    joined = re.sub(r"\\\n\s*", " ", script)
    commands = []
    for line in joined.splitlines():
        words = (
            shlex.split(line.strip(), posix=True) if line.strip().startswith("citecheck ") else []
        )
        if words:
            stops = [i for i, word in enumerate(words) if word in ("||", ">", "&&")]
            commands.append(words[: stops[0]] if stops else words)
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


def _scripts(steps: list[dict[str, Any]]) -> list[str]:
    return [step["run"] for step in steps if "run" in step]


def test_own_workflow_runs_ci_and_checks_letters_with_the_action() -> None:
    workflow = yaml.safe_load((ROOT / ".github/workflows/citecheck.yml").read_text())
    assert set(workflow[True]) == {"push", "pull_request"}  # YAML 1.1 reads `on` as True
    tests, letters = workflow["jobs"]["tests"], workflow["jobs"]["letters"]
    assert tests["container"].startswith("python:3.11-")  # Debian, root: what .ci/run expects
    assert _scripts(tests["steps"]) == ["bash .ci/run"]
    (check,) = [step for step in letters["steps"] if step.get("uses") == "./"]
    fail_on = {Status(s) for s in check["with"]["fail-on"].split(",")}
    assert fail_on == DEFAULT_FAIL_ON - {Status.PLACEHOLDER}  # see the comment in the workflow


def test_action_runs_only_existing_options_with_inputs_through_the_environment() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    assert {"paths", "fail-on", "args", "changed-since", "cache-path"} <= set(action["inputs"])
    assert {Status(s) for s in action["inputs"]["fail-on"]["default"].split(",")} == DEFAULT_FAIL_ON
    install = next(step for step in action["runs"]["steps"] if step.get("name") == INSTALL_STEP)
    assert install["env"] == {"ACTION_PATH": "${{ github.action_path }}"}  # this very checkout
    assert (
        install["run"].startswith("python -m pip install ") and '"$ACTION_PATH"' in install["run"]
    )
    scripts = _scripts(action["runs"]["steps"])
    for script in scripts:
        assert "${{" not in script  # an input pasted into a script's text could inject into it
    commands = [cmd for script in scripts for cmd in _citecheck_commands(script)]
    assert [cmd[cmd.index("--format") + 1] for cmd in commands] == ["sarif", "markdown", "github"]
    for command in commands:
        _options_exist(command)


def test_pre_commit_hooks_run_existing_options_on_letters_only() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert {hook["id"] for hook in hooks} == {"citecheck", "citecheck-offline"}
    for hook in hooks:
        command = shlex.split(hook["entry"]) + ["letter.md"]
        _options_exist(command)
        assert hook["files"] == "^letters/"
        assert not re.search(hook["files"], "docs/a.md")


def test_readme_links_the_contract_in_docs() -> None:
    prose = re.sub(r"```.*?```", "", README, flags=re.S)  # examples are not links
    links = re.findall(r"\[[^\]]*\]\(([^)\s]+)\)", prose)
    assert "docs/contract.md" in links
    for link in links:
        if re.fullmatch(r"[\w.-]+(/[\w.-]+)*(#\S*)?", link):  # a file of this repository
            assert (ROOT / link.split("#")[0]).is_file(), f"README links a missing file: {link}"
    contract = (ROOT / "docs" / "contract.md").read_text()
    for status in Status:
        assert f"| `{status.value}` |" in contract
    for fmt in OUTPUT_FORMATS:
        assert f"`{fmt}`" in contract


def test_readme_documents_the_commands_ci_uses() -> None:
    assert ".venv/bin/citecheck check letters/" in README
    test_command = ".venv/bin/pip install -q -e '.[test]' && .venv/bin/python -m pytest -n 2"
    assert test_command in README
    assert test_command in (ROOT / ".ci" / "run").read_text()
    for fmt in ("github", "html", "json"):
        assert fmt in OUTPUT_FORMATS and f"--format {fmt}" in README
