"""Check every Model Openness Tool record in the shared corpus, in-process, and report.

    python bench/mot_corpus_bench.py [CORPUS_DIR]

CORPUS_DIR defaults to ../shared/corpus/mot-models relative to the repository root. Prints the
total and per-record time, the OSAID verdict counts, the MOT status counts osaid's facts give, and
every license string that needed normalisation (with what osaid read it as). Exits 1 if any record
crashed the pipeline.
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "corpus" / "mot-models"


def records(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.glob("*.yml") if p.name != "mof.settings.yml")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT)
    args = parser.parse_args(argv)
    paths = records(args.corpus)
    if not paths:
        print(f"no MOT records in {args.corpus}", file=sys.stderr)
        return 2

    t0 = time.perf_counter()
    from osaid.evidence.extract import extract
    from osaid.evidence.manifest import manifest_facts
    from osaid.frameworks.osaid import assess
    from osaid.sources.manifest import ManifestSource

    t_import = time.perf_counter() - t0

    verdicts: collections.Counter = collections.Counter()
    mot_status: collections.Counter = collections.Counter()
    normalised: dict[tuple[str, str, str], int] = collections.Counter()
    crashes: list[tuple[str, str]] = []
    times: list[tuple[float, str]] = []
    source = ManifestSource()
    start = time.perf_counter()
    for path in paths:
        t = time.perf_counter()
        try:
            release = source.load(str(path))
            assessment = assess(extract(release))
        except Exception:  # the bench reports crashes instead of stopping at the first
            crashes.append((path.name, traceback.format_exc(limit=3).strip().splitlines()[-1]))
            continue
        times.append((time.perf_counter() - t, path.name))
        verdicts[assessment.verdict.value] += 1
        for c in assessment.facts.components:
            mot_status[_mot_status(c)] += 1
        for r in manifest_facts(release.metadata["manifest"]).readings:
            read = " AND ".join(t for t, _ in r.terms) if r.terms else r.kind
            if r.raw.strip() != read:
                normalised[(r.raw, read, r.via or r.kind)] += 1
    total = time.perf_counter() - start

    print(f"records: {len(paths)}  crashed: {len(crashes)}")
    print(
        f"time: {total:.2f} s total, {1000 * total / max(1, len(paths)):.1f} ms per record "
        f"(+{t_import:.2f} s imports)"
    )
    slow = sorted(times, reverse=True)[:3]
    print("slowest: " + ", ".join(f"{name} {1000 * s:.1f} ms" for s, name in slow))
    print("\nverdicts:")
    for v, n in verdicts.most_common():
        print(f"  {n:4d}  {v}")
    print("\ncomponent status as the Model Openness Tool would name it (all records):")
    for s, n in mot_status.most_common():
        print(f"  {n:5d}  {s}")
    print(f"\nlicense strings that needed normalisation ({len(normalised)} distinct):")
    for (raw, read, via), n in sorted(normalised.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {n:4d}  {raw!r:60.60} -> {read}  [{via}]")
    if crashes:
        print("\ncrashes:")
        for name, line in crashes:
            print(f"  {name}: {line}")
        return 1
    return 0


def _mot_status(c) -> str:
    if c.status == "missing":
        return "missing (withheld: 'Component not included')" if c.withheld else "missing"
    if c.license is None:
        return "unlicensed"
    return (
        "included (open)"
        if c.license_open
        else "invalid (not open)"
        if c.license_open is False
        else "invalid (terms unknown to osaid)"
    )


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # piped into `head`
        sys.stderr.close()
        sys.exit(1)
