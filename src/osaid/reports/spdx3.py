"""SPDX 3.0.1 JSON-LD of an assessment (AI and Dataset profiles), built with `spdx-python-model`.

The model is an `ai_AIPackage`; each dataset the card names a `dataset_DatasetPackage` (trainedOn),
each hub dataset named in `model-index` results one too (testedOn); each base model an
`ai_AIPackage` that is `ancestorOf` the model. Every package has exactly one `hasDeclaredLicense`
(what the release or hub declares) and one `hasConcludedLicense` (what osaid resolved for the
parameters; for datasets and bases, whose terms osaid did not read, `NoAssertionLicense`).

Unknown facts are left out (or `NoAssertionLicense` / dataset type `noAssertion` where the spec
offers that), never invented. The library does not enforce the profiles' mandatory fields, so
`violations` lists what a document lacks; `osaid bom` names them on stderr.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
import uuid
from typing import TextIO

from osaid import __version__
from osaid.lock import base_models, datasets
from osaid.model import Assessment, Facts
from osaid.reports.cyclonedx import hub_endpoint, purl_string

NO_ASSERTION_LICENSE = "https://spdx.org/rdf/3.0.1/terms/ExpandedLicensing/NoAssertionLicense"

# Mandatory in the AI and Dataset profiles (SPDX 3.0.1 conformance), as JSON-LD keys.
REQUIRED = {
    "ai_AIPackage": (
        "releaseTime",
        "suppliedBy",
        "software_downloadLocation",
        "software_packageVersion",
        "software_primaryPurpose",
    ),
    # The Dataset profile's restrictions (DatasetPackage class page, SPDX 3.0.1).
    "dataset_DatasetPackage": (
        "builtTime",
        "originatedBy",
        "releaseTime",
        "software_downloadLocation",
        "software_primaryPurpose",
        "dataset_datasetType",
    ),
}
MAX_LICENSE_TEXT = 64 * 1024
"""Characters of a `LicenseRef-` license's text carried in the document."""
_LABELS = {
    "releaseTime": "release time",
    "builtTime": "build time",
    "originatedBy": "originator",
    "suppliedBy": "supplier",
    "software_downloadLocation": "download location",
    "software_packageVersion": "version",
    "software_primaryPurpose": "primary purpose",
    "dataset_datasetType": "dataset type",
}


def _time(value: object) -> datetime.datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        t = datetime.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return (t if t.tzinfo else t.replace(tzinfo=datetime.timezone.utc)).replace(microsecond=0)


def _declared(facts: Facts) -> str | None:
    ids = list(dict.fromkeys(lf.id for lf in facts.licenses if "release" in lf.scopes))
    return " AND ".join(ids) if ids else None


def _concluded(facts: Facts) -> str | None:
    params = next((c for c in facts.components if c.id == "model-parameters-final"), None)
    return params.license if params is not None and params.license else None


def _license_text(facts: Facts, ref: str) -> str | None:
    """The text of license `ref` when a file of the release holds it (a license document osaid
    identified as `ref`), bounded."""
    from osaid.evidence.licenses import is_license_document

    for lf in facts.licenses:
        if lf.id != ref:
            continue
        for ev in lf.evidence:
            doc = facts.subject.documents.get(ev.path or "")
            if doc is not None and ev.field is None and is_license_document(ev.path):
                return doc.text[:MAX_LICENSE_TEXT]
    return None


def _tested_on(facts: Facts) -> list[str]:
    from osaid.evidence.card import eval_results

    if facts.card is None:
        return []
    ids = []
    for r in eval_results(facts.card.fields)[:100]:
        t = getattr(r, "dataset_type", None)
        if isinstance(t, str) and t.count("/") == 1 and " " not in t:
            ids.append(t)
    return list(dict.fromkeys(ids))


