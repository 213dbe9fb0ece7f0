"""The terms lock (`osaid.lock`): what a release's terms were when it was locked, and the drift
between that and what it is now.

A lock pins, for each target: the subject and its resolved revision, the verdict, the license
ids, every terms document (license, use policy, notice: the license-ish documents of the release)
with the SHA-256 of its text as read and of its normalised text (the normalised text itself, so a
later change can be shown as a diff), the restrictions osaid found, the datasets the card names
(with their license ids and, when a hub source read them, their own terms documents and the
restrictions in them, pinned the same way) and each base model the card names, locked the same
way.

`normalize` makes the comparison insensitive to whitespace, line endings and reflowing: a
reformatted license is not a changed license. Everything else is a change.

Also here: the facts a bill of materials and a lock both need from an assessment (`datasets`,
`base_models`), so the two agree on what a release is made of.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass, field

from osaid.model import Assessment, Facts

SCHEMA = "osaid.lock/1"
MAX_BASE_MODELS = 8
"""Base models named by a card that are locked (and fetched) per target; more are listed only."""
MAX_DIFF_LINES = 200
"""Lines of a unified diff kept in a drift report."""

_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+(?=\S)")


# --- normalisation --------------------------------------------------------------------------------


def normalize(text: str) -> str:
    """Terms text with whitespace, line endings, reflowing and Unicode composition made
    irrelevant: words joined by single spaces, one sentence (or clause ending in `;` / `:`) per
    line, so a diff of two normalised texts shows changed sentences."""
    flat = " ".join(unicodedata.normalize("NFC", text).replace("\ufeff", "").split())
    return _SENTENCE_END.sub("\n", flat) + ("\n" if flat else "")


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def unified_diff(before: str, after: str, path: str) -> list[str]:
    lines = list(
        difflib.unified_diff(
            before.splitlines(),
            after.splitlines(),
            fromfile=f"a/{path} (locked)",
            tofile=f"b/{path} (now)",
            n=1,
            lineterm="",
        )
    )
    if len(lines) > MAX_DIFF_LINES:
        lines = lines[:MAX_DIFF_LINES] + [f"... ({len(lines) - MAX_DIFF_LINES} more lines)"]
    return lines


# --- what a release is made of (shared with the BOM reports) --------------------------------------


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str) and v.strip()]
    return []


def base_models(facts: Facts) -> list[dict]:
    """The models this one derives from, nearest first: `{id, relation, depth, via, license,
    verdict, location}` each.

    Uses `Facts.bases` when lineage was resolved (each base assessed, with its license and
    verdict); otherwise the card's `base_model` (id or list) and `base_model_relation` fields,
    read as plain strings (depth 1; license and verdict None: not known, not assumed)."""
    out: list[dict] = []
    bases = getattr(facts, "bases", ())
    if bases:
        for b in bases:
            out.append(
                {
                    "id": b.id,
                    "relation": b.relation,
                    "depth": b.depth,
                    "via": b.via,
                    "license": b.license,
                    "verdict": b.verdict if b.status == "assessed" else None,
                    "location": b.location,
                }
            )
        return _dedupe(out)
    card = facts.card
    if card is None:
        return []
    rel = card.fields.get("base_model_relation")
    for bid in _strings(card.fields.get("base_model")):
        out.append(
            {
                "id": bid.strip()[:200],
                "relation": rel if isinstance(rel, str) else None,
                "depth": 1,
                "via": None,
                "license": None,
                "verdict": None,
                "location": None,
            }
        )
    return _dedupe(out)


def datasets(facts: Facts) -> list[dict]:
    """The datasets the release names: `{id, url, license (SPDX expression or None),
    license_declared, revision, last_modified, terms, terms_error}` each. A hub source looked
    them up (`terms`: the dataset's license-ish files as the source read them, a list of
    `{path, sha256, text, truncated}`, or None when not read; `terms_error` why); otherwise only
    the card's `datasets` ids are known (the rest None: not known, not assumed)."""
    from osaid.knowledge.licensing import catalog

    s = facts.subject
    out: list[dict] = []
    looked_up = s.metadata.get("datasets") if s.source == "hf" else None
    if isinstance(looked_up, list):
        for d in looked_up:
            if not isinstance(d, dict) or not isinstance(d.get("id"), str):
                continue
            declared = d.get("license") if isinstance(d.get("license"), str) else None
            expr = catalog().resolve(declared).expression if declared else None
            out.append(
                {
                    "id": d["id"][:200],
                    "url": d.get("url") if d.get("error") is None else None,
                    "license": expr,
                    "license_declared": declared,
                    "revision": d.get("revision") if isinstance(d.get("revision"), str) else None,
                    "last_modified": d.get("last_modified")
                    if isinstance(d.get("last_modified"), str)
                    else None,
                    "terms": _terms(d.get("terms")),
                    "terms_error": d.get("terms_error") or d.get("error")
                    if isinstance(d.get("terms_error") or d.get("error"), str)
                    else None,
                }
            )
        return _dedupe(out)
    if facts.card is not None:
        for did in _strings(facts.card.fields.get("datasets"))[:50]:
            out.append(
                {
                    "id": did.strip()[:200],
                    "url": None,
                    "license": None,
                    "license_declared": None,
                    "revision": None,
                    "last_modified": None,
                    "terms": None,
                    "terms_error": None,
                }
            )
    return _dedupe(out)


