"""Benchmark: cold `osaid check` as a fresh process, against a bare interpreter start.

Three releases, written to a temporary folder:

* `small`: 6 files: a card, a custom license and a use policy (two real restrictive AI license
  texts from `../shared/corpus/ai-licenses` when that folder is present, else the project's own
  example texts), a config, a tokenizer and 5 GB of sparse weights;
* `repo`: a 1,300-file repository export (code, docs, configs, a standard license, a card);
* `tree`: a 10,000-file tree of the same kinds.

Each check runs as a fresh process (`python -m osaid check DIR`, text report to /dev/null), and a
`python -c pass` runs between checks, so the ratio compares them in the same seconds. Per release
it prints the median wall and CPU time over `--runs` warm runs, the ratio to the bare start, the
peak RSS, and separately:

* `first`: the first run with an empty osaid cache (right after install);
* `new text`: warm, but with the terms cache off (`OSAID_NO_TERMS_CACHE=1`): a release whose
  license texts osaid has not read before.

Goals: `small` <= 12x a bare start, `repo` <= 20x, `tree` <= 1.0 s, `first` no slower than before.

    python bench/check_bench.py [--runs 10] [--only small,repo,tree] [--src OTHER/src]

`--src` runs another checkout's sources (an A/B against an older commit in the same minutes).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("OSAID_SHARED") or ROOT.parent / "shared") / "corpus" / "ai-licenses"

CARD = """---
license: other
license_name: bench-community-license
license_link: LICENSE
datasets: [example/corpus-a]
library_name: transformers
---
# bench-model

## Training data
Sourced from a public corpus (linked above), 2 billion tokens of English text, deduplicated and
filtered for quality. No third-party data was used.
"""


def _restrictive_texts() -> tuple[str, str, str]:
    """(license, use policy, where they come from): two real restrictive English texts from the
    corpus when it is present, else the example release's own texts."""
    labels = CORPUS / "labels.yaml"
    if labels.is_file():
        import yaml

        entries = yaml.safe_load(labels.read_text(encoding="utf-8"))["licenses"]
        picked = [
            e
            for e in entries
            if not e.get("open") and e.get("language") == "en" and len(e.get("kinds", ())) >= 3
        ][:2]
        if len(picked) == 2:
            texts = [(CORPUS / e["file"]).read_text(encoding="utf-8") for e in picked]
            return texts[0], texts[1], "corpus: " + ", ".join(e["slug"] for e in picked)
    ex = ROOT / "examples" / "restricted-weights"
    return (
        (ex / "LICENSE").read_text(encoding="utf-8"),
        (ex / "USE_POLICY.md").read_text(encoding="utf-8"),
        "examples/restricted-weights",
    )


def _apache() -> str:
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


def _weights(path: Path, size: int) -> None:
    header = json.dumps({"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}).encode()
    header += b" " * (-len(header) % 8)
    with open(path, "wb") as fh:
        fh.write(struct.pack("<Q", len(header)) + header + bytes(4))
        fh.truncate(size)


def make_small(root: Path) -> str:
    root.mkdir(parents=True)
    license_text, policy, origin = _restrictive_texts()
    (root / "README.md").write_text(CARD)
    (root / "LICENSE").write_text(license_text)
    (root / "USE_POLICY.md").write_text(policy)
    (root / "config.json").write_text(
        '{"model_type": "llama", "architectures": ["LlamaForCausalLM"]}'
    )
    (root / "tokenizer.json").write_text('{"model": {}}')
    _weights(root / "model.safetensors", 5 * 1000**3)
    return origin


def make_tree(root: Path, files: int) -> str:
    root.mkdir(parents=True)
    (root / "README.md").write_text(CARD.replace("license: other", "license: apache-2.0"))
    (root / "LICENSE").write_text(_apache())
    _weights(root / "model.safetensors", 1000**3)
    (root / "config.json").write_text('{"model_type": "llama"}')
    code = (
        "# SPDX-License-Identifier: Apache-2.0\nimport torch\n\n\n"
        + "def step(model, batch, optimizer):\n    loss = model(batch).loss\n"
        + "    loss.backward()\n    optimizer.step()\n    return loss\n" * 4
    )
    made = 4
    i = 0
    while made < files:
        pkg = root / ("src" if i % 3 else "docs") / f"part{i % 40}"
        pkg.mkdir(parents=True, exist_ok=True)
        if i % 3:
            (pkg / f"module_{i}.py").write_text(code)
        elif i % 2:
            (pkg / f"note_{i}.md").write_text(f"# Note {i}\n" + "Some text. " * 100)
        else:
            (pkg / f"settings_{i}.yaml").write_text(f"name: part{i}\nsteps: {i}\n")
        made += 1
        i += 1
    return "generated"


def _bare(python: str, env: dict) -> float:
    start = time.perf_counter()
    subprocess.run([python, "-c", "pass"], check=True, env=env)
    return time.perf_counter() - start


def _check(python: str, target: Path, env: dict) -> tuple[float, float, int]:
    """(wall s, CPU s, peak RSS KB) of one fresh `osaid check`, that process's own."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [python, "-m", "osaid", "check", str(target)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        cwd=target.parent,  # no policy file of this repository is picked up
    )
    err = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
    if proc.returncode not in (0, 1):
        raise SystemExit(f"check failed: {err.decode()}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def measure(name: str, target: Path, runs: int, base_env: dict, python: str) -> None:
    cache = Path(tempfile.mkdtemp(prefix="osaid-bench-cache-"))
    env = {**base_env, "OSAID_CACHE_DIR": str(cache)}
    try:
        first, first_cpu, _ = _check(python, target, env)
        walls, cpus, bares = [], [], []
        rss = 0
        for _ in range(runs):
            bares.append(_bare(python, env))
            wall, cpu, peak = _check(python, target, env)
            walls.append(wall)
            cpus.append(cpu)
            rss = max(rss, peak)
        new_env = {**env, "OSAID_NO_TERMS_CACHE": "1"}
        new = [_check(python, target, new_env)[0] for _ in range(max(3, runs // 3))]
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    bare = statistics.median(bares)
    wall = statistics.median(walls)
    print(
        f"{name:6} warm: median {wall:.3f} s (min {min(walls):.3f}), CPU {statistics.median(cpus):.3f} s,"
        f" {wall / bare:.1f}x bare python ({bare * 1000:.0f} ms)"
    )
    print(
        f"{'':6} first run (empty cache): {first:.3f} s (CPU {first_cpu:.3f});"
        f" new license text: median {statistics.median(new):.3f} s;"
        f" peak RSS {rss / 1024:.1f} MB"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--only", default="small,repo,tree")
    ap.add_argument("--src", help="another checkout's src folder to run instead of this one")
    args = ap.parse_args()
    src = Path(args.src).resolve() if args.src else ROOT / "src"
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(src)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    # Byte-compile as an install does.
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(src / "osaid")],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    work = Path(tempfile.mkdtemp(prefix="osaid-bench-"))
    try:
        wanted = args.only.split(",")
        for name, make in (
            ("small", make_small),
            ("repo", lambda r: make_tree(r, 1300)),
            ("tree", lambda r: make_tree(r, 10_000)),
        ):
            if name not in wanted:
                continue
            target = work / name
            origin = make(target)
            files = sum(1 for p in target.rglob("*") if p.is_file())
            print(f"{name}: {files} files ({origin}); sources {src}")
            measure(name, target, args.runs, env, sys.executable)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
