"""Model Openness Tool manifests (MOT YAML): parse one, and turn its claims into facts.

A manifest *declares*: every component it lists becomes a `ComponentFact` with status `declared`
and evidence at the manifest line that lists it; every license it names becomes a `LicenseFact`
with evidence at the line that names it. The license that applies to a component follows the
tool's precedence (its own, else the release-wide license for its content type, else the
distribution license), each name normalised through the license catalog. Nothing here is taken as
present: when a folder has both files and a manifest, what the files show wins (`merge`).

Manifests are untrusted input: bounded size and depth, YAML aliases refused (they can expand
without bound), shape validated with a one-line reason when it is not a manifest.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from functools import cache

from osaid import regex
from osaid.evidence import safe_yaml
from osaid.knowledge import components as component_catalog
from osaid.knowledge import load_yaml
from osaid.model import (
    ComponentFact,
    DataInfoItem,
    Evidence,
    Facts,
    LicenseFact,
    Problem,
    Release,
)

MAX_BYTES = 1024 * 1024
"""Largest manifest read; the tool's own records are under 10 KiB."""
MAX_DEPTH = 20
MAX_COMPONENTS = 64
"""Component entries read; the schema allows 17."""
FRAMEWORK = "Model Openness Framework"
LICENSE_TYPES = ("code", "data", "document")

# Names of files in a release folder that are read as a manifest when they validate as one.
# `model.yml` is a common name for other configs too, so a failure to parse it is not reported.
_MANIFEST_NAME = regex.compile(r"^(mof\.ya?ml|model\.ya?ml|[^/]+\.mof\.ya?ml)$", re.I)
_QUIET_NAME = regex.compile(r"^model\.ya?ml$", re.I)
_URL = regex.compile(r"^https?://\S+$", re.I)


class ManifestError(ValueError):
    """The text is not a Model Openness Tool manifest; the message says why, in a few words."""


# --- parsing --------------------------------------------------------------------------------------


def parse_manifest(text: str, path: str) -> dict:
    """Parse and validate a manifest. Returns the dict kept in `Release.metadata["manifest"]`:
    `path` (as evidence names it), `data` (plain parsed YAML) and `lines` (1-based line of every
    mapping key and list item, keyed like `release.components[3].license`)."""
    if len(text.encode("utf-8", errors="replace")) > MAX_BYTES:
        raise ManifestError(f"larger than {MAX_BYTES // 1024} KiB")
    try:
        parsed = safe_yaml.parse(text, MAX_DEPTH)
    except safe_yaml.UnsafeYaml as exc:
        where = f" (line {exc.line + 1})" if exc.line is not None else ""
        raise ManifestError(f"{exc.reason}{where}") from None
    _validate(parsed.data)
    lines = {k: line + 1 for k, line in parsed.lines.items()}
    return {"path": path, "data": parsed.data, "lines": lines}


def _validate(data: object) -> None:
    if not isinstance(data, dict):
        raise ManifestError("not a YAML mapping with `framework` and `release` blocks")
    fw = data.get("framework")
    if not isinstance(fw, dict):
        raise ManifestError("no `framework` block")
    if str(fw.get("name", "")).strip() != FRAMEWORK:
        raise ManifestError(f"`framework.name` is {str(fw.get('name'))[:60]!r}, not {FRAMEWORK!r}")
    rel = data.get("release")
    if not isinstance(rel, dict):
        raise ManifestError("no `release` block")
    name = rel.get("name")
    if not isinstance(name, (str, int, float)) or not str(name).strip():
        raise ManifestError("`release.name` is missing or empty")
    if "components" not in rel:
        raise ManifestError("no `release.components` list")
    if rel["components"] is not None and not isinstance(rel["components"], list):
        raise ManifestError("`release.components` is not a list")
    if rel.get("license") is not None and not isinstance(rel["license"], dict):
        raise ManifestError("`release.license` is not a mapping")


# --- knowledge ------------------------------------------------------------------------------------


def _fold(text: str) -> str:
    return re.sub(r"[\s_]+", " ", text.strip().lower())


@cache
def mot_knowledge() -> dict:
    return load_yaml("mot.yaml")


@cache
def _by_name() -> dict[str, dict]:
    out = {}
    for entry in mot_knowledge()["components"]:
        out[_fold(entry["name"])] = entry
        out[_fold(entry["id"])] = entry
    return out


@cache
def _not_included() -> re.Pattern:
    return regex.compile(mot_knowledge()["not_included"], re.I)


@cache
def _spellings() -> dict[str, str]:
    return {_fold(s["spelling"]): s["id"] for s in mot_knowledge()["license_spellings"]}


