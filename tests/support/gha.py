"""A small stand-in for the GitHub Actions runner: enough to execute citecheck's composite action,
and a workflow that uses it, on this machine with no network.

As GitHub does: each ``run:`` step is written to a file and run by ``bash --noprofile --norc -eo
pipefail FILE`` (what ``shell: bash`` means there), in the workspace, with the step's ``env:`` and
the ``$GITHUB_*`` files set (GITHUB_OUTPUT per step, one GITHUB_STEP_SUMMARY for the job); a failed
step skips the later ones unless their ``if:`` says otherwise; ``${{ … }}`` is evaluated from the
inputs, the steps' outputs and a few ``github``/``runner`` values. An expression it does not know
fails the test rather than guessing.

Faked, because they are other projects' actions that need GitHub's services: setup-python (the
test's own Python runs everything), checkout (the workspace is already there), actions/cache (a
folder keeps what ``save`` stored, ``restore`` copies back the newest matching key) and upload-sarif
(the file is kept for the test to validate). The action's "Install citecheck" step is skipped: it
would pip-install this checkout (build it, fetch its dependencies from PyPI: the network), and
what it produces, ``citecheck`` on PATH from this checkout, is what the test's PATH already has.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from testkit import ROOT

ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
BASH = ["bash", "--noprofile", "--norc", "-eo", "pipefail"]
INSTALL_STEP = "Install citecheck"

# Execs the installed citecheck after writing down the arguments it was given, so that a test can
# see exactly what the action's shell passed.
_SPY = """#!{python}
import json, os, sys
with open(os.environ["CITECHECK_ARGV_LOG"], "a", encoding="utf-8") as log:
    log.write(json.dumps(sys.argv[1:]) + "\\n")
