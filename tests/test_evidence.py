"""What the evidence extractors read out of realistic release folders."""

from __future__ import annotations

from conftest import safetensors_bytes

WEIGHTS = {"model.safetensors": safetensors_bytes()}


def component(report: dict, cid: str) -> dict:
    return next(c for c in report["components"] if c["id"] == cid)


def findings(report: dict, prefix: str) -> list[dict]:
    return [f for f in report["findings"] if f["rule"].startswith(prefix)]


def test_card_license_id_alone_brings_catalog_restrictions(tree, cli):
    root = tree({"README.md": "---\nlicense: llama3\n---\n# A fine-tune\n", **WEIGHTS})
    report = cli("check", str(root), "--format", "json").json
    assert report["verdict"] == "not-open-source-ai"
    cap = findings(report, "restriction:user-threshold")[0]
    assert cap["evidence"][0]["field"] == "license"
    assert cap["evidence"][0]["line"] == 2
    # the card's own words at that line; what the license says is the catalog's, in a note
    assert cap["evidence"][0]["quote"] == "llama3"
    assert cap["evidence"][0]["basis"] == "catalog"
    assert "700 million" in cap["evidence"][0]["note"]
    lic = next(lic for lic in report["licenses"] if lic["id"] == "LicenseRef-osaid-llama-3")
    assert lic["open"] is False and lic["osi_approved"] is False


def test_vague_data_statement_meets_no_data_item(tree, cli):
    card = (
        "---\nlicense: apache-2.0\n---\n# M\n\n## Training data\n\n"
        "Trained on publicly available sources.\n"
    )
    report = cli("check", str(tree({"README.md": card, **WEIGHTS})), "--format", "json").json
    items = {i["id"]: i["status"] for i in report["elements"]["data-information"]["items"]}
    assert set(items.values()) == {"not-found"}
    assert report["verdict"] == "insufficient-evidence"


def test_declared_code_with_license_on_the_same_line(tree, cli):
    card = (
        "---\nlicense: apache-2.0\n---\n# M\n\n## Training\n\n"
        "The training code is at https://github.com/example/trainer under the MIT license.\n"
    )
    report = cli("check", str(tree({"README.md": card, **WEIGHTS})), "--format", "json").json
    training = component(report, "training-code")
    assert training["status"] == "declared"
    assert training["license"] == "MIT" and training["license_open"] is True
    assert training["evidence"][0]["url"] == "https://github.com/example/trainer"
    assert findings(report, "component-declared:training-code")


def test_declared_code_without_license_is_unknown(tree, cli):
    card = (
        "---\nlicense: apache-2.0\n---\n# M\n\n## Training\n\n"
        "Training code: https://github.com/example/trainer\n"
    )
    report = cli("check", str(tree({"README.md": card, **WEIGHTS})), "--format", "json").json
    training = component(report, "training-code")
    assert training["status"] == "declared" and training["license_open"] is None
    assert findings(report, "license-unknown:training-code")


def test_spdx_headers_give_code_its_own_license(tree, cli):
    root = tree(
        {
            "README.md": "---\nlicense: cc-by-nc-4.0\n---\n# M\n",
            **WEIGHTS,
            "train.py": "# SPDX-License-Identifier: MIT\ndef train(model, data, opt):\n"
            "    for b in data:\n        model(b).backward()\n        opt.step()\n",
        }
    )
    report = cli("check", str(root), "--format", "json").json
    assert component(report, "training-code")["license"] == "MIT"
    weights = component(report, "model-parameters-final")
    assert weights["license"] == "CC-BY-NC-4.0" and weights["license_open"] is False
    assert findings(report, "restriction:non-commercial")


def test_license_in_subfolder_scopes_that_folder(tree, cli):
    root = tree(
        {
            "README.md": "---\nlicense: cc-by-4.0\n---\n# M\n",
            **WEIGHTS,
            "code/LICENSE": "SPDX-License-Identifier: BSD-3-Clause\n",
            "code/train.py": "def train(model, data, optimizer):\n    for b in data:\n"
            "        model(b).backward()\n        optimizer.step()\n",
        }
    )
    report = cli("check", str(root), "--format", "json").json
    assert component(report, "training-code")["license"] == "BSD-3-Clause"
    assert component(report, "model-parameters-final")["license"] == "CC-BY-4.0"
    assert component(report, "model-parameters-final")["license_open"] is True


def test_card_and_license_file_disagree(tree, cli):
    root = tree(
        {
            "README.md": "---\nlicense: mit\n---\n# M\n",
            **WEIGHTS,
            "LICENSE": "SPDX-License-Identifier: GPL-3.0-only\n",
        }
    )
    report = cli("check", str(root), "--format", "json").json
    assert findings(report, "license-conflict")
    assert component(report, "model-parameters-final")["license"] == "MIT AND GPL-3.0-only"


