"""The command line: options in, the library called, a report out, an exit code (SPEC).

Kept thin on purpose: everything a command does is in ``citecheck.pipeline`` and
``citecheck.report``; this module only turns flags into ``Options`` and errors into exit codes.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from citecheck import __version__
from citecheck.errors import CitecheckError, ConfigError

if TYPE_CHECKING:  # the commands import these lazily, so that --help and refs start fast
    from citecheck.config import Options
    from citecheck.models import Letter, Report

app = typer.Typer(
    help="Verify the links and citations in a letter before it is sent.",
    invoke_without_command=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2

Paths = Annotated[
    list[str],
    typer.Argument(help="Letter files, folders (searched recursively) or - for standard input."),
]
Fmt = Annotated[
    str | None,
    typer.Option("--format", "-f", help="rich, json, csv, markdown, github, sarif or html."),
]
Output = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write the output to this file (atomically).")
]
InputFormat = Annotated[
    str | None, typer.Option("--input-format", help="Format of standard input: md, txt or html.")
]
ChangedSince = Annotated[
    str | None,
    typer.Option("--changed-since", help="Only letters changed since this git revision."),
]
Timeout = Annotated[
    float | None, typer.Option("--timeout", help="Seconds per request (connect + read); 10.")
]
MaxConcurrency = Annotated[
    int | None, typer.Option("--max-concurrency", help="Parallel requests in all; 64.")
]
PerHost = Annotated[int | None, typer.Option("--per-host", help="Parallel requests per host; 4.")]
Rate = Annotated[
    str | None, typer.Option("--rate", help="At most N requests a second per host, e.g. 10/s.")
]
Retries = Annotated[
    int | None, typer.Option("--retries", help="Retries on connect errors, 5xx and 429; 2.")
]
Exclude = Annotated[
    list[str] | None, typer.Option("--exclude", help="Skip URLs matching this regex (repeatable).")
]
Include = Annotated[
    list[str] | None,
    typer.Option("--include", help="Check only URLs matching this regex (repeatable)."),
]
Remap = Annotated[
    list[str] | None,
    typer.Option("--remap", help="'REGEX REPLACEMENT': rewrite URLs before fetching."),
]
Header = Annotated[
    list[str] | None, typer.Option("--header", "-H", help="'Name: value' sent with every request.")
]
UserAgent = Annotated[str | None, typer.Option("--user-agent", help="The User-Agent header.")]
AllowPrivate = Annotated[
    bool | None,
    typer.Option("--allow-private", help="Also fetch loopback, private and link-local addresses."),
]
FailOn = Annotated[
    str | None,
    typer.Option(
        "--fail-on",
        help="Statuses that make exit code 1 (comma-separated); "
        "default broken,mismatched,placeholder,private,invalid.",
    ),
]
Verbose = Annotated[bool | None, typer.Option("--verbose", "-v", help="Show ok references too.")]
Quiet = Annotated[
    bool | None, typer.Option("--quiet", "-q", help="Only the summary and the problems.")
]
Cache = Annotated[
    bool | None, typer.Option("--cache/--no-cache", help="Use the result cache (default on).")
]
CachePath = Annotated[Path | None, typer.Option("--cache-path", help="Where the cache lives.")]
MaxAge = Annotated[
    str | None, typer.Option("--max-age", help="Reuse cached results younger than this; 1d.")
]
Refresh = Annotated[bool | None, typer.Option("--refresh", help="Ignore cached results.")]
Offline = Annotated[bool | None, typer.Option("--offline", help="Answer from the cache only.")]
SuggestArchive = Annotated[
    bool | None,
    typer.Option("--suggest-archive", help="Suggest archived copies for broken or moved links."),
]
ArchiveEndpoint = Annotated[
    str | None, typer.Option("--archive-endpoint", help="The availability API to ask.")
]


def _options(flags: dict[str, Any]) -> Options:
    """Options from a command's parameters (its ``locals()``): everything but the paths."""
    from citecheck.config import build_options

    return build_options({key: value for key, value in flags.items() if key != "paths"})


@app.command()
def refs(
    paths: Paths,
    format: Fmt = None,
    output: Output = None,
    input_format: InputFormat = None,
    changed_since: ChangedSince = None,
) -> None:
    """List the references found in letters, with no network at all."""
    options = _options(locals())
    from citecheck import pipeline

    skipped: list[str] = []
    report = pipeline.list_references(_letters(paths, options, skipped))
    _emit(report, options)
    _exit_if_skipped(skipped)


@app.command()
def check(
    paths: Paths,
    format: Fmt = None,
    output: Output = None,
    input_format: InputFormat = None,
    changed_since: ChangedSince = None,
    timeout: Timeout = None,
    max_concurrency: MaxConcurrency = None,
    per_host: PerHost = None,
    rate: Rate = None,
    retries: Retries = None,
    exclude: Exclude = None,
    include: Include = None,
    remap: Remap = None,
    header: Header = None,
    user_agent: UserAgent = None,
    allow_private: AllowPrivate = None,
    fail_on: FailOn = None,
    verbose: Verbose = None,
    quiet: Quiet = None,
    cache: Cache = None,
    cache_path: CachePath = None,
    max_age: MaxAge = None,
    refresh: Refresh = None,
    offline: Offline = None,
    suggest_archive: SuggestArchive = None,
    archive_endpoint: ArchiveEndpoint = None,
) -> None:
    """Fetch and verify every reference; exit 1 when one has a status in --fail-on."""
    options = _options(locals())
    skipped: list[str] = []
    report = _run_check(paths, options, skipped)
    _emit(report, options)
    _exit_if_skipped(skipped)
    _exit_for(report)


