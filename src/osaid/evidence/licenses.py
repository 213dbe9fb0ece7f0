"""Declared and found licenses: card fields, license-ish documents, SPDX headers in code.

Each license becomes a `LicenseFact` with its evidence, the restrictions read in its text, and a
scope (the whole release, or a folder / file it sits in). Text identification is
`evidence.identify`, clause reading `evidence.clauses`; this module only puts them together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cache

from osaid import regex
from osaid.knowledge import restriction_kinds
from osaid.knowledge.licensing import catalog
from osaid.model import CardFacts, Evidence, LicenseFact, Problem, Release, Restriction

LICENSE_DOC = regex.compile(
    r"(^|/)((licen[cs]e|copying|notice|use[_-]?policy|[^/]*acceptable[_-]?use[^/]*|"
    r"[^/]*prohibited[_-]?use[^/]*|terms|responsible[_-]?use)([._\-][^/]*)?|"
    r"[^/]*[._\-]licen[cs]e([._\-][^/]*)?)$",
    re.IGNORECASE,
)
TYPE_SCOPES = ("code", "data", "document", "parameters")
"""Scopes that cover every component of a kind (see knowledge/file_roles.yaml license_scopes)."""
SPDX_HEADER = regex.compile(
    r"SPDX-License-Identifier:\s*([^\n*#]{1,200}?)\s*(\*/|-->|$)", re.MULTILINE
)
_NOTICE = regex.compile(r"(^|/)notice([._\-][^/]*)?$", re.IGNORECASE)
_POLICY = regex.compile(r"policy|acceptable|prohibited|responsible", re.IGNORECASE)
# An identified license text is taken as that license only if it explains this much of the file.
FULL_COVERAGE = 0.9


@dataclass
class _Draft:
    id: str
    name: str
    scopes: dict[str, None] = field(default_factory=dict)
    """In the order first seen (a dict: a repository with thousands of SPDX-headed files has as
    many scopes)."""
    evidence: list[Evidence] = field(default_factory=list)
    restrictions: list[Restriction] = field(default_factory=list)
    open_override: bool | None = None
    """Set for terms the catalog does not know: judged from the clauses read in them."""
    overridden: bool = False
    note: str | None = None


def is_license_document(path: str) -> bool:
    return bool(LICENSE_DOC.search(path))


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.]+", "-", text).strip("-")[:60] or "unnamed"


def content_hash(text: str) -> str:
    """8 hex digits of the SHA-256 of a text with whitespace and Unicode composition made
    irrelevant (the same folding as the terms lock), so one text always gets one id and two
    different texts never share one."""
    import hashlib
    import unicodedata

    flat = " ".join(unicodedata.normalize("NFC", text).replace("\ufeff", "").split())
    return hashlib.sha256(flat.encode("utf-8")).hexdigest()[:8]


_TITLE_WORDS = regex.compile(
    r"licen[cs]e|agreement|terms|policy|conditions|许可|协议|条款|政策|ライセンス|라이선스", re.I
)
_NOT_TITLE = regex.compile(
    r"^(copyright|\(c\)|©|version\b|v?\d[\d.]*$|last (updated|modified)|"
    r"effective|date|https?://|[-=*_#~\s]+$)",
    re.I,
)


def text_title(text: str) -> tuple[int, str] | None:
    """The title a license or policy text gives itself, in its own language: its first heading,
    else the first short line among its first ten that names a license, agreement or terms,
    else its first line that is not a date, version or copyright line. (line, title)."""
    lines = text.splitlines()[:40]
    candidates = []
    for i, raw in enumerate(lines):
        line = raw.strip().strip("*_").strip()
        if not line:
            continue
        heading = line.startswith("#")
        line = line.lstrip("#").strip().strip("*_").strip()
        if not line or _NOT_TITLE.match(line) or len(line) > 120:
            continue
        if heading:
            return i + 1, line
        candidates.append((i + 1, line))
    named = [c for c in candidates[:10] if _TITLE_WORDS.search(c[1]) and len(c[1]) <= 100]
    if named:
        return named[0]
    return candidates[0] if candidates else None


def _blocking(restrictions: list[Restriction]) -> list[Restriction]:
    kinds = restriction_kinds()
    return [r for r in restrictions if kinds.get(r.kind, {}).get("blocking")]


class _Collector:
    def __init__(self) -> None:
        self.drafts: dict[str, _Draft] = {}
        self.problems: list[Problem] = []

    def add(
        self,
        lid: str,
        name: str,
        scope: str,
        evidence: Evidence,
        restrictions: list[Restriction] = (),
        open_override: bool | None = None,
        overridden: bool = False,
        note: str | None = None,
    ) -> None:
        d = self.drafts.get(lid)
        if d is None:
            d = self.drafts[lid] = _Draft(lid, name, note=note)
        d.scopes.setdefault(scope)
        d.evidence.append(evidence)
        if restrictions:
            seen = {(x.kind, x.path, x.line) for x in d.restrictions}
            for r in restrictions:
                if (r.kind, r.path, r.line) not in seen:
                    seen.add((r.kind, r.path, r.line))
                    d.restrictions.append(r)
        if overridden:
            d.overridden = True
            d.open_override = open_override if d.open_override is not False else False

    def facts(self) -> list[LicenseFact]:
        cat = catalog()
        out = []
        for d in self.drafts.values():
            terms = cat.terms(d.id)
            restrictions = list(d.restrictions)
            seen_kinds = {r.kind for r in restrictions}
            # Catalog restrictions stand in where the text itself was not read (a card field only).
            restrictions += [r for r in terms.restrictions if r.kind not in seen_kinds]
            if d.overridden:
                is_open = d.open_override
            else:
                is_open = terms.open
                if is_open and _blocking(d.restrictions):
                    is_open = False
            out.append(
                LicenseFact(
                    id=d.id,
                    name=d.name or terms.name,
                    osi_approved=terms.osi_approved if terms.known else None,
                    open=is_open,
                    evidence=tuple(d.evidence),
                    restrictions=tuple(restrictions),
                    scopes=_ordered_scopes(list(d.scopes)),
                    note=d.note or terms.note or None,
                )
            )
        return out


def _ordered_scopes(scopes: list[str]) -> tuple[str, ...]:
    """The whole release first, then the kinds of component, then folders and files."""
    kinds = [s for s in TYPE_SCOPES if s in scopes]
    rest = sorted(s for s in scopes if s != "release" and s not in TYPE_SCOPES)
    return tuple((["release"] if "release" in scopes else []) + kinds + rest)


def extract_licenses(
    release: Release, card: CardFacts | None
) -> tuple[list[LicenseFact], list[Problem]]:
    col = _Collector()
    linked_docs: dict[str, str] = {}
    if card is not None:
        linked_docs = _card_licenses(card, release, col)
    for path in sorted(release.documents):
        if is_license_document(path):
            _license_document(release, path, col, card_name=linked_docs.get(path))
    _spdx_headers(release, col)
    if card is not None:
        _card_scope_statements(card, col)
        _card_license_section(card, col)
    return col.facts(), col.problems


def _scope_of(path: str) -> str:
    """What a license file covers: by its name first (LICENSE-CODE covers code wherever it
    sits), else the folder it sits in, else the whole release."""
    from osaid.evidence.inventory import license_scope

    by_name = license_scope(path)
    if by_name:
        return by_name
    folder = path.rsplit("/", 1)[0] + "/" if "/" in path else ""
    return folder or "release"


def _card_licenses(card: CardFacts, release: Release, col: _Collector) -> dict[str, str]:
    """Licenses the card declares. Returns the release documents it links as its terms, with the
    name the card gives them."""
    cat = catalog()
    value = card.fields.get("license")
    values = value if isinstance(value, list) else [value] if value is not None else []
    linked: dict[str, str] = {}
    for raw in values:
        if not isinstance(raw, (str, int, float)):
            col.problems.append(
                Problem(
                    "card-license-invalid",
                    "The card's `license` field is not a license id.",
                    (card.field_evidence("license"),),
                )
            )
            continue
        res = cat.resolve(str(raw))
        ev = card.field_evidence("license", str(raw))
        if res.expression:
            for lid in res.ids:
                col.add(lid, cat.terms(lid).name, "release", ev)
            continue
        # `other` / `unknown`: the card must name the license another way.
        name = card.fields.get("license_name")
        link = card.fields.get("license_link")
        if isinstance(name, str) and name.strip():
            named = cat.resolve(name)
            nev = card.field_evidence("license_name")
            if named.expression:
                for lid in named.ids:
                    col.add(lid, cat.terms(lid).name, "release", nev)
                continue
        target = _local_link(link, release) if isinstance(link, str) else None
        if target:
            linked[target] = name.strip() if isinstance(name, str) and name.strip() else target
            continue  # the linked document is read below; its evidence gets the card fields
        named_by_card = isinstance(name, str) and name.strip()
        label = name if named_by_card else str(raw)
        evs = (
            [ev]
            + ([card.field_evidence("license_name")] if name else [])
            + (
                [
                    Evidence(
                        field="license_link",
                        url=link,
                        path=card.path,
                        line=card.field_lines.get("license_link"),
                    )
                ]
                if isinstance(link, str)
                else []
            )
        )
        # Named: the card's name is its id. Unnamed (`other` with only a link): the link is.
        if named_by_card:
            lid = f"LicenseRef-{_slug(label)}"
        elif isinstance(link, str) and link.strip():
            lid = f"LicenseRef-osaid-unread-{content_hash(link.strip())}"
            label = f"terms at {link.strip()[:120]}"
        else:
            lid = f"LicenseRef-{_slug(label)}"
        for e in evs:
            col.add(
                lid,
                label,
                "release",
                e,
                overridden=True,
                open_override=None,
                note="The card names terms osaid cannot read here"
                + (f" ({link})" if isinstance(link, str) else "")
                + "; read them "
                "yourself or add the license text to the release.",
            )
    return linked


def _local_link(link: str, release: Release) -> str | None:
    """A `license_link` that points at a file of this release (relative, or a hub blob URL)."""
    candidate = link.strip()
    m = re.search(r"/(?:blob|resolve|raw)/[^/]+/(.+)$", candidate)
    if m:
        candidate = m.group(1)
    candidate = candidate.lstrip("./")
    return candidate if candidate in release.documents else None


def _license_document(release: Release, path: str, col: _Collector, card_name: str | None) -> None:
    from osaid.evidence.memo import analyse, identify_text

    doc = release.documents[path]
    text = doc.text
    scope = _scope_of(path)
    if not text.strip():
        col.problems.append(
            Problem("empty-license-file", "License file is empty.", (Evidence(path=path),))
        )
        return
    ids = identify_text(text)
    best = ids[0] if ids else None
    if best is not None and best.method == "spdx-fingerprint":
        # Word for word a standard license: its terms are that license's, nothing to read out.
        col.add(
            best.id,
            best.name or best.id,
            scope,
            Evidence(path=path, line=best.line, quote=best.quote),
        )
        return
    found = analyse(text, path)
    header = SPDX_HEADER.search(text[:2000])
    if header and len(text) < 2000:
        # A short file that names its license by SPDX id rather than carrying the text.
        res = catalog().resolve(header.group(1).strip())
        if res.expression:
            line = text.count("\n", 0, header.start()) + 1
            ev = Evidence(path=path, line=line, quote=header.group(0).strip()[:200])
            for lid in res.ids:
                col.add(lid, catalog().terms(lid).name, scope, ev, found)
            return
    if best is not None and best.id and best.coverage >= FULL_COVERAGE and not best.family_only:
        ev = Evidence(path=path, line=best.line, quote=best.quote)
        col.add(best.id, best.name or best.id, scope, ev, found)
        return
    blocking = _blocking(found)
    policy = bool(_POLICY.search(path.rsplit("/", 1)[-1]))
    if best is not None and best.id:
        # Recognised, but with text beyond the known license (or only its family).
        label = best.name or best.id
        if best.family_only:
            label = f"{label} (version unknown)"
        elif best.coverage < FULL_COVERAGE:
            label = f"{label} with additional terms"
        lid = (
            best.id
            if best.family_only
            else f"LicenseRef-osaid-{_slug(best.id.removeprefix('LicenseRef-osaid-'))}"
            f"-modified-{content_hash(text)}"
        )
        note = best.note or (
            f"The text matches {best.name or best.id} for "
            f"{best.coverage:.0%} of its length; the rest are other terms."
        )
        ev = Evidence(path=path, line=best.line, quote=best.quote)
        known_open = catalog().terms(best.id).open
        col.add(
            lid,
            label,
            scope,
            ev,
            found,
            overridden=True,
            open_override=False if blocking or known_open is False else None,
            note=note,
        )
        return
    if _NOTICE.search(path) and not blocking:
        return  # a NOTICE file carries attributions, not terms
    first = next(
        ((i + 1, ln.strip()) for i, ln in enumerate(text.splitlines()) if ln.strip()), (1, "")
    )
    titled = text_title(text) or first
    ev = Evidence(path=path, line=titled[0], quote=titled[1][:200], basis="content")
    kind = "use policy" if policy else "license"
    title = titled[1][:80] or path
    # Its own id from its content: two different texts never share one (the card's name for
    # it, if any, is kept in the name).
    lid = f"LicenseRef-osaid-unidentified-{content_hash(text)}"
    name = (
        title
        if not card_name or _slug(card_name).lower() == _slug(title).lower()
        else f"{title} ({card_name})"
    )
    if blocking:
        note = f"Unidentified {kind}; the clauses quoted in its restrictions withhold freedoms."
        col.add(lid, name, scope, ev, found, overridden=True, open_override=False, note=note)
    else:
        col.add(
            lid,
            name,
            scope,
            ev,
            found,
            overridden=True,
            open_override=None,
            note=f"Unidentified {kind} with no restrictive clause osaid recognises; "
            "read it to be sure.",
        )


def _spdx_headers(release: Release, col: _Collector) -> None:
    from osaid.evidence.inventory import is_code

    cat = catalog()
    for path, doc in release.documents.items():
        if not is_code(path):
            continue
        head = doc.text[:4000]
        m = SPDX_HEADER.search(head)
        if not m:
            continue
        raw = m.group(1).strip()
        line = head.count("\n", 0, m.start()) + 1
        res = cat.resolve(raw)
        ev = Evidence(path=path, line=line, quote=m.group(0).strip()[:200])
        if res.expression:
            for lid in res.ids:
                col.add(lid, cat.terms(lid).name, path, ev)
        else:
            col.problems.append(
                Problem(
                    "spdx-header-invalid",
                    f"SPDX header is not a valid expression ({res.error}).",
                    (ev,),
                )
            )


_LICENSE_WORD = regex.compile(r"\b(?:under|licen[cs]ed|license:?)\b", re.I)


def license_named_in(text: str) -> str | None:
    """The license a sentence names after `under` / `licensed` / `license:` (up to six words
    on, as a catalog name, alias or SPDX id), as an SPDX expression; None when it names none."""
    cat = catalog()
    for m in _LICENSE_WORD.finditer(text):
        words = [w.strip(".,;:()[]*`'\"") for w in text[m.end() : m.end() + 60].split()]
        words = [w for w in words if w][:6]
        for size in (3, 2, 1):
            for i in range(len(words) - size + 1):
                res = cat.resolve(" ".join(words[i : i + size]), expressions=False)
                if res.expression:
                    return res.expression
    return None


@cache
def _statement_rules():
    from osaid.knowledge import load_yaml

    spec = load_yaml("card_declarations.yaml")["license_statements"]
    return regex.compile(spec["section"], re.I), tuple(
        (e["scope"], regex.compile(e["pattern"], re.I)) for e in spec["subjects"]
    )


_SENTENCE = regex.compile(r"(?:[^.;]|[.;](?!\s|$))+?(?:[.;](?=\s|$)|\n\s*\n|$)")


def _card_scope_statements(card: CardFacts, col: _Collector) -> None:
    """Sentences of the card's license section that give one kind of component its own license
    ("the code is under MIT, the weights under CC-BY-NC-4.0")."""
    section, subjects = _statement_rules()
    cat = catalog()
    for heading, line, text in card.sections:
        if not section.search(heading):
            continue
        for m in _SENTENCE.finditer(text):
            sentence = " ".join(m.group(0).split())
            scopes = [scope for scope, pattern in subjects if pattern.search(sentence)]
            expr = license_named_in(sentence) if len(scopes) == 1 else None
            if not expr:
                continue
            start = m.start() + len(m.group(0)) - len(m.group(0).lstrip())
            ev = Evidence(
                path=card.path,
                line=line + 1 + text.count("\n", 0, start),
                quote=sentence[:200],
                basis="content",
            )
            for lid in cat.resolve(expr).ids:
                col.add(lid, cat.terms(lid).name, scopes[0], ev)


def _card_license_section(card: CardFacts, col: _Collector) -> None:
    """Restrictive clauses written into the card's own license section apply to the release."""
    from osaid.evidence.memo import analyse

    for heading, line, text in card.sections:
        if not re.search(r"licen[cs]e|terms|usage restrictions|permitted use", heading, re.I):
            continue
        found = [
            replace(r, line=(r.line or 1) + line, path=card.path) for r in analyse(text, card.path)
        ]
        blocking = _blocking(found)
        if not blocking:
            continue
        lid = f"LicenseRef-osaid-card-terms-{content_hash(text)}"
        col.add(
            lid,
            f"Terms in the card section '{heading}'",
            "release",
            Evidence(path=card.path, line=line, quote=heading),
            found,
            overridden=True,
            open_override=False,
            note="The card's license section adds restrictions of its own.",
        )
