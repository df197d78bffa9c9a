"""Text helpers every layer shares (pure): reading letters, parsing them, rendering them."""

from __future__ import annotations

import re

_NEWLINES = re.compile(r"\r\n?")


def normalise_newlines(text: str) -> str:
    """``text`` with CRLF and CR line ends as LF; columns stay the same."""
    return _NEWLINES.sub("\n", text) if "\r" in text else text
