"""Finding the models an application names: in Python code (read with `ast`, never imported or
run), config files, command lines, Ollama Modelfiles, and weights files in the tree.

Every reference carries its location in the application (path relative to the root, 1-based
line, the line's text). A model id built at run time is not guessed: it becomes a `Dynamic`
entry with its location and why it cannot be resolved. What counts as a reference (calls, config
keys, command patterns) is data: `knowledge/model_references.yaml`.

This module holds the walk, the shared types and id rules, and the weights files; Python is read
in `python_calls.py`, configs, command lines and Modelfiles in `configs.py`.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from osaid.knowledge import load_yaml

MAX_FILES = 200_000
MAX_DEPTH = 32
MAX_TEXT_BYTES = 1024 * 1024
"""Read at most this much of a code or config file (larger files are listed as skipped)."""
MAX_QUOTE = 200


@dataclass(frozen=True)
class Reference:
    """One place the application names a model."""

    key: str
    """What identifies the model across places: `hub:org/name` (lowercased),
    `file:PATH`, `path:PATH` (a folder in the tree), `ollama:NAME[:TAG]`, `missing:PATH`."""
    id: str
    """The model as written (a hub id keeps its case; a path is relative to the root)."""
    kind: str
    """`hub`, `file`, `path`, `ollama`, `missing-path`."""
    path: str
    line: int | None
    text: str
    library: str
    column: int | None = None
    revision: str | None = None
    base: str | None = None
    """For adapters: the key of the base model the adapter is loaded onto, when the code names it."""
    note: str | None = None
    metadata: dict = field(default_factory=dict)
    """Weights files: what their header says (license, name, base models, source)."""


@dataclass(frozen=True)
class Dynamic:
    """A model reference whose id is built at run time: listed, never guessed."""

    path: str
    line: int
    text: str
    library: str
    reason: str


@dataclass
class ScanResult:
    root: str
    references: list[Reference] = field(default_factory=list)
    dynamic: list[Dynamic] = field(default_factory=list)
    files_seen: int = 0
    files_read: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """(path, why) for files not read: too large, unreadable, not parseable, a link."""


# --- knowledge -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Knowledge:
    org_name: re.Pattern
    bare: re.Pattern
    ollama: re.Pattern
    file_suffixes: tuple[str, ...]
    calls: tuple[tuple[re.Pattern, dict], ...]
    call_roots: frozenset[str]
    instances: frozenset[str]
    env_reads: frozenset[str]
    config_keys: frozenset[str]
    key_suffixes: tuple[str, ...]
    prefixes: tuple[str, ...]
    hosted: frozenset[str]
    config_ext: frozenset[str]
    config_names: frozenset[str]
    config_name_prefixes: tuple[str, ...]
    config_skip: frozenset[str]
    skip_tables: tuple[str, ...]
    commands: tuple[tuple[re.Pattern, dict], ...]
    command_files: frozenset[str]
    command_ext: frozenset[str]
    command_prefixes: tuple[str, ...]
    modelfile_names: frozenset[str]
    modelfile_ext: frozenset[str]
    model_files: dict
    skip_dirs: frozenset[str]


def _glob(pattern: str) -> re.Pattern:
    parts = {"*": "[^.]+", "**": r"[^.]+(?:\.[^.]+)*"}
    return re.compile(
        "^" + r"\.".join(parts.get(p, re.escape(p)) for p in pattern.split(".")) + "$"
    )


@cache
def knowledge() -> _Knowledge:
    k = load_yaml("model_references.yaml")
    ids, cfg, cmd = k["id_pattern"], k["config"], k["commands"]
    return _Knowledge(
        org_name=re.compile(ids["org_name"]),
        bare=re.compile(ids["bare"]),
        ollama=re.compile(ids["ollama"]),
        file_suffixes=tuple(ids["file_suffixes"]),
        calls=tuple((_glob(c["call"]), c) for c in k["python"]),
        call_roots=frozenset(c["call"].split(".")[0] for c in k["python"]),
        instances=frozenset(k["python_instances"]),
        env_reads=frozenset(k["python_env_reads"]),
        config_keys=frozenset(cfg["keys"]),
        key_suffixes=tuple(cfg["key_suffixes"]),
        prefixes=tuple(cfg["provider_prefixes"]),
        hosted=frozenset(cfg["hosted_providers"]),
        config_ext=frozenset(cfg["extensions"]),
        config_names=frozenset(cfg["names"]),
        config_name_prefixes=tuple(cfg["name_prefixes"]),
        config_skip=frozenset(cfg["skip_names"]),
        skip_tables=tuple(cfg["skip_tables"]),
        commands=tuple((re.compile(p["regex"], re.M), p) for p in cmd["patterns"]),
        command_files=frozenset(cmd["files"]),
        command_ext=frozenset(cmd["extensions"]),
        command_prefixes=tuple(cmd["name_prefixes"]),
        modelfile_names=frozenset(k["modelfile"]["names"]),
        modelfile_ext=frozenset(k["modelfile"]["extensions"]),
        model_files=k["model_files"],
        skip_dirs=frozenset(k["walk"]["skip_dirs"]),
    )


# --- ids -----------------------------------------------------------------------------------------


def hub_id(value: str, *, bare: bool = False, bare_org: str | None = None) -> str | None:
    """The hub model id `value` names, or None when it is not one (a path, a URL, a sentence)."""
    k = knowledge()
    v = value.strip()
    if not v or len(v) > 200:
        return None
    if v.lower().endswith(k.file_suffixes) or ".." in v:
        return None
    if k.org_name.match(v):
        return v
    if bare and k.bare.match(v) and not v.startswith("."):
        return f"{bare_org}/{v}" if bare_org else v
    return None


def config_hub_id(value: str) -> tuple[str, str | None] | None:
    """A hub id in a config value: `ORG/NAME`, or with a router's prefix (`huggingface/ORG/NAME`,
    `hf.co/ORG/NAME:Q4_K_M`). Returns (id, tag) or None."""
    k = knowledge()
    v = value.strip()
    tag = None
    for prefix in k.prefixes:
        if v.lower().startswith(prefix) and hub_id(_untag(v[len(prefix) :])[0]):
            v, tag = _untag(v[len(prefix) :])
            break
    ident = hub_id(v)
    if ident is None or ident.split("/")[0].lower() in k.hosted:
        return None
    return ident, tag


def _untag(v: str) -> tuple[str, str | None]:
    name, sep, tag = v.partition(":")
    return (name, tag) if sep and tag else (v, None)


def hub_ref(ident: str) -> tuple[str, str]:
    return "hub:" + ident.lower(), ident


def quote_line(line: str) -> str:
    s = line.strip()
    return s if len(s) <= MAX_QUOTE else s[: MAX_QUOTE - 1] + "…"


# --- the walk ------------------------------------------------------------------------------------


def _kind_of(name: str) -> str | None:
    k = knowledge()
    low = name.lower()
    ext = low.rsplit(".", 1)[-1] if "." in low else ""
    if ext == "py":
        return "python"
    if name in k.modelfile_names or ext in k.modelfile_ext:
        return "modelfile"
    if low in k.config_skip:
        return None
    if low in k.config_names or low.startswith(k.config_name_prefixes):
        return "env"
    if name in k.command_files or ext in k.command_ext or name.startswith(k.command_prefixes):
        return "command"
    if ext in k.config_ext:
        return ext if ext != "yml" else "yaml"
    if ext in _weight_ext():
        from osaid.evidence.inventory import is_weights

        if is_weights(low):
            return "weights"
    return None


@cache
def _weight_ext() -> frozenset[str]:
    from osaid.evidence.inventory import rules

    return frozenset(rules().weight_ext)


def walk(
    root: Path, only: list[str] | None = None
) -> tuple[list[tuple[str, str, int]], ScanResult]:
    """(relative path, kind, size) of every file worth reading, without following links."""
    k = knowledge()
    result = ScanResult(root=str(root))
    out: list[tuple[str, str, int]] = []
    base = str(root)
    if only is not None:
        for rel in only:
            p = root / rel
            try:
                st = p.lstat()
            except OSError:
                continue
            if _through_link(base, rel):
                result.skipped.append((rel, "reached through a symbolic link (never followed)"))
                continue
            if stat.S_ISDIR(st.st_mode):
                sub, sub_result = walk(p)
                prefix = "" if rel in (".", "") else rel.rstrip("/") + "/"
                out.extend((prefix + r, kd, sz) for r, kd, sz in sub)
                result.files_seen += sub_result.files_seen
                result.skipped.extend(sub_result.skipped)
                continue
            result.files_seen += 1
            kind = _kind_of(p.name)
            if kind and stat.S_ISREG(st.st_mode):
                out.append((rel, kind, st.st_size))
        return out, result
    stack: list[tuple[str, int]] = [("", 0)]
    while stack:
        rel_dir, depth = stack.pop()
        try:
            with os.scandir(os.path.join(base, rel_dir) if rel_dir else base) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            result.skipped.append((rel_dir or ".", f"cannot list ({exc.strerror or exc})"))
            continue
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            try:
                if entry.is_symlink():
                    result.skipped.append((rel, "a symbolic link (never followed)"))
                    continue
                if entry.is_dir(follow_symlinks=False):
                    if entry.name not in k.skip_dirs and depth + 1 < MAX_DEPTH:
                        stack.append((rel, depth + 1))
                    continue
                if not entry.is_file(follow_symlinks=False):
                    continue
            except OSError:
                continue
            result.files_seen += 1
            if result.files_seen > MAX_FILES:
                result.skipped.append((rel, f"more than {MAX_FILES} files: the rest not read"))
                return out, result
            kind = _kind_of(entry.name)
            if kind:
                try:
                    size = entry.stat(follow_symlinks=False).st_size
                except OSError:
                    continue
                out.append((rel, kind, size))
    return out, result


def _through_link(base: str, rel: str) -> bool:
    """Whether any part of `rel` (below `base`) is a symbolic link, or it leaves `base`."""
    cur = base
    for part in rel.replace(os.sep, "/").split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            return True
        cur = os.path.join(cur, part)
        try:
            if stat.S_ISLNK(os.lstat(cur).st_mode):
                return True
        except OSError:
            return True
    return False


def scan(root: str | Path, only: list[str] | None = None) -> ScanResult:
    """Every model reference under `root` (or only in the files `only` names, relative to it)."""
    from osaid.auditor.configs import env, json_file, modelfile, shell, toml_file, yaml_file
    from osaid.auditor.python_calls import python_file
    from osaid.sources.local import decode

    root = Path(root)
    base = str(root)
    files, result = walk(root, only)
    roots = knowledge().call_roots
    tree = TreeIndex(root)
    for rel, kind, size in files:
        if kind == "weights":
            ref = _model_file(root, rel, size)
            if ref:
                result.references.append(ref)
                result.files_read += 1
            continue
        if size > MAX_TEXT_BYTES:
            result.skipped.append((rel, f"larger than {MAX_TEXT_BYTES // 1024} KiB"))
            continue
        try:
            data = _read(os.path.join(base, rel), size)
        except OSError as exc:
            result.skipped.append((rel, f"unreadable ({exc.strerror or exc})"))
            continue
        text, _ = decode(data)
        if kind == "python":
            if not any(r in text for r in roots):
                continue  # no library it could call: nothing to parse
            result.files_read += 1
            python_file(text, rel, result, tree)
            continue
        if kind in ("yaml", "json", "toml") and not _config_hint().search(text):
            continue  # no key or command that could name a model: nothing to parse
        result.files_read += 1
        if kind == "modelfile":
            modelfile(text, rel, result, tree)
        elif kind == "env":
            env(text, rel, result)
        elif kind == "command":
            shell(text, rel, result)
        elif kind == "yaml":
            yaml_file(text, rel, result)
        elif kind == "json":
            json_file(text, rel, result)
        elif kind == "toml":
            toml_file(text, rel, result)
    seen: set[tuple[str, str, int | None]] = set()
    unique = []
    for ref in result.references:  # a command found both as one string and as an argv
        if (ref.key, ref.path, ref.line) not in seen:
            seen.add((ref.key, ref.path, ref.line))
            unique.append(ref)
    result.references = unique
    return result


@cache
def _config_hint() -> re.Pattern:
    """Words one of which every config key and command pattern holds: a config file without any
    of them cannot name a model, and is not parsed."""
    k = knowledge()
    words = {"model", "vllm", "ollama"}
    for key in k.config_keys:
        if not any(w in key for w in words):
            words.add(key)
    return re.compile("|".join(re.escape(w) for w in sorted(words)), re.I)


def _read(path: str, size: int) -> bytes:
    """At most MAX_TEXT_BYTES of a regular file, without following a final link."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return b""
        return os.read(fd, min(size, MAX_TEXT_BYTES) + 1)[:MAX_TEXT_BYTES]
    finally:
        os.close(fd)


