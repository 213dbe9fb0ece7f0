"""SARIF 2.1.0 of an assessment, for code-scanning tools (GitHub code scanning, GitLab, IDEs).

`render` writes one run: a rule per osaid rule (`knowledge/rules.yaml`; a `restriction` finding
is reported under its clause kind, `restriction:KIND`, whose OSD criteria and fix are in
`knowledge/restriction_kinds.yaml`), a result per finding located at its evidence (file, line, and
the quote's columns on that line), osaid's verdict and freedoms in the run's `properties`.

The building blocks take generic data, so that every osaid command writes SARIF one way, with
results located in any files: `SarifRule`, `SarifLocation`, `SarifResult`, `sarif_log(rules,
results, ...)` and `write(log, out)` (`osaid audit` builds its log with them too,
`auditor/sarif.py`). `osaid_rules()` is the catalog of osaid's own rules as `SarifRule`s.

GitHub's rules are followed: artifact URIs relative to the checkout (a local release inside the
current folder is prefixed with its path from there, else `uriBaseId` `RELEASEROOT`), a
`partialFingerprints` per result that does not move when lines do, rule help in text and
Markdown, and `security-severity` on the rules whose findings withhold a freedom (blockers).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from typing import TextIO

from osaid import __version__
from osaid.model import Assessment, Evidence, Severity

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://opensource.org/ai/open-source-ai-definition"
FINGERPRINT_KEY = "osaidFinding/v1"
MAX_REGION_LINES = 20
"""Lines from the located one that a quote's region may span."""
ROOT_BASE = "RELEASEROOT"

LEVELS = {Severity.BLOCKER: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "note": "recommendation"}
# GitHub shows a security severity for rules tagged `security`: terms that withhold a freedom are
# a supply-chain risk for whoever builds on the model; other findings get none.
_SECURITY_SEVERITY = {"error": "7.0"}
OSD_CRITERIA = {
    1: "Free redistribution",
    2: "Source code",
    3: "Derived works",
    4: "Integrity of the author's source code",
    5: "No discrimination against persons or groups",
    6: "No discrimination against fields of endeavor",
    7: "Distribution of license",
    8: "License must not be specific to a product",
    9: "License must not restrict other software",
    10: "License must be technology-neutral",
}
"""The Open Source Definition's ten criteria (opensource.org/osd), as rule help names them."""


# --- generic building blocks ------------------------------------------------------------------


@dataclass(frozen=True)
class SarifRule:
    id: str
    title: str
    """One line (`shortDescription`)."""
    help: str
    """What the rule checks and how to fix it (plain text; Markdown is derived)."""
    level: str = "warning"
    """Default level: `error`, `warning` or `note`."""
    osd: tuple[int, ...] = ()
    """Open Source Definition criteria the rule's findings conflict with."""
    tags: tuple[str, ...] = ()
    help_uri: str | None = None


@dataclass(frozen=True)
class SarifLocation:
    path: str
    """Relative POSIX path of the file (relative to the checkout, or to `root_base`)."""
    line: int | None = None
    quote: str | None = None
    """Verbatim text starting on that line; with `text` it gives the region's columns."""
    text: str | None = None
    """The file's text, when known (to find the quote in)."""
    message: str | None = None
    column: int | None = None
    """Start column on that line, when known otherwise (used when no quote is found there)."""


@dataclass(frozen=True)
class SarifResult:
    rule_id: str
    level: str
    message: str
    locations: tuple[SarifLocation, ...] = ()
    properties: dict = field(default_factory=dict)
    fingerprint: str | None = None
    """What identifies the result across runs (default: rule, first path and quote)."""
    suppression: str | None = None
    """Why the result is dismissed (an `external` suppression with this justification)."""


def _markdown_help(rule: SarifRule) -> str:
    lines = [f"**{rule.title}**", "", rule.help]
    if rule.osd:
        lines += ["", "Open Source Definition criteria:"]
        lines += [f"- {n}. {OSD_CRITERIA.get(n, '')}".rstrip() for n in rule.osd]
    return "\n".join(lines)


def _rule_json(rule: SarifRule) -> dict:
    text = rule.help
    if rule.osd:
        text += " OSD criteria: " + "; ".join(
            f"{n} {OSD_CRITERIA.get(n, '')}".strip() for n in rule.osd
        )
    props: dict = {"tags": list(rule.tags)}
    if rule.osd:
        props["osd"] = list(rule.osd)
    props["problem.severity"] = _PROBLEM_SEVERITY.get(rule.level, "warning")
    if rule.level in _SECURITY_SEVERITY:
        props["security-severity"] = _SECURITY_SEVERITY[rule.level]
        if "security" not in props["tags"]:
            props["tags"].append("security")
    out = {
        "id": rule.id,
        "name": "".join(w.capitalize() for w in rule.id.replace(":", "-").split("-")),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": text},
        "help": {"text": text, "markdown": _markdown_help(rule)},
        "defaultConfiguration": {"level": rule.level},
        "properties": props,
    }
    if rule.help_uri:
        out["helpUri"] = rule.help_uri
    return out


