"""European Open Source AI Index style grading: Facts -> twelve dimensions and a score.

Each dimension is `open`, `partial`, `closed` or `not-assessed`, with the evidence it was graded
from and the `rule` of knowledge/osai_index.yaml that decided it. `not-assessed` is for a
dimension whose evidence the input cannot hold (a manifest has no card text; a base model that
was not read); it is kept out of the score, which is the unweighted mean of the graded dimensions
(open 1, partial 0.5, closed 0). Evidence that is only declared (listed in a manifest, linked,
stated) shows at most `partial` where the grade depends on what the thing contains.
"""

from __future__ import annotations

import re
from functools import cache

from osaid import regex
from osaid.knowledge import load_yaml
from osaid.model import CardFacts, ComponentFact, Evidence, Facts

NAME = "osai-index"
OPEN, PARTIAL, CLOSED, NOT_ASSESSED = "open", "partial", "closed", "not-assessed"
GRADES = (OPEN, PARTIAL, CLOSED, NOT_ASSESSED)


@cache
def _spec() -> dict:
    data = load_yaml("osai_index.yaml")
    return {
        "grades": data["grades"],
        "dims": {d["id"]: d for d in data["dimensions"]},
        "inputs": data["inputs"],
        "common": data["common_rules"],
    }


def rule_ids(dim_id: str) -> set[str]:
    """Every rule id a dimension may report: its own and the common ones."""
    spec = _spec()
    return set(spec["dims"][dim_id]["rules"]) | set(spec["common"])


_PATTERNS = {
    "usage": ("code-documentation", "usage"),
    "training": ("code-documentation", "training"),
    "hw-heading": ("hardware-architecture", "heading"),
    "hw-mention": ("hardware-architecture", "mention"),
    "venues": ("peer-reviewed-paper", "venues"),
    "doi-publishers": ("peer-reviewed-paper", "doi_publishers"),
    "citation": ("peer-reviewed-paper", "citation_venue"),
    "bibtex-entry": ("peer-reviewed-paper", "bibtex_entry"),
    "paper-context": ("peer-reviewed-paper", "paper_context"),
    "preprint-servers": ("preprint", "preprint_servers"),
    "from-scratch": ("base-model-data", "from_scratch"),
}


@cache
def _rx(name: str) -> re.Pattern:
    """A pattern of osai_index.yaml, compiled when first needed."""
    if name.startswith("topic:"):
        return regex.compile(_spec()["dims"]["model-card"]["topics"][name[6:]], re.I)
    dim, key = _PATTERNS[name]
    return regex.compile(_spec()["dims"][dim][key], re.I | re.M)


class _Dim:
    def __init__(
        self, grade: str, rule: str, evidence=(), note: str | None = None, declared: bool = False
    ) -> None:
        self.grade, self.rule, self.evidence, self.note = grade, rule, list(evidence), note
        self.declared = declared
        """True when the grade rests on declared evidence only (see `_cap`)."""


@cache
def _aspect_count() -> int:
    return len(load_yaml("data_information.yaml")["aspects"])


def _found(c: ComponentFact) -> bool:
    return c.status != "missing"


# --- how a fact is known --------------------------------------------------------------------------


def _manifest_path(facts: Facts) -> str | None:
    m = facts.subject.metadata.get("manifest")
    return m.get("path") if isinstance(m, dict) else None


def _declared_ev(facts: Facts, e: Evidence) -> bool:
    """Evidence that only declares: its basis says so, or (basis not stated) it is a manifest's."""
    if e.basis is not None:
        return e.basis == "declared"
    mp = _manifest_path(facts)
    return mp is not None and e.path == mp


def _declared_only(facts: Facts, c: ComponentFact) -> bool:
    """A component known only from a declaration: its basis, else its status, says so."""
    if not _found(c):
        return False
    if c.basis is not None:
        return c.basis == "declared"
    return c.status == "declared" or (
        bool(c.evidence) and all(_declared_ev(facts, e) for e in c.evidence)
    )


def _cap(d: _Dim, what: str) -> _Dim:
    """Declared-only evidence shows partial at most, and the note says so. A partial grade that
    rests on declarations alone reports the same rule: what was declared was not read."""
    if d.grade not in (OPEN, PARTIAL) or not d.declared:
        return d
    note = (
        f"{what} is declared, not read (nothing of it is in the input), so it shows "
        "partial at most."
    )
    return _Dim(PARTIAL, "declared-only", d.evidence, f"{d.note} {note}" if d.note else note)


