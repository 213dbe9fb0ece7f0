"""Tell which license a text is, and how much of the text that license explains.

Two identifiers, best first:

* catalog facts (knowledge/licenses.yaml `identify`): titles in the first lines, version and
  release-date lines, distinctive defined terms. These name the AI licenses the SPDX list lacks
  (Llama, Gemma, RAIL...) and tell their versions apart;
* the SPDX license texts, matched word by word by `licenseclassifier` (a port of Google's
  licensecheck), which reports the regions of the text each license covers. Coverage is the share
  of the text's words inside those regions, so "Apache-2.0 plus a use-restriction section" is
  reported as Apache-2.0 covering part of the text, never as plain Apache-2.0.

The classifier is imported on first use only: `osaid licenses` and most of `osaid check` never
pay for it.

One module per method: `common` (the result type, line and name helpers), `spdx_text` (SPDX
headers; the SPDX texts by licenseclassifier), `fingerprint` (verbatim standard texts by the hash
of their words), `catalog` (catalog facts), `speedups` (licenseclassifier's tokenizer and matcher
shortcuts, behind a switch); this module puts them in order.
"""

from __future__ import annotations

from osaid.evidence.identify.common import Identification

# Names the methods' modules define, reachable from here; imported on first use, so that a run
# that only reads cached results (evidence/memo.py) never loads the methods.
_EXPORTS = {
    "_catalog": "catalog",
    "_Folded": "catalog",
    "_QUOTES": "common",
    "_WORD": "common",
    "_COPYRIGHT_LINE": "fingerprint",
    "_fingerprints": "fingerprint",
    "_known_text": "fingerprint",
    "_classifier": "spdx_text",
    "_header": "spdx_text",
    "_spdx": "spdx_text",
}


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def identify_text(text: str) -> list[Identification]:
    """Licenses recognised in `text`, best first; empty when nothing is recognised."""
    from osaid.evidence.identify.catalog import _catalog, _Folded
    from osaid.evidence.identify.fingerprint import _known_text
    from osaid.evidence.identify.spdx_text import _header, _spdx

    if not text or not text.strip():
        return []
    lines = _Folded(text)
    catalog_ids = _catalog(lines)
    spdx_ids = _header(text) or _known_text(text) or _spdx(text)
    spdx_cov = max((i.coverage for i in spdx_ids), default=0.0)
    seen = {i.id for i in spdx_ids}
    # A catalog entry with an SPDX id (CC-BY-NC-4.0) is better told by the text match.
    catalog_ids = [i for i in catalog_ids if i.id not in seen]
    if spdx_cov >= 0.95:
        ordered = spdx_ids + catalog_ids
    else:
        ordered = catalog_ids + spdx_ids
    if catalog_ids and spdx_ids and spdx_cov < 0.95:
        # e.g. an Apache-based license with its own title: the title names the terms.
        best = ordered[0]
        if best.note is None:
            spdx = spdx_ids[0]
            ordered[0] = Identification(
                best.id,
                best.name,
                best.coverage,
                best.method,
                best.line,
                best.quote,
                best.family_only,
                f"Part of the text ({spdx.coverage:.0%}) is the "
                f"{spdx.id} text; the title names other terms.",
            )
    return ordered
