"""How long `osaid audit` takes to find the models in a 5,000-file application repository.

Builds a synthetic application (Python modules, a tenth of them importing model libraries, configs,
docs, front-end files, a vendored folder that is skipped) in a temporary folder, then runs
`osaid audit --no-assess --format json` in fresh processes (cold: interpreter start, imports, walk,
parse) and reports the best and median wall time of N runs and their CPU time (which a busy
machine does not inflate), plus the in-process time of the scan alone. Model assessments are
not included (they cost what `osaid check` costs, once per distinct model); the target is at
most 1 s for the rest.

    python bench/audit_bench.py [--files 5000] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

PY_PLAIN = '''"""Module {i}: ordinary application code."""

import json
import os


def handler_{i}(event: dict) -> dict:
    path = os.path.join("data", "items", str(event.get("id")))
    with open(path) as fh:
        return {{"item": json.load(fh), "source": "org/name-{i} in a comment, not a model"}}
'''

PY_MODEL = '''"""Module {i}: loads a model."""

from transformers import AutoModel, AutoTokenizer, pipeline

MODEL = "acme/model-{m}"
tokenizer = AutoTokenizer.from_pretrained(MODEL)
model = AutoModel.from_pretrained(MODEL)
clf = pipeline("text-classification", model="acme/classifier-{m}")
'''


def build(root: Path, n: int) -> None:
    kinds = ["py"] * 55 + ["md"] * 10 + ["json"] * 10 + ["yaml"] * 5 + ["js"] * 15 + ["txt"] * 5
    for i in range(n):
        kind = kinds[i % len(kinds)]
        folder = root / f"pkg{i % 40}" / f"sub{i % 7}"
        folder.mkdir(parents=True, exist_ok=True)
        p = folder / f"f{i}.{kind}"
        if kind == "py":
            p.write_text((PY_MODEL if i % 10 == 0 else PY_PLAIN).format(i=i, m=i % 25))
        elif kind == "json":
            p.write_text(json.dumps({"name": f"item-{i}", "path": f"data/{i}", "size": i}))
        elif kind == "yaml":
            p.write_text(f"service: s{i}\nmodel: acme/model-{i % 25}\nreplicas: 2\n")
        else:
            p.write_text(f"# file {i}\nSee org/name and https://example.org/x/{i}.\n" * 5)
    vendored = root / "node_modules" / "lib"
    vendored.mkdir(parents=True, exist_ok=True)
    for i in range(200):
        (vendored / f"v{i}.js").write_text("module.exports = {};\n")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=5000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    with tempfile.TemporaryDirectory(prefix="osaid-audit-bench-") as tmp:
        root = Path(tmp) / "app"
        build(root, args.files)
        times, cpu = [], []
        doc = {}
        for _ in range(args.runs):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t = time.perf_counter()
            p = subprocess.run(
                [sys.executable, "-m", "osaid", "audit", str(root), "--no-assess", "-f", "json"],
                env=env,
                capture_output=True,
                text=True,
            )
            times.append(time.perf_counter() - t)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
            if p.returncode not in (0, 1):
                sys.exit(f"audit failed: {p.stderr.strip()}")
            doc = json.loads(p.stdout)
        sys.path.insert(0, str(REPO / "src"))
        from osaid.auditor import find

        t = time.perf_counter()
        result = find.scan(root)
        scan_s = time.perf_counter() - t
    s = doc["summary"]
    print(
        f"application: {s['files_seen']} files seen ({args.files} + 200 vendored, skipped), "
        f"{s['files_read']} read, {s['references']} references to {s['models']} models"
    )
    print(
        f"osaid audit --no-assess (fresh process, {args.runs} runs): "
        f"best {min(times):.3f} s, median {statistics.median(times):.3f} s wall; "
        f"CPU best {min(cpu):.3f} s (target <= 1 s)"
    )
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(
        f"scan alone (in process, warm imports): {scan_s:.3f} s, {len(result.references)} references"
    )


if __name__ == "__main__":
    main()
