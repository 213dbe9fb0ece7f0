"""A Model Openness Tool manifest (MOT YAML) of an assessment: what the release holds, in the
tool's record format (the Model Openness Tool's mof_schema.json), so it can be submitted there or
read back by `osaid check FILE.yml`.

It decides nothing: the components are the assessment's (present or declared; missing and
withheld ones are left out, which is how the tool records "missing"), and each carries the
license that decides its openness (MOF's reading of the expression osaid resolved), written as
the tool's records write licenses: one per component, the SPDX id where there is one, else the
license's name; `unlicensed` when none applies. Licenses are written per component, so a reader
needs no precedence to know them. The release's date, type, architecture and version come from
the hub, the card and `config.json` (mapped by `knowledge/mot.yaml`), or are left empty: never
the day of the export.
"""

from __future__ import annotations

import functools
import re
from typing import TextIO

import yaml

from osaid import __version__
from osaid.evidence.manifest import component_entry, mot_knowledge
from osaid.model import Assessment, ComponentFact, Evidence


def to_manifest(a: Assessment) -> dict:
    facts = a.facts
    s = facts.subject
    known = s.metadata.get("manifest")
    given = known["data"]["release"] if isinstance(known, dict) else {}
    kn = mot_knowledge()

    def from_given(key: str, default: str = "") -> str:
        value = given.get(key)
        return (
            str(value) if isinstance(value, (str, int, float)) and str(value).strip() else default
        )

    hub_url = s.metadata.get("url") if s.source == "hf" else None
    if hub_url is None and s.location.startswith("https://huggingface.co/"):
        hub_url = s.location
    repo_id = s.metadata.get("repo_id") if s.source == "hf" else None
    release: dict = {
        "name": from_given("name", s.name),
        "version": from_given("version", _version(facts)),
        "date": from_given("date", _date(facts)),
        "type": from_given("type", _type(facts)),
        "architecture": from_given("architecture", _architecture(facts)),
        "origin": from_given("origin"),
        "producer": from_given(
            "producer", repo_id.split("/")[0] if isinstance(repo_id, str) else ""
        ),
        "contact": from_given("contact"),
        "repository": from_given(
            "repository",
            s.location if s.source == "git" and not s.location.startswith(("file:", "/")) else "",
        ),
        "huggingface": from_given("huggingface", hub_url if isinstance(hub_url, str) else ""),
    }
    if not release["date"]:  # not known: left out (the schema does not require it)
        del release["date"]
    treatment = from_given("treatment")
    if treatment:
        release["treatment"] = treatment
    release["license"] = {"distribution": _distribution(a)}
    licenses: dict[str, list] = {}
    for lf in facts.licenses:
        licenses.setdefault(lf.id, []).append(lf)
    release["components"] = [
        _component(c, kn, licenses) for c in facts.components if c.status in ("present", "declared")
    ]
    fw = kn["framework"]
    return {
        "framework": {"name": fw["name"], "version": str(fw["version"]), "date": str(fw["date"])},
        "release": release,
    }


def _distribution(a: Assessment) -> dict:
    release_wide = [lf for lf in a.facts.licenses if "release" in lf.scopes]
    ids = list(dict.fromkeys(lf.id for lf in release_wide))
    expression = " AND ".join(ids) if ids else None
    name, deciding = license_name(expression, "code")
    path = ""
    for lf in sorted(release_wide, key=lambda lf: lf.id != deciding):
        path = next((p for p in (_license_path(ev) for ev in lf.evidence) if p), "")
        if path:
            break
    return {"name": name, "path": path}


def _component(c: ComponentFact, kn: dict, licenses: dict) -> dict:
    entry = component_entry(c.id) or {}
    name, deciding = license_name(c.license, c.content_type)
    out = {
        "name": entry.get("name", c.name),
        "description": entry.get("description", ""),
        "license": name or kn["unlicensed_value"],
    }
    # Where the deciding license's terms are: its own evidence first (a code license's file is
    # not where the weights' terms are), then what the component's license evidence points at.
    own = [e for lf in licenses.get(deciding, ()) for e in lf.evidence]
    candidates = [e for e in c.license_evidence if e in own] or list(c.license_evidence)
    lpath = next((p for p in (_license_path(e) for e in candidates) if p), "")
    if lpath:
        out["license_path"] = lpath
    cpath = next((p for p in (_component_path(e, c.status) for e in c.evidence) if p), "")
    if cpath:
        out["component_path"] = cpath
    return out


