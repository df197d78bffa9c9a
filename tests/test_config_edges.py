"""Edges of the options that test_config.py leaves open, through real configuration files and the
CLI: the boundary values each setting accepts, the values it must refuse (with the whole error
line the user reads), and the settings whose accepted values no other test sets."""

from __future__ import annotations

from pathlib import Path

import pytest

from citecheck.config import Options, build_options, parse_age
from citecheck.errors import ConfigError
from citecheck.models import Status


def _options(tmp_path: Path, toml: str) -> Options:
    (tmp_path / "citecheck.toml").write_text(toml + "\n")
    return build_options({}, cwd=tmp_path)


def _error(tmp_path: Path, toml: str) -> str:
    (tmp_path / "citecheck.toml").write_text(toml + "\n")
    with pytest.raises(ConfigError) as error:
        build_options({}, cwd=tmp_path)
    return str(error.value)


@pytest.mark.parametrize(
    ("toml", "attr", "value"),
    [
        ("timeout = 0.5", "timeout", 0.5),  # under a second is a real timeout
        ("per-host = 1", "per_host", 1),  # one request per host at a time: the polite minimum
        ("retries = 0", "retries", 0),
        ("max-age = '1h 30m'", "max_age", 5400.0),  # spaces between parts are allowed
        ("rate = '10/s'", "rate", 10.0),
        ("rate = ' 3 / s '", "rate", 3.0),
        ("rate = 0.5", "rate", 0.5),
        ("accept = [100, 999]", "accept", frozenset({100, 999})),
        ("accept = 401", "accept", frozenset({401})),
        ("accept = '401, 403'", "accept", frozenset({401, 403})),
        ("archive-endpoint = 'http://127.0.0.1:8080/wb'", "archive_endpoint", None),
        ("archive-endpoint = 'https://archive.test/'", "archive_endpoint", None),
        ("header = ['X-Time: 10:30']", "header", (("X-Time", "10:30"),)),
        ("format = 'json'", "format", "json"),
        ("input-format = 'txt'", "input_format", "txt"),
    ],
)
def test_boundary_values_are_accepted(tmp_path: Path, toml: str, attr: str, value: object) -> None:
    expected = value if value is not None else toml.split("'")[1]  # a URL: kept as written
    assert getattr(_options(tmp_path, toml), attr) == expected


def test_a_threshold_of_one_and_a_tolerance_of_zero_days_are_accepted(tmp_path: Path) -> None:
    options = _options(
        tmp_path, "[thresholds]\ntitle-similarity = 1\ndate-tolerance-days = 0\nprose-min-words = 3"
    )
    assert options.thresholds.title_similarity == 1.0
    assert options.thresholds.date_tolerance_days == 0
    assert options.thresholds.prose_min_words == 3


