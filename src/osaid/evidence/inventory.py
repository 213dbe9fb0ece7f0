"""The file inventory: which files are weights (and in what format), code (and for what), documents.

Rules live in knowledge/file_roles.yaml; this module applies them. It reads only what the source
already read (file heads and text documents).
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from functools import cache

from osaid.knowledge import load_yaml
from osaid.model import Evidence, Problem, Release


@dataclass(frozen=True)
class _Rules:
    text_names: re.Pattern
    text_ext: frozenset[str]
    small_json: int
    weight_ext: frozenset[str]
    not_weights: re.Pattern
    formats: tuple[dict, ...]
    intermediate: re.Pattern
    paths: tuple[tuple[str, re.Pattern, str], ...]
    code_ext: frozenset[str]
    code_names: tuple[tuple[str, re.Pattern], ...]
    code_contents: tuple[tuple[str, int, tuple[re.Pattern, ...]], ...]


@cache
def rules() -> _Rules:
    data = load_yaml("file_roles.yaml")
    w = data["weights"]
    return _Rules(
        text_names=re.compile(data["text"]["names"]),
        text_ext=frozenset(data["text"]["extensions"]),
        small_json=int(data["text"]["small_json"]),
        weight_ext=frozenset(w["extensions"]),
        not_weights=re.compile(w["not_weights"]),
        formats=tuple(w["formats"]),
        intermediate=re.compile(data["intermediate"]),
        paths=tuple((p["component"], re.compile(p["pattern"]), p["role"]) for p in data["paths"]),
        code_ext=frozenset(data["code"]["extensions"]),
        code_names=tuple((c["component"], re.compile(c["pattern"])) for c in data["code"]["names"]),
        code_contents=tuple(
            (c["component"], int(c["min"]), tuple(re.compile(m) for m in c["markers"]))
            for c in data["code"]["contents"]
        ),
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
                    (Evidence(path=w.path, quote="0 bytes"),),
                )
            )
        elif w.format is None and release.source == "local":
            problems.append(
                Problem(
                    "unrecognised-weights",
                    "File has a weights extension but its "
                    "first bytes match no known format for it.",
                    (Evidence(path=w.path, quote=_hex(w.path, release)),),
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


def path_component(path: str) -> tuple[str, str] | None:
    """The component a non-code, non-weights file evidences by its path, with a role label."""
    low = path.lower()
    for component, pattern, role in rules().paths:
        if pattern.search(low):
            return component, role
    return None


def code_component(path: str, text: str | None) -> tuple[str, str] | None:
    """The component a code file evidences: by name or folder first, then by what it contains."""
    r = rules()
    low = path.lower()
    for component, pattern in r.code_names:
        if pattern.search(low):
            return component, "named " + pattern.search(low).group(0).strip("/")
    if text:
        for component, minimum, markers in r.code_contents:
            hits = []
            for marker in markers:
                m = marker.search(text)
                if m:
                    hits.append(m.group(0))
                    if len(hits) >= minimum:
                        return component, "contains " + ", ".join(hits)
    return None