class TreeIndex:
    """Which paths a reference names exist in the tree (lstat inside the root, no links)."""

    def __init__(self, root: Path) -> None:
        self.root = os.path.realpath(root)
        self._seen: dict[tuple[str, str], tuple[str, bool] | None] = {}

    def find(self, value: str, from_dir: str) -> tuple[str, bool] | None:
        """(path relative to the root, is a folder) for a path a reference names, when it lies
        inside the root and exists with no symbolic link on the way."""
        key = (value, from_dir)
        if key not in self._seen:
            self._seen[key] = self._find(value.strip(), from_dir)
        return self._seen[key]

    def _find(self, v: str, from_dir: str) -> tuple[str, bool] | None:
        if not v or v.startswith(("~", "http:", "https:")) or "\x00" in v:
            return None
        root = self.root
        candidates = [v] if v.startswith("/") else [os.path.join(from_dir, v), v]
        for c in candidates:
            full = os.path.normpath(c if c.startswith("/") else os.path.join(root, c))
            if not full.startswith(root + os.sep) or not os.path.lexists(full):
                continue
            rel = full[len(root) + 1 :]
            cur, ok = root, True
            for part in rel.split(os.sep):  # no link anywhere on the way
                cur = os.path.join(cur, part)
                try:
                    mode = os.lstat(cur).st_mode
                except OSError:
                    ok = False
                    break
                if stat.S_ISLNK(mode):
                    ok = False
                    break
            if ok:
                return rel.replace(os.sep, "/"), stat.S_ISDIR(mode)
        return None


