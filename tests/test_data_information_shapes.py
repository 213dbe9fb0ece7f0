"""Data information as public releases write it: training stages with links to each mixture in
the README, a provenance file in the tree, and dataset cards of the datasets the card names."""

from __future__ import annotations

from conftest import safetensors_bytes

STAGED_CARD = """---
license: apache-2.0
---

# finch-1b

A 1B-parameter language model trained from scratch in two stages.

## Training

### Stage 1: pretraining

The model saw 2 trillion tokens of the
[finch-mix-stage1](https://huggingface.co/datasets/finch-lab/finch-mix-stage1) mixture: web
pages, books and code, sampled with the proportions listed in the mixture's card.

### Stage 2: annealing

A further 50 billion tokens from the
[finch-mix-anneal](https://huggingface.co/datasets/finch-lab/finch-mix-anneal) mixture, which
upsamples math and instruction data.

Every source, with its license and where to download it, is listed in `data/PROVENANCE.md`.
"""

PROVENANCE = """# Data provenance

| source | share | where to obtain it | license |
|---|---|---|---|
| Web pages crawled in 2024 | 70% | https://data.finch-lab.example/web-2024 | ODC-By |
| Public-domain books | 20% | https://archive.org/details/finch-books | public domain |
| Permissively licensed code | 10% | https://huggingface.co/datasets/finch-lab/code | various |

## How it was processed

Pages were collected by our crawler, filtered with a quality classifier and deduplicated with
MinHash; personal data (PII) was removed. Code files were selected when their license was
permissive. The data is unlabeled; training is self-supervised.

No third-party or licensed data was used: every source above is public.
"""


def test_stages_with_mixture_links_and_a_provenance_file_meet_data_information(tree, cli):
    root = tree(
        {
            "README.md": STAGED_CARD,
            "data/PROVENANCE.md": PROVENANCE,
            "model.safetensors": safetensors_bytes(),
        }
    )
    report = cli("check", str(root), "--format", "json").json
    items = {i["id"]: i for i in report["elements"]["data-information"]["items"]}
    assert {k: v["status"] for k, v in items.items()} == {
        "description": "found",
        "public-data-listing": "found",
        "third-party-data-listing": "found",
    }
    cited = {e["path"] for i in items.values() for e in i["evidence"]}
    assert "data/PROVENANCE.md" in cited
    assert not [f for f in report["findings"] if f["rule"].startswith("data-information")]


def test_vague_wording_is_named_only_when_the_card_says_just_that(tree, cli):
    vague = tree(
        {
            "README.md": "---\nlicense: mit\n---\n# m\n\n## Training data\n\n"
            "Trained on publicly available sources.\n",
            "model.safetensors": safetensors_bytes(),
        }
    )
    report = cli("check", str(vague), "--format", "json").json
    f = next(f for f in report["findings"] if f["rule"] == "data-information-missing:description")
    assert "vague" in f["message"] and f["evidence"]

    silent = tree({"README.md": "---\nlicense: mit\n---\n# m\n\nA model.\n"})
    report = cli("check", str(silent), "--format", "json").json
    f = next(f for f in report["findings"] if f["rule"] == "data-information-missing:description")
    assert "publicly available" not in f["message"] and "vague" not in f["message"]
