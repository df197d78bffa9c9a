"""A host written as a non-public IP address is `private` before any lookup, so `--offline` (the
pre-commit hook) reports it too, instead of "not in cache"."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

LETTER = (
    "[admin](http://10.1.2.3/admin) [local](http://127.0.0.1:8080/x) [six](http://[::1]/) "
    "[named](https://www.ngo.test/report)\n"
)


def statuses(cli: Callable[..., Any], tmp_path: Path, *flags: str) -> list[tuple[str, str]]:
    letter = tmp_path / "letter.md"
    letter.write_text(LETTER)
    cache = tmp_path / "cache.sqlite"
    result = cli("check", letter, "--offline", "--cache-path", cache, "--format", "json", *flags)
    return [(ref["status"], ref["message"]) for ref in json.loads(result.out)["references"]]


def test_private_ip_literals_are_decided_offline(cli: Callable[..., Any], tmp_path: Path) -> None:
    *literals, (named_status, named_message) = statuses(cli, tmp_path)
    assert literals == [
        ("private", "not a public address: 10.1.2.3 is private"),
        ("private", "not a public address: 127.0.0.1 is loopback"),
        ("private", "not a public address: ::1 is loopback"),
    ]
    # a name needs DNS: not decided offline
    assert named_status == "unreachable" and named_message.startswith("not in cache")


def test_allow_private_and_exclude_still_win(cli: Callable[..., Any], tmp_path: Path) -> None:
    allowed = statuses(cli, tmp_path, "--allow-private")
    assert {status for status, _ in allowed} == {"unreachable"}
    excluded = statuses(cli, tmp_path, "--exclude", r"^http://10\.")
    assert excluded[0] == ("skipped", "excluded by --exclude")