def component_entry(name: str) -> dict | None:
    """The mot.yaml entry for a MOT component name (or an osaid component id)."""
    return _by_name().get(_fold(name))


# --- licenses -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LicenseReading:
    """How one license value of a manifest was read."""

    raw: str
    kind: str
    """`license` (names terms), `unlicensed` (listed, no license) or `not-included`."""
    terms: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """AND-ed terms as (SPDX expression, its license ids); each term may be an OR expression."""
    via: str | None = None
    """`spdx` (as written), `alias`, `hub`, `expression`, `mot-spelling`, `split` or `unknown`."""


def read_license(raw: str) -> LicenseReading:
    """Read a license value: the catalog's aliases first, then the MOT spellings, then a list of
    names separated by `,` or `;`; what is still unknown becomes a `LicenseRef-` of its own."""
    text = raw.strip()
    if _fold(text) in {_fold(v) for v in mot_knowledge()["unlicensed"]}:
        return LicenseReading(raw, "unlicensed")
    if _not_included().search(text):
        return LicenseReading(raw, "not-included")
    one = _resolve_one(text)
    if one is not None:
        expr, ids, via = one
        if expr is None:
            return LicenseReading(raw, "unlicensed", via=via)
        return LicenseReading(raw, "license", _and_terms(expr, ids), via)
    parts = [p.strip(" \t\"'`“”‘’") for p in re.split(r"[;,]", text)]
    parts = [p for p in parts if p]
    if len(parts) > 1:
        resolved = [(p, _resolve_one(p)) for p in parts]
        if any(r is not None and r[0] is not None for _, r in resolved):
            terms: list[tuple[str, tuple[str, ...]]] = []
            for part, r in resolved:
                if r is None:
                    ref = _ref(part)
                    terms.append((ref, (ref,)))
                elif r[0] is not None:
                    terms += _and_terms(r[0], r[1])
            return LicenseReading(raw, "license", tuple(dict.fromkeys(terms)), "split")
    ref = _ref(text)
    return LicenseReading(raw, "license", ((ref, (ref,)),), "unknown")


def _resolve_one(text: str) -> tuple[str | None, tuple[str, ...], str] | None:
    """(expression, ids, via); expression None when the text says "no license"; None when the
    text is not known."""
    from osaid.knowledge.licensing import catalog

    cat = catalog()
    res = cat.resolve(text)
    if res.expression:
        via = "spdx" if res.via == "spdx" and res.expression == text else res.via or "expression"
        return res.expression, res.ids, via
    if res.via in ("alias", "hub"):  # a known spelling of "no license" (unknown, other ...)
        return None, (), res.via
    target = _spellings().get(_fold(text))
    if target:
        spelled = cat.resolve(target)
        if spelled.expression:
            return spelled.expression, spelled.ids, "mot-spelling"
    return None


