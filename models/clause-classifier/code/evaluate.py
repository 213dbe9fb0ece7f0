# SPDX-License-Identifier: Apache-2.0
"""Evaluation: writes eval_results.json and prints the tables of the model card.

1. Cross-validation on data/build/train.tsv: per-kind precision and recall of the out-of-fold
   predictions at the calibrated thresholds (5 folds, the seed of train.py).
2. Held-out sentences (data/build/heldout.tsv, license texts never used in training): every
   blocking kind the classifier reports there is a false positive; the non-blocking kinds are
   compared with the rule analyser's.
3. Held-out restrictive documents (data/build/heldout_documents.jsonl): for each labelled kind,
   found by osaid's rules alone, and by rules + classifier (osaid.evidence.clauses.analyse).

The leave-one-license-out figures on the labelled corpus of AI licenses come from osaid's
bench/classifier_lolo.py, which stores them in eval_results.json too; they are kept here.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from model import ClauseClassifier  # noqa: E402
from prepare_data import BUILD, KINDS, NON_BLOCKING, ROOT  # noqa: E402


def prf(tp: int, fp: int, fn: int) -> dict:
    return {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": round(tp / (tp + fp), 3) if tp + fp else None,
        "recall": round(tp / (tp + fn), 3) if tp + fn else None,
    }


def main() -> None:
    import train

    clf = ClauseClassifier(ROOT / "model.safetensors")
    rows = [r for r in train.load_rows() if not train.from_corpus(r[0])]  # as the weights learn
    oof = train.out_of_fold(rows)
    cv = {}
    for k in KINDS:
        t = clf.thresholds[k]
        tp = sum(1 for (_, ls, _), s in zip(rows, oof, strict=False) if k in ls and s[k] >= t)
        fp = sum(1 for (_, ls, _), s in zip(rows, oof, strict=False) if k not in ls and s[k] >= t)
        fn = sum(1 for (_, ls, _), s in zip(rows, oof, strict=False) if k in ls and s[k] < t)
        cv[k] = prf(tp, fp, fn) | {"threshold": t}

    held = [line.split("\t") for line in (BUILD / "heldout.tsv").read_text().splitlines()]
    blocking_fp, nb = [], {k: [0, 0, 0] for k in NON_BLOCKING}
    for lic, kinds, text in held:
        got = set(clf.predict(text))
        want = set() if kinds == "-" else set(kinds.split(","))
        blocking_fp += [(lic, k) for k in got - NON_BLOCKING]  # ids only: no license text
        for k in NON_BLOCKING:
            nb[k][0] += k in got and k in want
            nb[k][1] += k in got and k not in want
            nb[k][2] += k not in got and k in want

    from osaid.evidence.clauses import analyse

    docs = [json.loads(x) for x in (BUILD / "heldout_documents.jsonl").read_text().splitlines()]
    per_doc, found = [], Counter()
    for d in docs:
        rs = analyse(d["text"])
        rules = {r.kind for r in rs if r.source == "rule"}
        both = {r.kind for r in rs}
        for k in d["kinds"]:
            found["labelled"] += 1
            found["rules"] += k in rules
            found["rules+classifier"] += k in both
        per_doc.append(
            {
                "id": d["id"],
                "kinds": d["kinds"],
                "rules": sorted(rules),
                "rules+classifier": sorted(both),
            }
        )
    out = {
        "cross_validation": cv,
        "heldout_sentences": {
            "sentences": len(held),
            "licenses": len({h[0] for h in held}),
            "blocking_false_positives": blocking_fp,
            "non_blocking_vs_rules": {k: prf(*v) for k, v in nb.items()},
        },
        "heldout_documents": {
            "documents": len(docs),
            "labelled_kinds": found["labelled"],
            "found_by_rules": found["rules"],
            "found_by_rules_and_classifier": found["rules+classifier"],
            "per_document": per_doc,
        },
    }
    path = ROOT / "eval_results.json"
    if path.is_file():  # figures other programs store here
        kept = json.loads(path.read_text())
        out |= {k: v for k, v in kept.items() if k == "corpus_leave_one_license_out"}
    path.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print(f"{'kind':24} {'thr':>5} {'P':>6} {'R':>6}  (cross-validation)")
    for k, v in cv.items():
        print(f"{k:24} {v['threshold']:5.2f} {v['precision'] or 0:6.2f} {v['recall'] or 0:6.2f}")
    print(f"held-out: {len(held)} sentences, blocking false positives: {len(blocking_fp)}")
    print(
        f"held-out documents: {found['labelled']} labelled kinds, rules {found['rules']}, "
        f"rules+classifier {found['rules+classifier']}"
    )


if __name__ == "__main__":
    main()
