"""A release whose only "code" is what file names suggest is never Open Source AI.

The hollow release has a complete card and an Apache-2.0 license, but its code is empty
`__init__.py` files, a one-line shell script, a test suite, a `conftest.py`, CI workflows and an
issue template: nothing that shows training, inference or data processing.
"""

from __future__ import annotations

from conftest import safetensors_bytes

APACHE_HEADER = "SPDX-License-Identifier: Apache-2.0\n"

CARD = """---
license: apache-2.0
datasets:
  - example-org/forest-sounds
---

# canopy-1b

A small audio model trained from scratch on recordings of forests.

## Training data

- **Sources.** All recordings come from the forest-sounds collection
  (https://huggingface.co/datasets/example-org/forest-sounds), made by volunteers in 2021–2023.
- **Scope.** 12,000 hours of field recordings at 16 kHz, tagged by country and season.
- **Selection.** Recordings were sampled uniformly and kept when longer than ten seconds.
- **Labeling.** Labels are the species names volunteers entered; no further annotation.
- **Processing and filtering.** Silence was trimmed and duplicates removed by audio hash.
- **Third-party data.** No third-party or licensed data was used.

## Training procedure

See `training/train.py` and `scripts/run.sh`.
"""


def hollow(tree):
    return tree(
        {
            "README.md": CARD,
            "LICENSE": APACHE_HEADER,
            "model.safetensors": safetensors_bytes(),
            "canopy/__init__.py": "",
            "canopy/training/__init__.py": "",
            "scripts/run.sh": "# run the training\n",
            "tests/test_smoke.py": "def test_loads():\n    import canopy\n    assert canopy\n",
            "conftest.py": "import pytest\n\n\n@pytest.fixture\ndef model():\n"
            "    from transformers import AutoModel\n"
            "    return AutoModel.from_pretrained('example-org/canopy-1b')\n",
            ".github/workflows/ci.yml": "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n",
            ".github/ISSUE_TEMPLATE/bug_report.md": "# Bug report\n\nDescribe the bug.\n",
            ".github/ISSUE_TEMPLATE/config.yaml": "blank_issues_enabled: false\n",
            "third_party/fairseq/train.py": "import torch\n\n\ndef train(model, data, opt):\n"
            "    for batch in data:\n        loss = model(batch)\n        loss.backward()\n"
            "        opt.step()\n        opt.zero_grad()\n",
            "tests/requirements.txt": "pytest\n",
        }
    )


def test_hollow_release_is_not_open_source_ai(tree, cli):
    r = cli("check", str(hollow(tree)), "--format", "json")
    report = r.json
    assert report["verdict"] != "open-source-ai"
    assert r.code == 1
    assert report["elements"]["code"]["status"] != "met"
    assert report["freedoms"]["study"] != "granted"
    comps = {c["id"]: c for c in report["components"]}
    # nothing from tests, CI, issue templates or vendored trees counts
    for c in comps.values():
        for ev in c["evidence"]:
            path = ev["path"] or ""
            assert not path.startswith((".github/", "tests/", "third_party/")), (c["id"], path)
            assert path != "conftest.py", c["id"]
    # what was set aside is said, with its reason
    skipped = [f for f in report["findings"] if f["rule"] == "files-not-evidence"]
    said = {e["path"] for f in skipped for e in f["evidence"]}
    assert {"conftest.py", "tests/test_smoke.py", "third_party/fairseq/train.py"} <= said
    assert any("vendored" in f["message"] for f in skipped)
    assert comps["inference-code"]["status"] == "missing"
    assert comps["technical-report"]["status"] == "missing"
    assert comps["evaluation-data"]["status"] == "missing"


def test_name_only_code_is_unconfirmed_with_what_was_seen(tree, cli):
    root = hollow(tree)
    (root / "canopy" / "training" / "cli.py").write_text(
        "import argparse\n\n\ndef main():\n    parser = argparse.ArgumentParser()\n"
        "    parser.add_argument('--config')\n    args = parser.parse_args()\n"
        "    print('see the docs for how to train', args.config)\n"
    )
    report = cli("check", str(root), "--format", "json").json
    training = next(c for c in report["components"] if c["id"] == "training-code")
    assert training["status"] == "present" and training["basis"] == "name"
    item = next(i for i in report["elements"]["code"]["items"] if i["id"] == "training-code")
    assert item["status"] == "unconfirmed"
    f = next(f for f in report["findings"] if f["rule"] == "component-unconfirmed:training-code")
    assert f["severity"] == "warning"
    assert "canopy/training/cli.py" in f["message"]
    assert "no sign of training code" in f["message"]


def test_card_naming_a_file_that_does_not_exist_is_a_finding(tree, cli):
    report = cli("check", str(hollow(tree)), "--format", "json").json
    f = next(f for f in report["findings"] if f["rule"] == "card-file-missing")
    assert "training/train.py" in f["message"]
    assert f["evidence"][0]["path"] == "README.md"
    # the card's own line is quoted
    assert "training/train.py" in f["evidence"][0]["quote"]


def test_real_code_counts_on_its_content(tree, cli):
    root = hollow(tree)
    (root / "training").mkdir()
    (root / "training" / "train.py").write_text(
        "import torch\n\n\ndef train(model, batches, epochs):\n"
        "    opt = torch.optim.AdamW(model.parameters(), lr=3e-4)\n"
        "    for _ in range(epochs):\n        for batch in batches:\n"
        "            loss = model(batch)\n            loss.backward()\n"
        "            opt.step()\n            opt.zero_grad()\n"
    )
    report = cli("check", str(root), "--format", "json").json
    training = next(c for c in report["components"] if c["id"] == "training-code")
    assert training["basis"] == "content"
    assert training["evidence"][0]["path"] == "training/train.py"
    assert not [f for f in report["findings"] if f["rule"] == "card-file-missing"]
