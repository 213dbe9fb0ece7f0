"""osaid's knowledge: data files with a source for every entry, and the code that reads them.

Everything domain-specific that could change (license terms, aliases, component catalogs, clause
kinds) lives in the YAML/TSV files beside this module. Loaders are cached: each file is parsed once
per process.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

import yaml

try:  # the C loader is ten times faster; fall back where libyaml is absent
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


def _text(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


@cache
def load_yaml(name: str) -> dict:
    """Parse one of the packaged knowledge files (trusted data, shipped with osaid)."""
    return yaml.load(_text(name), Loader=_Loader)


@cache
def load_tsv(name: str) -> tuple[dict[str, str], ...]:
    lines = [ln for ln in _text(name).splitlines() if ln and not ln.startswith("#")]
    return tuple(csv.DictReader(lines, delimiter="\t"))


def restriction_kinds() -> dict[str, dict]:
    return load_yaml("restriction_kinds.yaml")["kinds"]


def components() -> list[dict]:
    return load_yaml("components.yaml")["components"]
