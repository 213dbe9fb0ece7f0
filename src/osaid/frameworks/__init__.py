"""Frameworks: pure functions from `Facts` to an assessment. They never read files.

OSAID (`frameworks.osaid`) decides the verdict. The others read the same facts and add a block to
the report: each module exposes `assess(facts) -> {"block": <its JSON block>, "summary": <one
line>}`, and is listed here under its command-line name with the key of its block in the JSON
report. Modules are imported only when selected.
"""

from __future__ import annotations

import importlib

from osaid.errors import UsageError

PRIMARY = "osaid"
"""Always assessed: its verdict is the exit code."""

# command-line name -> (module, key of its block in the JSON report)
REGISTRY: dict[str, tuple[str, str]] = {
    "mof": ("osaid.frameworks.mof", "mof"),
    "osai-index": ("osaid.frameworks.osai_index", "osai_index"),
    "eu-ai-act": ("osaid.frameworks.eu_ai_act", "eu_ai_act"),
}
NAMES: tuple[str, ...] = (PRIMARY, *REGISTRY)


def select(spec: str | None) -> list[str]:
    """The frameworks named in a comma-separated list (None or empty: all of them), in the
    registry's order. Unknown names are a usage error that lists the known ones."""
    if spec is None or not spec.strip():
        return list(NAMES)
    wanted = [s.strip().lower() for s in spec.split(",") if s.strip()]
    unknown = [w for w in wanted if w not in NAMES]
    if unknown:
        raise UsageError(
            f"unknown framework(s) {', '.join(map(repr, unknown))}; known: {', '.join(NAMES)}"
        )
    return [n for n in NAMES if n in wanted]


def run(names: list[str], facts) -> dict[str, object]:
    """Run the selected secondary frameworks over `facts`. Returns what goes in
    `Assessment.extra`: each block under its JSON key, and `summaries` (name -> one line)."""
    extra: dict[str, object] = {}
    summaries: dict[str, str] = {}
    for name in names:
        if name not in REGISTRY:
            continue
        module, key = REGISTRY[name]
        result = importlib.import_module(module).assess(facts)
        extra[key] = result["block"]
        summaries[name] = result["summary"]
    if summaries:
        extra["summaries"] = summaries
    return extra
