"""Options: defaults, then ``[tool.citecheck]`` / ``citecheck.toml``, then command-line flags.

Every setting has one name (the flag without ``--``, hyphens or underscores alike in files) and one
converter that validates it; a bad value or an unknown key is a ``ConfigError`` naming the key.
The export's ``--format`` is ``format`` in an ``export`` sub-table (``[tool.citecheck.export]``),
so that ``format`` beside it stays the format of ``check`` and ``refs``.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from citecheck.errors import ConfigError
from citecheck.models import DEFAULT_FAIL_ON, Status, Thresholds

# The defaults the fetcher, the CLI's help and Options share: declared here only.
DEFAULT_TIMEOUT = 10.0  # seconds per request, connect and read
DEFAULT_MAX_CONCURRENCY = 64
DEFAULT_PER_HOST = 4
DEFAULT_RETRIES = 2
DEFAULT_MAX_AGE = "1d"
DEFAULT_EXPORT_FORMAT = "csv"
DEFAULT_ARCHIVE_ENDPOINT = "https://web.archive.org"
# Failed checks an hour apart before a link that worked is called dead; 1: at once.
DEFAULT_CONFIRM_DEAD = 1

# Format names as the user writes them; report/ maps each to its module (a test keeps them equal).
OUTPUT_FORMATS = ("rich", "json", "csv", "markdown", "github", "sarif", "html", "docx")
EXPORT_FORMATS = ("csv", "json", "bibtex", "csl-json")
INPUT_FORMATS = ("md", "txt", "html")  # of standard input

_AGE_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
_AGE_PART = re.compile(r"(\d+(?:\.\d+)?)([smhdw])")
_AGE = re.compile(rf"(?:{_AGE_PART.pattern})+")
_AGE_HELP = "use a number and a unit s, m, h, d or w, such as 45s, 30m, 12h, 1d, 2w or 1h30m"


def parse_age(text: str) -> float:
    """Seconds in an age such as ``45s``, ``30m``, ``12h``, ``1d``, ``2w``, ``1h30m`` or ``0``."""
    compact = "".join(text.split()).lower()
    if compact == "0":
        return 0.0
    if not _AGE.fullmatch(compact):
        raise ValueError(f"invalid age {text!r}: {_AGE_HELP}")
    return sum(float(number) * _AGE_UNITS[unit] for number, unit in _AGE_PART.findall(compact))


@dataclass(frozen=True, slots=True)
class Remap:
    pattern: re.Pattern[str]
    replacement: str


@dataclass(frozen=True, slots=True)
class Options:
    """Everything a run needs to know, validated."""

    format: str | None = None
    export_format: str = DEFAULT_EXPORT_FORMAT
    output: Path | None = None
    input_format: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    max_concurrency: int = DEFAULT_MAX_CONCURRENCY
    per_host: int = DEFAULT_PER_HOST
    rate: float | None = None
    retries: int = DEFAULT_RETRIES
    exclude: tuple[re.Pattern[str], ...] = ()
    include: tuple[re.Pattern[str], ...] = ()
    remap: tuple[Remap, ...] = ()
    header: tuple[tuple[str, str], ...] = ()
    host_headers: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    user_agent: str | None = None
    allow_private: bool = False
    fail_on: frozenset[Status] = DEFAULT_FAIL_ON
    accept: frozenset[int] = frozenset()
    changed_since: str | None = None
    verbose: bool = False
    quiet: bool = False
    cache: bool = True
    cache_path: Path | None = None
    max_age: float = parse_age(DEFAULT_MAX_AGE)
    refresh: bool = False
    offline: bool = False
    suggest_archive: bool = False
    archive_endpoint: str = DEFAULT_ARCHIVE_ENDPOINT
    confirm_dead: int = DEFAULT_CONFIRM_DEAD
    thresholds: Thresholds = field(default_factory=Thresholds)


def _positive_number(key: str, value: Any) -> float:
    # TOML and float flags both accept inf and nan, which no timeout or rate can be.
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise ConfigError(f"{key}: expected a positive number, got {value!r}")
    return float(value)


def _fraction(key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ConfigError(f"{key}: expected a number from 0 to 1, got {value!r}")
    return float(value)


def _count(key: str, value: Any, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"{key}: expected a whole number >= {minimum}, got {value!r}")
    return value


def _bool(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{key}: expected true or false, got {value!r}")
    return value


def _text(key: str, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{key}: expected a non-empty string, got {value!r}")
    return value


def _strings(key: str, value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{key}: expected a string or a list of strings, got {value!r}")
    return list(value)


def _regexes(key: str, value: Any) -> tuple[re.Pattern[str], ...]:
    patterns = []
    for text in _strings(key, value):
        try:
            patterns.append(re.compile(text))
        except re.error as exc:
            raise ConfigError(f"{key}: bad regular expression {text!r} ({exc})") from exc
    return tuple(patterns)


def _remaps(key: str, value: Any) -> tuple[Remap, ...]:
    remaps = []
    for text in _strings(key, value):
        pattern, sep, replacement = text.strip().partition(" ")
        if not sep or not replacement.strip():
            raise ConfigError(f"{key}: expected 'REGEX REPLACEMENT', got {text!r}")
        remaps.append(Remap(_regexes(key, pattern)[0], replacement.strip()))
    return tuple(remaps)


def _header_pair(key: str, text: str) -> tuple[str, str]:
    name, sep, value = text.partition(":")
    if not sep or not re.fullmatch(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+", name.strip()):
        raise ConfigError(f"{key}: expected 'Name: value', got {text!r}")
    return name.strip(), _header_value(key, value.strip())


def _header_value(key: str, value: Any) -> str:
    # A line break would smuggle in another header, and the server would answer every request
    # with an error: all links "broken" because of one option.
    if not isinstance(value, str) or re.search(r"[\x00-\x08\x0a-\x1f\x7f]", value):
        raise ConfigError(f"{key}: a header value cannot hold control characters, got {value!r}")
    return value


def _headers(key: str, value: Any) -> tuple[tuple[str, str], ...]:
    return tuple(_header_pair(key, text) for text in _strings(key, value))


def _host_headers(key: str, value: Any) -> dict[str, tuple[tuple[str, str], ...]]:
    if not isinstance(value, dict):
        raise ConfigError(f"{key}: expected a table of host = ['Name: value', …]")
    return {host.lower(): _headers(f"{key}.{host}", v) for host, v in value.items()}


def _statuses(key: str, value: Any) -> frozenset[Status]:
    items = [s.strip() for text in _strings(key, value) for s in text.split(",") if s.strip()]
    try:
        return frozenset(Status(item) for item in items)
    except ValueError as exc:
        known = ", ".join(s.value for s in Status)
        raise ConfigError(f"{key}: unknown status in {items!r} (known: {known})") from exc


def _codes(key: str, value: Any) -> frozenset[int]:
    items = value if isinstance(value, list) else [value]
    codes = set()
    for item in items:
        for part in str(item).split(","):
            if not part.strip().isdigit() or not 100 <= int(part) <= 999:
                raise ConfigError(f"{key}: expected HTTP status codes, got {part.strip()!r}")
            codes.add(int(part))
    return frozenset(codes)


def _rate(key: str, value: Any) -> float:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(?:/\s*s)?\s*", str(value))
    if not match or float(match.group(1)) <= 0:
        raise ConfigError(f"{key}: expected requests per second such as '10/s', got {value!r}")
    return float(match.group(1))


def _age(key: str, value: Any) -> float:
    try:
        return parse_age(str(value))
    except ValueError as exc:
        raise ConfigError(f"{key}: {exc}") from None


def _choice(*choices: str) -> Callable[[str, Any], str]:
    def convert(key: str, value: Any) -> str:
        if value not in choices:
            raise ConfigError(f"{key}: expected one of {', '.join(choices)}, got {value!r}")
        return str(value)

    return convert


def _http_url(key: str, value: Any) -> str:
    text = _text(key, value)
    try:
        parts = urlsplit(text)
        valid = (
            parts.scheme in ("http", "https")
            and bool(parts.hostname)
            and parts.port != 0
            and not parts.fragment
            and not any(char.isspace() for char in text)
        )
    except ValueError:  # a port that is not a number, a bracketed host that is not an address
        valid = False
    if not valid:
        raise ConfigError(
            f"{key}: expected an http(s) URL such as {DEFAULT_ARCHIVE_ENDPOINT}, got {text!r}"
        )
    return text


def _path(key: str, value: Any) -> Path:
    return Path(_text(key, str(value) if isinstance(value, Path) else value)).expanduser()


def _thresholds(key: str, value: Any) -> Thresholds:
    if not isinstance(value, dict):
        raise ConfigError(f"{key}: expected a table of thresholds")
    known = {f.name: f for f in fields(Thresholds)}
    values: dict[str, Any] = {}
    for name, raw in value.items():
        attr = name.replace("-", "_")
        if attr not in known:
            raise ConfigError(f"{key}.{name}: unknown threshold (known: {', '.join(known)})")
        default = getattr(Thresholds(), attr)
        if isinstance(default, int) and not isinstance(default, bool):
            values[attr] = _count(f"{key}.{name}", raw, minimum=0)
        else:
            values[attr] = _fraction(f"{key}.{name}", raw)
    return replace(Thresholds(), **values)


def _export(key: str, value: Any) -> dict[str, str]:
    """The ``export`` sub-table: the Options values it sets."""
    if not isinstance(value, dict):
        raise ConfigError(f"{key}: expected a table such as [tool.citecheck.export]")
    unknown = [name for name in value if name != "format"]
    if unknown:
        raise ConfigError(f"{key}.{unknown[0]}: unknown key (known: format)")
    if "format" not in value:
        return {}
    return {"export_format": CONVERTERS["export_format"](f"{key}.format", value["format"])}


CONVERTERS: dict[str, Callable[[str, Any], Any]] = {
    "format": _choice(*OUTPUT_FORMATS),
    "export_format": _choice(*EXPORT_FORMATS),
    "output": _path,
    "input_format": _choice(*INPUT_FORMATS),
    "timeout": _positive_number,
    "max_concurrency": _count,
    "per_host": _count,
    "rate": _rate,
    "retries": lambda key, value: _count(key, value, minimum=0),
    "exclude": _regexes,
    "include": _regexes,
    "remap": _remaps,
    "header": _headers,
    "host_headers": _host_headers,
    "user_agent": lambda key, value: _header_value(key, _text(key, value)),
    "allow_private": _bool,
    "fail_on": _statuses,
    "accept": _codes,
    "changed_since": _text,
    "verbose": _bool,
    "quiet": _bool,
    "cache": _bool,
    "cache_path": _path,
    "max_age": _age,
    "refresh": _bool,
    "offline": _bool,
    "suggest_archive": _bool,
    "archive_endpoint": _http_url,
    "confirm_dead": _count,
    "thresholds": _thresholds,
}
# Keys that name a place relative to the configuration file, not to the current folder.
_PATH_KEYS = frozenset({"output", "cache_path"})
# Options set by a flag of another name.
_FLAG_NAMES = {"export_format": "--format"}


def find_config(start: Path) -> tuple[Path, dict[str, Any]] | None:
    """The nearest ``citecheck.toml``, or ``pyproject.toml`` with ``[tool.citecheck]``, upwards."""
    for folder in (start, *start.parents):
        own = folder / "citecheck.toml"
        if own.is_file():
            return own, _load(own)
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            table = _load(pyproject).get("tool", {}).get("citecheck")
            if table is not None:
                if not isinstance(table, dict):
                    raise ConfigError(f"{pyproject}: [tool.citecheck] must be a table")
                return pyproject, table
    return None


def _load(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc


def build_options(flags: Mapping[str, Any], *, cwd: Path | None = None) -> Options:
    """Options from the configuration file found from ``cwd`` upwards, overridden by ``flags``.

    ``flags`` holds only what the user set on the command line (None values are ignored).
    """
    values: dict[str, Any] = {}
    found = find_config(cwd or Path.cwd())
    if found:
        source, table = found
        for raw_key, raw in table.items():
            key = raw_key.replace("-", "_")
            if key == "export":
                values.update(_export(f"{source.name}: {raw_key}", raw))
                continue
            if key not in CONVERTERS or key == "export_format":
                raise ConfigError(f"{source}: unknown key {raw_key!r}")
            value = CONVERTERS[key](f"{source.name}: {raw_key}", raw)
            if key in _PATH_KEYS:
                value = source.parent / value
            values[key] = value
    for key, raw in flags.items():
        if raw is None or (isinstance(raw, list | tuple) and not raw):
            continue
        flag = _FLAG_NAMES.get(key, f"--{key.replace('_', '-')}")
        values[key] = CONVERTERS[key](flag, raw)
    if values.get("verbose") and values.get("quiet"):
        raise ConfigError("--verbose and --quiet: choose one")
    return Options(**values)
