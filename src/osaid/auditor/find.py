"""Finding the models an application names: in Python code (read with `ast`, never imported or
run), config files, command lines, Ollama Modelfiles, and weights files in the tree.

Every reference carries its location in the application (path relative to the root, 1-based
line, the line's text). A model id built at run time is not guessed: it becomes a `Dynamic`
entry with its location and why it cannot be resolved. What counts as a reference (calls, config
keys, command patterns) is data: `knowledge/model_references.yaml`.
"""

from __future__ import annotations

import ast
import json
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


def _hub_ref(ident: str) -> tuple[str, str]:
    return "hub:" + ident.lower(), ident


def _quote(line: str) -> str:
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
    from osaid.sources.local import decode

    root = Path(root)
    base = str(root)
    files, result = walk(root, only)
    roots = knowledge().call_roots
    tree = _TreeIndex(root)
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
            _python(text, rel, result, tree)
            continue
        if kind in ("yaml", "json", "toml") and not _config_hint().search(text):
            continue  # no key or command that could name a model: nothing to parse
        result.files_read += 1
        if kind == "modelfile":
            _modelfile(text, rel, result, tree)
        elif kind == "env":
            _env(text, rel, result)
        elif kind == "command":
            _commands(text, rel, result, 0)
        elif kind == "yaml":
            _yaml(text, rel, result)
        elif kind == "json":
            _json(text, rel, result)
        elif kind == "toml":
            _toml(text, rel, result)
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


class _TreeIndex:
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


def _path_ref(value: str, rel: str, line: int, text: str, library: str, tree: _TreeIndex, col=None):
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


def _looks_like_path(value: str) -> bool:
    v = value.strip()
    return (
        v.startswith(("/", "./", "../", "~"))
        or v.count("/") >= 2
        or ("/" in v and v.lower().endswith(knowledge().file_suffixes))
    )


# --- Python --------------------------------------------------------------------------------------


