"""SARIF 2.1.0 for an audit: one result per policy violation and place the model is used, located
at the application's own file and line (so code scanning annotates the line that loads it).

Rules are the policy's violation rules (`policy.RULES`); levels are the violation's severity
(`error`, `warning`, `note`); a waived violation is reported with a `suppressions` entry (kind
`external`, its reason and expiry), so it shows as dismissed rather than disappearing.
"""

from __future__ import annotations

from typing import TextIO

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFO_URI = "https://opensource.org/ai/open-source-ai-definition"

_DESCRIPTIONS = {
    "verdict": "A model the application uses does not have a verdict the policy accepts.",
    "license-denied": "A model the application uses is under a license the policy denies.",
    "license-not-allowed": "A model the application uses is under a license the policy does not allow.",
    "kind-denied": "A model's terms hold a restriction kind the policy never accepts.",
    "exception-expired": "A policy exception for a model has expired.",
    "unresolved": "A model the application uses could not be assessed.",
    "dynamic-reference": "A model id is built at run time, so the model cannot be known.",
}


def _location(path: str, line: int | None, column: int | None) -> dict:
    region: dict = {}
    if line:
        region["startLine"] = line
        if column:
            region["startColumn"] = column
    loc: dict = {"artifactLocation": {"uri": path, "uriBaseId": "%SRCROOT%"}}
    if region:
        loc["region"] = region
    return {"physicalLocation": loc}


def _result(v: dict, locations: list[dict], props: dict) -> dict:
    r: dict = {
        "ruleId": v["rule"],
        "level": v["severity"],
        "message": {"text": v["message"]},
        "locations": locations[:1],
        "properties": props,
    }
    if len(locations) > 1:
        r["relatedLocations"] = [dict(loc, id=i) for i, loc in enumerate(locations[1:], 1)]
    if v["waived"]:
        e = v["exception"]
        r["suppressions"] = [
            {
                "kind": "external",
                "justification": f"{e['reason']} (until {e['expires'] or 'no expiry'})",
            }
        ]
    return r


def to_sarif(doc: dict) -> dict:
    from osaid import __version__

    results = []
    for m in doc["models"]:
        kinds = sorted({r["kind"] for r in m["restrictions"]})
        props = {
            "model": m["id"],
            "verdict": m["verdict"],
            "license": m["license"],
            "restrictions": kinds,
        }
        for v in m["violations"]:
            if v["rule"] == "verdict" and m["findings"]:
                why = "; ".join(f["message"] for f in m["findings"][:3])
                v = dict(v, message=f"{v['message']}. Why: {why}")
            for u in m["usages"]:  # one result per place, so each line is annotated
                results.append(_result(v, [_location(u["path"], u["line"], u["column"])], props))
    for d in doc["dynamic"]:
        results.append(
            _result(
                d["violation"], [_location(d["path"], d["line"], None)], {"library": d["library"]}
            )
        )
    rules = [
        {
            "id": rid,
            "shortDescription": {"text": text},
        }
        for rid, text in _DESCRIPTIONS.items()
    ]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "osaid",
                        "version": __version__,
                        "informationUri": INFO_URI,
                        "rules": rules,
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": _dir_uri(doc["root"])}},
                "results": results,
            }
        ],
    }


def _dir_uri(root: str) -> str:
    from pathlib import Path

    return Path(root).resolve().as_uri() + "/"


def render(doc: dict, out: TextIO) -> None:
    import json

    json.dump(to_sarif(doc), out, indent=2, ensure_ascii=False)
    out.write("\n")