def build(a: Assessment, timestamp: datetime.datetime | None = None) -> str:
    from spdx_python_model import v3_0_1 as s

    facts = a.facts
    sub = facts.subject
    hub = sub.source == "hf" and isinstance(sub.metadata.get("repo_id"), str)
    identity = f"{sub.source}:{sub.metadata.get('repo_id') if hub else sub.name}@{sub.revision}"
    base = f"https://spdx.org/spdxdocs/osaid/{uuid.uuid5(uuid.NAMESPACE_URL, identity)}/"
    counter = iter(range(1, 10**6))
    objects: list = []

    when = timestamp or datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    ci = s.CreationInfo(specVersion="3.0.1", created=when)
    agent = s.SoftwareAgent(spdxId=base + "agent/osaid", name="osaid", creationInfo=ci)
    tool = s.Tool(spdxId=base + "tool/osaid", name=f"osaid {__version__}", creationInfo=ci)
    ci.createdBy = [agent]
    ci.createdUsing = [tool]
    objects += [agent, tool]
    orgs: dict[str, object] = {}

    def org(name: str):
        if name not in orgs:
            orgs[name] = s.Organization(
                spdxId=base + f"agent/{uuid.uuid5(uuid.NAMESPACE_URL, name)}",
                name=name,
                creationInfo=ci,
            )
            objects.append(orgs[name])
        return orgs[name]

    def relate(from_, kind, to: list) -> None:
        objects.append(
            s.Relationship(
                spdxId=base + f"relationship/{next(counter)}",
                creationInfo=ci,
                from_=from_,
                to=to,
                relationshipType=getattr(s.RelationshipType, kind),
            )
        )

    expressions: dict[str, object] = {}
    texts: dict[str, object] = {}

    def custom_ids(expr: str) -> list:
        """`customIdToUri` for each `LicenseRef-` in `expr`: the license's text, carried in the
        document (a `SimpleLicensingText`) when a file of the release holds it, else the URL of
        its terms osaid's catalog knows; an id neither gives is left unmapped."""
        from osaid.knowledge.licensing import catalog

        out = []
        for ref in dict.fromkeys(re.findall(r"LicenseRef-[A-Za-z0-9.\-]+", expr)):
            uri = None
            text = _license_text(facts, ref)
            if text is not None:
                if ref not in texts:
                    texts[ref] = s.simplelicensing_SimpleLicensingText(
                        spdxId=base + f"license-text/{ref}",
                        creationInfo=ci,
                        name=ref,
                        simplelicensing_licenseText=text,
                    )
                    objects.append(texts[ref])
                uri = base + f"license-text/{ref}"
            else:
                url = catalog().terms(ref).url
                uri = (
                    url
                    if isinstance(url, str) and url.startswith(("http://", "https://"))
                    else None
                )
            if uri:
                out.append(s.DictionaryEntry(key=ref, value=uri))
        return out

    def license_of(expr: str | None):
        if not expr:
            return NO_ASSERTION_LICENSE
        if expr not in expressions:  # one node per expression, however many packages use it
            lic = s.simplelicensing_LicenseExpression(
                spdxId=base + f"license/{hashlib.sha256(expr.encode()).hexdigest()[:16]}",
                creationInfo=ci,
                simplelicensing_licenseExpression=expr,
            )
            mapped = custom_ids(expr)
            if mapped:
                lic.simplelicensing_customIdToUri = mapped
            objects.append(lic)
            expressions[expr] = lic
        return expressions[expr]

    def licenses(pkg, declared: str | None, concluded: str | None) -> None:
        relate(pkg, "hasDeclaredLicense", [license_of(declared)])
        relate(pkg, "hasConcludedLicense", [license_of(concluded)])

    # The model.
    model = s.ai_AIPackage(
        spdxId=base + "model",
        name=sub.name,
        creationInfo=ci,
        software_primaryPurpose=s.software_SoftwarePurpose.model,
    )
    if sub.revision:
        model.software_packageVersion = sub.revision
    if hub:
        repo = sub.metadata["repo_id"]
        model.suppliedBy = org(repo.split("/")[0])
        if isinstance(sub.metadata.get("url"), str):
            model.software_downloadLocation = sub.metadata["url"]
        org_, _, name_ = repo.partition("/")
        model.software_packageUrl = purl_string(org_, name_, sub.revision, hub_endpoint(facts))
        released = _time(sub.metadata.get("last_modified"))
        if released:
            model.releaseTime = released
    mof = a.extra.get("mof") if isinstance(a.extra.get("mof"), dict) else None
    model.comment = (
        f"osaid {__version__}: OSAID 1.0 verdict {a.verdict.value}; freedoms "
        + ", ".join(f"{k} {v}" for k, v in a.freedoms.items())
        + (f"; MOF class {mof.get('class') or 'none'}" if mof else "")
    )
    kinds = sorted({r.kind for lf in facts.licenses for r in lf.restrictions})
    if kinds:
        model.ai_limitation = "Restrictions in its terms: " + ", ".join(kinds)
    objects.append(model)
    licenses(model, _declared(facts), _concluded(facts))

    # Datasets: trained on those the card names, tested on hub datasets of its eval results.
    packages: dict[str, object] = {}

    def dataset(d: dict):
        if d["id"] in packages:
            return packages[d["id"]]
        p = s.dataset_DatasetPackage(
            spdxId=base + f"dataset/{uuid.uuid5(uuid.NAMESPACE_URL, d['id'])}",
            name=d["id"],
            creationInfo=ci,
            software_primaryPurpose=s.software_SoftwarePurpose.data,
            dataset_datasetType=[s.dataset_DatasetType.noAssertion],
        )
        if d.get("url"):
            p.software_downloadLocation = d["url"]
            if d["id"].count("/") == 1:  # a hub dataset: its organisation published it
                p.suppliedBy = org(d["id"].split("/")[0])
                p.originatedBy = [org(d["id"].split("/")[0])]
        if d.get("revision"):
            p.software_packageVersion = d["revision"]
        released = _time(d.get("last_modified"))
        if released:
            p.releaseTime = released
        objects.append(p)
        licenses(p, d.get("license"), None)
        packages[d["id"]] = p
        return p

    trained = [dataset(d) for d in datasets(facts)]
    if trained:
        relate(model, "trainedOn", trained)
    tested = [dataset({"id": t}) for t in _tested_on(facts)]
    if tested:
        relate(model, "testedOn", tested)

    # Base models: each an ancestor of the one that names it.
    bases: dict[str, object] = {}
    for b in base_models(facts):
        p = s.ai_AIPackage(
            spdxId=base + f"base/{uuid.uuid5(uuid.NAMESPACE_URL, b['id'])}",
            name=b["id"],
            creationInfo=ci,
            software_primaryPurpose=s.software_SoftwarePurpose.model,
        )
        if b["id"].count("/") == 1:
            from_hub = not b.get("location") or b["location"].startswith("hf:")
            org_, _, name_ = b["id"].partition("/")
            p.software_packageUrl = purl_string(
                org_, name_, None, hub_endpoint(facts) if from_hub else None
            )
        if b.get("verdict"):
            p.comment = f"osaid: OSAID 1.0 verdict {b['verdict']}"
        objects.append(p)
        # osaid assessed the base: the terms it resolved for its parameters are concluded.
        licenses(p, None, b.get("license") if b.get("verdict") else None)
        bases[b["id"]] = p
    for b in base_models(facts):
        child = bases.get(b["via"]) if b.get("via") else model
        relate(bases[b["id"]], "ancestorOf", [child or model])

    doc = s.SpdxDocument(
        spdxId=base + "document",
        name=f"AI BOM of {sub.name}",
        creationInfo=ci,
        rootElement=[model],
        element=[o for o in objects],
        profileConformance=[
            s.ProfileIdentifierType.core,
            s.ProfileIdentifierType.software,
            s.ProfileIdentifierType.ai,
            s.ProfileIdentifierType.dataset,
            s.ProfileIdentifierType.simpleLicensing,
        ],
    )
    objset = s.SHACLObjectSet()
    for o in (doc, *objects):
        objset.add(o)
    import io

    buf = io.BytesIO()
    s.JSONLDSerializer().write(objset, buf, indent=2)
    return json.dumps(json.loads(buf.getvalue()), indent=2, ensure_ascii=False) + "\n"