class _Unresolved(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason


def _python(text: str, rel: str, result: ScanResult, tree: _TreeIndex) -> None:
    try:
        module = ast.parse(text, filename=rel)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        result.skipped.append((rel, "Python that does not parse"))
        return
    lines = text.splitlines()
    k = knowledge()
    imports: dict[str, str] = {}
    constants: dict[str, list[str | None]] = {}
    nodes = list(ast.walk(module))
    for node in nodes:
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.asname:
                    imports[a.asname] = a.name
                else:
                    top = a.name.split(".")[0]
                    imports[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for a in node.names:
                imports[a.asname or a.name] = f"{node.module}.{a.name}"
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                if isinstance(t, ast.Name):
                    v = node.value
                    literal = (
                        v.value
                        if isinstance(v, ast.Constant) and isinstance(v.value, str)
                        else None
                    )
                    constants.setdefault(t.id, []).append(literal)
    if not any(q.split(".")[0] in k.call_roots for q in imports.values()):
        return
    instances: dict[str, str] = {}
    bound: dict[str, str] = {}  # variable -> key of the model a call bound to it
    assigned: dict[int, list[str]] = {}  # id(call) -> the names its result is assigned to
    for node in nodes:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            assigned[id(node.value)] = names
            q = _qualify(node.value.func, imports, instances)
            if q in k.instances:
                for name in names:
                    instances[name] = q
    calls = sorted(
        (n for n in nodes if isinstance(n, ast.Call)), key=lambda n: (n.lineno, n.col_offset)
    )
    by_call: dict[int, Reference] = {}
    pending_base: list[tuple[ast.Call, dict, Reference]] = []
    for call in calls:
        q = _qualify(call.func, imports, instances)
        if not q or q.split(".")[0] not in k.call_roots:
            continue
        spec = next((s for pat, s in k.calls if pat.match(q)), None)
        if spec is None:
            continue
        line = call.lineno
        quote = _quote(lines[line - 1]) if 0 < line <= len(lines) else ""
        arg = _argument(call, spec["args"])
        library = spec["library"]
        if arg is None:
            if spec["call"] == "transformers.pipeline":
                result.dynamic.append(
                    Dynamic(
                        rel,
                        line,
                        quote,
                        library,
                        "no model named: the library picks its "
                        "default model for the task, which can change between versions",
                    )
                )
            continue
        if spec.get("only_models"):
            repo_type = _keyword(call, "repo_type")
            if repo_type is not None and not (
                isinstance(repo_type, ast.Constant) and repo_type.value in (None, "model")
            ):
                continue
        try:
            value, note = _literal(arg, constants, k)
        except _Unresolved as exc:
            result.dynamic.append(Dynamic(rel, line, quote, library, exc.reason))
            continue
        col = call.col_offset + 1
        if isinstance(arg, ast.Constant) and 0 < arg.lineno <= len(lines):
            line, col = arg.lineno, arg.col_offset + 1  # where the id itself is written
            quote = _quote(lines[line - 1])
        revision = _keyword(call, "revision")
        rev = (
            revision.value
            if isinstance(revision, ast.Constant) and isinstance(revision.value, str)
            else None
        )
        in_tree = tree.find(value, os.path.dirname(rel)) is not None
        if spec.get("paths_only") or in_tree or _looks_like_path(value):
            ref = _path_ref(value, rel, line, quote, library, tree, col)
        else:
            ident = hub_id(value, bare=bool(spec.get("bare")), bare_org=spec.get("bare_org"))
            if ident is None:
                continue  # not a hub id, not a path: a hosted API's model name, say
            key, ident = _hub_ref(ident)
            ref = Reference(
                key, ident, "hub", rel, line, quote, library, col, revision=rev, note=note
            )
        if note and ref.note is None:
            ref = _replace(ref, note=note)
        by_call[id(call)] = ref
        if "base" in spec:
            pending_base.append((call, spec, ref))
        result.references.append(ref)
        for name in assigned.get(id(call), ()):  # `m = AutoModel.from_pretrained(...)`
            bound[name] = ref.key
    for call, spec, ref in pending_base:
        base = _argument(call, spec["base"])
        key = None
        if isinstance(base, ast.Call) and id(base) in by_call:
            key = by_call[id(base)].key
        elif isinstance(base, ast.Name):
            key = bound.get(base.id)
        if key:
            i = result.references.index(ref)
            result.references[i] = _replace(ref, base=key)


def _replace(ref: Reference, **kw) -> Reference:
    import dataclasses

    return dataclasses.replace(ref, **kw)


def _qualify(func: ast.expr, imports: dict[str, str], instances: dict[str, str]) -> str | None:
    parts: list[str] = []
    node = func
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    root = imports.get(node.id) or instances.get(node.id)
    if root is None:
        return None
    return ".".join([root, *reversed(parts)])


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((kw.value for kw in call.keywords if kw.arg == name), None)


def _argument(call: ast.Call, where: list) -> ast.expr | None:
    for w in where:
        if isinstance(w, int):
            if w < len(call.args) and not isinstance(call.args[w], ast.Starred):
                return call.args[w]
        else:
            v = _keyword(call, w)
            if v is not None:
                return v
    return None


def _literal(
    node: ast.expr, constants: dict[str, list[str | None]], k: _Knowledge
) -> tuple[str, str | None]:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, str):
            return node.value, None
        raise _Unresolved("not a string")
    if isinstance(node, ast.Name):
        values = constants.get(node.id)
        if values and len(set(values)) == 1 and values[0] is not None:
            return values[0], f"the value of {node.id}"
        raise _Unresolved(f"the id is the variable {node.id}, set at run time")
    if isinstance(node, ast.Call):
        dotted = _dotted(node.func)
        if dotted in k.env_reads:
            var = node.args[0] if node.args else None
            name = var.value if isinstance(var, ast.Constant) else "?"
            default = node.args[1] if len(node.args) > 1 else _keyword_any(node, ("default",))
            if isinstance(default, ast.Constant) and isinstance(default.value, str):
                return default.value, f"the default of the environment variable {name}"
            raise _Unresolved(f"read from the environment variable {name} at run time")
        raise _Unresolved("the id is computed by a call at run time")
    if isinstance(node, ast.Subscript) and _dotted(node.value) == "os.environ":
        return_name = node.slice.value if isinstance(node.slice, ast.Constant) else "?"
        raise _Unresolved(f"read from the environment variable {return_name} at run time")
    if isinstance(node, ast.JoinedStr):
        raise _Unresolved("the id is an f-string built at run time")
    if isinstance(node, ast.BinOp):
        raise _Unresolved("the id is joined from parts at run time")
    raise _Unresolved("the id is an expression evaluated at run time")


def _keyword_any(call: ast.Call, names: tuple[str, ...]) -> ast.expr | None:
    return next((kw.value for kw in call.keywords if kw.arg in names), None)


def _dotted(node: ast.expr) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id, *reversed(parts)])
    return None


