"""OSAID 1.0: Facts -> Assessment. A pure function: it reads no files and guesses nothing.

The verdict:
- `not-open-source-ai` when some evidence shows a freedom withheld (terms that are not open on a
  required component, a blocking clause, a gate) or a required element that the release's own
  documents say is not provided;
- `open-source-ai` only when all three elements are met and every freedom is granted;
- `insufficient-evidence` otherwise.
"""

from __future__ import annotations

from osaid.knowledge import components as component_catalog
from osaid.knowledge import load_yaml, restriction_kinds
from osaid.model import (
    ELEMENTS,
    FREEDOMS,
    Assessment,
    ComponentFact,
    ElementResult,
    Evidence,
    Facts,
    Finding,
    ItemResult,
    LicenseFact,
    Restriction,
    Severity,
    Verdict,
)

DATA_ITEMS = {
    "description": "description of all training data (provenance, scope, selection, labeling, "
    "processing)",
    "public-data-listing": "listing of publicly available training data with where to obtain it",
    "third-party-data-listing": "listing of third-party training data with where to obtain it "
    "(or a statement that none was used)",
}
ASPECT_LABELS = {
    "provenance": "provenance",
    "scope": "scope and characteristics",
    "obtained-and-selected": "how it was obtained and selected",
    "labeling": "labeling procedures",
    "processing-and-filtering": "processing and filtering methods",
}
WANTED = {
    "code": "an OSI-approved license (e.g. Apache-2.0, MIT, GPL-3.0-only)",
    "data": "an OSI-approved license or open terms such as CC-BY-4.0, CDLA-Permissive-2.0 or "
    "OpenMDW-1.0",
    "document": "an OSI-approved license or open terms such as CC-BY-4.0",
}


class RuleError(ValueError):
    """A finding raised without a value its rule's text needs (a bug in osaid, never printed)."""


def render_fix(rule: str, values: dict[str, object]) -> str | None:
    """The `fix` text of a rule in knowledge/rules.yaml with its declared placeholders filled in.
    Raises RuleError when the rule is unknown, a declared value is missing, or the text holds a
    placeholder the rule does not declare."""
    import string

    table = load_yaml("rules.yaml")
    spec = table["rules"].get(rule) or table["problems"].get(rule)
    if spec is None:
        raise RuleError(f"rule {rule!r} is not in knowledge/rules.yaml")
    template = spec.get("fix")
    if template is None:
        return None
    declared = set(spec.get("params") or ())
    used = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    if used - declared:
        raise RuleError(f"rule {rule!r}: fix uses undeclared {sorted(used - declared)}")
    missing = [name for name in sorted(used) if values.get(name) in (None, "")]
    if missing:
        raise RuleError(f"rule {rule!r}: no value for {missing}")
    return template.format(**{name: values[name] for name in used})


class _Findings:
    def __init__(self) -> None:
        self.items: list[Finding] = []
        self._rules = load_yaml("rules.yaml")

    def add(
        self,
        rule: str,
        qualifier: str | None,
        message: str,
        evidence=(),
        *,
        element: str | None = None,
        component: str | None = None,
        osd=(),
        severity: Severity | None = None,
        **values,
    ) -> Finding:
        spec = self._rules["rules"].get(rule) or self._rules["problems"].get(rule) or {}
        sev = severity or Severity(spec.get("severity", "warning"))
        f = Finding(
            rule=f"{rule}:{qualifier}" if qualifier else rule,
            severity=sev,
            message=message,
            evidence=tuple(evidence),
            element=element,
            component=component,
            osd=tuple(osd),
            fix=render_fix(rule, values),
        )
        self.items.append(f)
        return f


