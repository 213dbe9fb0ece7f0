"""The text report laid out without rich, for output that is not a terminal.

Importing and running rich costs about a third of a cold `osaid check`; a report written to a
file or a pipe needs none of its colour. This module lays the report's lines and tables out as
rich 15 (the version the tests compare with) does with the settings `reports/text.py` uses
(width 110, word wrap, heavy-headed boxes, one space of padding, `fold` or `ellipsis` overflow,
left or right justified cells), so the bytes are the same. Cell widths are one per character
for ASCII and a few punctuation marks; any other text is measured by rich's own `rich.cells`
(a light module, unlike rich's console and tables), so other scripts, wide and combining
characters come out as rich prints them. What it cannot lay out for sure (tabs, control or
zero-width characters, line breaks inside a cell, columns too narrow to pad) makes `render`
return None, and the report goes through rich. `tests/test_text_layout.py` compares the two on
every example release and on hundreds of generated reports.
"""

from __future__ import annotations

import re
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from osaid.reports.text import Grid, Line

_WORD = re.compile(r"\s*\S+\s*")
_TRAILING_SPACE = re.compile(r"\s+$")
# heavy-headed box: top, header row, under the header, body rows, bottom
_TOP = ("┏", "━", "┳", "┓")
_HEAD = ("┃", "┃", "┃")
_UNDER_HEAD = ("┡", "━", "╇", "┩")
_BODY = ("│", "│", "│")
_BOTTOM = ("└", "─", "┴", "┘")


_LOCK = threading.Lock()


class _Unsure(Exception):
    """The layout would not be rich's for sure: let rich do it."""


# Characters beyond ASCII that the report itself writes (or quotes often hold), each one cell wide
# in rich's tables, never whitespace, never combining.
_ONE_CELL = str.maketrans(dict.fromkeys("·—–…‘’“”×§°±«»€£¥©®™"))


def _plain(text: str) -> str:
    """`text`, when it can be laid out here (printable: no tabs, line breaks or controls)."""
    if not text.isprintable():
        raise _Unsure
    if not (text.isascii() or text.translate(_ONE_CELL).isascii()):
        _Cells.wide = True  # other scripts: measured by rich's own cell functions
    return text


class _Cells:
    """Cell widths: one per character, unless a text held others (then rich.cells decides:
    a light module, unlike rich's console and tables)."""

    wide = False

    @classmethod
    def len(cls, text: str) -> int:
        if not cls.wide:
            return len(text)
        from rich.cells import cell_len

        return cell_len(text)

    @classmethod
    def chop(cls, text: str, width: int) -> list[str]:
        if not cls.wide:
            return [text[i : i + width] for i in range(0, len(text), width)]
        from rich.cells import chop_cells

        return chop_cells(text, width)

    @classmethod
    def fit(cls, text: str, width: int) -> str:
        """Cropped or padded to exactly `width` cells."""
        if not cls.wide:
            return text[:width] + " " * (width - len(text))
        from rich.cells import set_cell_size

        return set_cell_size(text, width)


def render(blocks: list[Line | Grid], width: int) -> str | None:
    """The report as rich would print it at `width` columns without colour, or None when that
    cannot be known without rich."""
    with _LOCK:  # `_Cells.wide` is decided per report
        return _render(blocks, width)


def _render(blocks: list[Line | Grid], width: int) -> str | None:
    from osaid.reports.text import Line

    out: list[str] = []
    _Cells.wide = False
    try:
        for block in blocks:  # checked first: widths are known before anything is measured
            for text in _texts(block):
                _plain(text)
        for block in blocks:
            if isinstance(block, Line):
                out += _wrap("".join(t for t, _ in block.pieces), width, "default", "fold")
            else:
                out += _table(block, width)
    except _Unsure:
        return None
    return "".join(line + "\n" for line in out)


def _texts(block: Line | Grid) -> list[str]:
    from osaid.reports.text import Line

    if isinstance(block, Line):
        return ["".join(t for t, _ in block.pieces)]
    return [block.title] + [h for h, _, _ in block.columns] + [t for r in block.rows for t, _ in r]


def _divide(text: str, width: int, fold: bool) -> list[int]:
    """Where rich breaks a line (its `divide_line`, one cell per character)."""
    breaks: list[int] = []
    offset = 0
    cell_len = _Cells.len
    for m in _WORD.finditer(text):
        start, word = m.start(), m.group()
        length = cell_len(word.rstrip())
        if width - offset >= length:
            offset += cell_len(word)
        elif length > width:
            if fold:
                chunks = _Cells.chop(word, width)
                for n, chunk in enumerate(chunks):
                    if start:
                        breaks.append(start)
                    if n == len(chunks) - 1:
                        offset = cell_len(chunk)
                    else:
                        start += len(chunk)
            else:
                if start:
                    breaks.append(start)
                offset = cell_len(word)
        elif offset and start:
            breaks.append(start)
            offset = cell_len(word)
    return breaks


def _truncate(line: str, width: int, overflow: str, pad: bool = False) -> str:
    """rich's `Text.truncate`."""
    length = _Cells.len(line)
    if length > width:
        if overflow == "ellipsis":
            line = _Cells.fit(line, width - 1) + "…"
        else:
            line = _Cells.fit(line, width)
    if pad and length < width:
        line += " " * (width - length)
    return line