def _cannot_hold(facts: Facts, dim_id: str) -> str | None:
    """Why this input holds none of the evidence a dimension reads (`needs`); None: it can."""
    kind = _spec()["inputs"].get(facts.subject.source)
    needs = _spec()["dims"][dim_id].get("needs") or []
    if kind is None or not needs or any(n in kind["holds"] for n in needs):
        return None
    why = " ".join(str(kind.get("why", "")).split())
    return why or f"A {facts.subject.source} input holds no {', '.join(needs)}."


def _heading_ev(card: CardFacts, line: int, heading: str) -> Evidence:
    return Evidence(path=card.path, line=line, quote=heading, basis="content")


def _line_ev(card: CardFacts, line: int, text: str, m: re.Match) -> Evidence:
    """Evidence at the line of a section's text where `m` matched, quoting that line."""
    offset = text.count("\n", 0, m.start())
    start = text.rfind("\n", 0, m.start()) + 1
    end = text.find("\n", m.end())
    quote = text[start : end if end != -1 else len(text)].strip()
    return Evidence(path=card.path, line=line + 1 + offset, quote=quote, basis="content")


def _search_card(facts: Facts, pattern: re.Pattern) -> Evidence | None:
    card = facts.card
    if card is None:
        return None
    for _heading, line, text in card.sections:
        m = pattern.search(text or "")
        if m:
            return _line_ev(card, line, text, m)
    return None


def _base_model(facts: Facts) -> tuple[str | None, Evidence | None]:
    card = facts.card
    if card is None:
        return None, None
    value = card.fields.get("base_model")
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value if v)
    if not value or not isinstance(value, str):
        return None, None
    return value, card.field_evidence("base_model")


# --- availability ---------------------------------------------------------------------------------


def _end_model_data(facts: Facts) -> _Dim:
    ds = facts.component("datasets")
    items = {i.id: i for i in facts.data_information}
    public, third, desc = (
        items.get("public-data-listing"),
        items.get("third-party-data-listing"),
        items.get("description"),
    )
    evidence = list(ds.evidence[:3])
    seen = {(e.path, e.line, e.field) for e in evidence}
    for item in (public, third):
        if item and item.found:
            evidence += [e for e in item.evidence[:2] if (e.path, e.line, e.field) not in seen]
    if _found(ds) and public and public.found and third and third.found:
        listings = [e for i in (public, third) for e in i.evidence]
        declared = _declared_only(facts, ds) and all(_declared_ev(facts, e) for e in listings)
        return _cap(_Dim(OPEN, "data-listed", evidence, declared=declared), "The training data")
    if _found(ds) or (public and public.found) or (third and third.found):
        read = [e for i in (public, third) if i and i.found for e in i.evidence]
        declared = (not _found(ds) or _declared_only(facts, ds)) and all(
            _declared_ev(facts, e) for e in read
        )
        d = _Dim(
            PARTIAL,
            "data-some",
            evidence,
            "Some data sources are listed; not all of them with where to obtain them.",
            declared=declared,
        )
        return _cap(d, "The training data")
    withheld = list(ds.withheld) + list(facts.component("data-card").withheld)
    if withheld:
        return _Dim(
            CLOSED,
            "data-withheld",
            withheld[:3],
            "The release says its training data is not disclosed.",
        )
    if desc and desc.evidence and len(desc.missing) < _aspect_count():
        d = _Dim(
            PARTIAL,
            "data-some",
            desc.evidence[:2],
            "The training data is described but its sources are not listed.",
            declared=all(_declared_ev(facts, e) for e in desc.evidence),
        )
        return _cap(d, "The training data's description")
    return _Dim(
        CLOSED,
        "data-none",
        desc.evidence[:1] if desc else [],
        "No training data sources were found.",
    )


