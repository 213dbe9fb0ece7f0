"""`osaid scan INPUT...`: assess many releases into the index database, keeping history.

Exit codes: 0 every subject assessed (or unchanged); 1 some subject could not be assessed (its
error is in the summary) or was deferred by the hub's rate limit (the next scan takes it up);
2 usage or input error; 130 interrupted (what finished is kept).
"""

from __future__ import annotations

import argparse
import os
import sys


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help="a release folder; a folder of releases (each subfolder) and/or "
        "Model Openness Tool manifests (.yml); a manifest; a file listing "
        "hub ids, one per line; a hub id (hf:ORG/NAME); or a hub listing: "
        "hf:author=ORG, hf:search=TEXT, hf:tag=TAG (every model it lists)",
    )
    parser.add_argument(
        "--db",
        metavar="PATH",
        help="index database (default: $XDG_DATA_HOME/osaid/index.db or "
        "~/.local/share/osaid/index.db)",
    )
    parser.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=os.cpu_count() or 1,
        help="worker processes (default: one per core)",
    )
    parser.add_argument(
        "--hub-workers",
        type=int,
        default=16,
        metavar="N",
        help="hub models loaded at once, by threads of the scanning process (default: 16)",
    )
    parser.add_argument(
        "--format",
        "-f",
        choices=("text", "json", "csv"),
        default="text",
        help="summary on stdout (default: text)",
    )
    parser.add_argument(
        "--export",
        metavar="LIST",
        default="mot",
        help="exports stored with each assessment for the web index: mot, "
        "cyclonedx (comma-separated; 'none' for none; default: mot)",
    )
    parser.add_argument(
        "--offline", action="store_true", help="hub ids: use only the cache, never the network"
    )
    parser.add_argument("--cache-dir", metavar="DIR", help="hub cache folder")
    parser.add_argument("--token", metavar="TOKEN", help="hub access token")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from osaid.errors import UsageError
    from osaid.index import scan as scanning
    from osaid.index.store import Store, default_path

    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if args.hub_workers < 1:
        raise UsageError("--hub-workers must be at least 1")
    exports = _exports(args.export, scanning.available_exports())
    plan = scanning.plan(args.inputs)
    if plan.queries and args.offline:
        raise UsageError(
            "a hub listing (hf:author=, hf:search=, hf:tag=) needs the hub; --offline forbids it"
        )
    db = args.db or str(default_path())
    store = Store.open(db)
    settings = scanning.Settings(
        scanning.engine_fingerprint(exports), args.offline, args.cache_dir, args.token, exports
    )
    total = None if plan.queries else len(plan.subjects)
    try:
        with _progress(total) as bar:
            summary = scanning.scan(
                plan.subjects,
                store,
                settings,
                jobs=args.jobs,
                inputs=list(args.inputs),
                progress=bar.advance,
                queries=plan.queries,
                keep=args.format != "text",
                hub_workers=args.hub_workers,
                on_wait=bar.wait,
            )
        _summary(args.format, db, summary, store)
    finally:
        store.close()
    return 1 if summary.counts.get("error") or summary.counts.get("deferred") else 0


def _exports(spec: str, available: list[str]) -> tuple[str, ...]:
    from osaid.errors import UsageError

    wanted = [w.strip().lower() for w in spec.split(",") if w.strip()]
    if wanted in ([], ["none"]):
        return ()
    unknown = [w for w in wanted if w not in available]
    if unknown:
        raise UsageError(
            f"unknown export(s) {', '.join(map(repr, unknown))}; available: {', '.join(available)}"
        )
    return tuple(w for w in available if w in wanted)


