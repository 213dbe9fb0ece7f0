"""How osaid's OSAI-index grades agree with the grades the European Open Source AI Index publishes.

The index's records are not part of osaid and are never vendored: the user supplies them, as the
YAML files of the index's public database (github.com/Language-Technology-Assessment/main-database,
one file per model: a `system` block, then one block per dimension with `class`, `link`, `notes`).
The manifests are Model Openness Tool records (default: ../shared/corpus/mot-models), read through
osaid's manifest source and graded by `osaid.frameworks.osai_index`, as `osaid check RECORD.yml`
does (no lineage: a manifest names no base model).

Method
------
1. **Pairing: only the same model.** A manifest and an index record are paired when they describe
   the same model, by the first of these that holds:
   a. the manifest's `release.huggingface` repository is the index record's model: its
      `system.link` or the link of its `weights_endmodel` (role `end`), or the link of its
      `weights_basemodel` (role `base`);
   b. the manifest's model name (`release.name`, with `release.version` added when the name
      leaves it out) folds to the same string as the record's `system.endmodelname` (role `end`)
      or `system.basemodelname` (role `base`). Folding drops case, spaces and punctuation only:
      "Llama-2-13B" and "llama 2 13b" are one model, "Llama-2-13B" and "Llama 2 Chat" are not.
      The record's `system.name` is the system's (often a family) and is never matched.
   A manifest that matches several records at the same level is ambiguous and not paired.
2. **Mapping of dimensions.** Each osaid dimension names the index's key in
   knowledge/osai_index.yaml (`index_key`). For role `end` all twelve are compared. For role
   `base` the manifest is the index's base model: osaid's end-model data and weights are compared
   with the record's `datasources_basemodel` and `weights_basemodel`, and nothing else (the other
   dimensions of the record describe a different model). The index's `package` and `api` have no
   osaid dimension.
3. **What is compared.** A dimension is compared when both sides grade it: the index's class is
   open, partial or closed (an empty class is the index's "not applicable"), and osaid's grade is
   not `not-assessed` (the input cannot hold that evidence; those are counted as coverage).
4. **Numbers.** Exact agreement = equal grades / compared dimensions. Cohen's kappa over the
   three grades: (p_o - p_e) / (1 - p_e), with p_e from each side's own grade frequencies; it
   says how much of the agreement is beyond what the two sides' grade frequencies give by chance
   (0: none; 1: perfect).
5. **Disagreement classes.** Every disagreement is grouped by (dimension, osaid's rule, osaid's
   grade -> the index's grade). A class is explained when osaid's rule in osai_index.yaml says,
   for that grade of the index, whether the difference is osaid's `deliberate` rule or
   `missing-evidence` (the input cannot show what the index's graders read elsewhere);
   docs/frameworks.md describes each. Classes whose rule says neither are printed as
   unexplained, and the exit code is 1.

Usage: python bench/osai_index_agreement.py INDEX_DIR [MANIFEST_DIR] [--details]
       python bench/osai_index_agreement.py --grades-only [MANIFEST_DIR]
The second form needs no index records: it prints osaid's grades over the manifests alone (how
often each dimension is open, partial, closed or not assessed, and by which rule).
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from osaid.knowledge import load_yaml  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus" / "mot-models"
GRADES = ("open", "partial", "closed")
_EMOJI = {"🟩": "open", "🟧": "partial", "🟥": "closed"}
_HF = re.compile(r"huggingface\.co/(?!datasets/|spaces/)([\w.-]+/[\w.-]+)", re.I)
BASE_DIMS = {"end-model-data": "datasources_basemodel", "end-model-weights": "weights_basemodel"}


# --- the two sides ---------------------------------------------------------------------------------


def fold(name: object) -> str:
    """A model name without case, spaces or punctuation (sizes and versions kept)."""
    text = unicodedata.normalize("NFKD", str(name or "")).lower()
    return re.sub(r"[^a-z0-9]+", "", text)


def hf_ids(value: object) -> set[str]:
    """Hugging Face model ids (`org/name`, lower case) in a link or a list of links."""
    values = value if isinstance(value, list) else [value]
    return {m.group(1).lower().rstrip(".") for v in values for m in _HF.finditer(str(v or ""))}


def grade(value: object) -> str | None:
    """An index class as open/partial/closed; None for an empty class (not applicable)."""
    text = str(value or "").strip()
    for emoji, g in _EMOJI.items():
        if emoji in text:
            return g
    text = text.lower()
    return text if text in GRADES else None


@dataclass
class IndexRecord:
    path: str
    name: str
    end_names: set[str]
    base_names: set[str]
    end_ids: set[str]
    base_ids: set[str]
    grades: dict[str, str]


def read_index(folder: Path) -> list[IndexRecord]:
    """The index records in a folder (`*.yaml`/`*.yml`); files that are not records are skipped."""
    out = []
    for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        if not isinstance(data, dict) or not isinstance(data.get("system"), dict):
            continue
        system = data["system"]
        blocks = {k: v for k, v in data.items() if isinstance(v, dict)}
        end = {fold(system.get("endmodelname"))} - {""}
        out.append(
            IndexRecord(
                path=path.name,
                name=str(system.get("name") or path.stem),
                end_names=end,
                base_names={fold(system.get("basemodelname"))} - {""},
                end_ids=hf_ids(system.get("link"))
                | hf_ids(blocks.get("weights_endmodel", {}).get("link")),
                base_ids=hf_ids(blocks.get("weights_basemodel", {}).get("link")),
                grades={
                    k: g for k, v in blocks.items() if (g := grade(v.get("class"))) is not None
                },
            )
        )
    return out


@dataclass
class Manifest:
    path: Path
    names: set[str]
    ids: set[str]


def read_manifests(folder: Path) -> list[Manifest]:
    from osaid.evidence.manifest import ManifestError, parse_manifest

    out = []
    for path in sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")]):
        try:
            rel = parse_manifest(path.read_text(encoding="utf-8"), path.name)["data"]["release"]
        except (OSError, UnicodeDecodeError, ManifestError):
            continue
        name, version = str(rel.get("name") or ""), str(rel.get("version") or "")
        # the model, not its family: a version the name leaves out is part of the model's name
        full = f"{name} {version}" if fold(version) not in fold(name) else name
        names = {fold(full)} - {""}
        out.append(Manifest(path, names, hf_ids(rel.get("huggingface"))))
    return out


# --- pairing and comparing ------------------------------------------------------------------------


@dataclass
class Pair:
    manifest: Manifest
    record: IndexRecord
    role: str
    """`end` (the manifest is the record's end model) or `base` (its base model)."""
    how: str
    """`hub-id` or `name`."""


def pair(manifests: list[Manifest], records: list[IndexRecord]) -> tuple[list[Pair], list[str]]:
    """Pairs of manifest and record that describe the same model, and the ambiguous manifests."""
    pairs, ambiguous = [], []
    for m in manifests:
        levels = [
            ("hub-id", [(r, "end") for r in records if m.ids & r.end_ids]
             + [(r, "base") for r in records if m.ids & r.base_ids and not m.ids & r.end_ids]),
            ("name", [(r, "end") for r in records if m.names & r.end_names]
             + [(r, "base") for r in records if m.names & r.base_names
                and not m.names & r.end_names]),
        ]  # fmt: skip
        for how, found in levels:
            if len({r.path for r, _ in found}) == 1:
                pairs.append(Pair(m, found[0][0], found[0][1], how))
                break
            if found:
                ambiguous.append(m.path.name)
                break
    return pairs, ambiguous


@cache
def mapping() -> dict[str, dict]:
    """osaid dimension -> its entry in osai_index.yaml (with `index_key` and `rules`)."""
    data = load_yaml("osai_index.yaml")
    return {d["id"]: d for d in data["dimensions"]} | {"_common": data["common_rules"]}


def explanation(dim: str, rule: str, theirs: str) -> str:
    """`deliberate`, `missing-evidence` or `unexplained`: the rule's `disagreement` in
    osai_index.yaml, one word for any grade the index gives or a mapping by the index's grade."""
    spec = mapping()
    entry = spec[dim]["rules"].get(rule) or spec["_common"].get(rule) or {}
    label = entry.get("disagreement")
    if isinstance(label, dict):
        label = label.get(theirs)
    return label or "unexplained"


@dataclass
class Row:
    model: str
    record: str
    dimension: str
    index_key: str
    ours: str
    theirs: str
    rule: str


@dataclass
class Result:
    rows: list[Row] = field(default_factory=list)
    not_assessed: Counter = field(default_factory=Counter)
    pairs: list[Pair] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)
    manifests: int = 0
    records: int = 0


