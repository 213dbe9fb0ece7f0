"""Sources: where a release comes from. Each turns a target into a `Release` snapshot."""

from __future__ import annotations

from osaid.model import Release


def load(target: str) -> Release:
    """Pick the source for a target. Only local folders are supported so far."""
    from osaid.sources.local import LocalSource

    return LocalSource().load(target)