def _terms(value: object) -> list[dict] | None:
    """A source's list of terms documents, each `{path, sha256, text, truncated}` checked."""
    if not isinstance(value, list):
        return None
    out = []
    for t in value:
        if (
            not isinstance(t, dict)
            or not isinstance(t.get("path"), str)
            or not isinstance(t.get("text"), str)
        ):
            return None  # not what a source writes: treat as not read, never as "no documents"
        digest = t.get("sha256")
        out.append(
            {
                "path": t["path"],
                "text": t["text"],
                "truncated": t.get("truncated") is True,
                "sha256": digest
                if isinstance(digest, str) and re.fullmatch(r"[0-9a-f]{64}", digest)
                else sha256(t["text"]),
            }
        )
    return out


def _dedupe(items: list[dict]) -> list[dict]:
    seen: set[str] = set()
    out = []
    for item in items:
        if item["id"] not in seen:
            seen.add(item["id"])
            out.append(item)
    return out


# --- locking --------------------------------------------------------------------------------------


def _is_hub(target: str) -> bool:
    from osaid.sources import hf

    return target.startswith("hf:") or (
        not os.path.lexists(target) and hf.looks_like_repo_id(target)
    )


def load_fresh(target: str, options) -> object:
    """Load a target as `osaid check` would, but re-resolve hub branches and tags now (a lock and
    its verification must see what the hub serves today, not a recent cached resolution)."""
    from osaid.sources import load

    if _is_hub(target) and not options.offline:
        from osaid.sources.hf import HubSource

        source = HubSource(cache_dir=options.cache_dir, token=options.token)
        source.ref_ttl = 0.0
        source.refresh_datasets = True  # a dataset can change while the model's commit does not
        return source.load(target)
    return load(target, options)


def assess_target(target: str, options) -> Assessment:
    from osaid.evidence.extract import extract
    from osaid.frameworks.osaid import assess

    return assess(extract(load_fresh(target, options)))


def lock_entry(a: Assessment, target: str, *, options=None, with_bases: bool = True) -> dict:
    """The lock record of one assessed release (and, with `with_bases`, of its base models,
    fetched from the hub with `options`)."""
    from osaid.evidence.licenses import is_license_document

    facts = a.facts
    s = facts.subject
    docs = []
    for path in sorted(facts.subject.documents):
        if not is_license_document(path):
            continue
        doc = facts.subject.documents[path]
        docs.append(_document(path, doc.text, sha256(doc.text), doc.truncated))
    restrictions = sorted(
        {
            (r.kind, r.path or "", " ".join((r.quote or r.note or "").split())[:200])
            for lf in facts.licenses
            for r in lf.restrictions
        }
    )
    entry: dict = {
        "target": target,
        "subject": {
            "name": s.name,
            "source": s.source,
            "location": None if s.source == "local" else s.location,
            "requested_revision": s.metadata.get("requested_revision")
            if s.source == "hf"
            else None,
            "revision": s.revision,
        },
        "verdict": a.verdict.value,
        "licenses": sorted({lf.id for lf in facts.licenses}),
        "documents": docs,
        "restrictions": [{"kind": k, "path": p or None, "quote": q} for k, p, q in restrictions],
        "datasets": [_dataset_entry(d) for d in datasets(facts)],
    }
    if with_bases:
        bases = []
        direct = [b for b in base_models(facts) if b["depth"] == 1]
        for i, b in enumerate(direct):
            item: dict = {"id": b["id"], "relation": b["relation"]}
            if i < MAX_BASE_MODELS and options is not None:
                from osaid.errors import OsaidError

                where = b["location"] or "hf:" + b["id"]
                try:
                    base = assess_target(where, options)
                    item["lock"] = lock_entry(base, where, with_bases=False)
                except OsaidError as exc:
                    item["error"] = str(exc)[:300]
            bases.append(item)
        entry["base_models"] = bases
    return entry


def _document(path: str, text: str, digest: str, truncated: bool) -> dict:
    norm = normalize(text)
    return {
        "path": path,
        "sha256": digest,
        "normalized_sha256": sha256(norm),
        "truncated": truncated,
        "normalized_text": norm,
    }


