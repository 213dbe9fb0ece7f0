"""European Open Source AI Index style grading: Facts -> twelve dimensions and a score.

Each dimension is `open`, `partial` or `closed` with the evidence it was graded from; the score is
the unweighted mean (open 1, partial 0.5, closed 0). Which facts each dimension reads is documented
in knowledge/osai_index.yaml. A dimension the facts cannot show (a base model's data or weights: the
lineage is not followed) is graded closed and carries a `note` saying so.
"""

from __future__ import annotations

import re
from functools import cache

from osaid.knowledge import load_yaml
from osaid.model import CardFacts, ComponentFact, Evidence, Facts

NAME = "osai-index"
OPEN, PARTIAL, CLOSED = "open", "partial", "closed"


@cache
def _spec() -> dict:
    data = load_yaml("osai_index.yaml")
    return {"grades": data["grades"], "dims": {d["id"]: d for d in data["dimensions"]}}


_PATTERNS = {
    "usage": ("code-documentation", "usage"),
    "training": ("code-documentation", "training"),
    "hw-heading": ("hardware-architecture", "heading"),
    "hw-mention": ("hardware-architecture", "mention"),
    "venues": ("peer-reviewed-paper", "venues"),
}


@cache
def _rx(name: str) -> re.Pattern:
    """A pattern of osai_index.yaml, compiled when first needed."""
    if name.startswith("topic:"):
        return re.compile(_spec()["dims"]["model-card"]["topics"][name[6:]], re.I)
    dim, key = _PATTERNS[name]
    return re.compile(_spec()["dims"][dim][key], re.I)


class _Dim:
    def __init__(self, grade: str, evidence=(), note: str | None = None) -> None:
        self.grade, self.evidence, self.note = grade, list(evidence), note


@cache
def _aspect_count() -> int:
    return len(load_yaml("data_information.yaml")["aspects"])


def _found(c: ComponentFact) -> bool:
    return c.status != "missing"


def _heading_ev(card: CardFacts, line: int, heading: str) -> Evidence:
    return Evidence(path=card.path, line=line, quote=heading)


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
        return _Dim(OPEN, evidence)
    if _found(ds) or (public and public.found) or (third and third.found):
        return _Dim(
            PARTIAL,
            evidence,
            "Some data sources are listed; not all of them with where to obtain them.",
        )
    withheld = list(ds.withheld) + list(facts.component("data-card").withheld)
    if withheld:
        return _Dim(CLOSED, withheld[:3], "The release says its training data is not disclosed.")
    if desc and desc.evidence and len(desc.missing) < _aspect_count():
        return _Dim(
            PARTIAL,
            desc.evidence[:2],
            "The training data is described but its sources are not listed.",
        )
    return _Dim(CLOSED, desc.evidence[:1] if desc else [], "No training data sources were found.")


def _end_model_weights(facts: Facts) -> _Dim:
    w = facts.component("model-parameters-final")
    if not _found(w):
        return _Dim(
            CLOSED,
            list(w.withheld),
            "No final weights were found in the release or linked from it.",
        )
    if facts.gated is not None:
        return _Dim(
            PARTIAL,
            [*w.evidence[:2], facts.gated],
            "The weights are gated: users must "
            "accept conditions or share details to download them.",
        )
    return _Dim(OPEN, w.evidence[:3])


def _lineage(facts: Facts, own: _Dim, what: str) -> _Dim:
    base, ev = _base_model(facts)
    if base is None:
        note = "No base_model in the card: the release is graded as its own base model."
        return _Dim(own.grade, own.evidence, note if own.note is None else f"{note} {own.note}")
    return _Dim(
        CLOSED,
        [ev],
        f"Built on {base}: its {what} are not part of this release, and "
        "osaid does not follow the lineage yet, so they cannot be shown here.",
    )


def _training_code(facts: Facts) -> _Dim:
    tc = facts.component("training-code")
    if _found(tc):
        return _Dim(OPEN, tc.evidence[:3])
    if tc.withheld:
        return _Dim(
            CLOSED, list(tc.withheld), "The release says its training code is not provided."
        )
    others = [
        facts.component(c) for c in ("data-preprocessing-code", "inference-code", "evaluation-code")
    ]
    found = [c for c in others if _found(c)]
    if found:
        return _Dim(
            PARTIAL,
            [e for c in found for e in c.evidence[:1]],
            "Only part of the pipeline's code was found ("
            + ", ".join(c.name.lower() for c in found)
            + "); no training code.",
        )
    return _Dim(CLOSED, list(tc.withheld), "No code was found.")


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
    usage = _sections(facts, _rx("usage"))
    training = _sections(facts, _rx("training"))
    code = [c for c in facts.components if c.content_type == "code" and _found(c)]
    if code and usage and training:
        return _Dim(OPEN, [usage[0], training[0]])
    if code and (usage or training):
        return _Dim(
            PARTIAL,
            (usage or training)[:1],
            "The card documents "
            + ("how to use the model" if usage else "how it was trained")
            + " but not "
            + ("how it was trained." if usage else "how to use it."),
        )
    if usage or training:
        return _Dim(PARTIAL, (usage + training)[:2], "Documentation without code.")
    if code:
        return _Dim(
            PARTIAL,
            code[0].evidence[:1],
            "Code is found, but the card does not document how to use or train it.",
        )
    return _Dim(CLOSED)


