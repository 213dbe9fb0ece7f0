"""SVG badges for READMEs: a grey label and a coloured message, both XML-escaped."""

from __future__ import annotations

from html import escape

VERDICT_BADGES = {
    "open-source-ai": ("open source AI", "#1a7f37"),
    "not-open-source-ai": ("not open source AI", "#cf222e"),
    "insufficient-evidence": ("insufficient evidence", "#6e7781"),
}
MOF_COLORS = {"I": "#1a7f37", "II": "#2da44e", "III": "#4ac26b"}


def _width(text: str) -> int:
    # About 6.5 px per character of 11 px sans-serif, plus padding.
    return int(len(text) * 6.5) + 12


def badge(label: str, message: str, color: str) -> str:
    lw, mw = _width(label), _width(message)
    total = lw + mw
    label_x, message_x = lw / 2, lw + mw / 2
    lt, mt = escape(label, quote=True), escape(message, quote=True)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" role="img" '
        f'aria-label="{lt}: {mt}"><title>{lt}: {mt}</title>'
        f'<rect width="{lw}" height="20" fill="#555"/>'
        f'<rect x="{lw}" width="{mw}" height="20" fill="{escape(color, quote=True)}"/>'
        f'<g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" '
        f'font-size="11"><text x="{label_x:.1f}" y="14">{lt}</text>'
        f'<text x="{message_x:.1f}" y="14">{mt}</text></g></svg>'
    )


def verdict_badge(verdict: str | None) -> str:
    message, color = VERDICT_BADGES.get(verdict or "", ("unknown", "#6e7781"))
    return badge("OSAID 1.0", message, color)


def mof_badge(mof_class: str | None) -> str:
    if not mof_class:
        return badge("MOF", "unclassified", "#6e7781")
    return badge("MOF", f"Class {mof_class}", MOF_COLORS.get(mof_class, "#6e7781"))
