"""What reading one letter gives: its references, and what its reader must be told about them."""

from __future__ import annotations

from dataclasses import dataclass

from citecheck.models import Reference


@dataclass(frozen=True, slots=True)
class Parsed:
    """A letter's references in source order; ``notices`` say where some may be missing."""

    references: tuple[Reference, ...]
    notices: tuple[str, ...] = ()