def _restricted_terms(facts: Facts, c: ComponentFact) -> tuple[list[Evidence], str | None]:
    """Evidence that the terms on `c` are not open or carry a restriction that makes sharing
    conditional (`restricted_kinds`), and the license that shows it."""
    kinds = set(_spec()["dims"]["end-model-weights"]["restricted_kinds"])
    if c.license_open is False:
        return list(c.license_evidence[:2]), c.license
    ids = set(re.findall(r"[A-Za-z0-9.+-]+", c.license or ""))
    for lf in facts.licenses:
        if lf.id not in ids:
            continue
        hits = [r for r in lf.restrictions if r.kind in kinds]
        if hits:
            ev = [
                Evidence(path=r.path, line=r.line, quote=r.quote, basis="content")
                if r.path
                else Evidence(
                    quote=None, basis="catalog", note=f"{lf.id}: {r.kind} ({r.quote[:150]})"
                )
                for r in hits[:2]
            ]
            return ev, lf.id
    return [], None


def _end_model_weights(facts: Facts) -> _Dim:
    w = facts.component("model-parameters-final")
    if not _found(w):
        return _Dim(
            CLOSED,
            "weights-not-found",
            list(w.withheld),
            "No final weights were found in the release or linked from it.",
        )
    if facts.gated is not None:
        return _Dim(
            PARTIAL,
            "weights-gated",
            [*w.evidence[:2], facts.gated],
            "The weights are gated: users must "
            "accept conditions or share details to download them.",
        )
    terms, lic = _restricted_terms(facts, w)
    if lic is not None:
        return _Dim(
            PARTIAL,
            "weights-restricted",
            [*w.evidence[:1], *terms],
            f"The weights are shared under {lic}, whose terms are not open: they are shared only "
            "on conditions (an agreement, a use policy or restrictions).",
        )
    return _Dim(OPEN, "weights-shared", w.evidence[:3])


def _base(facts: Facts, dim_id: str, own: _Dim, what: str) -> _Dim:
    """A base-model dimension: from lineage, from a from-scratch statement, else not assessed."""
    base, ev = _base_model(facts)
    if facts.bases:
        b = facts.bases[0]
        named = list(b.named_at[:1]) or ([ev] if ev else [])
        if b.status != "assessed":
            return _Dim(
                NOT_ASSESSED,
                "base-not-read",
                named,
                f"Built on {b.id}, which was not read ({b.reason or b.status}): its {what} "
                "cannot be shown here.",
            )
        return _from_base(b, dim_id, named)
    if base is not None:
        return _Dim(
            NOT_ASSESSED,
            "base-not-read",
            [ev],
            f"Built on {base}: its {what} are not part of this release, and the base "
            "model was not read (lineage not followed).",
        )
    scratch = _search_card(facts, _rx("from-scratch"))
    if scratch is not None:
        note = "The card says the model was trained from scratch: it is its own base model."
        return _Dim(
            own.grade,
            "own-base",
            [scratch, *own.evidence],
            f"{note} {own.note}" if own.note else note,
        )
    note = (
        "No base model is named and nothing says the model was trained from scratch, so "
        f"whether it is its own base cannot be shown; the end model's {what} are not copied."
    )
    evidence: list[Evidence] = []
    manifest = facts.subject.metadata.get("manifest")
    if isinstance(manifest, dict):
        origin = (manifest.get("data", {}).get("release") or {}).get("origin")
        if isinstance(origin, str) and origin.strip():
            line = (manifest.get("lines") or {}).get("release.origin")
            evidence.append(
                Evidence(
                    path=manifest.get("path"),
                    line=line,
                    field="release.origin",
                    quote=origin.strip()[:200],
                    basis="declared",
                )
            )
            note += (
                " The manifest's `origin` is free text (a family, an organisation or a license "
                "as often as a model) and is not read as a base-model id."
            )
    return _Dim(NOT_ASSESSED, "no-lineage", evidence, note)


def _from_base(b, dim_id: str, named: list[Evidence]) -> _Dim:
    if dim_id == "base-model-weights":
        if b.license_open is False:
            return _Dim(
                PARTIAL,
                "base-assessed",
                named,
                f"The base model {b.id} is shared under {b.license}, whose terms are not open.",
            )
        return _Dim(OPEN, "base-assessed", named, f"The base model {b.id} was read.")
    data = [
        i
        for i in b.items
        if i.id in ("description", "public-data-listing", "third-party-data-listing")
    ]
    found = [i for i in data if i.status == "found"]
    evidence = named + [e for i in found for e in i.evidence[:1]]
    if data and len(found) == len(data):
        return _Dim(OPEN, "base-assessed", evidence)
    if found:
        return _Dim(
            PARTIAL,
            "base-assessed",
            evidence,
            f"The base model {b.id} documents some of its training data, not all of it.",
        )
    return _Dim(
        CLOSED,
        "base-assessed",
        named,
        f"The base model {b.id} does not document its training data sources.",
    )


