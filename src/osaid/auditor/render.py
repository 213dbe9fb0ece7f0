"""Text and Markdown renderings of an audit document (`report.to_dict`). They never decide."""

from __future__ import annotations

from typing import TextIO


def _where(u: dict) -> str:
    return f"{u['path']}:{u['line']}" if u.get("line") else u["path"]


def _verdict(m: dict) -> str:
    if m["verdict"]:
        return m["verdict"]
    return {"unresolved": "not resolved", "unavailable": "could not be loaded"}.get(
        m["status"], "not assessed"
    )


def text(doc: dict, out: TextIO) -> None:
    s = doc["summary"]
    out.write(
        f"osaid audit {doc['root']}: {s['models']} model(s) in {s['references']} place(s), "
        f"{s['dynamic']} id(s) built at run time; {s['files_seen']} files seen\n"
    )
    pol = doc["policy"]
    out.write(
        f"policy: {pol['path'] or 'default (open-source-ai required)'}; fail on {pol['fail_on']}\n"
    )
    for m in doc["models"]:
        out.write(f"\n{m['id']}  [{m['kind']}]\n")
        out.write(f"  verdict: {_verdict(m)}")
        if m["target"]:
            out.write(f"  (read from {m['target']}, via {m['via']})")
        out.write("\n")
        if m["reason"]:
            out.write(f"  why: {m['reason']}\n")
        if m["license"] or m["licenses"]:
            out.write(f"  license: {m['license'] or ', '.join(m['licenses'])}\n")
        if m["base_model"]:
            out.write(f"  adapter on: {m['base_model']}\n")
        for b in m["lineage"]:
            out.write(
                f"  base ({b['relation']}): {b['id']}: {b['verdict']}, {b['license'] or 'license unknown'}\n"
            )
        meta = m.get("metadata") or {}
        for key, value in (meta.get("fields") or {}).items():
            out.write(f"  header {key}: {value}\n")
        for b in meta.get("base_models") or []:
            named = " ".join(str(b[k]) for k in ("organization", "name", "repo_url") if b.get(k))
            out.write(f"  header base model: {named}\n")
        for r in m["restrictions"]:
            loc = r.get("path") or ""
            if loc and r.get("line"):
                loc += f":{r['line']}"
            src = f" [{r['from']}]" if r.get("from") and r["from"] != m["id"] else ""
            out.write(f"  binds you: {r['kind']}{src} {loc}".rstrip() + "\n")
            if r.get("quote"):
                out.write(f'    "{r["quote"]}"\n')
        for u in m["usages"]:
            out.write(f"  used at {_where(u)}: {u['text'] or u['library']}\n")
        for v in m["violations"]:
            tag = "waived" if v["waived"] else v["severity"]
            out.write(f"  policy {tag}: {v['message']}\n")
            if v["exception"]:
                e = v["exception"]
                out.write(f"    exception until {e['expires'] or 'no date'}: {e['reason']}\n")
    if doc["dynamic"]:
        out.write("\nModel ids built at run time (not resolved):\n")
        for d in doc["dynamic"]:
            out.write(f"  {d['path']}:{d['line']}: {d['text']}\n    {d['reason']}\n")
    out.write(
        "\nresult: "
        + (
            "passed"
            if doc["passed"]
            else f"FAILED ({s['failing']} violation(s) at or above {pol['fail_on']})"
        )
        + "\n"
    )


def _md(s: str | None) -> str:
    return (s or "").replace("|", "\\|").replace("\n", " ")


def markdown(doc: dict, out: TextIO) -> None:
    s = doc["summary"]
    out.write(f"# AI models used by `{doc['root']}`\n\n")
    out.write(
        f"{s['models']} model(s) in {s['references']} place(s); {s['dynamic']} id(s) built at run "
        f"time. Result: **{'passed' if doc['passed'] else 'failed'}** "
        f"({s['failing']} failing violation(s)).\n\n"
    )
    out.write("| model | verdict | license | restrictions that bind you | used at |\n")
    out.write("|---|---|---|---|---|\n")
    for m in doc["models"]:
        kinds = sorted({r["kind"] for r in m["restrictions"]})
        used = ", ".join(f"`{_where(u)}`" for u in m["usages"][:5])
        if len(m["usages"]) > 5:
            used += f" and {len(m['usages']) - 5} more"
        out.write(
            f"| `{_md(m['id'])}` | {_verdict(m)} | {_md(m['license'] or ', '.join(m['licenses'])) or '?'} "
            f"| {', '.join(kinds) or '—'} | {used} |\n"
        )
    violations = [v for m in doc["models"] for v in m["violations"]] + [
        d["violation"] for d in doc["dynamic"]
    ]
    if violations:
        out.write("\n## Policy\n\n")
        for v in violations:
            tag = "waived" if v["waived"] else v["severity"]
            out.write(f"- **{tag}** `{v['rule']}`: {_md(v['message'])}\n")
    if doc["dynamic"]:
        out.write("\n## Model ids built at run time\n\n")
        for d in doc["dynamic"]:
            out.write(f"- `{d['path']}:{d['line']}` `{_md(d['text'])}`: {_md(d['reason'])}\n")