def _dataset_entry(d: dict) -> dict:
    """A dataset's lock record: id, license, revision and, when its terms documents were read,
    those documents (`sha256` of the bytes as fetched) and the restrictions found in them; when
    they could not be read, `terms_error` instead."""
    item: dict = {"id": d["id"], "license": d["license"], "revision": d["revision"]}
    terms = d.get("terms")
    if terms is not None:
        from osaid.evidence.clauses import analyse

        item["documents"] = [
            _document(t["path"], t["text"], t["sha256"], t["truncated"])
            for t in sorted(terms, key=lambda t: t["path"])
        ]
        found = sorted(
            {
                (r.kind, r.path or t["path"], " ".join((r.quote or r.note or "").split())[:200])
                for t in terms
                for r in analyse(t["text"], t["path"])
            }
        )
        item["restrictions"] = [{"kind": k, "path": p, "quote": q} for k, p, q in found]
    elif d.get("terms_error"):
        item["terms_error"] = str(d["terms_error"])[:300]
    return item


# --- drift ----------------------------------------------------------------------------------------


@dataclass
class Drift:
    kind: str
    """`document-changed`, `document-removed`, `document-added`, `license-changed`,
    `restriction-added`, `restriction-removed`, `verdict-changed`, `base-model-added`,
    `base-model-removed`, `base-model-unreadable`, `dataset-added`, `dataset-removed`,
    `dataset-license-changed`, `dataset-terms-unreadable`."""
    target: str
    subject: str
    message: str
    path: str | None = None
    dataset: str | None = None
    """Set when the drift is in the terms of a dataset the release names (its id)."""
    before: object = None
    after: object = None
    diff: list[str] = field(default_factory=list)
    restrictions_added: list[dict] = field(default_factory=list)
    restrictions_removed: list[dict] = field(default_factory=list)

    def to_json(self) -> dict:
        out = {
            "kind": self.kind,
            "target": self.target,
            "subject": self.subject,
            "path": self.path,
            "message": self.message,
            "before": self.before,
            "after": self.after,
        }
        if self.dataset is not None:
            out["dataset"] = self.dataset
        if self.diff:
            out["diff"] = self.diff
        if self.restrictions_added or self.restrictions_removed:
            out["restrictions_added"] = self.restrictions_added
            out["restrictions_removed"] = self.restrictions_removed
        return out


def _rkey(r: dict) -> tuple:
    # A restriction with no path is osaid's catalog knowledge of a license named by id: its
    # wording is osaid's, so only its kind can drift upstream.
    return (r.get("kind"), r.get("path"), r.get("quote") if r.get("path") else None)


def compare(old: dict, new: dict, target: str) -> tuple[list[Drift], list[str]]:
    """Drift between two lock entries of the same target, and notes that are not drift (a moved
    revision, a reformatted document)."""
    drift: list[Drift] = []
    notes: list[str] = []
    subject = str(new.get("subject", {}).get("name") or old.get("subject", {}).get("name"))

    def add(kind: str, message: str, **kw) -> None:
        drift.append(Drift(kind, target, subject, message, **kw))

    o_rev, n_rev = old.get("subject", {}).get("revision"), new.get("subject", {}).get("revision")
    if o_rev != n_rev:
        notes.append(f"{subject}: revision {o_rev or 'none'} -> {n_rev or 'none'}")

    _compare_terms(old, new, add, notes, subject)

    old_ids = old.get("licenses")
    if old_ids:
        # a lock may hold deprecated SPDX ids (GPL-3.0) that osaid now reads as the current ones
        from osaid.knowledge.licensing import catalog

        old_ids = sorted({catalog().current(i) for i in old_ids})
    if old_ids != new.get("licenses"):
        add(
            "license-changed",
            f"license ids {', '.join(old.get('licenses') or ['none'])} -> "
            f"{', '.join(new.get('licenses') or ['none'])}",
            before=old.get("licenses"),
            after=new.get("licenses"),
        )
    if old.get("verdict") != new.get("verdict"):
        add(
            "verdict-changed",
            f"verdict {old.get('verdict')} -> {new.get('verdict')}",
            before=old.get("verdict"),
            after=new.get("verdict"),
        )

    o_sets = {d["id"]: d for d in old.get("datasets", [])}
    n_sets = {d["id"]: d for d in new.get("datasets", [])}
    for did in sorted(n_sets.keys() - o_sets.keys()):
        add("dataset-added", f"new dataset {did}", after=n_sets[did].get("license"))
    for did in sorted(o_sets.keys() - n_sets.keys()):
        add("dataset-removed", f"dataset {did} no longer named", before=o_sets[did].get("license"))
    for did in sorted(o_sets.keys() & n_sets.keys()):
        od, nd = o_sets[did], n_sets[did]
        if od.get("license") != nd.get("license"):
            add(
                "dataset-license-changed",
                f"dataset {did}: license "
                f"{od.get('license') or 'unknown'} -> {nd.get('license') or 'unknown'}",
                before=od.get("license"),
                after=nd.get("license"),
            )
        if "documents" not in od:
            if "terms_error" in od:
                if "documents" in nd:
                    notes.append(
                        f"{subject}: dataset {did}: terms documents not pinned (not "
                        f"readable when locked: {od['terms_error']}); they are now: "
                        "`osaid lock` pins them"
                    )
            elif "documents" in nd or "terms_error" in nd:
                notes.append(
                    f"{subject}: dataset {did}: terms documents not pinned (the lock "
                    "was written before osaid pinned them); `osaid lock` pins them"
                )
        elif "documents" not in nd:
            add(
                "dataset-terms-unreadable",
                f"dataset {did}: its terms documents could not be "
                f"read now: {nd.get('terms_error') or 'not looked up'}",
                dataset=did,
                before=[d.get("path") for d in od["documents"]],
            )
        else:
            _compare_terms(od, nd, add, notes, subject, dataset=did)

    if "base_models" in old or "base_models" in new:
        o_b = {b["id"]: b for b in old.get("base_models", [])}
        n_b = {b["id"]: b for b in new.get("base_models", [])}
        for bid in sorted(n_b.keys() - o_b.keys()):
            add("base-model-added", f"new base model {bid}", after=bid)
        for bid in sorted(o_b.keys() - n_b.keys()):
            add("base-model-removed", f"base model {bid} no longer named", before=bid)
        for bid in sorted(o_b.keys() & n_b.keys()):
            ol, nl = o_b[bid].get("lock"), n_b[bid].get("lock")
            if ol and nl:
                d, n = compare(ol, nl, target)
                drift += d
                notes += n
            elif ol and not nl:
                add(
                    "base-model-unreadable",
                    f"base model {bid} could not be read: "
                    f"{n_b[bid].get('error') or 'unknown error'}",
                    before=bid,
                )
    return drift, notes


