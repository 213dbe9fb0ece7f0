"""Resolving and assessing the models an application references, each distinct model once.

A reference is resolved, in this order, through: a `--map ID=PATH` mapping (a hub id, a path in
the tree, an Ollama name or a weights file -> any target `osaid check` reads); the lock file (a
hub id pinned in `osaid.lock` is assessed at its locked revision); the hub (`hf:ID[@REV]`,
through the snapshot cache; `--offline` uses only the cache); a folder in the tree; for a weights
file, the folder it sits in when that folder has its own card or license, else the hub
repository its header names. Each is assessed with `pipeline.assess_target`, lineage included.
A model that cannot be resolved or loaded is reported as such, never judged open.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from osaid.auditor.find import Reference, hub_id
from osaid.errors import OsaidError


@dataclass
class Model:
    """One distinct model the application uses, with every place it is used."""

    key: str
    id: str
    kind: str
    usages: list[Reference] = field(default_factory=list)
    status: str = "not-assessed"
    """`assessed`, `unavailable` (resolved but could not be loaded), `unresolved` (nothing says
    where it comes from) or `not-assessed` (assessment was not asked for)."""
    target: str | None = None
    via: str | None = None
    """How it was resolved: `map`, `lock`, `hub`, `cache` (offline), `tree`, `header`."""
    reason: str | None = None
    assessment: object = None
    base: str | None = None
    """Key of the base model the code loads this adapter onto."""
    metadata: dict = field(default_factory=dict)

    @property
    def verdict(self) -> str | None:
        return self.assessment.verdict.value if self.assessment is not None else None


@dataclass(frozen=True)
class Options:
    source_options: object = None
    mapping: dict[str, str] = field(default_factory=dict)
    """Normalised id or path (lowercased) -> target."""
    lock: dict[str, str] = field(default_factory=dict)
    """Lowercased hub id -> locked target with its revision (`hf:org/name@sha`)."""
    lineage_depth: int | None = None
    assess: bool = True


def parse_map(values: list[str] | None) -> dict[str, str]:
    """`--map ID=PATH` values: ID is a hub id, an Ollama name or a path in the application; PATH
    any target `osaid check` reads. Keys are normalised as lineage normalises base ids, so the
    same mappings serve base models."""
    from osaid.lineage import parse_mapping

    return parse_mapping(values, option="--map")


def _norm(ident: str) -> str:
    from osaid.lineage import normalise

    return normalise(ident).lower()


def read_lock_map(path: str) -> dict[str, str]:
    """Hub ids pinned in an `osaid.lock` -> `hf:ID@REVISION`."""
    from osaid.cli.verify import read_lock

    out: dict[str, str] = {}
    for entry in read_lock(path)["entries"]:
        subject = entry.get("subject") or {}
        name, rev = subject.get("name"), subject.get("revision")
        if subject.get("source") == "hf" and isinstance(name, str) and isinstance(rev, str):
            out[name.lower()] = f"hf:{name}@{rev}"
    return out


def group(refs: list[Reference], root: str | None = None) -> list[Model]:
    """One `Model` per distinct model. Weights files in a folder of the tree that has its own card
    or license (shards of one model, its GGUF and safetensors copies) are that folder's model."""
    import dataclasses

    models: dict[str, Model] = {}
    folders: dict[str, bool] = {}
    for ref in refs:
        folder = os.path.dirname(ref.id) if ref.kind == "file" and root else ""
        if folder:
            if folder not in folders:
                folders[folder] = _has_terms(os.path.join(root, folder))
            if folders[folder]:
                ref = dataclasses.replace(ref, key="path:" + folder, id=folder, kind="path")
        m = models.get(ref.key)
        if m is None:
            m = models[ref.key] = Model(ref.key, ref.id, ref.kind, metadata=dict(ref.metadata))
        m.usages.append(ref)
        if ref.metadata and not m.metadata:
            m.metadata = dict(ref.metadata)
        if ref.base and not m.base:
            m.base = ref.base
    for m in models.values():
        m.usages.sort(key=lambda r: (r.path, r.line or 0))
    return sorted(models.values(), key=lambda m: (m.kind != "hub", m.id.lower()))


def plan(m: Model, root: str, o: Options) -> tuple[str | None, str | None, str | None]:
    """(target, via, reason when there is no target)."""
    if _norm(m.id) in o.mapping:
        return o.mapping[_norm(m.id)], "map", None
    if m.kind == "hub":
        offline = getattr(o.source_options, "offline", False)
        pinned = sorted({r.revision for r in m.usages if r.revision})
        if len(pinned) == 1:  # the code pins one revision everywhere it pins one
            return f"hf:{m.id}@{pinned[0]}", "cache" if offline else "hub", None
        if m.id.lower() in o.lock:
            return o.lock[m.id.lower()], "lock", None
        return f"hf:{m.id}", "cache" if offline else "hub", None
    if m.kind == "path":
        return os.path.join(root, m.id), "tree", None
    if m.kind == "file":
        for candidate in _header_repos(m.metadata):
            return f"hf:{candidate}", "header", None
        return (
            None,
            None,
            (
                "a weights file with no card or license beside it and no hub repository in its "
                "header; map it with --map PATH=TARGET"
            ),
        )
    if m.kind == "ollama":
        return (
            None,
            None,
            (
                "a name in Ollama's library, which publishes no card osaid can read; map it to the "
                "release it packages with --map NAME=TARGET"
            ),
        )
    return None, None, "a path that is not in the tree; map it with --map PATH=TARGET"


def _has_terms(folder: str) -> bool:
    try:
        names = os.listdir(folder)
    except OSError:
        return False
    import re

    from osaid.auditor.find import knowledge

    terms = re.compile(knowledge().model_files["folder_terms"], re.I)
    return any(terms.match(n) for n in names)


def _header_repos(meta: dict) -> list[str]:
    out = []
    for value in [
        meta.get("source_repo"),
        *(b.get("repo_url") for b in meta.get("base_models", [])),
    ]:
        if not isinstance(value, str):
            continue
        v = _norm(value)
        if hub_id(v):
            out.append(v)
    return out


def assess_models(models: list[Model], root: str, o: Options) -> None:
    """Resolve and assess each model in place (each once)."""
    from osaid.pipeline import Settings, assess_target

    settings = Settings(
        source_options=o.source_options,
        bases=dict(o.mapping),
        lineage_depth=o.lineage_depth,
        frameworks=(),
    )
    done: dict[str, object] = {}  # target -> assessment or the error it raised
    for m in models:
        target, via, reason = plan(m, root, o)
        m.target, m.via = target, via
        if target is None:
            m.status, m.reason = "unresolved", reason
            continue
        if not o.assess:
            continue
        if target not in done:  # two names for one release (a map, a header): assessed once
            try:
                done[target] = assess_target(target, settings)
            except OsaidError as exc:
                done[target] = exc
        outcome = done[target]
        if isinstance(outcome, OsaidError):
            m.status, m.reason = "unavailable", str(outcome)[:300]
        else:
            m.assessment, m.status = outcome, "assessed"
