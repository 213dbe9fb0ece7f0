"""Shared fixtures: build release folders in tmp dirs, run the CLI in-process."""

from __future__ import annotations

import io
import json
import struct
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from osaid.cli import main

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
SHARED = REPO.parent / "shared"


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
    return Run(code, out.getvalue(), err.getvalue())


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


@pytest.fixture(autouse=True)
def reports_match_their_schema(monkeypatch):
    """Every JSON report a test produces (check, scan, the web API, ...) is validated against the
    published `osaid.report/1` JSON Schema (src/osaid/schemas/), so the contract cannot drift."""
    import osaid.reports.json as report_json

    original = report_json.to_dict

    def checked(assessment):
        report = original(assessment)
        errors = report_schema_errors(report)
        assert not errors, "report breaks osaid.report-1.schema.json:\n" + "\n".join(errors[:10])
        return report

    monkeypatch.setattr(report_json, "to_dict", checked)


def report_schema_errors(report: dict) -> list[str]:
    return [
        f"{e.json_path}: {e.message}"
        for e in _report_validator().iter_errors(report)  # all errors, not the first
    ]


_VALIDATORS: dict = {}


def _report_validator():
    if "report" not in _VALIDATORS:
        from jsonschema import Draft202012Validator

        from osaid.schemas import report_schema

        schema = report_schema()
        Draft202012Validator.check_schema(schema)
        _VALIDATORS["report"] = Draft202012Validator(
            schema, format_checker=Draft202012Validator.FORMAT_CHECKER
        )
    return _VALIDATORS["report"]
