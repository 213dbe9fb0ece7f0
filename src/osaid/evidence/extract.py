"""Release -> Facts: runs every extractor and resolves which terms apply to which component.

Component license precedence follows the Model Openness Tool: a component's own license (an SPDX
header in its files, a license file in its folder), else the release-wide license for its content
type, else the release's distribution license.
"""

from __future__ import annotations

import dataclasses
import re
from functools import cache

from osaid import regex
from osaid.evidence import inventory, manifest
from osaid.evidence.card import find_card, parse_card
from osaid.evidence.licenses import (
    TYPE_SCOPES,
    extract_licenses,
    is_license_document,
    license_named_in,
)
from osaid.knowledge import components as component_catalog
from osaid.knowledge import load_yaml
from osaid.knowledge.licensing import catalog
from osaid.model import (
    CardFacts,
    ComponentFact,
    DataInfoItem,
    Evidence,
    Facts,
    LicenseFact,
    Problem,
    Release,
)


def extract(release: Release) -> Facts:
    problems: list[Problem] = list(release.problems)
    card: CardFacts | None = None
    card_doc = find_card(release.documents)
    if card_doc is not None:
        if not card_doc.text.strip():
            problems.append(
                Problem("empty-card", "The model card is empty.", (Evidence(path=card_doc.path),))
            )
        card, card_problems = parse_card(card_doc)
        problems += card_problems
    elif release.metadata.get("card_data_license") is not None:
        card = _hub_card_fields(release)
    weights = inventory.weight_files(release)
    problems += inventory.weight_problems(weights, release)
    licenses, license_problems = extract_licenses(release, card)
    problems += license_problems
    found = _classify(release, weights, card)
    problems += found.problems
    problems += _hub_datasets(release, found)  # the card's datasets, as the hub shows them
    problems += _missing_named_files(release, card)
    withheld = _withheld(release, card)
    components = _components(release, found, withheld, licenses)
    data_info = _data_information(release, card)
    facts = Facts(
        subject=release,
        card=card,
        components=tuple(components),
        licenses=tuple(licenses),
        data_information=tuple(data_info),
        problems=tuple(problems),
        gated=_gated(card, release),
    )
    facts = manifest.merge(facts)  # what a MOT manifest declares; files win
    return link_evidence(facts, release.url_base) if release.url_base else facts


_EVIDENCE_KEYS = frozenset(("path", "line", "quote", "field", "url", "basis", "note"))


def link_evidence(value, base: str):
    """Give every evidence that names a release file a link to it at this revision (`base` is
    `Release.url_base`). Walks dataclasses, tuples, lists and dicts (evidence already rendered
    as JSON too); the release snapshot and the parsed card are left as read."""
    import dataclasses
    from urllib.parse import quote

    def url(path: str, line) -> str:
        return base + quote(path) + (f"#L{line}" if isinstance(line, int) and line > 0 else "")

    if isinstance(value, Evidence):
        if value.path is None or value.url is not None:
            return value
        return dataclasses.replace(value, url=url(value.path, value.line))
    if isinstance(value, (tuple, list)):
        return type(value)(link_evidence(v, base) for v in value)
    if isinstance(value, dict):
        if value.keys() == _EVIDENCE_KEYS and isinstance(value["path"], str) and not value["url"]:
            return {**value, "url": url(value["path"], value["line"])}
        return {k: link_evidence(v, base) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, (type, Release, CardFacts)):
        return dataclasses.replace(
            value,
            **{
                f.name: link_evidence(getattr(value, f.name), base)
                for f in dataclasses.fields(value)
                if f.init
            },
        )
    return value


# --- components ----------------------------------------------------------------------------------


class _Found:
    """Evidence collected per component: present files and declared links."""

    def __init__(self) -> None:
        self.present: dict[str, list[Evidence]] = {}
        self.declared: dict[str, list[tuple[Evidence, str | None]]] = {}
        self.paths: dict[str, list[str]] = {}
        self.problems: list[Problem] = []

    def add_present(self, cid: str, ev: Evidence, path: str | None = None) -> None:
        self.present.setdefault(cid, []).append(ev)
        if path:
            self.paths.setdefault(cid, []).append(path)

    def add_declared(self, cid: str, ev: Evidence, license_expr: str | None) -> None:
        if ev.basis is None:
            ev = dataclasses.replace(ev, basis="declared")
        self.declared.setdefault(cid, []).append((ev, license_expr))


