"""Model references in Python code, read with `ast` (never imported or run).

Calls are matched by their qualified name once imports are followed (`knowledge().calls`), the id
is taken from the argument the pattern names; literal ids, module constants assigned once and the
literal default of an environment read count; anything else is a `Dynamic` entry saying why.
"""

from __future__ import annotations

import ast
import dataclasses
import os

from osaid.auditor.find import (
    Dynamic,
    Reference,
    ScanResult,
    TreeIndex,
    _Knowledge,
    hub_id,
    hub_ref,
    knowledge,
    looks_like_path,
    path_ref,
    quote_line,
)


class _Unresolved(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason


def python_file(text: str, rel: str, result: ScanResult, tree: TreeIndex) -> None:
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
        quote = quote_line(lines[line - 1]) if 0 < line <= len(lines) else ""
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
            quote = quote_line(lines[line - 1])
        revision = _keyword(call, "revision")
        rev = (
            revision.value
            if isinstance(revision, ast.Constant) and isinstance(revision.value, str)
            else None
        )
        in_tree = tree.find(value, os.path.dirname(rel)) is not None
        if spec.get("paths_only") or in_tree or looks_like_path(value):
            ref = path_ref(value, rel, line, quote, library, tree, col)
        else:
            ident = hub_id(value, bare=bool(spec.get("bare")), bare_org=spec.get("bare_org"))
            if ident is None:
                continue  # not a hub id, not a path: a hosted API's model name, say
            key, ident = hub_ref(ident)
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
