"""`osaid license FILE`: which license a text is, and the clauses in it that withhold freedoms.

Exit codes: 0 the text is identified as terms that are open; 1 identified as not open, open-ness
unknown, or not identified; 2 usage or input error.
"""

from __future__ import annotations

import argparse
import json
import os
import stat
import sys

from osaid.errors import InputError, os_error_message

MAX_BYTES = 1 << 20
"""At most this much of the input is read (1 MiB); longer inputs are analysed as a prefix."""


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="a license or terms file, or - for standard input")
    parser.add_argument(
        "--format",
        "-f",
        choices=("text", "json"),
        default="text",
        help="output format (default: text)",
    )
    parser.add_argument(
        "--classifier",
        action="store_true",
        help="also report clauses the learned clause classifier finds and no rule does",
    )
    parser.set_defaults(run=run)


def read_input(name: str) -> tuple[str, bool]:
    """The text (decoded as UTF-8, Latin-1 as a fallback) and whether it was cut at 1 MiB."""
    try:
        if name == "-":
            data = sys.stdin.buffer.read(MAX_BYTES + 1)
        else:
            if os.path.isdir(name):
                raise InputError(
                    f"{name}: is a folder; give a license file (or use "
                    "`osaid check` for a release folder)"
                )
            if not stat.S_ISREG(os.stat(name).st_mode):
                raise InputError(f"{name}: not a regular file")  # a pipe would block forever
            with open(name, "rb") as fh:
                data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InputError(os_error_message(name, exc)) from None
    truncated = len(data) > MAX_BYTES
    data = data[:MAX_BYTES]
    if b"\x00" in data[:8192]:
        raise InputError(f"{name}: looks like a binary file, not a license text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="ignore") if truncated else data.decode("latin-1")
    return text.lstrip("\ufeff"), truncated


def analyse(text: str, path: str | None, *, classifier: bool = False) -> dict:
    """Identification, catalog restrictions and clause findings, as plain data."""
    from osaid.evidence.memo import identify_text
    from osaid.knowledge.licensing import catalog

    ids = identify_text(text)
    cat = catalog()
    licenses = []
    restrictions = []
    for ident in ids:
        terms = cat.terms(ident.id) if ident.id else None
        entry = dict(ident.to_json())
        entry["open"] = terms.open if terms and terms.known else None
        entry["open_note"] = terms.note if terms and terms.known else None
        entry["url"] = terms.url if terms else None
        if terms is not None and terms.entry is not None:
            for r in terms.restrictions:
                item = r.to_json()
                item.update(source="catalog", license=ident.id)
                restrictions.append(item)
        licenses.append(entry)
    clause_error = None
    try:
        if classifier:
            from osaid.evidence.clauses import analyse as clauses

            found = clauses(text, path, classifier=True)
        else:  # what an earlier run read in this text, if any (evidence/memo.py)
            from osaid.evidence.memo import analyse as kept

            found = kept(text, path)
    except ImportError:  # the clause analyser is optional for identification
        found = []
        clause_error = "clause analysis is not available in this installation"
    for r in found:
        item = r.to_json()
        item["source"] = r.source
        restrictions.append(item)
    return {"licenses": licenses, "restrictions": restrictions, "clause_error": clause_error}


def _verdict(result: dict) -> tuple[int, str]:
    from osaid.knowledge import restriction_kinds

    kinds = restriction_kinds()
    blocking = [r for r in result["restrictions"] if kinds.get(r["kind"], {}).get("blocking")]
    best = result["licenses"][0] if result["licenses"] else None
    if best is None:
        return 1, ("not identified" + ("; clauses below withhold freedoms" if blocking else ""))
    if blocking or best["open"] is False:
        return 1, "not open"
    if best["open"] is True and best["coverage"] >= 0.9 and not best["family_only"]:
        return 0, "open"
    return 1, "cannot tell"


def run(args: argparse.Namespace) -> int:
    text, truncated = read_input(args.file)
    path = None if args.file == "-" else args.file
    result = analyse(text, path, classifier=getattr(args, "classifier", False))
    code, verdict = _verdict(result)
    doc = {
        "schema": "osaid.license/1",
        "path": path,
        "truncated": truncated,
        "verdict": verdict,
        **result,
    }
    if args.format == "json":
        json.dump(doc, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        _text(doc)
    return code


def _text(doc: dict) -> None:
    from rich.table import Table
    from rich.text import Text

    from osaid.cli.licenses import console

    out = console()
    where = doc["path"] or "<stdin>"
    out.print(
        Text.assemble((f"{where}: ", "bold"), (doc["verdict"].upper(), _style(doc["verdict"])))
    )
    if doc["truncated"]:
        out.print("Only the first 1 MiB was read.")
    if not doc["licenses"]:
        out.print(
            "No license recognised: not a known SPDX text, and no title or version line "
            "from osaid's catalog."
        )
    else:
        table = Table(title="Identified", title_justify="left", show_lines=False)
        for col in ("license", "open", "coverage", "how", "line", "evidence"):
            table.add_column(col, overflow="fold")
        for lic in doc["licenses"]:
            label = lic["id"] + (" (family only)" if lic["family_only"] else "")
            table.add_row(
                label,
                _yes_no(lic["open"]),
                f"{lic['coverage']:.0%}",
                lic["method"],
                str(lic["line"] or ""),
                lic["quote"] or "",
            )
        out.print(table)
        for lic in doc["licenses"]:
            if lic["note"]:
                out.print(f"note ({lic['id']}): {lic['note']}")
            if lic["open_note"]:
                out.print(f"why ({lic['id']}): {lic['open_note']}")
    if doc["restrictions"]:
        table = Table(title="Restrictions", title_justify="left")
        for col in ("kind", "OSD", "from", "line", "clause"):
            table.add_column(col, overflow="fold")
        for r in doc["restrictions"]:
            origin = r.get("license") if r.get("source") == "catalog" else r.get("source", "rule")
            table.add_row(
                r["kind"],
                ", ".join(map(str, r["osd"])) or "-",
                str(origin),
                str(r.get("line") or ""),
                r["quote"],
            )
        out.print(table)
    elif doc["clause_error"] is None:
        out.print("No restrictive clause found.")
    if doc["clause_error"]:
        out.print(f"note: {doc['clause_error']}")


def _yes_no(value: bool | None) -> str:
    return {True: "open", False: "not open", None: "unknown"}[value]


def _style(verdict: str) -> str:
    return {"open": "bold green", "not open": "bold red"}.get(verdict, "bold yellow")
