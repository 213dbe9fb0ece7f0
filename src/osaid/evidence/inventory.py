"""The file inventory: which files are weights (and in what format), code (and for what), documents.

Rules live in knowledge/file_roles.yaml; this module applies them. It reads only what the source
already read (file heads and text documents).
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from functools import cache

from osaid import regex
from osaid.evidence.needs import checks_of, compile_with_needs, holds
from osaid.knowledge import load_yaml
from osaid.model import Evidence, Problem, Release

_Marker = tuple
"""(compiled pattern, checks): each check a lower-cased string every match holds, or a tuple of
strings every match holds one of."""


def _marker(pattern: str) -> _Marker:
    rx, needs = compile_with_needs("marker:" + pattern, pattern)
    return rx, checks_of(needs)


def _any_of(patterns: list[str]) -> re.Pattern | None:
    """One regex matching wherever one of `patterns` does (a prefilter before trying each in
    order); None when they cannot be joined."""
    try:
        return regex.compile("|".join(f"(?:{p})" for p in patterns))
    except re.error:  # pragma: no cover - e.g. a pattern with global inline flags
        return None


@dataclass(frozen=True)
class _Rules:
    text_names: re.Pattern
    text_ext: frozenset[str]
    small_json: int
    weight_ext: frozenset[str]
    not_weights: re.Pattern
    formats: tuple[dict, ...]
    intermediate: re.Pattern
    paths: tuple[tuple[str, re.Pattern, str, re.Pattern | None], ...]
    code_ext: frozenset[str]
    code_names: tuple[tuple[str, re.Pattern], ...]
    code_contents: tuple[tuple[str, int, tuple[_Marker, ...]], ...]
    min_code_lines: int
    excluded: tuple[tuple[re.Pattern, str], ...]
    excluded_any: re.Pattern | None
    """One search telling whether any `excluded` pattern can match (most paths: none)."""
    code_names_any: re.Pattern | None
    license_scopes: tuple[tuple[str, re.Pattern], ...]
    read_order: tuple[tuple[int, re.Pattern], ...]
    read_order_any: re.Pattern | None


@cache
def rules() -> _Rules:
    data = load_yaml("file_roles.yaml")
    w = data["weights"]
    return _Rules(
        text_names=regex.compile(data["text"]["names"]),
        text_ext=frozenset(data["text"]["extensions"]),
        small_json=int(data["text"]["small_json"]),
        weight_ext=frozenset(w["extensions"]),
        not_weights=regex.compile(w["not_weights"]),
        formats=tuple(w["formats"]),
        intermediate=regex.compile(data["intermediate"]),
        paths=tuple(
            (
                p["component"],
                regex.compile(p["pattern"]),
                p["role"],
                regex.compile(p["content"], re.MULTILINE) if p.get("content") else None,
            )
            for p in data["paths"]
        ),
        code_ext=frozenset(data["code"]["extensions"]),
        code_names=tuple(
            (c["component"], regex.compile(c["pattern"])) for c in data["code"]["names"]
        ),
        code_contents=tuple(
            (c["component"], int(c["min"]), tuple(map(_marker, c["markers"])))
            for c in data["code"]["contents"]
        ),
        min_code_lines=int(data["code"]["min_code_lines"]),
        excluded=tuple((regex.compile(e["pattern"]), e["reason"]) for e in data["excluded"]),
        excluded_any=_any_of([e["pattern"] for e in data["excluded"]]),
        code_names_any=_any_of([c["pattern"] for c in data["code"]["names"]]),
        license_scopes=tuple(
            (e["scope"], regex.compile(e["pattern"], re.IGNORECASE)) for e in data["license_scopes"]
        ),
        read_order=tuple((int(e["rank"]), regex.compile(e["pattern"])) for e in data["read_order"]),
        read_order_any=_any_of([e["pattern"] for e in data["read_order"]]),
    )


def _ext(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def wants_text(path: str, size: int) -> str | None:
    """What a source should read of a file: `text` (whole, bounded), `head` (a few bytes) or None."""
    r = rules()
    low = path.lower()
    ext = _ext(low)
    if ext in r.weight_ext and not r.not_weights.search(low):
        return "head"
    if ext in r.text_ext or r.text_names.search(low):
        return "text"
    if ext == "json" and size <= r.small_json:
        return "text"
    return None


def is_weights(path: str) -> bool:
    r = rules()
    low = path.lower()
    return _ext(low) in r.weight_ext and not r.not_weights.search(low)


def is_code(path: str) -> bool:
    return _ext(path) in rules().code_ext


@dataclass(frozen=True)
class WeightFile:
    path: str
    size: int
    format: str | None
    """Format recognised from the file head (None: not recognisable or not read)."""
    pickle: bool
    intermediate: bool


def sniff_format(path: str, head: bytes) -> tuple[str | None, bool]:
    """Recognise a weights format from its first bytes. Returns (format, executes-when-loaded)."""
    ext = _ext(path)
    candidates = [f for f in rules().formats if ext in f["extensions"]]
    for f in candidates:
        magic = f.get("magic")
        if magic and head.startswith(magic.encode("latin-1")):
            return f["format"], bool(f["pickle"])
    if ext == "safetensors" and len(head) >= 10:
        (n,) = struct.unpack("<Q", head[:8])
        if 0 < n < (1 << 31) and head[8:9] == b"{":
            return "safetensors", False
    if ext == "tflite" and head[4:8] == b"TFL3":
        return "tflite", False
    for f in candidates:  # formats with no magic: trust the extension, say so
        if not f.get("magic") and f["format"] not in ("safetensors", "tflite"):
            return f["format"], bool(f["pickle"])
    return None, False


def weight_files(release: Release) -> list[WeightFile]:
    r = rules()
    out = []
    for f in release.files:
        if not is_weights(f.path):
            continue
        fmt, pickled = sniff_format(f.path, f.head) if f.head else (None, False)
        out.append(
            WeightFile(f.path, f.size, fmt, pickled, bool(r.intermediate.search(f.path.lower())))
        )
    return out


def weight_problems(weights: list[WeightFile], release: Release) -> list[Problem]:
    problems = []
    for w in weights:
        if w.size == 0:
            problems.append(
                Problem(
                    "empty-weights",
                    "Weights file is empty.",
                    (Evidence(path=w.path, basis="content", note="0 bytes"),),
                )
            )
        elif w.format is None and release.source == "local":
            problems.append(
                Problem(
                    "unrecognised-weights",
                    "File has a weights extension but its "
                    "first bytes match no known format for it.",
                    (Evidence(path=w.path, basis="content", note=_hex(w.path, release)),),
                )
            )
        elif w.pickle:
            problems.append(
                Problem(
                    "pickle-weights",
                    f"Weights in a pickle-based format "
                    f"({w.format}): loading them can run arbitrary code. osaid never "
                    "loads them; prefer safetensors.",
                    (Evidence(path=w.path),),
                )
            )
    return problems


def _hex(path: str, release: Release) -> str:
    for f in release.files:
        if f.path == path:
            return "first bytes: " + f.head[:16].hex(" ")
    return ""


def path_component(path: str, text: str | None = None) -> tuple[str, str, str] | None:
    """The component a non-code, non-weights file evidences by its path: (component, role,
    basis). The basis is `content` when the rule names what the text must hold and the text
    (as read) holds it, else `name`."""
    low = path.lower()
    for component, pattern, role, content in rules().paths:
        if pattern.search(low):
            basis = "content" if content is not None and text and content.search(text) else "name"
            return component, role, basis
    return None


def read_rank(path: str) -> int:
    """When a text file is read if the budget cannot hold every file: cards, then terms, then
    data documents, other documents, configs, and code last (knowledge/file_roles.yaml)."""
    low = path.lower()
    r = rules()
    if r.read_order_any is not None and not r.read_order_any.search(low):
        return len(r.read_order)  # code and the like: read last
    for rank, pattern in r.read_order:
        if pattern.search(low):
            return rank
    return len(r.read_order)


def license_scope(path: str) -> str | None:
    """What a license file covers by its name (`code`, `data`, `document`, `parameters`), or
    None when its name says nothing (LICENSE, COPYING ...)."""
    name = path.rsplit("/", 1)[-1]
    for scope, pattern in rules().license_scopes:
        if pattern.search(name):
            return scope
    return None


def excluded(path: str) -> str | None:
    """Why a file is never evidence of a component (CI, tests, vendored trees ...), or None."""
    low = path.lower()
    r = rules()
    if r.excluded_any is not None and not r.excluded_any.search(low):
        return None
    for pattern, reason in r.excluded:
        if pattern.search(low):
            return reason
    return None


_COMMENT = regex.compile(r"^\s*(#|//|/\*|\*|--|%|;|\"\"\"|\'\'\'|$)")
_IMPORT = regex.compile(r"^\s*(import |from \S+ import |#include|use |require\(|using )")


def code_view(text: str) -> tuple[str, int]:
    """The text with comment and docstring lines blanked (line numbers kept), and how many lines
    of real code it holds (not blank, comment, docstring or import lines). Notebook source
    strings (JSON lines such as `"x = 1\\n",`) are read as the code they hold."""
    out, count, doc = [], 0, None  # doc: the delimiter of the docstring we are in
    # what a text lacks, no line of it needs checking for (most code has no notebook lines)
    notebook = "\\n" in text
    docstrings = notebook or '"""' in text or "'''" in text
    comment, imports, append = _COMMENT.match, _IMPORT.match, out.append
    for raw in text.splitlines():
        line = raw.strip()
        if notebook and line.startswith('"') and line.endswith((",", '"')) and "\\n" in line:
            line = line.strip('",').replace("\\n", "").strip()  # a notebook source line
        if docstrings:
            if doc is not None:
                if doc in line:
                    doc = None
                append("")
                continue
            bare = line.lstrip("rbuRBU")
            opener = '"""' if bare.startswith('"""') else "'''" if bare.startswith("'''") else None
            if opener is not None:
                if opener not in bare[3:]:
                    doc = opener
                append("")
                continue
        if comment(line):
            append("")
            continue
        append(raw)
        if not imports(line):
            count += 1
    return "\n".join(out), count


