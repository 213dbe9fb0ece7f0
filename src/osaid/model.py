"""The values that flow through osaid: Release -> Facts -> Assessment.

Every type here is a frozen dataclass so that a stage cannot mutate what an earlier stage produced.
Sources build a `Release`; evidence extractors turn it into `Facts`; frameworks turn `Facts` into an
`Assessment`; reports render an `Assessment`. Nothing here reads files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Verdict(str, Enum):
    OPEN = "open-source-ai"
    NOT_OPEN = "not-open-source-ai"
    INSUFFICIENT = "insufficient-evidence"


class Severity(str, Enum):
    BLOCKER = "blocker"
    WARNING = "warning"
    INFO = "info"


FREEDOMS = ("use", "study", "modify", "share")
ELEMENTS = ("data-information", "code", "parameters")


@dataclass(frozen=True)
class Evidence:
    """Where a fact can be checked by a person."""

    path: str | None = None
    """Path relative to the release root (POSIX separators)."""
    line: int | None = None
    """1-based line in `path`."""
    quote: str | None = None
    """A short quote (at most 200 characters) of what was read there."""
    field: str | None = None
    """The model-card front-matter field the fact comes from (e.g. `license`)."""
    url: str | None = None
    """A link to the evidence (a declared component, a license text, a file at a revision)."""
    basis: str | None = None
    """How the fact is known: `content` (the file's own text shows it), `name` (only
    its path), `declared` (a link, a card statement or a manifest claims it), `metadata` (a card
    field or hub metadata), `catalog` (osaid's knowledge of a known license; then `quote` is
    None and `note` says what the catalog holds). None: not stated."""
    note: str | None = None
    """What osaid's catalog or reasoning adds (never a quote of a release file)."""

    def __post_init__(self) -> None:
        if self.quote is not None and len(self.quote) > 200:
            object.__setattr__(self, "quote", self.quote[:199] + "…")

    def to_json(self) -> dict:
        return {
            "path": self.path,
            "line": self.line,
            "quote": self.quote,
            "field": self.field,
            "url": self.url,
            "basis": self.basis,
            "note": self.note,
        }


@dataclass(frozen=True)
class Restriction:
    """A clause in terms that limits what a user may do."""

    kind: str
    """One of the kinds in knowledge/restriction_kinds.yaml (e.g. `user-threshold`)."""
    osd: tuple[int, ...]
    """The Open Source Definition criteria the clause conflicts with (empty: allowed by the OSD)."""
    quote: str | None
    """The clause in the text's own words (None for catalog knowledge: see `note`)."""
    path: str | None = None
    line: int | None = None
    source: str = "catalog"
    """How it was found: `catalog` (a known license's entry), `rule` (a clause pattern) or
    `classifier` (a learned model, with `score`)."""
    score: float | None = None
    note: str | None = None
    """What osaid's catalog says of the clause (section and summary), never a quote."""

    def to_json(self) -> dict:
        out = {
            "kind": self.kind,
            "osd": list(self.osd),
            "quote": self.quote[:200] if self.quote else None,
            "path": self.path,
            "line": self.line,
        }
        out["source"] = self.source
        if self.score is not None:
            out["score"] = round(self.score, 3)
        if self.note is not None:
            out["note"] = self.note
        return out


# --- what a source produces -----------------------------------------------------------------------


@dataclass(frozen=True)
class FileEntry:
    """One regular file of a release, as listed by its source. Nothing about it is trusted."""

    path: str
    """Relative POSIX path inside the release root."""
    size: int
    head: bytes = b""
    """A bounded prefix of the content (enough to sniff a weights header); empty when not read."""
    sha256: str | None = None
    """Content hash where the source knows it without reading the file (hub LFS metadata)."""


@dataclass(frozen=True)
class TextDocument:
    """A small text file read in full (up to a bound): card, license-ish file, code, config."""

    path: str
    text: str
    truncated: bool = False
    """True when the file was longer than the read bound; only a prefix is in `text`."""


