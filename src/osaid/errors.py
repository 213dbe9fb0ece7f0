"""Errors a user can act on. Each carries the exit code the CLI returns for it."""

from __future__ import annotations


class OsaidError(Exception):
    """Base class: a clear, one-line message for the user; never a crash."""

    exit_code = 2


class InputError(OsaidError):
    """The target cannot be read as a release (missing, not a folder, unreadable...)."""


class UsageError(OsaidError):
    """The command line asks for something that does not make sense."""
