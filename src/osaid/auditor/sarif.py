"""SARIF 2.1.0 for an audit: one result per policy violation and place the model is used, located
at the application's own file and line (so code scanning annotates the line that loads it).

The log is built with the building blocks `osaid check --format sarif` uses (`reports/sarif.py`),
so both commands write the same tool, rule and result shapes. Rules are the policy's violation
rules (`policy.RULES`); levels are the violation's severity (`error`, `warning`, `note`); a waived
violation is reported with a `suppressions` entry (kind `external`, its reason and expiry), so it
shows as dismissed rather than disappearing. Locations are relative to the audited folder
(`uriBaseId` `%SRCROOT%`); a result's fingerprint is its rule, model, file and the text of the
line, so it does not move when lines do.
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from osaid.policy import RULES
from osaid.reports.sarif import (
    INFORMATION_URI,
    SarifLocation,
    SarifResult,
    SarifRule,
    fingerprint,
    sarif_log,
    write,
)

ROOT_BASE = "%SRCROOT%"
_EXCEPTION = "or add a policy exception for the model with a reason and an expiry"
_HELP = {
    "verdict": (
        "A model the application uses does not have a verdict the policy accepts.",
        "The policy's `require` (or `deny`) says which verdicts are accepted; the result names "
        "the model's verdict and why. Fix: use a model whose verdict is accepted "
        f"(`osaid check MODEL` says what its release lacks), {_EXCEPTION}.",
    ),
    "license-denied": (
        "A model the application uses is under a license the policy denies.",
        f"A license of the model matches `deny-licenses`. Fix: use another model, {_EXCEPTION}.",
    ),
    "license-not-allowed": (
        "A model the application uses is under a license the policy does not allow.",
        "A license of the model is not in `allow-licenses`. Fix: use another model, add the "
        f"license to `allow-licenses`, {_EXCEPTION}.",
    ),
    "kind-denied": (
        "A model's terms hold a restriction kind the policy never accepts.",
        "The model's terms (or its base model's) hold a clause of a kind in `deny-kinds`; the "
        f"result names the kind and where it is. Fix: use another model, {_EXCEPTION}.",
    ),
    "exception-expired": (
        "A policy exception for a model has expired.",
        "The exception's `expires` date has passed, so the model's violations count again. "
        "Fix: stop using the model, or renew the exception with a new reason and date.",
    ),
    "unresolved": (
        "A model the application uses could not be assessed.",
        "osaid could not find or read the model; the result says why. Fix: name where it is "
        "with `--map ID=PATH`, pin it with `--lock osaid.lock`, or let osaid reach the hub.",
    ),
    "dynamic-reference": (
        "A model id is built at run time, so the model cannot be known.",
        "The id is computed (an f-string, an environment variable), so osaid cannot say which "
        "model runs. Fix: name the model with a literal id or a constant where it is loaded, "
        'or set `dynamic-reference = "note"` in the policy\'s severity table if that is known.',
    ),
}


def rules(severity: dict[str, str] | None = None) -> list[SarifRule]:
    """The policy's violation rules as SARIF rules, at the severities the policy gives them."""
    sev = {**RULES, **(severity or {})}
    return [
        SarifRule(
            rid,
            _HELP[rid][0],
            _HELP[rid][1],
            sev[rid],
            tags=("osaid", "open-source-ai", "policy"),
            help_uri=INFORMATION_URI,
        )
        for rid in RULES
    ]


def _result(v: dict, place: dict, props: dict, seen: dict[str, int], *who: str) -> SarifResult:
    """A violation at one place; places alike in rule, subject, file and text are told apart by
    their order in the file, so fingerprints stay put when lines move."""
    key = fingerprint(v["rule"], *who, place["path"], place.get("text"))
    seen[key] = seen.get(key, 0) + 1
    if seen[key] > 1:
        key = fingerprint(key, str(seen[key]))
    e = v.get("exception") if v["waived"] else None
    return SarifResult(
        v["rule"],
        v["severity"],
        v["message"],
        (SarifLocation(place["path"], place["line"], column=place.get("column")),),
        props,
        key,
        f"{e['reason']} (until {e['expires'] or 'no expiry'})" if e else None,
    )


def to_sarif(doc: dict) -> dict:
    results = []
    seen: dict[str, int] = {}
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
                results.append(_result(v, u, props, seen, m["id"]))
    for d in doc["dynamic"]:
        results.append(_result(d["violation"], d, {"library": d["library"]}, seen, d["library"]))
    return sarif_log(
        rules(doc["policy"].get("severity")),
        results,
        run_properties={"passed": doc["passed"], "policy": doc["policy"]},
        root_base=ROOT_BASE,
        root_uri=Path(doc["root"]).resolve().as_uri() + "/",
    )


def render(doc: dict, out: TextIO) -> None:
    write(to_sarif(doc), out)
