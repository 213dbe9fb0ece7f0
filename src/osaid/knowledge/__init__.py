"""osaid's knowledge: data files with a source for every entry, and the code that reads them.

Everything domain-specific that could change (license terms, aliases, component catalogs, clause
kinds) lives in the YAML/TSV files beside this module. Loaders are cached: each file is parsed once
per process, and its parsed form is kept as JSON in the user's cache, keyed by the file's content
hash, because building YAML objects costs more than a whole `osaid check` can spare. Values are
plain JSON either way (dates become ISO strings), so a cached and a fresh parse are the same.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import json
import os
from functools import cache
from pathlib import Path

_HERE = Path(__file__).resolve().parent


def _text(name: str) -> str:
    # The data files ship inside the package (a plain folder in every install osaid supports);
    # importlib.resources would cost more to import than the files cost to read.
    return (_HERE / name).read_text(encoding="utf-8")


def cache_dir() -> Path:
    """osaid's cache folder (`OSAID_CACHE_DIR`, else the XDG cache home): what is expensive to
    rebuild, never needed for a correct result."""
    root = os.environ.get("OSAID_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "osaid"
    )
    return Path(root)


def _cache_dir() -> Path:
    return cache_dir() / "knowledge"


def _plain(value: object) -> object:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


@cache
def load_yaml(name: str) -> dict:
    """Parse one of the packaged knowledge files (trusted data, shipped with osaid)."""
    text = _text(name)
    key = hashlib.sha256(text.encode()).hexdigest()[:24]
    cached = _cache_dir() / f"{name}.{key}.json"
    try:
        return json.loads(cached.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    import yaml

    try:  # the C loader is ten times faster; fall back where libyaml is absent
        from yaml import CSafeLoader as Loader
    except ImportError:  # pragma: no cover
        from yaml import SafeLoader as Loader  # type: ignore[assignment]
    data = _plain(yaml.load(text, Loader=Loader))
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, cached)
    except OSError:
        pass  # a cache that cannot be written only costs the next run a parse
    return data


@cache
def load_tsv(name: str) -> tuple[dict[str, str], ...]:
    lines = [ln for ln in _text(name).splitlines() if ln and not ln.startswith("#")]
    return tuple(csv.DictReader(lines, delimiter="\t"))


def restriction_kinds() -> dict[str, dict]:
    return load_yaml("restriction_kinds.yaml")["kinds"]


def components() -> list[dict]:
    return load_yaml("components.yaml")["components"]
