"""CycloneDX 1.6 ML-BOM (JSON) of an assessment, built with `cyclonedx-python-lib`.

What goes in:

- the model: a `machine-learning-model` component (purl `pkg:huggingface/ORG/NAME@SHA` for a hub
  model; bom-ref `model:NAME` otherwise), its parameters' license, its supplier (the hub
  organisation), links to the hub and the card, hashes of its weights where the source knows them
  (hub LFS), osaid's verdict, freedoms, elements and MOF class as `osaid:*` properties, and its
  `modelCard` (task, architecture, datasets by reference, metrics from `model-index`,
  considerations from the card's sections);
- each dataset the card names: a `data` component with its license when known;
- each base model: an ancestor in the model's `pedigree`, and a dependency of the model;
- code: one component per present (or linked) MOF code component, the files it holds nested in it.

Licenses: an SPDX id as `id`; a `LicenseRef-...` or a compound term as an SPDX `expression`;
never an invalid `id`. Anything osaid does not know is left out, never guessed.

The library (11.x) has no model for `modelCard` nor for a component's `data` (its issues #912 and
#913): `_add_unsupported` adds them to its JSON output, in one place. The serial number is derived
from the content and the timestamp is `SOURCE_DATE_EPOCH` when set, so the same release gives the
same BOM.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
import warnings
from typing import TextIO

from osaid import __version__
from osaid.lock import base_models, datasets
from osaid.model import Assessment, ComponentFact, Facts

SPEC_VERSION = "1.6"
MAX_FILES_PER_COMPONENT = 200
MAX_TEXT = 500

# Card section headings -> the modelCard consideration they describe (first match wins): misuse
# and out-of-scope uses are risks and limits, never use cases.
_CONSIDERATIONS = (
    (
        "ethicalConsiderations",
        re.compile(r"\b(bias|ethic|risk|harm|safety|fairness|misuse|malicious|abuse)", re.I),
    ),
    ("technicalLimitations", re.compile(r"\b(limitation|out[- ]of[- ]scope)", re.I)),
    ("useCases", re.compile(r"\b(intended use|uses?\b|use cases?)", re.I)),
)
DEFAULT_HUB = "https://huggingface.co"
"""The purl `huggingface` type's default `repository_url` (purl-spec); another hub is a qualifier."""


