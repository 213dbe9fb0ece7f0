"""Benchmark: `osaid check` on a typical local release, cold, as a fresh process.

The release: a model card, 3 license-ish files, 200 files in all including 20 GB of sparse
weights (4 x 5 GB safetensors shards). Targets: <= 0.3 s wall and <= 120 MB peak RSS.

    python bench/check_bench.py [--runs 10]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CARD = """---
license: apache-2.0
datasets: [example/corpus-a, example/corpus-b]
library_name: transformers
---
# bench-model

## Training data
Sourced from two public corpora (links above), 2 billion tokens of English text, sampled
uniformly, unlabeled, deduplicated and filtered for quality. No third-party data was used.

## Evaluation
| task | score |
|---|---|
| x | 1 |
"""


def real_license_text() -> str:
    """A full Apache-2.0 text as shipped on this machine (never stored in the repository)."""
    import site

    for candidate in [Path("/usr/share/common-licenses/Apache-2.0")] + [
        p
        for sp in site.getsitepackages()
        for p in Path(sp).glob("huggingface_hub-*.dist-info/licenses/LICENSE")
    ]:
        if candidate.is_file():
            return candidate.read_text()
    return "SPDX-License-Identifier: Apache-2.0\n"


def make_release(root: Path) -> None:
    root.mkdir(parents=True)
    (root / "README.md").write_text(CARD)
    (root / "LICENSE").write_text(real_license_text())
    (root / "NOTICE").write_text("bench-model\nCopyright the bench authors.\n")
    (root / "USE_POLICY.md").write_text("# Use\nPlease use this model responsibly.\n")
    header = json.dumps({"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}).encode()
    header += b" " * (-len(header) % 8)
    for i in range(4):
        with open(root / f"model-{i:05d}-of-00004.safetensors", "wb") as fh:
            fh.write(struct.pack("<Q", len(header)) + header + bytes(4))
            fh.truncate(5 * 1000**3)
    (root / "config.json").write_text('{"model_type": "llama"}')
    (root / "tokenizer.json").write_text('{"model": {}}')
    count = len(list(root.iterdir()))
    for i in range(200 - count):
        sub = root / ("src" if i % 2 else "docs")
        sub.mkdir(exist_ok=True)
        if i % 2:
            (sub / f"module_{i}.py").write_text(
                "# SPDX-License-Identifier: Apache-2.0\nimport torch\n\n\ndef f(x):\n"
                "    return x\n" * 20
            )
        else:
            (sub / f"note_{i}.md").write_text(f"# Note {i}\n" + "Some text. " * 200)


def one_run(target: Path) -> tuple[float, int]:
    cmd = [sys.executable, "-m", "osaid", "check", str(target)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"check failed: {proc.stderr.decode()}")
    return wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="osaid-bench-"))
    try:
        target = work / "release"
        make_release(target)
        files = sum(1 for _ in target.rglob("*") if _.is_file())
        apparent = sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
        print(f"release: {files} files, {apparent / 1e9:.1f} GB apparent size")
        # Byte-compile as an install does (PYTHONDONTWRITEBYTECODE may be set in this shell).
        subprocess.run(
            [
                sys.executable,
                "-m",
                "compileall",
                "-q",
                str(Path(__file__).resolve().parent.parent / "src" / "osaid"),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        walls = []
        for _ in range(args.runs):
            wall, rss_kb = one_run(target)
            walls.append(wall)
        print(
            f"osaid check (fresh process, {args.runs} runs): median {statistics.median(walls):.3f} s,"
            f" min {min(walls):.3f} s, max {max(walls):.3f} s  (target <= 0.300 s)"
        )
        print(f"peak RSS (largest run): {rss_kb / 1024:.1f} MB  (target <= 120 MB)")
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        print(f"bare python start-up for comparison: {time.perf_counter() - start:.3f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("NO_COLOR", "1")
    main()
