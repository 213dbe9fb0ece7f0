"""A folder on disk -> a `Release`.

The folder is untrusted: symlinks are never followed (one that leaves the root is a problem to
report), only regular files are opened, every read is bounded, the walk is bounded in depth and
count, and nothing is imported, executed or unpickled.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from osaid.errors import os_error_message
from osaid.evidence.inventory import read_rank, wants_text
from osaid.model import Evidence, FileEntry, Problem, Release, TextDocument
from osaid.sources.interface import Source, SourceError


@dataclass(frozen=True)
class Limits:
    """Bounds on what one release may cost to read."""

    max_files: int = 20_000
    max_depth: int = 32
    text_bytes: int = 256 * 1024
    """Read at most this much of any one text file."""
    text_total: int = 16 * 1024 * 1024
    """Read at most this much text in all."""
    head_bytes: int = 64
    """Bytes read from the start of a binary file to recognise its format."""


DEFAULT_LIMITS = Limits()


class TextBudget:
    """How much more text a source may read; says so once, as a problem, when it runs out."""

    def __init__(self, limits: Limits, problems: list[Problem]) -> None:
        self.left = limits.text_total
        self.per_file = limits.text_bytes
        self._problems = problems
        self._noted = False

    def allow(self, path: str) -> int | None:
        """Bytes of `path` that may be read, or None when the budget is spent."""
        if self.left > 0:
            return min(self.per_file, self.left)
        if not self._noted:
            self._problems.append(
                Problem(
                    "read-budget-exhausted",
                    "The release has more text "
                    "than osaid reads; later files were listed but not "
                    "read.",
                    (Evidence(path=path),),
                )
            )
            self._noted = True
        return None

    def spend(self, n: int) -> None:
        self.left -= n


def unread_terms_problems(paths: list[str]) -> list[Problem]:
    """A warning for each card or terms file the text budget left unread (at most 20)."""
    return [
        Problem(
            "license-unread",
            "A card or terms file was listed but not read: the release holds more text than "
            "osaid reads, so what it says is not assessed.",
            (Evidence(path=path),),
        )
        for path in paths[:20]
    ]


def decode(data: bytes) -> tuple[str, bool]:
    """UTF-8 text, with a flag saying whether bytes had to be replaced (or NULs were present)."""
    try:
        text = data.decode("utf-8")
        bad = "\x00" in text
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
        bad = True
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\x00", "\ufffd"), bad


def read_prefix(path: Path | str, limit: int) -> bytes:
    """Read at most `limit` bytes of a regular file without following a final symlink."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, flags)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return b""
        chunks, left, size = [], limit, 0
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
            size += len(chunk)
            if size >= st.st_size:  # all of it: no read just to learn that the file ends
                break
        return b"".join(chunks)
    finally:
        os.close(fd)


