"""The terminal report. Every status is a word; color only repeats what the word says."""

from __future__ import annotations

from typing import TextIO

from osaid.model import Assessment, Evidence, Severity, Verdict

VERDICT_STYLE = {
    Verdict.OPEN: "bold green",
    Verdict.NOT_OPEN: "bold red",
    Verdict.INSUFFICIENT: "bold yellow",
}
VERDICT_WORDS = {
    Verdict.OPEN: "OPEN SOURCE AI",
    Verdict.NOT_OPEN: "NOT OPEN SOURCE AI",
    Verdict.INSUFFICIENT: "INSUFFICIENT EVIDENCE",
}
STATUS_STYLE = {
    "granted": "green",
    "met": "green",
    "found": "green",
    "present": "green",
    "open": "green",
    "withheld": "red",
    "not-met": "red",
    "not open": "red",
    "declared": "cyan",
    "unknown": "yellow",
    "not-found": "yellow",
    "missing": "dim",
    "optional": "dim",
    "partial": "yellow",
    "closed": "red",
    "not assessed": "dim",
}
SEVERITY_STYLE = {Severity.BLOCKER: "bold red", Severity.WARNING: "yellow", Severity.INFO: "dim"}


def evidence_text(ev: Evidence) -> str:
    where = ev.path or ""
    if ev.path and ev.line:
        where += f":{ev.line}"
    if ev.field:
        where += f" [{ev.field}]" if where else f"card field '{ev.field}'"
    parts = [where] if where else []
    if ev.quote:
        parts.append(f'"{ev.quote}"')
    if ev.note:  # osaid's words (what it saw, what its catalog says), never a quote
        parts.append(
            f"({ev.note})"
            if ev.basis != "catalog" or ev.note.startswith("osaid")
            else f"(osaid catalog: {ev.note})"
        )
    if ev.url:
        parts.append(ev.url)
    return " ".join(parts) or "(no location)"


def _open_word(value: bool | None) -> str:
    return "open" if value is True else "not open" if value is False else "unknown"


def render(a: Assessment, out: TextIO, *, color: bool = False) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    console = Console(
        file=out,
        force_terminal=color,
        no_color=not color,
        highlight=False,
        emoji=False,
        width=None if color else 110,
        soft_wrap=False,
    )

    def styled(word: str) -> Text:
        return Text(word, style=STATUS_STYLE.get(word, ""))

    s = a.facts.subject
    console.print(
        Text.assemble(
            ("osaid", "bold"),
            f" · {s.name} ",
            (
                f"({s.source}: {s.location}" + (f" @ {s.revision}" if s.revision else "") + ")",
                "dim",
            ),
        )
    )
    console.print(
        Text.assemble(
            "Verdict: ",
            (VERDICT_WORDS[a.verdict], VERDICT_STYLE[a.verdict]),
            f"  ({a.verdict.value}, OSAID 1.0)",
        )
    )
    blockers = sum(1 for f in a.findings if f.severity is Severity.BLOCKER)
    warnings = sum(1 for f in a.findings if f.severity is Severity.WARNING)
    console.print(f"{blockers} blocker(s), {warnings} warning(s)")
    for key, line in a.extra.get("summaries", {}).items():
        console.print(f"  {key}: {line}")
    console.print()

    freedoms = Text("Freedoms: ")
    for i, (name, status) in enumerate(a.freedoms.items()):
        if i:
            freedoms.append(" · ")
        freedoms.append(f"{name} ")
        freedoms.append(status, style=STATUS_STYLE.get(status, ""))
    console.print(freedoms)
    console.print()

    elements = Table(title="OSAID elements", title_justify="left", show_lines=False)
    elements.add_column("element")
    elements.add_column("status")
    elements.add_column("item")
    elements.add_column("found?")
    elements.add_column("evidence", overflow="fold")
    for name, e in a.elements.items():
        for i, item in enumerate(e.items):
            ev = evidence_text(item.evidence[0]) if item.evidence else ""
            if item.license:
                ev = f"[{item.license}: {_open_word(item.license_open)}] " + ev
            elements.add_row(
                name if i == 0 else "",
                styled(e.status) if i == 0 else "",
                item.label,
                styled(item.status),
                escape(ev[:160]),
            )
    console.print(elements)
    console.print()

    comps = Table(title="Model Openness Framework components", title_justify="left")
    comps.add_column("#", justify="right")
    comps.add_column("component")
    comps.add_column("status")
    comps.add_column("license", overflow="fold")
    comps.add_column("terms")
    for c in a.facts.components:
        comps.add_row(
            str(c.mof_id),
            c.name,
            styled(c.status),
            escape(c.license or "-"),
            styled(_open_word(c.license_open)) if c.license else Text("-"),
        )
    console.print(comps)
    console.print()

    if a.facts.licenses:
        console.print(Text("Licenses", style="bold"))
        for lf in a.facts.licenses:
            scope = (
                ""
                if "release" in lf.scopes
                else f" (applies to {', '.join(lf.scopes[:4])}"
                + (f" and {len(lf.scopes) - 4} more" if len(lf.scopes) > 4 else "")
                + ")"
            )
            console.print(
                Text.assemble(
                    f"  {lf.id}",
                    f" — {lf.name}{scope}: ",
                    (_open_word(lf.open), STATUS_STYLE.get(_open_word(lf.open), "")),
                )
            )
            if lf.note:
                console.print(Text(f"    {lf.note}", style="dim"))
            for ev in lf.evidence[:3]:
                console.print(Text(f"    at {evidence_text(ev)}"))
        console.print()

    if a.facts.bases:
        console.print(Text("Lineage (derived from)", style="bold"))
        for b in a.facts.bases:
            how = b.relation + (" (inferred)" if b.relation_inferred else "")
            state = b.verdict if b.status == "assessed" else f"{b.verdict}: {b.status}"
            console.print(
                Text.assemble(
                    f"  {'  ' * (b.depth - 1)}{b.depth}. {b.id} — {how}, ",
                    f"{b.license or 'license unknown'}: ",
                    (state, VERDICT_STYLE.get(Verdict(b.verdict), "")),
                )
            )
        console.print()

    osai = a.extra.get("osai_index")
    if isinstance(osai, dict):
        score = osai.get("score")
        grades = Table(
            title="European Open Source AI Index grades ("
            + (f"score {score:.2f}" if score is not None else "no score")
            + "; dimensions not assessed are left out of it)",
            title_justify="left",
        )
        grades.add_column("dimension")
        grades.add_column("grade")
        grades.add_column("note", overflow="fold")
        for name, d in osai.get("dimensions", {}).items():
            grade = str(d.get("grade", "")).replace("-", " ")
            grades.add_row(name, styled(grade), escape(d.get("note") or ""))
        console.print(grades)
        console.print()

    console.print(Text(f"Findings ({len(a.findings)})", style="bold"))
    for f in a.findings:
        osd = f" [OSD {', '.join(map(str, f.osd))}]" if f.osd else ""
        console.print(
            Text.assemble(
                (f"  {f.severity.value.upper():8}", SEVERITY_STYLE[f.severity]), f" {f.rule}{osd}"
            )
        )
        console.print(Text(f"           {f.message}"))
        for ev in f.evidence[:4]:
            console.print(Text(f"           at {evidence_text(ev)}", style="cyan"))
        if f.fix:
            console.print(Text(f"           fix: {f.fix}", style="dim"))