def _training_code(facts: Facts) -> _Dim:
    tc = facts.component("training-code")
    if _found(tc):
        d = _Dim(OPEN, "training-code-found", tc.evidence[:3], declared=_declared_only(facts, tc))
        return _cap(d, "The training code")
    if tc.withheld:
        return _Dim(
            CLOSED,
            "training-code-withheld",
            list(tc.withheld),
            "The release says its training code is not provided.",
        )
    prep = facts.component("data-preprocessing-code")
    if _found(prep):
        d = _Dim(
            PARTIAL,
            "preprocessing-code-only",
            prep.evidence[:1],
            "Data preprocessing code is found, no training code: part of the pipeline.",
            declared=_declared_only(facts, prep),
        )
        return _cap(d, "The data preprocessing code")
    found = [
        c
        for c in facts.components
        if c.content_type == "code" and _found(c) and c.id not in (tc.id, prep.id)
    ]
    if found:
        return _Dim(
            CLOSED,
            "minimal-code",
            [e for c in found for e in c.evidence[:1]],
            "Only other code is found ("
            + ", ".join(c.name.lower() for c in found)
            + "): code to define, run or score the model shows nothing of how it was trained.",
        )
    return _Dim(CLOSED, "no-code", note="No code was found.")


# --- documentation --------------------------------------------------------------------------------


def _sections(facts: Facts, pattern: re.Pattern) -> list[Evidence]:
    card = facts.card
    if card is None:
        return []
    return [
        _heading_ev(card, line, heading)
        for heading, line, _ in card.sections
        if heading and pattern.search(heading)
    ]


def _code_documentation(facts: Facts) -> _Dim:
    tc = facts.component("training-code")
    if not _found(tc):
        other = [c.name.lower() for c in facts.components if c.content_type == "code" and _found(c)]
        note = "No training code is found, so there is no training code to document" + (
            f" (other code found: {', '.join(other)})." if other else "."
        )
        return _Dim(CLOSED, "no-training-code", list(tc.withheld[:1]), note)
    why = _cannot_hold(facts, "code-documentation")
    if why is not None:
        return _Dim(
            NOT_ASSESSED,
            "documentation-not-in-input",
            tc.evidence[:1],
            f"Training code is declared, but its documentation cannot be read here. {why}",
        )
    usage = _sections(facts, _rx("usage"))
    training = _sections(facts, _rx("training"))
    if usage and training:
        return _Dim(OPEN, "documented", [usage[0], training[0]])
    if usage or training:
        return _Dim(
            PARTIAL,
            "documented-in-part",
            [*tc.evidence[:1], *(usage or training)[:1]],
            "The card documents "
            + ("how to use the model" if usage else "how it was trained")
            + " but not "
            + ("how it was trained." if usage else "how to use it."),
        )
    return _Dim(
        PARTIAL,
        "documented-in-part",
        tc.evidence[:1],
        "Training code is found, but the card does not document how to use or train the model.",
    )


def _hardware(facts: Facts) -> _Dim:
    why = _cannot_hold(facts, "hardware-architecture")
    if why is not None:
        return _Dim(NOT_ASSESSED, "not-in-input", note=why)
    card = facts.card
    if card is None:
        return _Dim(CLOSED, "hardware-none", note="No model card.")
    heads = _sections(facts, _rx("hw-heading"))
    if heads:
        return _Dim(OPEN, "hardware-section", heads[:2])
    mention = _search_card(facts, _rx("hw-mention"))
    if mention is not None:
        return _Dim(PARTIAL, "hardware-mention", [mention], "Hardware is mentioned, not described.")
    return _Dim(CLOSED, "hardware-none", note="The card says nothing about the hardware used.")


def _papers(facts: Facts) -> list[tuple[ComponentFact, Evidence]]:
    return [
        (c, e)
        for c in (facts.component("research-paper"), facts.component("technical-report"))
        if _found(c)
        for e in c.evidence
    ]


