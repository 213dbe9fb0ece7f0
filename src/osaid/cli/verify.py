"""`osaid verify [--lock osaid.lock]`: re-resolve every locked target and report drift in its terms.

Drift: a terms document changed (with a unified diff of the normalised text and the restrictions
that appeared or disappeared), added or removed; license ids changed; a new or dropped base model
or dataset; the verdict changed. A moved revision or a whitespace-only edit is a note, not drift.
Meant for a scheduled CI job (docs/bom-and-lock.md).

Exit codes: 0 no drift; 1 drift (or, with a policy file, a violation at or above its `fail-on`);
2 usage or input error (lock unreadable, a target unreachable, a bad policy file).
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from osaid.cli.lock import DEFAULT_LOCK
from osaid.cli.options import add_assessment_options, add_policy_options, settings

MAX_LOCK_BYTES = 64 * 1024 * 1024


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lock",
        "-l",
        metavar="FILE",
        default=DEFAULT_LOCK,
        help=f"the lock file to verify (default: {DEFAULT_LOCK})",
    )
    parser.add_argument(
        "--format",
        "-f",
        choices=("text", "json"),
        default="text",
        help="report format (default: text)",
    )
    add_assessment_options(parser)
    add_policy_options(parser, "the lock file's folder")
    parser.set_defaults(run=run)


def read_lock(path: str) -> dict:
    from osaid.errors import InputError
    from osaid.lock import SCHEMA

    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_LOCK_BYTES + 1)
    except FileNotFoundError:
        raise InputError(
            f"{path}: no such lock file (write one with `osaid lock TARGET...`)"
        ) from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read lock file ({exc.strerror or exc})") from None
    if len(data) > MAX_LOCK_BYTES:
        raise InputError(f"{path}: lock file larger than {MAX_LOCK_BYTES // 2**20} MiB")
    try:
        lock = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not a JSON lock file ({exc})") from None
    if not isinstance(lock, dict) or lock.get("schema") != SCHEMA:
        raise InputError(f'{path}: not an osaid lock (expected "schema": "{SCHEMA}")')
    entries = lock.get("entries")
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and isinstance(e.get("target"), str) for e in entries
    ):
        raise InputError(
            f"{path}: malformed lock: `entries` must be a list of objects with a `target`"
        )
    return lock


def _resolve(target: str, lock_path: str) -> str:
    """Locked local paths are relative to the lock file's folder."""
    if target.startswith(("./", "../")):
        return os.path.join(os.path.dirname(os.path.abspath(lock_path)), target)
    return target


def _lineage_from_lock(args: argparse.Namespace, lock: dict) -> None:
    """Lineage options not given on the command line are the lock's (what `osaid lock` was
    given), so a verdict is compared with one assessed the same way."""
    from osaid.errors import InputError

    recorded = lock.get("lineage")
    if not isinstance(recorded, dict):
        return
    if args.lineage_depth is None and isinstance(recorded.get("depth"), int):
        args.lineage_depth = str(recorded["depth"])
    bases = recorded.get("bases")
    if not args.base and isinstance(bases, dict):
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in bases.items()):
            raise InputError(
                f"{args.lock}: malformed lock: `lineage.bases` must map ids to targets"
            )
        args.base = [f"{k}={_resolve(v, args.lock)}" for k, v in bases.items()]


def run(args: argparse.Namespace) -> int:
    from osaid.cli.options import policy_file
    from osaid.lock import assess_target, compare, lock_entry
    from osaid.policy import evaluate, failing, subject_of

    pol = policy_file(args, os.path.dirname(os.path.abspath(args.lock)))
    lock = read_lock(args.lock)
    _lineage_from_lock(args, lock)
    chosen = settings(args)
    violations = []
    results = []
    for old in lock["entries"]:
        target = old["target"]
        a = assess_target(_resolve(target, args.lock), chosen)
        new = lock_entry(a, target, settings=chosen, with_bases="base_models" in old)
        drift, notes = compare(old, new, target)
        judged = evaluate(pol, subject_of(a, new["subject"]["name"])) if pol else []
        violations.extend(judged)
        results.append(
            {
                "target": target,
                "subject": new["subject"]["name"],
                "revision": new["subject"]["revision"],
                "drift": [d.to_json() for d in drift],
                "notes": notes,
                "policy": [v.to_json() for v in judged],
            }
        )
    drifted = any(r["drift"] for r in results)
    fails = bool(pol and failing(pol, violations))
    if args.format == "json":
        json.dump(
            {
                "schema": "osaid.verify/1",
                "lock": args.lock,
                "drift": drifted,
                "policy": pol.path if pol else None,
                "policy_failed": fails,
                "targets": results,
            },
            sys.stdout,
            indent=2,
            ensure_ascii=False,
        )
        sys.stdout.write("\n")
    else:
        _text(results, sys.stdout)
    sys.stdout.flush()
    return 1 if drifted or fails else 0


def _text(results: list[dict], out) -> None:
    n = sum(1 for r in results if r["drift"])
    out.write(
        f"osaid verify: {len(results)} target(s), " + (f"{n} with drift\n" if n else "no drift\n")
    )
    for r in results:
        status = f"DRIFT ({len(r['drift'])})" if r["drift"] else "no drift"
        out.write(f"\n{r['target']} ({r['subject']}): {status}\n")
        for d in r["drift"]:
            out.write(f"  {d['kind']}: {d['message']}\n")
            for x in d.get("restrictions_added", []):
                out.write(f'    + restriction {x["kind"]}: "{x["quote"]}"\n')
            for x in d.get("restrictions_removed", []):
                out.write(f'    - restriction {x["kind"]}: "{x["quote"]}"\n')
            for line in d.get("diff", []):
                out.write(f"    {line}\n")
        for note in r["notes"]:
            out.write(f"  note: {note}\n")
        for v in r["policy"]:
            out.write(f"  policy {'waived' if v['waived'] else v['severity']}: {v['message']}\n")
