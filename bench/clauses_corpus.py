"""The clause reader on a labelled corpus of real AI license texts: recall and precision per kind.

    python bench/clauses_corpus.py [--corpus ../shared/corpus/ai-licenses] [--classifier]
                                   [--catalog] [--quiet]

Runs `osaid.evidence.clauses.analyse` over every text listed in the corpus's `labels.yaml` and
compares the set of kinds it reports per text with the labelled kinds, as the corpus's `score.py`
does: recall counts only strong labels (a `weak: true` label is left out), and a reported kind is a
false positive only when the text has no label of that kind at all, weak or not. Scoring is per
(text, kind). Then it lists every miss (with the labelled quotes) and every false positive (with the
quote osaid reported), the blocking hits on the corpus's open controls, and the Chinese-only texts.

`--classifier` adds the learned classifier's hits (off the default path); `--catalog` adds the
restrictions the catalog knows for an identified license, as `osaid license` reports them.
The corpus is for measuring only: nothing from it is copied into the project.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
# ../shared beside the repository, or where OSAID_SHARED points (as for the tests)
DEFAULT = Path(os.environ.get("OSAID_SHARED") or ROOT.parent / "shared") / "corpus" / "ai-licenses"


def labels_file(corpus: Path) -> Path | None:
    """The corpus's labels.yaml, or None (said on stderr) when the corpus is not there."""
    labels = corpus / "labels.yaml"
    if labels.is_file():
        return labels
    print(f"no corpus at {corpus} (labels.yaml missing)", file=sys.stderr)
    return None


def reported(text: str, path: str, *, classifier: bool, catalog: bool) -> list[tuple[str, str]]:
    """(kind, quote) of each restriction the reader reports for `text`."""
    from osaid.evidence import clauses

    out = [(r.kind, r.quote) for r in clauses.analyse(text, path, classifier=classifier)]
    if catalog:
        from osaid.cli.license import analyse as license_analyse

        out += [
            (r["kind"], f"[catalog {r.get('license')}]")
            for r in license_analyse(text, path)["restrictions"]
            if r.get("source") == "catalog"
        ]
    return out


def _fold(s: str) -> str:
    return " ".join(s.replace("…", " ").split())


def at_label(quotes: list[str], labelled: list[str]) -> bool:
    """Whether one reported quote and one labelled quote overlap (one holds a long piece of the
    other): the kind was found where the labeller found it, not only somewhere in the text."""
    for q in map(_fold, quotes):
        for lab in map(_fold, labelled):
            short, long_ = sorted((q, lab), key=len)
            piece = short[: min(len(short), 40)]
            if piece and (piece in long_ or short[-40:] in long_):
                return True
    return False


def speed(texts: dict[str, str], classifier: bool) -> None:
    """Warm CPU time of identify + analyse per 10 KB slice, for all texts and the Chinese ones
    (CPU time: steadier than wall time on a shared machine)."""
    import time

    from osaid.evidence import clauses
    from osaid.evidence.identify import identify_text

    def per_slice(slices: list[str], fn) -> float:
        for s in slices:
            fn(s)
        best = float("inf")
        for _ in range(3):
            t0 = time.process_time()
            for s in slices:
                fn(s)
            best = min(best, (time.process_time() - t0) * 1000 / len(slices))
        return best

    def both(s: str) -> None:
        identify_text(s)
        clauses.analyse(s, classifier=classifier)

    slices = []  # 10 KB of UTF-8 each (a Chinese 10 KB is about 3,400 characters)
    for t in texts.values():
        data = t.encode("utf-8")
        for i in range(0, len(data), 10_240):
            if len(data) - i >= 5_000:
                slices.append(data[i : i + 10_240].decode("utf-8", "ignore"))
    zh = [s for s in slices if sum("\u4e00" <= ch <= "\u9fff" for ch in s) > 500]
    for name, group in (("all", slices), ("Chinese", zh)):
        if not group:  # a small corpus may have no 10 KB slice (of Chinese)
            print(f"speed ({name}): no 10 KB slice")
            continue
        print(
            f"speed ({name}, {len(group)} slices of 10 KB, CPU ms each): identify + analyse "
            f"{per_slice(group, both):.2f}, analyse "
            f"{per_slice(group, lambda s: clauses.analyse(s, classifier=classifier)):.2f}, "
            f"identify {per_slice(group, identify_text):.2f}"
        )