@dataclass(frozen=True)
class CodeHit:
    """What a code file shows about the component it evidences."""

    component: str
    basis: str
    """`content` (real code holding the component's markers) or `name` (its path only)."""
    line: int | None
    """Line of the first marker found (content), else None."""
    quote: str | None
    """That line, whitespace folded (content), else None."""
    note: str
    """What was seen, in words (shown as a note, never as a quote)."""


def _markers(text: str, markers: tuple[_Marker, ...], low: str | None = None) -> list[re.Match]:
    """The first match of each marker in `text`. With `low` (the text lower-cased), a marker whose
    required strings `low` lacks is not searched at all."""
    hits = []
    for marker, checks in markers:
        if low is not None and checks and not holds(checks, low):
            continue
        m = marker.search(text)
        if m:
            hits.append(m)
    return hits


def _content_hit(
    component: str, view: str, text: str, hits: list[re.Match], lines: int, why: str
) -> CodeHit:
    """A content hit: positions are in `view` (same lines as `text`); the quote is `text`'s line."""
    first = min(hits, key=lambda m: m.start())
    line = view.count("\n", 0, first.start()) + 1
    quote = " ".join(text.splitlines()[line - 1].split())
    shown = ", ".join(dict.fromkeys(m.group(0) for m in hits))
    return CodeHit(
        component, "content", line, quote[:200], f"{why}{lines} lines of code holding {shown}"
    )