def assess(facts: Facts) -> Assessment:
    out = _Findings()
    comps = {c.id: c for c in facts.components}
    catalog = {e["id"]: e for e in component_catalog()}

    for p in facts.problems:
        out.add(p.rule, None, p.message, p.evidence)
    if facts.card is None and facts.subject.source != "manifest":
        out.add(
            "no-card",
            None,
            "The release has no model card (README.md), so nothing says "
            "what its data, code and terms are.",
        )
    if not facts.licenses:
        out.add(
            "no-license",
            None,
            "No license was found: no `license` field in the card, no "
            "LICENSE file, no SPDX header.",
        )
    _license_conflict(facts, out)

    elements: dict[str, ElementResult] = {}
    for element in ("code", "parameters"):
        items = []
        for entry in component_catalog():
            if entry["osaid"] and entry["osaid"]["element"] == element:
                items.append(_component_item(comps[entry["id"]], entry, out))
        elements[element] = _element(element, items, out)
    elements["data-information"] = _data_information(facts, comps, out)
    if facts.bases:  # items a derivative takes from its base (docs/lineage.md)
        _inherit_elements(facts, elements, out)

    restrictions = _restrictions(facts, comps, catalog, out)
    if facts.gated is not None:
        kind = restriction_kinds()["acceptance-required"]
        out.add(
            "gated-access",
            None,
            "Access to the release is gated: users must accept "
            "conditions or share details before they can obtain it.",
            (facts.gated,),
            osd=kind["osd"],
        )

    freedoms = _freedoms(facts, comps, elements, restrictions, out)
    if facts.bases:  # a derivative is bound by its bases' terms (docs/lineage.md)
        _inherit_terms(facts, freedoms, out)
    blockers = [f for f in out.items if f.severity is Severity.BLOCKER]
    if blockers:
        verdict = Verdict.NOT_OPEN
    elif all(e.status == "met" for e in elements.values()) and all(
        v == "granted" for v in freedoms.values()
    ):
        verdict = Verdict.OPEN
    else:
        verdict = Verdict.INSUFFICIENT
    ordered = sorted(
        out.items, key=lambda f: ("blocker", "warning", "info").index(f.severity.value)
    )
    return Assessment(
        facts=facts,
        verdict=verdict,
        freedoms=freedoms,
        elements={k: elements[k] for k in ELEMENTS},
        findings=tuple(ordered),
    )


# --- elements -------------------------------------------------------------------------------------


def _component_item(c: ComponentFact, entry: dict, out: _Findings) -> ItemResult:
    spec = entry["osaid"]
    element, label = spec["element"], spec["label"]
    optional = not entry["required"]
    if c.status == "missing":
        if optional:
            return ItemResult(c.id, label, "optional")
        if c.withheld:
            out.add(
                "component-withheld",
                c.id,
                f"The release says its {label} is not provided.",
                c.withheld,
                element=element,
                component=c.id,
                item=label,
            )
            return ItemResult(c.id, label, "withheld", c.withheld)
        out.add(
            "component-missing",
            c.id,
            f"No {label} found in the release or linked from its card.",
            element=element,
            component=c.id,
            item=label,
        )
        return ItemResult(c.id, label, "not-found")
    evidence = c.evidence
    if c.status == "present" and c.basis == "name" and not optional:
        seen = "; ".join(f"{e.path}: {e.note}" if e.note else str(e.path) for e in evidence[:3])
        out.add(
            "component-unconfirmed",
            c.id,
            f"Only file names suggest the {label}; no file's content shows it ({seen}).",
            evidence[:3],
            element=element,
            component=c.id,
            item=label,
        )
        return ItemResult(c.id, label, "unconfirmed", evidence, c.license, c.license_open)
    if c.license_open is False:
        # An optional component under closed terms withholds nothing OSAID requires.
        out.add(
            "license-not-open",
            c.id,
            f"{c.license} covers the {label} and does not grant the four freedoms.",
            c.license_evidence or evidence,
            element=element,
            component=c.id,
            item=label,
            wanted=WANTED[c.content_type],
            severity=Severity.WARNING if optional else None,
        )
    elif c.license_open is None and not optional:
        if c.license is None:
            out.add(
                "license-unknown",
                c.id,
                f"The {label} is {c.status} but no license applies to it that osaid can see.",
                evidence[:3],
                element=element,
                component=c.id,
                item=label,
            )
        else:
            out.add(
                "license-unknown",
                c.id,
                f"The {label} is under {c.license}, whose terms osaid cannot judge.",
                c.license_evidence or evidence[:3],
                element=element,
                component=c.id,
                item=label,
            )
    if c.status == "declared" and c.license_open:
        out.add(
            "component-declared",
            c.id,
            f"The {label} is not in the release itself; it is "
            f"declared (linked or listed) with its license ({c.license}). The verdict relies "
            "on that declaration.",
            evidence[:3],
            element=element,
            component=c.id,
        )
    return ItemResult(c.id, label, "found", evidence, c.license, c.license_open)


