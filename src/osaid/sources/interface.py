"""What every source does: turn a target (a path, a hub id, a URL) into a `Release` snapshot."""

from __future__ import annotations

from abc import ABC, abstractmethod

from osaid.errors import InputError
from osaid.model import Release


class SourceError(InputError):
    """A source could not produce a release; the message says why, in one line."""


class Source(ABC):
    name: str
    """The `subject.source` value of releases it produces."""

    @abstractmethod
    def load(self, target: str) -> Release:
        """Read the target into a snapshot. Never executes, imports or unpickles anything in it."""
