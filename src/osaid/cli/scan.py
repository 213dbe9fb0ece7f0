"""`osaid scan INPUT...`: assess many releases into the index database, keeping history.

Exit codes: 0 every subject assessed (or unchanged); 1 some subject could not be assessed (its
error is in the summary); 2 usage or input error; 130 interrupted (what finished is kept).
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
        "hub ids, one per line; or a hub id (hf:ORG/NAME)",
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
    exports = _exports(args.export, scanning.available_exports())
    subjects = scanning.expand(args.inputs)
    db = args.db or str(default_path())
    store = Store.open(db)
    settings = scanning.Settings(
        scanning.engine_fingerprint(exports), args.offline, args.cache_dir, args.token, exports
    )
    try:
        with _progress(len(subjects)) as advance:
            outcomes = scanning.scan(
                subjects,
                store,
                settings,
                jobs=args.jobs,
                inputs=list(args.inputs),
                progress=advance,
            )
        _summary(args.format, db, subjects, outcomes, store)
    finally:
        store.close()
    return 1 if any(o.status == "error" for o in outcomes) else 0


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
    otherwise."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.bar = None

    def __enter__(self):
        if not sys.stderr.isatty() or os.environ.get("OSAID_NO_PROGRESS"):
            return lambda n: None
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
        task = self.bar.add_task("scan", total=self.total)
        return lambda n: self.bar.advance(task, n)

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


def _summary(fmt: str, db: str, subjects, outcomes, store) -> None:
    by_key = {o.key: o for o in outcomes}
    known = store.known()
    rows = []
    for s in subjects:
        o = by_key.get(s.key)
        if o is None:
            continue
        k = known.get(s.key)
        r = k.row if k else {}
        rows.append(
            {
                "id": r.get("slug"),
                "name": r.get("name"),
                "source": s.kind,
                "location": r.get("location", s.target),
                "status": o.status,
                "verdict": r.get("verdict") if o.status != "error" else None,
                "mof_class": r.get("mof_class"),
                "osai_score": r.get("osai_score"),
                "weights_license": r.get("weights_license"),
                "organisation": r.get("organisation"),
                "last_change": r.get("last_change"),
                "error": o.error,
            }
        )
    counts: dict[str, int] = {}
    verdicts: dict[str, int] = {}
    for r in rows:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
        if r["verdict"]:
            verdicts[r["verdict"]] = verdicts.get(r["verdict"], 0) + 1
    out = sys.stdout
    if fmt == "json":
        import json

        json.dump(
            {
                "schema": "osaid.scan/1",
                "db": db,
                "subjects": len(rows),
                "status": counts,
                "verdicts": verdicts,
                "results": rows,
            },
            out,
            indent=2,
            ensure_ascii=False,
        )
        out.write("\n")
    elif fmt == "csv":
        import csv

        w = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    else:
        parts = ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
        out.write(f"{len(rows)} subjects scanned into {db}: {parts}\n")
        for v, n in sorted(verdicts.items()):
            out.write(f"  {v}: {n}\n")
        for r in rows:
            if r["error"]:
                out.write(f"  error: {r['location']}: {r['error']}\n")
    out.flush()