def path_ref(value: str, rel: str, line: int, text: str, library: str, tree: TreeIndex, col=None):
    found = tree.find(value, os.path.dirname(rel))
    if found is None:
        return Reference(
            key=f"missing:{value}",
            id=value,
            kind="missing-path",
            path=rel,
            line=line,
            column=col,
            text=text,
            library=library,
            note="a path that is not in the tree (a model fetched or mounted at run time)",
        )
    target, is_dir = found
    return Reference(
        key=("path:" if is_dir else "file:") + target,
        id=target,
        kind="path" if is_dir else "file",
        path=rel,
        line=line,
        column=col,
        text=text,
        library=library,
    )


def looks_like_path(value: str) -> bool:
    v = value.strip()
    return (
        v.startswith(("/", "./", "../", "~"))
        or v.count("/") >= 2
        or ("/" in v and v.lower().endswith(knowledge().file_suffixes))
    )


# --- weights files -------------------------------------------------------------------------------


def _model_file(root: Path, rel: str, size: int) -> Reference | None:
    from osaid.auditor.metadata import read_metadata

    meta = read_metadata(root / rel, rel, size)
    return Reference(
        key="file:" + rel,
        id=rel,
        kind="file",
        path=rel,
        line=None,
        text="",
        library=meta.get("format") or "weights",
        metadata=meta,
    )