def _preprint(facts: Facts) -> _Dim:
    paper, report = facts.component("research-paper"), facts.component("technical-report")
    archived = [e for _, e in _papers(facts) if e.url and _rx("preprint-servers").search(e.url)]
    if archived:
        return _Dim(OPEN, "preprint-archived", archived[:3])
    if _found(paper):
        d = _Dim(
            OPEN,
            "paper-found",
            paper.evidence[:3],
            declared=_declared_only(facts, paper) and not any(e.url for e in paper.evidence),
        )
        return _cap(d, "The research paper")
    if _found(report):
        return _Dim(
            PARTIAL,
            "technical-report-only",
            report.evidence[:3],
            "A technical report that is not an archived preprint, and no research paper.",
        )
    return _Dim(CLOSED, "no-paper")


def _section_heading(card: CardFacts, line: int) -> str:
    """The heading of the card section a line falls in ("" before the first heading)."""
    heading = ""
    for h, start, _ in card.sections:
        if start > line:
            break
        heading = h or ""
    return heading


def _own_citation(facts: Facts) -> Evidence | None:
    """The card's first BibTeX entry, when it cites a venue (proceedings, a journal that is not a
    preprint server). Later entries are usually other works the authors ask to cite too."""
    card = facts.card
    if card is None:
        return None
    for _heading, line, text in card.sections:
        first = _rx("bibtex-entry").search(text or "")
        if first is None:
            continue
        nxt = _rx("bibtex-entry").search(text, first.end())
        m = _rx("citation").search(text, first.start(), nxt.start() if nxt else len(text))
        return _line_ev(card, line, text, m) if m else None
    return None


def _peer_reviewed(facts: Facts) -> _Dim:
    urls = [e for _, e in _papers(facts) if e.url]
    card = facts.card
    if card is not None:
        # a card link counts when it is about the model's paper: its text or its section says so
        urls += [
            Evidence(path=card.path, line=line, quote=text[:200] or None, url=url, basis="content")
            for url, line, text in card.links
            if _rx("paper-context").search(text or "")
            or _rx("paper-context").search(_section_heading(card, line))
        ]
    venues = [e for e in urls if _rx("venues").search(e.url) or _rx("doi-publishers").search(e.url)]
    if venues:
        return _Dim(OPEN, "venue-link", venues[:3])
    cited = _own_citation(facts)
    if cited is not None:
        return _Dim(
            OPEN,
            "venue-citation",
            [cited],
            "The card cites the paper as published in proceedings or a journal.",
        )
    found = _papers(facts)
    if found:
        return _Dim(
            CLOSED,
            "preprint-only",
            [e for _, e in found][:2],
            "The paper found is a preprint or its venue is "
            "not recognised: peer review cannot be shown.",
        )
    return _Dim(CLOSED, "no-paper")


def _model_card(facts: Facts) -> _Dim:
    spec = _spec()
    card = facts.card
    if card is None:
        mc = facts.component("model-card")
        if _found(mc):
            return _Dim(
                PARTIAL,
                "card-declared",
                mc.evidence[:2],
                "A model card is declared but its text was not read: it shows partial at most.",
            )
        return _Dim(CLOSED, "no-card", note="No model card.")
    covered: dict[str, Evidence] = {}
    topics = spec["dims"]["model-card"]["topics"]
    for topic in topics:
        pattern = _rx(f"topic:{topic}")
        for heading, line, _ in card.sections:
            if heading and pattern.search(heading):
                covered[topic] = _heading_ev(card, line, heading)
                break
    missing = [t for t in topics if t not in covered]
    evidence = list(covered.values()) or [
        Evidence(path=card.path, basis="content", note="model card")
    ]
    if len(covered) >= spec["dims"]["model-card"]["open_at"]:
        return _Dim(
            OPEN,
            "card-comprehensive",
            evidence,
            f"Does not cover: {', '.join(missing)}." if missing else None,
        )
    return _Dim(PARTIAL, "card-thin", evidence, f"The card does not cover: {', '.join(missing)}.")


