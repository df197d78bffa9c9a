"""The command line: options in, the library called, a report out, an exit code (SPEC).

Kept thin on purpose: everything a command does is in ``citecheck.pipeline`` and
``citecheck.report``; this module only turns flags into ``Options`` and errors into exit codes.
"""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable, Mapping
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from citecheck import __version__
from citecheck.config import (
    DEFAULT_ARCHIVE_ENDPOINT,
    DEFAULT_CONFIRM_DEAD,
    DEFAULT_EXPORT_FORMAT,
    DEFAULT_MAX_AGE,
    DEFAULT_MAX_CONCURRENCY,
    DEFAULT_PER_HOST,
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
    EXPORT_FORMATS,
    INPUT_FORMATS,
    OUTPUT_FORMATS,
)
from citecheck.errors import CitecheckError, InputError
from citecheck.models import DEFAULT_FAIL_ON, Status

if TYPE_CHECKING:  # the commands import these lazily, so that --help and refs start fast
    from citecheck.config import Options
    from citecheck.models import Finding, Letter, Report

app = typer.Typer(
    help="Verify the links and citations in a letter before it is sent.",
    invoke_without_command=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


class ExitStatus(IntEnum):
    """The exit codes (SPEC)."""

    OK = 0
    PROBLEMS = 1  # a finding has a status in --fail-on
    USAGE = 2  # a user's mistake: bad input, option or output
    INTERRUPTED = 130  # Ctrl-C, as shells report SIGINT


def _either(names: tuple[str, ...]) -> str:
    """``a, b or c``."""
    return f"{', '.join(names[:-1])} or {names[-1]}"


# Hidden from the Arguments list, where Typer would print its Python type (`<list[str]>`);
# each command's help says what PATH is.
Paths = Annotated[list[str], typer.Argument(metavar="PATH", hidden=True)]
Fmt = Annotated[
    str | None,
    typer.Option("--format", "-f", metavar="FORMAT", help=f"{_either(OUTPUT_FORMATS)}."),
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

# The options several commands share, declared once, in the order --help lists them. A command
# takes the groups it needs through _with_options.
INPUT: dict[str, Any] = {
    "input_format": Annotated[
        str | None,
        typer.Option(
            "--input-format",
            metavar="FORMAT",
            help=f"Format of standard input: {_either(INPUT_FORMATS)}.",
        ),
    ],
    "changed_since": Annotated[
        str | None,
        typer.Option(
            "--changed-since", metavar="REV", help="Only letters changed since this git revision."
        ),
    ],
}
FETCH: dict[str, Any] = {
    "timeout": Annotated[
        float | None,
        typer.Option(
            "--timeout",
            metavar="SECONDS",
            help=f"Seconds per request (connect + read); {DEFAULT_TIMEOUT:g}.",
        ),
    ],
    "max_concurrency": Annotated[
        int | None,
        typer.Option(
            "--max-concurrency",
            metavar="N",
            help=f"Parallel requests in all; {DEFAULT_MAX_CONCURRENCY}.",
        ),
    ],
    "per_host": Annotated[
        int | None,
        typer.Option(
            "--per-host", metavar="N", help=f"Parallel requests per host; {DEFAULT_PER_HOST}."
        ),
    ],
    "rate": Annotated[
        str | None,
        typer.Option(
            "--rate", metavar="N/s", help="At most N requests a second per host, e.g. 10/s."
        ),
    ],
    "retries": Annotated[
        int | None,
        typer.Option(
            "--retries",
            metavar="N",
            help=f"Retries on connect errors, 5xx and 429; {DEFAULT_RETRIES}.",
        ),
    ],
    "exclude": Annotated[
        list[str] | None,
        typer.Option(
            "--exclude", metavar="REGEX", help="Skip URLs matching this regex (repeatable)."
        ),
    ],
    "include": Annotated[
        list[str] | None,
        typer.Option(
            "--include", metavar="REGEX", help="Check only URLs matching this regex (repeatable)."
        ),
    ],
    "remap": Annotated[
        list[str] | None,
        typer.Option(
            "--remap",
            metavar="'REGEX REPLACEMENT'",
            help="Rewrite URLs matching REGEX before fetching (repeatable).",
        ),
    ],
    "header": Annotated[
        list[str] | None,
        typer.Option(
            "--header", "-H", metavar="'NAME: VALUE'", help="Sent with every request (repeatable)."
        ),
    ],
    "user_agent": Annotated[
        str | None, typer.Option("--user-agent", metavar="TEXT", help="The User-Agent header.")
    ],
    "allow_private": Annotated[
        bool | None,
        typer.Option(
            "--allow-private", help="Also fetch loopback, private and link-local addresses."
        ),
    ],
}
VERDICT: dict[str, Any] = {
    "fail_on": Annotated[
        str | None,
        typer.Option(
            "--fail-on",
            metavar="STATUS,...",
            help="Statuses that make exit code 1 (comma-separated); default "
            + ",".join(status for status in Status if status in DEFAULT_FAIL_ON)
            + ".",
        ),
    ],
    "verbose": Annotated[
        bool | None,
        typer.Option(
            "--verbose", "-v", help="Also show ok and skipped references, and their notes."
        ),
    ],
    "quiet": Annotated[
        bool | None,
        typer.Option("--quiet", "-q", help="One line per problem and the summary; no progress."),
    ],
}
CACHE: dict[str, Any] = {
    "cache": Annotated[
        bool | None, typer.Option("--cache/--no-cache", help="Use the result cache (default on).")
    ],
    "cache_path": Annotated[
        Path | None, typer.Option("--cache-path", metavar="FILE", help="Where the cache lives.")
    ],
    "max_age": Annotated[
        str | None,
        typer.Option(
            "--max-age",
            metavar="AGE",
            help=f"Reuse cached results younger than this; {DEFAULT_MAX_AGE}.",
        ),
    ],
    "refresh": Annotated[bool | None, typer.Option("--refresh", help="Ignore cached results.")],
    "offline": Annotated[
        bool | None, typer.Option("--offline", help="Answer from the cache only.")
    ],
    "suggest_archive": Annotated[
        bool | None,
        typer.Option(
            "--suggest-archive", help="Suggest archived copies for broken or moved links."
        ),
    ],
    "archive_endpoint": Annotated[
        str | None,
        typer.Option(
            "--archive-endpoint",
            metavar="URL",
            help="The archive asked for the capture nearest a date: a site answering "
            f"/web/TIMESTAMP/URL (default {DEFAULT_ARCHIVE_ENDPOINT}) or a …/cdx/search/cdx "
            "address.",
        ),
    ],
    # With the cache: it keeps the checks that tell a link that worked from one that never did.
    "confirm_dead": Annotated[
        int | None,
        typer.Option(
            "--confirm-dead",
            metavar="N",
            help="A link that worked and now fails transiently is unreachable until N checks "
            f"an hour apart have failed; {DEFAULT_CONFIRM_DEAD}: at once.",
        ),
    ],
}

Flags = Mapping[str, Any]
Command = Callable[..., None]


def _with_options(*groups: dict[str, Any]) -> Callable[[Command], Command]:
    """Give a command the shared options of ``groups`` after its own parameters.

    The command receives their values (None for an option not given) as one mapping, ``flags``,
    keyed by the option's name in ``Options``: what ``config.build_options`` takes.
    """
    shared = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=kind)
        for group in groups
        for name, kind in group.items()
    ]

    def decorate(command: Command) -> Command:
        own = inspect.signature(command, eval_str=True).parameters

        @functools.wraps(command)
        def run(**values: Any) -> None:
            flags = {parameter.name: values.pop(parameter.name) for parameter in shared}
            command(**values, flags=flags)

        # Typer reads the parameters from the signature: the command's own, then the shared.
        run.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [*(p for name, p in own.items() if name != "flags"), *shared]
        )
        return run

    return decorate


