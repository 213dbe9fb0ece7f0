"""Compile osaid's own regular expressions once per install, not once per run.

Python compiles a regex in pure Python (parse, then code generation), and osaid's file roles,
card readers and clause patterns are a few hundred of them: tens of milliseconds of every cold
run. The program a pattern compiles to depends only on the pattern, its flags and the Python
build, so the programs are kept in osaid's cache (`regex-<key>.json`, keyed by osaid's version,
the exact Python build and its regex engine's magic number; read in one go on first use; written
atomically at exit when a run compiled something new) and handed straight to the engine later.

Only fixed patterns go through here (module constants and knowledge-file patterns), never a
pattern built from a release's content, so the file stays small and bounded.

This uses CPython's regex internals (`re._parser`, `re._compiler`, `_sre.compile`). Whenever they
are missing or behave otherwise, and whenever a cached program is refused by the engine (which
validates it) or the file is unreadable, `compile` falls back to `re.compile`: same pattern
object behaviour, only slower. `OSAID_NO_REGEX_CACHE=1` turns the cache off; tests compare both.
"""

from __future__ import annotations

import os
import re
from functools import cache

_TABLE: dict[str, list] | None = None
_NEW = False


def _enabled() -> bool:
    return not os.environ.get("OSAID_NO_REGEX_CACHE")


def _file():
    import _sre
    import hashlib
    import sys

    from osaid import __version__
    from osaid.knowledge import cache_dir

    tag = (
        f"{__version__} {sys.version} {_sre.MAGIC} {_sre.CODESIZE} {sys.maxunicode} {sys.byteorder}"
    )
    return cache_dir() / f"regex-{hashlib.sha256(tag.encode()).hexdigest()[:16]}.json"


def _table() -> dict[str, list]:
    global _TABLE
    if _TABLE is None:
        import json

        try:
            data = json.loads(_file().read_text(encoding="utf-8"))
            _TABLE = data if isinstance(data, dict) else {}
        except (OSError, ValueError, ImportError, AttributeError):
            _TABLE = {}
    return _TABLE


def _save() -> None:
    import json

    try:
        path = _file()
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():  # a new osaid or Python: the tables of others are stale
            for other in path.parent.glob("regex-*.json"):
                other.unlink(missing_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(_table(), separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, path)
    except (OSError, ImportError, AttributeError):
        pass  # an unwritable cache costs the next run its compiling, nothing else


@cache
def _typecode() -> str:
    """The array type of the engine's code words (its CODESIZE bytes each)."""
    import _sre
    import array

    return next(t for t in "IL" if array.array(t).itemsize == _sre.CODESIZE)


def _from_program(pattern: str, entry: object) -> re.Pattern | None:
    import _sre
    import array
    import base64

    try:
        flags, packed, groups, groupindex, indexgroup = entry  # type: ignore[misc]
        code = array.array(_typecode(), base64.b64decode(packed)).tolist()
        rx = _sre.compile(pattern, flags, code, groups, groupindex, tuple(indexgroup))
    except Exception:  # noqa: BLE001 - a refused or mis-shaped program: compile afresh
        return None
    return rx if isinstance(rx, re.Pattern) else None


def _program(pattern: str, flags: int, parsed) -> list:
    """What `re._compiler.compile` hands the engine, for a parsed pattern; the code words packed
    (base64 of the machine words: a fraction of the time to read back that a list of numbers
    takes)."""
    import array
    import base64
    from re import _compiler  # type: ignore[attr-defined]

    code = _compiler._code(parsed, flags)
    groupindex = dict(parsed.state.groupdict)
    indexgroup = [None] * parsed.state.groups
    for name, i in groupindex.items():
        indexgroup[i] = name
    packed = base64.b64encode(array.array(_typecode(), code).tobytes()).decode("ascii")
    return [flags | parsed.state.flags, packed, parsed.state.groups - 1, groupindex, indexgroup]


def compile_parsed(pattern: str, flags: int = 0) -> tuple[re.Pattern, object | None]:
    """`re.compile(pattern, flags)`, and the parsed pattern when it had to be parsed (None when
    its program came from the cache or the internals are unavailable)."""
    flags = int(flags)
    if not _enabled():
        return re.compile(pattern, flags), None
    key = f"{flags}:{pattern}"
    entry = _table().get(key)
    if entry is not None:
        rx = _from_program(pattern, entry)
        if rx is not None:
            return rx, None
    try:
        from re import _parser  # type: ignore[attr-defined]

        parsed = _parser.parse(pattern, flags)
        program = _program(pattern, flags, parsed)
        rx = _from_program(pattern, program)
    except (ImportError, AttributeError, TypeError, ValueError, StopIteration):  # other Pythons
        return re.compile(pattern, flags), None
    if rx is None:  # pragma: no cover - the engine refused what its own compiler made
        return re.compile(pattern, flags), None
    global _NEW
    _table()[key] = program
    if not _NEW:
        import atexit

        atexit.register(_save)
        _NEW = True
    return rx, parsed


def compile(pattern: str, flags: int = 0) -> re.Pattern:  # noqa: A001 - re.compile's name
    """`re.compile(pattern, flags)` for a fixed pattern, from the cached program when there is
    one."""
    return compile_parsed(pattern, flags)[0]