@dataclass(frozen=True)
class Problem:
    """Something about the input a user must know, found while reading it (not a crash)."""

    rule: str
    message: str
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class Release:
    """A read-only snapshot of an AI release, however it was obtained."""

    name: str
    source: str
    """`local`, `hf`, `git` or `manifest`."""
    location: str
    revision: str | None
    files: tuple[FileEntry, ...]
    documents: dict[str, TextDocument]
    """Text files read in full, keyed by path: the card, license-ish files, code, configs."""
    problems: tuple[Problem, ...] = ()
    url_base: str | None = None
    """Prefix to build a link to a file at this revision (`url_base + path`), if any."""
    metadata: dict[str, object] = field(default_factory=dict)
    """What the source knows beyond files (e.g. a hub's gating state), keyed by name."""


# --- what evidence extractors produce -------------------------------------------------------------


@dataclass(frozen=True)
class LicenseFact:
    """A license that applies to (part of) the release, identified with evidence."""

    id: str
    """An SPDX id or a `LicenseRef-...`."""
    name: str
    osi_approved: bool | None
    open: bool | None
    """Whether these terms grant the four freedoms (None: cannot tell)."""
    evidence: tuple[Evidence, ...]
    restrictions: tuple[Restriction, ...] = ()
    scopes: tuple[str, ...] = ("release",)
    """What it covers: `release` (the whole), a folder (`code/`) or a file path."""
    note: str | None = None
    """Why `open` is what it is, in a sentence (from the catalog or the identification)."""


@dataclass(frozen=True)
class ComponentFact:
    """One of the 17 Model Openness Framework components, as the release shows it."""

    id: str
    mof_id: int
    name: str
    content_type: str
    """`code`, `data` or `document`."""
    status: str
    """`present` (in the release), `declared` (linked or stated, not in it) or `missing`."""
    evidence: tuple[Evidence, ...] = ()
    license: str | None = None
    """SPDX expression of the terms that apply to it, by precedence (own, type-wide, release)."""
    license_open: bool | None = None
    license_evidence: tuple[Evidence, ...] = ()
    withheld: tuple[Evidence, ...] = ()
    """Statements in the release that this component is not (or will not be) provided."""
    basis: str | None = None
    """How its presence is known: `content` (a file's own text shows it), `name` (only paths),
    `declared` (linked, stated or claimed by a manifest); None when missing."""


@dataclass(frozen=True)
class DataInfoItem:
    """One of OSAID's three data-information items, as the release documents it."""

    id: str
    """`description`, `public-data-listing` or `third-party-data-listing`."""
    found: bool
    evidence: tuple[Evidence, ...] = ()
    missing: tuple[str, ...] = ()
    """For the description: the aspects (provenance, scope ...) not covered."""


@dataclass(frozen=True)
class CardFacts:
    """What the model card says, with where it says it."""

    path: str | None
    fields: dict[str, object]
    """Front-matter fields as parsed (only plain data: str, int, float, bool, list, dict)."""
    field_lines: dict[str, int]
    """1-based line of each top-level front-matter field in the card file."""
    sections: tuple[tuple[str, int, str], ...] = ()
    """Body sections as (heading, line, text)."""
    links: tuple[tuple[str, int, str], ...] = ()
    """Links in the body as (url, line, link text)."""

    def field_evidence(self, name: str, quote: str | None = None) -> Evidence:
        return Evidence(
            path=self.path,
            line=self.field_lines.get(name),
            field=name,
            quote=quote if quote is not None else _short(self.fields.get(name)),
        )


