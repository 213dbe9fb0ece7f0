"""What the strings a regex's matches must hold are, and keeping them between runs.

`_needs(parsed)` reads them off a parsed pattern: sets of literal strings such that any match
holds one string of each set. Checking them with `in` before a search is cheap; knowing them
before the pattern is even compiled is cheaper still, so they are kept in osaid's cache (keyed
by osaid's and Python's versions and by the pattern; written atomically at exit; ignored when
unreadable) and a later run checks them before compiling. Never a correctness
dependency: without the file, every pattern is compiled and checked as it is reached.

Used by the clause reader (`evidence/clauses.py`) and the catalog identifier
(`evidence/identify/catalog.py`); this module imports nothing heavy, so either can use it.
"""

from __future__ import annotations

_NEEDS: dict[str, list[list[str]]] | None = None
_NEEDS_NEW = False


def _needs_file():
    import hashlib
    import sys

    from osaid import __version__
    from osaid.knowledge import cache_dir

    key = hashlib.sha256(f"{__version__} {sys.version_info[:2]}".encode()).hexdigest()[:16]
    return cache_dir() / f"pattern-needs-{key}.json"


def _known_needs() -> dict[str, list[list[str]]]:
    global _NEEDS
    if _NEEDS is None:
        import json

        try:
            data = json.loads(_needs_file().read_text(encoding="utf-8"))
            ok = isinstance(data, dict) and all(
                isinstance(v, list) and all(isinstance(n, list) for n in v) for v in data.values()
            )
            _NEEDS = data if ok else {}
        except (OSError, ValueError):
            _NEEDS = {}
    return _NEEDS


def _learn_needs(pattern: str, needs: tuple[tuple[str, ...], ...]) -> None:
    global _NEEDS_NEW
    known = _known_needs()
    if pattern not in known:
        known[pattern] = [list(n) for n in needs]
        if not _NEEDS_NEW:
            import atexit

            atexit.register(_save_needs)
        _NEEDS_NEW = True


def _save_needs() -> None:
    import json
    import os

    try:
        path = _needs_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(_known_needs(), ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # an unwritable cache only costs the next run its compiling


def _needs(data) -> tuple[tuple[str, ...], ...]:
    """Sets of literal strings, each such that any match of the parsed pattern `data` contains one
    of them (the most selective few; empty when none is worth checking)."""
    from re._constants import BRANCH, LITERAL, MAX_REPEAT, MIN_REPEAT, SUBPATTERN

    def seq(items, top: bool = False):
        best: set[str] | None = None
        run: list[str] = []
        cands: list[set[str]] = []
        for op, av in list(items) + [(None, None)]:
            if op is LITERAL:
                run.append(chr(av))
                continue
            if run:
                cands.append({"".join(run)})
                run = []
            if op is BRANCH:
                alts = [seq(b) for b in av[1]]
                if all(a for a in alts):
                    cands.append(set().union(*alts))
            elif op is SUBPATTERN:
                c = seq(av[-1])
                if c:
                    cands.append(c)
            elif op in (MAX_REPEAT, MIN_REPEAT) and av[0] >= 1:
                c = seq(av[2])
                if c:
                    cands.append(c)
        cands.sort(key=lambda c: (min(map(len, c)), -len(c)), reverse=True)
        if top:
            return cands
        return cands[0] if cands else best

    found = seq(data, top=True)
    return tuple(
        tuple(sorted({x.lower() for x in c}))
        for c in found
        if min(map(len, c)) >= 3 or not any(ch.isalnum() for x in c for ch in x)
    )[:3]


def compile_with_needs(
    key: str, pattern: str, flags: int = 0
) -> tuple[object, tuple[tuple[str, ...], ...]]:
    """`pattern` compiled (through `osaid.regex`) and the lower-cased strings its matches must
    hold, from what an earlier run learnt under `key` when it can."""
    from osaid import regex

    rx, parsed = regex.compile_parsed(pattern, flags)
    known = _known_needs().get(key)
    if known is not None:
        return rx, tuple(tuple(n) for n in known)
    try:
        if parsed is None:
            from re import _parser  # type: ignore[attr-defined]

            parsed = _parser.parse(pattern, flags)
        needs = _needs(parsed.data)
    except (ImportError, AttributeError, TypeError):  # pragma: no cover - other Pythons
        return rx, ()
    _learn_needs(key, needs)
    return rx, needs


def checks_of(needs: tuple[tuple[str, ...], ...]) -> tuple[str | tuple[str, ...], ...]:
    """`needs` as `holds` checks them: a set of one string given as the string."""
    return tuple(n[0] if len(n) == 1 else n for n in needs)


def holds(checks: tuple[str | tuple[str, ...], ...], low: str) -> bool:
    """Whether `low` (a lower-cased text) holds every check: the string, or one of the tuple's."""
    for check in checks:
        if check.__class__ is str:
            if check not in low:
                return False
        elif not any(map(low.__contains__, check)):
            return False
    return True
