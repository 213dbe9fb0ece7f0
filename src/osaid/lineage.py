"""Lineage: follow the models a release derives from (`base_model` in its card) and assess each.

A fine-tune, adapter, quantization or merge is bound by the terms of what it derives from, and
some of what makes it Open Source AI (its pretraining data information, its architecture code)
is the base's. So after `extract`, `resolve(facts, ...)` loads every base through the sources
(a hub id through `osaid.sources.load` with the subject's options and cache, or the folder or
manifest a `--base ID=PATH` mapping names), runs the same pipeline on it (extract, then the OSAID
framework, with its own bases resolved first), and returns the facts with `Facts.bases` filled
in: one `BaseFact` per base, nearest first, each saying what the base's terms withhold and which
of its element items a derivative may take over. The OSAID framework then judges from those
facts alone (`frameworks/osaid.py`); it still reads nothing.

This module sits between sources and frameworks because it does both: it loads releases (as a
source user) and runs the assessment on them (as a framework user). Neither sources nor
frameworks may do that, and the check command should not hold logic other commands may need.

Bounded and cycle-safe: a base already on the path from the subject is a `cycle` entry (not a
second load); bases past `max_depth`, beyond `bases_per_release` per card or `releases` in all
(knowledge/lineage.yaml) are `not-followed` entries. A base that cannot be loaded (no such
model, offline, no mapping for a name that is not a hub id) is an `unavailable` entry. A card
can only name hub ids: a path in `base_model` is never opened (a release is untrusted; only the
user's own `--base` mappings point at folders).
"""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass, field
from functools import cache

from osaid import regex
from osaid.errors import InputError, UsageError
from osaid.knowledge import load_yaml
from osaid.model import (
    FREEDOMS,
    Assessment,
    BaseFact,
    Evidence,
    Facts,
    Release,
)

DEFAULT_DEPTH = 4
MAX_DEPTH = 16
_HUB_URL = regex.compile(r"^https?://(?:www\.)?huggingface\.co/", re.I)
TERMS_RULES = ("license-not-open", "restriction", "gated-access")
"""Finding rules (before any `:qualifier`) that show a base's terms withhold a freedom."""


@cache
def knowledge() -> dict:
    return load_yaml("lineage.yaml")


def relations() -> dict[str, dict]:
    return knowledge()["relations"]


# --- command-line options ------------------------------------------------------------------------


def parse_mapping(values: list[str] | None, option: str = "--base") -> dict[str, str]:
    """`ID=PATH` strings (repeatable `--base`, or `option`) -> {normalised id: PATH}. PATH is a
    folder, a MOT manifest, or any target `osaid check` accepts (e.g. `hf:org/other`)."""
    out: dict[str, str] = {}
    for value in values or ():
        ident, sep, path = value.partition("=")
        ident, path = ident.strip(), path.strip()
        if not sep or not ident or not path:
            raise UsageError(
                f"{option} {value!r}: expected ID=PATH (e.g. "
                f"{option} meta-llama/Llama-2-7b-hf=./llama-2-7b)"
            )
        if not path.startswith("hf:") and not os.path.lexists(path):
            raise UsageError(f"{option} {ident}={path}: no such file or folder")
        out[_key(ident)] = path
    return out


