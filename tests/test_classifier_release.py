"""Our own model release is Open Source AI by osaid's own check, ships the weights osaid uses, and
rebuilds deterministically from its data."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from osaid.cli import main
from osaid.evidence.classifier import WEIGHTS

REPO = Path(__file__).resolve().parent.parent
RELEASE = REPO / "models" / "clause-classifier"


def test_release_is_open_source_ai_with_every_item_found(tmp_path):
    out = tmp_path / "report.json"
    code = main(["check", str(RELEASE), "--format", "json", "--output", str(out)])
    report = json.loads(out.read_text())
    assert code == 0
    assert report["verdict"] == "open-source-ai"
    assert all(v == "granted" for v in report["freedoms"].values())
    for name, element in report["elements"].items():
        assert element["status"] == "met", name
        for item in element["items"]:
            assert item["status"] in ("found", "optional"), (name, item["id"])
    assert not [f for f in report["findings"] if f["severity"] == "blocker"]


def test_packaged_weights_are_the_released_weights():
    assert WEIGHTS.read_bytes() == (RELEASE / "model.safetensors").read_bytes()


def test_release_commits_no_drawn_license_text():
    ignored = (RELEASE / "data" / ".gitignore").read_text()
    assert "build/" in ignored
    tracked = subprocess.run(
        ["git", "ls-files", str(RELEASE)], cwd=REPO, capture_output=True, text=True
    ).stdout
    assert "data/build/" not in tracked


@pytest.mark.skipif(
    importlib.util.find_spec("sklearn") is None,
    reason="scikit-learn not installed (pip install 'osaid[train]')",
)
def test_rebuild_is_deterministic(tmp_path):
    """prepare_data + train from the committed data give the committed weights, byte for byte
    (with or without the labelled corpus beside the repository: the weights never learn from
    it)."""
    code = RELEASE / "code"
    subprocess.run(
        [sys.executable, "-W", "ignore", str(code / "prepare_data.py")],
        check=True,
        capture_output=True,
    )
    out = tmp_path / "model.safetensors"
    subprocess.run(
        [sys.executable, "-W", "ignore", str(code / "train.py"), str(out)],
        check=True,
        capture_output=True,
    )
    assert out.read_bytes() == (RELEASE / "model.safetensors").read_bytes()