def _datasheet(facts: Facts) -> _Dim:
    dc = facts.component("data-card")
    desc = next((i for i in facts.data_information if i.id == "description"), None)
    if dc.status == "present" and not _declared_only(facts, dc):
        return _Dim(OPEN, "datasheet-found", dc.evidence[:3])
    if desc is not None and desc.found:
        declared = bool(desc.evidence) and all(_declared_ev(facts, e) for e in desc.evidence)
        d = _Dim(OPEN, "datasheet-found", desc.evidence[:5], declared=declared)
        return _cap(d, "The data card")
    if dc.withheld:
        return _Dim(
            CLOSED,
            "datasheet-withheld",
            list(dc.withheld),
            "The release says details of its training data are not disclosed.",
        )
    if desc is not None and desc.evidence:
        return _Dim(
            PARTIAL,
            "datasheet-partial",
            desc.evidence[:5],
            "The training-data description does not cover: " + ", ".join(desc.missing) + ".",
        )
    if _found(dc):
        d = _Dim(
            PARTIAL,
            "datasheet-partial",
            dc.evidence[:3],
            "A data card is linked or listed, not in the release.",
            declared=_declared_only(facts, dc),
        )
        return _cap(d, "The data card")
    return _Dim(CLOSED, "no-datasheet", list(dc.withheld))


# --- access ---------------------------------------------------------------------------------------


def _licenses(facts: Facts) -> _Dim:
    key = [facts.component(c) for c in ("model-parameters-final", "training-code", "datasets")]
    weights = key[0]
    open_key = [c for c in key if _found(c) and c.license_open is True]
    not_open = [c for c in facts.components if _found(c) and c.license_open is False]
    evidence = [e for c in key + not_open for e in (c.license_evidence[:1] or c.evidence[:1])]
    evidence = list(dict.fromkeys(evidence))[:6]
    if len(open_key) == 3 and not not_open:
        return _Dim(OPEN, "all-open", evidence)
    detail = "; ".join(
        f"{c.name}: "
        + (c.license or "no license found" if _found(c) else "not found")
        + ("" if c.license_open is not False else " (not open)")
        for c in key
        if c not in open_key
    )
    others = [c.name for c in not_open if c not in key]
    if others:
        detail += ("; " if detail else "") + "also not open: " + ", ".join(others)
    detail = detail.rstrip("; :")
    if weights in open_key or len(open_key) >= 2:
        lead = (
            "The weights are under open terms, not everything else is."
            if weights in open_key
            else "Two of weights, training code and data are open."
        )
        return _Dim(PARTIAL, "weights-or-two-open", evidence, f"{lead} {detail}.")
    return _Dim(
        CLOSED,
        "not-open",
        evidence,
        f"Neither the weights nor two of weights, training code and data are open. {detail}.",
    )


_GRADERS = {
    "base-model-data": lambda f: _base(f, "base-model-data", _end_model_data(f), "data sources"),
    "end-model-data": _end_model_data,
    "base-model-weights": lambda f: _base(
        f, "base-model-weights", _end_model_weights(f), "weights"
    ),
    "end-model-weights": _end_model_weights,
    "training-code": _training_code,
    "code-documentation": _code_documentation,
    "hardware-architecture": _hardware,
    "preprint": _preprint,
    "peer-reviewed-paper": _peer_reviewed,
    "model-card": _model_card,
    "datasheet": _datasheet,
    "licenses": _licenses,
}


def assess(facts: Facts) -> dict:
    spec = _spec()
    dims: dict[str, dict] = {}
    for dim_id, entry in spec["dims"].items():
        d = _GRADERS[dim_id](facts)
        out = {
            "grade": d.grade,
            "rule": d.rule,
            "evidence": [e.to_json() for e in d.evidence if e is not None],
        }
        if d.note:
            out["note"] = d.note
        if d.grade in (PARTIAL, CLOSED) and entry.get("fix"):
            out["fix"] = entry["fix"]
        dims[dim_id] = out
    graded = [d for d in dims.values() if d["grade"] != NOT_ASSESSED]
    values = [spec["grades"][d["grade"]] for d in graded]
    score = round(sum(values) / len(values), 3) if values else None
    counts = {g: sum(1 for d in dims.values() if d["grade"] == g) for g in GRADES}
    skipped = [k for k, d in dims.items() if d["grade"] == NOT_ASSESSED]
    summary = (
        (f"score {score:.2f}" if score is not None else "no score")
        + f" ({counts[OPEN]} open, {counts[PARTIAL]} partial, {counts[CLOSED]} closed"
        + f" of {len(graded)} graded dimensions)"
        + (f"; not assessed: {', '.join(skipped)}" if skipped else "")
    )
    return {
        "block": {
            "dimensions": dims,
            "score": score,
            "graded": len(graded),
            "not_assessed": skipped,
        },
        "summary": summary,
    }