def _text(value: str, limit: int = MAX_TEXT) -> str:
    flat = " ".join(value.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


# An SPDX expression whose ids may be LicenseRef-...: the library's check knows listed ids only.
_EXPRESSION = re.compile(
    r"\(*(LicenseRef-[A-Za-z0-9.\-]+|[A-Za-z0-9.\-]+\+?)\)*"
    r"( (AND|OR|WITH) \(*(LicenseRef-[A-Za-z0-9.\-]+|[A-Za-z0-9.\-]+\+?)\)*)*"
)


def _licenses(expression: str | None, acknowledgement: str | None = None):
    from cyclonedx.model.license import (
        DisjunctiveLicense,
        LicenseAcknowledgement,
        LicenseExpression,
    )
    from cyclonedx.spdx import is_expression, is_supported_id

    if not expression or expression == "NOASSERTION":
        return []
    ack = LicenseAcknowledgement(acknowledgement) if acknowledgement else None
    if is_supported_id(expression):
        return [DisjunctiveLicense(id=expression, acknowledgement=ack)]
    if is_expression(expression) or _EXPRESSION.fullmatch(expression):
        return [LicenseExpression(expression, acknowledgement=ack)]
    return [DisjunctiveLicense(name=expression[:200], acknowledgement=ack)]


def _model_licenses(facts: Facts):
    """The model's licenses with their acknowledgement: `concluded` (the parameters' terms as
    osaid resolved them) and `declared` (the release-wide terms the release states). CycloneDX
    allows one expression, or several single licenses: when either is an expression and they
    differ, the concluded one is listed and the declared one is a property."""
    concluded = _model_license(facts)
    declared = _declared(facts)
    if not declared or declared == concluded:
        return _licenses(concluded, "concluded") or _licenses(declared, "declared"), None
    both = _licenses(concluded, "concluded") + _licenses(declared, "declared")
    if concluded and all(getattr(x, "id", None) or getattr(x, "name", None) for x in both):
        return both, None
    return _licenses(concluded, "concluded") or _licenses(declared, "declared"), declared


def _declared(facts: Facts) -> str | None:
    ids = list(dict.fromkeys(lf.id for lf in facts.licenses if "release" in lf.scopes))
    return " AND ".join(ids) if ids else None


def _hub_id(facts: Facts) -> tuple[str, str] | None:
    s = facts.subject
    repo = s.metadata.get("repo_id") if s.source == "hf" else None
    if isinstance(repo, str) and repo.count("/") == 1:
        org, name = repo.split("/")
        return org, name
    return None


def model_ref(facts: Facts) -> str:
    return f"model:{facts.subject.name}"


def _purl(org: str, name: str, version: str | None, hub: str | None = None):
    from packageurl import PackageURL

    qualifiers = {"repository_url": hub} if hub and hub.rstrip("/") != DEFAULT_HUB else None
    return PackageURL(
        type="huggingface",
        namespace=org,
        name=name,
        version=version.lower() if version else None,
        qualifiers=qualifiers,
    )


def hub_endpoint(facts: Facts) -> str | None:
    """The hub a hub model was read from (`HF_ENDPOINT`), for the purl's `repository_url`."""
    hub = facts.subject.metadata.get("hub") if facts.subject.source == "hf" else None
    return hub.rstrip("/") if isinstance(hub, str) and hub.strip() else None


def purl_string(org: str, name: str, version: str | None, hub: str | None) -> str:
    return _purl(org, name, version, hub).to_string()


def _model_license(facts: Facts) -> str | None:
    params = next((c for c in facts.components if c.id == "model-parameters-final"), None)
    if params is not None and params.license:
        return params.license
    ids = list(dict.fromkeys(lf.id for lf in facts.licenses if "release" in lf.scopes))
    return " AND ".join(ids) if ids else None


def _config(facts: Facts) -> dict:
    doc = facts.subject.documents.get("config.json")
    if doc is None or doc.truncated:
        return {}
    try:
        value = json.loads(doc.text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _files(c: ComponentFact) -> list[str]:
    paths = [e.path for e in c.evidence if e.path and e.field is None]
    return list(dict.fromkeys(paths))[:MAX_FILES_PER_COMPONENT]


def _properties(a: Assessment):
    from cyclonedx.model import Property

    props = [Property(name="osaid:verdict", value=a.verdict.value)]
    mof = a.extra.get("mof")
    if isinstance(mof, dict):
        # `none`: the release meets no MOF class (absent: MOF was not assessed).
        props.append(Property(name="osaid:mof:class", value=str(mof.get("class") or "none")))
        if mof.get("class_name"):
            props.append(Property(name="osaid:mof:class-name", value=str(mof["class_name"])))
        for cls, share in sorted((mof.get("progress") or {}).items()):
            props.append(Property(name=f"osaid:mof:progress:{cls}", value=str(share)))
    for freedom, status in a.freedoms.items():
        props.append(Property(name=f"osaid:freedom:{freedom}", value=status))
    for element, result in a.elements.items():
        props.append(Property(name=f"osaid:element:{element}", value=result.status))
    kinds = sorted({r.kind for lf in a.facts.licenses for r in lf.restrictions})
    for kind in kinds:
        props.append(Property(name="osaid:restriction", value=kind))
    return props


def build(a: Assessment, timestamp=None) -> dict:
    """The BOM as a JSON-ready dict (library output plus `modelCard` and `data`)."""
    from cyclonedx.contrib.hash.factories import HashTypeFactory
    from cyclonedx.model import ExternalReference, ExternalReferenceType, Property, XsUri
    from cyclonedx.model.bom import Bom, BomMetaData
    from cyclonedx.model.component import Component, ComponentType, Pedigree
    from cyclonedx.model.contact import OrganizationalEntity
    from cyclonedx.model.tool import ToolRepository
    from cyclonedx.output.json import JsonV1Dot6

    facts = a.facts
    s = facts.subject
    hub = _hub_id(facts)
    endpoint = hub_endpoint(facts)
    purl = _purl(*hub, s.revision, endpoint) if hub else None
    ref = model_ref(facts)

    external = []
    if s.source == "hf" and isinstance(s.metadata.get("url"), str):
        external.append(
            ExternalReference(type=ExternalReferenceType.DISTRIBUTION, url=XsUri(s.metadata["url"]))
        )
    if facts.card and facts.card.path and s.url_base:
        external.append(
            ExternalReference(
                type=ExternalReferenceType.MODEL_CARD, url=XsUri(s.url_base + facts.card.path)
            )
        )

    # Code groups and files, by MOF component (data and documents are described elsewhere).
    groups = []
    weights = []  # (path, sha256 or None) of the final parameters' files
    for c in facts.components:
        if c.id == "model-parameters-final" and c.status == "present":
            by_path = {f.path: f for f in s.files}
            weights = [(p, by_path[p].sha256 if p in by_path else None) for p in _files(c)]
        if c.content_type != "code" or c.status not in ("present", "declared"):
            continue
        files = (
            [Component(type=ComponentType.FILE, name=p, bom_ref=f"file:{p}") for p in _files(c)]
            if c.status == "present"
            else []
        )
        links = [
            ExternalReference(type=ExternalReferenceType.VCS, url=XsUri(e.url))
            for e in c.evidence
            if e.url and c.status == "declared"
        ][:5]
        groups.append(
            Component(
                type=ComponentType.LIBRARY,
                name=f"{s.name} {c.name.lower()}",
                bom_ref=f"code:{c.id}",
                licenses=_licenses(c.license),
                components=files,
                external_references=links,
                properties=[
                    Property(name="osaid:mof:component", value=c.id),
                    Property(name="osaid:status", value=c.status),
                ],
            )
        )

    sets = datasets(facts)
    data_components = []
    for d in sets:
        props = (
            [Property(name="osaid:dataset:revision", value=d["revision"])] if d["revision"] else []
        )
        if d["license_declared"] and not d["license"]:
            props.append(Property(name="osaid:license-declared", value=d["license_declared"]))
        links = (
            [ExternalReference(type=ExternalReferenceType.DISTRIBUTION, url=XsUri(d["url"]))]
            if d["url"]
            else []
        )
        data_components.append(
            Component(
                type=ComponentType.DATA,
                name=d["id"],
                bom_ref=f"dataset:{d['id']}",
                version=d["revision"],
                licenses=_licenses(d["license"]),
                external_references=links,
                properties=props,
            )
        )

    ancestors, pedigree = [], []
    for b in base_models(facts):
        org_name = b["id"].split("/") if b["id"].count("/") == 1 else None
        props = [Property(name="osaid:base:depth", value=str(b["depth"]))]
        if b["relation"]:
            props.append(Property(name="osaid:base:relation", value=b["relation"]))
        if b["verdict"]:
            props.append(Property(name="osaid:verdict", value=b["verdict"]))
        # A base read from a folder (`--base`) has no hub; one read from the hub, this one's.
        base_hub = endpoint if not b.get("location") or b["location"].startswith("hf:") else None
        base_purl = _purl(*org_name, None, base_hub) if org_name and all(org_name) else None
        ancestors.append(
            Component(
                type=ComponentType.MACHINE_LEARNING_MODEL,
                name=b["id"],
                bom_ref=f"base:{b['id']}",
                purl=base_purl,
                licenses=_licenses(b["license"], "concluded" if b["verdict"] else None),
                properties=props,
            )
        )
        # The pedigree names it again (a bom-ref is unique in a BOM: the copy carries none).
        pedigree.append(
            Component(type=ComponentType.MACHINE_LEARNING_MODEL, name=b["id"], purl=base_purl)
        )

    # One hash per component: a single weights file's hash is the model's; shards are files
    # nested in the model, each with its own.
    def sha(digest):
        return [HashTypeFactory().from_hashlib_alg("sha256", digest)] if digest else []

    shards = []
    if len(weights) > 1:
        shards = [
            Component(type=ComponentType.FILE, name=p, bom_ref=f"weights:{p}", hashes=sha(d))
            for p, d in weights
        ]
    model_licenses, declared_apart = _model_licenses(facts)
    properties = _properties(a)
    if declared_apart:
        properties.append(Property(name="osaid:license-declared", value=declared_apart))
    model = Component(
        type=ComponentType.MACHINE_LEARNING_MODEL,
        name=s.name,
        bom_ref=ref,
        version=s.revision,
        purl=purl,
        licenses=model_licenses,
        supplier=OrganizationalEntity(name=hub[0]) if hub else None,
        external_references=external,
        hashes=sha(weights[0][1]) if len(weights) == 1 else [],
        components=shards,
        properties=properties,
        pedigree=Pedigree(ancestors=pedigree) if pedigree else None,
    )

    tool = Component(type=ComponentType.APPLICATION, name="osaid", version=__version__)
    meta = BomMetaData(
        component=model, tools=ToolRepository(components=[tool]), timestamp=timestamp
    )
    bom = Bom(metadata=meta, components=[*ancestors, *data_components, *groups])
    bom.register_dependency(model, [*data_components, *ancestors])
    with warnings.catch_warnings():  # an empty dependency graph is what some releases show
        warnings.simplefilter("ignore", UserWarning)
        out = json.loads(JsonV1Dot6(bom).output_as_string())
    _add_unsupported(out, a, sets)
    out.pop("serialNumber", None)
    digest = json.dumps(out, sort_keys=True).encode()
    out["serialNumber"] = uuid.uuid5(
        uuid.NAMESPACE_URL, "osaid-bom:" + hashlib.sha256(digest).hexdigest()
    ).urn
    return out


def _add_unsupported(out: dict, a: Assessment, sets: list[dict]) -> None:
    """Add what cyclonedx-python-lib 11.x cannot model (`modelCard`, a data component's `data`;
    its issues #912, #913) to its JSON output. The only place osaid writes CycloneDX by hand."""
    facts = a.facts
    model = out.get("metadata", {}).get("component")
    if isinstance(model, dict):
        card = model_card(facts, sets)
        if card:
            model["modelCard"] = card
    by_ref = {d_ref: d for d in sets for d_ref in (f"dataset:{d['id']}",)}
    for comp in out.get("components", []):
        d = by_ref.get(comp.get("bom-ref"))
        if d is None:
            continue
        entry: dict = {"type": "dataset", "name": d["id"]}
        if d["url"]:
            entry["contents"] = {"url": d["url"]}
        comp["data"] = [entry]


def model_card(facts: Facts, sets: list[dict]) -> dict:
    from osaid.evidence.card import eval_results

    s = facts.subject
    fields = facts.card.fields if facts.card else {}
    params: dict = {}
    task = s.metadata.get("pipeline_tag") if s.source == "hf" else None
    task = task or fields.get("pipeline_tag")
    if isinstance(task, str) and task.strip():
        params["task"] = task.strip()[:100]
    config = _config(facts)
    family = config.get("model_type")
    if isinstance(family, str) and family.strip():
        params["architectureFamily"] = family.strip()[:100]
    archs = config.get("architectures")
    if isinstance(archs, list) and archs and isinstance(archs[0], str):
        params["modelArchitecture"] = archs[0][:100]
    if sets:
        params["datasets"] = [{"ref": f"dataset:{d['id']}"} for d in sets]
    card: dict = {}
    if params:
        card["modelParameters"] = params
    metrics = []
    for r in eval_results(fields)[:100]:
        value = getattr(r, "metric_value", None)
        if value is None:
            continue
        m = {
            "type": str(getattr(r, "metric_type", "") or getattr(r, "metric_name", ""))[:100],
            "value": str(value)[:100],
        }
        where = getattr(r, "dataset_name", None) or getattr(r, "dataset_type", None)
        split = getattr(r, "dataset_split", None)
        if where:
            m["slice"] = f"{where} ({split})" if split else str(where)
        metrics.append(m)
    if metrics:
        card["quantitativeAnalysis"] = {"performanceMetrics": metrics}
    considerations: dict[str, list] = {}
    for heading, _line, text in facts.card.sections if facts.card else ():
        body = _text(text)
        if not body:
            continue
        for key, pattern in _CONSIDERATIONS:
            if pattern.search(heading):
                # A risk is named by what the card says of it; no mitigation is invented.
                item = {"name": body} if key == "ethicalConsiderations" else body
                considerations.setdefault(key, []).append(item)
                break
    if considerations:
        card["considerations"] = considerations
    return card


def render(a: Assessment, out: TextIO, *, color: bool = False, timestamp=None) -> None:
    json.dump(build(a, timestamp), out, indent=2, ensure_ascii=False)
    out.write("\n")
