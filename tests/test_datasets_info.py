"""Datasets a hub model's card names feed its data information: a dataset page the hub has is a
public-data listing entry, its license is the datasets component's terms, and gated or closed
data terms are reported."""

from __future__ import annotations

import pytest
from conftest import EXAMPLES
from hubserver import FakeRepo, _dataset_card, default_repos, serving

NS = "osaid-examples"
CARD = """---
license: apache-2.0
datasets:
  - {datasets}
---

# {name}

## Training data

The model was trained on the datasets listed in the card, 12 million tokens of English dialogue
collected in 2023, deduplicated and filtered for personal data before training.
"""


def _model(name: str, datasets: list[str]) -> FakeRepo:
    card = CARD.format(name=name, datasets="\n  - ".join(datasets))
    return FakeRepo(
        f"{NS}/{name}",
        {"README.md": card.encode()},
        card_data={"license": "apache-2.0", "datasets": datasets},
    )


@pytest.fixture
def hub(monkeypatch, tmp_path):
    extra = [
        FakeRepo(
            f"{NS}/nc-dialogues",
            {
                "README.md": _dataset_card(
                    "Dialogues (non-commercial)",
                    "cc-by-nc-4.0",
                    "Made-up dialogues for the osaid tests; for non-commercial use only.",
                )
            },
            kind="dataset",
            gated="manual",
            card_data={"license": "cc-by-nc-4.0"},
        ),
        _model(
            "mixed-data-lm",
            [f"{NS}/tiny-stories-en", f"{NS}/nc-dialogues", f"{NS}/no-such-dataset"],
        ),
        _model("ghost-data-lm", [f"{NS}/no-such-dataset"]),
    ]
    with serving(monkeypatch, tmp_path, default_repos() + extra) as h:
        yield h


def check(cli, target: str) -> dict:
    r = cli("check", target, "--format", "json")
    assert r.code in (0, 1), r.err
    return r.json


def item(report: dict, item_id: str) -> dict:
    return next(i for i in report["elements"]["data-information"]["items"] if i["id"] == item_id)


def component(report: dict, cid: str) -> dict:
    return next(c for c in report["components"] if c["id"] == cid)


def test_hub_datasets_are_listed_with_their_pages_and_licenses(hub, cli):
    r = check(cli, f"hf:{NS}/pebble-lm-tiny")
    listing = item(r, "public-data-listing")
    assert listing["status"] == "found"
    pages = [e for e in listing["evidence"] if e["field"] == "datasets"]
    assert [e["url"] for e in pages] == [
        f"{hub.url}/datasets/{NS}/tiny-stories-en",
        f"{hub.url}/datasets/{NS}/public-domain-books",
    ]
    assert pages[0]["quote"] == f"{NS}/tiny-stories-en"  # the id as the card names it
    assert "cc-by-4.0" in pages[0]["note"]  # what the hub says of it
    ds = component(r, "datasets")
    assert ds["status"] == "declared"
    assert ds["license"] == "CC-BY-4.0 AND CC0-1.0" and ds["license_open"] is True
    assert r["mof"]["components"]["datasets"]["license"] == "CC-BY-4.0 AND CC0-1.0"
    assert not [f for f in r["findings"] if f["rule"].startswith("dataset-")]


def test_gated_and_non_commercial_data_is_reported_and_a_missing_dataset_lists_nothing(hub, cli):
    r = check(cli, f"hf:{NS}/mixed-data-lm")
    terms = [f for f in r["findings"] if f["rule"] == "dataset-terms"]
    assert all(f["severity"] == "warning" for f in terms)
    messages = " ".join(f["message"] for f in terms)
    assert f"{NS}/nc-dialogues" in messages and "gated" in messages
    assert "CC-BY-NC-4.0" in messages
    assert all(f["evidence"][0]["url"] == f"{hub.url}/datasets/{NS}/nc-dialogues" for f in terms)
    missing = [f for f in r["findings"] if f["rule"] == "dataset-unresolved"]
    assert len(missing) == 1 and f"{NS}/no-such-dataset" in missing[0]["message"]
    ds = component(r, "datasets")
    assert "CC-BY-NC-4.0" in ds["license"] and ds["license_open"] is False
    urls = [e["url"] for e in item(r, "public-data-listing")["evidence"]]
    assert f"{hub.url}/datasets/{NS}/nc-dialogues" in urls
    assert not any("no-such-dataset" in (u or "") for u in urls)


def test_a_card_naming_only_a_dataset_the_hub_does_not_have_lists_no_public_data(hub, cli):
    r = check(cli, f"hf:{NS}/ghost-data-lm")
    assert item(r, "public-data-listing")["status"] == "not-found"
    assert any(f["rule"] == "dataset-unresolved" for f in r["findings"])
    assert component(r, "datasets")["license"] is None


def test_a_local_card_still_lists_its_datasets_field(cli):
    r = check(cli, str(EXAMPLES / "open-release"))
    listing = item(r, "public-data-listing")
    assert listing["status"] == "found"
    assert any(e["field"] == "datasets" and e["path"] == "README.md" for e in listing["evidence"])
