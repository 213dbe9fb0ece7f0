"""License identity and scope: each unidentified text its own id and title; which component a
license covers comes from its file name first, then its folder."""

from __future__ import annotations

from conftest import safetensors_bytes

MIT = """MIT License

Copyright (c) 2025 Example Org

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""

MODEL_TERMS = """Copyright 2025 Example Org

# Otter Model Weights License

1. You may use and share the weights for research and evaluation.
2. You may not use the weights or any output of them for commercial purposes.
"""

OTHER_TERMS = """# Badger Community Terms

Version 2, 2025

1. Anyone may use the model.
2. You may not use the model to build a competing foundation model.
"""

CODE = (
    "import torch\n\n\ndef train(model, data, opt):\n    for b in data:\n"
    "        model(b).backward()\n        opt.step()\n        opt.zero_grad()\n"
)


def _lic(report, lid):
    return next(x for x in report["licenses"] if x["id"] == lid)


def test_code_license_never_covers_the_weights(tree, cli):
    root = tree(
        {
            "README.md": "---\nlicense: other\n---\n# otter\n",
            "LICENSE-CODE": MIT,
            "LICENSE-MODEL": MODEL_TERMS,
            "model.safetensors": safetensors_bytes(),
            "train.py": CODE,
        }
    )
    report = cli("check", str(root), "--format", "json").json
    comps = {c["id"]: c for c in report["components"]}
    assert comps["training-code"]["license"] == "MIT"
    weights = comps["model-parameters-final"]["license"]
    assert weights and "MIT" not in weights
    assert report["verdict"] == "not-open-source-ai"
    assert _lic(report, "MIT")["scopes"] == ["code"]


def test_unidentified_texts_get_their_own_ids_and_titles(tree, cli):
    root = tree(
        {
            "README.md": "---\nlicense: other\n---\n# m\n",
            "LICENSE": MODEL_TERMS,
            "extra/LICENSE": OTHER_TERMS,
            "model.safetensors": safetensors_bytes(),
        }
    )
    report = cli("check", str(root), "--format", "json").json
    ids = [x["id"] for x in report["licenses"] if x["id"].startswith("LicenseRef-osaid-unid")]
    assert len(ids) == 2 and len(set(ids)) == 2
    assert all(len(i.rsplit("-", 1)[1]) == 8 for i in ids)
    names = {x["name"] for x in report["licenses"] if x["id"] in ids}
    # the text's own title, not its copyright line or version line
    assert names == {"Otter Model Weights License", "Badger Community Terms"}


def test_same_text_same_id_across_releases(tree, cli, tmp_path):
    from conftest import write_tree

    one = write_tree(tmp_path / "one", {"README.md": "# a\n", "LICENSE": OTHER_TERMS})
    two = write_tree(tmp_path / "two", {"README.md": "# b\n", "LICENSE": "\n" + OTHER_TERMS})
    a = cli("check", str(one), "--format", "json").json
    b = cli("check", str(two), "--format", "json").json
    assert [x["id"] for x in a["licenses"]] == [x["id"] for x in b["licenses"]]


def test_card_links_to_outside_terms_get_distinct_ids(tmp_path, cli):
    from conftest import write_tree

    ids = set()
    for n, link in enumerate(("https://example.org/a-terms", "https://example.org/b-terms")):
        root = write_tree(
            tmp_path / f"r{n}",
            {"README.md": f"---\nlicense: other\nlicense_link: {link}\n---\n# m\n"},
        )
        report = cli("check", str(root), "--format", "json").json
        ids |= {x["id"] for x in report["licenses"]}
    assert len(ids) == 2


def test_card_license_section_scopes_a_license_to_the_weights(tree, cli):
    root = tree(
        {
            "README.md": "---\nlicense: apache-2.0\n---\n# heron\n\n## License\n\n"
            "The training scripts are licensed under Apache-2.0. The model weights are\n"
            "released under CC-BY-NC-4.0.\n",
            "model.safetensors": safetensors_bytes(),
            "train.py": CODE,
        }
    )
    report = cli("check", str(root), "--format", "json").json
    comps = {c["id"]: c for c in report["components"]}
    assert comps["model-parameters-final"]["license"] == "CC-BY-NC-4.0"
    assert comps["training-code"]["license"] == "Apache-2.0"
    assert report["verdict"] == "not-open-source-ai"