def _options(flags: Flags, **own: Any) -> Options:
    """Options from the shared flags and a command's own values (None: not given)."""
    from citecheck.config import build_options

    return build_options({**flags, **own})


@app.command()
@_with_options(INPUT)
def refs(paths: Paths, format: Fmt = None, output: Output = None, *, flags: Flags) -> None:
    """List the references found in letters, with no network at all.

    PATH is a letter file, a folder (searched recursively) or - for standard input.
    """
    options = _options(flags, format=format, output=output)
    from citecheck import pipeline

    skipped: list[str] = []
    report = pipeline.list_references(_letters(paths, options, skipped))
    _emit(report, options)
    _exit_if_skipped(skipped)


@app.command()
@_with_options(INPUT, FETCH, VERDICT, CACHE)
def check(paths: Paths, format: Fmt = None, output: Output = None, *, flags: Flags) -> None:
    """Fetch and verify every reference; exit 1 when one has a status in --fail-on.

    PATH is a letter file, a folder (searched recursively) or - for standard input.
    """
    options = _options(flags, format=format, output=output)
    skipped: list[str] = []
    report = _run_check(paths, options, skipped)
    _emit(report, options)
    _exit_if_skipped(skipped)
    _exit_for(report)


@app.command()
@_with_options(INPUT, FETCH, CACHE)
def export(
    paths: Paths,
    output: Annotated[
        Path,
        typer.Option("--output", "-o", metavar="FILE", help="The file to write; - for stdout."),
    ],
    format: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help=f"{_either(EXPORT_FORMATS)}; {DEFAULT_EXPORT_FORMAT}.",
        ),
    ] = None,
    *,
    flags: Flags,
) -> None:
    """Check letters and write the citation table for researchers (CSV, JSON, BibTeX, CSL-JSON).

    PATH is a letter file, a folder (searched recursively) or - for standard input. The format
    may also be set as format in [tool.citecheck.export]; -o - writes to standard output.
    """
    from citecheck.report import Command, formats, nothing_to_export, renderer

    options = _options(flags, output=output, export_format=format)
    export_format = formats(Command.EXPORT)[options.export_format]
    skipped: list[str] = []
    report = _run_check(paths, options, skipped)
    _emit_summary(report, to_stderr=_is_stdout(output))
    empty = nothing_to_export(report, export_format)
    if empty:
        raise InputError(empty)
    _write(output, renderer(export_format.name, Command.EXPORT)(report))
    _exit_if_skipped(skipped)


