"""Every finding osaid can emit has an entry (severity, fix) in knowledge/rules.yaml."""

from __future__ import annotations

import re
from pathlib import Path

from osaid.knowledge import load_yaml

SRC = Path(__file__).resolve().parent.parent / "src" / "osaid"


def test_every_problem_rule_is_in_the_catalog():
    rules = load_yaml("rules.yaml")
    known = set(rules["rules"]) | set(rules["problems"])
    emitted = set()
    for path in SRC.rglob("*.py"):
        text = path.read_text()
        emitted |= set(re.findall(r'Problem\(\s*(?:rule=)?"([a-z0-9-]+)"', text))
        emitted |= set(re.findall(r'\.add\(\s*"([a-z0-9-]+)"', text))
    assert emitted, "the scan found nothing: the pattern no longer matches the code"
    assert emitted - known == set()


def test_every_rule_has_a_severity():
    rules = load_yaml("rules.yaml")
    for table in ("rules", "problems"):
        for name, spec in rules[table].items():
            assert spec["severity"] in {"blocker", "warning", "info"}, name


def test_every_rule_renders_with_its_declared_values_and_fails_without():
    import pytest

    from osaid.frameworks.osaid import RuleError, render_fix

    rules = load_yaml("rules.yaml")
    for table in ("rules", "problems"):
        for name, spec in rules[table].items():
            params = spec.get("params") or []
            text = render_fix(name, {p: f"<{p}>" for p in params})
            if spec.get("fix") is None:
                assert text is None, name
                continue
            assert "{" not in text and "}" not in text, (name, text)
            for p in params:
                assert f"<{p}>" in text, (name, p)
                with pytest.raises(RuleError):
                    render_fix(name, {q: "x" for q in params if q != p})
    with pytest.raises(RuleError):
        render_fix("no-such-rule", {})


def test_no_placeholder_reaches_any_output():
    """`{name}` text never leaks into a report, in any format, on any example."""
    from conftest import EXAMPLES, run_cli

    for example in sorted(p for p in EXAMPLES.iterdir() if p.is_dir()):
        for fmt in ("text", "json", "markdown"):
            out = run_cli("check", str(example), "--format", fmt).out
            assert out, (example.name, fmt)
            assert not re.search(r"\{[a-z_]+\}", out), (example.name, fmt)
