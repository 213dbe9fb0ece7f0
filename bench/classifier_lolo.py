"""The learned clause classifier, leave one license out, on the labelled corpus of real AI licenses.

    python bench/classifier_lolo.py [--corpus ../shared/corpus/ai-licenses] [--jobs 2]
                                    [--write-eval]

For each text of the corpus, the classifier is retrained as its release trains it
(models/clause-classifier/code/train.py `build`: thresholds calibrated on out-of-fold scores, then
the fit) on the written sentences, the package clauses and the clauses drawn from every *other*
corpus text, and the held-out text is read three ways:

- rules alone: `clauses.analyse(text)`, osaid's default path;
- classifier alone: every clause the analyser cuts (long enough to judge, not a heading or a
  copyright line) scored by the retrained model, at its thresholds;
- rules + classifier: `clauses.analyse(text, classifier=model)`, the classifier's blocking hits
  added where no rule found the kind in the clause;
- shipped, rules + shipped: the same two with the model osaid ships, which never learns from the
  corpus (its release trains on the written sentences and the package clauses only): every corpus
  text is unseen by it.

Scored per (text, kind) as bench/clauses_corpus.py and the corpus's score.py score: recall counts
strong labels only; a reported kind is a false positive only when the text has no label of that
kind, weak or not. Also counted: blocking kinds reported on the corpus's open controls.

Needs scikit-learn (osaid's `train` extra) and the release's build (`make data` in
models/clause-classifier, which draws the corpus clauses into its git-ignored data/build/).
`--write-eval` stores the table under `corpus_leave_one_license_out` in the release's
eval_results.json. The corpus is for measuring only: nothing from it is written to the project.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import yaml
from clauses_corpus import DEFAULT, ROOT, labels_file

RELEASE = ROOT / "models" / "clause-classifier"
MODES = ("rules", "classifier", "rules+classifier", "shipped", "rules+shipped")


def _release_code():
    if str(RELEASE / "code") not in sys.path:
        sys.path.insert(0, str(RELEASE / "code"))
    import train

    return train


def classifier_kinds(text: str, model) -> set[str]:
    """The kinds the model alone reports on the clauses of `text` the analyser would score."""
    from osaid.evidence.clauses import _NOTICE, _clauses, _is_heading, _too_short

    out: set[str] = set()
    for start, end in _clauses(text, 800):
        body = text[start:end]
        if _too_short(text, start, end) or _NOTICE.match(body) or _is_heading(body):
            continue
        out |= model.predict(body).keys()
    return out


def held_out(slug: str, text: str) -> dict[str, list[str]]:
    """The kinds each mode reports on `text`, the classifier trained without `slug`."""
    from osaid.evidence.classifier import Model
    from osaid.evidence.clauses import analyse

    train = _release_code()
    rows = [r for r in train.load_rows() if r[0] not in (f"corpus:{slug}", f"open:{slug}")]
    vw, vc, models, thresholds = train.build(rows)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.safetensors"
        train.export(vw, vc, models, thresholds, path)
        model = Model(path)
    shipped = Model(RELEASE / "model.safetensors")
    return {
        "rules": sorted({r.kind for r in analyse(text)}),
        "classifier": sorted(classifier_kinds(text, model)),
        "rules+classifier": sorted({r.kind for r in analyse(text, classifier=model)}),
        "shipped": sorted(classifier_kinds(text, shipped)),
        "rules+shipped": sorted({r.kind for r in analyse(text, classifier=shipped)}),
    }


def score(entries: list[dict], found: dict[str, dict[str, list[str]]], blocking: set[str]):
    """Per mode: per kind (tp, fn, labelled reports, false positives), and the blocking kinds
    reported on open controls."""
    table: dict[str, dict[str, collections.Counter]] = {}
    open_hits: dict[str, list[list[str]]] = {m: [] for m in MODES}
    for mode in MODES:
        c = table[mode] = {x: collections.Counter() for x in ("tp", "fn", "ptp", "fp")}
        for e in entries:
            got = set(found[e["slug"]][mode])
            strong = {k["kind"] for k in e["kinds"] if not k.get("weak")}
            anylabel = {k["kind"] for k in e["kinds"]}
            for kind in strong:
                c["tp" if kind in got else "fn"][kind] += 1
            for kind in got:
                c["ptp" if kind in anylabel else "fp"][kind] += 1
            if e.get("open"):
                open_hits[mode] += [[e["slug"], k] for k in sorted(got & blocking - anylabel)]
    return table, open_hits


def ratio(a: int, b: int) -> float | None:
    return round(a / b, 3) if b else None


def summary(c: dict[str, collections.Counter], kinds: list[str]) -> dict:
    tp, fn = sum(c["tp"][k] for k in kinds), sum(c["fn"][k] for k in kinds)
    ptp, fp = sum(c["ptp"][k] for k in kinds), sum(c["fp"][k] for k in kinds)
    return {
        "tp": tp,
        "fn": fn,
        "fp": fp,
        "recall": ratio(tp, tp + fn),
        "precision": ratio(ptp, ptp + fp),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT)
    ap.add_argument("--jobs", type=int, default=min(4, os.cpu_count() or 1))
    ap.add_argument("--write-eval", action="store_true", help="store in eval_results.json")
    args = ap.parse_args()
    labels = labels_file(args.corpus)
    if labels is None:
        return 2
    if not (RELEASE / "data" / "build" / "corpus.tsv").is_file():
        print("no data/build/corpus.tsv: run `make data` in models/clause-classifier first")
        return 2
    from osaid.knowledge import restriction_kinds

    kinds_meta = restriction_kinds()
    blocking = [k for k, v in kinds_meta.items() if v.get("blocking")]
    other = [k for k in kinds_meta if k not in blocking]
    entries = yaml.safe_load(labels.read_text(encoding="utf-8"))["licenses"]
    texts = [(e["slug"], (args.corpus / e["file"]).read_text(encoding="utf-8")) for e in entries]
    with ProcessPoolExecutor(args.jobs) as pool:
        results = list(pool.map(held_out, *zip(*texts, strict=True)))
    found = {slug: r for (slug, _), r in zip(texts, results, strict=True)}
    table, open_hits = score(entries, found, set(blocking))

    print(f"leave one license out on {len(entries)} texts of {args.corpus}\n")
    print(f"{'kind':<22}" + "".join(f"{m:>20}" for m in MODES))
    print(f"{'':<22}" + "".join(f"{'TP/FN/FP   R    P':>20}" for _ in MODES))
    out: dict = {"texts": len(entries), "modes": {}}
    for group, kinds in (("blocking", blocking), ("non-blocking", other)):
        for kind in kinds + [f"= {group}"]:
            cells = []
            for mode in MODES:
                s = summary(table[mode], kinds if kind.startswith("=") else [kind])
                out["modes"].setdefault(mode, {})[kind.removeprefix("= ")] = s
                r, p = s["recall"], s["precision"]
                cells.append(
                    f"{s['tp']:>3}/{s['fn']:>2}/{s['fp']:>2}"
                    f"{'-' if r is None else f'{r:.2f}':>6}{'-' if p is None else f'{p:.2f}':>6}"
                )
            print(f"{kind:<22}" + "".join(f"{c:>20}" for c in cells))
        print()
    for mode in MODES[1:]:
        wrong = [
            f"{e['slug']}: {k}"
            for e in entries
            for k in found[e["slug"]][mode]
            if k not in {x["kind"] for x in e["kinds"]}
        ]
        print(f"false positives ({mode}): {', '.join(wrong) or 'none'}")
    for mode in MODES:
        print(f"open controls, blocking kinds reported ({mode}): {len(open_hits[mode])}")
        for slug, kind in open_hits[mode]:
            print(f"  {slug}: {kind}")
    out["open_control_blocking_hits"] = open_hits
    out["per_text"] = found
    if args.write_eval:
        path = RELEASE / "eval_results.json"
        data = json.loads(path.read_text())
        data["corpus_leave_one_license_out"] = out
        path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