os.execv({real!r}, [{real!r}, *sys.argv[1:]])
"""


@dataclass
class StepResult:
    code: int
    stdout: str = ""
    stderr: str = ""
    outputs: dict[str, str] = field(default_factory=dict)


@dataclass
class Runner:
    """One job's environment: workspace, runner temp, summary file, and the fake actions' state."""

    root: Path
    workspace: Path
    cache_store: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    context: dict[str, str] = field(default_factory=dict)
    uploaded_sarif: list[Path] = field(default_factory=list)
    log: list[StepResult] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.temp = self.root / "runner-temp"
        self.bin = self.root / "bin"
        for folder in (self.temp, self.bin, self.root / "home", self.cache_store):
            folder.mkdir(parents=True, exist_ok=True)
        self.summary = self.root / "step-summary.md"
        self.argv_log = self.root / "citecheck-argv.jsonl"
        real = Path(sys.executable).parent / "citecheck"
        spy = self.bin / "citecheck"
        spy.write_text(_SPY.format(python=sys.executable, real=str(real)))
        spy.chmod(0o755)
        self.context.setdefault("github.run_id", "1")
        self.context.update(
            {"github.workspace": str(self.workspace), "runner.temp": str(self.temp)}
        )

    # --- what a test reads back ---------------------------------------------------------------
    def citecheck_calls(self) -> list[list[str]]:
        if not self.argv_log.exists():
            return []
        return [json.loads(line) for line in self.argv_log.read_text().splitlines()]

    # --- expressions --------------------------------------------------------------------------
    def evaluate(self, expression: str, context: dict[str, str], failed: bool = False) -> str:
        terms = [term.strip() for term in expression.split("&&")]
        values = [self._term(term, context, failed) for term in terms]
        if len(values) > 1:
            return "true" if all(values) else ""
        return values[0]

    def _term(self, term: str, context: dict[str, str], failed: bool) -> str:
        if term == "!cancelled()":
            return "true"
        if term == "success()":
            return "" if failed else "true"
        if term == "failure()":
            return "true" if failed else ""
        compare = re.fullmatch(r"(\S+) != ''", term)
        if compare:
            return "true" if self._term(compare[1], context, failed) else ""
        if term in context:
            return context[term]
        if re.fullmatch(r"steps\.[\w-]+\.outputs\.[\w-]+", term):
            return ""  # an output a step did not set is empty
        raise AssertionError(f"an expression the fake runner does not know: {term!r}")

    def substitute(self, text: Any, context: dict[str, str]) -> str:
        return EXPRESSION.sub(lambda m: self.evaluate(m[1], context), str(text))

    # --- steps --------------------------------------------------------------------------------
    def shell(
        self, script: str, env: dict[str, str], action_path: Path | None = None
    ) -> StepResult:
        """A ``run:`` step with ``shell: bash``, as the runner executes it."""
        assert "${{" not in script, "inputs must reach a script through env:, not its text"
        number = len(self.log) + 1
        script_file = self.temp / f"step-{number}.sh"
        script_file.write_text(script)
        output_file = self.temp / f"output-{number}"
        output_file.touch()
        full_env = {
            "PATH": f"{self.bin}:{Path(sys.executable).parent}:/usr/bin:/bin",
            "HOME": str(self.root / "home"),
            "LANG": "C.UTF-8",
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_OUTPUT": str(output_file),
            "GITHUB_STEP_SUMMARY": str(self.summary),
            "RUNNER_TEMP": str(self.temp),
            "CITECHECK_ARGV_LOG": str(self.argv_log),
            **self.extra_env,
            **env,
        }
        if action_path is not None:
            full_env["GITHUB_ACTION_PATH"] = str(action_path)
        done = subprocess.run(
            [*BASH, str(script_file)],
            cwd=self.workspace,
            env=full_env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        outputs = dict(
            line.split("=", 1) for line in output_file.read_text().splitlines() if "=" in line
        )
        result = StepResult(done.returncode, done.stdout, done.stderr, outputs)
        self.log.append(result)
        return result

    def run_action(self, given: dict[str, Any]) -> StepResult:
        """citecheck's composite action (action.yml) with the ``with:`` values ``given``."""
        inputs = ACTION["inputs"]
        unknown = set(given) - set(inputs)
        assert not unknown, f"inputs action.yml does not declare: {unknown}"
        context = {**self.context, "github.action_path": str(ROOT)}
        for name, spec in inputs.items():
            context[f"inputs.{name}"] = str(given.get(name, spec.get("default", "")))
        stdout, stderr, code = [], [], 0
        for step in ACTION["runs"]["steps"]:
            if "uses" in step:
                assert step["uses"].startswith("actions/setup-python@"), step["uses"]
                continue
            if step["name"] == INSTALL_STEP:
                continue  # see the module docstring
            assert step["shell"] == "bash"
            env = {key: self.substitute(value, context) for key, value in step["env"].items()}
            result = self.shell(step["run"], env, action_path=ROOT)
            stdout.append(result.stdout)
            stderr.append(result.stderr)
            for key, value in result.outputs.items():
                context[f"steps.{step['id']}.outputs.{key}"] = value
            if result.code != 0:
                code = result.code
                break
        outputs = {
            name: self.substitute(spec["value"], context)
            for name, spec in ACTION.get("outputs", {}).items()
        }
        return StepResult(code, "".join(stdout), "".join(stderr), outputs)

    def run_job(self, job: dict[str, Any], citecheck_uses: str) -> list[StepResult]:
        """Every step of a workflow job; ``citecheck_uses`` is how it names citecheck's action."""
        failed = False
        results = []
        for step in job["steps"]:
            condition = EXPRESSION.sub(r"\1", str(step.get("if", "success()")))
            if not self.evaluate(condition, self.context, failed):
                continue
            given = {
                key: self.substitute(value, self.context)
                for key, value in step.get("with", {}).items()
            }
            result = self._step(step, given, citecheck_uses)
            results.append(result)
            for key, value in result.outputs.items():
                if "id" in step:
                    self.context[f"steps.{step['id']}.outputs.{key}"] = value
            failed = failed or result.code != 0
        return results

    def _step(self, step: dict[str, Any], given: dict[str, str], citecheck_uses: str) -> StepResult:
        uses = step.get("uses")
        if uses is None:
            env = {
                key: self.substitute(value, self.context)
                for key, value in step.get("env", {}).items()
            }
            return self.shell(step["run"], env)
        if uses == citecheck_uses:
            return self.run_action(given)
        name = uses.split("@")[0]
        if name == "actions/checkout":
            return StepResult(0)
        if name == "actions/cache/restore":
            return self._restore(given)
        if name == "actions/cache/save":
            return self._save(given)
        if name == "github/codeql-action/upload-sarif":
            self.uploaded_sarif.append(self.workspace / given["sarif_file"])
            return StepResult(0)
        raise AssertionError(f"an action the fake runner does not know: {uses}")

    def _restore(self, given: dict[str, str]) -> StepResult:
        keys = [given["key"]] + [key for key in given.get("restore-keys", "").splitlines() if key]
        stored = sorted(self.cache_store.iterdir(), key=lambda p: p.stat().st_mtime, reverse=True)
        for key in keys:
            hit = next((entry for entry in stored if entry.name.startswith(key)), None)
            if hit is not None:
                target = self.workspace / given["path"]
                shutil.copytree(hit, target, dirs_exist_ok=True)
                return StepResult(0, outputs={"cache-matched-key": hit.name})
        return StepResult(0)

    def _save(self, given: dict[str, str]) -> StepResult:
        entry = self.cache_store / given["key"]
        source = self.workspace / given["path"]
        if not entry.exists() and source.exists():  # GitHub's caches are immutable per key
            shutil.copytree(source, entry)
        return StepResult(0)
