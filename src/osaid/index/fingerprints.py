"""What decides that a subject need not be assessed again.

Rescanning skips a subject in two steps, like a version-control index:

1. *stat fingerprint* (no reading): for a folder, every file's relative path, size and
   modification time; for a manifest, its size and modification time. Equal to the stored one
   (and the same osaid engine) -> skipped without loading. Files modified in the last two
   seconds make the fingerprint unusable for that scan, so a change in the same instant as a
   scan is never missed. For a hub subject: the commit sha its default branch points at, as the
   hub's listing says (many subjects per request) or as the last load found it, and whether a
   token was used (a token can open a gated repository's files).
2. *content hash* (see `content_hash`), computed from the loaded `Release`: equal to the stored
   one -> not assessed again.

The *engine* fingerprint (osaid's version and the bytes of its knowledge files) is part of both
decisions: a new osaid, or new knowledge, reassesses everything.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from osaid.index.inputs import Subject
from osaid.index.workers import DEFAULT_EXPORTS

RACY_SECONDS = 2.0


def stat_fingerprint(s: Subject, now: float, max_files: int = 20_000) -> str | None:
    """A cheap fingerprint from file metadata only (None: not available, or not trustworthy
    because something changed within `RACY_SECONDS` of `now`)."""
    if s.kind == "hf":
        return None  # see hub_fingerprint
    h = hashlib.sha1()
    newest = 0
    try:
        if s.kind == "manifest":
            st = os.stat(s.target)
            h.update(f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}".encode())
            newest = st.st_mtime_ns
        else:
            count = 0
            stack = [""]
            while stack:
                rel = stack.pop()
                with os.scandir(os.path.join(s.target, rel) if rel else s.target) as it:
                    entries = sorted(it, key=lambda e: e.name)
                for e in entries:
                    st = e.stat(follow_symlinks=False)
                    path = f"{rel}/{e.name}" if rel else e.name
                    h.update(f"{path}\0{st.st_mode}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
                    newest = max(newest, st.st_mtime_ns)
                    count += 1
                    if count > max_files:
                        return None
                    if e.is_dir(follow_symlinks=False):
                        stack.append(path)
    except OSError:
        return None
    if newest / 1e9 > now - RACY_SECONDS:
        return None
    return h.hexdigest()


def hub_fingerprint(sha: str | None, with_token: bool) -> str | None:
    """A hub subject's fingerprint: its commit, and whether a token was used."""
    if not sha:
        return None
    return f"hf:{sha}" + ("+token" if with_token else "")


def engine_fingerprint(exports: tuple[str, ...] = DEFAULT_EXPORTS) -> str:
    """osaid's version, its knowledge files' bytes and the exports stored: what a stored
    assessment depends on besides the release."""
    from osaid import __version__

    h = hashlib.sha256(f"osaid {__version__}\n".encode())
    folder = Path(__file__).resolve().parent.parent / "knowledge"
    for p in sorted(folder.iterdir()):
        if p.is_file() and p.suffix in (".yaml", ".yml", ".tsv", ".json", ".txt"):
            h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    h.update(",".join(sorted(exports)).encode())
    return f"{__version__}+{h.hexdigest()[:16]}"


def content_hash(release) -> str:
    """The content hash of a `Release`: SHA-256 over (in this order, NUL-separated) a format
    tag, the source, name and revision; every file's path, size, known SHA-256 and the bytes of
    its sniffed head, by path; every document's path, truncation flag and text's SHA-256, by
    path; the source's metadata (a manifest's parsed fields and their lines, a hub's gating) as
    sorted JSON; and the problems found while reading. Where the release came from (its
    location) is not part of it: the same content moved is the same content."""
    h = hashlib.sha256()
    h.update(f"osaid.content/1\0{release.source}\0{release.name}\0{release.revision}\0".encode())
    for f in sorted(release.files, key=lambda f: f.path):
        h.update(f"F{f.path}\0{f.size}\0{f.sha256 or ''}\0".encode())
        h.update(f.head)
        h.update(b"\0")
    for path in sorted(release.documents):
        d = release.documents[path]
        digest = hashlib.sha256(d.text.encode("utf-8", "surrogatepass")).hexdigest()
        h.update(f"D{path}\0{int(d.truncated)}\0{digest}\0".encode())
    h.update(json.dumps(release.metadata, sort_keys=True, default=str).encode())
    for p in release.problems:
        h.update(f"P{p.rule}\0{p.message}\0".encode())
        for e in p.evidence:
            h.update(f"{e.path}\0{e.line}\0{e.quote}\0".encode())
    return h.hexdigest()
