"""Benchmark and evaluation of the clause analyser (osaid.evidence.clauses).

Prints:
  * warm analysis time per 10 KB of license text, and the cold cost of the first call;
  * precision / recall per restriction kind on the labelled fixtures of tests/clause_fixtures.py;
  * every restriction found in the permissive and copyleft license texts installed on this machine
    (file names given), so precision on real texts can be checked by eye — any blocking kind there
    is a false positive;
  * optionally (--extra DIR ...), the kinds found in further license files, e.g. a folder of
    custom AI licenses, one line per file.

Usage: python bench/clauses_bench.py [--quiet] [--extra DIR ...]
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import clause_fixtures as fx  # noqa: E402

from osaid.knowledge import restriction_kinds  # noqa: E402


def _ms(fn, n: int) -> float:
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t0) / n * 1000


def bench_speed(texts: list[str]) -> None:
    code = (
        "import time; t0 = time.perf_counter(); import osaid.evidence.clauses as c; "
        "t1 = time.perf_counter(); c.analyse('you may not use this for military purposes.'); "
        "t2 = time.perf_counter(); print((t1 - t0) * 1000, (t2 - t1) * 1000)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    t_import, t_first = map(float, out.stdout.split())
    print(
        f"cold: import {t_import:.1f} ms (osaid.model and the knowledge loader included), "
        f"first call {t_first:.1f} ms (reads clauses.yaml, compiles the patterns)"
    )
    from osaid.evidence import clauses

    corpus = "\n\n".join(texts)
    rng = random.Random(1)
    samples = []
    for _ in range(20):
        a = rng.randrange(0, max(1, len(corpus) - 10_240))
        samples.append(corpus[a : a + 10_240])
    runs = [_ms(lambda: [clauses.analyse(s) for s in samples], 3) for _ in range(3)]
    best = min(runs) / len(samples)
    print(
        f"warm: {best:.2f} ms per 10 KB (mean over {len(samples)} 10 KB slices of the real texts,"
        " best of 3 runs)"
    )
    worst = max(min(_ms(lambda s=s: clauses.analyse(s), 3) for _ in range(2)) for s in samples)
    print(f"warm: {worst:.2f} ms for the slowest 10 KB slice")
    cpu = time.process_time()
    for _ in range(3):
        for s in samples:
            clauses.analyse(s)
    cpu = (time.process_time() - cpu) * 1000 / (3 * len(samples))
    print(f"warm: {cpu:.2f} ms CPU time per 10 KB (steadier than wall time on a loaded machine)")
    zh = "\n".join(t for t, _ in fx.CHINESE) + "\n" + fx.BILINGUAL + "\n" + fx.CHINESE_PERMISSIVE
    zh = (zh * 5).encode("utf-8")[:10_240].decode("utf-8", "ignore")  # 10 KB of UTF-8
    t = min(_ms(lambda: clauses.analyse(zh), 5) for _ in range(3))
    print(
        f"warm: {t:.2f} ms for 10 KB (UTF-8) of the Chinese fixtures, where every clause is a "
        "restriction or near one"
    )
    junk = bytes(rng.randrange(256) for _ in range(1_000_000)).decode("utf-8", "replace")
    cases = {
        "1 MB random bytes decoded with replacement": junk,
        "1 MB single line of 'x'": "x" * 1_000_000,
        "1 MB single line of prohibitive words": ("you shall not use the model for " * 40_000),
        "1 MB single line of restrictive sentences": (
            "You may not use the outputs to train any other model. " * 18_000
        ),
        "empty": "",
    }
    for name, text in cases.items():
        t = min(_ms(lambda text=text: clauses.analyse(text), 1) for _ in range(2))
        print(f"  {name}: {t:.1f} ms, {len(clauses.analyse(text))} restrictions")


def evaluate_fixtures() -> None:
    from osaid.evidence.clauses import analyse

    kinds = list(restriction_kinds())
    tp, fp, fn = Counter(), Counter(), Counter()
    cases = (
        [(t, k) for t, k in fx.POSITIVE]
        + [(t, set()) for t in fx.NEGATIVE]
        + fx.BOUNDARY
        + fx.WORDINGS
        + fx.CHINESE
        + fx.HARD
        + [(fx.CUSTOM_LICENSE, fx.CUSTOM_LICENSE_KINDS), (fx.BILINGUAL, fx.BILINGUAL_KINDS)]
    )
    misses = []
    for text, expected in cases:
        got = {r.kind for r in analyse(text)}
        for k in got & expected:
            tp[k] += 1
        for k in got - expected:
            fp[k] += 1
        for k in expected - got:
            fn[k] += 1
        if got != expected:
            misses.append((text, expected, got))
    print(
        f"\nFixtures: {len(fx.POSITIVE)} positive, {len(fx.NEGATIVE)} negative, "
        f"{len(fx.BOUNDARY)} on kind boundaries, {len(fx.WORDINGS)} further wordings, "
        f"{len(fx.CHINESE)} Chinese, "
        f"{len(fx.HARD)} known-hard, 1 custom and 1 bilingual license"
    )
    print(f"{'kind':24} {'TP':>4} {'FP':>4} {'FN':>4} {'precision':>10} {'recall':>8}")
    for k in kinds:
        p = tp[k] / (tp[k] + fp[k]) if tp[k] + fp[k] else float("nan")
        r = tp[k] / (tp[k] + fn[k]) if tp[k] + fn[k] else float("nan")
        print(f"{k:24} {tp[k]:4} {fp[k]:4} {fn[k]:4} {p:10.2f} {r:8.2f}")
    T, F, N = sum(tp.values()), sum(fp.values()), sum(fn.values())
    print(f"{'all':24} {T:4} {F:4} {N:4} {T / max(1, T + F):10.2f} {T / max(1, T + N):8.2f}")
    for text, expected, got in misses:
        print(f"  differs: expected {sorted(expected)} got {sorted(got)}: {text[:90]!r}")


def real_texts(quiet: bool) -> list[str]:
    from osaid.evidence.clauses import explain

    blocking = {k for k, v in restriction_kinds().items() if v.get("blocking")}
    found = fx.find_real_texts()
    per_family = Counter(f for f, _, _ in found)
    print(f"\nReal texts: {len(found)} files ({dict(sorted(per_family.items()))})")
    hits = Counter()
    blocked = 0
    for family, path, text in found:
        hs = explain(text, path)
        kinds = Counter(h.restriction.kind for h in hs)
        hits.update(kinds)
        bad = [h for h in hs if h.restriction.kind in blocking]
        blocked += bool(bad)
        if bad or not quiet:
            summary = ", ".join(f"{k}×{n}" for k, n in sorted(kinds.items())) or "-"
            print(f"  {family:10} {path}: {summary}")
        for h in bad:
            r = h.restriction
            print(f"      BLOCKING {r.kind} ({h.pattern}) line {r.line}: {r.quote}")
    print(
        "hits per kind over the real texts:",
        ", ".join(f"{k}={n}" for k, n in sorted(hits.items())) or "none",
    )
    print(f"files with a blocking kind (false positives): {blocked} of {len(found)}")
    return [t for _, _, t in found]


def extra(dirs: list[str]) -> None:
    from osaid.evidence.clauses import analyse

    for d in dirs:
        print(f"\nExtra texts in {d}:")
        for p in sorted(Path(d).iterdir()):
            if not p.is_file():
                continue
            text = p.read_text(encoding="utf-8", errors="replace")
            if text.startswith("---"):  # license databases put YAML front matter first
                end = text.find("\n---", 3)
                text = text[end + 4 :] if end != -1 else text
            kinds = Counter(r.kind for r in analyse(text, p.name))
            print(
                f"  {p.name}: " + (", ".join(f"{k}×{n}" for k, n in sorted(kinds.items())) or "-")
            )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quiet", action="store_true", help="list only real texts with a blocking hit")
    ap.add_argument("--extra", nargs="*", default=[], help="folders of further license texts")
    args = ap.parse_args()
    texts = real_texts(args.quiet)
    evaluate_fixtures()
    print()
    bench_speed(texts or [fx.CUSTOM_LICENSE * 20])
    extra(args.extra)


if __name__ == "__main__":
    main()