@functools.lru_cache(maxsize=1024)
def license_name(expression: str | None, content_type: str) -> tuple[str, str | None]:
    """(name as MOT records write it, its license id) of the license that decides a component's
    openness (MOF's reading of an expression): one license per component, the SPDX id where
    there is one, else the license's name (a spelling the tool's records use when osaid knows
    one), else the id itself."""
    from osaid.frameworks.mof import decide
    from osaid.knowledge.licensing import catalog

    if not expression or expression == "NOASSERTION":
        return "", None
    _rank, deciding = decide(expression, content_type)
    if not deciding.startswith("LicenseRef-") or " " in deciding:
        return deciding, deciding
    # A name is written only when reading it back (as `osaid check` reads a manifest) gives
    # the same license.
    for sp in mot_knowledge()["license_spellings"]:
        if _reads_as(sp["spelling"]) == deciding:
            return sp["spelling"], deciding
    terms = catalog().terms(deciding)
    if terms.known and terms.name and _reads_as(terms.name) == deciding:
        return terms.name, deciding
    return deciding, deciding


@functools.lru_cache(maxsize=1024)
def _reads_as(name: str) -> str | None:
    from osaid.evidence.manifest import read_license

    reading = read_license(name)
    terms = reading.terms if reading.kind == "license" else ()
    return terms[0][0] if len(terms) == 1 and reading.via != "unknown" else None


def _date(facts) -> str:
    """The release's date as the hub knows it (its last change), else none."""
    s = facts.subject
    value = s.metadata.get("last_modified") if s.source == "hf" else None
    if isinstance(value, str) and re.match(r"\d{4}-\d{2}-\d{2}", value):
        return value[:10]
    return ""


def _version(facts) -> str:
    """The card's `version`, else the tag a hub model was asked at (`@v1.0`; not a branch or a
    commit)."""
    s = facts.subject
    card = facts.card.fields if facts.card else {}
    value = card.get("version")
    if isinstance(value, (str, int, float)) and str(value).strip():
        return str(value).strip()[:100]
    asked = s.metadata.get("requested_revision") if s.source == "hf" else None
    if isinstance(asked, str) and re.fullmatch(r"v?\d+(\.\d+)*([-.]\w+)?", asked):
        return asked
    return ""


def _type(facts) -> str:
    s = facts.subject
    task = s.metadata.get("pipeline_tag") if s.source == "hf" else None
    if not isinstance(task, str) and facts.card:
        task = facts.card.fields.get("pipeline_tag")
    if not isinstance(task, str):
        return ""
    for mot_type, tasks in mot_knowledge()["types"].items():
        if task.strip() in tasks:
            return str(mot_type)
    return ""


def _architecture(facts) -> str:
    import json

    doc = facts.subject.documents.get("config.json")
    if doc is None or doc.truncated:
        return ""
    try:
        config = json.loads(doc.text)
    except ValueError:
        return ""
    if not isinstance(config, dict):
        return ""
    model_type = config.get("model_type") if isinstance(config.get("model_type"), str) else ""
    archs = config.get("architectures")
    arch = archs[0] if isinstance(archs, list) and archs and isinstance(archs[0], str) else ""
    if not arch and isinstance(config.get("_class_name"), str):
        arch = config["_class_name"]
    for rule in mot_knowledge()["architectures"]:
        if "is_encoder_decoder" in rule and config.get("is_encoder_decoder") is not True:
            continue
        if "model_type" in rule and not re.search(rule["model_type"], model_type, re.I):
            continue
        if "architectures" in rule and not re.search(rule["architectures"], arch, re.I):
            continue
        return rule["architecture"]
    return ""


def _license_path(ev: Evidence) -> str:
    """Where the terms can be read: a link, or a license file of the release (never a card or a
    manifest field, which only name them)."""
    if ev.url:
        return ev.url
    return ev.path if ev.path and ev.field is None else ""


def _component_path(ev: Evidence, status: str) -> str:
    if ev.url:
        return ev.url
    return ev.path if status == "present" and ev.path and ev.field is None else ""