class LocalSource(Source):
    name = "local"

    def __init__(self, limits: Limits = DEFAULT_LIMITS) -> None:
        self.limits = limits

    def load(self, target: str) -> Release:
        root = Path(target)
        try:
            st = root.stat()
        except OSError as exc:
            raise SourceError(os_error_message(target, exc)) from None
        if not stat.S_ISDIR(st.st_mode):
            raise SourceError(f"{target}: not a folder (osaid check reads a release folder)")
        if not os.access(root, os.R_OK | os.X_OK):
            raise SourceError(f"{target}: permission denied")
        root = root.resolve()
        files, documents, problems = self._walk(root)
        return Release(
            name=root.name or str(root),
            source=self.name,
            location=str(root),
            revision=None,
            files=tuple(files),
            documents=documents,
            problems=tuple(problems),
        )

    def _walk(self, root: Path):
        lim = self.limits
        files: list[FileEntry] = []
        documents: dict[str, TextDocument] = {}
        problems: list[Problem] = []
        budget = TextBudget(lim, problems)
        to_read: list[tuple[str, str]] = []  # text files, in walk order; read after the walk
        stack: list[tuple[str, int]] = [("", 0)]
        while stack:
            rel_dir, depth = stack.pop()
            abs_dir = root / rel_dir if rel_dir else root
            try:
                with os.scandir(abs_dir) as it:
                    entries = sorted(it, key=lambda e: e.name)
            except OSError as exc:
                if not rel_dir:
                    raise SourceError(
                        f"{root}: cannot list folder ({exc.strerror or exc})"
                    ) from None
                problems.append(
                    Problem(
                        "unreadable-path",
                        f"Folder could not be listed: {exc.strerror or exc}.",
                        (Evidence(path=rel_dir),),
                    )
                )
                continue
            subdirs = []
            for entry in entries:
                rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
                if entry.name == ".git" and not rel_dir:
                    continue  # version-control internals are not part of the release
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError as exc:
                    problems.append(
                        Problem(
                            "unreadable-path",
                            f"Could not be read: {exc.strerror or exc}.",
                            (Evidence(path=rel),),
                        )
                    )
                    continue
                if stat.S_ISLNK(st.st_mode):
                    problems.append(self._symlink_problem(root, abs_dir, entry.name, rel))
                    continue
                if stat.S_ISDIR(st.st_mode):
                    if depth + 1 >= lim.max_depth:
                        problems.append(
                            Problem(
                                "tree-too-deep",
                                f"Folders deeper than {lim.max_depth} levels were not read.",
                                (Evidence(path=rel),),
                            )
                        )
                        continue
                    subdirs.append((rel, depth + 1))
                    continue
                if not stat.S_ISREG(st.st_mode):
                    problems.append(
                        Problem(
                            "special-file",
                            "Not a regular file (device, socket or pipe); not read.",
                            (Evidence(path=rel),),
                        )
                    )
                    continue
                if len(files) >= lim.max_files:
                    problems.append(
                        Problem(
                            "tree-too-large",
                            f"More than {lim.max_files} files: the rest were not read.",
                            (Evidence(path=rel),),
                        )
                    )
                    stack.clear()
                    subdirs = []
                    break
                kind = wants_text(rel, st.st_size)
                head = b""
                if kind == "head" and st.st_size:
                    head = self._read(entry.path, lim.head_bytes, rel, problems)
                files.append(FileEntry(path=rel, size=st.st_size, head=head))
                if kind == "text":
                    to_read.append((rel, entry.path))
            stack.extend(reversed(subdirs))
        # The whole tree is listed; now read what matters first (cards, terms, data documents at
        # any depth, then the rest), so a spent budget never costs a license file unseen.
        ranks = [read_rank(rel) for rel, _ in to_read]
        order = sorted(range(len(to_read)), key=lambda i: (ranks[i], i))
        unread_terms: list[str] = []
        for i in order:
            rel, path = to_read[i]
            want = budget.allow(rel)
            if want is None:
                if ranks[i] <= 1:
                    unread_terms.append(rel)
                continue
            data = self._read(path, want + 1, rel, problems)
            truncated = len(data) > want
            data = data[:want]
            budget.spend(len(data))
            text, bad = decode(data)
            if bad:
                problems.append(
                    Problem(
                        "undecodable-text",
                        "Not valid UTF-8 text; undecodable bytes were replaced.",
                        (Evidence(path=rel),),
                    )
                )
            documents[rel] = TextDocument(path=rel, text=text, truncated=truncated)
        problems += unread_terms_problems(unread_terms)
        walk = {rel: i for i, (rel, _) in enumerate(to_read)}
        documents = dict(sorted(documents.items(), key=lambda kv: walk[kv[0]]))
        return files, documents, problems

    @staticmethod
    def _read(path: Path | str, limit: int, rel: str, problems: list[Problem]) -> bytes:
        try:
            return read_prefix(path, limit)
        except OSError as exc:
            problems.append(
                Problem(
                    "unreadable-path",
                    f"Could not be read: {exc.strerror or exc}.",
                    (Evidence(path=rel),),
                )
            )
            return b""

    @staticmethod
    def _symlink_problem(root: Path, abs_dir: Path, name: str, rel: str) -> Problem:
        try:
            target = os.readlink(abs_dir / name)
        except OSError:
            target = "?"
        resolved = (abs_dir / target).resolve() if target != "?" else None
        inside = resolved is not None and (resolved == root or root in resolved.parents)
        if inside:
            return Problem(
                "symlink-inside-root",
                "Symbolic link inside the release; not followed "
                "(its target is assessed where it lies).",
                (Evidence(path=rel, quote=f"-> {target}"),),
            )
        return Problem(
            "symlink-outside-root",
            "Symbolic link pointing outside the release; not "
            "followed. What it points to is not part of this assessment (for a Hugging "
            "Face cache snapshot, check the hub id instead).",
            (Evidence(path=rel, quote=f"-> {target}"),),
        )
