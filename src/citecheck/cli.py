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
from citecheck.errors import CitecheckError, InputError

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

# Hidden from the Arguments list, where Typer would print its Python type (`<list[str]>`);
# each command's help says what PATH is.
Paths = Annotated[list[str], typer.Argument(metavar="PATH", hidden=True)]
Fmt = Annotated[
    str | None,
    typer.Option(
        "--format",
        "-f",
        metavar="FORMAT",
        help="rich, json, csv, markdown, github, sarif, html, or docx (comments in a copy of a "
        ".docx letter, written to --output).",
    ),
]
Output = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        help="Write the output to this file (atomically); - for stdout.",
    ),
]
InputFormat = Annotated[
    str | None,
    typer.Option(
        "--input-format", metavar="FORMAT", help="Format of standard input: md, txt or html."
    ),
]
ChangedSince = Annotated[
    str | None,
    typer.Option(
        "--changed-since", metavar="REV", help="Only letters changed since this git revision."
    ),
]
Timeout = Annotated[
    float | None,
    typer.Option("--timeout", metavar="SECONDS", help="Seconds per request (connect + read); 10."),
]
MaxConcurrency = Annotated[
    int | None, typer.Option("--max-concurrency", metavar="N", help="Parallel requests in all; 64.")
]
PerHost = Annotated[
    int | None, typer.Option("--per-host", metavar="N", help="Parallel requests per host; 4.")
]
Rate = Annotated[
    str | None,
    typer.Option("--rate", metavar="N/s", help="At most N requests a second per host, e.g. 10/s."),
]
Retries = Annotated[
    int | None,
    typer.Option("--retries", metavar="N", help="Retries on connect errors, 5xx and 429; 2."),
]
Exclude = Annotated[
    list[str] | None,
    typer.Option("--exclude", metavar="REGEX", help="Skip URLs matching this regex (repeatable)."),
]
Include = Annotated[
    list[str] | None,
    typer.Option(
        "--include", metavar="REGEX", help="Check only URLs matching this regex (repeatable)."
    ),
]
Remap = Annotated[
    list[str] | None,
    typer.Option(
        "--remap",
        metavar="'REGEX REPLACEMENT'",
        help="Rewrite URLs matching REGEX before fetching (repeatable).",
    ),
]
Header = Annotated[
    list[str] | None,
    typer.Option(
        "--header", "-H", metavar="'NAME: VALUE'", help="Sent with every request (repeatable)."
    ),
]
UserAgent = Annotated[
    str | None, typer.Option("--user-agent", metavar="TEXT", help="The User-Agent header.")
]
AllowPrivate = Annotated[
    bool | None,
    typer.Option("--allow-private", help="Also fetch loopback, private and link-local addresses."),
]
FailOn = Annotated[
    str | None,
    typer.Option(
        "--fail-on",
        metavar="STATUS,...",
        help="Statuses that make exit code 1 (comma-separated); "
        "default broken,mismatched,placeholder,private,invalid.",
    ),
]
Verbose = Annotated[
    bool | None,
    typer.Option("--verbose", "-v", help="Also show ok and skipped references, and their notes."),
]
Quiet = Annotated[
    bool | None,
    typer.Option("--quiet", "-q", help="One line per problem and the summary; no progress."),
]
Cache = Annotated[
    bool | None, typer.Option("--cache/--no-cache", help="Use the result cache (default on).")
]
CachePath = Annotated[
    Path | None, typer.Option("--cache-path", metavar="FILE", help="Where the cache lives.")
]
MaxAge = Annotated[
    str | None,
    typer.Option("--max-age", metavar="AGE", help="Reuse cached results younger than this; 1d."),
]
Refresh = Annotated[bool | None, typer.Option("--refresh", help="Ignore cached results.")]
Offline = Annotated[bool | None, typer.Option("--offline", help="Answer from the cache only.")]
SuggestArchive = Annotated[
    bool | None,
    typer.Option("--suggest-archive", help="Suggest archived copies for broken or moved links."),
]
ArchiveEndpoint = Annotated[
    str | None,
    typer.Option("--archive-endpoint", metavar="URL", help="The availability API to ask."),
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
    """List the references found in letters, with no network at all.

    PATH is a letter file, a folder (searched recursively) or - for standard input.
    """
    options = _options(locals())
    from citecheck import pipeline

    report = pipeline.list_references(_letters(paths, options))
    _emit(report, options)


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
    """Fetch and verify every reference; exit 1 when one has a status in --fail-on.

    PATH is a letter file, a folder (searched recursively) or - for standard input.
    """
    options = _options(locals())
    report = _run_check(paths, options)
    _emit(report, options)
    _exit_for(report)


@app.command()
def export(
    paths: Paths,
    output: Annotated[
        Path,
        typer.Option("--output", "-o", metavar="FILE", help="The file to write; - for stdout."),
    ],
    format: Annotated[
        str | None,
        typer.Option(
            "--format", "-f", metavar="FORMAT", help="csv, json, bibtex or csl-json; csv."
        ),
    ] = None,
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
    """Check letters and write the citation table for researchers (CSV, JSON, BibTeX, CSL-JSON).

    PATH is a letter file, a folder (searched recursively) or - for standard input. The format
    may also be set as format in [tool.citecheck.export]; -o - writes to standard output.
    """
    flags = {key: value for key, value in locals().items() if key != "format"}
    from citecheck.report import Command, formats, nothing_to_export, renderer

    options = _options({**flags, "export_format": format})
    export_format = formats(Command.EXPORT)[options.export_format]
    report = _run_check(paths, options)
    _emit_summary(report, to_stderr=_is_stdout(output))
    empty = nothing_to_export(report, export_format)
    if empty:
        raise InputError(empty)
    _write(output, renderer(export_format.name, Command.EXPORT)(report))


def _letters(paths: list[str], options: Options) -> list[Letter]:
    from citecheck.letters import collect

    stdin = sys.stdin.buffer.read() if "-" in paths else None
    letters = collect(paths, input_format=options.input_format, stdin=stdin)
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


def _run_check(paths: list[str], options: Options) -> Report:
    from citecheck import pipeline
    from citecheck.report.terminal import progress_bar

    letters = _letters(paths, options)
    if options.format == "docx":
        _refuse_docx_unless_fit(letters, options)
    with progress_bar(enabled=not options.quiet) as on_progress:
        return pipeline.run_check(letters, options, on_progress=on_progress)


def _emit(report: Report, options: Options) -> None:
    """The report in its format: to --output (the terminal keeps the summary) or to stdout."""
    from citecheck.report import Command, formats, renderer
    from citecheck.report.terminal import print_notices, print_report, render_plain

    print_notices(report)
    command = Command.REFS if report.findings is None else Command.CHECK
    offered = formats(command)
    if (options.format or "rich") not in offered:
        raise InputError(f"{command} has no --format {options.format} ({', '.join(offered)})")
    fmt = offered[options.format or "rich"]
    if fmt.annotates:
        _write_docx(report, options)
    elif options.output is not None:
        text = (
            render_plain(report, verbose=options.verbose, quiet=options.quiet)
            if fmt.drawn
            else renderer(fmt.name, command)(report)
        )
        _write(options.output, text)
        if not _is_stdout(options.output):
            print_report(report, summary_only=True)
    elif fmt.drawn:
        print_report(report, verbose=options.verbose, quiet=options.quiet)
    else:
        sys.stdout.write(renderer(fmt.name, command)(report))


def _refuse_docx_unless_fit(letters: list[Letter], options: Options) -> None:
    """Before any request: --format docx writes a commented copy of one .docx letter to a file."""
    if options.output is None or _is_stdout(options.output):
        raise InputError("--format docx writes a copy of the letter: name it with --output FILE")
    if len(letters) != 1:
        raise InputError(f"--format docx comments one letter; {len(letters)} letters were given")
    letter = letters[0]
    if letter.data is None:
        raise InputError(f"--format docx needs a .docx letter; {letter.path} is not one")
    if Path(letter.path).resolve() == options.output.resolve():
        raise InputError(f"--output {options.output} is the letter itself; it is never overwritten")


def _write_docx(report: Report, options: Options) -> None:
    """The letter with a Word comment on each problem link, to --output; the letter untouched."""
    from citecheck.output import write_atomic
    from citecheck.report.docx_comments import annotate_docx
    from citecheck.report.terminal import print_report

    if report.findings is None or options.output is None:  # refused before the run
        raise InputError("--format docx writes a copy of the letter: name it with --output FILE")
    data, _count = annotate_docx(Path(report.letters[0].path).read_bytes(), report.findings)
    write_atomic(options.output, data)
    print_report(report, summary_only=True)


def _emit_summary(report: Report, *, to_stderr: bool = False) -> None:
    """Notices and the one-line summary, for commands whose output goes to a file (or stdout)."""
    from rich.console import Console

    from citecheck.report.terminal import print_notices, print_report

    print_notices(report)
    print_report(report, Console(stderr=to_stderr), summary_only=True)


def _is_stdout(path: Path) -> bool:
    return str(path) == "-"


def _write(path: Path, text: str) -> None:
    """``text`` to ``path`` atomically, or to standard output when the path is ``-``."""
    if _is_stdout(path):
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from citecheck.output import write_atomic

    write_atomic(path, text)


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