def _region(loc: SarifLocation) -> dict | None:
    """The location's line, and where the quote is on it: start and end line and column, found
    in the file's text from that line on (whitespace may differ: quotes are collapsed)."""
    if not loc.line or loc.line < 1:
        return None
    region: dict = {"startLine": loc.line}
    words = (loc.quote or "").replace("…", " ").split()
    found = None
    if words and loc.text is not None:
        lines = loc.text.splitlines()
        if loc.line <= len(lines):
            first = lines[loc.line - 1]
            rest = "\n".join(lines[loc.line - 1 : loc.line - 1 + MAX_REGION_LINES])
            found = re.compile(r"\s+".join(map(re.escape, words))).search(rest)
            if found and found.start() > len(first):
                found = None
    if found is None:  # not in the file as read: the line stands, no snippet is claimed
        if loc.column and loc.column > 0:
            region["startColumn"] = loc.column
        return region
    before = rest[: found.start()]
    inside = found.group(0)
    region["startColumn"] = found.start() + 1
    end_line = loc.line + inside.count("\n")
    if end_line != loc.line:
        region["endLine"] = end_line
        region["endColumn"] = len(inside) - inside.rfind("\n")
    else:
        region["endColumn"] = len(before) + len(inside) + 1
    region["snippet"] = {"text": inside}
    return region


def _location_json(loc: SarifLocation, root_base: str | None) -> dict:
    artifact: dict = {"uri": loc.path}
    if root_base:
        artifact["uriBaseId"] = root_base
    physical: dict = {"artifactLocation": artifact}
    region = _region(loc)
    if region:
        physical["region"] = region
    out: dict = {"physicalLocation": physical}
    if loc.message:
        out["message"] = {"text": loc.message}
    return out