def _classify(release: Release, weights, card: CardFacts | None) -> _Found:
    found = _Found()
    skipped: dict[str, list[str]] = {}  # reason -> files that evidence nothing
    for w in weights:
        cid = "model-parameters-intermediate" if w.intermediate else "model-parameters-final"
        found.add_present(cid, _weights_evidence(w, release), w.path)
    weight_paths = {w.path for w in weights}
    for f in release.files:
        if f.path in weight_paths or is_license_document(f.path):
            continue
        if card is not None and f.path == card.path:
            found.add_present(
                "model-card", Evidence(path=f.path, basis="content", note="model card"), f.path
            )
            continue
        reason = inventory.excluded(f.path)
        if reason:
            skipped.setdefault(reason, []).append(f.path)
            continue
        if inventory.is_code(f.path):
            doc = release.documents.get(f.path)
            hit = inventory.code_component(f.path, doc.text if doc else None)
            if hit:
                found.add_present(
                    hit.component,
                    Evidence(
                        path=f.path, line=hit.line, quote=hit.quote, basis=hit.basis, note=hit.note
                    ),
                    f.path,
                )
            continue
        doc = release.documents.get(f.path)
        hit = inventory.path_component(f.path, doc.text if doc else None)
        basis = hit[2] if hit else "name"
        if hit and hit[0] == "data-card" and f.path in release.documents:
            text = release.documents[f.path].text
            todos = _TODO.findall(text)
            if len(todos) >= 3:  # a template still being filled in is not a data card yet
                first = text.find(todos[0])
                found.problems.append(
                    Problem(
                        "data-card-unfinished",
                        f"{len(todos)} TODO markers: not counted as a data "
                        "card until they are filled in.",
                        (
                            Evidence(
                                path=f.path,
                                line=text.count("\n", 0, first) + 1,
                                quote=todos[0].strip()[:200],
                            ),
                        ),
                    )
                )
                continue
            if len(_prose_only(text).split()) >= 40:  # it reads as a data card, not a stub
                basis = "content"
        if hit:
            found.add_present(hit[0], Evidence(path=f.path, basis=basis, note=hit[1]), f.path)
    for reason, paths in skipped.items():
        found.problems.append(
            Problem(
                "files-not-evidence",
                f"{len(paths)} file(s) not counted as evidence of any component: {reason}.",
                tuple(Evidence(path=path, basis="name") for path in paths[:5]),
            )
        )
    if card is not None:
        _card_components(card, release, found)
    return found


def _weights_evidence(w, release: Release) -> Evidence:
    """Weights are known by their first bytes (a recognised format), else by hub metadata (an
    LFS object of that size), else only by their name."""
    what = _size(w.size) + (f", {w.format}" if w.format else "")
    if w.format is not None and release.source != "hf":
        return Evidence(path=w.path, basis="content", note=f"{what} (format from its first bytes)")
    entry = next((f for f in release.files if f.path == w.path), None)
    if entry is not None and entry.sha256 and w.size > 0:
        return Evidence(path=w.path, basis="metadata", note=f"{what}, sha256 {entry.sha256[:12]}…")
    return Evidence(path=w.path, basis="name", note=f"{what} (only its name says it is weights)")


def _result_count(index: object) -> int:
    """How many results a `model-index` lists (the BOM reads them in full with huggingface_hub's
    parser; here only their number is shown, so its import stays off the check path)."""
    if not isinstance(index, list):
        return 0
    return sum(
        len(entry.get("results") or [])
        for entry in index
        if isinstance(entry, dict) and isinstance(entry.get("results"), list)
    )


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return str(n)


@cache
def _libraries() -> dict:
    return load_yaml("libraries.yaml")["libraries"]