def _short(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        text = ", ".join(str(v) for v in value)
    elif isinstance(value, str):
        text = value
    else:
        import json

        text = json.dumps(value, ensure_ascii=False, default=str)
    return text[:200]


@dataclass(frozen=True)
class BaseFact:
    """A model this release derives from, assessed with the same pipeline (see docs/lineage.md)."""

    id: str
    """The id as the card names it (a hub id such as `org/name`)."""
    relation: str
    """`finetune`, `adapter`, `quantized` or `merge`: how the naming release derives from it."""
    depth: int
    """1 for a base the release's own card names; 2 for that base's base, and so on."""
    status: str
    """`assessed`, `unavailable` (could not be loaded), `cycle` (already on the path) or
    `not-followed` (past the depth or count bound)."""
    verdict: str = "insufficient-evidence"
    """Its verdict, its own bases included; `insufficient-evidence` unless assessed."""
    own_verdict: str | None = None
    """Its verdict from its own terms and artifacts alone (its bases left aside)."""
    license: str | None = None
    """The terms of its parameters (else its release-wide license) as an SPDX expression."""
    license_open: bool | None = None
    via: str | None = None
    """The id of the derivative that names it (None: the release itself)."""
    location: str | None = None
    """Where it was read from (`hf:org/name`, a folder), when it was."""
    reason: str | None = None
    """Why it was not assessed (status other than `assessed`)."""
    named_at: tuple[Evidence, ...] = ()
    """Where the derivative names it (the card's `base_model` field)."""
    relation_evidence: tuple[Evidence, ...] = ()
    """Why the relation is what it is (the card's `base_model_relation`, or the file it was
    inferred from)."""
    relation_inferred: bool = False
    terms: tuple[Finding, ...] = ()
    """Its own findings that show its terms withhold a freedom (not-open licenses, blocking
    clauses, a gate), with evidence pointing into it."""
    withholds: tuple[str, ...] = ()
    """The freedoms its own terms withhold."""
    items: tuple[ItemResult, ...] = ()
    """Its OSAID element items (data information and code), evidence pointing into it."""
    takes: tuple[str, ...] = ()
    """Item ids the relation leaves unchanged, so the base's count for the derivative when the
    derivative lacks them (knowledge/lineage.yaml)."""


@dataclass(frozen=True)
class Facts:
    """Everything the frameworks may know about a release. Frameworks read nothing else."""

    subject: Release
    card: CardFacts | None
    components: tuple[ComponentFact, ...]
    licenses: tuple[LicenseFact, ...]
    data_information: tuple[DataInfoItem, ...]
    problems: tuple[Problem, ...] = ()
    gated: Evidence | None = None
    """Evidence that access needs an agreement or a form (a gating field), if any."""
    bases: tuple[BaseFact, ...] = ()
    """The models this release derives from (card `base_model`, followed by `osaid.lineage`),
    nearest first; empty when the card names none or lineage was not resolved."""

    def component(self, cid: str) -> ComponentFact:
        for c in self.components:
            if c.id == cid:
                return c
        raise KeyError(cid)


# --- what frameworks produce ---------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    message: str
    evidence: tuple[Evidence, ...] = ()
    element: str | None = None
    component: str | None = None
    osd: tuple[int, ...] = ()
    fix: str | None = None
    """What the publisher could do about it."""

    def to_json(self) -> dict:
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "element": self.element,
            "component": self.component,
            "osd": list(self.osd),
            "message": self.message,
            "evidence": [e.to_json() for e in self.evidence],
            "fix": self.fix,
        }


@dataclass(frozen=True)
class ItemResult:
    """One requirement of an element (e.g. "training code") and whether the release meets it."""

    id: str
    label: str
    status: str
    """`found`, `not-found`, `unconfirmed` (only file names suggest it), `withheld` (the release
    says it is not provided) or `optional`."""
    evidence: tuple[Evidence, ...] = ()
    license: str | None = None
    license_open: bool | None = None


@dataclass(frozen=True)
class ElementResult:
    status: str
    """`met`, `not-met` or `unknown`."""
    items: tuple[ItemResult, ...]
    findings: tuple[str, ...]
    """Rule ids of the findings about this element."""


@dataclass(frozen=True)
class Assessment:
    """The OSAID assessment of one release. Reports render this and decide nothing."""

    facts: Facts
    verdict: Verdict
    freedoms: dict[str, str]
    elements: dict[str, ElementResult]
    findings: tuple[Finding, ...]
    extra: dict[str, object] = field(default_factory=dict)
    """Other frameworks' results keyed by their JSON name (e.g. `mof`)."""
