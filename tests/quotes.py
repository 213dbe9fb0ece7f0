"""Every quote osaid prints with a path is the file's own words at the cited line.

`bad_quotes(report, root)` walks a JSON report and returns what does not hold: a quote with a path
and a line must be found (whitespace folded, a trailing `…` marking where it was shortened) in
that file starting at that line (a sentence may run on over the following lines); a quote with a
path and no line must be somewhere in the file. Catalog knowledge is never a quote (`basis:
catalog` evidence quotes the cited line of the release, its catalog text is in `note`).
conftest runs it on every `osaid check --format json` of a local folder the tests make.
"""

from __future__ import annotations

from pathlib import Path

_FOLLOWING_LINES = 12


def _fold(text: str) -> str:
    return " ".join(text.split())


def _evidence(value, where: str = ""):
    if isinstance(value, dict):
        if {"path", "line", "quote"} <= value.keys() and ("field" in value or "kind" in value):
            yield where, value
        for k, v in value.items():
            yield from _evidence(v, f"{where}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _evidence(v, f"{where}[{i}]")


def bad_quotes(report: dict, root: Path) -> list[str]:
    problems = []
    for where, ev in _evidence(report):
        quote, path, line = ev.get("quote"), ev.get("path"), ev.get("line")
        if not quote or not path:
            continue
        if ev.get("url") and "://" in str(path):
            continue
        file = root / path
        if not file.is_file() or file.is_symlink():
            continue  # a path that is not a readable file of the release (a reported link, ...)
        # as osaid decodes it: undecodable bytes and NULs read as U+FFFD
        text = file.read_text(encoding="utf-8", errors="replace").replace("\x00", "\ufffd")
        want = _fold(quote.strip("…"))
        if isinstance(line, int):
            lines = text.splitlines()
            if not 0 < line <= len(lines):
                problems.append(f"{where}: {path}:{line} is past the end ({len(lines)} lines)")
                continue
            first = _fold(lines[line - 1])
            window = _fold(" ".join(lines[line - 1 : line - 1 + _FOLLOWING_LINES]))
            if ev.get("field"):  # a card field's value follows its key (a YAML block or list)
                parts = [_fold(p) for p in quote.strip("…").split(", ")]
                if all(p in window for p in parts if p):
                    continue
            at = window.find(want)
            if at == -1 or at > len(first):
                problems.append(
                    f"{where}: {path}:{line} does not say {quote!r} (it says {first!r})"
                )
        elif want not in _fold(text):
            problems.append(f"{where}: {path} does not contain {quote!r}")
    return problems
