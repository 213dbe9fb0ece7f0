"""Bulk scans: inputs -> subjects -> assessments in worker processes -> the store.

A subject is one release, known by a stable key: `local:/real/path`, `manifest:/real/path.yml`
or `hf:ORG/NAME`. Rescanning skips a subject in two steps, like a version-control index:

1. *stat fingerprint* (no reading): for a folder, every file's relative path, size and
   modification time; for a manifest, its size and modification time. Equal to the stored one
   (and the same osaid engine) -> skipped without loading. Files modified in the last two
   seconds make the fingerprint unusable for that scan, so a change in the same instant as a
   scan is never missed. Hub subjects have none.
2. *content hash* (see `content_hash`), computed from the loaded `Release`: equal to the stored
   one -> not assessed again.

The *engine* fingerprint (osaid's version and the bytes of its knowledge files) is part of both
decisions: a new osaid, or new knowledge, reassesses everything.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from osaid.errors import InputError

MANIFEST_SUFFIXES = (".yml", ".yaml")
# A folder holding one of these at its top is a release itself, not a folder of releases (a
# license alone is not enough: a folder of manifests may carry one).
_RELEASE_FILE = re.compile(
    r"^(readme|model_card|config\.json)"
    r"|\.(safetensors|gguf|bin|pt|pth|ckpt|onnx|h5|npz|nemo)$",
    re.I,
)
_MANIFEST_HEAD = re.compile(r"^framework\s*:", re.M)
RACY_SECONDS = 2.0
CHUNK = 8
"""Subjects per task sent to a worker: enough to make the round trip cheap."""
BATCH = 64
BATCH_SECONDS = 0.5
"""Results are written this many at a time, or at least this often: one transaction each."""
EXPORTS: dict[str, str] = {"mot": "osaid.reports.mot", "cyclonedx": "osaid.reports.cyclonedx"}
"""Export formats a scan can store with each assessment (those whose module exists)."""
DEFAULT_EXPORTS = ("mot",)


@dataclass(frozen=True)
class Subject:
    key: str
    """Stable identity in the store."""
    target: str
    """What `osaid.sources.load` is given."""
    kind: str
    """`local`, `manifest` or `hf`."""


# --- inputs ------------------------------------------------------------------------------------


def expand(inputs: list[str]) -> list[Subject]:
    """Inputs -> subjects, in order, each once. A folder holding a card (README), a config.json or
    weights at its top is one release; any other folder holds releases (each subfolder) and
    manifests (each `.yml` whose top-level key is `framework:`). A `.yml` file is a manifest; another file lists
    hub ids, one per line (`#` starts a comment); anything else must be a hub id."""
    from osaid.sources import hf

    subjects: dict[str, Subject] = {}

    def add(s: Subject) -> None:
        subjects.setdefault(s.key, s)

    def hub(target: str, where: str) -> None:
        raw = target[3:] if target.startswith("hf:") else target
        if not hf.looks_like_repo_id(raw):
            raise InputError(
                f"{where}: {target!r} is not a hub model id (hf:ORG/NAME) and no "
                "such file or folder exists"
            )
        add(Subject("hf:" + raw.split("@", 1)[0], "hf:" + raw, "hf"))

    for item in inputs:
        p = Path(item)
        if p.is_dir():
            if _is_release(p):
                add(_local(p))
                continue
            try:
                entries = sorted(os.scandir(p), key=lambda e: e.name)
            except OSError as exc:
                raise InputError(f"{item}: cannot list ({exc.strerror or exc})") from None
            for e in entries:
                if e.name.startswith("."):
                    continue
                if e.is_dir(follow_symlinks=False):
                    add(_local(Path(e.path)))
                elif (
                    e.is_file(follow_symlinks=False)
                    and e.name.lower().endswith(MANIFEST_SUFFIXES)
                    and _looks_like_manifest(e.path)
                ):
                    add(_manifest(Path(e.path)))
        elif p.is_file():
            if item.lower().endswith(MANIFEST_SUFFIXES):
                add(_manifest(p))
                continue
            try:
                text = p.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise InputError(f"{item}: cannot read as a list of hub ids ({exc})") from None
            for n, line in enumerate(text.splitlines(), 1):
                line = line.split("#", 1)[0].strip()
                if line:
                    hub(line, f"{item}:{n}")
        elif os.path.lexists(item):
            raise InputError(f"{item}: neither a folder nor a regular file")
        else:
            hub(item, item)
    return list(subjects.values())


def _is_release(folder: Path) -> bool:
    try:
        return any(
            e.is_file(follow_symlinks=False) and _RELEASE_FILE.search(e.name)
            for e in os.scandir(folder)
        )
    except OSError as exc:
        raise InputError(f"{folder}: cannot list ({exc.strerror or exc})") from None


def _looks_like_manifest(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096).decode("utf-8", "replace")
    except OSError:
        return True  # let the source say what is wrong with it
    return bool(_MANIFEST_HEAD.search(head))


def _local(p: Path) -> Subject:
    real = os.path.realpath(p)
    return Subject("local:" + real, real, "local")


def _manifest(p: Path) -> Subject:
    real = os.path.realpath(p)
    return Subject("manifest:" + real, real, "manifest")


# --- fingerprints ------------------------------------------------------------------------------


def stat_fingerprint(s: Subject, now: float, max_files: int = 20_000) -> str | None:
    """A cheap fingerprint from file metadata only (None: not available, or not trustworthy
    because something changed within `RACY_SECONDS` of `now`)."""
    if s.kind == "hf":
        return None
    h = hashlib.sha1()
    newest = 0
    try:
        if s.kind == "manifest":
            st = os.stat(s.target)
            h.update(f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}".encode())
            newest = st.st_mtime_ns
        else:
            count = 0
            stack = [""]
            while stack:
                rel = stack.pop()
                with os.scandir(os.path.join(s.target, rel) if rel else s.target) as it:
                    entries = sorted(it, key=lambda e: e.name)
                for e in entries:
                    st = e.stat(follow_symlinks=False)
                    path = f"{rel}/{e.name}" if rel else e.name
                    h.update(f"{path}\0{st.st_mode}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
                    newest = max(newest, st.st_mtime_ns)
                    count += 1
                    if count > max_files:
                        return None
                    if e.is_dir(follow_symlinks=False):
                        stack.append(path)
    except OSError:
        return None
    if newest / 1e9 > now - RACY_SECONDS:
        return None
    return h.hexdigest()


def engine_fingerprint(exports: tuple[str, ...] = DEFAULT_EXPORTS) -> str:
    """osaid's version, its knowledge files' bytes and the exports stored: what a stored
    assessment depends on besides the release."""
    from osaid import __version__

    h = hashlib.sha256(f"osaid {__version__}\n".encode())
    folder = Path(__file__).resolve().parent.parent / "knowledge"
    for p in sorted(folder.iterdir()):
        if p.is_file() and p.suffix in (".yaml", ".yml", ".tsv", ".json", ".txt"):
            h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    h.update(",".join(sorted(exports)).encode())
    return f"{__version__}+{h.hexdigest()[:16]}"


def content_hash(release) -> str:
    """The content hash of a `Release`: SHA-256 over (in this order, NUL-separated) a format
    tag, the source, name and revision; every file's path, size, known SHA-256 and the bytes of
    its sniffed head, by path; every document's path, truncation flag and text's SHA-256, by
    path; the source's metadata (a manifest's parsed fields and their lines, a hub's gating) as
    sorted JSON; and the problems found while reading. Where the release came from (its
    location) is not part of it: the same content moved is the same content."""
    h = hashlib.sha256()
    h.update(f"osaid.content/1\0{release.source}\0{release.name}\0{release.revision}\0".encode())
    for f in sorted(release.files, key=lambda f: f.path):
        h.update(f"F{f.path}\0{f.size}\0{f.sha256 or ''}\0".encode())
        h.update(f.head)
        h.update(b"\0")
    for path in sorted(release.documents):
        d = release.documents[path]
        digest = hashlib.sha256(d.text.encode("utf-8", "surrogatepass")).hexdigest()
        h.update(f"D{path}\0{int(d.truncated)}\0{digest}\0".encode())
    h.update(json.dumps(release.metadata, sort_keys=True, default=str).encode())
    for p in release.problems:
        h.update(f"P{p.rule}\0{p.message}\0".encode())
        for e in p.evidence:
            h.update(f"{e.path}\0{e.line}\0{e.quote}\0".encode())
    return h.hexdigest()


# --- the work one subject costs (runs in a worker process) -------------------------------------


@dataclass(frozen=True)
class Task:
    subject: Subject
    stat_fingerprint: str | None
    known_hash: str | None
    """The stored content hash, when the stored assessment was made by this engine."""


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
    from osaid.sources import SourceOptions, load

    base = {
        "key": task.subject.key,
        "target": task.subject.target,
        "stat_fingerprint": task.stat_fingerprint,
        "engine": settings.engine,
    }
    try:
        release = load(
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
    from osaid import __version__, pipeline
    from osaid.index.store import pack
    from osaid.reports.json import to_dict
    from osaid.sources import SourceOptions

    if settings is None:  # warming up a worker: no lineage (nothing to fetch)
        a = pipeline.assess_release(release, pipeline.Settings(lineage_depth=0))
    else:  # the one assessment `osaid check` makes, bases followed through the sources
        options = SourceOptions(settings.offline, settings.cache_dir, settings.token)
        a = pipeline.assess_release(release, pipeline.Settings(source_options=options))
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


def _warm() -> None:
    """Import and compile what every assessment needs, once per process."""
    from osaid.model import Release, TextDocument

    card = "---\nlicense: apache-2.0\n---\n# m\n"
    release = Release(
        "warm", "local", "/", None, (), {"README.md": TextDocument("README.md", card)}
    )
    try:
        _assess(release)
    except Exception:  # noqa: BLE001, S110 - a failure here must not stop the caller
        pass


# --- the scan ------------------------------------------------------------------------------------


@dataclass
class Outcome:
    key: str
    status: str
    """`new`, `changed`, `unchanged` or `error`."""
    error: str | None = None


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def scan(
    subjects: list[Subject],
    store,
    settings: Settings,
    *,
    jobs: int,
    inputs: list[str],
    progress=None,
) -> list[Outcome]:
    """Scan `subjects` into `store`. `progress(advance)` is called as subjects finish. Results
    are written `BATCH` at a time (or every `BATCH_SECONDS`), each batch one transaction. On
    Ctrl-C what finished is committed; the KeyboardInterrupt goes on up."""
    started = time.time()
    when = now_iso()
    scan_id = store.begin_scan(when, settings.engine, inputs)
    known = store.known()
    outcomes: dict[str, Outcome] = {}
    touched: list[tuple[str, str | None, str, str]] = []
    tasks: list[Task] = []
    for s in subjects:
        fp = stat_fingerprint(s, started)
        k = known.get(s.key)
        if k and fp and k.stat_fingerprint == fp and k.engine == settings.engine:
            touched.append((s.key, fp, settings.engine, when))
            outcomes[s.key] = Outcome(s.key, "unchanged")
        else:
            same_engine = k is not None and k.engine == settings.engine
            tasks.append(Task(s, fp, k.content_hash if same_engine else None))
    if touched:
        store.touch(touched)
        if progress:
            progress(len(touched))

    assessed: list[dict] = []
    same: list[tuple[str, str | None, str, str]] = []
    last_write = [time.monotonic()]

    def write() -> None:
        if assessed or same:
            for key, status in store.record(assessed, scan_id, when, unchanged=same):
                outcomes[key] = Outcome(key, status)
            assessed.clear()
            same.clear()
        last_write[0] = time.monotonic()

    def take(results: list[dict]) -> None:
        for r in results:
            if r["status"] == "assessed":
                assessed.append(r)
            elif r["status"] == "unchanged":
                same.append((r["key"], r["stat_fingerprint"], r["engine"], when))
                outcomes[r["key"]] = Outcome(r["key"], "unchanged")
            else:
                outcomes[r["key"]] = Outcome(r["key"], "error", r["error"])
        if len(assessed) + len(same) >= BATCH or time.monotonic() - last_write[0] >= BATCH_SECONDS:
            write()
        if progress:
            progress(len(results))

    try:
        if jobs <= 1 or len(tasks) <= CHUNK:
            _warm()
            for i in range(0, len(tasks), CHUNK):
                take(_work(tasks[i : i + CHUNK], settings))
        else:
            _pooled(tasks, settings, jobs, take)
        write()
    except KeyboardInterrupt:
        write()  # keep what finished
        raise
    finally:
        counts: dict[str, int] = {}
        for o in outcomes.values():
            counts[o.status] = counts.get(o.status, 0) + 1
        store.finish_scan(scan_id, now_iso(), counts)
    return [outcomes[s.key] for s in subjects if s.key in outcomes]


def _pooled(tasks: list[Task], settings: Settings, jobs: int, take) -> None:
    """Run chunks of tasks on `jobs` processes with at most `2 * jobs` chunks in flight, so
    memory stays bounded however many subjects there are. On Ctrl-C the chunks not started are
    cancelled, and the results of those running are still taken."""
    import concurrent.futures as cf
    import multiprocessing

    ctx = None
    if "fork" in multiprocessing.get_all_start_methods():
        _warm()  # forked workers inherit the warm caches
        ctx = multiprocessing.get_context("fork")
    chunks = (tasks[i : i + CHUNK] for i in range(0, len(tasks), CHUNK))
    pool = cf.ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_worker_init)
    pending: set = set()

    def take_done(done, *, strict: bool = True) -> None:
        for f in done:
            if not f.cancelled() and f.exception() is None:
                take(f.result())
        if strict:
            for f in done:
                f.result()  # a worker that died raises here, after the others' results are taken

    try:
        for chunk in chunks:
            pending.add(pool.submit(_work, chunk, settings))
            if len(pending) >= 2 * jobs:
                done, pending = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
                take_done(done)
        while pending:
            done, pending = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            take_done(done)
    except KeyboardInterrupt:
        for f in pending:
            f.cancel()
        pool.shutdown(wait=True, cancel_futures=True)
        take_done([f for f in pending if f.done()], strict=False)
        raise
    except BaseException:
        for f in pending:
            f.cancel()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
