"""The knowledge files' JSON cache gives exactly what parsing the YAML gives, and a damaged
cache entry is ignored."""

from __future__ import annotations

import osaid.knowledge as knowledge


def fresh(name: str):
    knowledge.load_yaml.cache_clear()
    return knowledge.load_yaml(name)


def test_cached_and_parsed_knowledge_agree(tmp_path, monkeypatch):
    monkeypatch.setenv("OSAID_CACHE_DIR", str(tmp_path))
    parsed = fresh("licenses.yaml")
    files = list((tmp_path / "knowledge").glob("licenses.yaml.*.json"))
    assert len(files) == 1
    assert fresh("licenses.yaml") == parsed  # now from the cache
    llama = next(e for e in parsed["licenses"] if e["id"] == "LicenseRef-osaid-llama-3")
    assert llama["date"] == "2024-04-18"  # dates are ISO strings either way


def test_damaged_cache_entry_is_ignored(tmp_path, monkeypatch):
    monkeypatch.setenv("OSAID_CACHE_DIR", str(tmp_path))
    parsed = fresh("rules.yaml")
    entry = next((tmp_path / "knowledge").glob("rules.yaml.*.json"))
    entry.write_text("{not json")
    assert fresh("rules.yaml") == parsed


def test_unwritable_cache_still_loads(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("OSAID_CACHE_DIR", str(blocker))  # a file where a folder should be
    assert fresh("components.yaml")["components"]
    knowledge.load_yaml.cache_clear()