def _element(element: str, items: list[ItemResult], out: _Findings) -> ElementResult:
    required = [i for i in items if i.status != "optional"]
    if any(
        i.status == "withheld"
        or (i.status == "found" and i.license_open is False and _is_required(i.id))
        for i in required
    ):
        status = "not-met"
    elif all(
        i.status == "found" and i.license_open is True for i in required if _is_required(i.id)
    ):
        status = "met"
    else:
        status = "unknown"
    rules = tuple(dict.fromkeys(f.rule for f in out.items if f.element == element))
    return ElementResult(status, tuple(items), rules)


def _is_required(cid: str) -> bool:
    return any(e["id"] == cid and e["required"] for e in component_catalog())


def _data_information(
    facts: Facts, comps: dict[str, ComponentFact], out: _Findings
) -> ElementResult:
    element = "data-information"
    items = []
    withheld = list(comps["data-card"].withheld)
    for item in facts.data_information:
        label = DATA_ITEMS[item.id]
        if item.found:
            items.append(ItemResult(item.id, label, "found", item.evidence))
            continue
        vague = item.evidence and set(item.missing) >= set(ASPECT_LABELS)
        if item.id == "description" and item.missing and item.evidence and not vague:
            missing = ", ".join(ASPECT_LABELS.get(a, a) for a in item.missing)
            detail = f"Complete the training-data description: it does not cover {missing}."
            message = f"The training-data description does not cover {missing}."
        elif item.id == "description":
            detail = (
                "Describe all training data: provenance, scope and characteristics, how it "
                "was obtained and selected, labeling procedures, processing and filtering."
            )
            message = (
                "The training data is only described in vague terms (such as 'publicly "
                "available sources'), which describe nothing."
                if item.evidence
                else "No description of the training data was found."
            )
        else:
            detail = f"Add a {label}."
            message = f"No {label} was found."
        out.add(
            "data-information-missing",
            item.id,
            message,
            item.evidence,
            element=element,
            detail=detail,
        )
        items.append(ItemResult(item.id, label, "not-found", item.evidence))
    if withheld:
        out.add(
            "data-information-withheld",
            None,
            "The release says details of its training data are not provided.",
            withheld,
            element=element,
        )
    if withheld:
        status = "not-met"
    elif all(i.status == "found" for i in items):
        status = "met"
    else:
        status = "unknown"
    rules = tuple(dict.fromkeys(f.rule for f in out.items if f.element == element))
    return ElementResult(status, tuple(items), rules)


# --- terms ----------------------------------------------------------------------------------------


def _applicable(facts: Facts, comps: dict[str, ComponentFact], catalog: dict) -> list[LicenseFact]:
    """Licenses that govern the release or one of its required components."""
    used: set[str] = set()
    for cid, c in comps.items():
        if catalog[cid]["required"] and c.license:
            used.update(
                t
                for t in c.license.replace("(", " ").replace(")", " ").split()
                if t not in ("AND", "OR", "WITH")
            )
    return [lf for lf in facts.licenses if "release" in lf.scopes or lf.id in used]


def _restrictions(facts: Facts, comps, catalog, out: _Findings) -> list[Restriction]:
    kinds = restriction_kinds()
    found: list[Restriction] = []
    seen: set[tuple[str, str]] = set()
    for lf in _applicable(facts, comps, catalog):
        for r in lf.restrictions:
            spec = kinds.get(r.kind, {})
            if (lf.id, r.kind) in seen:
                continue
            seen.add((lf.id, r.kind))
            found.append(r)
            evidence = (restriction_evidence(lf, r),)
            how = (
                ""
                if r.source in ("rule", "catalog")
                else f" (found by the {r.source}"
                + (f", score {r.score:.2f})" if r.score is not None else ")")
            )
            if spec.get("blocking"):
                out.add(
                    "restriction",
                    r.kind,
                    f"{lf.name}: {spec['label']} — {spec['description']}{how}",
                    evidence,
                    osd=r.osd,
                    kind_fix=spec.get("fix"),
                )
            else:
                out.add(
                    "restriction-allowed",
                    r.kind,
                    f"{lf.name}: {spec.get('label', r.kind)} (allowed by the OSD).",
                    evidence,
                    osd=r.osd,
                )
    return found


