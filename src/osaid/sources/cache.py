"""An on-disk cache of release snapshots, so a second check of the same revision asks nobody.

Layout under the cache root (`--cache-dir`, else `$OSAID_CACHE_DIR`, else `$XDG_CACHE_HOME/osaid`,
else `~/.cache/osaid`):

    hf/<hub host>/<kind>/<org>/<name>/snapshots/<commit sha>.json   one Release, as JSON
    hf/<hub host>/<kind>/<org>/<name>/refs.json                     ref -> {sha, at}
    hf/<hub host>/blobs/<ab>/<git blob id>                          a text file's bytes

Text files are also kept by the hub's `blobId` (the git blob id: SHA-1 of `blob <size>\0` and
the bytes), so a file whose bytes were read once (the same LICENSE or config in ten thousand
repositories) is never downloaded again; a blob is checked against its id when read and written.

A snapshot is keyed by the resolved commit sha, which never changes meaning, so it is reused
forever. A ref (branch, tag, or the default branch) is remembered with the time it was resolved;
the hub source decides how old a resolution it trusts. Every write goes to a temporary file in the
same folder and is renamed into place, so a reader never sees half a file. The cache is an
optimisation: a write that fails is dropped, and an unreadable or malformed entry is a miss.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from pathlib import Path

from osaid.model import Evidence, FileEntry, Problem, Release, TextDocument

FORMAT = 2
"""Bumped whenever the snapshot layout changes; older entries are then misses."""
MAX_ENTRY_BYTES = 64 * 1024 * 1024
"""A snapshot holds at most the text bound of a release plus its file list; anything bigger is
not ours."""
_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_SHA = re.compile(r"^[0-9a-f]{40}$")


def cache_root(option: str | None = None) -> Path:
    """Where osaid keeps its cache: the option, `OSAID_CACHE_DIR`, XDG, or `~/.cache/osaid`."""
    if option:
        return Path(option).expanduser()
    if os.environ.get("OSAID_CACHE_DIR"):
        return Path(os.environ["OSAID_CACHE_DIR"]).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = (
        Path(xdg).expanduser()
        if xdg and os.path.isabs(os.path.expanduser(xdg))
        else Path.home() / ".cache"
    )
    return base / "osaid"


def host_key(endpoint: str) -> str:
    """A folder name for a hub endpoint (`huggingface.co`, `127.0.0.1_8080`)."""
    from urllib.parse import urlsplit

    parts = urlsplit(endpoint)
    name = (parts.hostname or "hub") + (f"_{parts.port}" if parts.port else "")
    name = re.sub(r"[^A-Za-z0-9._-]", "_", name)
    return name if _SAFE.match(name) else "hub"


class SnapshotCache:
    """Snapshots of one hub's repositories of one kind (`models`, `datasets`)."""

    def __init__(self, root: Path, endpoint: str, kind: str = "models") -> None:
        self.base = root / "hf" / host_key(endpoint) / kind

    def _repo_dir(self, repo_id: str) -> Path:
        parts = repo_id.split("/")
        if not all(_SAFE.match(p) and ".." not in p for p in parts):
            raise ValueError(f"not a cacheable repo id: {repo_id!r}")
        return self.base.joinpath(*parts)

    # -- snapshots ----------------------------------------------------------------------------

    def snapshot(self, repo_id: str, sha: str) -> dict | None:
        """The cached snapshot of `repo_id` at commit `sha`, or None."""
        if not _SHA.match(sha):
            return None
        data = _read_json(self._repo_dir(repo_id) / "snapshots" / f"{sha}.json")
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return None
        if data.get("revision") != sha or not isinstance(data.get("release"), dict):
            return None
        return data

    def put_snapshot(self, repo_id: str, sha: str, release: Release, access: str) -> None:
        if not _SHA.match(sha):
            return
        entry = {
            "format": FORMAT,
            "revision": sha,
            "access": access,
            "stored": time.time(),
            "release": release_to_dict(release),
        }
        _write_json(self._repo_dir(repo_id) / "snapshots" / f"{sha}.json", entry)

    # -- refs ---------------------------------------------------------------------------------

    def ref(self, repo_id: str, ref: str, max_age: float | None) -> str | None:
        """The sha `ref` resolved to, if resolved within `max_age` seconds (None: any age)."""
        refs = _read_json(self._repo_dir(repo_id) / "refs.json")
        if not isinstance(refs, dict):
            return None
        entry = refs.get(ref)
        if not isinstance(entry, dict):
            return None
        sha, at = entry.get("sha"), entry.get("at")
        if not isinstance(sha, str) or not _SHA.match(sha) or not isinstance(at, (int, float)):
            return None
        age = time.time() - at
        if max_age is not None and not (0 <= age <= max_age):
            return None
        return sha

    def put_ref(self, repo_id: str, ref: str, sha: str) -> None:
        path = self._repo_dir(repo_id) / "refs.json"
        refs = _read_json(path)
        refs = refs if isinstance(refs, dict) else {}
        refs[ref] = {"sha": sha, "at": time.time()}
        if len(refs) > 256:  # keep the newest resolutions only
            refs = dict(
                sorted(
                    refs.items(),
                    key=lambda kv: -float(kv[1].get("at", 0) if isinstance(kv[1], dict) else 0),
                )[:256]
            )
        _write_json(path, refs)