def grade_manifest(path: Path) -> dict[str, dict]:
    from osaid.pipeline import Settings, assess_target

    settings = Settings(frameworks=("osai-index",), lineage_depth=0, link=False)
    return assess_target(str(path), settings).extra["osai_index"]["dimensions"]


def compare(index_dir: Path, manifest_dir: Path = CORPUS) -> Result:
    records, manifests = read_index(index_dir), read_manifests(manifest_dir)
    pairs, ambiguous = pair(manifests, records)
    result = Result(
        pairs=pairs, ambiguous=ambiguous, manifests=len(manifests), records=len(records)
    )
    spec = mapping()
    for p in pairs:
        dims = grade_manifest(p.manifest.path)
        keys = {d: spec[d]["index_key"] for d in dims} if p.role == "end" else dict(BASE_DIMS)
        for dim, key in keys.items():
            theirs = p.record.grades.get(key)
            if theirs is None:
                continue
            ours = dims[dim]
            if ours["grade"] not in GRADES:
                result.not_assessed[dim] += 1
                continue
            result.rows.append(
                Row(p.manifest.path.name, p.record.path, dim, key, ours["grade"], theirs,
                    ours["rule"])
            )  # fmt: skip
    return result


def kappa(pairs: list[tuple[str, str]]) -> float | None:
    """Cohen's kappa of two raters' grades; None when nothing was compared."""
    n = len(pairs)
    if not n:
        return None
    observed = sum(1 for a, b in pairs if a == b) / n
    left, right = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(left[g] * right[g] for g in GRADES) / (n * n)
    if expected == 1:
        return 1.0 if observed == 1 else 0.0
    return (observed - expected) / (1 - expected)