# --- configs -------------------------------------------------------------------------------------


def _key_wanted(key: str) -> bool:
    k = knowledge()
    norm = key.strip().lower().replace("-", "_")
    return norm in k.config_keys or norm.endswith(k.key_suffixes)


def _config_ref(value: str, rel: str, line: int, text: str, library: str) -> Reference | None:
    found = config_hub_id(value)
    if found is None:
        return None
    ident, tag = found
    key, ident = _hub_ref(ident)
    return Reference(
        key, ident, "hub", rel, line, text, library, note=f"tag {tag}" if tag else None
    )


_SUBSTITUTION = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")


def _substituted(value: str, rel: str, line: int, quote: str, result: ScanResult) -> bool:
    """A model key whose value is filled in from the environment when deployed (`${VAR}`)."""
    m = _SUBSTITUTION.search(value)
    if m is None:
        return False
    result.dynamic.append(
        Dynamic(
            rel,
            line,
            quote,
            "config",
            f"set from the environment variable {m.group(1)} when deployed",
        )
    )
    return True


def _env(text: str, rel: str, result: ScanResult) -> None:
    pat = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$")
    for i, raw in enumerate(text.splitlines(), 1):
        m = pat.match(raw)
        if not m or not _key_wanted(m.group(1)):
            continue
        value = m.group(2).strip()
        if value[:1] in ("'", '"'):
            value = value[1:].split(value[0], 1)[0]
        else:
            value = value.split(" #", 1)[0].strip()
        ref = _config_ref(value, rel, i, _quote(raw), "config")
        if ref:
            result.references.append(ref)
        else:
            _substituted(value, rel, i, _quote(raw), result)


def _commands(
    text: str, rel: str, result: ScanResult, line_offset: int, quote: str | None = None
) -> None:
    """Command lines that serve a model. `quote` is the file's line when `text` is a value read
    from a structured file (its own lines are not the file's)."""
    k = knowledge()
    seen: set[tuple[str, int]] = set()
    for pat, spec in k.commands:
        for m in pat.finditer(text):
            value = m.group(1)
            line = 1 if quote is not None else text.count("\n", 0, m.start(1)) + 1
            if (value, line) in seen:
                continue
            seen.add((value, line))
            if quote is None:
                q = _quote(text.splitlines()[line - 1])
            else:
                q = quote
            if spec.get("kind") == "ollama":
                name = value.strip()
                if k.ollama.match(name):
                    result.references.append(
                        Reference(
                            "ollama:" + name.lower(),
                            name,
                            "ollama",
                            rel,
                            line + line_offset,
                            q,
                            spec["library"],
                        )
                    )
                continue
            ref = _config_ref(value, rel, line + line_offset, q, spec["library"])
            if ref:
                result.references.append(ref)


def _walk_data(data: object, path: str = ""):
    """(dotted path, key, value, text to locate it by) of every string in nested data; a list of
    strings is also yielded joined (key `None`, path of its first item): an argv such as
    `command: ["vllm", "serve", "org/name"]`."""
    if isinstance(data, dict):
        for key, value in data.items():
            p = f"{path}.{key}" if path else str(key)
            if isinstance(value, str):
                yield p, str(key), value, value
            else:
                yield from _walk_data(value, p)
    elif isinstance(data, list):
        if len(data) > 1 and all(isinstance(v, str) for v in data):
            yield f"{path}[0]", None, " ".join(data), data[0]
        for i, value in enumerate(data):
            p = f"{path}[{i}]"
            if isinstance(value, str):
                yield p, None, value, value
            else:
                yield from _walk_data(value, p)