def parse_depth(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise UsageError(f"--lineage-depth {value!r}: expected a whole number") from None
    if not 0 <= n <= MAX_DEPTH:
        raise UsageError(f"--lineage-depth {n}: expected 0 to {MAX_DEPTH}")
    return n


# --- what a card says ----------------------------------------------------------------------------


def normalise(ident: str) -> str:
    """`hf:org/name`, `https://huggingface.co/org/name` and `org/name` name the same model."""
    ident = ident.strip()
    if ident.startswith("hf:"):
        ident = ident[3:]
    ident = _HUB_URL.sub("", ident)
    return ident.strip("/")


def _key(ident: str) -> str:
    return normalise(ident).lower()


def base_refs(facts: Facts) -> list[tuple[str, Evidence]]:
    """The bases a release's card names (`base_model`: a string or a list), with evidence."""
    card = facts.card
    if card is None:
        return []
    value = card.fields.get("base_model")
    names = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    out: list[tuple[str, Evidence]] = []
    seen: set[str] = set()
    for name in names:
        if not isinstance(name, str) or not normalise(name) or _key(name) in seen:
            continue
        seen.add(_key(name))
        out.append((name.strip()[:200], card.field_evidence("base_model", name.strip()[:200])))
    return out


def relation_of(facts: Facts) -> tuple[str, tuple[Evidence, ...], bool]:
    """How the release derives from its bases: the card's `base_model_relation` when it is one
    the hub defines, else inferred from files, configs and tags by knowledge/lineage.yaml.
    Returns (relation, evidence, inferred)."""
    card = facts.card
    stated = card.fields.get("base_model_relation") if card is not None else None
    if isinstance(stated, str) and stated.strip().lower() in relations():
        return stated.strip().lower(), (card.field_evidence("base_model_relation"),), False
    release = facts.subject
    tags = []
    for source in ((card.fields.get("tags") if card else None), release.metadata.get("tags")):
        if isinstance(source, list):
            tags += [t.lower() for t in source if isinstance(t, str)]
    for rule in knowledge()["inference"]:
        for pattern in rule.get("files", ()):
            rx = regex.compile(pattern, re.I)
            hit = next((f.path for f in release.files if rx.search(f.path)), None)
            if hit:
                return (
                    rule["relation"],
                    (Evidence(path=hit, quote=f"{rule['relation']}: {rule['source']}"),),
                    True,
                )
        for tag in rule.get("tags", ()):
            if tag in tags:
                return rule["relation"], (Evidence(field="tags", quote=tag),), True
        cfg = rule.get("config")
        if cfg:
            doc = release.documents.get(cfg["file"])
            if doc is not None and f'"{cfg["key"]}"' in doc.text:
                line = doc.text.count("\n", 0, doc.text.find(f'"{cfg["key"]}"')) + 1
                return (
                    rule["relation"],
                    (Evidence(path=cfg["file"], line=line, quote=cfg["key"]),),
                    True,
                )
    default = knowledge()["default"]
    why = (
        f"no base_model_relation ({stated!r} is not one the hub defines)"
        if stated is not None
        else "no base_model_relation"
    ) + f", and no adapter, quantization or merge files: {default}"
    ev = card.field_evidence("base_model", why) if card is not None else Evidence(quote=why)
    return default, (ev,), True


# --- resolving ----------------------------------------------------------------------------------


@dataclass
class _Context:
    options: object
    mapping: dict[str, str]
    max_depth: int
    limits: dict
    memo: dict[str, tuple[BaseFact, tuple[BaseFact, ...]]] = field(default_factory=dict)
    loads: int = 0


def resolve(
    facts: Facts,
    *,
    options=None,
    mapping: dict[str, str] | None = None,
    max_depth: int = DEFAULT_DEPTH,
) -> Facts:
    """`facts` with `bases` filled in (unchanged when the card names no base)."""
    if not base_refs(facts):
        return facts
    ctx = _Context(options, dict(mapping or {}), max_depth, knowledge()["limits"])
    subject = facts.subject.metadata.get("repo_id")
    path = (_key(subject),) if isinstance(subject, str) else ()
    return _resolve(facts, ctx, max_depth, path)


def _resolve(facts: Facts, ctx: _Context, remaining: int, path: tuple[str, ...]) -> Facts:
    refs = base_refs(facts)
    if not refs:
        return facts
    relation, rel_ev, inferred = relation_of(facts)
    via = facts.subject.metadata.get("lineage_id") if facts.subject.metadata else None
    edge = dict(
        relation=relation,
        relation_evidence=rel_ev,
        relation_inferred=inferred,
        via=via if isinstance(via, str) else None,
        takes=tuple(relations()[relation].get("takes", ())),
    )
    out: list[BaseFact] = []
    for i, (name, named_at) in enumerate(refs):
        key = _key(name)
        common = dict(id=name, depth=1, named_at=(named_at,), **edge)
        if key in path:
            out.append(
                BaseFact(
                    status="cycle",
                    reason="already on the path from the release "
                    f"checked ({' -> '.join(path + (key,))})",
                    **common,
                )
            )
            continue
        if remaining <= 0:
            out.append(
                BaseFact(
                    status="not-followed",
                    reason=f"deeper than --lineage-depth {ctx.max_depth}",
                    **common,
                )
            )
            continue
        if i >= ctx.limits["bases_per_release"]:
            out.append(
                BaseFact(
                    status="not-followed",
                    reason=f"the card names more than {ctx.limits['bases_per_release']} bases",
                    **common,
                )
            )
            continue
        if key not in ctx.memo:
            if ctx.loads >= ctx.limits["releases"]:
                out.append(
                    BaseFact(
                        status="not-followed",
                        reason=f"more than {ctx.limits['releases']} releases in the lineage",
                        **common,
                    )
                )
                continue
            ctx.loads += 1
            ctx.memo[key] = _assess_base(name, ctx, remaining, path + (key,))
        node, ancestors = ctx.memo[key]
        out.append(dataclasses.replace(node, **common))
        out += [dataclasses.replace(b, depth=b.depth + 1) for b in ancestors]
    return dataclasses.replace(facts, bases=_dedupe(out))


def _dedupe(bases: list[BaseFact]) -> tuple[BaseFact, ...]:
    seen: set[tuple[str, bool]] = set()
    out = []
    for b in sorted(bases, key=lambda b: b.depth):  # stable: the card's order within a depth
        k = (_key(b.id), b.status == "cycle")
        if k not in seen:
            seen.add(k)
            out.append(b)
    return tuple(out)


def _load(name: str, ctx: _Context) -> Release:
    from osaid.sources import hf, load

    key = _key(name)
    if key in ctx.mapping:
        target = ctx.mapping[key]
        try:
            return load(target, ctx.options)
        except InputError as exc:
            raise InputError(f"--base {name}={target}: {exc}") from None
    ident = normalise(name)
    if not hf.looks_like_repo_id(ident):
        raise _Unavailable(f"not a hub model id, and no --base {ident}=PATH maps it")
    try:
        return load(f"hf:{ident}", ctx.options)
    except InputError as exc:
        raise _Unavailable(str(exc)) from None


class _Unavailable(Exception):
    pass


def _assess_base(
    name: str, ctx: _Context, remaining: int, path: tuple[str, ...]
) -> tuple[BaseFact, tuple[BaseFact, ...]]:
    """Load one base and assess it (its own bases first). Returns its entry (depth 1, the edge
    fields filled in by the caller) and its own lineage (depths relative to it)."""
    from osaid.evidence.extract import extract
    from osaid.frameworks.osaid import assess

    try:
        release = _load(name, ctx)
    except _Unavailable as exc:
        return BaseFact(
            id=name, relation="", depth=1, status="unavailable", reason=str(exc)[:300]
        ), ()
    release = dataclasses.replace(release, metadata={**release.metadata, "lineage_id": name})
    own_facts = extract(release)
    own = assess(own_facts)
    full_facts = _resolve(own_facts, ctx, remaining - 1, path)
    full = assess(full_facts) if full_facts.bases else own
    return _summary(name, release, own, full), full_facts.bases


def _summary(name: str, release: Release, own: Assessment, full: Assessment) -> BaseFact:
    link = _rebaser(release)
    facts = own.facts
    params = facts.component("model-parameters-final")
    if params.license:
        lic, lic_open = params.license, params.license_open
    else:
        wide = [lf for lf in facts.licenses if "release" in lf.scopes]
        lic = " AND ".join(dict.fromkeys(lf.id for lf in wide)) or None
        opens = [lf.open for lf in wide]
        lic_open = (
            (False if False in opens else True if opens and all(opens) else None) if wide else None
        )
    terms = tuple(
        dataclasses.replace(f, evidence=tuple(link(e) for e in f.evidence))
        for f in own.findings
        if f.severity.value == "blocker" and f.rule.split(":")[0] in TERMS_RULES
    )
    withholds = _withholds(terms)
    items = tuple(
        dataclasses.replace(i, evidence=tuple(link(e) for e in i.evidence))
        for element in ("data-information", "code")
        for i in full.elements[element].items
    )
    return BaseFact(
        id=name,
        relation="",
        depth=1,
        status="assessed",
        verdict=full.verdict.value,
        own_verdict=own.verdict.value,
        license=lic,
        license_open=lic_open,
        location=release.location,
        terms=terms,
        withholds=withholds,
        items=items,
    )


def _withholds(terms) -> tuple[str, ...]:
    """The freedoms a base's own terms withhold (the framework's rules, from its findings)."""
    from osaid.knowledge import restriction_kinds

    kinds = restriction_kinds()
    out: set[str] = set()
    for f in terms:
        rule, _, qualifier = f.rule.partition(":")
        if rule == "license-not-open":
            out.update(("use", "modify", "share"))
        elif rule == "restriction":
            out.update(kinds.get(qualifier, {}).get("withholds", ()))
        elif rule == "gated-access":
            out.update(kinds["acceptance-required"]["withholds"])
    return tuple(x for x in FREEDOMS if x in out)


def _rebaser(release: Release):
    """Evidence from a base, made to point into the base: a path relative to the base's root
    means nothing in the derivative's report, so it becomes a link (the hub file at the
    revision read, or a file: URI) and the path is dropped."""
    from pathlib import Path
    from urllib.parse import quote

    if release.url_base:
        base = release.url_base
        home = (
            release.metadata.get("url")
            if isinstance(release.metadata.get("url"), str)
            else release.url_base
        )
    else:
        root = Path(release.location)
        root = root.parent if root.is_file() else root
        base = root.resolve().as_uri() + "/"
        home = Path(release.location).resolve().as_uri()

    def link(ev: Evidence) -> Evidence:
        if ev.path is None:
            return ev if ev.url else dataclasses.replace(ev, url=home)
        url = ev.url or base + quote(ev.path) + (f"#L{ev.line}" if ev.line else "")
        return dataclasses.replace(ev, path=None, url=url)

    return link
