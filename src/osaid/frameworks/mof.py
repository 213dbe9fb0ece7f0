"""Model Openness Framework: Facts -> MOF class, progress and per-component status.

Follows the Model Openness Framework (the MOF paper, arXiv 2403.13784) and the Model Openness
Tool's evaluator (github.com/lfai/model_openness_tool): a component is
`missing` (not found), `unlicensed` (found, no license applies), `included` (its license is open) or
`invalid` (its license is not). A class is reached when every component it requires, cumulatively
(Class I needs II needs III), is included; an included research paper stands in for the technical
report. The license that applies is already resolved by precedence (own, type-wide, release) in
`ComponentFact.license`.

Where it differs from the tool, on purpose: licenses are SPDX-normalised before they are judged
("Apache 2.0" is Apache-2.0), and a component may carry several licenses. With `A AND B` the most
restrictive part decides; with `A OR B` the most open choice does. The block names the license that
decided.

MOF's open rule is not OSAID's: a license is open for MOF when the SPDX list marks it OSI-approved
or FSF-libre, or when it is on the open-data list (knowledge/open_data_licenses.yaml). An open
license that is not meant for the component's content type (CC-BY-4.0 on code) still counts, as in
the tool, with a note.
"""

from __future__ import annotations

from functools import cache

from osaid import regex
from osaid.knowledge import components as component_catalog
from osaid.knowledge import load_yaml
from osaid.model import ComponentFact, Facts

NAME = "mof"
CLASSES = ("III", "II", "I")
"""From the least to the most open; each class requires the previous one's components."""
CLASS_NAMES = {"I": "Open Science", "II": "Open Tooling", "III": "Open Model"}

# How open a license is for a component, from least to most: the most restrictive part of an AND
# decides, the most open choice of an OR does.
NOT_OPEN, OPEN_OTHER_TYPE, OPEN = 0, 1, 2


@cache
def _open_data() -> frozenset[str]:
    return frozenset(e["id"] for e in load_yaml("open_data_licenses.yaml")["licenses"])


def open_by(license_id: str) -> str | None:
    """Why MOF counts this license as open (`OSI-approved`, `FSF-libre`, `open-data list`), or
    None when it does not."""
    from osaid.knowledge.licensing import catalog

    terms = catalog().terms(license_id)
    if terms.known and terms.osi_approved:
        return "OSI-approved"
    if terms.known and terms.fsf_libre:
        return "FSF-libre"
    if license_id in _open_data():
        return "open-data list"
    return None


def _rank(license_id: str, content_type: str) -> int:
    from osaid.knowledge.licensing import catalog

    if open_by(license_id) is None:
        return NOT_OPEN
    return OPEN if catalog().terms(license_id).open_as(content_type) is True else OPEN_OTHER_TYPE


# --- SPDX expressions -----------------------------------------------------------------------------

_TOKEN = regex.compile(r"\(|\)|[^\s()]+")


def parse(expression: str):
    """A small SPDX expression parser: ('id', text) | ('and', [..]) | ('or', [..]).

    AND binds tighter than OR; `X WITH exception` is one leaf named by its text. Raises ValueError
    on an expression it cannot read.
    """
    tokens = _TOKEN.findall(expression)
    pos = 0

    def peek() -> str | None:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> str:
        nonlocal pos
        pos += 1
        return tokens[pos - 1]

    def leaf():
        tok = peek()
        if tok is None:
            raise ValueError("expression ends too early")
        if tok == "(":
            take()
            node = either()
            if peek() != ")":
                raise ValueError("unbalanced parenthesis")
            take()
            return node
        if tok.upper() in ("AND", "OR", "WITH") or tok == ")":
            raise ValueError(f"unexpected {tok!r}")
        name = take()
        if peek() is not None and peek().upper() == "WITH":
            take()
            if peek() is None:
                raise ValueError("WITH without an exception")
            return ("id", f"{name} WITH {take()}", name)
        return ("id", name, name)

    def both():
        parts = [leaf()]
        while peek() is not None and peek().upper() == "AND":
            take()
            parts.append(leaf())
        return parts[0] if len(parts) == 1 else ("and", parts)

    def either():
        parts = [both()]
        while peek() is not None and peek().upper() == "OR":
            take()
            parts.append(both())
        return parts[0] if len(parts) == 1 else ("or", parts)

    node = either()
    if pos != len(tokens):
        raise ValueError(f"unexpected {tokens[pos]!r}")
    return node