class _Dumper(yaml.SafeDumper):
    """Block style, lists indented under their key as in the tool's own records."""

    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)


_DUMP_OPTIONS = {
    "Dumper": _Dumper,
    "sort_keys": False,
    "allow_unicode": True,
    "default_flow_style": False,
    "width": 100,
}


def render(a: Assessment, out: TextIO, *, color: bool = False) -> None:
    s = a.facts.subject
    where = s.location + (f" at {s.revision}" if s.revision else "")
    where = "".join(ch if ch.isprintable() else "?" for ch in where)  # one comment line
    out.write(
        f"# Model Openness Tool manifest written by osaid {__version__} from {where} "
        f"({s.source}).\n# osaid's verdict under OSAID 1.0: {a.verdict.value}. Each license is "
        "the one that decides the component (an SPDX id, else its name).\n"
    )
    out.write(dump(to_manifest(a)))


def dump(doc: dict) -> str:
    """`doc` as YAML, exactly as `yaml.dump(doc, **_DUMP_OPTIONS)` writes it.

    PyYAML's pure-Python emitter costs more than the whole assessment, and libyaml's cannot
    indent lists under their key. A manifest has one shape (mappings, lists of mappings and
    strings), so the structure is written here and each string is written as PyYAML would at
    that place: plain when that is certain (printable ASCII that no YAML rule touches and that
    fits the line), else by PyYAML itself, once per string and place. Any other shape goes to
    PyYAML whole."""
    out: list[str] = []
    try:
        _mapping(doc, 0, out, None)
    except _Unsupported:
        return yaml.dump(doc, **_DUMP_OPTIONS)
    return "".join(out)


class _Unsupported(Exception):
    pass


_SAFE_PLAIN = re.compile(r"[A-Za-z0-9][\x20-\x22\x24-\x7e]*")
"""Printable ASCII starting with a letter or digit and without `#`: no YAML indicator at the
start, no comment inside (plus the checks in `_plain`)."""
_RESOLVER = yaml.resolver.Resolver()
_STR_TAG = "tag:yaml.org,2002:str"


def _plain(text: str) -> bool:
    """True when PyYAML writes `text` as a plain scalar on one line of a block mapping."""
    return (
        _SAFE_PLAIN.fullmatch(text) is not None
        and not text.endswith((" ", ":"))
        and ": " not in text
        and _RESOLVER.resolve(yaml.ScalarNode, text, (True, False)) == _STR_TAG
    )


def _mapping(m: dict, col: int, out: list[str], first: str | None) -> None:
    """A block mapping whose keys start at column `col`; `first` replaces the indentation of its
    first line (a list item's `- `)."""
    if type(m) is not dict or not m:
        raise _Unsupported  # an empty mapping is written in flow style: leave it to PyYAML
    for key, value in m.items():
        if type(key) is not str or not _plain_key(key):
            raise _Unsupported
        lead = first if first is not None else " " * col
        first = None
        if type(value) is str:
            out.append(f"{lead}{key}:{_scalar(value, col, key)}")
        elif type(value) is dict:
            out.append(f"{lead}{key}:\n")
            _mapping(value, col + 2, out, None)
        elif type(value) is list and value:
            out.append(f"{lead}{key}:\n")
            for item in value:
                _mapping(item, col + 4, out, " " * (col + 2) + "- ")
        else:
            raise _Unsupported


@functools.lru_cache(maxsize=256)
def _plain_key(key: str) -> bool:
    return len(key) <= 100 and _plain(key)


@functools.lru_cache(maxsize=4096)
def _scalar(value: str, col: int, key: str) -> str:
    """What PyYAML writes after `key:` for the string `value` when `key` starts at column `col`
    of a block mapping: ` value` and a line break when it is certainly plain and fits the line,
    else dumped by PyYAML under `col / 2` mappings that put `key` there, and cut out."""
    if col + len(key) + 2 + len(value) <= 100 and _plain(value):
        return f" {value}\n"
    doc: dict = {key: value}
    prefix = " " * col + key + ":"
    for level in reversed(range(col // 2)):
        doc = {"x": doc}
        prefix = " " * (2 * level) + "x:\n" + prefix
    text = yaml.dump(doc, **_DUMP_OPTIONS)
    if col % 2 or not text.startswith(prefix):
        raise _Unsupported
    return text[len(prefix) :]
