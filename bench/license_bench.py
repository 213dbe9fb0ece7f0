"""Benchmark license identification: warm time per 10 KB text, a fresh `osaid license` process
(wall time, peak RSS), and scancode-toolkit on the same texts when it is installed in its own venv.

    python bench/license_bench.py [--scancode /tmp/v-scancode/bin/scancode]

The texts are real: the system's common license texts and the license files of installed
packages (`*.dist-info`), plus one "Apache-2.0 with extra terms" text.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EXTRA = "\n\nADDITIONAL USE RESTRICTIONS\n\n" + "\n".join(
    f"{i}. You may not use the Model for purpose number {i} listed by the Licensor without a "
    "separate written license."
    for i in range(1, 16)
)


def corpus() -> dict[str, str]:
    texts: dict[str, str] = {}
    common = Path("/usr/share/common-licenses")
    if common.exists():
        for p in sorted(common.glob("*")):
            if p.is_file():
                texts[str(p)] = p.read_text(encoding="utf-8", errors="replace")
    roots = {p for p in sys.path if p.endswith("site-packages") and os.path.isdir(p)}
    seen = set(texts.values())
    for root in sorted(roots):
        for f in sorted(glob.glob(os.path.join(root, "*.dist-info", "**", "*"), recursive=True)):
            if os.path.isfile(f) and re.match(r"(LICEN[CS]E|COPYING)", os.path.basename(f), re.I):
                t = Path(f).read_text(encoding="utf-8", errors="replace")
                if t not in seen:
                    seen.add(t)
                    texts[f] = t
    if "/usr/share/common-licenses/Apache-2.0" in texts:
        texts["apache-2.0+extra-terms"] = texts["/usr/share/common-licenses/Apache-2.0"] + EXTRA
    return texts


def ms(x: float) -> str:
    return f"{x * 1000:.2f} ms"


def warm(texts: dict[str, str]) -> dict[str, str | None]:
    from osaid.evidence.identify import identify_text

    try:
        from osaid.evidence.clauses import analyse
    except ImportError:
        analyse = None
    print(f"clause analyser: {'present' if analyse else 'absent (identification only)'}")
    t0 = time.perf_counter()
    found = {}
    for name, text in texts.items():
        ids = identify_text(text)
        found[name] = ids[0].id if ids else None
        if analyse:
            analyse(text, name)
    print(
        f"first pass over {len(texts)} texts: {time.perf_counter() - t0:.2f} s "
        "(includes loading the classifier and its first DFA states)"
    )
    ten_kb = [t[:10240] for t in texts.values() if len(t) >= 10240]
    if not ten_kb:
        ten_kb = [next(iter(texts.values()))]
    per_text, ident_only = [], []
    for t in ten_kb:
        identify_text(t)
        runs, only = [], []
        for _ in range(7):
            a = time.perf_counter()
            identify_text(t)
            b = time.perf_counter()
            if analyse:
                analyse(t)
            runs.append(time.perf_counter() - a)
            only.append(b - a)
        per_text.append(statistics.median(runs))
        ident_only.append(statistics.median(only))
    label = "identify + analyse" if analyse else "identify"
    print(
        f"warm {label} per 10 KB text ({len(ten_kb)} texts): median {ms(statistics.median(per_text))}"
        f", max {ms(max(per_text))}  (budget 10 ms); identify alone: median "
        f"{ms(statistics.median(ident_only))}, max {ms(max(ident_only))}"
    )
    print(f"load average now: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    return found


_PEAK = (
    "import resource, subprocess, sys; "
    "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def fresh_process(path: str) -> None:
    exe = Path(sys.executable).with_name("osaid")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "osaid"]
    walls, rss = [], []
    for _ in range(5):
        a = time.perf_counter()
        subprocess.run(
            cmd + ["license", path],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        walls.append(time.perf_counter() - a)
        # Peak RSS through a small launcher: a child's ru_maxrss counts the memory of the process
        # that started it, and this one holds the warm classifiers by now.
        out = subprocess.run(
            [sys.executable, "-c", _PEAK, *cmd, "license", path],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        rss.append(int(out.split()[-1]) if out.split() else 0)
    print(
        f"fresh `osaid license {path}`: wall median {statistics.median(walls):.3f} s, "
        f"min {min(walls):.3f} s (budget 0.3 s); peak RSS {max(rss) / 1024:.0f} MB "
        "(budget 120 MB)"
    )


def scancode(binary: str, texts: dict[str, str], ours: dict[str, str | None]) -> None:
    if not binary or not os.path.exists(binary):
        print("scancode: not installed")
        return
    with tempfile.TemporaryDirectory() as tmp:
        names = {}
        for i, (name, text) in enumerate(texts.items()):
            p = Path(tmp, f"t{i:04d}.txt")
            p.write_text(text, encoding="utf-8")
            names[p.name] = name
        out = Path(tmp, "out.json")
        a = time.perf_counter()
        proc = subprocess.run(
            [binary, "--license", "--only-findings", "-n", "1", "--json-pp", str(out), tmp],
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.perf_counter() - a
        if proc.returncode != 0 or not out.exists():
            print(f"scancode: failed ({proc.returncode}): {proc.stderr.strip()[-300:]}")
            return
        data = json.loads(out.read_text())
    theirs: dict[str, str | None] = {}
    for f in data.get("files", []):
        name = names.get(os.path.basename(f["path"]))
        if name:
            theirs[name] = f.get("detected_license_expression_spdx")
    print(
        f"scancode: {wall:.1f} s for {len(texts)} texts, one process "
        f"({wall / len(texts) * 1000:.0f} ms per text, index load included)"
    )
    differ = 0
    for name in texts:
        a, b = ours.get(name), theirs.get(name)
        if (a or "").lower() != (b or "").lower():
            differ += 1
            print(f"  differ: {name}: osaid={a} scancode={b}")
    print(f"scancode: {len(texts) - differ}/{len(texts)} identical top identifications")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scancode", default="/tmp/v-scancode/bin/scancode")
    args = ap.parse_args()
    texts = corpus()
    sizes = sorted(len(t) for t in texts.values())
    print(f"corpus: {len(texts)} texts, median {statistics.median(sizes) / 1024:.1f} KB")
    ours = warm(texts)
    print(f"identified: {sum(1 for v in ours.values() if v)}/{len(ours)}")
    target = "/usr/share/common-licenses/Apache-2.0"
    if not os.path.exists(target):
        target = next(iter(texts))
    fresh_process(target)
    scancode(args.scancode, texts, ours)
    return 0


if __name__ == "__main__":
    sys.exit(main())