_COMMAND_HINTS = ("serve", "--model", "ollama")


def _structured(data: object, rel: str, result: ScanResult, lines: list[str], line_of) -> None:
    try:
        _structured_walk(data, rel, result, lines, line_of)
    except RecursionError:
        result.skipped.append((rel, "nested too deeply to read"))


def _structured_walk(data, rel: str, result: ScanResult, lines: list[str], line_of) -> None:
    for path, key, value, locate in _walk_data(data):
        line = line_of(path, key, locate)
        quote = _quote(lines[line - 1]) if 0 < line <= len(lines) else ""
        if key is not None and _key_wanted(key):
            ref = _config_ref(value, rel, line, quote, "config")
            if ref:
                result.references.append(ref)
                continue
            if _substituted(value, rel, line, quote, result):
                continue
        if any(h in value for h in _COMMAND_HINTS):
            _commands(value, rel, result, line - 1, quote)


def _yaml(text: str, rel: str, result: ScanResult) -> None:
    from osaid.evidence.safe_yaml import UnsafeYaml, parse

    try:
        parsed = parse(text, max_depth=64)
    except UnsafeYaml as exc:
        result.skipped.append((rel, f"YAML that cannot be read safely: {exc.reason}"))
        return
    lines = text.splitlines()

    def line_of(path, key, value):
        return parsed.lines.get(path, 0) + 1

    _structured(parsed.data, rel, result, lines, line_of)


def _search_line(lines: list[str]):
    def line_of(path, key, value):
        needle = json.dumps(value)[1:-1] if value else ""
        for i, ln in enumerate(lines, 1):
            if needle and needle in ln and (key is None or key in ln):
                return i
        for i, ln in enumerate(lines, 1):
            if needle and needle in ln:
                return i
        return 1

    return line_of


def _json(text: str, rel: str, result: ScanResult) -> None:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        result.skipped.append((rel, "JSON that does not parse"))
        return
    lines = text.splitlines()
    _structured(data, rel, result, lines, _search_line(lines))


def _toml(text: str, rel: str, result: ScanResult) -> None:
    import tomllib

    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError):
        result.skipped.append((rel, "TOML that does not parse"))
        return
    for dotted in knowledge().skip_tables:  # osaid's own policy names models it does not use
        *parents, last = dotted.split(".")
        table = data
        for part in parents:
            table = table.get(part) if isinstance(table, dict) else None
        if isinstance(table, dict):
            table.pop(last, None)
    lines = text.splitlines()
    _structured(data, rel, result, lines, _search_line(lines))


# --- Ollama Modelfile ----------------------------------------------------------------------------


def _modelfile(text: str, rel: str, result: ScanResult, tree: _TreeIndex) -> None:
    k = knowledge()
    for i, raw in enumerate(text.splitlines(), 1):
        parts = raw.strip().split(None, 1)
        if len(parts) != 2 or parts[0].upper() != "FROM":
            continue
        value = parts[1].strip().strip('"')
        quote = _quote(raw)
        low = value.lower()
        if low.startswith(("hf.co/", "huggingface.co/")):
            ref = _config_ref(value, rel, i, quote, "ollama")
            if ref:
                result.references.append(ref)
            continue
        if _looks_like_path(value) or low.endswith(k.file_suffixes):
            result.references.append(_path_ref(value, rel, i, quote, "ollama", tree))
            continue
        found = tree.find(value, os.path.dirname(rel))
        if found:
            result.references.append(_path_ref(value, rel, i, quote, "ollama", tree))
            continue
        if k.ollama.match(value):
            result.references.append(
                Reference(
                    "ollama:" + low,
                    value,
                    "ollama",
                    rel,
                    i,
                    quote,
                    "ollama",
                    note="a name in Ollama's library, not a hub id",
                )
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