def _wrap(text: str, width: int, justify: str, overflow: str) -> list[str]:
    """rich's `Text.wrap` of one line of text."""
    if width < 1:
        raise _Unsure
    cuts = [0, *_divide(text, width, overflow == "fold"), len(text)]
    lines = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        line = text[a:b]
        if len(line) > width:  # trailing whitespace beyond the width goes
            m = _TRAILING_SPACE.search(line)
            if m:
                line = line[: len(line) - min(len(m.group()), len(line) - width)]
        if justify == "left":
            line = _truncate(line, width, overflow, pad=True)
        elif justify == "right":
            line = _truncate(line.rstrip(), width, overflow)
            line = " " * (width - _Cells.len(line)) + line
        lines.append(_truncate(line, width, overflow))
    return lines


def _measure(text: str) -> tuple[int, int]:
    """(longest word, whole length): what a cell needs at least and at most."""
    words = text.split()
    most = _Cells.len(text)
    return (max(map(_Cells.len, words)) if words else most), most


def _reduce(total: int, ratios: list[int], maximums: list[int], values: list[int]) -> list[int]:
    """rich's `ratio_reduce`."""
    ratios = [r if m else 0 for r, m in zip(ratios, maximums, strict=False)]
    total_ratio = sum(ratios)
    if not total_ratio:
        return values[:]
    remaining = total
    out = []
    for ratio, maximum, value in zip(ratios, maximums, values, strict=False):
        if ratio and total_ratio > 0:
            given = min(maximum, round(ratio * remaining / total_ratio))
            out.append(value - given)
            remaining -= given
            total_ratio -= ratio
        else:
            out.append(value)
    return out


def _collapse(widths: list[int], max_width: int) -> list[int]:
    """rich's `Table._collapse_widths`, every column wrappable."""
    total = sum(widths)
    excess = total - max_width
    while total and excess > 0:
        widest = max(widths)
        second = max((w if w != widest else 0) for w in widths)
        difference = widest - second
        ratios = [1 if w == widest else 0 for w in widths]
        if not any(ratios) or not difference:
            break
        widths = _reduce(excess, ratios, [min(excess, difference)] * len(widths), widths)
        total = sum(widths)
        excess = total - max_width
    return widths


def _cell_max(text: str, width: int) -> int:
    """A padded cell's measured maximum at `width` (rich's Padding and Text measures)."""
    if width < 1:
        return 0
    if width - 2 < 1:
        raise _Unsure
    high = min(_measure(text)[1], width)
    if high < 1:
        return min(2, width)
    return min(high + 2, width)


def _table(grid: Grid, width: int) -> list[str]:
    headers = [h for h, _, _ in grid.columns]
    columns = [[h] + [row[i][0] for row in grid.rows] for i, h in enumerate(headers)]
    extra = 2 + len(columns) - 1
    max_width = width - extra
    widths = []
    for cells in columns:
        low = high = 0
        for text in cells:
            lo, hi = _measure(text)
            hi = min(hi, max_width)
            lo = min(max(0, lo), hi)
            if hi < 1:
                lo = hi = 0
            lo, hi = min(lo + 2, max_width), min(hi + 2, max_width)
            low, high = max(low, lo), max(high, hi)
        widths.append(min(high, max_width) or 1)
    if sum(widths) > max_width:
        widths = _collapse(widths, max_width)
        if sum(widths) > max_width:
            excess = sum(widths) - max_width
            widths = _reduce(excess, [1] * len(widths), widths, widths)
        widths = [
            max(_cell_max(text, w) for text in cells)
            for w, cells in zip(widths, columns, strict=False)
        ]
    if any(w < 3 for w in widths):
        raise _Unsure
    table_width = sum(widths) + extra
    lines = _wrap(grid.title, table_width, "left", "fold") if grid.title else []
    lines.append(_TOP[0] + _TOP[2].join(_TOP[1] * w for w in widths) + _TOP[3])
    for n, row in enumerate([headers] + [[t for t, _ in r] for r in grid.rows]):
        rendered = []
        for (_, justify, overflow), text, w in zip(grid.columns, row, widths, strict=False):
            cell = [f" {line} " for line in _wrap(text, w - 2, justify, overflow)]
            rendered.append(cell)
        height = max(len(c) for c in rendered)
        for i, cell in enumerate(rendered):
            blank = [" " * widths[i]] * (height - len(cell))
            rendered[i] = blank + cell if n == 0 else cell + blank
        edge, inner, right = _HEAD if n == 0 else _BODY
        for k in range(height):
            lines.append(edge + inner.join(cell[k] for cell in rendered) + right)
        if n == 0:
            lines.append(
                _UNDER_HEAD[0]
                + _UNDER_HEAD[2].join(_UNDER_HEAD[1] * w for w in widths)
                + _UNDER_HEAD[3]
            )
    lines.append(_BOTTOM[0] + _BOTTOM[2].join(_BOTTOM[1] * w for w in widths) + _BOTTOM[3])
    return lines