def decide(expression: str, content_type: str) -> tuple[int, str]:
    """(rank, deciding license) of an SPDX expression for a component of `content_type`."""
    try:
        node = parse(expression)
    except ValueError:
        return NOT_OPEN, expression

    def walk(n) -> tuple[int, str]:
        if n[0] == "id":
            return _rank(n[2], content_type), n[1]
        results = [walk(p) for p in n[1]]
        if n[0] == "and":
            return min(results, key=lambda r: r[0])  # first of the most restrictive
        return max(results, key=lambda r: r[0])  # first of the most open choices

    return walk(node)


# --- the framework --------------------------------------------------------------------------------


def component_status(c: ComponentFact) -> dict:
    """MOF status of one component: status, license, deciding license and, where useful, a note."""
    out: dict = {"status": "missing", "license": None, "deciding_license": None}
    if c.status == "missing":
        return out
    if not c.license:
        out["status"] = "unlicensed"
        return out
    rank, deciding = decide(c.license, c.content_type)
    out["license"] = c.license
    out["deciding_license"] = deciding
    if rank == NOT_OPEN:
        out["status"] = "invalid"
        out["note"] = f"{deciding} is neither OSI-approved nor FSF-libre nor on the open-data list."
    else:
        out["status"] = "included"
        if rank == OPEN_OTHER_TYPE:
            out["note"] = (
                f"{deciding} is open but not meant for {c.content_type}; MOF asks for a "
                f"license suited to {c.content_type}."
            )
    return out


def required(cls: str) -> list[dict]:
    """The catalog entries a class requires, cumulatively."""
    upto = CLASSES[: CLASSES.index(cls) + 1]
    return [e for e in component_catalog() if e.get("mof_class") in upto]


def _met(entry: dict, statuses: dict[str, dict]) -> bool:
    if statuses[entry["id"]]["status"] == "included":
        return True
    stand_in = entry.get("mof_stand_in")
    return bool(stand_in) and statuses[stand_in]["status"] == "included"


_ACTIONS = {
    "missing": "Publish the {name} (in the release, or linked from the model card with its "
    "license).",
    "unlicensed": "State the license of the {name} (its own license file or SPDX header, or a "
    "release-wide license).",
    "invalid": "Offer the {name} under an open license (OSI-approved, FSF-libre, or an open-data "
    "license such as CC-BY-4.0 or CDLA-Permissive-2.0): {deciding} is not one.",
}


def assess(facts: Facts) -> dict:
    statuses = {c.id: component_status(c) for c in facts.components}
    names = {c.id: c.name for c in facts.components}
    progress, reached = {}, None
    for cls in CLASSES:
        needed = required(cls)
        met = sum(1 for e in needed if _met(e, statuses))
        progress[cls] = round(met / len(needed), 3) if needed else 0.0
        if needed and met == len(needed):
            reached = cls
    # CLASSES runs from III to I, and each needs the previous: the last one met is the best.
    target = (
        CLASSES[CLASSES.index(reached) + 1]
        if reached and reached != "I"
        else None
        if reached == "I"
        else "III"
    )
    next_steps = []
    if target:
        for e in required(target):
            if _met(e, statuses):
                continue
            st = statuses[e["id"]]
            step = {
                "component": e["id"],
                "status": st["status"],
                "action": _ACTIONS[st["status"]].format(
                    name=names.get(e["id"], e["name"]).lower(), deciding=st["deciding_license"]
                ),
            }
            if e.get("mof_stand_in"):
                step["action"] += (
                    f" An included {e['mof_stand_in'].replace('-', ' ')} also "
                    "meets this requirement."
                )
            next_steps.append(step)
    block = {
        "class": reached,
        "class_name": CLASS_NAMES.get(reached) if reached else None,
        "progress": {k: progress[k] for k in ("I", "II", "III")},
        "components": statuses,
        "next_class": target,
        "next_steps": next_steps,
    }
    return {"block": block, "summary": _summary(reached, target, next_steps)}


def _summary(reached: str | None, target: str | None, steps: list[dict]) -> str:
    head = f"Class {reached} ({CLASS_NAMES[reached]})" if reached else "unclassified"
    if not target:
        return head + "; every component Class I requires is included"
    names = ", ".join(s["component"] for s in steps[:2])
    more = f" +{len(steps) - 2}" if len(steps) > 2 else ""
    return f"{head}; Class {target} needs {len(steps)} more: {names}{more}"