def render(a: Assessment, out: TextIO, *, color: bool = False, timestamp=None) -> None:
    out.write(build(a, timestamp))


def violations(document: dict) -> list[str]:
    """What an SPDX 3.0.1 JSON-LD document lacks for the AI and Dataset profiles: each AI or
    dataset package's mandatory fields, and exactly one declared and one concluded license."""
    graph = document.get("@graph") if isinstance(document, dict) else None
    if not isinstance(graph, list):
        return ["not an SPDX 3 JSON-LD document (no @graph)"]
    out: list[str] = []
    rels: dict[tuple[str, str], int] = {}
    for node in graph:
        if isinstance(node, dict) and node.get("type") == "Relationship":
            key = (str(node.get("from")), str(node.get("relationshipType")))
            rels[key] = rels.get(key, 0) + len(node.get("to") or [])
    for node in graph:
        if not isinstance(node, dict) or node.get("type") not in REQUIRED:
            continue
        kind = "AIPackage" if node["type"] == "ai_AIPackage" else "DatasetPackage"
        label = f"{kind} {node.get('name') or node.get('spdxId')}"
        missing = [_LABELS[f] for f in REQUIRED[node["type"]] if node.get(f) in (None, "", [])]
        if missing:
            out.append(f"{label}: no {', '.join(missing)} (not known to osaid)")
        for rel in ("hasDeclaredLicense", "hasConcludedLicense"):
            n = rels.get((str(node.get("spdxId")), rel), 0)
            if n != 1:
                out.append(f"{label}: {n} {rel} relationships (exactly 1 required)")
    return out


def bom_warnings(text: str) -> list[str]:
    return [f"SPDX AI/Dataset profile: {v}" for v in violations(json.loads(text))]
