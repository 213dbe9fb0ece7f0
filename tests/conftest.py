"""Shared fixtures: build release folders in tmp dirs, run the CLI in-process."""

from __future__ import annotations

import io
import json
import os
import struct
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from osaid.cli import main

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
# Reference material beside the repository (../shared), or where OSAID_SHARED points. Tests that
# read it call `shared()`, which skips them when it is absent: a fresh clone passes without it.
SHARED = Path(os.environ.get("OSAID_SHARED") or REPO.parent / "shared")
MOT_CORPUS = SHARED / "corpus" / "mot-models"  # the Model Openness Tool's 273 real records
MOT_FIXTURES = REPO / "tests" / "fixtures" / "mot"  # made-up MOT records (see its README.md)


def shared(path: Path) -> Path:
    """`path` (under SHARED) when it exists; otherwise skip the calling test, saying why."""
    if not path.exists():
        pytest.skip(
            f"{path} not found: ../shared is not beside the repository "
            "(set OSAID_SHARED to its location to run this test)"
        )
    return path


def mot_fixtures() -> list[Path]:
    """The made-up MOT records, in name order."""
    return sorted(MOT_FIXTURES.glob("*.yml"))


def write_mot_records(folder: Path, n: int) -> Path:
    """`n` MOT records in `folder`, each a made-up record under its own name: bulk scan input."""
    import copy

    import yaml

    folder.mkdir(parents=True, exist_ok=True)
    records = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in mot_fixtures()]
    for i in range(n):
        record = copy.deepcopy(records[i % len(records)])
        record["release"]["name"] += f" #{i}"
        (folder / f"record-{i:04d}.yml").write_text(yaml.safe_dump(record), encoding="utf-8")
    return folder


def safetensors_bytes(n_values: int = 4) -> bytes:
    header = json.dumps(
        {"w": {"dtype": "F32", "shape": [n_values], "data_offsets": [0, 4 * n_values]}}
    ).encode()
    header += b" " * (-len(header) % 8)
    return struct.pack("<Q", len(header)) + header + bytes(4 * n_values)


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8")
    return root


class Run:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    @property
    def json(self) -> dict:
        return json.loads(self.out)


def run_cli(*argv: str) -> Run:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    run = Run(code, out.getvalue(), err.getvalue())
    _check_quotes(list(argv), run)
    return run


def _check_quotes(argv: list[str], run: Run) -> None:
    """Every JSON report of a local folder the suite checks has only verbatim quotes."""
    if argv[:1] != ["check"] or run.code not in (0, 1) or "-o" in argv or "--output" in argv:
        return
    if "json" not in argv or len(argv) < 2 or not Path(argv[1]).is_dir():
        return
    from quotes import bad_quotes

    problems = bad_quotes(json.loads(run.out), Path(argv[1]))
    assert not problems, "quotes that are not the file's words:\n" + "\n".join(problems)


@pytest.fixture(autouse=True)
def no_network(monkeypatch, tmp_path_factory):
    """No test reaches a real hub: the default endpoint is a closed loopback port (a refused
    connection, at once), and caches live in a temporary folder. Tests that serve a fake hub
    point HF_ENDPOINT at it themselves."""
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("OSAID_CACHE_DIR", str(cache / "osaid"))
    monkeypatch.setenv("HF_HOME", str(cache / "hf"))
    monkeypatch.setenv("XDG_DATA_HOME", str(cache / "data"))


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture
def tree(tmp_path):
    def make(files: dict[str, str | bytes]) -> Path:
        return write_tree(tmp_path / "release", files)

    return make