@app.command()
def export(
    paths: Paths,
    output: Annotated[Path, typer.Option("--output", "-o", help="The file to write.")],
    format: Annotated[
        str, typer.Option("--format", "-f", help="csv, json, bibtex or csl-json.")
    ] = "csv",
    input_format: InputFormat = None,
    changed_since: ChangedSince = None,
    timeout: Timeout = None,
    max_concurrency: MaxConcurrency = None,
    per_host: PerHost = None,
    rate: Rate = None,
    retries: Retries = None,
    exclude: Exclude = None,
    include: Include = None,
    remap: Remap = None,
    header: Header = None,
    user_agent: UserAgent = None,
    allow_private: AllowPrivate = None,
    cache: Cache = None,
    cache_path: CachePath = None,
    max_age: MaxAge = None,
    refresh: Refresh = None,
    offline: Offline = None,
    suggest_archive: SuggestArchive = None,
    archive_endpoint: ArchiveEndpoint = None,
) -> None:
    """Check letters and write the citation table for researchers (CSV, JSON, BibTeX, CSL-JSON)."""
    flags = {key: value for key, value in locals().items() if key != "format"}
    from citecheck.report import EXPORT_FORMATS, renderer

    if format not in EXPORT_FORMATS:
        known = ", ".join(EXPORT_FORMATS)
        raise ConfigError(f"--format: expected one of {known}, got {format!r}")
    options = _options(flags)
    skipped: list[str] = []
    report = _run_check(paths, options, skipped)
    _write(output, renderer(format, EXPORT_FORMATS)(report))
    _emit_summary(report)
    _exit_if_skipped(skipped)


def _letters(paths: list[str], options: Options, skipped: list[str]) -> list[Letter]:
    """The letters named; one in a folder that cannot be read is warned about, added to
    ``skipped`` and left out, so that the others are still read."""
    from citecheck.letters import collect

    def skip(error: CitecheckError) -> None:
        print(f"citecheck: warning: {error}; skipped", file=sys.stderr)
        skipped.append(str(error))

    stdin = sys.stdin.buffer.read() if "-" in paths else None
    letters = collect(paths, input_format=options.input_format, stdin=stdin, on_skip=skip)
    if options.changed_since:
        from citecheck.changes import changed_letters

        changed = changed_letters(letters, options.changed_since)
        print(
            f"citecheck: --changed-since {options.changed_since}: checking {len(changed)} of "
            f"{len(letters)} letter(s), the ones changed since then",
            file=sys.stderr,
        )
        letters = changed
    return letters


def _run_check(paths: list[str], options: Options, skipped: list[str]) -> Report:
    from citecheck import pipeline
    from citecheck.report.terminal import progress_bar

    letters = _letters(paths, options, skipped)
    with progress_bar(enabled=not options.quiet) as on_progress:
        return pipeline.run_check(letters, options, on_progress=on_progress)


def _emit(report: Report, options: Options) -> None:
    """The report in its format: to --output (the terminal keeps the summary) or to stdout."""
    from citecheck.report import FORMATS, renderer
    from citecheck.report.terminal import print_notices, print_report, render_plain

    print_notices(report)
    fmt = options.format or "rich"
    if options.output is not None:
        text = (
            renderer(fmt)(report)
            if fmt in FORMATS
            else render_plain(report, verbose=options.verbose, quiet=options.quiet)
        )
        _write(options.output, text)
        print_report(report, summary_only=True)
    elif fmt in FORMATS:
        sys.stdout.write(renderer(fmt)(report))
    else:
        print_report(report, verbose=options.verbose, quiet=options.quiet)


def _emit_summary(report: Report) -> None:
    """Notices and the one-line summary, for commands whose output went to a file."""
    from citecheck.report.terminal import print_notices, print_report

    print_notices(report)
    print_report(report, summary_only=True)


def _write(path: Path, text: str) -> None:
    from citecheck.output import write_atomic

    write_atomic(path, text)


def _exit_if_skipped(skipped: list[str]) -> None:
    """Exit 2 once the rest is done when a letter had to be skipped, so that CI notices."""
    if skipped:
        print(
            f"citecheck: error: {len(skipped)} letter(s) could not be read and were skipped",
            file=sys.stderr,
        )
        raise typer.Exit(EXIT_USAGE)


def _exit_for(report: Report) -> None:
    findings = report.findings or ()
    if any(finding.status in report.fail_on for finding in findings):
        raise typer.Exit(EXIT_PROBLEMS)


def _version(value: bool) -> None:
    if value:
        print(f"citecheck {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = None,
) -> None:
    """Verify the links and citations in a letter before it is sent."""
    if ctx.invoked_subcommand is None:
        print(ctx.get_help())


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: user mistakes become one line on stderr and exit code 2."""
    try:
        code = app(args=argv, prog_name="citecheck", standalone_mode=False)
    except CitecheckError as exc:
        print(f"citecheck: error: {exc}", file=sys.stderr)
        sys.exit(EXIT_USAGE)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (KeyboardInterrupt, typer.Abort):
        print("citecheck: interrupted", file=sys.stderr)
        sys.exit(130)
    except typer.TyperException as exc:  # Typer's usage errors (unknown option, missing argument…)
        print(f"citecheck: error: {exc.format_message()} (see --help)", file=sys.stderr)
        sys.exit(EXIT_USAGE)
    sys.exit(code if isinstance(code, int) else EXIT_OK)