def test_a_remap_written_with_two_spaces_keeps_its_pattern_whole(tmp_path: Path) -> None:
    (remap,) = _options(tmp_path, "remap = ['^http://old\\.test/  https://new.test/']").remap
    assert (remap.pattern.pattern, remap.replacement) == (
        r"^http://old\.test/",
        "https://new.test/",
    )


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("timeout = 0", "timeout: expected a positive number, got 0"),
        ("timeout = true", "timeout: expected a positive number, got True"),
        ("timeout = 'fast'", "timeout: expected a positive number, got 'fast'"),
        ("rate = 0", "rate: expected requests per second such as '10/s', got 0"),
        ("accept = [1000]", "accept: expected HTTP status codes, got '1000'"),
        ("accept = [99]", "accept: expected HTTP status codes, got '99'"),
        ("changed-since = ''", "changed-since: expected a non-empty string, got ''"),
        ("user-agent = 7", "user-agent: expected a non-empty string, got 7"),
        ("output = ''", "output: expected a non-empty string, got ''"),
        ("output = 5", "output: expected a non-empty string, got 5"),
        ("archive-endpoint = ''", "archive-endpoint: expected a non-empty string, got ''"),
        (
            "archive-endpoint = 'http://archive.test:0/'",
            "archive-endpoint: expected an http(s) URL such as https://web.archive.org, "
            "got 'http://archive.test:0/'",
        ),
        (
            "archive-endpoint = 'https://archive.test/#top'",
            "archive-endpoint: expected an http(s) URL such as https://web.archive.org, "
            "got 'https://archive.test/#top'",
        ),
        ("exclude = [1]", "exclude: expected a string or a list of strings, got [1]"),
        ("exclude = 5", "exclude: expected a string or a list of strings, got 5"),
        ("remap = [1]", "remap: expected a string or a list of strings, got [1]"),
        ("remap = ['( https://new.test/']", "remap: bad regular expression '('"),
        ("header = [1]", "header: expected a string or a list of strings, got [1]"),
        ("fail-on = 1", "fail-on: expected a string or a list of strings, got 1"),
        (
            "host-headers = 'Cookie: a=b'",
            "host-headers: expected a table of host = ['Name: value', …]",
        ),
        (
            "[host-headers]\n'ngo.test' = 1",
            "host-headers.ngo.test: expected a string or a list of strings, got 1",
        ),
        ("thresholds = 1", "thresholds: expected a table of thresholds"),
        (
            "[thresholds]\ntitle-similarity = true",
            "thresholds.title-similarity: expected a number from 0 to 1, got True",
        ),
        (
            "[thresholds]\ntitle-similarity = 'high'",
            "thresholds.title-similarity: expected a number from 0 to 1, got 'high'",
        ),
        (
            "[thresholds]\ndate-tolerance-days = -1",
            "thresholds.date-tolerance-days: expected a whole number >= 0, got -1",
        ),
        (
            "[thresholds]\ndate-tolerance-days = 0.5",
            "thresholds.date-tolerance-days: expected a whole number >= 0, got 0.5",
        ),
        (
            "[thresholds]\nbogus = 1",
            "thresholds.bogus: unknown threshold (known: title_similarity, date_tolerance_days, "
            "shortening_min_words, prose_min_words, prose_min_page_words, drift_bits)",
        ),
    ],
)
def test_impossible_values_are_refused_with_the_whole_line(
    tmp_path: Path, toml: str, message: str
) -> None:
    error = _error(tmp_path, toml)
    assert error.startswith(f"citecheck.toml: {message}")


def test_an_unknown_status_lists_the_known_ones(tmp_path: Path) -> None:
    known = ", ".join(status.value for status in Status)
    assert _error(tmp_path, "fail-on = 'brokn'").endswith(f"(known: {known})")


def test_a_pyproject_without_a_tool_table_is_passed_over(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.citecheck]\nper-host = 2\n")
    sub = tmp_path / "package"
    sub.mkdir()
    (sub / "pyproject.toml").write_text("[project]\nname = 'letters'\n")
    assert build_options({}, cwd=sub).per_host == 2


def test_a_tool_citecheck_that_is_no_table_is_an_error(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text("[tool]\ncitecheck = 1\n")
    with pytest.raises(ConfigError) as error:
        build_options({}, cwd=tmp_path)
    assert str(error.value) == f"{pyproject}: [tool.citecheck] must be a table"


def test_keys_after_the_export_table_still_count(tmp_path: Path) -> None:
    options = _options(tmp_path, "export = { format = 'bibtex' }\nper-host = 2")
    assert (options.export_format, options.per_host) == ("bibtex", 2)


def test_a_bad_export_format_flag_is_named_format(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as error:
        build_options({"export_format": "ris"}, cwd=tmp_path)
    assert str(error.value).startswith("--format: expected one of csv, json, bibtex, csl-json")


def test_an_output_flag_is_a_path_kept_as_given(tmp_path: Path) -> None:
    assert build_options({"output": Path("out/report.csv")}, cwd=tmp_path).output == Path(
        "out/report.csv"
    )


def test_verbose_alone_or_quiet_alone_is_fine(tmp_path: Path) -> None:
    assert build_options({"verbose": True}, cwd=tmp_path).verbose
    assert build_options({"quiet": True}, cwd=tmp_path).quiet


def test_verbose_and_quiet_together_is_one_error_line(cli, tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "citecheck.toml").write_text("verbose = true\n")
    (tmp_path / "a.md").write_text("[x](TODO)\n")
    monkeypatch.chdir(tmp_path)
    result = cli("check", "a.md", "--quiet")
    assert result.code == 2
    assert result.err == "citecheck: error: --verbose and --quiet: choose one\n"


def test_an_age_may_be_written_with_spaces_between_its_parts() -> None:
    assert parse_age("2d 12h") == 2.5 * 86400