def ratio(a: int, b: int) -> str:
    return f"{a / b:.2f}" if b else "  - "


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT)
    ap.add_argument("--classifier", action="store_true", help="add the learned classifier's hits")
    ap.add_argument("--catalog", action="store_true", help="add catalog restrictions")
    ap.add_argument("--quiet", action="store_true", help="the table only")
    args = ap.parse_args()
    labels = labels_file(args.corpus)
    if labels is None:
        return 2
    from osaid.knowledge import restriction_kinds

    kinds_meta = restriction_kinds()
    blocking = [k for k, v in kinds_meta.items() if v.get("blocking")]
    other = [k for k in kinds_meta if k not in blocking]
    data = yaml.safe_load(labels.read_text(encoding="utf-8"))

    tp, fn, ptp, fp = (collections.Counter() for _ in range(4))
    misses: list[tuple[str, str, list[str]]] = []
    false_pos: list[tuple[str, str, list[str]]] = []
    open_hits: list[tuple[str, str, str]] = []
    zh_only: list[tuple[str, set[str], set[str]]] = []
    texts: dict[str, str] = {}
    placed = elsewhere = 0
    off_label: list[tuple[str, str, list[str]]] = []
    for entry in data["licenses"]:
        slug = entry["slug"]
        text = texts[slug] = (args.corpus / entry["file"]).read_text(encoding="utf-8")
        found = reported(text, entry["file"], classifier=args.classifier, catalog=args.catalog)
        got: dict[str, list[str]] = collections.defaultdict(list)
        for kind, quote in found:
            got[kind].append(quote)
        strong = {k["kind"] for k in entry["kinds"] if not k.get("weak")}
        anylabel = {k["kind"] for k in entry["kinds"]}
        for kind in sorted(strong):
            if kind in got:
                tp[kind] += 1
                labelled = [k["quote"] for k in entry["kinds"] if k["kind"] == kind]
                if at_label(got[kind], labelled):
                    placed += 1
                else:
                    elsewhere += 1
                    off_label.append((kind, slug, got[kind]))
            else:
                fn[kind] += 1
                quotes = [k["quote"] for k in entry["kinds"] if k["kind"] == kind]
                misses.append((kind, slug, quotes))
        for kind in sorted(got):
            if kind in anylabel:
                ptp[kind] += 1
            else:
                fp[kind] += 1
                false_pos.append((kind, slug, got[kind]))
        if entry.get("open"):
            open_hits += [
                (slug, k, q[0]) for k, q in got.items() if k in blocking and k not in anylabel
            ]
        if entry.get("language") == "zh":
            zh_only.append((slug, strong, set(got)))

    mode = (
        "rules"
        + (" + classifier" if args.classifier else "")
        + (" + catalog" if args.catalog else "")
    )
    print(f"clause reader ({mode}) on {len(data['licenses'])} texts of {args.corpus}\n")
    print(f"{'kind':<22}{'TP':>4}{'FN':>4}{'recall':>8}{'FP':>5}{'prec':>7}")
    for group, kinds in (("blocking", blocking), ("non-blocking", other)):
        for kind in kinds:
            print(
                f"{kind:<22}{tp[kind]:>4}{fn[kind]:>4}{ratio(tp[kind], tp[kind] + fn[kind]):>8}"
                f"{fp[kind]:>5}{ratio(ptp[kind], ptp[kind] + fp[kind]):>7}"
            )
        t, f = sum(tp[k] for k in kinds), sum(fn[k] for k in kinds)
        pt, pf = sum(ptp[k] for k in kinds), sum(fp[k] for k in kinds)
        print(f"{'= ' + group:<22}{t:>4}{f:>4}{ratio(t, t + f):>8}{pf:>5}{ratio(pt, pt + pf):>7}\n")
    print(
        f"found kinds quoted at a labelled place: {placed} of {placed + elsewhere}"
        " (the others were found in another clause of the same text)"
    )
    print(f"open controls: {len(open_hits)} blocking hits")
    for slug, kind, quote in open_hits:
        print(f"  {slug}: {kind}: {quote}")
    for slug, strong, got in zh_only:
        print(f"Chinese-only {slug}: found {len(strong & got)} of {len(strong)} labelled kinds")
    speed(texts, args.classifier)
    if args.quiet:
        return 0
    print("\nmisses (labelled quotes):")
    for kind, slug, quotes in sorted(misses):
        print(f"  {kind} in {slug}:")
        for q in quotes:
            print(f"      | {q}")
    print("\nfound, but not at a labelled place (reported quotes):")
    for kind, slug, quotes in sorted(off_label):
        print(f"  {kind} in {slug}:")
        for q in quotes:
            print(f"      | {q}")
    print("\nfalse positives (reported quotes):")
    for kind, slug, quotes in sorted(false_pos):
        print(f"  {kind} in {slug}:")
        for q in quotes:
            print(f"      | {q}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
