"""Benchmark: `osaid check hf:...` on a fake hub on loopback, cold and warm, as a fresh process.

Cold: an empty cache (metadata, the text files judgement needs, the card's datasets). Warm: the
same revision again (a ref resolved moments ago, or a commit sha): no request at all. Also a warm
run with `OSAID_HF_REF_TTL=0`, where the ref is re-resolved with one metadata request. The repos:
the project's `open-release` example (14 files, 2 datasets) and a generated one with 300 files
(120 code/doc files to read) and 40 GB of weights listed in metadata only.

    python bench/hf_bench.py [--runs 5]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from hubserver import FakeHub, FakeRepo, LfsBlob, default_repos  # noqa: E402


def big_repo() -> FakeRepo:
    files: dict[str, bytes | LfsBlob] = {
        "README.md": b"---\nlicense: apache-2.0\nlibrary_name: transformers\n---\n# big-bench\n\n"
        b"## Training data\nTwo public corpora, deduplicated and filtered.\n",
        "LICENSE": b"Licensed under the Apache License, Version 2.0 (see apache.org).\n",
        "config.json": b'{"model_type": "llama"}',
    }
    for i in range(8):
        digest = hashlib.sha256(bytes([i])).hexdigest()
        files[f"model-{i:05d}-of-00008.safetensors"] = LfsBlob(5 * 1000**3, digest)
    for i in range(60):
        files[f"src/module_{i:03d}.py"] = (
            f"# module {i}\n" + "def f():\n    return 1\n" * 40
        ).encode()
        files[f"docs/page_{i:03d}.md"] = (
            f"# Page {i}\n\n" + "Some words about it.\n" * 30
        ).encode()
    for i in range(300 - len(files)):
        files[f"assets/img_{i:03d}.png"] = b"\x89PNG fake"
    return FakeRepo("bench/big-model", files, card_data={"license": "apache-2.0"})


def run_check(target: str, env: dict[str, str]) -> tuple[float, int]:
    t0 = time.perf_counter()
    p = subprocess.run(
        [sys.executable, "-m", "osaid", "check", target, "--format", "json"],
        env=env,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - t0
    if p.returncode not in (0, 1):
        raise SystemExit(f"check failed ({p.returncode}): {p.stderr.strip()}")
    return wall, p.returncode


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    repos = default_repos() + [big_repo()]
    targets = ["hf:osaid-examples/pebble-lm-tiny", "hf:bench/big-model"]
    with FakeHub(repos) as hub:
        base_env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("HF_", "OSAID_")) and k not in ("XDG_CACHE_HOME",)
        }
        base_env.update(
            HF_ENDPOINT=hub.url,
            NO_PROXY="127.0.0.1",
            HF_HUB_DISABLE_TELEMETRY="1",
            HF_HUB_DISABLE_IMPLICIT_TOKEN="1",
        )
        print(f"{'target':36} {'mode':10} {'median s':>9} {'min s':>7} {'requests':>9}")
        for target in targets:
            weights: list[str] = []
            rows: dict[str, tuple[list[float], list[int]]] = {
                "cold": ([], []),
                "warm": ([], []),
                "warm-ttl0": ([], []),
            }
            for _ in range(args.runs):
                cache = tempfile.mkdtemp(prefix="osaid-bench-")
                try:
                    env = dict(base_env, OSAID_CACHE_DIR=cache)
                    for mode, extra in (
                        ("cold", {}),
                        ("warm", {}),
                        ("warm-ttl0", {"OSAID_HF_REF_TTL": "0"}),
                    ):
                        hub.reset()
                        wall, _ = run_check(target, dict(env, **extra))
                        rows[mode][0].append(wall)
                        rows[mode][1].append(len(hub.requests))
                        weights += [p for p in hub.paths() if p.endswith(".safetensors")]
                finally:
                    shutil.rmtree(cache, ignore_errors=True)
            for mode, (walls, counts) in rows.items():
                print(
                    f"{target:36} {mode:10} {statistics.median(walls):9.3f} "
                    f"{min(walls):7.3f} {max(counts):9d}"
                )
            assert not weights, f"weights were requested: {weights[:3]}"


if __name__ == "__main__":
    main()
