"""Benchmark of the learned clause classifier (osaid.evidence.classifier).

Prints the cold cost of loading the shipped weights, the warm cost of scoring every clause of
10 KB of license text (the classifier alone, and the clause analyser with and without it), and
the blocking hits on the permissive and copyleft license texts installed on this machine (any is
a false positive).

Usage: python bench/classifier_bench.py
"""

from __future__ import annotations

import random
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import clause_fixtures as fx  # noqa: E402


def main() -> None:
    code = (
        "import time; t0 = time.perf_counter(); from osaid.evidence import classifier; "
        "classifier.model(); print((time.perf_counter() - t0) * 1000)"
    )
    cold = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(3)
    ]
    print(f"cold: import + load weights {min(cold):.1f} ms (best of 3 fresh processes)")
    from osaid.evidence import classifier, clauses
    from osaid.knowledge import restriction_kinds

    m = classifier.model()
    found = fx.find_real_texts()
    corpus = "\n\n".join(t for _, _, t in found)
    rng = random.Random(1)
    samples = [
        corpus[a : a + 10_240]
        for a in (rng.randrange(0, max(1, len(corpus) - 10_240)) for _ in range(20))
    ]
    eng = clauses._engine()

    def score_all(s: str) -> None:
        for a, b in clauses._clauses(s, eng.max_clause):
            m.predict(s[a:b])

    def best(fn) -> float:
        runs = []
        for _ in range(3):
            t0 = time.perf_counter()
            for s in samples:
                fn(s)
            runs.append((time.perf_counter() - t0) / len(samples) * 1000)
        return min(runs)

    print(f"warm: classifier alone {best(score_all):.2f} ms per 10 KB (every clause scored)")
    with_clf = best(lambda t: clauses.analyse(t, classifier=True))
    rules_only = best(clauses.analyse)
    print(
        f"warm: clause analyser {with_clf:.2f} ms per 10 KB with the classifier, "
        f"{rules_only:.2f} ms rules only"
    )
    blocking = {k for k, v in restriction_kinds().items() if v.get("blocking")}
    bad = []
    for family, path, text in found:
        bad += [
            (family, path, r)
            for r in clauses.analyse(text, path, classifier=True)
            if r.source == "classifier" and r.kind in blocking
        ]
    print(
        f"real texts: {len(found)} permissive/copyleft files, classifier blocking hits: {len(bad)}"
    )
    for family, path, r in bad:
        print(f"  FALSE POSITIVE {family} {path}:{r.line} {r.kind} {r.score:.3f}: {r.quote}")


if __name__ == "__main__":
    main()
