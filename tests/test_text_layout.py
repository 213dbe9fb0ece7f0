"""The text report laid out without rich (for files and pipes) is byte for byte what rich prints:
on every example release and on thousands of generated lines and tables."""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest

from osaid.pipeline import Settings, assess_target
from osaid.reports import plain_layout
from osaid.reports.text import WIDTH, Grid, Line, _blocks, _render_rich

ROOT = Path(__file__).resolve().parent.parent
RELEASES = sorted(
    [p for p in (ROOT / "examples").iterdir() if p.is_dir()]
    + [ROOT / "models" / "clause-classifier"]
    + [p for p in (ROOT / "tests" / "fixtures").glob("*/") if (p / "README.md").is_file()]
)


def _rich(blocks, width: int) -> str:
    buf = io.StringIO()
    _render_rich(blocks, buf, False, width)
    return buf.getvalue()


@pytest.mark.parametrize("release", RELEASES, ids=lambda p: p.name)
def test_every_example_report_is_laid_out_as_rich_lays_it_out(release):
    blocks = _blocks(assess_target(str(release), Settings()))
    plain = plain_layout.render(blocks, WIDTH)
    assert plain is not None, "fell back to rich"
    assert plain == _rich(blocks, WIDTH)


WORDS = (
    ["a", "to", "the", "model", "weights", "Apache-2.0", "LICENSE:12", "open", "not-met"]
    + ["(named", "train.py;", "[MIT:", "open]", "·", "—", "…", "“quoted”", "x" * 30, "y" * 130]
    + ["面壁", "模型许可", "军事用途", "Ünïcödé", "e\u0301te", "😀", "ｗｉｄｅ", "   "]
)


def _text(rng: random.Random, most: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, most)))[: rng.randint(0, 200)]


def test_generated_lines_and_tables_are_laid_out_as_rich_lays_them_out():
    rng = random.Random(20241028)
    laid_out = 0
    for _ in range(600):
        blocks: list[Line | Grid] = []
        for _ in range(rng.randint(1, 3)):
            if rng.random() < 0.4:
                blocks.append(Line([(_text(rng, 30), "bold")] if rng.random() < 0.9 else []))
                continue
            columns = [
                (
                    _text(rng, 2) or "h",
                    rng.choice(["left", "left", "right"]),
                    rng.choice(["fold", "ellipsis"]),
                )
                for _ in range(rng.randint(1, 6))
            ]
            grid = Grid(_text(rng, 12), columns)
            for _ in range(rng.randint(0, 6)):
                grid.rows.append([(_text(rng, 25), "green") for _ in columns])
            blocks.append(grid)
        width = rng.choice([40, 60, 80, 110, 110, 140])
        plain = plain_layout.render(blocks, width)
        if plain is None:
            continue
        laid_out += 1
        assert plain == _rich(blocks, width), (width, blocks)
    assert laid_out > 400  # most generated reports are laid out without rich


def test_what_cannot_be_measured_here_goes_to_rich():
    for text in ["a\ttab", "two\nlines", "bell\x07", "zero\u200bwidth"]:
        assert plain_layout.render([Line([(text, "")])], WIDTH) is None