def _compare_terms(
    old: dict, new: dict, add, notes: list[str], subject: str, dataset: str | None = None
) -> None:
    """Drift in the terms documents and restrictions of a release (or of one of its datasets)."""
    where = f"dataset {dataset}: " if dataset else ""
    label = (lambda p: f"datasets/{dataset}/{p}") if dataset else (lambda p: p)
    o_res = {_rkey(r): r for r in old.get("restrictions", [])}
    n_res = {_rkey(r): r for r in new.get("restrictions", [])}
    added = [n_res[k] for k in sorted(n_res.keys() - o_res.keys(), key=repr)]
    removed = [o_res[k] for k in sorted(o_res.keys() - n_res.keys(), key=repr)]
    explained: set[tuple] = set()

    o_docs = {d["path"]: d for d in old.get("documents", [])}
    n_docs = {d["path"]: d for d in new.get("documents", [])}
    for path in sorted(o_docs.keys() | n_docs.keys()):
        od, nd = o_docs.get(path), n_docs.get(path)
        here_add = [r for r in added if r.get("path") == path]
        here_rem = [r for r in removed if r.get("path") == path]
        explained.update(_rkey(r) for r in here_add + here_rem)
        if nd is None:
            add(
                "document-removed",
                f"{where}{path}: terms document removed",
                path=path,
                dataset=dataset,
                before=od["normalized_sha256"],
                restrictions_removed=here_rem,
            )
        elif od is None:
            add(
                "document-added",
                f"{where}{path}: new terms document",
                path=path,
                dataset=dataset,
                after=nd["normalized_sha256"],
                restrictions_added=here_add,
                diff=unified_diff("", nd.get("normalized_text", ""), label(path)),
            )
        elif od["normalized_sha256"] != nd["normalized_sha256"]:
            add(
                "document-changed",
                f"{where}{path}: terms changed",
                path=path,
                dataset=dataset,
                before=od["normalized_sha256"],
                after=nd["normalized_sha256"],
                diff=unified_diff(
                    od.get("normalized_text", ""), nd.get("normalized_text", ""), label(path)
                ),
                restrictions_added=here_add,
                restrictions_removed=here_rem,
            )
        elif od.get("sha256") != nd.get("sha256"):
            notes.append(f"{subject}: {where}{path} reformatted (whitespace only)")
    for r in added:
        if _rkey(r) not in explained:
            add(
                "restriction-added",
                f"{where}new restriction: {r['kind']}",
                path=r.get("path"),
                dataset=dataset,
                restrictions_added=[r],
            )
    for r in removed:
        if _rkey(r) not in explained:
            add(
                "restriction-removed",
                f"{where}restriction gone: {r['kind']}",
                path=r.get("path"),
                dataset=dataset,
                restrictions_removed=[r],
            )
