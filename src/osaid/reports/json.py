"""The JSON report (`osaid.report/1`): the stable contract documented in the README."""

from __future__ import annotations

import json
from typing import TextIO

from osaid import __version__
from osaid.model import Assessment

SCHEMA = "osaid.report/1"


def to_dict(a: Assessment) -> dict:
    s = a.facts.subject
    return {
        "schema": SCHEMA,
        "tool": {"name": "osaid", "version": __version__},
        "subject": {
            "name": s.name,
            "source": s.source,
            "location": s.location,
            "revision": s.revision,
        },
        "verdict": a.verdict.value,
        "freedoms": dict(a.freedoms),
        "elements": {
            name: {
                "status": e.status,
                "findings": list(e.findings),
                "items": [
                    {
                        "id": i.id,
                        "label": i.label,
                        "status": i.status,
                        "license": i.license,
                        "license_open": i.license_open,
                        "evidence": [ev.to_json() for ev in i.evidence],
                    }
                    for i in e.items
                ],
            }
            for name, e in a.elements.items()
        },
        "components": [
            {
                "id": c.id,
                "mof_id": c.mof_id,
                "name": c.name,
                "status": c.status,
                "basis": c.basis,
                "license": c.license,
                "license_open": c.license_open,
                "evidence": [ev.to_json() for ev in c.evidence],
            }
            for c in a.facts.components
        ],
        "licenses": [
            {
                "id": lf.id,
                "name": lf.name,
                "osi_approved": lf.osi_approved,
                "open": lf.open,
                "scopes": list(lf.scopes),
                "note": lf.note,
                "evidence": [ev.to_json() for ev in lf.evidence],
                "restrictions": [r.to_json() for r in lf.restrictions],
            }
            for lf in a.facts.licenses
        ],
        "findings": [f.to_json() for f in a.findings],
        "lineage": [
            {
                "id": b.id,
                "relation": b.relation,
                "license": b.license,
                "verdict": b.verdict,
                "depth": b.depth,
                "status": b.status,
                "via": b.via,
                "relation_inferred": b.relation_inferred,
                "location": b.location,
                "reason": b.reason,
            }
            for b in a.facts.bases
        ],
        **a.extra,
    }


def render(a: Assessment, out: TextIO, *, color: bool = False) -> None:
    json.dump(to_dict(a), out, indent=2, ensure_ascii=False)
    out.write("\n")
