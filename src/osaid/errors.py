"""Errors a user can act on. Each carries the exit code the CLI returns for it."""

from __future__ import annotations


class OsaidError(Exception):
    """Base class: a clear, one-line message for the user; never a crash."""

    exit_code = 2


class InputError(OsaidError):
    """The target cannot be read as a release (missing, not a folder, unreadable...)."""


class UsageError(OsaidError):
    """The command line asks for something that does not make sense."""


def os_error_message(target: str, exc: OSError) -> str:
    """One line saying why `target` could not be read, the same way for every command."""
    if isinstance(exc, FileNotFoundError):
        return f"{target}: no such file or directory"
    if isinstance(exc, PermissionError):
        return f"{target}: permission denied"
    return f"{target}: cannot read ({exc.strerror or exc})"
