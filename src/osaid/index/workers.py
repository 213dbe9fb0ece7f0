"""The work one subject costs: load, hash and (unless unchanged) assess, in a worker process.

What crosses between processes is small and ready to write: the report and exports already
encoded and compressed, license and finding rows already flattened.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

from osaid.index.inputs import Subject

EXPORTS: dict[str, str] = {"mot": "osaid.reports.mot", "cyclonedx": "osaid.reports.cyclonedx"}
"""Export formats a scan can store with each assessment (those whose module exists)."""
DEFAULT_EXPORTS = ("mot",)


@dataclass(frozen=True)
class Task:
    subject: Subject
    stat_fingerprint: str | None
    known_hash: str | None
    """The stored content hash, when the stored assessment was made by this engine."""
    release: object = None
    """The release, when it was loaded already (hub subjects are loaded by the scan's threads)."""


def available_exports() -> list[str]:
    import importlib.util

    return [fmt for fmt, module in EXPORTS.items() if importlib.util.find_spec(module)]


@dataclass(frozen=True)
class Settings:
    engine: str
    offline: bool = False
    cache_dir: str | None = None
    token: str | None = None
    exports: tuple[str, ...] = DEFAULT_EXPORTS


def assess_task(task: Task, settings: Settings) -> dict:
    """Load, hash and (unless unchanged) assess one subject. Never raises for a bad subject: the
    result says `error` with a one-line message."""
    from osaid.errors import OsaidError
    from osaid.index.fingerprints import content_hash
    from osaid.sources import SourceOptions, load

    _scan_caches()  # here too: `_warm` runs once per process, and callers may have reset it

    base = {
        "key": task.subject.key,
        "target": task.subject.target,
        "stat_fingerprint": task.stat_fingerprint,
        "engine": settings.engine,
    }
    try:
        release = task.release or load(
            task.subject.target, SourceOptions(settings.offline, settings.cache_dir, settings.token)
        )
        digest = content_hash(release)
        if digest == task.known_hash:
            return {**base, "status": "unchanged", "content_hash": digest}
        return {
            **base,
            **_assess(release, settings.exports, settings),
            "status": "assessed",
            "content_hash": digest,
        }
    except OsaidError as exc:
        return {**base, "status": "error", "error": str(exc)}
    except Exception as exc:  # noqa: BLE001, S110 - a bug in one subject must not end the scan
        return {**base, "status": "error", "error": f"internal error: {type(exc).__name__}: {exc}"}


def _assess(
    release, exports: tuple[str, ...] = DEFAULT_EXPORTS, settings: Settings | None = None
) -> dict:
    """Assess a release into what the store writes, ready to write: the report and exports
    already encoded and compressed, license and finding rows already flattened, so the main
    process (which writes for every worker) only inserts, and what crosses between processes is
    a few kilobytes per subject."""
    from osaid import __version__
    from osaid.index.store import pack
    from osaid.pipeline import Settings as Assessing
    from osaid.pipeline import assess_release
    from osaid.reports.json import to_dict
    from osaid.sources import SourceOptions

    if settings is None:  # warming up a worker: no lineage (nothing to fetch)
        a = assess_release(release, Assessing(lineage_depth=0))
    else:  # the one assessment `osaid check` makes, bases followed through the sources
        options = SourceOptions(settings.offline, settings.cache_dir, settings.token)
        a = assess_release(release, Assessing(source_options=options))
    report = to_dict(a)
    text = json.dumps(report, ensure_ascii=False, separators=(",", ":"))
    body = {k: v for k, v in report.items() if k != "tool"}
    report_hash = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
    weights = next(
        (c["license"] for c in report["components"] if c["id"] == "model-parameters-final"), None
    )
    mof = report.get("mof") or {}
    osai = report.get("osai_index") or {}
    return {
        "name": report["subject"]["name"],
        "source": release.source,
        "location": release.location,
        "revision": release.revision,
        "organisation": _organisation(release),
        "verdict": report["verdict"],
        "mof_class": str(mof["class"]) if mof.get("class") is not None else None,
        "osai_score": osai.get("score"),
        "weights_license": weights,
        "license_family": license_family(weights),
        "tool_version": __version__,
        "report": pack(text),
        "report_hash": report_hash,
        "licenses": [
            (
                lf["id"],
                lf["name"],
                lf["open"],
                lf["osi_approved"],
                json.dumps(lf["scopes"]),
                json.dumps(lf["restrictions"]),
            )
            for lf in report["licenses"]
        ],
        "findings": [
            (f["rule"], f["severity"], f["element"], f["component"], f["message"])
            for f in report["findings"]
        ],
        "exports": {fmt: pack(body) for fmt, body in _exports(a, exports).items()},
    }


def _organisation(release) -> str | None:
    meta = release.metadata
    manifest = meta.get("manifest")
    if isinstance(manifest, dict):
        rel = manifest.get("data", {}).get("release", {})
        for key in ("producer", "origin"):
            value = rel.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()[:100]
    repo_id = meta.get("repo_id")
    if isinstance(repo_id, str) and "/" in repo_id:
        return repo_id.split("/", 1)[0]
    return None


def _exports(a, formats: tuple[str, ...]) -> dict[str, str]:
    import importlib
    import io
    import warnings

    out: dict[str, str] = {}
    for fmt in formats:
        buf = io.StringIO()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                importlib.import_module(EXPORTS[fmt]).render(a, buf, color=False)
        except Exception:  # noqa: BLE001, S110 - an export that cannot be made is left out, not the assessment
            continue
        out[fmt] = buf.getvalue()
    return out


_FAMILIES: dict[str, str] | None = None
_VERSION_TAIL = re.compile(r"-\d+(\.\d+)*(-only|-or-later)?$")


def license_family(expression: str | None) -> str | None:
    """The license family of an expression's first license: the catalog's family (e.g. Llama),
    else the id without its version (`CC-BY-NC-4.0` -> `CC-BY-NC`)."""
    global _FAMILIES
    if not expression:
        return None
    first = re.split(r"\s+(?:AND|OR|WITH)\s+|[()]", expression.strip())
    first = next((t.strip() for t in first if t.strip()), None)
    if not first:
        return None
    if _FAMILIES is None:
        from osaid.knowledge.licensing import catalog

        entries = catalog().entries()
        names = {e["id"]: re.sub(r"\s*\(.*\)$", "", str(e.get("name", e["id"]))) for e in entries}
        family_ids = {e["family"] for e in entries if e.get("family")}
        _FAMILIES = {
            e["id"]: names.get(e["family"], e["family"]) for e in entries if e.get("family")
        }
        _FAMILIES.update({fid: names[fid] for fid in family_ids if fid in names})
    if first in _FAMILIES:
        return _FAMILIES[first]
    return _VERSION_TAIL.sub("", first)


def _work(tasks: list[Task], settings: Settings) -> list[dict]:
    return [assess_task(t, settings) for t in tasks]


def _worker_init() -> None:
    import signal

    # Ctrl-C is the parent's to handle: it keeps what finished and stops the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _warm()


def _scan_caches() -> None:
    """What a scan keeps between runs: license texts (they repeat across releases), not cards
    (each is read once per change; keeping them would only fill the cache)."""
    from osaid.evidence import memo

    memo.KEEP_YAML = False


def _warm() -> None:
    """Import and compile what every assessment needs, once per process."""
    from osaid.model import Release, TextDocument

    _scan_caches()
    card = "---\nlicense: apache-2.0\n---\n# m\n"
    release = Release(
        "warm", "local", "/", None, (), {"README.md": TextDocument("README.md", card)}
    )
    try:
        _assess(release)
    except Exception:  # noqa: BLE001, S110 - a failure here must not stop the caller
        pass
