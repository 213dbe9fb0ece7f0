"""`osaid audit`: which AI models an application depends on, and whether it may rely on them.

`find.scan(root)` walks an application's tree (bounded, symlink-safe, nothing imported or run)
and returns every model reference with its location: Python calls read with `ast`
(`python_calls.py`), config keys, command lines and Ollama Modelfiles (`configs.py`), and weights
files with their header metadata (`metadata.py`). `resolve.assess_models`
assesses each distinct model once (hub, cache, lock file, `--map`, or a folder in the tree) with
`pipeline.assess_target`, lineage included. `report` builds the `osaid.audit/1` document that the
text, Markdown and SARIF renderers (`render.py`, `sarif.py`) read. What to look for is data:
`knowledge/model_references.yaml`.
"""

from __future__ import annotations
