"""`osaid scan` over hub listings at scale, against a fake hub on loopback with latency added.

The fake hub (tests/hubserver.py) lists `--listed` models (default 100,000: `org-NNN/model-NNN`,
1,000 per author) built on demand from their ids (a card of their own naming one of 8 datasets,
one of 3 license texts, one of 20 configs, one of 5 tokenizer configs, LFS weights, and for one
model in ten its own code), and adds `--latency` seconds (default 0.05) to every answer. The scan
(a fresh process, `hf:author=...` inputs covering `--scan` models) runs cold (empty cache and
index), then again with nothing changed.

Printed per phase: models/s, CPU per model (the scan's and its workers': less dependent on other
load on the machine than wall time), hub requests per model (api and file requests apart; the listing
pages included), the scanning process's peak memory (its own, not its workers'), and the cache
and index size per model, from which the whole-Hub projection in docs/index.md is made.

    python bench/hub_scale_bench.py [--listed 100000] [--scan 2000] [--jobs 2] [--hub-workers 32]

Goals: <= 3 requests per model cold, <= 0.01 on an unchanged rescan, >= 50 models/s cold where
the budget allows; peak memory bounded (not growing with the number of known subjects: compare
two `--scan` sizes).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from hubserver import FakeHub, generated_datasets, generated_model  # noqa: E402

PER_AUTHOR = 1000

RUNNER = """
import resource, sys
from osaid.cli import main
code = main(sys.argv[1:])
me = resource.getrusage(resource.RUSAGE_SELF)
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
sys.stderr.write(f"\\nPEAK_KB {me.ru_maxrss} CPU {cpu:.3f} MAIN {me.ru_utime + me.ru_stime:.3f}\\n")
sys.exit(code)
"""


def model_ids(n: int) -> list[str]:
    return [f"org-{i // PER_AUTHOR:03d}/model-{i % PER_AUTHOR:03d}" for i in range(n)]


def size_of(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def run_scan(hub: FakeHub, inputs: list[str], work: Path, args) -> dict:
    env = {
        **os.environ,
        "HF_ENDPOINT": hub.url,
        "NO_PROXY": "127.0.0.1,localhost",
        "OSAID_NO_PROGRESS": "1",
        "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
        "PYTHONPATH": str(HERE.parent / "src"),
    }
    env.pop("HF_TOKEN", None)
    argv = [
        sys.executable,
        "-c",
        RUNNER,
        "scan",
        *inputs,
        "--db",
        str(work / "index.db"),
        "--cache-dir",
        str(work / "cache"),
        "--jobs",
        str(args.jobs),
        "--hub-workers",
        str(args.hub_workers),
        "--export",
        "none",
    ]
    hub.reset()
    t0 = time.perf_counter()
    p = subprocess.run(argv, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if p.returncode not in (0, 1):
        sys.exit(f"scan failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    stats = next(line.split() for line in p.stderr.splitlines() if line.startswith("PEAK_KB"))
    peak, cpu, main_cpu = int(stats[1]), float(stats[3]), float(stats[5])
    return {
        "seconds": seconds,
        "peak_mb": peak / 1024,
        "cpu": cpu,
        "main_cpu": main_cpu,
        "api": hub.counts.get("api", 0),
        "files": hub.counts.get("resolvers", 0),
        "summary": p.stdout.strip().splitlines()[0] if p.stdout.strip() else "",
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--listed", type=int, default=100_000, help="models the hub lists")
    ap.add_argument("--scan", type=int, default=2_000, help="models scanned (whole authors)")
    ap.add_argument("--latency", type=float, default=0.05, help="seconds added to each answer")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--hub-workers", type=int, default=32)
    args = ap.parse_args()
    scan_n = min(args.scan, args.listed)
    authors = max(1, -(-scan_n // PER_AUTHOR))
    scan_n = min(args.listed, authors * PER_AUTHOR)
    listed = sorted(model_ids(args.listed))
    inputs = [f"hf:author=org-{a:03d}" for a in range(authors)]

    work = Path(tempfile.mkdtemp(prefix="osaid-hub-scale-"))
    hub = FakeHub(
        generated_datasets(),
        factory=generated_model,
        listed=listed,
        latency=args.latency,
        record=False,
    )
    try:
        hub.start()
        print(
            f"fake hub: {args.listed:,} listed models, {args.latency * 1000:.0f} ms per answer; "
            f"scanning {scan_n:,} models ({len(inputs)} author listings), --jobs {args.jobs}, "
            f"--hub-workers {args.hub_workers}"
        )
        for phase in ("cold", "unchanged rescan"):
            r = run_scan(hub, inputs, work, args)
            per = (r["api"] + r["files"]) / scan_n
            print(
                f"{phase:>17}: {scan_n / r['seconds']:8.1f} models/s  "
                f"{per:6.3f} requests/model (api {r['api'] / scan_n:.3f}, "
                f"files {r['files'] / scan_n:.3f})  peak {r['peak_mb']:.0f} MB  "
                f"CPU {r['cpu'] * 1000 / scan_n:.1f} ms/model "
                f"({r['main_cpu'] * 1000 / scan_n:.1f} in the scanning process)  "
                f"[{r['summary']}]"
            )
        cache = size_of(work / "cache")
        index = size_of(work / "index.db") + sum(
            size_of(p) for p in work.glob("index.db-*") if p.exists()
        )
        print(
            f"disk per model: cache {cache / scan_n / 1024:.1f} KB, "
            f"index {index / scan_n / 1024:.1f} KB"
        )
    finally:
        hub.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