def _and_terms(expr: str, ids: tuple[str, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Split a pure AND expression into its terms; anything with OR or parentheses stays whole."""
    if " OR " in expr or "(" in expr or " AND " not in expr:
        return ((expr, tuple(ids)),)
    return tuple((t.strip(), (t.strip(),)) for t in expr.split(" AND "))


def _ref(text: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9.]+", "-", text).strip("-.")[:60] or "unnamed"
    return f"LicenseRef-{slug}"


def _term_open(term: str, content_type: str) -> bool | None:
    from osaid.knowledge.licensing import catalog

    return catalog().expression_open(term, content_type)


def order_terms(terms, content_type: str):
    """Most restrictive first: terms that are not open, then unknown ones, then open ones. In an
    AND the first term is the one that decides."""
    rank = {False: 0, None: 1, True: 2}
    return sorted(terms, key=lambda t: rank[_term_open(t[0], content_type)])


def join_terms(terms) -> str | None:
    if not terms:
        return None
    parts = [
        t if (" OR " not in t and " WITH " not in t) or t.startswith("(") else f"({t})"
        for t, _ in terms
    ]
    return parts[0] if len(parts) == 1 else " AND ".join(parts)


# --- facts ----------------------------------------------------------------------------------------


@dataclass
class ManifestFacts:
    """What a manifest claims, before it is merged with what files show."""

    path: str
    components: dict[str, ComponentFact] = field(default_factory=dict)
    licenses: list[LicenseFact] = field(default_factory=list)
    data_information: list[DataInfoItem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    readings: list[LicenseReading] = field(default_factory=list)
    """Every license value read, for reports on normalisation."""


@dataclass
class _Applied:
    reading: LicenseReading
    evidence: Evidence


def manifest_facts(manifest: dict) -> ManifestFacts:
    """Turn a parsed manifest (from `parse_manifest`) into facts with evidence at its lines."""
    path = manifest["path"]
    lines: dict[str, int] = manifest.get("lines") or {}
    rel = manifest["data"]["release"]
    out = ManifestFacts(path=path)

    def ev(field_path: str, quote: str | None, url: str | None = None) -> Evidence:
        return Evidence(
            path=path, line=lines.get(field_path), field=field_path, quote=quote, url=url
        )

    # Release-wide licenses: distribution, and one per content type.
    release_wide: dict[str, _Applied] = {}
    for kind in ("distribution", *LICENSE_TYPES):
        block = (rel.get("license") or {}).get(kind)
        name, lpath = (
            (block.get("name"), block.get("path")) if isinstance(block, dict) else (block, None)
        )
        if isinstance(name, (int, float)) and not isinstance(name, bool):
            name = str(name)
        if not isinstance(name, str) or not name.strip():
            continue
        fpath = f"release.license.{kind}" + (".name" if isinstance(block, dict) else "")
        reading = read_license(name)
        out.readings.append(reading)
        release_wide[kind] = _Applied(reading, ev(fpath, name.strip(), _url(lpath)))

    licenses: dict[str, dict] = {}

    def add_license(lid: str, raw: str, evidence: Evidence, scope: str) -> None:
        d = licenses.setdefault(lid, {"raw": raw, "evidence": [], "scopes": []})
        if evidence not in d["evidence"]:
            d["evidence"].append(evidence)
        if scope not in d["scopes"]:
            d["scopes"].append(scope)

    dist = release_wide.get("distribution")
    if dist is not None and dist.reading.kind == "license":
        for _, ids in dist.reading.terms:
            for lid in ids:
                add_license(lid, dist.reading.raw, dist.evidence, "release")

    seen: dict[str, int] = {}
    components = rel.get("components") or []
    if len(components) > MAX_COMPONENTS:
        out.problems.append(
            Problem(
                "manifest-too-many-components",
                f"The manifest lists "
                f"{len(components)} components; only the first "
                f"{MAX_COMPONENTS} were read.",
                (ev("release.components", None),),
            )
        )
    for i, item in enumerate(components[:MAX_COMPONENTS]):
        base = f"release.components[{i}]"
        if not isinstance(item, dict):
            out.problems.append(
                Problem(
                    "manifest-invalid-component",
                    "A component entry is not a mapping with a `name`; it was skipped.",
                    (ev(base, None),),
                )
            )
            continue
        name = item.get("name")
        entry = component_entry(str(name)) if isinstance(name, (str, int, float)) else None
        if entry is None:
            out.problems.append(
                Problem(
                    "manifest-unknown-component",
                    "The manifest lists a "
                    "component the Model Openness Framework does not define; "
                    "it was skipped.",
                    (ev(f"{base}.name", str(name)[:200]),),
                )
            )
            continue
        cid, ctype = entry["id"], entry["type"]
        if cid in seen:
            out.problems.append(
                Problem(
                    "manifest-duplicate-component",
                    f"{entry['name']} is listed twice; both entries were read.",
                    (ev(f"{base}.name", str(name)),),
                )
            )
        seen[cid] = i
        comp_url = _url(item.get("component_path"))
        listed = ev(f"{base}.name", str(name).strip(), comp_url or None)
        # The license that applies: its own, else the type-wide one, else the distribution's.
        applied: list[_Applied] = []
        own = item.get("license", None)
        if own is not None:
            values = own if isinstance(own, list) else [own]
            lic_url = _url(item.get("license_path"))
            for j, value in enumerate(values[:8]):
                if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                    out.problems.append(
                        Problem(
                            "manifest-invalid-license",
                            "A component license is not a name; it was ignored.",
                            (ev(f"{base}.license", None),),
                        )
                    )
                    continue
                fpath = f"{base}.license" + (f"[{j}]" if isinstance(own, list) else "")
                reading = read_license(str(value))
                out.readings.append(reading)
                applied.append(_Applied(reading, ev(fpath, str(value).strip()[:200], lic_url)))
        if not applied:
            inherited = release_wide.get(ctype) or release_wide.get("distribution")
            if inherited is not None:
                applied.append(inherited)
        _component(out, cid, entry, listed, applied, add_license)

    for lid, d in licenses.items():
        out.licenses.append(_license_fact(lid, d["raw"], d["evidence"], d["scopes"]))
    out.data_information = _data_information(out.components)
    return out


def _component(
    out: ManifestFacts,
    cid: str,
    entry: dict,
    listed: Evidence,
    applied: list[_Applied],
    add_license,
) -> None:
    ctype = entry["type"]
    previous = out.components.get(cid)
    withheld = [a.evidence for a in applied if a.reading.kind == "not-included"]
    named = [a for a in applied if a.reading.kind == "license"]
    unlicensed = [a for a in applied if a.reading.kind == "unlicensed"]
    if withheld and not named:
        fact = ComponentFact(
            id=cid,
            mof_id=entry["mof_id"],
            name=entry["name"],
            content_type=ctype,
            status="missing",
            withheld=tuple(withheld),
        )
    else:
        terms: list[tuple[str, tuple[str, ...]]] = []
        term_evidence: dict[str, Evidence] = {}
        for a in named:
            for term in a.reading.terms:
                if term not in terms:
                    terms.append(term)
                    term_evidence.setdefault(term[0], a.evidence)
                for lid in term[1]:
                    add_license(lid, a.reading.raw, a.evidence, cid)
        ordered = order_terms(terms, ctype)
        expr = join_terms(ordered)
        lic_ev = tuple(dict.fromkeys(term_evidence[t] for t, _ in ordered))
        if not named:
            lic_ev = tuple(a.evidence for a in unlicensed)
        fact = ComponentFact(
            id=cid,
            mof_id=entry["mof_id"],
            name=entry["name"],
            content_type=ctype,
            status="declared",
            evidence=(listed,),
            license=expr,
            license_open=_term_open(expr, ctype) if expr else None,
            license_evidence=lic_ev,
        )
    if previous is not None:
        fact = _combine(previous, fact)
    out.components[cid] = fact


def _combine(a: ComponentFact, b: ComponentFact) -> ComponentFact:
    """Two claims about one component (listed twice, or a manifest and the files): the stronger
    status wins; when both name terms, all of them apply."""
    order = {"present": 0, "declared": 1, "missing": 2}
    first, second = (a, b) if order[a.status] <= order[b.status] else (b, a)
    if first.status == "missing":
        return dataclasses.replace(first, withheld=_union(first.withheld, second.withheld))
    license_, license_ev = first.license, first.license_evidence
    if second.status != "missing" and second.license and second.license != first.license:
        if first.license is None:
            license_, license_ev = second.license, second.license_evidence
        elif set(_split_and(first.license)) == set(_split_and(second.license)):
            license_ev = _union(first.license_evidence, second.license_evidence)  # the same terms
        else:
            terms = [(t, ()) for t in _split_and(first.license) + _split_and(second.license)]
            terms = list(dict.fromkeys(terms))
            license_ = join_terms(order_terms(terms, first.content_type))
            license_ev = _union(first.license_evidence, second.license_evidence)
    evidence = (
        first.evidence
        if first.status == "present" and second.status != "present"
        else _union(first.evidence, second.evidence if second.status != "missing" else ())
    )
    return dataclasses.replace(
        first,
        evidence=evidence[:10],
        license=license_,
        license_open=_term_open(license_, first.content_type) if license_ else None,
        license_evidence=license_ev[:6],
        withheld=first.withheld
        if first.status == "present"
        else _union(first.withheld, second.withheld),
    )


def _split_and(expr: str) -> list[str]:
    if " OR " in expr or "(" in expr:
        return [expr]
    return [t.strip() for t in expr.split(" AND ")]


def _union(a: tuple, b: tuple) -> tuple:
    return tuple(dict.fromkeys(a + b))


def _url(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and _URL.match(value.strip()) else None


def _license_fact(lid: str, raw: str, evidence: list[Evidence], scopes: list[str]) -> LicenseFact:
    from osaid.knowledge.licensing import catalog

    terms = catalog().terms(lid)
    if terms.known:
        name, note = terms.name, terms.note or None
    else:
        name = raw.strip()[:120] if _ref(raw) == lid else lid.removeprefix("LicenseRef-")
        note = "The manifest names terms osaid's license catalog does not know; read them yourself."
    return LicenseFact(
        id=lid,
        name=name,
        osi_approved=terms.osi_approved if terms.known else None,
        open=terms.open if terms.known else None,
        evidence=tuple(evidence[:6]),
        restrictions=terms.restrictions,
        scopes=("release",) if "release" in scopes else tuple(scopes),
        note=note,
    )


def _data_information(components: dict[str, ComponentFact]) -> list[DataInfoItem]:
    """What a manifest can say about OSAID's data information: only that documents and data exist
    under some terms. A Data card listed under open terms stands for the description; Datasets
    listed under open terms are the listing of public data, and say no training data has to be
    obtained from third parties. Anything else is not found."""
    card = components.get("data-card")
    data = components.get("datasets")
    out = []

    def declared(c: ComponentFact | None) -> bool:
        return c is not None and c.status == "declared" and c.license_open is True

    def note(c: ComponentFact, text: str) -> Evidence:
        e = c.evidence[0]
        return dataclasses.replace(e, quote=f"{e.quote}: {text}"[:200])

    if declared(card):
        out.append(
            DataInfoItem(
                "description",
                True,
                (note(card, f"declared under {card.license}; its content was not read"),),
            )
        )
    elif card is not None and card.status == "declared":
        out.append(
            DataInfoItem(
                "description",
                False,
                (
                    note(
                        card,
                        "declared, but not under open terms ("
                        + (card.license or "no license")
                        + ")",
                    ),
                ),
            )
        )
    else:
        out.append(DataInfoItem("description", False))
    if declared(data):
        out.append(
            DataInfoItem(
                "public-data-listing", True, (note(data, f"declared under {data.license}"),)
            )
        )
        out.append(
            DataInfoItem(
                "third-party-data-listing",
                True,
                (
                    note(
                        data,
                        "declared as released under open terms, so none has to be obtained from "
                        "third parties",
                    ),
                ),
            )
        )
    else:
        out.append(DataInfoItem("public-data-listing", False))
        out.append(DataInfoItem("third-party-data-listing", False))
    return out


# --- the hook in evidence.extract -----------------------------------------------------------------


def find_manifest(release: Release) -> tuple[dict | None, list[Problem]]:
    """The manifest of a release: the one its source parsed, else a manifest file at the root of
    the folder (`mof.yml`, `model.yml`, `*.mof.yml`) whose content validates."""
    given = release.metadata.get("manifest")
    if isinstance(given, dict) and isinstance(given.get("data"), dict):
        return given, []
    problems = []
    for path in sorted(release.documents):
        if "/" in path or not _MANIFEST_NAME.match(path):
            continue
        doc = release.documents[path]
        try:
            return parse_manifest(doc.text, path), problems
        except ManifestError as exc:
            if not _QUIET_NAME.match(path):
                problems.append(
                    Problem(
                        "manifest-invalid",
                        f"Not read as a Model Openness Tool manifest: {exc}.",
                        (Evidence(path=path),),
                    )
                )
    return None, problems


def merge(facts: Facts) -> Facts:
    """Add what a manifest claims to the facts found in files. Files win: a component present in
    the release stays present; a license found in files is kept, and a different license the
    manifest names for the same component applies too (AND)."""
    release = facts.subject
    if "manifest" not in release.metadata and not any(
        "/" not in p and _MANIFEST_NAME.match(p) for p in release.documents
    ):
        return facts
    manifest, problems = find_manifest(release)
    if manifest is None:
        return dataclasses.replace(facts, problems=facts.problems + tuple(problems))
    mf = manifest_facts(manifest)
    catalog_ids = [e["id"] for e in component_catalog()]
    components = []
    for c in facts.components:
        m = mf.components.get(c.id)
        components.append(c if m is None else _combine(c, m))
    missing_ids = [
        cid
        for cid in mf.components
        if cid not in {c.id for c in facts.components} and cid in catalog_ids
    ]
    components += [mf.components[cid] for cid in missing_ids]
    licenses = list(facts.licenses)
    index = {lf.id: i for i, lf in enumerate(licenses)}
    for lf in mf.licenses:
        if lf.id in index:
            old = licenses[index[lf.id]]
            scopes = (
                ("release",)
                if "release" in old.scopes + lf.scopes
                else _union(old.scopes, lf.scopes)
            )
            licenses[index[lf.id]] = dataclasses.replace(
                old, evidence=_union(old.evidence, lf.evidence), scopes=scopes
            )
        else:
            licenses.append(lf)
    data_info = []
    by_id = {d.id: d for d in mf.data_information}
    for item in facts.data_information:
        m = by_id.get(item.id)
        # What files showed decides when anything was read there; the manifest fills a gap.
        data_info.append(
            m if m is not None and m.found and not item.found and not item.evidence else item
        )
    subject = release
    if release.metadata.get("manifest") is not manifest:
        subject = dataclasses.replace(release, metadata={**release.metadata, "manifest": manifest})
    return dataclasses.replace(
        facts,
        subject=subject,
        components=tuple(components),
        licenses=tuple(licenses),
        data_information=tuple(data_info),
        problems=facts.problems + tuple(problems) + tuple(mf.problems),
    )
