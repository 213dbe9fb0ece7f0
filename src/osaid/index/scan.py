"""Bulk scans: inputs -> subjects -> assessments in worker processes -> the store.

The parts: `inputs.py` (what is scanned), `fingerprints.py` (what decides that a subject is
unchanged), `workers.py` (the work one subject costs), and here the loop that feeds the workers
and writes their results in batches.

The loop takes subjects a window at a time (`WINDOW`), asks the store about those keys only, and
skips the unchanged ones. Hub subjects are loaded in this process by a bounded pool of threads
(`Settings.hub_workers`, independent of `--jobs`): many models in flight, one shared rate-limit
budget, one dataset lookup per dataset for the whole scan. What they load, and the local subjects,
go to the worker processes to be assessed. Memory stays bounded however many subjects there are
and however large the index is: only the windows in flight are held.
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import itertools
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from osaid.index.fingerprints import (
    RACY_SECONDS,
    content_hash,
    engine_fingerprint,
    hub_fingerprint,
    stat_fingerprint,
)
from osaid.index.inputs import MANIFEST_SUFFIXES, Plan, Subject, expand, listed, plan
from osaid.index.workers import (
    DEFAULT_EXPORTS,
    EXPORTS,
    Settings,
    Task,
    _assess,
    _warm,
    _work,
    _worker_init,
    assess_task,
    available_exports,
    license_family,
)

__all__ = [
    "DEFAULT_EXPORTS",
    "EXPORTS",
    "MANIFEST_SUFFIXES",
    "Plan",
    "RACY_SECONDS",
    "Outcome",
    "Settings",
    "Subject",
    "Task",
    "_assess",
    "assess_task",
    "available_exports",
    "content_hash",
    "engine_fingerprint",
    "expand",
    "license_family",
    "listed",
    "plan",
    "scan",
    "stat_fingerprint",
]

CHUNK = 8
"""Subjects per task sent to a worker: enough to make the round trip cheap."""
BATCH = 64
BATCH_SECONDS = 0.5
"""Results are written this many at a time, or at least this often: one transaction each."""
WINDOW = 256
"""Subjects decided at a time (one store query for their keys)."""


@dataclass
class Outcome:
    key: str
    status: str
    """`new`, `changed`, `unchanged`, `error` or `deferred` (the hub's rate limit: not
    assessed, nothing stored; the next scan takes it up)."""
    error: str | None = None


@dataclass
class Summary:
    counts: dict[str, int] = field(default_factory=dict)
    outcomes: list[Outcome] = field(default_factory=list)
    """Every subject's outcome when the scan was asked to keep them, else only the errors and
    deferrals."""
    deferred_until: float | None = None
    """When the hub's spent budget that deferred subjects ends (wall-clock time)."""
    hub_requests: int = 0
    limits: dict[str, dict] = field(default_factory=dict)
    """Per rate-limit bucket: the hub's quota and window, the waits and seconds waited."""

    def add(self, outcome: Outcome, keep: bool) -> None:
        self.counts[outcome.status] = self.counts.get(outcome.status, 0) + 1
        if keep or outcome.status in ("error", "deferred"):
            self.outcomes.append(outcome)


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def scan(
    subjects: Iterable[Subject],
    store,
    settings: Settings,
    *,
    jobs: int,
    inputs: list[str],
    progress=None,
    queries: list[tuple[str, str]] = (),
    keep: bool = True,
    hub_workers: int = 16,
    on_wait=None,
) -> Summary:
    """Scan `subjects`, then the models the hub listings `queries` give, into `store`.
    `progress(advance)` is called as subjects finish; `on_wait(bucket, seconds, limit)` when hub
    requests wait for a rate-limit window. Results are written `BATCH` at a time (or every
    `BATCH_SECONDS`), each batch one transaction. On Ctrl-C what finished is committed; the
    KeyboardInterrupt goes on up. `keep`: return every subject's outcome (else only errors and
    deferrals, with the counts)."""
    started = time.time()
    when = now_iso()
    scan_id = store.begin_scan(when, settings.engine, inputs)
    summary = Summary()
    loop = _Loop(store, settings, scan_id, when, summary, keep, progress, jobs, hub_workers)
    loop.on_wait = on_wait
    try:
        if isinstance(subjects, list) and not settings.offline:
            subjects = _with_listed_commits(loop, subjects)
        stream: Iterator[Subject] = iter(subjects)
        if queries:
            listing = listed(loop.hub_source(), list(queries))
            stream = itertools.chain(stream, _guarded(listing, summary, keep))
        loop.run(stream, started)
    except KeyboardInterrupt:
        loop.write()  # keep what finished
        raise
    finally:
        loop.close()
        if loop.hub is not None:
            summary.hub_requests = loop.hub.requests
            summary.limits = loop.hub.client.budget.summary()
        store.finish_scan(scan_id, now_iso(), summary.counts)
    return summary


