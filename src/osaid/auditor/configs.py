"""Model references in configs (YAML, JSON, TOML, `.env`), command lines and Ollama Modelfiles.

A config value counts under a model key (`knowledge().config_keys`) when it is a hub id (also behind
a router's prefix); a model key filled in from the environment (`${VAR}`) is a `Dynamic` entry;
command lines (`vllm serve ID`, `--model ID`, `ollama pull NAME`) are matched in shell files and in
every string or argv list of a structured file. YAML is read with `evidence.safe_yaml` (aliases
refused, depth bounded).
"""

from __future__ import annotations

import json
import os
import re

from osaid.auditor.find import (
    Dynamic,
    Reference,
    ScanResult,
    TreeIndex,
    config_hub_id,
    hub_ref,
    knowledge,
    looks_like_path,
    path_ref,
    quote_line,
)


def _key_wanted(key: str) -> bool:
    k = knowledge()
    norm = key.strip().lower().replace("-", "_")
    return norm in k.config_keys or norm.endswith(k.key_suffixes)


def _config_ref(value: str, rel: str, line: int, text: str, library: str) -> Reference | None:
    found = config_hub_id(value)
    if found is None:
        return None
    ident, tag = found
    key, ident = hub_ref(ident)
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


def env(text: str, rel: str, result: ScanResult) -> None:
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
        ref = _config_ref(value, rel, i, quote_line(raw), "config")
        if ref:
            result.references.append(ref)
        else:
            _substituted(value, rel, i, quote_line(raw), result)


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
                q = quote_line(text.splitlines()[line - 1])
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
        quote = quote_line(lines[line - 1]) if 0 < line <= len(lines) else ""
        if key is not None and _key_wanted(key):
            ref = _config_ref(value, rel, line, quote, "config")
            if ref:
                result.references.append(ref)
                continue
            if _substituted(value, rel, line, quote, result):
                continue
        if any(h in value for h in _COMMAND_HINTS):
            _commands(value, rel, result, line - 1, quote)


def yaml_file(text: str, rel: str, result: ScanResult) -> None:
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


def json_file(text: str, rel: str, result: ScanResult) -> None:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        result.skipped.append((rel, "JSON that does not parse"))
        return
    lines = text.splitlines()
    _structured(data, rel, result, lines, _search_line(lines))


def toml_file(text: str, rel: str, result: ScanResult) -> None:
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


def modelfile(text: str, rel: str, result: ScanResult, tree: TreeIndex) -> None:
    k = knowledge()
    for i, raw in enumerate(text.splitlines(), 1):
        parts = raw.strip().split(None, 1)
        if len(parts) != 2 or parts[0].upper() != "FROM":
            continue
        value = parts[1].strip().strip('"')
        quote = quote_line(raw)
        low = value.lower()
        if low.startswith(("hf.co/", "huggingface.co/")):
            ref = _config_ref(value, rel, i, quote, "ollama")
            if ref:
                result.references.append(ref)
            continue
        if looks_like_path(value) or low.endswith(k.file_suffixes):
            result.references.append(path_ref(value, rel, i, quote, "ollama", tree))
            continue
        found = tree.find(value, os.path.dirname(rel))
        if found:
            result.references.append(path_ref(value, rel, i, quote, "ollama", tree))
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


def shell(text: str, rel: str, result: ScanResult) -> None:
    """Command lines in a shell script, Dockerfile, Procfile or Makefile."""
    _commands(text, rel, result, 0)
