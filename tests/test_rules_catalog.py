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