@cache
def _card_links() -> tuple[
    tuple[tuple[str, re.Pattern], ...], re.Pattern, tuple[tuple[str, re.Pattern], ...]
]:
    """(url pattern -> component), the code-host pattern, (heading pattern -> code component)."""
    data = load_yaml("card_declarations.yaml")
    return (
        tuple((e["component"], regex.compile(e["url"], re.I)) for e in data["links"]),
        regex.compile(data["code_host"], re.I),
        tuple((e["component"], regex.compile(e["heading"], re.I)) for e in data["code_sections"]),
    )


@cache
def _declarations() -> tuple[tuple[str, re.Pattern, re.Pattern, re.Pattern], ...]:
    return tuple(
        (
            d["component"],
            regex.compile(d["subject"], re.I),
            regex.compile(d["available"], re.I),
            regex.compile(d["not"], re.I),
        )
        for d in load_yaml("card_declarations.yaml")["declarations"]
    )


def _card_components(card: CardFacts, release: Release, found: _Found) -> None:
    doc = release.documents.get(card.path) if card.path else None
    card_lines = doc.text.splitlines() if doc else []
    if doc is not None:
        for cid, subject, available, negated in _declarations():
            for m in subject.finditer(doc.text):
                sentence = _sentence_around(doc.text, m.start(), m.end())
                if available.search(sentence) and not negated.search(sentence):
                    line = doc.text.count("\n", 0, m.start()) + 1
                    found.add_declared(
                        cid, Evidence(path=card.path, line=line, quote=sentence[:200]), None
                    )
                    break
    # Evaluation results in the card: model-index, or an evaluation section with a table.
    if card.fields.get("model-index"):
        count = _result_count(card.fields["model-index"])
        found.add_present(
            "evaluation-results",
            Evidence(
                path=card.path,
                line=card.field_lines.get("model-index"),
                field="model-index",
                basis="metadata",
                note=f"{count} result(s) in model-index" if count else None,
            ),
        )
    for heading, line, text in card.sections:
        if re.search(r"evaluat|results|benchmark|performance", heading, re.I) and "|" in text:
            found.add_present(
                "evaluation-results", Evidence(path=card.path, line=line, quote=heading)
            )
            break
    if card.fields.get("datasets") and not release.metadata.get("datasets"):
        ds = card.fields["datasets"]
        ds = ds if isinstance(ds, list) else [ds]
        for d in ds[:20]:
            found.add_declared("datasets", card.field_evidence("datasets", str(d)), None)
    lib = card.fields.get("library_name")
    if isinstance(lib, str) and lib.lower() in _libraries():
        info = _libraries()[lib.lower()]
        for cid in info["provides"]:
            found.add_declared(
                cid,
                Evidence(
                    path=card.path,
                    line=card.field_lines.get("library_name"),
                    field="library_name",
                    quote=lib,
                    url=info["url"],
                    note=f"osaid catalog: {lib} is published at {info['url']} under "
                    f"{info['license']}",
                ),
                info["license"],
            )
    # Links in the body: papers, datasets, code repositories (by the section they appear in).
    section_at = _section_index(card)
    url_kinds, code_host, code_sections = _card_links()
    for url, line, text in card.links:
        for cid, pattern in url_kinds:
            if pattern.search(url):
                found.add_declared(
                    cid,
                    Evidence(
                        path=card.path, line=line, url=url, quote=_line_quote(card_lines, line)
                    ),
                    None,
                )
        if code_host.match(url):
            heading = section_at(line)
            context = f"{heading} {text}"
            lic = _license_near(card_lines, line)
            matched = False
            for cid, pattern in code_sections:
                if pattern.search(context):
                    found.add_declared(
                        cid,
                        Evidence(
                            path=card.path,
                            line=line,
                            url=url,
                            quote=_line_quote(card_lines, line),
                            note=f"a code link in the section '{heading}'" if heading else None,
                        ),
                        lic,
                    )
                    matched = True
            if not matched and re.search(r"\bcode\b", context, re.I):
                found.add_declared(
                    "training-code",
                    Evidence(
                        path=card.path, line=line, url=url, quote=_line_quote(card_lines, line)
                    ),
                    lic,
                )