def test_gated_card_is_not_open(tree, cli):
    card = (
        "---\nlicense: apache-2.0\nextra_gated_prompt: Share your contact details to access"
        "\n---\n# M\n"
    )
    report = cli("check", str(tree({"README.md": card, **WEIGHTS})), "--format", "json").json
    gate = findings(report, "gated-access")[0]
    assert gate["evidence"][0]["field"] == "extra_gated_prompt" and gate["osd"] == [7]
    assert report["verdict"] == "not-open-source-ai"


def test_plans_are_not_withholding_statements(tree, cli):
    card = "---\nlicense: apache-2.0\n---\n# M\n\nThe training code will be released soon.\n"
    report = cli("check", str(tree({"README.md": card, **WEIGHTS})), "--format", "json").json
    assert not findings(report, "component-withheld")
    assert findings(report, "component-missing:training-code")


def test_withholding_statement_across_wrapped_lines(tree, cli):
    card = (
        "---\nlicense: apache-2.0\n---\n# M\n\nWe do not release the training\n"
        "code for this model.\n"
    )
    report = cli("check", str(tree({"README.md": card, **WEIGHTS})), "--format", "json").json
    w = findings(report, "component-withheld:training-code")[0]
    assert w["evidence"][0]["line"] == 6
    assert w["evidence"][0]["quote"] == "We do not release the training code for this model"


def test_checkpoints_are_intermediate_and_optimizer_state_is_metadata(tree, cli):
    root = tree(
        {
            "README.md": "---\nlicense: apache-2.0\n---\n# M\n",
            **WEIGHTS,
            "checkpoint-1000/model.safetensors": safetensors_bytes(),
            "checkpoint-1000/optimizer.pt": b"PK\x03\x04rest",
        }
    )
    report = cli("check", str(root), "--format", "json").json
    inter = component(report, "model-parameters-intermediate")
    assert inter["status"] == "present"
    assert inter["evidence"][0]["path"] == "checkpoint-1000/model.safetensors"
    final = component(report, "model-parameters-final")
    assert [e["path"] for e in final["evidence"]] == ["model.safetensors"]
    meta = component(report, "model-metadata")
    assert any(e["path"] == "checkpoint-1000/optimizer.pt" for e in meta["evidence"])


def test_code_role_from_content_when_the_name_says_nothing(tree, cli):
    root = tree(
        {
            "README.md": "---\nlicense: apache-2.0\n---\n# M\n",
            **WEIGHTS,
            "src/main.py": "def fit(model, data, optimizer):\n    for b in data:\n"
            "        loss = model(b)\n        loss.backward()\n        optimizer.step()\n",
        }
    )
    report = cli("check", str(root), "--format", "json").json
    training = component(report, "training-code")
    assert training["status"] == "present"
    assert training["evidence"][0]["path"] == "src/main.py"
    assert training["basis"] == "content"
    assert training["evidence"][0]["basis"] == "content"
    assert "loss.backward(" in training["evidence"][0]["note"]


def test_library_name_declares_inference_and_architecture(tree, cli):
    card = "---\nlicense: apache-2.0\nlibrary_name: transformers\n---\n# M\n"
    report = cli("check", str(tree({"README.md": card, **WEIGHTS})), "--format", "json").json
    inference = component(report, "inference-code")
    assert inference["status"] == "declared" and inference["license"] == "Apache-2.0"
    assert inference["evidence"][0]["field"] == "library_name"


def test_no_card_no_license(tree, cli):
    report = cli("check", str(tree(WEIGHTS)), "--format", "json").json
    assert {"no-card", "no-license"} <= {f["rule"] for f in report["findings"]}
    assert report["verdict"] == "insufficient-evidence"
    assert component(report, "model-parameters-final")["license"] is None


def test_card_declares_checkpoints_published_as_revisions(tree, cli):
    card = (
        "---\nlicense: apache-2.0\n---\n# M\n\nIntermediate checkpoints are published as\n"
        "branches step1000 ... step143000 of this repository.\n"
    )
    report = cli("check", str(tree({"README.md": card, **WEIGHTS})), "--format", "json").json
    inter = component(report, "model-parameters-intermediate")
    assert inter["status"] == "declared"
    assert inter["evidence"][0]["line"] == 6
    card = "---\nlicense: apache-2.0\n---\n# M\n\nIntermediate checkpoints are not released.\n"
    report = cli("check", str(tree({"README.md": card, **WEIGHTS})), "--format", "json").json
    assert component(report, "model-parameters-intermediate")["status"] == "missing"


def test_an_exception_to_no_third_party_data_is_not_a_statement_of_none(tree, cli):
    def third_party(statement: str) -> str:
        card = (
            "---\nlicense: apache-2.0\n---\n# M\n\n## Training data\n\n"
            f"Sourced from public corpora. {statement}\n"
        )
        report = cli("check", str(tree({"README.md": card, **WEIGHTS})), "--format", "json").json
        items = report["elements"]["data-information"]["items"]
        return next(i["status"] for i in items if i["id"] == "third-party-data-listing")

    assert third_party("No third-party data was used.") == "found"
    assert (
        third_party("No third-party data was used other than a licensed news archive.")
        == "not-found"
    )
