"""Reading YAML from a release (card front matter, manifests): hostile input, read once, safely.

Aliases are refused (an alias bomb expands to gigabytes once anything walks the data), nesting is
bounded, and values come back as plain JSON-like data with the line of every key and list item.
"""

from __future__ import annotations

from dataclasses import dataclass


class UnsafeYaml(ValueError):
    """The text cannot be read as YAML; `reason` is a few words, `line` 0-based in the text."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


@dataclass(frozen=True)
class ParsedYaml:
    data: object
    """Plain data: str, int, float, bool, None, list, dict (dates and the like become strings)."""
    lines: dict[str, int]
    """0-based line of every mapping key and list item, keyed like `release.components[3].name`."""


def parse(text: str, max_depth: int) -> ParsedYaml:
    """Parse `text`, refusing aliases and nesting deeper than `max_depth`. What an earlier run
    found for the same text comes from osaid's cache (`evidence/memo.py`)."""
    from osaid.evidence.memo import parse_yaml

    return parse_yaml(text, max_depth)


def parse_fresh(text: str, max_depth: int) -> ParsedYaml:
    """`parse`, without the cache."""
    import yaml

    try:  # the C parser is ten times faster; fall back where libyaml is absent
        from yaml import CSafeLoader as _Loader
    except ImportError:  # pragma: no cover
        from yaml import SafeLoader as _Loader  # type: ignore[assignment]
    try:
        depth = 0
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent):
                raise UnsafeYaml(
                    "uses YAML aliases, which osaid refuses (they can expand without bound)",
                    event.start_mark.line,
                )
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > max_depth:
                    raise UnsafeYaml(
                        f"is nested deeper than {max_depth} levels", event.start_mark.line
                    )
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
        node = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader) if node is not None else None
    except UnsafeYaml:
        raise
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise UnsafeYaml(
            f"is not valid YAML ({reason})", mark.line if mark is not None else None
        ) from None
    except (RecursionError, ValueError) as exc:
        raise UnsafeYaml(f"could not be read ({type(exc).__name__})") from None
    lines: dict[str, int] = {}
    _mark_lines(node, "", lines)
    return ParsedYaml(plain(data), lines)


def _mark_lines(node, prefix: str, lines: dict[str, int]) -> None:
    import yaml

    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                continue
            path = f"{prefix}.{key.value}" if prefix else str(key.value)
            lines.setdefault(path, key.start_mark.line)
            _mark_lines(value, path, lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            path = f"{prefix}[{i}]"
            lines.setdefault(path, item.start_mark.line)
            _mark_lines(item, path, lines)


def plain(value: object) -> object:
    """Keep only JSON-like data (dates and other scalars become strings)."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return str(value)
