"""`osaid scan` throughput: the MOT records plus N generated local releases into a fresh SQLite
index (cold), then a rerun with nothing changed, and a rerun after touching every file.

    python bench/scan_bench.py [--releases 1000] [--jobs 2] [--repeat 3]

Each phase is run `--repeat` times (the first scan into a fresh database each time) and the
fastest is reported, with the CPU seconds the scan used (its own and its workers'), which other
load on the machine changes less than the wall time.

Targets: >= 200 subjects/s for the first scan, >= 2,000 subjects/s for the unchanged rerun.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MOT = REPO.parent / "shared" / "corpus" / "mot-models"
LICENSES = ["apache-2.0", "mit", "llama3", "cc-by-nc-4.0", "openrail", "other"]


def make_releases(root: Path, n: int) -> None:
    past = time.time() - 3600
    for i in range(n):
        d = root / f"model-{i:05d}"
        (d / "training").mkdir(parents=True)
        lic = LICENSES[i % len(LICENSES)]
        (d / "README.md").write_text(
            f"---\nlicense: {lic}\ndatasets: [org/data-{i % 17}]\nlibrary_name: transformers\n"
            f"---\n# Model {i}\n\nTrained on org/data-{i % 17}.\n\n## Training data\n\n"
            "Web text, filtered for language and quality; deduplicated.\n",
            encoding="utf-8",
        )
        (d / "config.json").write_text('{"model_type": "llama"}\n', encoding="utf-8")
        (d / "training" / "train.py").write_text(
            f"# SPDX-License-Identifier: Apache-2.0\nprint({i})\n", encoding="utf-8"
        )
        (d / "model.safetensors").write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{}" + b" " * 14)
        for dirpath, dirnames, filenames in os.walk(d):
            for name in filenames + dirnames:
                os.utime(os.path.join(dirpath, name), (past, past))
        os.utime(d, (past, past))


def scan(db: Path, inputs: list[str], jobs: int) -> tuple[float, float, dict]:
    """One `osaid scan`: wall seconds, CPU seconds (the scan and its workers), JSON summary."""
    env = {**os.environ, "OSAID_NO_PROGRESS": "1"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "osaid",
            "scan",
            "--jobs",
            str(jobs),
            "--db",
            str(db),
            "--format",
            "json",
            *inputs,
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    dt = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if out.returncode not in (0, 1):
        raise SystemExit(out.stderr)
    summary = json.loads(out.stdout)
    return dt, cpu, summary


def fresh(db: Path) -> None:
    for p in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        p.unlink(missing_ok=True)


def report(label: str, runs: list[tuple[float, float, dict]]) -> None:
    dt, cpu, s = min(runs, key=lambda r: r[0])
    n = s["subjects"]
    print(
        f"{label:28s} {n} subjects in {dt:6.2f} s = {n / dt:6.0f} subjects/s "
        f"(cpu {cpu:5.2f} s = {cpu * 1000 / n:5.2f} ms/subject; runs: "
        f"{', '.join(f'{r[0]:.2f}' for r in runs)} s)  {s['status']}"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--releases", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="osaid-scan-bench-"))
    try:
        make_releases(work / "releases", args.releases)
        inputs = [str(MOT), str(work / "releases")]
        db = work / "index.db"
        print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}; jobs {args.jobs}")
        first = []
        for _ in range(args.repeat):
            fresh(db)
            first.append(scan(db, inputs, args.jobs))
        report("first scan (empty db)", first)
        report("rerun, nothing changed", [scan(db, inputs, args.jobs) for _ in range(args.repeat)])
        touched = []
        for i in range(args.repeat):
            stamp = time.time() - 10 - i  # a new, settled modification time each run
            for p in (work / "releases").glob("*/README.md"):
                os.utime(p, (stamp, stamp))
            touched.append(scan(db, inputs, args.jobs))
        report("rerun, every card touched", touched)
        print(f"database: {db.stat().st_size / 1e6:.1f} MB")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