def code_component(path: str, text: str | None) -> CodeHit | None:
    """The component a code file evidences, and how it is known: a file named for a component is
    content evidence when it is real code holding one of that component's markers; a file whose
    name says nothing is placed by its markers. Callers leave out `excluded` files first (tests,
    CI and vendored files evidence nothing), as `extract` does while it counts them."""
    r = rules()
    low_path = path.lower()
    named = (
        next(((c, m) for c, pattern in r.code_names if (m := pattern.search(low_path))), None)
        if r.code_names_any is None or r.code_names_any.search(low_path)
        else None
    )
    if named is None and not text:
        return None
    if named is None:
        low = text.lower()
        if not any(
            len(_markers(text, markers, low)) >= minimum for _, minimum, markers in r.code_contents
        ):
            return None  # not even the raw text (comments included) holds enough markers
    view, lines = code_view(text) if text else ("", 0)
    real = lines >= r.min_code_lines
    if named is not None:
        component, m = named
        if text is not None and not real:
            return None  # empty or trivial: evidence of nothing, whatever its name
        why = f"named {m.group(0).strip('/')}; "
        markers = next((mk for c, _, mk in r.code_contents if c == component), ())
        hits = _markers(view, markers, text.lower()) if real and text else []
        if hits:
            return _content_hit(component, view, text, hits, lines, why)
        seen = "not read" if text is None else f"{lines} lines of code"
        return CodeHit(
            component,
            "name",
            None,
            None,
            f"{why}{seen}, no sign of {component.replace('-', ' ')} in it",
        )
    if not real:
        return None
    for component, minimum, markers in r.code_contents:
        hits = _markers(view, markers, low)  # the view's lines are the text's, or blank
        if len(hits) >= minimum:
            return _content_hit(component, view, text, hits, lines, "")
    return None
