"""`osaid init PATH`: start a release's openness paperwork from what osaid already finds in it.

Writes two files into the release folder:
- `mof.yml`, a Model Openness Tool manifest (the Model Openness Tool's mof_schema.json): the
  components found, with their paths and licenses; the ones not found as `TODO:` comments (the tool
  counts every listed component as included, so nothing is listed that was not found);
- `DATA_INFORMATION.md`, OSAID 1.0's three data-information items as sections (the five aspects of
  the description as sub-headings), with what the release already says quoted with file:line, and
  `TODO:` where it says nothing.

An existing file is never overwritten without `--force`; each file is written whole or not at all.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys

from osaid.errors import InputError, UsageError
from osaid.output import write_whole

MANIFEST = "mof.yml"
DATA_INFORMATION = "DATA_INFORMATION.md"
# The MOF version the MOT's records declare (its mof_schema.json and every record in its corpus).
MOF_VERSION, MOF_DATE = "1.0", "2024-12-15"
ASPECT_HEADINGS = {
    "provenance": "Provenance",
    "scope": "Scope and characteristics",
    "obtained-and-selected": "How the data was obtained and selected",
    "labeling": "Labeling procedures",
    "processing-and-filtering": "Processing and filtering methods",
}
# What each TODO asks for. Worded so that a template nobody has filled in does not read, to
# osaid's own data-information checks (knowledge/data_information.yaml), as if it described data.
ASPECT_TODO = {
    "provenance": "Name the origin of each part of the training data: its sources, authors and "
    "dates.",
    "scope": "Say how much training data there is and what it covers.",
    "obtained-and-selected": "Say how the data was acquired and how you decided what to keep.",
    "labeling": "Say who tagged the data and following which guidelines, or that nothing was "
    "tagged.",
    "processing-and-filtering": "Say what was done to the data before training (such as "
    "removing duplicates, personal information or low-quality text).",
}


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", help="the release folder to write the files into")
    parser.add_argument(
        "--force",
        action="store_true",
        help=f"overwrite {MANIFEST} / {DATA_INFORMATION} if they exist",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from osaid.evidence.extract import extract
    from osaid.sources.local import LocalSource

    root = args.path
    if not os.path.isdir(root):
        raise InputError(f"{root}: not a folder (osaid init writes into a local release folder)")
    targets = {
        MANIFEST: os.path.join(root, MANIFEST),
        DATA_INFORMATION: os.path.join(root, DATA_INFORMATION),
    }
    if not args.force:
        for path in targets.values():
            if os.path.lexists(path):
                raise UsageError(f"{path} already exists; use --force to overwrite it")
    facts = extract(LocalSource().load(root))
    today = datetime.date.today().isoformat()
    texts = {MANIFEST: manifest(facts, today), DATA_INFORMATION: data_information(facts)}
    for name, text in texts.items():
        write_whole(targets[name], text)
    todo = {
        name: sum(line.count("TODO:") for line in text.splitlines()) for name, text in texts.items()
    }
    found = sum(1 for c in facts.components if c.status != "missing")
    print(
        f"wrote {targets[MANIFEST]} ({found} of {len(facts.components)} components found, "
        f"{todo[MANIFEST]} TODO)"
    )
    print(f"wrote {targets[DATA_INFORMATION]} ({todo[DATA_INFORMATION]} TODO)")
    sys.stdout.flush()
    return 0


# --- mof.yml --------------------------------------------------------------------------------------


def _q(value: object) -> str:
    """A YAML scalar: JSON strings are valid YAML double-quoted scalars."""
    return json.dumps("" if value is None else str(value), ensure_ascii=False)


def _file_evidence(evidence) -> str | None:
    for e in evidence:
        if e.path and e.field is None:
            return e.path
    return None


def _component_path(c) -> str | None:
    paths = [e.path for e in c.evidence if e.path and e.field is None]
    if c.status == "present" and paths:
        if len(paths) == 1:
            return paths[0]
        common = os.path.commonpath(paths)
        return (common + "/") if common else paths[0]
    urls = [e.url for e in c.evidence if e.url]
    return urls[0] if urls else None


def _release_license(facts) -> tuple[str | None, str | None]:
    release = [lf for lf in facts.licenses if "release" in lf.scopes]
    if not release:
        return None, None
    expression = " AND ".join(dict.fromkeys(lf.id for lf in release))
    path = next((p for lf in release if (p := _file_evidence(lf.evidence))), None)
    return expression, path


def manifest(facts, today: str) -> str:
    from osaid.frameworks.mof import component_status
    from osaid.knowledge import components as component_catalog

    card = facts.card
    fields = card.fields if card else {}
    catalog = {e["id"]: e for e in component_catalog()}
    name = facts.subject.name
    dist, dist_path = _release_license(facts)
    base = fields.get("base_model")
    base = ", ".join(map(str, base)) if isinstance(base, list) else base
    out = [
        f"# Model Openness Framework manifest for {name}, in the Model Openness Tool's format.",
        "# Written by `osaid init` from what osaid found in the release: check every value, and",
        "# resolve each TODO. Only components found are listed, because the tool counts every",
        "# listed component as included; the others are TODO comments below the list.",
        "framework:",
        f"  name: {_q('Model Openness Framework')}",
        f"  version: {_q(MOF_VERSION)}",
        f"  date: {_q(MOF_DATE)}",
        "release:",
        f"  name: {_q(name)}",
        f"  version: {_q('')}  # TODO: version or parameter count (e.g. 7B)",
        f"  date: {_q(today)}",
    ]
    tag = fields.get("pipeline_tag")
    out.append(
        f"  type: {_q('')}  # TODO: language, vision, image, audio, video, 3d, code, "
        "multimodal or other" + (f" (card pipeline_tag: {tag})" if isinstance(tag, str) else "")
    )
    out.append(f"  architecture: {_q('')}  # TODO: e.g. transformer decoder, diffusion, CNN")
    if isinstance(base, str) and base:
        out.append(f"  origin: {_q(base)}  # card field base_model")
    else:
        out.append(
            f"  origin: {_q('')}  # TODO: the base model (this model's own name if it was "
            "trained from scratch)"
        )
    out.append(f"  producer: {_q('TODO: who publishes the model')}")
    out.append(f"  contact: {_q('')}")
    out.append("  license:")
    out.append("    distribution:")
    if dist:
        out.append(f"      name: {_q(dist)}")
        out.append(f"      path: {_q(dist_path or '')}")
    else:
        out.append(
            f"      name: {_q('')}  # TODO: the license the release is distributed under "
            "(an SPDX id)"
        )
        out.append(f"      path: {_q('')}")
    out.append("  components:")
    todo = []
    listed = 0
    for c in facts.components:
        entry = catalog.get(c.id, {})
        if c.status == "missing":
            todo.append((c, entry))
            continue
        listed += 1
        out.append(f"    - name: {_q(c.name)}")
        where = _component_path(c)
        if where:
            out.append(f"      component_path: {_q(where)}")
        else:
            out.append(f"      component_path: {_q('')}  # TODO: where to find it")
        if c.license and c.license != dist:
            out.append(f"      license: {_q(c.license)}")
            lpath = _file_evidence(c.license_evidence)
            if lpath:
                out.append(f"      license_path: {_q(lpath)}")
        elif not c.license:
            out.append(
                f"      license: {_q('')}  # TODO: its license (an SPDX id); the tool "
                "counts it as unlicensed until then"
            )
        st = component_status(c)
        if st["status"] == "invalid":
            out.append(
                f"      # note: {st['deciding_license']} is not an open license for MOF; "
                "the tool will count this component as invalid"
            )
    if not listed:
        out[-1] = "  components: []"
    if todo:
        out.append(
            "  # Not found in the release or linked from its card. When one is published, "
            "add it to the list"
        )
        out.append("  # above with its component_path and license.")
        for c, entry in todo:
            cls = entry.get("mof_class")
            need = f"required for MOF Class {cls}" if cls else "optional"
            out.append(f"  # TODO: {c.name} ({need})")
    return "\n".join(out) + "\n"


# --- DATA_INFORMATION.md --------------------------------------------------------------------------


def _where(e) -> str:
    where = e.path or ""
    if e.path and e.line:
        where += f":{e.line}"
    if e.field:
        where += f" (field `{e.field}`)"
    return where


def _quote(e) -> str:
    text = (e.quote or "").replace("\n", " ").strip()
    return f"> {text}\n>\n> — `{_where(e)}`" if text else f"> (see `{_where(e)}`)"


def _aspect_evidence(item) -> dict[str, object]:
    from osaid.knowledge import load_yaml

    order = list(load_yaml("data_information.yaml")["aspects"])
    found = [a for a in order if a not in item.missing]
    if len(found) == len(item.evidence):
        return dict(zip(found, item.evidence, strict=False))
    return {}


def _datasets(facts) -> list[str]:
    card = facts.card
    value = card.fields.get("datasets") if card else None
    value = value if isinstance(value, list) else [value] if value else []
    return [str(v) for v in value if isinstance(v, (str, int, float)) and str(v).strip()]


def data_information(facts) -> str:
    name = facts.subject.name
    items = {i.id: i for i in facts.data_information}
    desc = items.get("description")
    public = items.get("public-data-listing")
    third = items.get("third-party-data-listing")
    w = []
    w.append(f"# Data information: {name}\n")
    w.append(
        "The training data of this model, documented as the OSI Open Source AI Definition 1.0 "
        "asks: a description of all of it, a list of the public datasets and a list of the "
        "data from third parties, each with where to get it.\n"
    )
    w.append(
        "`osaid init` started this file from the release: quotes show what the release "
        "already says, with where it says it. Replace every `TODO:` and check every quote "
        "is complete.\n"
    )
    w.append("## 1. Description of all training data\n")
    w.append("Describe all data used to train the model, including data that cannot be shared.\n")
    found = _aspect_evidence(desc) if desc else {}
    for aspect, heading in ASPECT_HEADINGS.items():
        w.append(f"### {heading}\n")
        if aspect in found:
            w.append("What the release says:\n")
            w.append(_quote(found[aspect]) + "\n")
            w.append(f"TODO: complete if needed. {ASPECT_TODO[aspect]}\n")
        else:
            w.append(f"TODO: {ASPECT_TODO[aspect]}\n")
    w.append("## 2. Publicly available training data\n")
    datasets = _datasets(facts)
    ds_comp = next((c for c in facts.components if c.id == "datasets"), None)
    if datasets:
        w.append("Datasets named in the model card (`datasets` field):\n")
        w.append("| dataset | where to obtain it | license |\n|---|---|---|")
        for d in datasets[:50]:
            url = f"https://huggingface.co/datasets/{d}" if "/" in d or d.isidentifier() else ""
            w.append(f"| {d} | {url or 'TODO: where to obtain it'} | TODO: its license |")
        w.append("")
    if ds_comp is not None and ds_comp.status == "present":
        paths = [e.path for e in ds_comp.evidence if e.path][:10]
        w.append(
            "Data files in the release: "
            + ", ".join(f"`{p}`" for p in paths)
            + (f" (license: {ds_comp.license})" if ds_comp.license else "")
            + "\n"
        )
    listed = [e for e in (public.evidence if public else ()) if e.field != "datasets"]
    for e in listed[:3]:
        w.append(_quote(e) + "\n")
    if not datasets and not listed and not (ds_comp and ds_comp.status == "present"):
        w.append(
            "TODO: List each public dataset used for training, with a link to get it and "
            "its license.\n"
        )
    else:
        w.append(
            "TODO: check that every public dataset used for training is listed, with a link "
            "to get it.\n"
        )
    w.append("## 3. Training data obtainable from third parties\n")
    if third and third.found and third.evidence:
        w.append("What the release says:\n")
        w.append(_quote(third.evidence[0]) + "\n")
        w.append(
            "TODO: check this covers all the data from third parties (including data paid "
            "for), with where to get it.\n"
        )
    else:
        w.append(
            "TODO: List the data you got from third parties (including for a fee), with "
            "where to get it, or say that there was none.\n"
        )
    return "\n".join(w)
