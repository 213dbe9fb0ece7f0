"""The terminal report. Every status is a word; color only repeats what the word says."""

from __future__ import annotations

from dataclasses import dataclass, field
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


Piece = tuple[str, str]
"""A run of text and its style (rich style words; "" for none)."""


@dataclass
class Line:
    pieces: list[Piece]


@dataclass
class Grid:
    title: str
    columns: list[tuple[str, str, str]]
    """(header, justify, overflow) per column."""
    rows: list[list[Piece]] = field(default_factory=list)


def _blocks(a: Assessment) -> list[Line | Grid]:
    """What the report says, in order: lines of styled text and tables (no layout yet)."""
    out: list[Line | Grid] = []

    def line(*pieces: str | Piece) -> None:
        out.append(Line([p if isinstance(p, tuple) else (p, "") for p in pieces]))

    def styled(word: str) -> Piece:
        return (word, STATUS_STYLE.get(word, ""))

    s = a.facts.subject
    line(
        ("osaid", "bold"),
        f" · {s.name} ",
        (
            f"({s.source}: {s.location}" + (f" @ {s.revision}" if s.revision else "") + ")",
            "dim",
        ),
    )
    line(
        "Verdict: ",
        (VERDICT_WORDS[a.verdict], VERDICT_STYLE[a.verdict]),
        f"  ({a.verdict.value}, OSAID 1.0)",
    )
    blockers = sum(1 for f in a.findings if f.severity is Severity.BLOCKER)
    warnings = sum(1 for f in a.findings if f.severity is Severity.WARNING)
    line(f"{blockers} blocker(s), {warnings} warning(s)")
    for key, summary in a.extra.get("summaries", {}).items():
        line(f"  {key}: {summary}")
    line()

    freedoms: list[str | Piece] = ["Freedoms: "]
    for i, (name, status) in enumerate(a.freedoms.items()):
        if i:
            freedoms.append(" · ")
        freedoms += [f"{name} ", styled(status)]
    line(*freedoms)
    line()

    elements = Grid(
        "OSAID elements",
        [
            ("element", "left", "ellipsis"),
            ("status", "left", "ellipsis"),
            ("item", "left", "ellipsis"),
            ("found?", "left", "ellipsis"),
            ("evidence", "left", "fold"),
        ],
    )
    for name, e in a.elements.items():
        for i, item in enumerate(e.items):
            ev = evidence_text(item.evidence[0]) if item.evidence else ""
            if item.license:
                ev = f"[{item.license}: {_open_word(item.license_open)}] " + ev
            elements.rows.append(
                [
                    (name if i == 0 else "", ""),
                    styled(e.status) if i == 0 else ("", ""),
                    (item.label, ""),
                    styled(item.status),
                    (ev[:160], ""),
                ]
            )
    out.append(elements)
    line()

    comps = Grid(
        "Model Openness Framework components",
        [
            ("#", "right", "ellipsis"),
            ("component", "left", "ellipsis"),
            ("status", "left", "ellipsis"),
            ("license", "left", "fold"),
            ("terms", "left", "ellipsis"),
        ],
    )
    for c in a.facts.components:
        comps.rows.append(
            [
                (str(c.mof_id), ""),
                (c.name, ""),
                styled(c.status),
                (c.license or "-", ""),
                styled(_open_word(c.license_open)) if c.license else ("-", ""),
            ]
        )
    out.append(comps)
    line()

    if a.facts.licenses:
        line(("Licenses", "bold"))
        for lf in a.facts.licenses:
            scope = (
                ""
                if "release" in lf.scopes
                else f" (applies to {', '.join(lf.scopes[:4])}"
                + (f" and {len(lf.scopes) - 4} more" if len(lf.scopes) > 4 else "")
                + ")"
            )
            line(
                f"  {lf.id}",
                f" — {lf.name}{scope}: ",
                (_open_word(lf.open), STATUS_STYLE.get(_open_word(lf.open), "")),
            )
            if lf.note:
                line((f"    {lf.note}", "dim"))
            for ev in lf.evidence[:3]:
                line(f"    at {evidence_text(ev)}")
        line()

    if a.facts.bases:
        line(("Lineage (derived from)", "bold"))
        for b in a.facts.bases:
            how = b.relation + (" (inferred)" if b.relation_inferred else "")
            state = b.verdict if b.status == "assessed" else f"{b.verdict}: {b.status}"
            line(
                f"  {'  ' * (b.depth - 1)}{b.depth}. {b.id} — {how}, ",
                f"{b.license or 'license unknown'}: ",
                (state, VERDICT_STYLE.get(Verdict(b.verdict), "")),
            )
        line()

    osai = a.extra.get("osai_index")
    if isinstance(osai, dict):
        score = osai.get("score")
        grades = Grid(
            "European Open Source AI Index grades ("
            + (f"score {score:.2f}" if score is not None else "no score")
            + "; dimensions not assessed are left out of it)",
            [
                ("dimension", "left", "ellipsis"),
                ("grade", "left", "ellipsis"),
                ("note", "left", "fold"),
            ],
        )
        for name, d in osai.get("dimensions", {}).items():
            grade = str(d.get("grade", "")).replace("-", " ")
            grades.rows.append([(name, ""), styled(grade), (d.get("note") or "", "")])
        out.append(grades)
        line()

    line((f"Findings ({len(a.findings)})", "bold"))
    for f in a.findings:
        osd = f" [OSD {', '.join(map(str, f.osd))}]" if f.osd else ""
        line((f"  {f.severity.value.upper():8}", SEVERITY_STYLE[f.severity]), f" {f.rule}{osd}")
        line(f"           {f.message}")
        for ev in f.evidence[:4]:
            line((f"           at {evidence_text(ev)}", "cyan"))
        if f.fix:
            line((f"           fix: {f.fix}", "dim"))
    return out


WIDTH = 110
"""The width of a report that is not written to a terminal."""


def render(a: Assessment, out: TextIO, *, color: bool = False) -> None:
    blocks = _blocks(a)
    if not color:
        from osaid.reports import plain_layout

        text = plain_layout.render(blocks, WIDTH)
        if text is not None:  # laid out as rich lays it out, without importing rich
            out.write(text)
            return
    _render_rich(blocks, out, color)


def _render_rich(blocks: list[Line | Grid], out: TextIO, color: bool, width: int = WIDTH) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(
        file=out,
        force_terminal=color,
        no_color=not color,
        highlight=False,
        emoji=False,
        width=None if color else width,
        soft_wrap=False,
    )
    for block in blocks:
        if isinstance(block, Line):
            if block.pieces:
                console.print(Text.assemble(*block.pieces))
            else:
                console.print()
            continue
        table = Table(title=block.title, title_justify="left")
        for header, justify, overflow in block.columns:
            table.add_column(header, justify=justify, overflow=overflow)
        for row in block.rows:
            table.add_row(*(Text(text, style=style) for text, style in row))
        console.print(table)