@app.command()
@_with_options(INPUT, FETCH, VERDICT, CACHE)
def lock(
    paths: Paths,
    update: Annotated[
        bool,
        typer.Option(
            "--update", help="Refresh the entries already locked too (after you have looked)."
        ),
    ] = False,
    *,
    flags: Flags,
) -> None:
    """Check letters and freeze what each cites into <letter>.citations.json beside it.

    PATH is a letter file or a folder (searched recursively). An existing lock keeps its entries
    (new references are added, ones no longer cited dropped) unless --update; check then reports
    pages changed since as drifted. Exit codes as for check.
    """
    if "-" in paths:
        raise InputError("lock writes beside each letter: name letter files, not - (stdin)")
    options = _options(flags)
    from citecheck import lock as citation_lock

    skipped: list[str] = []
    report = _run_check(paths, options, skipped, locking=True)
    _emit(report, options)
    by_letter: dict[str, list[Finding]] = {info.path: [] for info in report.letters}
    for finding in report.findings or ():
        by_letter[finding.reference.letter].append(finding)
    for letter, findings in by_letter.items():
        done = citation_lock.write(letter, findings, update=update)
        print(
            f"citecheck: locked {done.path}: {done.added} added, {done.kept} kept, "
            f"{done.updated} updated, {done.dropped} dropped",
            file=sys.stderr,
        )
    _exit_if_skipped(skipped)
    _exit_for(report)


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


def _run_check(
    paths: list[str], options: Options, skipped: list[str], *, locking: bool = False
) -> Report:
    import logging

    from citecheck import pipeline
    from citecheck.report.terminal import progress_bar

    # pypdf logs what it finds wrong in a damaged PDF, a normal input here, and Python would print
    # it on stderr in the middle of the progress and the report: the program's call, not the
    # library's (meta/pdf.py leaves its caller's logging alone).
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    letters = _letters(paths, options, skipped)
    if options.format == "docx":
        _refuse_docx_unless_fit(letters, options)
    with progress_bar(enabled=not options.quiet) as on_progress:
        return pipeline.run_check(letters, options, on_progress=on_progress, locking=locking)


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
    data, count = annotate_docx(Path(report.letters[0].path).read_bytes(), report.findings)
    write_atomic(options.output, data)
    print(f"citecheck: {count} comment(s) written in {options.output}", file=sys.stderr)
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


def _exit_if_skipped(skipped: list[str]) -> None:
    """Exit 2 once the rest is done when a letter had to be skipped, so that CI notices."""
    if skipped:
        print(
            f"citecheck: error: {len(skipped)} letter(s) could not be read and were skipped",
            file=sys.stderr,
        )
        raise typer.Exit(ExitStatus.USAGE)


def _exit_for(report: Report) -> None:
    findings = report.findings or ()
    if any(finding.status in report.fail_on for finding in findings):
        raise typer.Exit(ExitStatus.PROBLEMS)


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
        sys.exit(ExitStatus.USAGE)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (KeyboardInterrupt, typer.Abort):
        print("citecheck: interrupted", file=sys.stderr)
        sys.exit(ExitStatus.INTERRUPTED)
    except typer.TyperException as exc:  # Typer's usage errors (unknown option, missing argument…)
        print(f"citecheck: error: {exc.format_message()} (see --help)", file=sys.stderr)
        sys.exit(ExitStatus.USAGE)
    sys.exit(code if isinstance(code, int) else ExitStatus.OK)
