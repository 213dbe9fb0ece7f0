"""How each component of a set of releases is known: status and basis (content, metadata,
declared, name) per component, and the verdict, for release folders given on the command line.

    python bench/evidence_basis.py examples/* [more release folders] [--json]

Run it with two versions of osaid on the same folders to count components whose evidence
changed status or basis (e.g. code that was present by its file name and is now not evidence).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+")
    parser.add_argument("--json", action="store_true", help="print the table as JSON")
    args = parser.parse_args()
    from osaid.evidence.extract import extract
    from osaid.frameworks.osaid import assess
    from osaid.sources import load

    table: dict[str, dict] = {}
    totals: Counter = Counter()
    for folder in args.folders:
        a = assess(extract(load(folder)))
        comps = {c.id: f"{c.status}/{getattr(c, 'basis', None) or '-'}" for c in a.facts.components}
        table[folder] = {"verdict": a.verdict.value, "components": comps}
        totals.update(v for v in comps.values())
    if args.json:
        json.dump(table, sys.stdout, indent=1, sort_keys=True)
        print()
        return 0
    for folder, row in table.items():
        present = {k: v for k, v in row["components"].items() if not v.startswith("missing")}
        print(f"{folder}: {row['verdict']}; " + ", ".join(f"{k}={v}" for k, v in present.items()))
    print("totals: " + ", ".join(f"{k} {n}" for k, n in sorted(totals.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