AUTHOR_LISTING_MIN = 3
"""Hub ids of one author, given alone, from which the scan asks the author's listing for their
commits instead of asking each model."""


def _with_listed_commits(loop, subjects: list[Subject]) -> list[Subject]:
    """Hub ids given alone (not pinned to a revision) learn their current commit from their
    author's listing when an author has several: a page answers for up to 1,000 models. An
    author's pages are asked only while they can pay: never more pages than the ids they answer
    for. What the listing does not find keeps no commit (its load asks the hub, as before)."""
    from osaid.errors import InputError, OsaidError
    from osaid.sources.hf.client import TokenRejected
    from osaid.sources.hf.listing import list_models

    wanted: dict[str, set[str]] = {}
    for s in subjects:
        if s.kind == "hf" and s.sha is None and "@" not in s.target:
            wanted.setdefault(s.key[3:].split("/", 1)[0], set()).add(s.key[3:])
    found: dict[str, str] = {}
    for author, ids in wanted.items():
        if len(ids) < AUTHOR_LISTING_MIN:
            continue
        hub = loop.hub_source()
        before, left = hub.requests, set(ids)
        try:
            for m in list_models(hub.client, "author", author):
                if m.repo_id in left and m.sha:
                    found[m.repo_id] = m.sha
                    left.discard(m.repo_id)
                if not left or hub.requests - before >= len(ids):
                    break
        except TokenRejected as exc:
            raise InputError(str(exc).split(": ", 1)[-1]) from None
        except OsaidError:
            continue  # the models are loaded one by one, as without a listing
    if not found:
        return subjects
    return [
        dataclasses.replace(s, sha=found[s.key[3:]])
        if s.kind == "hf" and "@" not in s.target and s.key[3:] in found
        else s
        for s in subjects
    ]


def _guarded(stream: Iterator[Subject], summary: Summary, keep: bool) -> Iterator[Subject]:
    """A listing's subjects; a listing the hub refuses ends as an error or a deferral."""
    from osaid.errors import OsaidError
    from osaid.sources.hf.limits import RateLimited

    try:
        yield from stream
    except RateLimited as exc:
        summary.add(Outcome("hf:listing", "deferred", str(exc)), keep)
        summary.deferred_until = max(summary.deferred_until or 0, exc.until) or None
    except OsaidError as exc:
        summary.add(Outcome("hf:listing", "error", str(exc)), keep)