def classes(rows: list[Row]) -> Counter:
    """Disagreements by (dimension, osaid rule, osaid grade, index grade)."""
    return Counter((r.dimension, r.rule, r.ours, r.theirs) for r in rows if r.ours != r.theirs)


# --- report ---------------------------------------------------------------------------------------


def grades_only(manifest_dir: Path) -> int:
    """osaid's grades over the manifests, per dimension and rule (no index records needed)."""
    by_dim: dict[str, Counter] = {}
    rules: Counter = Counter()
    manifests = read_manifests(manifest_dir)
    for m in manifests:
        for dim, d in grade_manifest(m.path).items():
            by_dim.setdefault(dim, Counter())[d["grade"]] += 1
            rules[(dim, d["rule"], d["grade"])] += 1
    cols = (*GRADES, "not-assessed")
    print(f"osaid's grades over {len(manifests)} manifests in {manifest_dir}\n")
    print("".ljust(24) + "".join(c.rjust(14) for c in cols))
    for dim, counts in by_dim.items():
        print(dim.ljust(24) + "".join(str(counts[c]).rjust(14) for c in cols))
    print("\nby rule:")
    for (dim, rule, g), n in sorted(rules.items()):
        print(f"  {dim:24} {rule:28} {g:13} {n:5}")
    return 0


def main(argv: list[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    details = "--details" in argv
    if "--grades-only" in argv:
        folder = Path(args[0]) if args else CORPUS
        if not folder.is_dir():
            print(f"osai_index_agreement: {folder}: not a folder", file=sys.stderr)
            return 2
        return grades_only(folder)
    if not args:
        print(
            "usage: python bench/osai_index_agreement.py INDEX_DIR [MANIFEST_DIR] [--details]\n"
            "INDEX_DIR holds the index's own records (YAML, one per model); they are not part "
            "of osaid and must be supplied.",
            file=sys.stderr,
        )
        return 2
    index_dir = Path(args[0])
    manifest_dir = Path(args[1]) if len(args) > 1 else CORPUS
    for folder in (index_dir, manifest_dir):
        if not folder.is_dir():
            print(f"osai_index_agreement: {folder}: not a folder", file=sys.stderr)
            return 2
    r = compare(index_dir, manifest_dir)
    by_role = Counter(p.role for p in r.pairs)
    by_how = Counter(p.how for p in r.pairs)
    print(
        f"{r.records} index records, {r.manifests} manifests: {len(r.pairs)} paired "
        f"({by_role['end']} as end model, {by_role['base']} as base model; "
        f"{by_how['hub-id']} by hub id, {by_how['name']} by name), "
        f"{len(r.ambiguous)} ambiguous"
    )
    if details:
        for p in r.pairs:
            print(f"  {p.manifest.path.name} = {p.record.path} ({p.role}, by {p.how})")
        for name in r.ambiguous:
            print(f"  ambiguous: {name}")
    n = len(r.rows)
    if not n:
        print("no dimension graded by both sides")
        return 0
    agree = sum(1 for x in r.rows if x.ours == x.theirs)
    k = kappa([(x.ours, x.theirs) for x in r.rows])
    print(f"\ndimensions graded by both: {n}")
    print(f"exact agreement: {agree}/{n} ({agree / n:.1%})")
    print(f"Cohen's kappa: {k:.3f}")
    if r.not_assessed:
        total = sum(r.not_assessed.values())
        print(
            f"not assessed by osaid (the input cannot hold the evidence), left out: {total} ("
            + ", ".join(f"{d} {c}" for d, c in r.not_assessed.most_common())
            + ")"
        )
    print("\nosaid (rows) against the index (columns):")
    table = Counter((x.ours, x.theirs) for x in r.rows)
    print("".ljust(10) + "".join(g.rjust(10) for g in GRADES))
    for a in GRADES:
        print(a.ljust(10) + "".join(str(table[(a, b)]).rjust(10) for b in GRADES))
    print("\nper dimension:")
    for dim in (d for d in mapping() if d != "_common"):
        rows = [x for x in r.rows if x.dimension == dim]
        if rows:
            same = sum(1 for x in rows if x.ours == x.theirs)
            print(f"  {dim:24} {same:4}/{len(rows):<4} ({same / len(rows):.0%})")
    found = classes(r.rows)
    unexplained = 0
    print("\ndisagreement classes (dimension, osaid rule: osaid -> index):")
    for (dim, rule, ours, theirs), count in found.most_common():
        why = explanation(dim, rule, theirs)
        unexplained += why == "unexplained"
        print(f"  {count:4}  {dim}, {rule}: {ours} -> {theirs}  [{why}]")
        if details:
            for x in r.rows:
                if (x.dimension, x.rule, x.ours, x.theirs) == (dim, rule, ours, theirs):
                    print(f"          {x.model} / {x.record}")
    if unexplained:
        print(f"\n{unexplained} disagreement class(es) with no explanation in osai_index.yaml")
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