@cache
def _file_reference() -> tuple[re.Pattern, frozenset[str]]:
    spec = load_yaml("card_declarations.yaml")["file_reference"]
    return regex.compile(spec["pattern"]), frozenset(spec["extensions"])


def _missing_named_files(release: Release, card: CardFacts | None) -> list[Problem]:
    """Files of the release the card names (in code spans or relative links) that it lacks."""
    doc = release.documents.get(card.path) if card is not None and card.path else None
    if doc is None or release.source == "manifest":
        return []
    pattern, extensions = _file_reference()
    paths = {f.path for f in release.files}
    folder = card.path.rsplit("/", 1)[0] + "/" if "/" in card.path else ""
    problems, seen = [], set()
    lines = doc.text.splitlines()
    for m in pattern.finditer(doc.text):
        name = (m.group("code") or m.group("link") or "").strip("./")
        if not name or name in seen or "." not in name.rsplit("/", 1)[-1]:
            continue
        if name.rsplit(".", 1)[-1].lower() not in extensions or ".." in name.split("/"):
            continue
        seen.add(name)
        if name in paths or folder + name in paths:
            continue
        if "/" not in name and any(p.rsplit("/", 1)[-1] == name for p in paths):
            continue  # a bare file name that exists somewhere in the release
        line = doc.text.count("\n", 0, m.start()) + 1
        problems.append(
            Problem(
                "card-file-missing",
                f"The card names {name}, which is not in the release.",
                (
                    Evidence(
                        path=card.path, line=line, quote=_line_quote(lines, line), basis="content"
                    ),
                ),
            )
        )
        if len(problems) >= 20:
            break
    return problems


def _line_quote(lines: list[str], line: int) -> str | None:
    """The card's own words at a line, whitespace folded (the sentence that holds a link)."""
    if not 0 < line <= len(lines):
        return None
    return " ".join(lines[line - 1].split())[:200] or None


def _section_index(card: CardFacts):
    starts = sorted((line, heading) for heading, line, _ in card.sections)

    def at(line: int) -> str:
        current = ""
        for start, heading in starts:
            if start <= line:
                current = heading
            else:
                break
        return current

    return at


def _license_near(lines: list[str], line: int) -> str | None:
    """A license stated on the same card line as a link ("code at github.com/x under MIT")."""
    if not 0 < line <= len(lines):
        return None
    return license_named_in(lines[line - 1])


@cache
def _withheld_patterns():
    data = load_yaml("withheld.yaml")
    return (
        regex.compile(data["statement"], re.I),
        regex.compile(data["not_statement"], re.I),
        tuple((s["component"], regex.compile(s["pattern"], re.I)) for s in data["subjects"]),
    )


def _withheld(release: Release, card: CardFacts | None) -> dict[str, list[Evidence]]:
    statement, hedge, subjects = _withheld_patterns()
    out: dict[str, list[Evidence]] = {}
    docs = []
    if card is not None and card.path in release.documents:
        docs.append(release.documents[card.path])
    docs += [
        d
        for p, d in release.documents.items()
        if p.lower().endswith((".md", ".rst", ".txt"))
        and (card is None or p != card.path)
        and not is_license_document(p)
    ]
    for doc in docs[:50]:
        text = doc.text
        if not statement.search(text):
            continue
        line_starts = _line_starts(text)
        for m in statement.finditer(text):
            sentence = _sentence_around(text, m.start(), m.end())
            if not sentence or hedge.search(sentence):
                continue
            line = _line_of(line_starts, m.start())
            for cid, pattern in subjects:
                if pattern.search(sentence):
                    out.setdefault(cid, []).append(
                        Evidence(path=doc.path, line=line, quote=sentence[:200])
                    )
    return out


_BOUNDARY = regex.compile(r"[.!?](?=\s)|\n\s*\n|\n\s*(?:[-*+]|\d+\.|#+)\s")


def _sentence_around(text: str, start: int, end: int) -> str:
    """The sentence containing text[start:end], across wrapped lines, whitespace folded."""
    window_start = max(0, start - 400)
    before = [m.end() for m in _BOUNDARY.finditer(text, window_start, start)]
    s = before[-1] if before else window_start
    after = _BOUNDARY.search(text, end, min(len(text), end + 400))
    e = after.start() if after else min(len(text), end + 400)
    return " ".join(text[s:e].split())