class _progress:
    """A rich progress bar on stderr (count, rate, ETA) when it is a terminal; nothing
    otherwise. `wait` shows a wait for the hub's rate-limit window (on the bar, or one line on
    stderr without one)."""

    def __init__(self, total: int | None) -> None:
        self.total = total
        self.bar = None
        self.task = None

    def advance(self, n: int) -> None:
        if self.bar is not None:
            self.bar.advance(self.task, n)

    def wait(self, bucket: str, seconds: float, limit: int | None) -> None:
        quota = f" ({limit} per window)" if limit else ""
        text = f"the hub's {bucket} rate limit{quota} is spent; waiting {seconds:.0f} s"
        if self.bar is not None:
            self.bar.console.print(f"[yellow]{text}[/yellow]")
        elif seconds >= 1:
            sys.stderr.write(f"osaid: {text}\n")
            sys.stderr.flush()

    def __enter__(self):
        if not sys.stderr.isatty() or os.environ.get("OSAID_NO_PROGRESS"):
            return self
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        class Rate(TextColumn):
            def render(self, task):
                speed = task.finished_speed or task.speed
                from rich.text import Text

                return Text(f"{speed:,.0f}/s" if speed else "…/s")

        self.bar = Progress(
            TextColumn("scanning"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            Rate(""),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        self.bar.__enter__()
        self.task = self.bar.add_task("scan", total=self.total)
        return self

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)


COLUMNS = (
    "id",
    "name",
    "source",
    "location",
    "status",
    "verdict",
    "mof_class",
    "osai_score",
    "weights_license",
    "organisation",
    "last_change",
    "error",
)


def _summary(fmt: str, db: str, summary, store) -> None:
    out = sys.stdout
    counts = summary.counts
    if fmt == "text":
        total = sum(counts.values())
        parts = ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
        out.write(f"{total} subjects scanned into {db}: {parts}\n")
        for o in summary.outcomes:
            if o.status == "error":
                out.write(f"  error: {o.key}: {o.error}\n")
        _deferred(out, summary)
        out.flush()
        return
    rows = []
    verdicts: dict[str, int] = {}
    for i in range(0, len(summary.outcomes), 500):
        batch = summary.outcomes[i : i + 500]
        known = store.known([o.key for o in batch])
        for o in batch:
            k = known.get(o.key)
            r = k.row if k else {}
            source = o.key.split(":", 1)[0]
            row = {
                "id": r.get("slug"),
                "name": r.get("name"),
                "source": source,
                "location": r.get("location", o.key.split(":", 1)[1] if source != "hf" else o.key),
                "status": o.status,
                "verdict": r.get("verdict") if o.status not in ("error", "deferred") else None,
                "mof_class": r.get("mof_class"),
                "osai_score": r.get("osai_score"),
                "weights_license": r.get("weights_license"),
                "organisation": r.get("organisation"),
                "last_change": r.get("last_change"),
                "error": o.error,
            }
            if row["verdict"]:
                verdicts[row["verdict"]] = verdicts.get(row["verdict"], 0) + 1
            rows.append(row)
    if fmt == "json":
        import json

        json.dump(
            {
                "schema": "osaid.scan/1",
                "db": db,
                "subjects": len(rows),
                "status": counts,
                "verdicts": verdicts,
                "hub": {"requests": summary.hub_requests, "rate_limits": summary.limits},
                "results": rows,
            },
            out,
            indent=2,
            ensure_ascii=False,
        )
        out.write("\n")
    else:
        import csv

        from osaid.index.charts import csv_cell

        w = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        # a name or license a spreadsheet would run as a formula is written as text
        w.writerows({k: csv_cell(v) for k, v in row.items()} for row in rows)
        _deferred(sys.stderr, summary)
    out.flush()


def _deferred(out, summary) -> None:
    """What the hub's rate limit deferred, and the waits it cost."""
    import time

    for bucket, acc in sorted(summary.limits.items()):
        if acc.get("waits"):
            out.write(
                f"  waited {acc['waits']} time(s), {acc['waited']:.0f} s in all, for the hub's "
                f"{bucket} rate-limit window\n"
            )
    n = summary.counts.get("deferred", 0)
    if not n:
        return
    until = summary.deferred_until
    when = f" until {time.strftime('%H:%M UTC', time.gmtime(until))}" if until else ""
    out.write(
        f"  deferred: {n} hub subject(s) not assessed, the hub's rate limit is spent{when}; "
        "nothing was stored for them: run the same scan again then to take them up\n"
    )
    for o in summary.outcomes[:20]:
        if o.status == "deferred":
            out.write(f"    {o.key}\n")
    if n > 20:
        out.write(f"    ... and {n - 20} more\n")
