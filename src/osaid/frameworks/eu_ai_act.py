"""EU AI Act Art. 53(2): does the release look like it meets the open-source exemption's conditions?

Facts -> `{"open_source_exemption": "likely" | "unlikely" | "unknown", "reasons": [...],
"caveats": [...]}`. Each reason is an object: the condition (knowledge/eu_ai_act.yaml), its status
(`met`, `not-met`, `unknown`), a message and the evidence. `likely` needs every condition met;
`unlikely` means some evidence shows one is not; `unknown` otherwise. This is information about the
published terms and artifacts, not legal advice, and it says nothing about systemic risk.
"""

from __future__ import annotations

import re
from functools import cache

from osaid import regex
from osaid.frameworks.osaid import restriction_evidence
from osaid.knowledge import load_yaml, restriction_kinds
from osaid.model import Evidence, Facts

NAME = "eu-ai-act"
MET, NOT_MET, UNKNOWN = "met", "not-met", "unknown"


@cache
def _spec() -> dict:
    data = load_yaml("eu_ai_act.yaml")
    conditions = {c["id"]: c for c in data["conditions"]}
    return {
        "conditions": conditions,
        "caveats": list(data["caveats"]),
        "usage": regex.compile(conditions["usage"]["usage_heading"], re.I),
    }


def _license(facts: Facts) -> tuple[str, str, list[Evidence]]:
    weights = facts.component("model-parameters-final")
    kinds = restriction_kinds()
    release = [lf for lf in facts.licenses if "release" in lf.scopes]
    blocking = [
        (lf, r) for lf in release for r in lf.restrictions if kinds.get(r.kind, {}).get("blocking")
    ]
    closed = [lf for lf in release if lf.open is False]
    if weights.license_open is False or closed or blocking:
        evidence = [restriction_evidence(lf, r) for lf, r in blocking[:3]]
        evidence += [e for lf in closed for e in lf.evidence[:1]]
        evidence += list(weights.license_evidence[:1]) if weights.license_open is False else []
        evidence = list(dict.fromkeys(evidence))
        weight_ids = (
            re.findall(r"[A-Za-z0-9.+\-]+", weights.license or "")
            if weights.license_open is False
            else []
        )
        names = list(
            dict.fromkeys(
                [lf.id for lf in closed]
                + [lf.id for lf, _ in blocking]
                + [i for i in weight_ids if i not in ("AND", "OR", "WITH")]
            )
        )
        what = "; ".join(dict.fromkeys(kinds[r.kind]["label"] for _, r in blocking[:3]))
        return (
            NOT_MET,
            (
                f"The terms ({', '.join(names)}) are not a free and open-source licence"
                + (f": {what}." if what else ".")
            ),
            evidence,
        )
    if weights.status != "missing" and weights.license_open is True:
        return (
            MET,
            f"The weights are under open terms ({weights.license}).",
            list(weights.license_evidence[:2]),
        )
    if weights.status != "missing" and weights.license:
        return (
            UNKNOWN,
            f"osaid cannot judge the weights' terms ({weights.license}).",
            list(weights.license_evidence[:2]),
        )
    if release and all(lf.open is True for lf in release):
        return (
            MET,
            "The release is under open terms (" + ", ".join(lf.id for lf in release) + ").",
            [e for lf in release for e in lf.evidence[:1]],
        )
    return UNKNOWN, "No license that applies to the weights was found.", []


def _access(facts: Facts) -> tuple[str, str, list[Evidence]]:
    if facts.gated is not None:
        return (
            UNKNOWN,
            (
                "Access is gated (an agreement or a form is required); whether that still "
                "allows access is for the provider to assess."
            ),
            [facts.gated],
        )
    if facts.component("model-parameters-final").status == "missing":
        return UNKNOWN, "No weights were found, so access to them cannot be shown.", []
    return MET, "No gate on the release was found.", []


def _parameters(facts: Facts) -> tuple[str, str, list[Evidence]]:
    w = facts.component("model-parameters-final")
    if w.status == "present":
        return MET, "The final weights are in the release.", list(w.evidence[:2])
    if w.status == "declared":
        return MET, "The final weights are linked from the release.", list(w.evidence[:2])
    if w.withheld:
        return NOT_MET, "The release says its weights are not provided.", list(w.withheld[:2])
    return UNKNOWN, "No weights were found in the release or linked from it.", []


def _architecture(facts: Facts) -> tuple[str, str, list[Evidence]]:
    a = facts.component("model-architecture")
    if a.status != "missing":
        return (
            MET,
            "Model architecture code is "
            + ("in the release." if a.status == "present" else "linked from the release."),
            list(a.evidence[:2]),
        )
    if a.withheld:
        return NOT_MET, "The release says its architecture is not provided.", list(a.withheld[:2])
    return UNKNOWN, "No model architecture code or description was found.", []


def _usage(facts: Facts) -> tuple[str, str, list[Evidence]]:
    card = facts.card
    if card is not None:
        for heading, line, _ in card.sections:
            if heading and _spec()["usage"].search(heading):
                return (
                    MET,
                    "The model card documents how to use the model.",
                    [Evidence(path=card.path, line=line, quote=heading)],
                )
    inference = facts.component("inference-code")
    if inference.status != "missing":
        return MET, "Inference code shows how to use the model.", list(inference.evidence[:2])
    return (
        UNKNOWN,
        "No usage information (a usage section in the card, or inference code) was found.",
        [],
    )


_CHECKS = {
    "license": _license,
    "access": _access,
    "parameters": _parameters,
    "architecture": _architecture,
    "usage": _usage,
}


def assess(facts: Facts) -> dict:
    spec = _spec()
    reasons = []
    for cid, cond in spec["conditions"].items():
        status, message, evidence = _CHECKS[cid](facts)
        reasons.append(
            {
                "condition": cid,
                "label": cond["label"],
                "status": status,
                "message": message,
                "evidence": [e.to_json() for e in evidence],
            }
        )
    statuses = [r["status"] for r in reasons]
    if NOT_MET in statuses:
        result = "unlikely"
    elif all(s == MET for s in statuses):
        result = "likely"
    else:
        result = "unknown"
    open_points = [
        f"{r['condition']} {r['status'].replace('-', ' ')}" for r in reasons if r["status"] != MET
    ]
    summary = f"open-source exemption (Art. 53(2)) {result}"
    if open_points:
        summary += f": {', '.join(open_points[:2])}" + (" ..." if len(open_points) > 2 else "")
    summary += "; never for systemic-risk models; not legal advice"
    block = {"open_source_exemption": result, "reasons": reasons, "caveats": spec["caveats"]}
    return {"block": block, "summary": summary}