def fingerprint(*parts: str | None) -> str:
    """A stable SARIF `partialFingerprints` value from what identifies a result."""
    text = "\0".join(" ".join((p or "").split()) for p in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def sarif_log(
    rules: list[SarifRule],
    results: list[SarifResult],
    *,
    tool_version: str = __version__,
    run_properties: dict | None = None,
    root_base: str | None = None,
    root_uri: str | None = None,
) -> dict:
    """A SARIF 2.1.0 log with one run of osaid. Rules are listed in the order given (each once);
    results refer to them by id and index. `root_base` names the `uriBaseId` the locations are
    relative to (None: relative to where the tool ran, as GitHub wants), `root_uri` its URI."""
    ordered: dict[str, SarifRule] = {}
    for r in rules:
        ordered.setdefault(r.id, r)
    index = {rid: i for i, rid in enumerate(ordered)}
    out_results = []
    for res in results:
        if res.rule_id not in index:
            raise ValueError(f"result for unknown rule {res.rule_id!r}")
        first = res.locations[0] if res.locations else None
        key = res.fingerprint or fingerprint(
            res.rule_id, first.path if first else None, first.quote if first else res.message
        )
        item: dict = {
            "ruleId": res.rule_id,
            "ruleIndex": index[res.rule_id],
            "level": res.level,
            "message": {"text": res.message},
            "locations": [_location_json(loc, root_base) for loc in res.locations],
            "partialFingerprints": {FINGERPRINT_KEY: key},
        }
        if res.suppression:
            item["suppressions"] = [{"kind": "external", "justification": res.suppression}]
        if res.properties:
            item["properties"] = res.properties
        out_results.append(item)
    run: dict = {
        "tool": {
            "driver": {
                "name": "osaid",
                "version": tool_version,
                "semanticVersion": tool_version,
                "informationUri": INFORMATION_URI,
                "rules": [_rule_json(r) for r in ordered.values()],
            }
        },
        "results": out_results,
        "columnKind": "unicodeCodePoints",
    }
    if root_base:
        run["originalUriBaseIds"] = {root_base: {"uri": root_uri} if root_uri else {}}
    if run_properties:
        run["properties"] = run_properties
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


# --- osaid's rules and findings ---------------------------------------------------------------


def osaid_rules() -> list[SarifRule]:
    """Every rule osaid can report, as SARIF rules: `knowledge/rules.yaml` (findings, then
    problems with the input) and one `restriction:KIND` per clause kind."""
    from osaid.knowledge import load_yaml, restriction_kinds

    spec = load_yaml("rules.yaml")
    out = []
    for section in ("rules", "problems"):
        for rid, entry in spec.get(section, {}).items():
            level = LEVELS[Severity(entry.get("severity", "warning"))]
            title = entry.get("title") or rid.replace("-", " ")
            fix = entry.get("fix")
            help_text = f"{title[:1].upper()}{title[1:]}."
            if fix and "{" not in fix:
                help_text += f" Fix: {fix}"
            elif fix:
                help_text += " Each result says what to change."
            tags = ("osaid", "open-source-ai") + (("input",) if section == "problems" else ())
            out.append(SarifRule(rid, title, help_text, level, tags=tags, help_uri=INFORMATION_URI))
            if rid == "restriction":
                for kind, k in restriction_kinds().items():
                    out.append(
                        SarifRule(
                            f"restriction:{kind}",
                            f"restrictive clause: {k.get('label', kind)}",
                            f"{k.get('description', '')} Fix: {k.get('fix', '')}".strip(),
                            "error" if k.get("blocking") else "warning",
                            osd=tuple(k.get("osd") or ()),
                            tags=("osaid", "open-source-ai", "license"),
                            help_uri="https://opensource.org/osd",
                        )
                    )
    return out


def _rule_of(finding_rule: str, known: set[str]) -> str:
    """The SARIF rule of a finding: `restriction:KIND` as is, else the rule before `:`."""
    if finding_rule in known:
        return finding_rule
    base = finding_rule.split(":", 1)[0]
    return base if base in known else finding_rule


def _text_of(a: Assessment, ev: Evidence) -> str | None:
    doc = a.facts.subject.documents.get(ev.path or "")
    return doc.text if doc is not None else None


def _prefix(a: Assessment) -> tuple[str, str | None, str | None]:
    """How locations are written: (path prefix, uriBaseId, its URI). A local release inside the
    current folder: paths from here (what GitHub wants), else relative to the release root."""
    s = a.facts.subject
    if s.source == "local":
        try:
            rel = os.path.relpath(os.path.abspath(s.location), os.getcwd())
        except ValueError:  # another drive
            rel = ".."
        if rel == ".":
            return "", None, None
        if not rel.startswith(".."):
            return rel.replace(os.sep, "/") + "/", None, None
    return "", ROOT_BASE, s.url_base


def results_of(a: Assessment, prefix: str = "") -> list[SarifResult]:
    """One result per finding, at its evidence in files (card fields included: they are lines
    of the card). A finding no file shows (a component not found) is put on the model card,
    where it is fixed, and says so."""
    known = {r.id for r in osaid_rules()}
    card = a.facts.card.path if a.facts.card and a.facts.card.path else None
    out = []
    for f in a.findings:
        rule_id = _rule_of(f.rule, known)
        locations = []
        for ev in f.evidence:
            if (
                not ev.path
                or ev.basis == "catalog"
                or (ev.path, ev.line) in {(loc.path, loc.line) for loc in locations}
            ):
                continue
            locations.append(
                SarifLocation(
                    prefix + ev.path,
                    ev.line,
                    ev.quote if ev.quote and ev.basis != "catalog" else None,
                    _text_of(a, ev),
                    f"card field `{ev.field}`" if ev.field else None,
                )
            )
        if not locations and card:
            locations.append(
                SarifLocation(
                    prefix + card,
                    1,
                    message="no file shows this; the model card is where to fix it",
                )
            )
        message = f.message + (f" Fix: {f.fix}" if f.fix else "")
        props: dict = {"osaid-rule": f.rule, "severity": f.severity.value}
        if f.osd:
            props["osd"] = list(f.osd)
        if f.element:
            props["element"] = f.element
        if f.component:
            props["component"] = f.component
        urls = [ev.url for ev in f.evidence if ev.url][:5]
        if urls:
            props["urls"] = urls
        notes = [ev.note for ev in f.evidence if ev.note][:3]
        if notes:
            props["notes"] = notes
        first = f.evidence[0] if f.evidence else None
        key = fingerprint(
            f.rule, first.path if first else None, (first.quote or first.field) if first else None
        )
        out.append(SarifResult(rule_id, LEVELS[f.severity], message, tuple(locations), props, key))
    return out


def build(a: Assessment) -> dict:
    prefix, root_base, root_uri = _prefix(a)
    results = results_of(a, prefix)
    rules = osaid_rules()
    # Rules for results osaid does not catalog (none expected) still need an entry.
    known = {r.id for r in rules}
    for res in results:
        if res.rule_id not in known:
            known.add(res.rule_id)
            rules.append(SarifRule(res.rule_id, res.rule_id, res.message, res.level))
    s = a.facts.subject
    props = {
        "verdict": a.verdict.value,
        "freedoms": dict(a.freedoms),
        "subject": {
            "name": s.name,
            "source": s.source,
            "location": s.location,
            "revision": s.revision,
        },
        "framework": "OSAID 1.0",
    }
    return sarif_log(rules, results, run_properties=props, root_base=root_base, root_uri=root_uri)


def write(log: dict, out: TextIO) -> None:
    """A SARIF log as osaid writes it: indented UTF-8 JSON, one final newline."""
    json.dump(log, out, indent=2, ensure_ascii=False)
    out.write("\n")


def render(a: Assessment, out: TextIO, *, color: bool = False) -> None:
    write(build(a), out)
