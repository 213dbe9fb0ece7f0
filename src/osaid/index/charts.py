"""Server-rendered SVG charts for the landscape page, and the same figures as CSV.

Every text that reaches the SVG is XML-escaped here (labels come from cards and manifests).
Colours only repeat what the labels and the table say.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from html import escape

VERDICTS = ("open-source-ai", "not-open-source-ai", "insufficient-evidence")
LABELS = {
    "open-source-ai": "open source AI",
    "not-open-source-ai": "not open source AI",
    "insufficient-evidence": "insufficient evidence",
}
COLORS = {
    "open-source-ai": "#1a7f37",
    "not-open-source-ai": "#cf222e",
    "insufficient-evidence": "#8c959f",
}

Row = tuple[str, dict[str, int]]


def _t(text: object) -> str:
    return escape(str(text), quote=True)


def _legend(y: int) -> str:
    parts, x = [], 0
    for v in VERDICTS:
        parts.append(
            f'<rect x="{x}" y="{y}" width="10" height="10" fill="{COLORS[v]}"/>'
            f'<text x="{x + 14}" y="{y + 9}">{_t(LABELS[v])}</text>'
        )
        x += 14 + 7 * len(LABELS[v]) + 18
    return "".join(parts)


def stacked_bars(
    title: str,
    rows: list[Row],
    width: int = 720,
    *,
    link: Callable[[str, str], str | None] | None = None,
    label: Callable[[str], str] | None = None,
) -> str:
    """Horizontal bars, one per row label, stacked by verdict. `link(label, verdict)` makes each
    segment a link (to the filtered list); `label` turns a row key into the text shown."""
    label_w, bar_h, gap, top = 200, 16, 6, 30
    height = top + len(rows) * (bar_h + gap) + 30
    biggest = max((sum(c.values()) for _, c in rows), default=0) or 1
    scale = (width - label_w - 60) / biggest
    label_of = label or str
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="12"><title>{_t(title)}</title>',
        _legend(8),
    ]
    for i, (key, counts) in enumerate(rows):
        y = top + i * (bar_h + gap)
        label = label_of(key)
        short = label if len(label) <= 30 else label[:29] + "…"
        out.append(
            f'<text x="{label_w - 6}" y="{y + 12}" text-anchor="end">'
            f"<title>{_t(label)}</title>{_t(short)}</text>"
        )
        x = float(label_w)
        for v in VERDICTS:
            n = counts.get(v, 0)
            if n:
                w = n * scale
                rect = (
                    f'<rect x="{x:.1f}" y="{y}" width="{max(w, 1):.1f}" height="{bar_h}" '
                    f'fill="{COLORS[v]}"><title>{_t(label)}: {n} {_t(LABELS[v])}'
                    f"</title></rect>"
                )
                href = link(key, v) if link else None
                out.append(f'<a href="{_t(href)}">{rect}</a>' if href else rect)
                x += w
        out.append(f'<text x="{x + 4:.1f}" y="{y + 12}">{sum(counts.values())}</text>')
    out.append("</svg>")
    return "".join(out)


def timeline(title: str, rows: list[Row], width: int = 720, height: int = 260) -> str:
    """Stacked areas: how many subjects had each verdict at the end of each date."""
    left, right, top, bottom = 50, 20, 30, 40
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="12"><title>{_t(title)}</title>',
        _legend(8),
    ]
    if not rows:
        out.append(f'<text x="{left}" y="{height // 2}">no history yet</text></svg>')
        return "".join(out)
    biggest = max(sum(c.values()) for _, c in rows) or 1
    plot_w, plot_h = width - left - right, height - top - bottom
    n = len(rows)

    def px(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def py(v: float) -> float:
        return top + plot_h - plot_h * v / biggest

    base = [0.0] * n
    for v in VERDICTS:
        upper = [base[i] + rows[i][1].get(v, 0) for i in range(n)]
        if n == 1:
            x0, x1 = px(0) - 20, px(0) + 20
            out.append(
                f'<rect x="{x0:.1f}" y="{py(upper[0]):.1f}" width="{x1 - x0:.1f}" '
                f'height="{py(base[0]) - py(upper[0]):.1f}" fill="{COLORS[v]}"/>'
            )
        else:
            pts = [f"{px(i):.1f},{py(upper[i]):.1f}" for i in range(n)]
            pts += [f"{px(i):.1f},{py(base[i]):.1f}" for i in reversed(range(n))]
            out.append(
                f'<polygon points="{" ".join(pts)}" fill="{COLORS[v]}">'
                f"<title>{_t(LABELS[v])}</title></polygon>"
            )
        base = upper
    out.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" '
        f'y2="{top + plot_h}" stroke="#333"/>'
        f'<text x="{left - 6}" y="{top + 10}" text-anchor="end">{biggest}</text>'
        f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end">0</text>'
    )
    for i in sorted({0, n - 1}):
        out.append(
            f'<text x="{px(i):.1f}" y="{height - 20}" text-anchor="middle">{_t(rows[i][0])}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def csv_cell(text: object) -> object:
    """A text cell a spreadsheet will not run: one starting with = + - @ (or a tab or carriage
    return) gets a leading apostrophe, as OWASP's CSV-injection advice says."""
    if isinstance(text, str) and text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def to_csv(first_column: str, rows: list[Row]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([first_column, *VERDICTS, "total"])
    for label, counts in rows:
        w.writerow([csv_cell(label), *(counts.get(v, 0) for v in VERDICTS), sum(counts.values())])
    return buf.getvalue()