def restriction_evidence(lf: LicenseFact, r: Restriction) -> Evidence:
    """Where a restriction can be checked: the clause itself when a text was read; else where the
    release names the license (its own words there), with the catalog's account as a note."""
    if r.path:
        return Evidence(path=r.path, line=r.line, quote=r.quote, basis="content", note=r.note)
    named = lf.evidence[0] if lf.evidence else Evidence()
    return Evidence(
        path=named.path,
        line=named.line,
        quote=named.quote,
        field=named.field,
        url=named.url,
        basis="catalog",
        note=r.note or r.quote,
    )


def _license_conflict(facts: Facts, out: _Findings) -> None:
    release = [lf for lf in facts.licenses if "release" in lf.scopes]
    from_card = {lf.id for lf in release if any(e.field == "license" for e in lf.evidence)}
    from_files = {lf.id for lf in release if any(e.path and e.field is None for e in lf.evidence)}
    if from_card and from_files and from_card != from_files and not from_card <= from_files:
        evidence = [e for lf in release for e in lf.evidence[:1]]
        out.add(
            "license-conflict",
            None,
            f"The card declares {', '.join(sorted(from_card))} but "
            f"the license files say {', '.join(sorted(from_files))}; all of them apply.",
            evidence,
        )


def _freedoms(
    facts: Facts,
    comps,
    elements: dict[str, ElementResult],
    restrictions: list[Restriction],
    out: _Findings,
) -> dict[str, str]:
    kinds = restriction_kinds()
    withheld: set[str] = set()
    for r in restrictions:
        if kinds.get(r.kind, {}).get("blocking"):
            withheld.update(kinds[r.kind]["withholds"])
    if facts.gated is not None:
        withheld.update(kinds["acceptance-required"]["withholds"])
    required = [c for c in comps.values() if _is_required(c.id) and c.status != "missing"]
    if any(c.license_open is False for c in required):
        withheld.update(("use", "modify", "share"))
    terms_open = (
        bool(required)
        and all(c.license_open is True for c in required)
        and comps["model-parameters-final"].status != "missing"
    )
    not_met = any(e.status == "not-met" for e in elements.values())
    all_met = all(e.status == "met" for e in elements.values())
    result = {}
    for freedom in FREEDOMS:
        if freedom in withheld:
            result[freedom] = "withheld"
        elif freedom == "study":
            result[freedom] = "granted" if all_met else "withheld" if not_met else "unknown"
        elif freedom == "modify":
            result[freedom] = (
                "withheld" if not_met else "granted" if all_met and terms_open else "unknown"
            )
        else:
            result[freedom] = "granted" if terms_open and not withheld else "unknown"
    return result


# --- lineage (Facts.bases, filled in by osaid.lineage; rules in docs/lineage.md) ------------------


def _relation_label(relation: str, article: bool = False) -> str:
    spec = load_yaml("lineage.yaml")["relations"].get(relation, {})
    label = spec.get("label", relation)
    return f"{spec.get('article', 'a')} {label}" if article else label