def _line_starts(text: str) -> list[int]:
    starts = [0]
    idx = text.find("\n")
    while idx != -1:
        starts.append(idx + 1)
        idx = text.find("\n", idx + 1)
    return starts


def _line_of(starts: list[int], offset: int) -> int:
    import bisect

    return bisect.bisect_right(starts, offset)


def _components(
    release: Release,
    found: _Found,
    withheld: dict[str, list[Evidence]],
    licenses: list[LicenseFact],
) -> list[ComponentFact]:
    release_wide = [lf for lf in licenses if "release" in lf.scopes]
    out = []
    for entry in component_catalog():
        cid, ctype = entry["id"], entry["type"]
        present = found.present.get(cid, [])
        declared = found.declared.get(cid, [])
        status = "present" if present else "declared" if declared else "missing"
        lic_expr, lic_ev = None, ()
        if status == "present":
            own = _own_licenses(found.paths.get(cid, []), licenses)
            chosen = own or _type_licenses(cid, ctype, licenses) or release_wide
            if chosen:
                ids = list(dict.fromkeys(lf.id for lf in chosen))
                lic_expr = " AND ".join(ids)
                lic_ev = tuple(e for lf in chosen for e in lf.evidence[:1])
        elif status == "declared":
            exprs = [lx for _, lx in declared if lx]
            if exprs:
                lic_expr = " AND ".join(dict.fromkeys(exprs))
                lic_ev = tuple(ev for ev, lx in declared if lx)[:3]
        lic_open = _expression_open(lic_expr, ctype, licenses) if lic_expr else None
        evidence = tuple(present[:10]) if present else tuple(ev for ev, _ in declared[:10])
        basis = "declared" if declared else None
        if present:  # the strongest basis decides; its evidence is shown first
            ranked = sorted(present, key=lambda e: _BASIS_RANK.get(e.basis, len(_BASIS_RANK)))
            evidence, basis = tuple(ranked[:10]), ranked[0].basis or "name"
            if basis == "name" and declared:  # a link or a statement says more than a name
                basis = "declared"
                evidence = tuple(ev for ev, _ in declared[:5]) + evidence[:5]
        out.append(
            ComponentFact(
                id=cid,
                mof_id=entry["mof_id"],
                name=entry["name"],
                content_type=ctype,
                status=status,
                evidence=evidence,
                license=lic_expr,
                license_open=lic_open,
                license_evidence=lic_ev,
                withheld=tuple(withheld.get(cid, [])[:3]),
                basis=basis,
            )
        )
    return out


_BASIS_RANK = {"content": 0, "metadata": 1, "name": 2}


_PARAMETERS = ("model-parameters-final", "model-parameters-intermediate")


def _type_licenses(cid: str, ctype: str, licenses: list[LicenseFact]) -> list[LicenseFact]:
    """Licenses that cover every component of this kind (LICENSE-CODE, LICENSE-MODEL ...)."""
    scope = "parameters" if cid in _PARAMETERS else ctype
    return [lf for lf in licenses if scope in lf.scopes]


def _own_licenses(paths: list[str], licenses: list[LicenseFact]) -> list[LicenseFact]:
    """Licenses scoped to these files: SPDX headers on them, or a license file in their folder."""
    if not paths:
        return []
    own = []
    for lf in licenses:
        for scope in lf.scopes:
            if scope == "release" or scope in TYPE_SCOPES:
                continue
            if (scope.endswith("/") and all(p.startswith(scope) for p in paths)) or scope in paths:
                own.append(lf)
                break
    return own


def _expression_open(expr: str, content_type: str, licenses: list[LicenseFact]):
    """Judge an expression; what the release's own texts showed overrides the catalog."""
    cat = catalog()
    overrides = {
        lf.id: lf.open for lf in licenses if lf.open is False or not cat.terms(lf.id).known
    }
    return cat.expression_open(expr, content_type, overrides)


# --- data information -----------------------------------------------------------------------------