class _Loop:
    """The scan's moving parts: windows of subjects decided, hub loads on threads, assessments
    inline or on worker processes, results written in batches."""

    def __init__(self, store, settings, scan_id, when, summary, keep, progress, jobs, hub_workers):
        self.store = store
        self.settings = settings
        self.scan_id = scan_id
        self.when = when
        self.summary = summary
        self.keep = keep
        self.progress = progress
        self.jobs = jobs
        self.hub_workers = max(1, hub_workers)
        self.seen: set[str] = set()
        self.assessed: list[dict] = []
        self.same: list[tuple[str, str | None, str, str]] = []
        self.last_write = time.monotonic()
        self.ready: list[Task] = []
        self.loading: set[cf.Future] = set()
        self.assessing: set[cf.Future] = set()
        self.threads: cf.ThreadPoolExecutor | None = None
        self.pool: cf.ProcessPoolExecutor | None = None
        self.hub = None
        self.with_token = False
        self.on_wait = None
        self._restore_wait = None

    # -- the hub -------------------------------------------------------------------------------

    def hub_source(self):
        """The scan's one hub source (made when the first hub subject comes): its client, rate
        budget, dataset lookups and caches serve every hub subject of the scan."""
        if self.hub is not None:
            return self.hub
        from osaid.sources.hf import HubSource

        s = self.settings
        self.hub = HubSource(offline=s.offline, cache_dir=s.cache_dir, token=s.token)
        self.with_token = bool(self.hub.client.token()) if not s.offline else bool(s.token)
        if self.on_wait is not None:
            budget = self.hub.client.budget
            self._restore_wait = (budget, budget.on_wait)
            budget.on_wait = self.on_wait
        return self.hub

    def _load(self, task: Task):
        """A hub subject loaded on a thread: the task with its release, or a result."""
        from osaid.errors import OsaidError
        from osaid.sources.hf.client import TokenRejected
        from osaid.sources.hf.limits import RateLimited

        base = {"key": task.subject.key, "engine": self.settings.engine}
        try:
            release = self.hub.load(task.subject.target, known_sha=task.subject.sha)
        except TokenRejected as exc:
            return {**base, "status": "fatal", "error": str(exc)}
        except RateLimited as exc:
            return {**base, "status": "deferred", "error": str(exc), "until": exc.until}
        except OsaidError as exc:
            return {**base, "status": "error", "error": str(exc)}
        except Exception as exc:  # noqa: BLE001 - a bug in one subject must not end the scan
            return {**base, "status": "error", "error": f"internal error: {type(exc).__name__}"}
        fp = hub_fingerprint(release.revision, self.with_token)
        if release.name != task.subject.key[3:]:  # renamed on the hub: stored under the new id
            key = "hf:" + release.name
            subject = Subject(key, key, "hf")
            return Task(subject, fp, self._known_hash(key), release)
        return dataclasses.replace(task, stat_fingerprint=fp, release=release)

    def _known_hash(self, key: str) -> str | None:
        k = self.store.known([key]).get(key)
        return k.content_hash if k is not None and k.engine == self.settings.engine else None

    # -- the loop ------------------------------------------------------------------------------

    def run(self, stream: Iterator[Subject], started: float) -> None:
        exhausted = False
        while True:
            while not exhausted and self._room():
                window = list(itertools.islice(stream, WINDOW))
                if not window:
                    exhausted = True
                    break
                self._decide(window, started)
            self._collect_loads()
            self._assess(final=exhausted and not self.loading)
            if exhausted and not (self.loading or self.assessing or self.ready):
                break
            waiting = self.loading | self.assessing
            if waiting:
                cf.wait(waiting, timeout=0.2, return_when=cf.FIRST_COMPLETED)
        self.write()

    def _room(self) -> bool:
        return (
            len(self.loading) < 4 * self.hub_workers
            and len(self.ready) < 4 * CHUNK * max(1, self.jobs)
            and len(self.assessing) < 2 * max(1, self.jobs)
        )

    def _decide(self, window: list[Subject], started: float) -> None:
        window = [s for s in window if s.key not in self.seen]
        self.seen.update(s.key for s in window)
        known = self.store.known([s.key for s in window])
        engine = self.settings.engine
        touched = []
        hub = None
        if not self.settings.offline and any(s.kind == "hf" for s in window):
            hub = self.hub_source()
        for s in window:
            if s.kind == "hf":
                fp = hub_fingerprint(s.sha, self.with_token)
            else:
                fp = stat_fingerprint(s, started)
            k = known.get(s.key)
            if k and fp and k.stat_fingerprint == fp and k.engine == engine:
                touched.append((s.key, fp, engine, self.when))
                self.summary.add(Outcome(s.key, "unchanged"), self.keep)
                continue
            task = Task(s, fp, k.content_hash if k is not None and k.engine == engine else None)
            if s.kind == "hf" and hub is not None:
                if self.threads is None:
                    self._start_pool()  # worker processes are forked before any thread starts
                    self.threads = cf.ThreadPoolExecutor(self.hub_workers, "osaid-hub")
                self.loading.add(self.threads.submit(self._load, task))
            else:
                self.ready.append(task)
        if touched:
            self.store.touch(touched)
            if self.progress:
                self.progress(len(touched))

    def _collect_loads(self) -> None:
        done = {f for f in self.loading if f.done()}
        self.loading -= done
        results = []
        for f in done:
            out = f.result()
            if isinstance(out, Task):
                self.ready.append(out)
            elif out["status"] == "fatal":  # the same for every hub subject: stop here
                from osaid.errors import InputError

                self.take(results)
                self.write()
                raise InputError(out["error"].split(": ", 1)[-1])
            else:
                results.append(out)
        if results:
            self.take(results)

    def _assess(self, final: bool) -> None:
        if self.jobs <= 1:
            while len(self.ready) >= CHUNK or (final and self.ready):
                chunk, self.ready = self.ready[:CHUNK], self.ready[CHUNK:]
                if not self.pool:
                    _warm_once()
                self.take(_work(chunk, self.settings))
            return
        done = {f for f in self.assessing if f.done()}
        self.assessing -= done
        for f in done:
            self.take(f.result())  # a worker that died raises here
        while (len(self.ready) >= CHUNK or (final and self.ready)) and len(
            self.assessing
        ) < 2 * self.jobs:
            chunk, self.ready = self.ready[:CHUNK], self.ready[CHUNK:]
            self._start_pool()
            self.assessing.add(self.pool.submit(_work, chunk, self.settings))

    def _start_pool(self) -> None:
        if self.jobs <= 1 or self.pool is not None:
            return
        import multiprocessing

        ctx = None
        if "fork" in multiprocessing.get_all_start_methods():
            _warm_once()  # forked workers inherit the warm caches
            ctx = multiprocessing.get_context("fork")
        self.pool = cf.ProcessPoolExecutor(
            max_workers=self.jobs, mp_context=ctx, initializer=_worker_init
        )
        self.pool.submit(int).result()  # start the processes now

    # -- results -------------------------------------------------------------------------------

    def take(self, results: list[dict]) -> None:
        for r in results:
            if r["status"] == "assessed":
                self.assessed.append(r)
            elif r["status"] == "unchanged":
                self.same.append((r["key"], r["stat_fingerprint"], r["engine"], self.when))
                self.summary.add(Outcome(r["key"], "unchanged"), self.keep)
            elif r["status"] == "deferred":
                self.summary.add(Outcome(r["key"], "deferred", r["error"]), self.keep)
                until = r.get("until") or 0
                self.summary.deferred_until = max(self.summary.deferred_until or 0, until) or None
            else:
                self.summary.add(Outcome(r["key"], "error", r["error"]), self.keep)
        if (
            len(self.assessed) + len(self.same) >= BATCH
            or time.monotonic() - self.last_write >= BATCH_SECONDS
        ):
            self.write()
        if self.progress:
            self.progress(len(results))

    def write(self) -> None:
        if self.assessed or self.same:
            statuses = self.store.record(
                self.assessed, self.scan_id, self.when, unchanged=self.same
            )
            for key, status in statuses:
                self.summary.add(Outcome(key, status), self.keep)
            self.assessed.clear()
            self.same.clear()
        self.last_write = time.monotonic()

    def close(self) -> None:
        for f in self.loading | self.assessing:
            f.cancel()
        if self.hub is not None:
            self.hub.client.stop.set()  # loads waiting for a rate-limit window end now
        if self.threads is not None:
            self.threads.shutdown(wait=True, cancel_futures=True)
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
        if self._restore_wait is not None:
            budget, previous = self._restore_wait
            budget.on_wait = previous


_WARM: list[bool] = []


def _warm_once() -> None:
    if not _WARM:
        _warm()
        _WARM.append(True)