def _inherit_elements(facts: Facts, elements: dict[str, ElementResult], out: _Findings) -> None:
    """An item the release lacks counts as found when every direct base shows it and the
    relation leaves it unchanged (`BaseFact.takes`); the report says it was taken."""
    direct = [b for b in facts.bases if b.depth == 1]
    if not direct or any(b.status != "assessed" for b in direct):
        return
    for name, element in list(elements.items()):
        items, taken = list(element.items), False
        for n, item in enumerate(items):
            if item.status != "not-found":
                continue
            theirs = [
                next((x for x in b.items if x.id == item.id), None) if item.id in b.takes else None
                for b in direct
            ]
            if not all(
                x is not None and x.status == "found" and x.license_open is not False
                for x in theirs
            ):
                continue
            evidence = tuple(ev for x in theirs for ev in x.evidence[:2])
            lic = " AND ".join(dict.fromkeys(x.license for x in theirs if x.license)) or None
            opens = [x.license_open for x in theirs]
            items[n] = ItemResult(
                item.id,
                item.label,
                "found",
                evidence,
                lic,
                True if all(o is True for o in opens) else None,
            )
            dropped = {f"component-missing:{item.id}", f"data-information-missing:{item.id}"}
            out.items = [f for f in out.items if f.rule not in dropped]
            names = ", ".join(b.id for b in direct)
            relation = _relation_label(direct[0].relation, article=True)
            out.add(
                "inherited-element",
                item.id,
                f"Taken from the base {names}, as {relation} does not change it: the {item.label}.",
                evidence,
                element=name,
                component=item.id if name != "data-information" else None,
            )
            taken = True
        if not taken:
            continue
        if name == "data-information":
            status = (
                element.status
                if element.status == "not-met"
                else "met"
                if all(i.status == "found" for i in items)
                else "unknown"
            )
            rules = tuple(dict.fromkeys(f.rule for f in out.items if f.element == name))
            elements[name] = ElementResult(status, tuple(items), rules)
        else:
            elements[name] = _element(name, items, out)


def _inherit_terms(facts: Facts, freedoms: dict[str, str], out: _Findings) -> None:
    """Every base's terms bind the derivative: a base whose own terms withhold a freedom is a
    blocker; a base that could not be read or shown open keeps the verdict from open."""
    unproven = False
    for b in facts.bases:
        via = f", through {b.via}" if b.via else ""
        how = f"{_relation_label(b.relation)}{via}"
        if b.status == "assessed" and b.terms:
            terms = sorted(b.terms, key=lambda f: not f.rule.startswith("restriction"))
            clauses = list(dict.fromkeys(f.message for f in terms))
            evidence = tuple(ev for f in terms for ev in f.evidence[:1])[:4] + b.named_at[:1]
            osd = sorted({n for f in b.terms for n in f.osd})
            out.add(
                "inherited-terms",
                b.id,
                f"Derived from {b.id} ({how}), whose terms bind this "
                f"release too: {b.license or 'its license'} is not open — {clauses[0]}"
                + (f" (and {len(clauses) - 1} more)" if len(clauses) > 1 else ""),
                evidence,
                element="parameters",
                component="model-parameters-final",
                osd=osd,
                base=b.id,
                license=b.license or "its license",
            )
            for freedom in b.withholds:
                freedoms[freedom] = "withheld"
        elif b.status == "assessed" and b.own_verdict != "open-source-ai":
            out.add(
                "base-not-proven",
                b.id,
                f"Derived from {b.id} ({how}), which is not shown to "
                f"be Open Source AI on its own ({b.own_verdict}); what it lacks, this release "
                "lacks too.",
                b.named_at,
                element="parameters",
                base=b.id,
            )
            unproven = True
        elif b.status == "unavailable":
            out.add(
                "base-unavailable",
                b.id,
                f"Derived from {b.id} ({how}), which could not be "
                f"read ({b.reason}): its terms cannot be shown to grant the four freedoms.",
                b.named_at,
                element="parameters",
                base=b.id,
            )
            unproven = True
        elif b.status == "not-followed":
            out.add(
                "lineage-not-followed",
                b.id,
                f"Derived from {b.id} ({how}), which was not "
                f"followed ({b.reason}): its terms are not known.",
                b.named_at,
                element="parameters",
                base=b.id,
            )
            unproven = True
        elif b.status == "cycle":
            out.add(
                "lineage-cycle",
                b.id,
                f"The lineage loops: {b.id} is named as a base again "
                f"({b.reason}); it was not followed a second time.",
                b.named_at,
                element="parameters",
            )
    if unproven:
        for freedom, status in freedoms.items():
            if status == "granted":
                freedoms[freedom] = "unknown"