def _hardware(facts: Facts) -> _Dim:
    card = facts.card
    if card is None:
        return _Dim(CLOSED, note="No model card.")
    heads = _sections(facts, _rx("hw-heading"))
    if heads:
        return _Dim(OPEN, heads[:2])
    for _heading, line, text in card.sections:
        m = _rx("hw-mention").search(text or "")
        if m:
            offset = text.count("\n", 0, m.start())
            start = text.rfind("\n", 0, m.start()) + 1
            end = text.find("\n", m.end())
            quote = text[start : end if end != -1 else len(text)].strip()
            return _Dim(
                PARTIAL,
                [Evidence(path=card.path, line=line + 1 + offset, quote=quote)],
                "Hardware is mentioned, not described.",
            )
    return _Dim(CLOSED, note="The card says nothing about the hardware used.")


def _preprint(facts: Facts) -> _Dim:
    paper, report = facts.component("research-paper"), facts.component("technical-report")
    if _found(paper):
        return _Dim(OPEN, paper.evidence[:3])
    if _found(report):
        return _Dim(PARTIAL, report.evidence[:3], "A technical report, no research paper.")
    return _Dim(CLOSED)


def _peer_reviewed(facts: Facts) -> _Dim:
    paper = facts.component("research-paper")
    venues = [e for e in paper.evidence if e.url and _rx("venues").search(e.url)]
    if venues:
        return _Dim(OPEN, venues[:3])
    if _found(paper):
        return _Dim(
            CLOSED,
            paper.evidence[:2],
            "The paper found is a preprint or its venue is "
            "not recognised: peer review cannot be shown.",
        )
    return _Dim(CLOSED)


def _model_card(facts: Facts) -> _Dim:
    spec = _spec()
    card = facts.card
    if card is None:
        return _Dim(CLOSED, note="No model card.")
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
        return _Dim(OPEN, evidence, f"Does not cover: {', '.join(missing)}." if missing else None)
    return _Dim(PARTIAL, evidence, f"The card does not cover: {', '.join(missing)}.")


def _datasheet(facts: Facts) -> _Dim:
    dc = facts.component("data-card")
    desc = next((i for i in facts.data_information if i.id == "description"), None)
    if dc.status == "present":
        return _Dim(OPEN, dc.evidence[:3])
    if desc is not None and desc.found:
        return _Dim(OPEN, desc.evidence[:5])
    if dc.withheld:
        return _Dim(
            CLOSED,
            list(dc.withheld),
            "The release says details of its training data are not disclosed.",
        )
    if desc is not None and desc.evidence:
        return _Dim(
            PARTIAL,
            desc.evidence[:5],
            "The training-data description does not cover: " + ", ".join(desc.missing) + ".",
        )
    if _found(dc):
        return _Dim(PARTIAL, dc.evidence[:3], "A data card is linked, not in the release.")
    return _Dim(CLOSED, list(dc.withheld))


# --- access ---------------------------------------------------------------------------------------


def _licenses(facts: Facts) -> _Dim:
    key = [facts.component(c) for c in ("model-parameters-final", "training-code", "datasets")]
    open_key = [c for c in key if _found(c) and c.license_open is True]
    not_open = [c for c in facts.components if _found(c) and c.license_open is False]
    evidence = [e for c in key + not_open for e in (c.license_evidence[:1] or c.evidence[:1])]
    evidence = list(dict.fromkeys(evidence))[:6]
    if len(open_key) == 3 and not not_open:
        return _Dim(OPEN, evidence)
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
    if len(open_key) >= 2:
        return _Dim(
            PARTIAL, evidence, f"Two of weights, training code and data are open. {detail}."
        )
    return _Dim(
        CLOSED, evidence, f"Fewer than two of weights, training code and data are open. {detail}."
    )


_GRADERS = {
    "base-model-data": lambda f: _lineage(f, _end_model_data(f), "training data sources"),
    "end-model-data": _end_model_data,
    "base-model-weights": lambda f: _lineage(f, _end_model_weights(f), "weights"),
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
        out = {"grade": d.grade, "evidence": [e.to_json() for e in d.evidence if e is not None]}
        if d.note:
            out["note"] = d.note
        if d.grade != OPEN and entry.get("fix"):
            out["fix"] = entry["fix"]
        dims[dim_id] = out
    values = [spec["grades"][d["grade"]] for d in dims.values()]
    score = round(sum(values) / len(values), 3)
    counts = {g: sum(1 for d in dims.values() if d["grade"] == g) for g in (OPEN, PARTIAL, CLOSED)}
    summary = (
        f"score {score:.2f} ({counts[OPEN]} open, {counts[PARTIAL]} partial, "
        f"{counts[CLOSED]} closed of {len(dims)} dimensions)"
    )
    return {"block": {"dimensions": dims, "score": score}, "summary": summary}