class BlobCache:
    """Text files by git blob id, shared by every repository of one hub."""

    def __init__(self, root: Path, endpoint: str) -> None:
        self.base = root / "hf" / host_key(endpoint) / "blobs"

    def _path(self, blob: str) -> Path | None:
        return self.base / blob[:2] / blob if _SHA.match(blob) else None

    def get(self, blob: str, size: int) -> bytes | None:
        path = self._path(blob)
        if path is None:
            return None
        try:
            with open(path, "rb") as fh:
                data = fh.read(size + 1)
        except OSError:
            return None
        return data if len(data) == size and git_blob_id(data) == blob else None

    def put(self, blob: str, data: bytes) -> None:
        path = self._path(blob)
        if path is None or git_blob_id(data) != blob or path.exists():
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except OSError:
            pass  # a cache that cannot be written only costs the next read a download


def git_blob_id(data: bytes) -> str:
    import hashlib

    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()  # noqa: S324 - git's id


def _read_json(path: Path) -> object:
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_ENTRY_BYTES + 1)
    except OSError:
        return None
    if len(data) > MAX_ENTRY_BYTES:
        return None
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        return None


def _write_json(path: Path, value: object) -> None:
    try:
        if not path.parent.is_dir():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(value, fh, ensure_ascii=False, separators=(",", ":"))
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
    except OSError:
        pass  # a cache that cannot be written only costs the next run a download


# --- Release <-> JSON --------------------------------------------------------------------------


def release_to_dict(r: Release) -> dict:
    return {
        "name": r.name,
        "source": r.source,
        "location": r.location,
        "revision": r.revision,
        "url_base": r.url_base,
        "files": [[f.path, f.size, f.sha256] for f in r.files],
        "documents": {p: [d.text, d.truncated] for p, d in r.documents.items()},
        "problems": [
            {"rule": p.rule, "message": p.message, "evidence": [e.to_json() for e in p.evidence]}
            for p in r.problems
        ],
        "metadata": r.metadata,
    }


def release_from_dict(d: dict) -> Release | None:
    """Rebuild a Release; None when the entry is not what `release_to_dict` wrote."""
    try:
        files = tuple(
            FileEntry(path=_str(p), size=_int(s), sha256=None if h is None else _str(h))
            for p, s, h in d["files"]
        )
        documents = {
            _str(p): TextDocument(path=p, text=_str(t), truncated=bool(tr))
            for p, (t, tr) in d["documents"].items()
        }
        problems = tuple(
            Problem(
                _str(p["rule"]),
                _str(p["message"]),
                tuple(
                    Evidence(**{k: e.get(k) for k in ("path", "line", "quote", "field", "url")})
                    for e in p["evidence"]
                ),
            )
            for p in d["problems"]
        )
        metadata = d["metadata"]
        if not isinstance(metadata, dict):
            return None
        return Release(
            name=_str(d["name"]),
            source=_str(d["source"]),
            location=_str(d["location"]),
            revision=d["revision"],
            files=files,
            documents=documents,
            problems=problems,
            url_base=d["url_base"],
            metadata=metadata,
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _str(v: object) -> str:
    if not isinstance(v, str):
        raise TypeError("expected a string")
    return v


def _int(v: object) -> int:
    if not isinstance(v, int) or isinstance(v, bool):
        raise TypeError("expected an integer")
    return v