@cache
def _data_info_rules():
    d = load_yaml("data_information.yaml")
    flags = re.I
    return {
        "sections": regex.compile(d["sections"], flags),
        "documents": regex.compile(d["documents"], flags),
        "aspects": {k: regex.compile(v, flags) for k, v in d["aspects"].items()},
        "vague": regex.compile(d["vague"], flags),
        "public_links": regex.compile(d["public_links"], flags),
        "third_party_none": regex.compile(d["third_party_none"], flags),
        "third_party_listed": regex.compile(d["third_party_listed"], flags),
    }


def _data_texts(release: Release, card: CardFacts | None) -> list[tuple]:
    """(path, first line, text, url) of everything that describes training data: the card's
    training-data sections, data documents anywhere in the release, and the cards of the
    datasets the card names, as the hub shows them (path None, their page as url)."""
    rules = _data_info_rules()
    out = []
    if card is not None:
        for heading, line, text in card.sections:
            if heading and rules["sections"].search(heading):
                out.append((card.path, line + 1, text, None))
    for path, doc in release.documents.items():
        if rules["documents"].search(path.lower()) and not inventory.excluded(path):
            out.append((path, 1, doc.text, None))
    named = release.metadata.get("datasets")
    for d in named if isinstance(named, list) else ():
        if isinstance(d, dict) and isinstance(d.get("card_excerpt"), str) and d.get("url"):
            out.append((None, None, d["card_excerpt"], d["url"]))
    return [(p, ln, _prose_only(t), url) for p, ln, t, url in out]


_TODO = regex.compile(r"^.*\bTODO\b.*$", re.MULTILINE)
_NOT_PROSE = regex.compile(r"^[ \t]*(#.*|.*\bTODO\b.*|<!--.*-->)[ \t]*$", re.MULTILINE)


def _prose_only(text: str) -> str:
    """Blank out headings, TODO placeholders and comments (keeping line numbers): a template's
    headings ("Provenance", "Labeling") describe nothing."""
    return _NOT_PROSE.sub("", text)


def _first_match(texts, pattern: re.Pattern) -> Evidence | None:
    for path, line0, text, url in texts:
        m = pattern.search(text)
        if m:
            ls = text.rfind("\n", 0, m.start()) + 1
            le = text.find("\n", m.end())
            quote = " ".join(text[ls : le if le != -1 else len(text)].split())
            if path is None:  # a dataset card on the hub: its words around the match
                quote = " ".join(text[max(0, m.start() - 80) : m.end() + 80].split())
                return Evidence(
                    url=url,
                    quote=quote[:200],
                    basis="content",
                    note="the dataset's own card on the hub",
                )
            line = line0 + text.count("\n", 0, m.start())
            return Evidence(path=path, line=line, quote=quote[:200], basis="content")
    return None


def _data_information(release: Release, card: CardFacts | None) -> list[DataInfoItem]:
    rules = _data_info_rules()
    texts = _data_texts(release, card)
    substantive = [
        (p, ln, t, u) for p, ln, t, u in texts if len(rules["vague"].sub("", t).strip()) > 40
    ]
    # (a) description
    evidence, missing = [], []
    for aspect, pattern in rules["aspects"].items():
        ev = _first_match(substantive, pattern)
        if ev:
            evidence.append(ev)
        else:
            missing.append(aspect)
    if not substantive and texts:
        vague = _first_match(texts, rules["vague"])
        if vague:
            evidence = [vague]
    description = DataInfoItem(
        "description",
        found=not missing and bool(substantive),
        evidence=tuple(evidence),
        missing=tuple(missing),
    )
    # (b) public data with where to get it
    pub: list[Evidence] = []
    hub_datasets = release.metadata.get("datasets")
    if isinstance(hub_datasets, list) and hub_datasets:  # only a dataset page that exists lists
        pub += [_dataset_evidence(d) for d in hub_datasets if _dataset_found(d)]
    elif card is not None and card.fields.get("datasets"):
        # named, not read (offline, or not a hub release): declared by the card
        pub.append(dataclasses.replace(card.field_evidence("datasets"), basis="declared"))
    ev = _first_match(substantive, rules["public_links"])
    if ev:
        pub.append(ev)
    public = DataInfoItem("public-data-listing", found=bool(pub), evidence=tuple(pub))
    # (c) third-party data: listed, or stated that none was used
    tp = _first_match(substantive, rules["third_party_none"]) or _first_match(
        substantive, rules["third_party_listed"]
    )
    third = DataInfoItem(
        "third-party-data-listing", found=tp is not None, evidence=(tp,) if tp else ()
    )
    return [description, public, third]


