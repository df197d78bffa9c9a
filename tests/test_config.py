"""Configuration: pyproject.toml / citecheck.toml found upwards, flags win, errors name the key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from citecheck.config import EXPORT_FORMATS, OUTPUT_FORMATS, build_options, parse_age
from citecheck.errors import ConfigError
from citecheck.models import DEFAULT_FAIL_ON, Status


def test_defaults_without_any_file(tmp_path: Path) -> None:
    options = build_options({}, cwd=tmp_path)
    assert (options.timeout, options.max_concurrency, options.per_host) == (10.0, 64, 4)
    assert options.fail_on == DEFAULT_FAIL_ON
    assert options.max_age == 86_400


def test_pyproject_table_found_from_a_subfolder(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[project]\nname = 'letters'\n\n[tool.citecheck]\nper-host = 2\n"
        "exclude = ['^https://intranet\\.']\nfail-on = ['broken', 'placeholder']\n"
        "max_age = '12h'\naccept = [999, '401']\ncache-path = 'cache/results.db'\n"
        "[tool.citecheck.host-headers]\n'eeas.europa.eu' = ['Cookie: consent=yes']\n"
        "[tool.citecheck.thresholds]\ntitle-similarity = 0.5\n"
    )
    sub = tmp_path / "letters" / "2026"
    sub.mkdir(parents=True)
    options = build_options({}, cwd=sub)
    assert options.per_host == 2
    assert options.exclude[0].search("https://intranet.ngo.test/")
    assert options.fail_on == {Status.BROKEN, Status.PLACEHOLDER}
    assert options.max_age == 12 * 3600
    assert options.accept == {999, 401}
    assert options.cache_path == tmp_path / "cache" / "results.db"  # relative to the file
    assert options.host_headers == {"eeas.europa.eu": (("Cookie", "consent=yes"),)}
    assert options.thresholds.title_similarity == 0.5


def test_citecheck_toml_wins_over_a_pyproject_further_up(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.citecheck]\nper-host = 2\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "citecheck.toml").write_text("per-host = 3\n")
    assert build_options({}, cwd=tmp_path / "sub").per_host == 3


def test_flags_override_the_file(tmp_path: Path) -> None:
    (tmp_path / "citecheck.toml").write_text("per-host = 2\ntimeout = 5\n")
    options = build_options({"per_host": 8, "timeout": None}, cwd=tmp_path)
    assert (options.per_host, options.timeout) == (8, 5.0)


def test_fail_on_flag_is_a_comma_list(tmp_path: Path) -> None:
    options = build_options({"fail_on": "broken, invalid"}, cwd=tmp_path)
    assert options.fail_on == {Status.BROKEN, Status.INVALID}


@pytest.mark.parametrize(
    ("toml", "needle"),
    [
        ("per-hots = 2", "unknown key 'per-hots'"),
        ("per-host = 0", "per-host: expected a whole number >= 1"),
        ("per-host = 'four'", "per-host"),
        ("timeout = -1", "timeout: expected a positive number"),
        ("exclude = ['(']", "exclude: bad regular expression"),
        ("remap = ['nospace']", "remap: expected 'REGEX REPLACEMENT'"),
        ("header = ['NoColon']", "header: expected 'Name: value'"),
        ("fail-on = ['brokn']", "fail-on: unknown status"),
        ("max-age = 'soon'", "max-age"),
        ("rate = 'fast'", "rate: expected requests per second"),
        ("accept = [42]", "accept: expected HTTP status codes"),
        ("allow-private = 'yes'", "allow-private: expected true or false"),
        ("format = 'yaml'", "format: expected one of"),
        ("[thresholds]\ntitle-similarity = -2", "thresholds.title-similarity"),
        ("[thresholds]\nbogus = 1", "thresholds.bogus: unknown threshold"),
        ("per-host = [", "citecheck.toml"),
    ],
)
def test_every_config_error_names_the_key(tmp_path: Path, toml: str, needle: str) -> None:
    (tmp_path / "citecheck.toml").write_text(toml + "\n")
    with pytest.raises(ConfigError, match=None) as error:
        build_options({}, cwd=tmp_path)
    assert needle in str(error.value)


def test_bad_flag_names_the_flag(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as error:
        build_options({"per_host": 0}, cwd=tmp_path)
    assert str(error.value).startswith("--per-host:")


def test_config_error_is_exit_2_on_one_line(cli, tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "citecheck.toml").write_text("per-hots = 2\n")
    (tmp_path / "a.md").write_text("[x](#)\n")
    monkeypatch.chdir(tmp_path)
    result = cli("check", "a.md")
    assert result.code == 2
    assert result.err.strip().count("\n") == 0
    assert "unknown key 'per-hots'" in result.err


@pytest.mark.parametrize(
    ("toml", "needle"),
    [
        (
            "[thresholds]\ntitle-similarity = 1.5",
            "thresholds.title-similarity: expected a number from 0 to 1",
        ),
        ("[thresholds]\ntitle-similarity = 0", None),
        ("timeout = nan", "timeout: expected a positive number"),
        ("timeout = inf", "timeout: expected a positive number"),
        (
            "archive-endpoint = 'archive.org/wayback/available'",
            "archive-endpoint: expected an http(s) URL",
        ),
        ("archive-endpoint = 'ftp://archive.test/'", "archive-endpoint: expected an http(s) URL"),
        ("archive-endpoint = 'https://'", "archive-endpoint: expected an http(s) URL"),
        (
            "archive-endpoint = 'http://archive.test:99999/'",
            "archive-endpoint: expected an http(s) URL",
        ),
        (
            "archive-endpoint = 'http://archive.test/ available'",
            "archive-endpoint: expected an http(s) URL",
        ),
        ("[export]\nformat = 'ris'", "export.format: expected one of csv, json, bibtex, csl-json"),
        ("[export]\noutput = 'x.bib'", "export.output: unknown key"),
        ("export = 'bibtex'", "export: expected a table"),
        ("export-format = 'bibtex'", "unknown key 'export-format'"),
    ],
)
def test_impossible_values_are_errors_naming_the_key(
    tmp_path: Path, toml: str, needle: str | None
) -> None:
    (tmp_path / "citecheck.toml").write_text(toml + "\n")
    if needle is None:  # the edge itself is allowed
        assert build_options({}, cwd=tmp_path).thresholds.title_similarity == 0
        return
    with pytest.raises(ConfigError) as error:
        build_options({}, cwd=tmp_path)
    assert needle in str(error.value)


def test_export_format_sits_beside_the_check_format(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.citecheck]\nformat = 'json'\n\n[tool.citecheck.export]\nformat = 'bibtex'\n"
    )
    options = build_options({}, cwd=tmp_path)
    assert (options.format, options.export_format) == ("json", "bibtex")
    assert build_options({"export_format": "csl-json"}, cwd=tmp_path).export_format == "csl-json"


@pytest.mark.parametrize(
    ("flag", "value"),
    [
        ("--archive-endpoint", "not-a-url"),
        ("--timeout", "nan"),
        ("--header", "X-Note: one\nX-Injected: 1"),
        ("--user-agent", "bot\r\nX-Injected: 1"),
    ],
)
def test_impossible_flags_are_exit_2_naming_the_flag(
    cli, tmp_path: Path, flag: str, value: str
) -> None:
    (tmp_path / "a.md").write_text("[x](TODO)\n")
    result = cli("export", tmp_path / "a.md", "-o", tmp_path / "out", flag, value)
    assert result.code == 2
    assert result.err.strip().count("\n") == 0
    assert result.err.startswith(f"citecheck: error: {flag}:")
    assert not (tmp_path / "out").exists()


# --- parse_age ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("0", 0.0),
        ("45s", 45.0),
        ("30m", 1800.0),
        ("12h", 43200.0),
        ("1d", 86400.0),
        ("2w", 14 * 86400.0),
        ("1h30m", 5400.0),
        ("1.5h", 5400.0),
        (" 1D ", 86400.0),
        ("0s", 0.0),
    ],
)
def test_parse_age_good(text: str, seconds: float) -> None:
    assert parse_age(text) == seconds


@pytest.mark.parametrize("text", ["", "   ", "abc", "1x", "10", "-1d", "1.d", "d", "1d2", "1 day"])
def test_parse_age_bad(text: str) -> None:
    with pytest.raises(ValueError, match=r"invalid age .*unit s, m, h, d or w") as info:
        parse_age(text)
    assert repr(text) in str(info.value)
    assert "\n" not in str(info.value)


def test_config_imports_only_models_and_errors() -> None:
    """Settings must not pull in the engines they configure (fetch, cache, archive, report)."""
    code = (
        "import sys, citecheck.config; "
        "print(sorted(m for m in sys.modules if m.startswith('citecheck.')))"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert found.strip() == "['citecheck.config', 'citecheck.errors', 'citecheck.models']"


def test_format_names_are_the_report_registry() -> None:
    from citecheck.report import Command, formats

    assert set(EXPORT_FORMATS) == set(formats(Command.EXPORT))
    assert set(OUTPUT_FORMATS) == set(formats(Command.CHECK))
    assert set(OUTPUT_FORMATS) - {"docx"} == set(formats(Command.REFS))  # docx: check's findings
