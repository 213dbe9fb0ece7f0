"""The audit report: the `osaid.audit/1` document every output format is rendered from.

Its schema is `auditor/audit.schema.json` (JSON Schema 2020-12), documented in docs/audit.md.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from osaid.auditor.find import Dynamic, Reference, ScanResult
from osaid.auditor.resolve import Model
from osaid.policy import Policy, Subject, Violation, evaluate, failing, restrictions

SCHEMA = "osaid.audit/1"


@dataclass
class AuditResult:
    root: str
    scan: ScanResult
    models: list[Model]
    policy: Policy
    violations: dict[str, list[Violation]] = field(default_factory=dict)
    """Model key -> its violations (waived ones included)."""
    dynamic_violations: list[Violation] = field(default_factory=list)

    @property
    def failing(self) -> list[Violation]:
        every = [v for vs in self.violations.values() for v in vs] + self.dynamic_violations
        return failing(self.policy, every)

    @property
    def passed(self) -> bool:
        return not self.failing


def judge(
    root: str,
    scan: ScanResult,
    models: list[Model],
    policy: Policy,
    today: datetime.date | None = None,
) -> AuditResult:
    result = AuditResult(root, scan, models, policy)
    for m in models:
        if m.status == "not-assessed":
            result.violations[m.key] = []
            continue
        result.violations[m.key] = evaluate(policy, subject(m), today)
    for d in scan.dynamic:
        result.dynamic_violations.append(
            Violation(
                "dynamic-reference",
                policy.severity["dynamic-reference"],
                f"{d.path}:{d.line}: a model id built at run time ({d.reason}); osaid cannot "
                "say which model this is",
                None,
                evidence=({"path": d.path, "line": d.line, "quote": d.text},),
            )
        )
    return result


def model_licenses(m: Model) -> list[str]:
    """Every license id found for the model: its release's, and what a weights file's own header
    declares (the file the application ships may be under other terms than its source)."""
    ids = set()
    if m.assessment is not None:
        ids |= {lf.id for lf in m.assessment.facts.licenses}
    if m.metadata.get("license"):
        from osaid.knowledge.licensing import catalog

        found = catalog().resolve(m.metadata["license"]).ids
        ids |= set(found) if found else {m.metadata["license"]}
    return sorted(ids)


def model_license(m: Model) -> str | None:
    """The terms of the model's parameters (else its release-wide license)."""
    a = m.assessment
    if a is not None:
        for c in a.facts.components:
            if c.id == "model-parameters-final" and c.license:
                return c.license
        if a.facts.licenses:
            return " AND ".join(sorted({lf.id for lf in a.facts.licenses}))
        return None
    lic = model_licenses(m)
    return lic[0] if lic else None


def subject(m: Model) -> Subject:
    if m.assessment is None:
        return Subject(
            id=m.id,
            verdict=None,
            licenses=tuple(model_licenses(m)),
            unresolved=m.reason or m.status,
        )
    return Subject(
        id=m.id,
        verdict=m.assessment.verdict.value,
        licenses=tuple(model_licenses(m)),
        restrictions=tuple(restrictions(m.assessment)),
    )


def _usage(r: Reference) -> dict:
    return {
        "path": r.path,
        "line": r.line,
        "column": r.column,
        "text": r.text or None,
        "library": r.library,
        "note": r.note,
    }


def _dynamic(d: Dynamic) -> dict:
    return {
        "path": d.path,
        "line": d.line,
        "text": d.text,
        "library": d.library,
        "reason": d.reason,
    }


def to_dict(result: AuditResult) -> dict:
    from osaid import __version__

    keys = {m.key: m.id for m in result.models}
    models = []
    for m in result.models:
        a = m.assessment
        lineage = []
        if a is not None:
            lineage = [
                {
                    "id": b.id,
                    "relation": b.relation,
                    "depth": b.depth,
                    "status": b.status,
                    "verdict": b.verdict,
                    "license": b.license,
                }
                for b in a.facts.bases
            ]
        models.append(
            {
                "id": m.id,
                "kind": m.kind,
                "status": m.status,
                "target": m.target,
                "via": m.via,
                "reason": m.reason,
                "verdict": m.verdict,
                "license": model_license(m),
                "licenses": model_licenses(m),
                "restrictions": [
                    {"kind": kind, **where} for kind, where in (restrictions(a) if a else [])
                ],
                "findings": [
                    {"rule": f.rule, "severity": f.severity.value, "message": f.message}
                    for f in (a.findings if a else ())
                    if f.severity.value == "blocker"
                ],
                "base_model": keys.get(m.base, m.base) if m.base else None,
                "lineage": lineage,
                "metadata": m.metadata or None,
                "usages": [_usage(r) for r in m.usages],
                "violations": [v.to_json() for v in result.violations.get(m.key, [])],
            }
        )
    fails = result.failing
    verdicts: dict[str, int] = {}
    for m in result.models:
        k = m.verdict or m.status
        verdicts[k] = verdicts.get(k, 0) + 1
    return {
        "schema": SCHEMA,
        "tool": {"name": "osaid", "version": __version__},
        "root": result.root,
        "passed": not fails,
        "summary": {
            "files_seen": result.scan.files_seen,
            "files_read": result.scan.files_read,
            "references": sum(len(m.usages) for m in result.models),
            "models": len(result.models),
            "dynamic": len(result.scan.dynamic),
            "by_verdict": verdicts,
            "violations": sum(len(v) for v in result.violations.values())
            + len(result.dynamic_violations),
            "failing": len(fails),
        },
        "policy": result.policy.to_json(),
        "models": models,
        "dynamic": [
            {**_dynamic(d), "violation": v.to_json()}
            for d, v in zip(result.scan.dynamic, result.dynamic_violations, strict=True)
        ],
        "skipped": [{"path": p, "reason": r} for p, r in result.scan.skipped],
    }
