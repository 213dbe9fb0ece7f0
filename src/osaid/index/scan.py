"""Bulk scans: inputs -> subjects -> assessments in worker processes -> the store.

The parts: `inputs.py` (what is scanned), `fingerprints.py` (what decides that a subject is
unchanged), `workers.py` (the work one subject costs), and here the loop that feeds the workers
and writes their results in batches.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from osaid.index.fingerprints import (
    RACY_SECONDS,
    content_hash,
    engine_fingerprint,
    stat_fingerprint,
)
from osaid.index.inputs import MANIFEST_SUFFIXES, Subject, expand
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
    "scan",
    "stat_fingerprint",
]

CHUNK = 8
"""Subjects per task sent to a worker: enough to make the round trip cheap."""
BATCH = 64
BATCH_SECONDS = 0.5
"""Results are written this many at a time, or at least this often: one transaction each."""


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
