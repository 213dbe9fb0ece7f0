"""`osaid licenses`: the license catalog, and for each license whether it is open and why.

Exit code 0 (1 when a filter leaves nothing to list).
"""

from __future__ import annotations

import argparse
import json
import os
import sys


def register(parser: argparse.ArgumentParser) -> None:
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--open", action="store_true", help="only licenses that are open")
    which.add_argument("--not-open", action="store_true", help="only licenses that are not open")
    parser.add_argument(
        "--search",
        metavar="TEXT",
        help="only licenses whose id, name, Hub id, publisher or note holds TEXT",
    )
    parser.add_argument(
        "--format",
        "-f",
        choices=("text", "json"),
        default="text",
        help="output format (default: text)",
    )
    parser.set_defaults(run=run)


def console():
    """A rich console for standard output: plain when not a terminal or when NO_COLOR is set."""
    from rich.console import Console

    color = not os.environ.get("NO_COLOR") and (
        bool(os.environ.get("FORCE_COLOR")) or sys.stdout.isatty()
    )
    return Console(
        file=sys.stdout,
        force_terminal=color,
        no_color=not color,
        highlight=False,
        soft_wrap=not color,
        width=None if color else 200,
    )


def listing(
    open_only: bool = False, not_open: bool = False, search: str | None = None
) -> list[dict]:
    from osaid.knowledge import restriction_kinds
    from osaid.knowledge.licensing import catalog

    cat = catalog()
    kinds = restriction_kinds()
    needle = (search or "").lower()
    rows = []
    for entry in cat.entries():
        terms = cat.terms(entry["id"])
        if open_only and terms.open is not True:
            continue
        if not_open and terms.open is not False:
            continue
        if needle:
            hay = " ".join(
                str(entry.get(k) or "") for k in ("id", "name", "hub", "publisher", "note")
            )
            hay += " " + " ".join(entry.get("aliases") or ())
            if needle not in hay.lower():
                continue
        rkinds = list(dict.fromkeys(r.kind for r in terms.restrictions))
        rows.append(
            {
                "id": terms.id,
                "name": terms.name,
                "hub": terms.hub,
                "publisher": entry.get("publisher"),
                "version": entry.get("version"),
                "date": str(entry["date"]) if entry.get("date") else None,
                "url": terms.url,
                "open": terms.open,
                "open_for": list(terms.open_for),
                "restriction_kinds": rkinds,
                "blocking": [k for k in rkinds if kinds[k]["blocking"]],
                "restrictions": [r.to_json() for r in terms.restrictions],
                "note": terms.note,
                "source": terms.source,
            }
        )
    return rows


def run(args: argparse.Namespace) -> int:
    rows = listing(args.open, args.not_open, args.search)
    if args.format == "json":
        json.dump(
            {"schema": "osaid.licenses/1", "count": len(rows), "licenses": rows},
            sys.stdout,
            indent=2,
            ensure_ascii=False,
        )
        sys.stdout.write("\n")
        return 0 if rows else 1
    from rich.table import Table

    out = console()
    if not rows:
        out.print("No license in the catalog matches.")
        return 1
    table = Table(show_lines=False)
    for col in ("license", "hub id", "open", "restrictions", "why"):
        table.add_column(col, overflow="fold")
    for r in rows:
        status = {True: "open", False: "NOT OPEN", None: "unknown"}[r["open"]]
        if r["open"] and r["open_for"]:
            status += " (" + ", ".join(r["open_for"]) + ")"
        style = {True: "green", False: "red", None: "yellow"}[r["open"]]
        table.add_row(
            f"{r['id']}\n{r['name']}",
            r["hub"] or "",
            f"[{style}]{status}[/]",
            ", ".join(r["restriction_kinds"]) or "-",
            r["note"],
        )
    out.print(table)
    out.print(
        f"{len(rows)} licenses. SPDX licenses without an entry are judged from the SPDX "
        "list (OSI approval) and the open-data list."
    )
    return 0