def _hub_card_fields(release: Release) -> CardFacts:
    """The card's license fields as the hub reports them, when the card itself could not be read
    (a gated repository without access): a card field with no file line."""
    fields = {
        name: release.metadata.get(f"card_data_{name}")
        for name in ("license", "license_name", "license_link")
    }
    return CardFacts(
        path=None, fields={k: v for k, v in fields.items() if v is not None}, field_lines={}
    )


def _gated(card: CardFacts | None, release: Release) -> Evidence | None:
    hub = release.metadata.get("gated")
    if hub not in (None, False, "", "false"):
        url = release.metadata.get("url")
        return Evidence(
            field="gated",
            quote=f"gated: {hub} (hub repository setting)",
            url=url if isinstance(url, str) else None,
        )
    if card is None:
        return None
    for name in ("extra_gated_prompt", "extra_gated_fields", "extra_gated_heading", "gated"):
        value = card.fields.get(name)
        if value not in (None, False, "", [], {}):
            return card.field_evidence(name)
    return None


# --- datasets the card names, as the hub describes them (sources/hf.py, docs/lineage.md) ----------


def _dataset_found(d: object) -> bool:
    """The hub has a page for it (its card may still be unreadable, e.g. gated)."""
    error = d.get("error") if isinstance(d, dict) else None
    return (
        isinstance(d, dict)
        and isinstance(d.get("url"), str)
        and (not error or str(error).startswith("card not read"))
    )


def _dataset_evidence(d: dict) -> Evidence:
    detail = ", ".join(str(x) for x in (d.get("license"), d.get("size_category")) if x)
    # The dataset's page is where to check it; the quote is the id as the card's `datasets`
    # field names it; what the hub says of it is a note.
    return Evidence(
        field="datasets",
        quote=str(d.get("id"))[:200],
        url=d.get("url"),
        basis="metadata",
        note=f"on the hub: {detail}" if detail else None,
    )


def _hub_datasets(release: Release, found: _Found) -> list[Problem]:
    """Each dataset the hub found becomes a declared `datasets` component entry with its license
    (so MOF and data terms see it); a gated dataset or terms not open for data is a problem."""
    named = release.metadata.get("datasets")
    if not isinstance(named, list):
        return []
    cat = catalog()
    problems: list[Problem] = []
    for d in named[:50]:
        if not isinstance(d, dict) or not isinstance(d.get("id"), str):
            continue
        ev = _dataset_evidence(d)
        if not _dataset_found(d):
            problems.append(
                Problem(
                    "dataset-unresolved",
                    f"The card names the dataset "
                    f"{d['id']}, which could not be read on the hub "
                    f"({d.get('error') or 'no page'}): it lists nothing.",
                    (ev,),
                )
            )
            continue
        raw = d.get("license")
        raw = [raw] if isinstance(raw, str) else [x for x in raw or () if isinstance(x, str)]
        exprs = [cat.resolve(x).expression for x in raw]
        expr = " AND ".join(dict.fromkeys(e for e in exprs if e)) or None
        found.add_declared("datasets", ev, expr)
        terms_open = cat.expression_open(expr, "data", {}) if expr else None
        if d.get("gated"):
            problems.append(
                Problem(
                    "dataset-terms",
                    f"The training dataset {d['id']} is gated on "
                    f"the hub (gated: {d['gated']}): obtaining it needs an "
                    "agreement.",
                    (ev,),
                )
            )
        if terms_open is False:
            problems.append(
                Problem(
                    "dataset-terms",
                    f"The training dataset {d['id']} is under "
                    f"{expr} ({', '.join(raw)}), terms that do not grant the four "
                    "freedoms for data.",
                    (ev,),
                )
            )
    return problems
