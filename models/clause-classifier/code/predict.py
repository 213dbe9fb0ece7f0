# SPDX-License-Identifier: Apache-2.0
"""Inference: print the restriction kinds of each clause given (arguments, or lines on stdin).

python code/predict.py "You may use the model for research purposes only."
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from model import ClauseClassifier  # noqa: E402


def main(argv: list[str]) -> None:
    clf = ClauseClassifier(Path(__file__).resolve().parent.parent / "model.safetensors")
    for text in argv or [line.strip() for line in sys.stdin if line.strip()]:
        kinds = clf.predict(text)
        shown = ", ".join(f"{k} {s:.3f}" for k, s in sorted(kinds.items())) or "-"
        print(f"{shown}\t{text}")


if __name__ == "__main__":
    main(sys.argv[1:])
